"""Human handoff on every channel: the back office's entry points (top layer).

The conversation's log is the same on every channel (``conversations.staff``); WhatsApp also
needs Twilio (``channels.services.staff``). These services pick the channel so that the admin,
the tasks and the tests call one function per operation:

- ``handoff_staff_reply``: a salesperson answers the customer (web chat, API or WhatsApp);
- ``handoff_return_to_bot``: the bot takes the conversation back and the customer is told;
- ``handoff_sla_sweep``: the one honest message of a handoff nobody answered in time.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.utils import timezone

from conversations.models import Conversation, Message
from conversations.satisfaction import satisfaction_ask_after_handoff
from conversations.staff import (
    conversation_handoff_notice,
    conversation_release,
    conversation_staff_reply,
    handoff_notice_candidates,
)
from kavak.exceptions import ApplicationError

logger = logging.getLogger(__name__)


def _channel(conversation_id: int) -> str:
    channel = Conversation.objects.filter(pk=conversation_id).values_list("channel", flat=True)
    found = channel.first()
    if found is None:
        raise ApplicationError("La conversación no existe.")
    return found


def handoff_staff_reply(*, conversation_id: int, user: Any, text: str) -> None:
    """A salesperson writes to the customer from the back office, on the conversation's channel.

    WhatsApp: free text within the 24-hour window (``staff_reply_send``); web chat and API: a
    staff row the customer's client reads. Either way the bot stays paused.
    """
    if _channel(conversation_id) == Conversation.Channel.WHATSAPP:
        from channels.services import staff_reply_send

        staff_reply_send(conversation_id=conversation_id, user_id=user.pk, text=text)
        return
    conversation_staff_reply(conversation_id=conversation_id, author=user, text=text)


def handoff_return_to_bot(*, conversation_id: int, user: Any = None) -> bool:
    """Give the conversation back to the bot and tell the customer; False when it already had it."""
    if _channel(conversation_id) == Conversation.Channel.WHATSAPP:
        from channels.services import whatsapp_conversation_return_to_bot

        before = Conversation.objects.filter(pk=conversation_id).values_list("status", flat=True)
        was_paused = before.first() == Conversation.Status.HANDOFF
        whatsapp_conversation_return_to_bot(conversation_id=conversation_id, user=user)
        return was_paused
    if conversation_release(conversation_id=conversation_id, author=user) is None:
        return False
    # The handoff is closed: the one satisfaction question, as a notice the client shows.
    satisfaction_ask_after_handoff(conversation_id=conversation_id)
    return True


def _deliver(notice: Message) -> None:
    if notice.conversation.channel == Conversation.Channel.WHATSAPP:
        from channels.services import whatsapp_notice_send

        whatsapp_notice_send(notice=notice)


def handoff_notice_check(*, conversation_id: int, now: datetime | None = None) -> Message | None:
    """Give one conversation its handoff notice if due (also called when the web chat polls, so
    it works without Celery beat in ``make run``)."""
    notice = conversation_handoff_notice(conversation_id=conversation_id, now=now)
    if notice is not None:
        _deliver(notice)
    return notice


def handoff_sla_sweep(*, now: datetime | None = None) -> int:
    """Every handoff nobody answered within ``HANDOFF_SLA_MINUTES`` of business time (or that
    started outside business hours) gets its one honest message. Returns how many were sent.

    Idempotent: each conversation's notice is claimed under its row lock, once per handoff.
    """
    now = now or timezone.now()
    sent = 0
    for conversation_id in handoff_notice_candidates(now=now):
        if handoff_notice_check(conversation_id=conversation_id, now=now) is not None:
            sent += 1
    if sent:
        logger.info("handoff_sla_sweep notices=%s", sent)
    return sent
