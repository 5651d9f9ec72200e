"""Voice notes (issue 20): transcribed before the customer's turn, so the text drives the turn.

``voice_notes_transcribe`` runs in the turn's Celery task *before* the customer's row lock is
taken (downloads and transcriptions take seconds; no network under a lock). It records on each of
the customer's pending voice notes the text, or why there is none, exactly once (a conditional
update: a concurrent or redelivered task that transcribed the same note too wastes a call but
changes nothing). The locked turn then reads the stored text (``whatsapp_inbound_heard``).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.conf import settings

from channels.media import MediaError, MediaLimits, audio_duration_s, media_download
from channels.messages import Media
from channels.models import WhatsAppContact, WhatsAppInbound
from conversations.models import Conversation

logger = logging.getLogger(__name__)

DISABLED = "disabled"
OK = "ok"
TOO_LONG = "too_long"
UNEXPECTED = "unexpected"


def voice_note_media(message: WhatsAppInbound) -> dict[str, str] | None:
    """The message's audio file (WhatsApp sends one file per message), if it has one."""
    media: dict[str, str]
    for media in message.media:
        kind = Media(url=media.get("url", ""), content_type=media.get("content_type", "")).kind
        if kind == "audio":
            return media
    return None


def voice_notes_enabled(*, phone: str, now: datetime) -> bool:
    """Transcribe this customer's voice notes? LLM_ENABLED and VOICE_NOTES_ENABLED, their
    conversation in the rollout's model group, a Celery worker (never inside the synchronous
    webhook), and a customer who has not opted out."""
    from conversations.llm.transcription import llm_transcription_enabled
    from conversations.services import conversation_uses_llm

    if settings.WHATSAPP_MODE != "async" or not llm_transcription_enabled():
        return False
    if WhatsAppContact.objects.filter(phone=phone, opted_out_at__isnull=False).exists():
        return False
    return conversation_uses_llm(channel=Conversation.Channel.WHATSAPP, external_id=phone, now=now)


def voice_notes_transcribe(*, phone: str, now: datetime) -> int:
    """Transcribe the customer's pending voice notes not tried yet; returns how many were tried.

    Precondition: called outside any transaction. All the notes of one call share
    ``VOICE_NOTE_BUDGET_S`` (downloads, transcriptions and retries), so the turn that follows
    keeps its own LLM budget within the task's time limit.
    """
    pending = [
        m
        for m in WhatsAppInbound.objects.filter(
            phone=phone, status=WhatsAppInbound.Status.RECEIVED, transcription_status=""
        )
        .exclude(media=[])
        .order_by("received_at", "id")
        if voice_note_media(m) is not None
    ]
    if not pending:
        return 0
    enabled = voice_notes_enabled(phone=phone, now=now)
    deadline = time.monotonic() + settings.VOICE_NOTE_BUDGET_S
    for message in pending:
        text, reason = "", DISABLED
        if enabled:
            try:
                text, reason = _transcribe(message, deadline=deadline)
            except Exception:  # a bug here must cost the customer no more than this voice note
                logger.exception("whatsapp_voice_note_failed inbound_id=%s", message.pk)
                text, reason = "", UNEXPECTED
        WhatsAppInbound.objects.filter(pk=message.pk, transcription_status="").update(
            transcription=text, transcription_status=reason
        )
        logger.info(
            "whatsapp_voice_note inbound_id=%s outcome=%s chars=%s",
            message.pk,
            reason,
            len(text),
        )
    return len(pending)


def _transcribe(message: WhatsAppInbound, *, deadline: float) -> tuple[str, str]:
    from conversations.llm.transcription import llm_transcribe

    media = voice_note_media(message) or {}
    try:
        audio = media_download(
            url=media.get("url", ""),
            content_type=media.get("content_type", ""),
            limits=MediaLimits.from_settings(),
            deadline=deadline,
        )
    except MediaError as exc:
        logger.warning(
            "whatsapp_voice_note_download_failed inbound_id=%s error=%s", message.pk, exc
        )
        return "", exc.reason
    seconds = audio_duration_s(audio.data)
    if seconds is not None and seconds > settings.VOICE_NOTE_MAX_SECONDS:
        return "", TOO_LONG
    result = llm_transcribe(
        audio=audio.data,
        filename=audio.filename,
        content_type=audio.content_type,
        deadline=deadline,
    )
    return result.text, result.reason
