"""The process-memory state store, for throwaway runs (``CONVERSATION_STATE_REPOSITORY=memory``).

``locked()`` holds a per-session mutex until the turn is saved, as the database adapter holds its
row lock: two messages for the same session are processed one after the other.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from conversations.engine.state import ConversationState, state_from_dict, state_to_dict
from conversations.models import Conversation, Message
from conversations.ports import MessageRecord, OpenConversation, Session
from conversations.staff import ClientMessage
from conversations.stores.lifecycle import idle_limit, returning_state


@dataclass
class _MemoryConversation:
    id: int
    channel: str
    external_id: str
    state: dict[str, Any]  # serialised as in the database, so a state that cannot be stored fails
    uses_llm: bool
    status: str = Conversation.Status.ACTIVE
    version: int = 0
    last_message_at: datetime | None = None
    handoff_at: datetime | None = None
    messages: list[MessageRecord] = field(default_factory=list)


class MemoryStateStore:
    """Throwaway runs (CONVERSATION_STATE_REPOSITORY=memory): state lives in this process only.

    It behaves as the database adapter does (same contract suite), except for what needs a
    database row: staff cannot write in these conversations, no lead or satisfaction answer can
    point at them (``Session.row_id`` is None), and the satisfaction question is not asked.
    """

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._open: dict[tuple[str, str], _MemoryConversation] = {}
        self._by_id: dict[int, _MemoryConversation] = {}
        # Re-entrant: ``set_status`` waits for a turn of the session as a row UPDATE would, and
        # the thread holding the turn may call it too.
        self._locks: dict[tuple[str, str], threading.RLock] = {}
        self._guard = threading.Lock()

    def _lock_for(self, key: tuple[str, str]) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(key, threading.RLock())

    def _create(
        self, channel: str, external_id: str, state: ConversationState
    ) -> _MemoryConversation:
        from conversations.wiring import llm_rollout_group

        conv = _MemoryConversation(
            id=next(self._ids),
            channel=channel,
            external_id=external_id,
            state=state_to_dict(state),
            uses_llm=llm_rollout_group(channel=channel, external_id=external_id)[1],
        )
        with self._guard:
            self._open[(channel, external_id)] = conv
            self._by_id[conv.id] = conv
        return conv

    @contextlib.contextmanager
    def locked(self, *, channel: str, external_id: str, now: datetime) -> Iterator[Session]:
        key = (channel, external_id)
        with self._lock_for(key):
            conv = self._open.get(key)
            returning = False
            created = False
            if (
                conv is not None
                and conv.last_message_at
                and now - conv.last_message_at > (idle_limit())
            ):
                conv.status = Conversation.Status.CLOSED
                previous = state_from_dict(conv.state)
                conv = self._create(channel, external_id, returning_state(previous))
                returning = True
            if conv is None:
                conv = self._create(channel, external_id, ConversationState())
                created = True
            yield Session(
                conversation_id=conv.id,
                channel=channel,
                external_id=external_id,
                state=state_from_dict(conv.state),
                status=conv.status,
                version=conv.version,
                returning=returning,
                created=created,
                handoff_at=conv.handoff_at,
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
        conv = self._by_id[session.conversation_id]
        conv.state = state_to_dict(state)
        if status == Conversation.Status.HANDOFF and session.status != status:
            conv.handoff_at = now
        conv.status = status
        conv.version += 1
        conv.last_message_at = now
        conv.messages.extend(messages)

    def set_status(self, *, conversation_id: int, status: str) -> None:
        conv = self._by_id.get(conversation_id)
        if conv is None:
            return
        with self._lock_for((conv.channel, conv.external_id)):
            conv.status = status

    def open_conversation(self, *, channel: str, external_id: str) -> OpenConversation | None:
        conv = self._open.get((channel, external_id))
        if conv is None:
            return None
        return OpenConversation(
            conversation_id=conv.id, state=state_from_dict(conv.state), status=conv.status
        )

    def llm_group(self, *, channel: str, external_id: str, now: datetime) -> bool | None:
        conv = self._open.get((channel, external_id))
        if conv is None:
            return None
        if conv.last_message_at and now - conv.last_message_at > idle_limit():
            return None
        return conv.uses_llm

    def messages(self, *, conversation_id: int) -> list[MessageRecord]:
        conv = self._by_id.get(conversation_id)
        return list(conv.messages) if conv is not None else []

    def reply_rephrased(
        self, *, conversation_id: int, turn_id: str, text: str, understood: dict[str, object]
    ) -> None:
        conv = self._by_id.get(conversation_id)
        if conv is None:
            return
        with self._lock_for((conv.channel, conv.external_id)):
            conv.messages = [
                replace(m, text=text, understood=understood)
                if m.turn_id == turn_id and m.direction == Message.Direction.OUTBOUND
                else m
                for m in conv.messages
            ]

    def staff_messages_since_last_turn(self, session: Session) -> tuple[ClientMessage, ...]:
        return ()  # the staff screens read the database: nobody can write here

    def handoff_answered(self, session: Session) -> bool:
        return False  # as above: no person can answer in this conversation

    def keeps_satisfaction(self) -> bool:
        return False  # an answer belongs to a conversation row

    def satisfaction_record(
        self, session: Session, *, score: int, comment: str, now: datetime
    ) -> None:
        """Never called in practice (``keeps_satisfaction`` is False, so nothing asks): kept
        nowhere, as there is no conversation row for the answer."""
