"""What both state stores share about a session's life: when an idle conversation is over, and
what a returning customer's new conversation starts from."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from conversations.engine.state import ConversationState, Slots


def idle_limit() -> timedelta:
    """Silence after which the next message starts a new conversation."""
    return timedelta(hours=settings.CONVERSATION_IDLE_RESET_HOURS)


def returning_state(previous: ConversationState) -> ConversationState:
    """A fresh flow that keeps what we know about the person (name, phone)."""
    slots = previous.slots
    return ConversationState(slots=Slots(name=slots.name, phone=slots.phone), greeted=True)
