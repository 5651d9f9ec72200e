"""Human handoff on the conversation's own log: staff messages, notices, return to the bot.

Services (writes) and selectors (reads) for what happens outside a customer's turn. Every channel
keeps these rows in ``conversations.Message``: ``staff`` (a salesperson wrote, with the author)
and ``notice`` (the customer was told something: back to the bot, the wait for an advisor).
The web chat and ``/chat`` clients read them from here; WhatsApp also sends them through Twilio
(``channels.services.staff``), which calls these same services for the log.

Row locks: each write locks the conversation row, as a customer's turn does, so a staff message
and a turn of the same conversation never interleave.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from conversations.engine import replies_handoff
from conversations.models import Conversation, Message
from kavak.business_hours import business_hours, when_label
from kavak.exceptions import ApplicationError
from leads.models import Lead

logger = logging.getLogger(__name__)

STAFF_TEXT_MAX_CHARS = 4000
CLIENT_DIRECTIONS = (Message.Direction.STAFF, Message.Direction.NOTICE)


@dataclass(frozen=True)
class ClientMessage:
    """A message the customer's client shows outside a turn's reply (``staff_messages``)."""

    id: int
    kind: str  # "staff" (a person wrote) or "notice" (back to the bot, the wait for an advisor)
    author: str | None  # the staff member's first name; None for notices without one
    text: str
    at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "author": self.author,
            "text": self.text,
            "at": self.at.isoformat(),
        }


def staff_first_name(user: Any) -> str:
    """What the customer sees of a staff member: the first name (the username as a fallback)."""
    if user is None:
        return ""
    return (user.first_name or "").strip().split(" ")[0] or user.get_username()


def _client_message(message: Message) -> ClientMessage:
    author = staff_first_name(message.author) if message.author_id else None
    return ClientMessage(
        id=message.pk,
        kind=message.direction,
        author=author or None,
        text=message.text,
        at=message.created_at,
    )


# --- Selectors ------------------------------------------------------------------------------------
def conversation_open_get(*, channel: str, external_id: str) -> Conversation | None:
    """The open conversation of a session (None when it never wrote or was closed)."""
    return (
        Conversation.objects.filter(
            channel=channel, external_id=external_id, closed_at__isnull=True
        )
        .order_by("-pk")
        .first()
    )


def conversation_client_messages(
    *, conversation_id: int, after: int = 0, limit: int = 100
) -> list[ClientMessage]:
    """Staff messages and notices of a conversation with an id above ``after`` (oldest first).

    ``after`` is the last id the client has seen: ids grow with every message, so a client that
    passes back the last one it got never receives a message twice.
    """
    rows = (
        Message.objects.filter(
            conversation_id=conversation_id, direction__in=CLIENT_DIRECTIONS, pk__gt=after
        )
        .select_related("author")
        .order_by("pk")[:limit]
    )
    return [_client_message(m) for m in rows]


def conversation_staff_messages_since_last_turn(*, conversation_id: int) -> list[ClientMessage]:
    """What arrived since the customer's last message: for the reply of the turn being handled.

    Precondition: called during a turn, before its own inbound message is stored.
    """
    last_inbound = Message.objects.filter(
        conversation_id=conversation_id, direction=Message.Direction.INBOUND
    ).aggregate(last=Max("pk"))["last"]
    return conversation_client_messages(conversation_id=conversation_id, after=last_inbound or 0)


def conversation_history(*, conversation_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """The conversation as the customer saw it, oldest first (web chat after a reload)."""
    rows = list(
        Message.objects.filter(conversation_id=conversation_id)
        .exclude(direction=Message.Direction.OUTBOUND, text="")
        .select_related("author")
        .order_by("-created_at", "-pk")[:limit]
    )
    rows.reverse()
    return [
        {
            "id": m.pk,
            "kind": m.direction,
            "author": (staff_first_name(m.author) or None) if m.author_id else None,
            "text": m.text,
            "at": m.created_at.isoformat(),
        }
        for m in rows
    ]


def handoff_answered_q(prefix: str = "") -> Q:
    """Filter for conversations a person already answered in their current handoff."""
    staff = Message.objects.filter(
        conversation=OuterRef(f"{prefix}pk"),
        direction=Message.Direction.STAFF,
        created_at__gte=OuterRef(f"{prefix}handoff_at"),
    )
    return Q(Exists(staff))


def handoff_overdue_before(*, now: datetime) -> datetime:
    """Handoffs that started at or before this instant have waited ``HANDOFF_SLA_MINUTES`` of
    business time by ``now``."""
    from django.conf import settings

    return business_hours().minutes_before(now, settings.HANDOFF_SLA_MINUTES)


def handoff_waiting_queryset(*, now: datetime) -> QuerySet[Conversation]:
    """Conversations waiting for a person past the SLA: in handoff, nobody answered since it
    started, and ``HANDOFF_SLA_MINUTES`` of business time went by."""
    return (
        Conversation.objects.filter(
            status=Conversation.Status.HANDOFF,
            closed_at__isnull=True,
            handoff_at__lte=handoff_overdue_before(now=now),
        )
        .exclude(handoff_answered_q())
        .order_by("handoff_at")
    )


def handoff_answered(*, conversation_id: int, handoff_at: datetime | None) -> bool:
    """Whether a salesperson wrote since the handoff (the store's check and the shell's)."""
    if handoff_at is None:
        return False
    return Message.objects.filter(
        conversation_id=conversation_id,
        direction=Message.Direction.STAFF,
        created_at__gte=handoff_at,
    ).exists()


# --- Services -------------------------------------------------------------------------------------
def _locked(conversation_id: int) -> Conversation:
    conversation = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
    if conversation is None:
        raise ApplicationError("La conversación no existe.")
    return conversation


def _log(conversation: Conversation, *, direction: str, text: str, author: Any) -> Message:
    return Message.objects.create(
        conversation=conversation,
        direction=direction,
        text=text,
        author=author,
        turn_id=uuid.uuid4().hex,
        step_before=conversation.step,
        step_after=conversation.step,
    )


def staff_text_validate(text: str) -> str:
    body = (text or "").strip()
    if not body:
        raise ApplicationError("Escribe el mensaje para el cliente.")
    if len(body) > STAFF_TEXT_MAX_CHARS:
        raise ApplicationError(
            f"El mensaje es demasiado largo (máximo {STAFF_TEXT_MAX_CHARS} caracteres)."
        )
    return body


def conversation_staff_message_log(
    *, conversation_id: int, author: Any, text: str, now: datetime | None = None
) -> Message:
    """Record a staff member's message to the customer and keep the bot paused.

    A person writing takes the conversation: the bot pauses (a new handoff starts if it was
    answering), so it never talks over the salesperson. The customer's client reads the row
    (web chat polling, ``/chat`` ``staff_messages``, ``GET /chat/{session_id}/messages``);
    WhatsApp sends it too (``channels.services.staff``).
    """
    body = staff_text_validate(text)
    now = now or timezone.now()
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if conversation.closed_at is not None:
            raise ApplicationError(
                "La conversación ya se cerró (el cliente volvió a escribir después de 24 h): "
                "responde en la más reciente."
            )
        fields = ["last_message_at", "updated_at"]
        if conversation.status != Conversation.Status.HANDOFF:
            conversation.status = Conversation.Status.HANDOFF
            conversation.handoff_at = now
            fields += ["status", "handoff_at"]
        conversation.last_message_at = now
        conversation.save(update_fields=fields)
        message = _log(conversation, direction=Message.Direction.STAFF, text=body, author=author)
    logger.info(
        "staff_message conversation_id=%s channel=%s user_id=%s",
        conversation_id,
        conversation.channel,
        getattr(author, "pk", None),
    )
    return message


def conversation_staff_reply(
    *, conversation_id: int, author: Any, text: str, now: datetime | None = None
) -> Message:
    """A salesperson answers a web chat or API customer from the back office."""
    conversation = Conversation.objects.filter(pk=conversation_id).only("channel").first()
    if conversation is None:
        raise ApplicationError("La conversación no existe.")
    if conversation.channel == Conversation.Channel.WHATSAPP:
        raise ApplicationError("Las conversaciones de WhatsApp se responden por WhatsApp.")
    return conversation_staff_message_log(
        conversation_id=conversation_id, author=author, text=text, now=now
    )


def conversation_release(
    *, conversation_id: int, author: Any = None, now: datetime | None = None
) -> Message | None:
    """Return a handed-off conversation to the bot and tell the customer (a notice row).

    Returns the notice, or None when the bot already had the conversation (nothing to say).
    """
    now = now or timezone.now()
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if conversation.status != Conversation.Status.HANDOFF:
            return None
        conversation.status = Conversation.Status.ACTIVE
        conversation.save(update_fields=["status", "updated_at"])
        notice = _log(
            conversation,
            direction=Message.Direction.NOTICE,
            text=replies_handoff.back_to_bot(staff_first_name(author) or None),
            author=author,
        )
    logger.info("conversation_returned_to_bot conversation_id=%s", conversation_id)
    return notice


def handoff_delay_text(*, now: datetime) -> str:
    """What the customer is told when nobody could answer: when advisors will be there."""
    hours = business_hours()
    closes = hours.closes_at(now)
    if closes is not None:
        local = closes.astimezone(hours.tz)
        return replies_handoff.handoff_delayed(
            open_until=f"{local.hour}:{local.minute:02d}", next_open="", hours=hours.describe()
        )
    return replies_handoff.handoff_delayed(
        open_until=None,
        next_open=when_label(hours.next_open(now), now=now, tz=hours.tz),
        hours=hours.describe(),
    )


def handoff_notice_due(*, conversation: Conversation, now: datetime) -> bool:
    """A handoff gets its one honest message when nobody answered within the SLA, or at once
    when it started outside business hours (nobody will answer before the next opening)."""
    if conversation.status != Conversation.Status.HANDOFF or conversation.handoff_at is None:
        return False
    notified = conversation.handoff_sla_notified_at
    if notified is not None and notified >= conversation.handoff_at:
        return False
    if handoff_answered(conversation_id=conversation.pk, handoff_at=conversation.handoff_at):
        return False
    hours = business_hours()
    if not hours.is_open(now):
        return True
    return conversation.handoff_at <= handoff_overdue_before(now=now)


def conversation_handoff_notice(
    *, conversation_id: int, now: datetime | None = None
) -> Message | None:
    """Log the handoff's one honest notice when it is due (idempotent: at most one per handoff).

    Returns the new notice row, or None when none is due or it was already given.
    """
    now = now or timezone.now()
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if not handoff_notice_due(conversation=conversation, now=now):
            return None
        conversation.handoff_sla_notified_at = now
        conversation.save(update_fields=["handoff_sla_notified_at", "updated_at"])
        notice = _log(
            conversation,
            direction=Message.Direction.NOTICE,
            text=handoff_delay_text(now=now),
            author=None,
        )
    logger.info("handoff_delay_notice conversation_id=%s", conversation_id)
    return notice


def handoff_notice_candidates(*, now: datetime) -> list[int]:
    """Conversations that may need the notice (the service decides under the row lock)."""
    candidates = Conversation.objects.filter(
        status=Conversation.Status.HANDOFF, closed_at__isnull=True, handoff_at__isnull=False
    ).filter(
        Q(handoff_sla_notified_at__isnull=True) | Q(handoff_sla_notified_at__lt=F("handoff_at"))
    )
    if business_hours().is_open(now):
        candidates = candidates.filter(handoff_at__lte=handoff_overdue_before(now=now))
    return list(candidates.exclude(handoff_answered_q()).values_list("pk", flat=True)[:500])


def conversation_client_feed(
    *, channel: str, external_id: str, after: int = 0, now: datetime | None = None
) -> tuple[Conversation, list[ClientMessage]] | None:
    """What a customer's client polls for: staff messages and notices newer than ``after``.

    While a person has the conversation, a poll also gives the handoff its one honest notice
    when it is due (so it arrives without Celery beat too). None: no open conversation.
    """
    conversation = conversation_open_get(channel=channel, external_id=external_id)
    if conversation is None:
        return None
    if conversation.status == Conversation.Status.HANDOFF and handoff_notice_due(
        conversation=conversation, now=now or timezone.now()
    ):
        conversation_handoff_notice(conversation_id=conversation.pk, now=now)
        conversation.refresh_from_db(fields=["status", "handoff_sla_notified_at"])
    return conversation, conversation_client_messages(conversation_id=conversation.pk, after=after)


# --- Who may read which conversation ------------------------------------------------------------
def conversation_visible_queryset(*, user: Any) -> QuerySet[Conversation]:
    """Conversations a staff member may read: all with ``leads.view_all_leads``; otherwise only
    the conversations behind the leads assigned to them (a salesperson never browses strangers)."""
    conversations = Conversation.objects.all()
    if user.has_perm("leads.view_all_leads"):
        return conversations
    if user.has_perm("conversations.view_conversation"):
        return conversations.filter(
            pk__in=Lead.objects.filter(assigned_to=user, conversation__isnull=False).values(
                "conversation_id"
            )
        )
    return conversations.none()
