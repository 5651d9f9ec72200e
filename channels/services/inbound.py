"""Intake exactly once and turns in arrival order.

``inbound_message_receive`` (webhook): Redis claim, ``INSERT … ON CONFLICT DO NOTHING`` on the
``MessageSid``, enqueue the turn. Milliseconds; no turn, no Twilio call.

``inbound_message_process`` (Celery): under the customer's row lock, the pending messages are
answered as one turn, the reply parts are written ``pending`` and the messages marked processed,
all in one transaction; then the parts are sent (``channels.services.outbound``). A redelivered or
concurrent task finds the messages processed, runs no second turn and only finishes the sending.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from channels import replies
from channels.messages import InboundMessage
from channels.models import WhatsAppContact, WhatsAppInbound, WhatsAppOutbound
from channels.services.batch import (
    CHANNEL,
    Answered,
    InStatus,
    answer_batch,
    llm_plan,
    llm_rephrase,
    notice,
)
from channels.services.outbound import (
    outbound_group_answer_in_twiml,
    outbound_group_schedule,
    outbound_group_send,
)
from channels.services.statuses import Status
from channels.services.voice import voice_note_media, voice_notes_transcribe
from channels.wiring import intake_guard
from kavak import metrics
from kavak.exceptions import TransientError
from kavak.logging import log_context
from kavak.rows import insert_unless_conflict

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReceiveResult:
    duplicate: bool
    inbound_id: int | None = None
    throttled: bool = False
    reply_parts: tuple[str, ...] = ()  # synchronous mode only: the TwiML answer


def _enqueue_process(inbound_id: int, countdown: float) -> None:
    from channels.tasks import inbound_message_process as inbound_message_process_task

    try:
        inbound_message_process_task.apply_async(
            (inbound_id,),
            countdown=countdown or None,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
        )
    except Exception:
        # The message is stored: the customer's next message or the sweep picks it up.
        logger.exception("whatsapp_enqueue_failed inbound_id=%s", inbound_id)


def _insert_once(row: WhatsAppInbound) -> int | None:
    """``INSERT … ON CONFLICT (message_sid) DO NOTHING RETURNING id``; None for a duplicate.

    One statement in autocommit: no transaction to open, no exception to unwind, and the unique
    constraint decides between concurrent copies on any number of instances.
    """
    return insert_unless_conflict(row, conflict_on=("message_sid",))


def inbound_message_receive(
    *, message: InboundMessage, now: datetime | None = None, reply_inline: bool = True
) -> ReceiveResult:
    """Store one provider delivery exactly once and schedule its turn after the commit.

    Business rules: a copy of a message already stored (same ``MessageSid`` or Meta message id,
    also arriving at the same moment on another instance) is acknowledged and does nothing else;
    above ``WHATSAPP_RATE_LIMIT_MESSAGES`` per window a customer's messages are stored but not
    answered, and the first one over the limit triggers one polite notice. In synchronous mode the
    turn runs here and the reply comes back for the TwiML answer (``reply_inline``), or, for a
    provider without inline answers (Meta), is sent through its API before returning.
    """
    now = now or timezone.now()
    guard = intake_guard()
    claim = guard.claim(message_sid=message.message_sid, phone=message.phone)
    if claim.done_before:
        metrics.WEBHOOK_DUPLICATES_TOTAL.labels(layer="redis").inc()
        logger.info("whatsapp_duplicate source=redis message_sid=%s", message.message_sid)
        return ReceiveResult(duplicate=True)
    limit = settings.WHATSAPP_RATE_LIMIT_MESSAGES
    over = bool(limit and claim.count is not None and claim.count > limit)
    notice = bool(over and claim.count == limit + 1)
    sync = settings.WHATSAPP_MODE == "sync"
    inbound = WhatsAppInbound(
        message_sid=message.message_sid,
        account_sid=message.account_sid,
        messaging_service_sid=message.messaging_service_sid,
        from_address=message.from_address,
        to_address=message.to_address,
        phone=message.phone,
        wa_id=message.wa_id,
        profile_name=message.profile_name,
        body=message.body,
        kind=message.kind,
        media=[{"url": m.url, "content_type": m.content_type} for m in message.media],
        location=message.location,
        payload=message.payload,
        status=InStatus.THROTTLED if over else InStatus.RECEIVED,
        rate_notice=notice,
        received_at=now,
    )
    inbound.pk = _insert_once(inbound)
    if inbound.pk is None:
        guard.mark_done(message_sid=message.message_sid)
        metrics.WEBHOOK_DUPLICATES_TOTAL.labels(layer="db").inc()
        logger.info("whatsapp_duplicate source=db message_sid=%s", message.message_sid)
        return ReceiveResult(duplicate=True)
    if not sync and (not over or notice):
        countdown = 0.0 if over else settings.WHATSAPP_BURST_WINDOW_S
        # Autocommit: the row is already committed, so this runs now (deferred inside a block).
        transaction.on_commit(partial(_enqueue_process, inbound.pk, countdown))
    guard.mark_done(message_sid=message.message_sid)
    if over:
        metrics.RATE_LIMITED_SENDERS_TOTAL.inc()
        logger.warning(
            "whatsapp_rate_limited count=%s limit=%s window_s=%s notice=%s",
            claim.count,
            limit,
            settings.WHATSAPP_RATE_LIMIT_WINDOW_S,
            notice,
            extra={"phone": message.phone},
        )
    logger.info(
        "whatsapp_inbound_stored inbound_id=%s kind=%s message_sid=%s",
        inbound.pk,
        message.kind,
        message.message_sid,
    )
    parts: tuple[str, ...] = ()
    if sync and (not over or notice) and reply_inline:
        group = inbound_message_process(inbound_id=inbound.pk, deliver=False, now=now)
        parts = outbound_group_answer_in_twiml(group=group)
    elif sync and (not over or notice):
        try:
            inbound_message_process(inbound_id=inbound.pk, deliver=True, now=now)
        except TransientError as exc:  # the reply is stored pending: the sweep sends it
            logger.warning("whatsapp_sync_send_deferred inbound_id=%s error=%s", inbound.pk, exc)
    return ReceiveResult(duplicate=False, inbound_id=inbound.pk, throttled=over, reply_parts=parts)


def _contact_for(inbound: WhatsAppInbound) -> WhatsAppContact:
    contact, _ = WhatsAppContact.objects.get_or_create(
        phone=inbound.phone,
        defaults={
            "wa_id": inbound.wa_id,
            "profile_name": inbound.profile_name,
            "last_from": inbound.from_address,
            "last_to": inbound.to_address,
        },
    )
    return contact


def _handle(*, inbound_id: int, now: datetime, window_s: float, deliver: bool) -> Answered:
    inbound = WhatsAppInbound.objects.filter(pk=inbound_id).first()
    if inbound is None:
        logger.warning("whatsapp_inbound_missing inbound_id=%s", inbound_id)
        return Answered("")
    if inbound.reply_group or not (inbound.status == InStatus.RECEIVED or inbound.rate_notice):
        return Answered(inbound.reply_group)
    contact = _contact_for(inbound)
    plan = None
    if inbound.status == InStatus.RECEIVED:
        # Voice notes first: their text is what the slot suggestions and the turn read.
        voice_notes_transcribe(phone=inbound.phone, now=now)
        plan = llm_plan(inbound=inbound, now=now, window_s=window_s, deliver=deliver)
    with transaction.atomic():
        # The customer's lock: their messages are handled one batch at a time, in arrival order,
        # on whichever worker gets here first; the others wait here and then find nothing to do.
        contact = WhatsAppContact.objects.select_for_update().get(pk=contact.pk)
        inbound.refresh_from_db()
        if inbound.reply_group:
            return Answered(inbound.reply_group)
        if inbound.status == InStatus.THROTTLED and inbound.rate_notice:
            return Answered(
                notice(
                    [inbound],
                    name="ratelimit",
                    body=replies.rate_limited(),
                    now=now,
                    status=InStatus.THROTTLED,
                )
            )
        if inbound.status != InStatus.RECEIVED:
            return Answered("")
        pending = list(
            WhatsAppInbound.objects.filter(phone=inbound.phone, status=InStatus.RECEIVED).order_by(
                "received_at", "id"
            )
        )
        newest = pending[-1]
        if (
            window_s > 0
            and newest.pk != inbound.pk
            and newest.received_at + timedelta(seconds=window_s) > now
        ):
            # The customer is still typing: the newest message's task answers the whole burst.
            logger.info("whatsapp_burst_deferred inbound_id=%s newest_id=%s", inbound.pk, newest.pk)
            return Answered("")
        untried = [m for m in pending if not m.transcription_status and voice_note_media(m)]
        if untried:
            # A voice note arrived after this task transcribed: its own task (already enqueued,
            # or the sweep's) transcribes it and answers the whole batch, as for a burst.
            logger.info(
                "whatsapp_voice_note_deferred inbound_id=%s voice_id=%s", inbound.pk, untried[0].pk
            )
            return Answered("")
        contact.last_inbound_at = max(m.received_at for m in pending)
        contact.last_from = newest.from_address
        contact.last_to = newest.to_address
        contact.wa_id = newest.wa_id or contact.wa_id
        contact.profile_name = newest.profile_name or contact.profile_name
        contact.save(
            update_fields=[
                "last_inbound_at",
                "last_from",
                "last_to",
                "wa_id",
                "profile_name",
                "updated_at",
            ]
        )
        return answer_batch(contact=contact, batch=pending, now=now, plan=plan)


def inbound_message_process(
    *, inbound_id: int, deliver: bool = True, now: datetime | None = None
) -> str:
    """Run the turn for a stored message (with the rest of its burst) and send the reply.

    Exactly once: the turn, the reply rows and the "processed" mark commit together under the
    customer's row lock, so a redelivered or concurrent task never runs a second turn; it only
    finishes sending what is still pending. Returns the reply group ("" when nothing to send).

    With the LLM on, its work happens outside the lock and within one budget for the turn: slot
    suggestions before, then the committed reply is reworded (``outbound_group_rephrase``) while
    none of its parts has left; any failure sends the deterministic reply.
    """
    now = now or timezone.now()
    window_s = settings.WHATSAPP_BURST_WINDOW_S if deliver else 0.0
    with log_context(channel=CHANNEL):
        answered = _handle(inbound_id=inbound_id, now=now, window_s=window_s, deliver=deliver)
        if answered.group:
            llm_rephrase(answered)
        if answered.group and deliver:
            outbound_group_send(group=answered.group)
    return answered.group


def whatsapp_pending_sweep(*, older_than_s: int = 120, now: datetime | None = None) -> int:
    """Re-enqueue work whose task was lost (broker down at enqueue time): stale pending messages
    and unsent reply parts. Safe to run any time: processing and sends are idempotent."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=older_than_s)
    newest_per_phone: dict[str, int] = {}
    for phone, inbound_id in (
        WhatsAppInbound.objects.filter(status=InStatus.RECEIVED, received_at__lt=cutoff)
        .order_by("received_at", "id")
        .values_list("phone", "pk")
    ):
        newest_per_phone[phone] = inbound_id
    count = 0
    for inbound_id in newest_per_phone.values():
        transaction.on_commit(partial(_enqueue_process, inbound_id, 0.0))
        count += 1
    groups = (
        WhatsAppOutbound.objects.filter(
            status__in=[Status.PENDING, Status.IN_FLIGHT, Status.UNKNOWN],
            created_at__lt=cutoff,
            created_at__gte=now - timedelta(days=1),
        )
        .values_list("group", flat=True)
        .distinct()
    )
    for group in groups:
        outbound_group_schedule(group=group)
        count += 1
    if count:
        logger.warning("whatsapp_sweep_requeued count=%s", count)
    return count


def inbound_message_fail(*, inbound_id: int, reason: str) -> int:
    """Give up on a message that cannot be processed (a bug, retries exhausted).

    The whole batch it belonged to (the customer's pending messages up to it) is marked failed:
    left pending, every later message would be batched with it and fail the same way, silencing
    the customer for good. Staff see them in the admin (status "Error al procesar").
    """
    inbound = WhatsAppInbound.objects.filter(pk=inbound_id).first()
    if inbound is None:
        return 0
    count = WhatsAppInbound.objects.filter(
        phone=inbound.phone, status=InStatus.RECEIVED, received_at__lte=inbound.received_at
    ).update(status=InStatus.FAILED, processed_at=timezone.now())
    if count:
        logger.error(
            "whatsapp_inbound_failed inbound_id=%s messages=%s reason=%s",
            inbound_id,
            count,
            reason[:200],
        )
    return count
