"""Conversation state stores: PostgreSQL (the truth, optional Redis cache) or process memory.

Both serialise the turns of one session: ``locked()`` holds a row lock (``SELECT … FOR UPDATE``
inside a transaction) or a per-session mutex until the turn is saved, so two messages for the same
session at the same moment are processed one after the other and no update is lost.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F

from conversations.engine.state import ConversationState, Slots, state_from_dict, state_to_dict
from conversations.models import Conversation, Message

logger = logging.getLogger(__name__)


@dataclass
class Session:
    """A locked conversation, as the service sees it during one turn."""

    conversation_id: int
    channel: str
    external_id: str
    state: ConversationState
    status: str
    version: int
    returning: bool = False  # a new conversation after an idle one: greet the customer back
    created: bool = False


@dataclass(frozen=True)
class MessageRecord:
    direction: str
    text: str
    turn_id: str
    step_before: str = ""
    step_after: str = ""
    next_action: str = ""
    understood: dict[str, Any] = field(default_factory=dict)
    latency_ms: float | None = None
    provider_message_id: str = ""


def _idle_limit() -> timedelta:
    return timedelta(hours=settings.CONVERSATION_IDLE_RESET_HOURS)


def _returning_state(previous: ConversationState) -> ConversationState:
    """A fresh flow that keeps what we know about the person (name, phone)."""
    slots = previous.slots
    return ConversationState(slots=Slots(name=slots.name, phone=slots.phone), greeted=True)


class DbStateStore:
    """Conversation rows in the database; the cache (when enabled) only saves reading the state."""

    persistent = True

    def __init__(self, *, use_cache: bool) -> None:
        self.use_cache = use_cache

    @staticmethod
    def _cache_key(conversation_id: int) -> str:
        return f"conv-state:{conversation_id}"

    def _cached_state(self, conversation_id: int, version: int) -> dict[str, Any] | None:
        if not self.use_cache:
            return None
        try:
            cached = cache.get(self._cache_key(conversation_id))
        except Exception:
            logger.warning("state_cache_unavailable op=get", exc_info=True)
            return None
        if cached and cached.get("version") == version:
            return cached["state"]
        return None

    def _cache_put(self, conversation_id: int, version: int, state: dict[str, Any]) -> None:
        if not self.use_cache:
            return
        try:
            cache.set(
                self._cache_key(conversation_id),
                {"version": version, "state": state},
                timeout=settings.STATE_CACHE_TTL_SECONDS,
            )
        except Exception:
            logger.warning("state_cache_unavailable op=set", exc_info=True)

    def _lock_open(self, channel: str, external_id: str) -> Conversation | None:
        return (
            Conversation.objects.select_for_update()
            .defer("state")
            .filter(channel=channel, external_id=external_id, closed_at__isnull=True)
            .first()
        )

    def _create(self, channel: str, external_id: str, state: ConversationState) -> Conversation:
        """Create the open conversation, or lock the one a concurrent turn just created."""
        try:
            with transaction.atomic():
                return Conversation.objects.create(
                    channel=channel, external_id=external_id, state=state_to_dict(state)
                )
        except IntegrityError:
            conv = self._lock_open(channel, external_id)
            if conv is None:  # pragma: no cover - the unique constraint guarantees a row
                raise
            return conv

    @contextlib.contextmanager
    def locked(self, *, channel: str, external_id: str, now: datetime) -> Iterator[Session]:
        with transaction.atomic():
            conv = self._lock_open(channel, external_id)
            returning = False
            created = False
            if (
                conv is not None
                and conv.last_message_at
                and now - conv.last_message_at > (_idle_limit())
            ):
                previous = state_from_dict(self._load_state(conv))
                Conversation.objects.filter(pk=conv.pk).update(
                    closed_at=now, status=Conversation.Status.CLOSED
                )
                conv = self._create(channel, external_id, _returning_state(previous))
                returning = True
            if conv is None:
                conv = self._create(channel, external_id, ConversationState())
                created = True
            state_data = conv.state if "state" in conv.__dict__ else self._load_state(conv)
            yield Session(
                conversation_id=conv.pk,
                channel=channel,
                external_id=external_id,
                state=state_from_dict(state_data),
                status=conv.status,
                version=conv.version,
                returning=returning,
                created=created,
            )

    def _load_state(self, conv: Conversation) -> dict[str, Any]:
        cached = self._cached_state(conv.pk, conv.version)
        if cached is not None:
            return cached
        return Conversation.objects.values_list("state", flat=True).get(pk=conv.pk)

    def save(
        self,
        session: Session,
        *,
        state: ConversationState,
        status: str,
        messages: list[MessageRecord],
        now: datetime,
    ) -> None:
        """Persist the turn. Precondition: called inside ``locked()`` for this session."""
        data = state_to_dict(state)
        fields: dict[str, Any] = {
            "state": data,
            "step": state.step.value,
            "furthest_step": state.furthest_step.value,
            "status": status,
            "version": F("version") + 1,
            "last_message_at": now,
        }
        if status == Conversation.Status.HANDOFF and session.status != status:
            fields["handoff_at"] = now
        Conversation.objects.filter(pk=session.conversation_id).update(**fields)
        Message.objects.bulk_create(
            Message(conversation_id=session.conversation_id, **m.__dict__) for m in messages
        )
        new_version = session.version + 1
        transaction.on_commit(lambda: self._cache_put(session.conversation_id, new_version, data))

    def set_status(self, *, conversation_id: int, status: str) -> None:
        Conversation.objects.filter(pk=conversation_id).update(status=status)


@dataclass
class _MemoryConversation:
    id: int
    state: dict[str, Any]
    status: str = Conversation.Status.ACTIVE
    version: int = 0
    last_message_at: datetime | None = None
    messages: list[MessageRecord] = field(default_factory=list)


class MemoryStateStore:
    """Throwaway runs (CONVERSATION_STATE_REPOSITORY=memory): state lives in this process only."""

    persistent = False

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._conversations: dict[tuple[str, str], _MemoryConversation] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock_for(self, key: tuple[str, str]) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    @contextlib.contextmanager
    def locked(self, *, channel: str, external_id: str, now: datetime) -> Iterator[Session]:
        key = (channel, external_id)
        with self._lock_for(key):
            conv = self._conversations.get(key)
            returning = False
            created = conv is None
            if (
                conv is not None
                and conv.last_message_at
                and now - conv.last_message_at > (_idle_limit())
            ):
                previous = state_from_dict(conv.state)
                conv = None
                returning = True
            if conv is None:
                state = _returning_state(previous) if returning else ConversationState()
                conv = _MemoryConversation(id=next(self._ids), state=state_to_dict(state))
                self._conversations[key] = conv
            yield Session(
                conversation_id=conv.id,
                channel=channel,
                external_id=external_id,
                state=state_from_dict(conv.state),
                status=conv.status,
                version=conv.version,
                returning=returning,
                created=created,
            )

    def save(
        self,
        session: Session,
        *,
        state: ConversationState,
        status: str,
        messages: list[MessageRecord],
        now: datetime,
    ) -> None:
        conv = self._conversations[(session.channel, session.external_id)]
        conv.state = state_to_dict(state)
        conv.status = status
        conv.version += 1
        conv.last_message_at = now
        conv.messages.extend(messages)

    def set_status(self, *, conversation_id: int, status: str) -> None:
        for conv in self._conversations.values():
            if conv.id == conversation_id:
                conv.status = status
