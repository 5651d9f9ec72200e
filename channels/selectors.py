"""Reads for the WhatsApp channel: pause state, the 24-hour window and the staff transcript."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from channels import replies
from channels.messages import Media
from channels.models import WhatsAppContact, WhatsAppInbound, WhatsAppOutbound
from conversations.models import Conversation, Message

# WhatsApp lets a business send free-form messages only within 24 h of the customer's last message.
SESSION_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Window:
    open: bool
    closes_at: datetime | None


def whatsapp_conversation_paused(*, phone: str) -> bool:
    """True when the customer's open WhatsApp conversation is with a human (the bot is silent)."""
    return Conversation.objects.filter(
        channel=Conversation.Channel.WHATSAPP,
        external_id=phone,
        closed_at__isnull=True,
        status=Conversation.Status.HANDOFF,
    ).exists()


def whatsapp_last_inbound_at(*, phone: str) -> datetime | None:
    """When the customer last wrote (any message: throttled and opted-out ones count too)."""
    return (
        WhatsAppInbound.objects.filter(phone=phone)
        .order_by("-received_at")
        .values_list("received_at", flat=True)
        .first()
    )


def window_from(last_inbound_at: datetime | None, *, now: datetime) -> Window:
    if last_inbound_at is None:
        return Window(open=False, closes_at=None)
    closes_at = last_inbound_at + SESSION_WINDOW
    return Window(open=now < closes_at, closes_at=closes_at)


def whatsapp_window(*, phone: str, now: datetime) -> Window:
    """The customer service window: free-form messages only within 24 h of the customer's last
    message; outside it WhatsApp accepts approved templates only."""
    return window_from(whatsapp_last_inbound_at(phone=phone), now=now)


def whatsapp_contact_opted_out(*, phone: str) -> bool:
    return WhatsAppContact.objects.filter(phone=phone, opted_out_at__isnull=False).exists()


def whatsapp_inbound_heard(message: WhatsAppInbound) -> str:
    """What the customer said in one message, for the agent: the written text and what a voice
    note said (when it was transcribed); "" when neither."""
    parts = [message.body.strip(), message.transcription.strip()]
    return "\n".join(p for p in parts if p)


def whatsapp_inbound_text(message: WhatsAppInbound) -> str:
    """One message as staff read it in the transcript: the text, a transcribed voice note marked
    as such, and a placeholder with the stored reference for anything else (an image, a document,
    a voice note we could not transcribe, a location)."""
    parts = []
    if message.kind == WhatsAppInbound.Kind.LOCATION:
        loc = message.location
        detail = (
            loc.get("label")
            or loc.get("address")
            or f"{loc.get('latitude')},{loc.get('longitude')}"
        )
        parts.append(replies.placeholder(kind="location", detail=detail))
    transcribed = bool(message.transcription.strip())
    for media in message.media:
        kind = Media(url=media.get("url", ""), content_type=media.get("content_type", "")).kind
        if kind == "audio" and transcribed:
            parts.append(replies.voice_note_transcript(message.transcription.strip()))
            transcribed = False  # one transcription per message (WhatsApp sends one file each)
            continue
        parts.append(replies.placeholder(kind=kind, detail=media.get("url", "")))
    if message.body.strip():
        parts.append(message.body.strip())
    return " ".join(parts) or replies.placeholder(kind="empty")


@dataclass(frozen=True)
class TranscriptLine:
    at: datetime
    who: str  # "Cliente" | "Agente" | "Asesor" | "Canal"
    text: str
    delivery: str = ""  # e.g. "Entregado", "Leído", "Fallido (63016)"


def _delivery_label(rows: list[WhatsAppOutbound]) -> str:
    labels = []
    for row in rows:
        label = row.get_status_display()
        if row.error_code and row.status in ("failed", "undelivered"):
            label += f" ({row.error_code})"
        labels.append(label)
    if len(labels) > 1:
        return " · ".join(f"{i}/{len(labels)} {label}" for i, label in enumerate(labels, 1))
    return labels[0] if labels else ""


def whatsapp_transcript(*, conversation: Conversation) -> list[TranscriptLine]:
    """The conversation log plus what only the channel saw (notices, media, throttled messages),
    with the delivery status of every message we sent."""
    phone = conversation.external_id
    outbound = list(
        WhatsAppOutbound.objects.filter(to_phone=phone, created_at__gte=conversation.started_at)
        .filter(Q(conversation=conversation) | Q(conversation__isnull=True))
        .order_by("created_at", "seq")
    )
    by_turn: dict[str, list[WhatsAppOutbound]] = {}
    for row in outbound:
        if row.turn_id:
            by_turn.setdefault(row.turn_id, []).append(row)
    lines: list[TranscriptLine] = []
    who = {"in": "Cliente", "out": "Agente", "staff": "Asesor", "notice": "Aviso"}
    messages = Message.objects.filter(conversation=conversation).select_related("author")
    for message in messages.order_by("created_at", "id"):
        delivery = ""
        if message.direction != Message.Direction.INBOUND:
            delivery = _delivery_label(by_turn.get(message.turn_id, []))
        lines.append(
            TranscriptLine(
                at=message.created_at,
                who=(
                    f"Asesor · {message.author.get_full_name() or message.author.get_username()}"
                    if message.direction == "staff" and message.author_id and message.author
                    else who.get(message.direction, message.direction)
                ),
                text=message.text,
                delivery=delivery,
            )
        )
    for row in outbound:
        if not row.turn_id:
            lines.append(
                TranscriptLine(
                    at=row.created_at,
                    who="Canal",
                    text=row.body or f"[plantilla {row.content_sid}]",
                    delivery=_delivery_label([row]),
                )
            )
    for inbound in WhatsAppInbound.objects.filter(
        phone=phone, received_at__gte=conversation.started_at, turn_id=""
    ).exclude(status=WhatsAppInbound.Status.RECEIVED):
        lines.append(
            TranscriptLine(
                at=inbound.received_at,
                who="Cliente",
                text=whatsapp_inbound_text(inbound),
                delivery=inbound.get_status_display(),
            )
        )
    lines.sort(key=lambda line: line.at)
    return lines
