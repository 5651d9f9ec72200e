"""The conversation state store port: where a session's conversation, state and message log live.

``CONVERSATION_STATE_REPOSITORY`` picks the adapter once per process (``conversations.wiring``):
``DbStateStore`` (PostgreSQL, the default; ``STATE_CACHE=redis`` adds a cache-aside of the state
inside it) or ``MemoryStateStore`` (throwaway runs: this process only). The turn service sees only
this Protocol and never asks which adapter it has: what differs between them (a staff message, a
satisfaction answer, a lead pointing at the conversation need a database row) is answered by the
adapter. Both adapters pass the same contract suite (``tests/contract/test_state_store.py``).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from conversations.engine.state import ConversationState

if TYPE_CHECKING:
    from conversations.staff import ClientMessage


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
    # When a person last took the conversation (None: never): staff messages may be waiting.
    handoff_at: datetime | None = None
    # The id other tables may refer to (a lead's conversation); None when the conversation lives
    # only in this process and no row exists to point at.
    row_id: int | None = None


@dataclass(frozen=True)
class MessageRecord:
    """One entry of the message log (``direction``: in, out or staff)."""

    direction: str
    text: str
    turn_id: str
    step_before: str = ""
    step_after: str = ""
    next_action: str = ""
    understood: dict[str, object] = field(default_factory=dict)
    latency_ms: float | None = None
    provider_message_id: str = ""


@dataclass(frozen=True)
class OpenConversation:
    """An unlocked snapshot of a session's open conversation (may be stale by the time it is
    used: callers only use it to guess, the locked turn decides)."""

    conversation_id: int
    state: ConversationState
    status: str


class StateStore(Protocol):
    """Conversation state and message log. Turns of one session are serialised by ``locked``."""

    def locked(
        self, *, channel: str, external_id: str, now: datetime
    ) -> AbstractContextManager[Session]:
        """Lock the session's open conversation until the block ends, creating it when there is
        none, or a fresh one (``returning``, keeping name and phone) when the open one has been
        idle longer than ``CONVERSATION_IDLE_RESET_HOURS``."""
        ...

    def save(
        self,
        session: Session,
        *,
        state: ConversationState,
        status: str,
        messages: list[MessageRecord],
        now: datetime,
    ) -> None:
        """Store the turn: state, status, version + 1, last message time and the messages.
        Entering ``handoff`` records ``handoff_at``. Precondition: inside ``locked()``."""
        ...

    def set_status(self, *, conversation_id: int, status: str) -> None:
        """Change the status outside a turn (staff hand the conversation back to the bot)."""
        ...

    def open_conversation(self, *, channel: str, external_id: str) -> OpenConversation | None:
        """The session's open conversation without locking it (None: no conversation yet)."""
        ...

    def llm_group(self, *, channel: str, external_id: str, now: datetime) -> bool | None:
        """Whether the open conversation uses the model (its rollout group, recorded when it was
        created); None when there is none or the next message at ``now`` starts a new one."""
        ...

    def messages(self, *, conversation_id: int) -> list[MessageRecord]:
        """The conversation's message log, oldest first."""
        ...

    def reply_rephrased(
        self, *, conversation_id: int, turn_id: str, text: str, understood: dict[str, object]
    ) -> None:
        """Replace the stored reply of a committed turn with the text actually sent."""
        ...

    def staff_messages_since_last_turn(self, session: Session) -> tuple[ClientMessage, ...]:
        """Staff messages and notices since the customer's previous message (none where staff
        cannot write: the staff screens read the database)."""
        ...

    def handoff_answered(self, session: Session) -> bool:
        """Whether a person has written in the conversation since its current handoff."""
        ...

    def keeps_satisfaction(self) -> bool:
        """Whether satisfaction answers can be stored (they belong to a conversation row): the
        question is asked only then."""
        ...

    def satisfaction_record(
        self, session: Session, *, score: int, comment: str, now: datetime
    ) -> None:
        """Store the customer's satisfaction answer (one per conversation). Precondition: inside
        ``locked()``."""
        ...
