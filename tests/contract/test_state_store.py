"""The state store port (``conversations.ports.StateStore``): one suite, every adapter.

Each test runs against the memory adapter, the database adapter and the database adapter with
its Redis cache-aside (``STATE_CACHE=redis``), on the real PostgreSQL and Redis of the test
settings. On-commit work (the cache write) runs as it would after a real commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from conversations.engine.state import ConversationState, Step
from conversations.models import Conversation, SatisfactionAnswer
from conversations.ports import MessageRecord, Session, StateStore
from conversations.stores import DbStateStore, MemoryStateStore
from conversations.wiring import llm_rollout_group
from tests.support.concurrency import run_at_once

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
ACTIVE = Conversation.Status.ACTIVE
HANDOFF = Conversation.Status.HANDOFF

ADAPTERS: dict[str, Callable[[], StateStore]] = {
    "memory": MemoryStateStore,
    "db": lambda: DbStateStore(use_cache=False),
    "db-redis-cache": lambda: DbStateStore(use_cache=True),
}


@pytest.fixture(params=list(ADAPTERS))
def store(request: pytest.FixtureRequest) -> StateStore:
    return ADAPTERS[request.param]()


@pytest.fixture
def run_turn(
    store: StateStore, django_capture_on_commit_callbacks: Callable[..., object]
) -> Callable[..., Session]:
    """One turn: lock the session, let ``change`` pick the new state and status, save.

    Returns the session the turn saw. The turn's on-commit work runs when it ends, as after a
    commit (the test's own transaction never commits).
    """

    def run(
        *,
        session: str = "s1",
        channel: str = "api",
        now: datetime = NOW,
        change: Callable[[ConversationState], ConversationState] = lambda s: s,
        status: str | None = None,
        text: str = "hola",
        turn_id: str = "t1",
    ) -> Session:
        with (
            django_capture_on_commit_callbacks(execute=True),  # type: ignore[operator]
            store.locked(channel=channel, external_id=session, now=now) as seen,
        ):
            store.save(
                seen,
                state=change(seen.state),
                status=status or seen.status,
                messages=_messages(text, turn_id),
                now=now,
            )
        return seen

    return run


def _messages(text: str, turn_id: str) -> list[MessageRecord]:
    return [
        MessageRecord(direction="in", text=text, turn_id=turn_id, understood={"intent": "x"}),
        MessageRecord(direction="out", text=f"respuesta a {text}", turn_id=turn_id, latency_ms=1.5),
    ]


Change = Callable[[ConversationState], ConversationState]


def _named(name: str, phone: str = "+525512345678") -> Change:
    def change(state: ConversationState) -> ConversationState:
        slots = replace(state.slots, name=name, phone=phone, model="Versa")
        return replace(state, slots=slots, step=Step.BUDGET, furthest_step=Step.BUDGET)

    return change


def _later(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


def test_first_message_creates_a_conversation_and_the_next_one_finds_it(
    store: StateStore, run_turn: Callable[..., Session]
) -> None:
    first = run_turn(change=_named("Ana"))
    assert first.created
    assert not first.returning
    assert (first.version, first.status, first.handoff_at) == (0, ACTIVE, None)
    assert first.state == ConversationState()
    assert first.row_id in (None, first.conversation_id)
    second = run_turn(turn_id="t2", now=_later(1))
    assert not second.created
    assert not second.returning
    assert second.conversation_id == first.conversation_id
    assert second.version == 1
    assert second.state.slots.name == "Ana"
    assert second.state.slots.model == "Versa"
    assert second.state.step == Step.BUDGET


def test_every_channel_and_session_has_its_own_conversation(
    run_turn: Callable[..., Session],
) -> None:
    ids = {
        run_turn(session="a").conversation_id,
        run_turn(session="b").conversation_id,
        run_turn(session="a", channel="whatsapp").conversation_id,
    }
    assert len(ids) == 3
    assert run_turn(session="a", now=_later(1)).version == 1


def test_the_message_log_keeps_every_turn_in_order(
    store: StateStore, run_turn: Callable[..., Session]
) -> None:
    conversation_id = run_turn(text="hola").conversation_id
    run_turn(text="busco un Versa", turn_id="t2", now=_later(1))
    log = store.messages(conversation_id=conversation_id)
    assert [(m.direction, m.text, m.turn_id) for m in log] == [
        ("in", "hola", "t1"),
        ("out", "respuesta a hola", "t1"),
        ("in", "busco un Versa", "t2"),
        ("out", "respuesta a busco un Versa", "t2"),
    ]
    assert log[0].understood == {"intent": "x"}
    assert log[1].latency_ms == 1.5
    assert store.messages(conversation_id=conversation_id + 1000) == []


def test_an_idle_conversation_starts_again_keeping_name_and_phone(
    store: StateStore, run_turn: Callable[..., Session]
) -> None:
    first = run_turn(change=_named("Ana"))
    idle = settings.CONVERSATION_IDLE_RESET_HOURS
    assert not run_turn(now=_later(idle - 0.5), turn_id="t2").returning
    again = run_turn(now=_later(2 * idle), turn_id="t3")
    assert again.returning
    assert not again.created
    assert again.conversation_id != first.conversation_id
    assert again.version == 0
    assert again.state.greeted
    assert (again.state.slots.name, again.state.slots.phone) == ("Ana", "+525512345678")
    assert again.state.slots.model is None
    assert again.state.step == Step.NEED
    # The old conversation keeps its log; the new one starts with this turn's messages.
    assert len(store.messages(conversation_id=first.conversation_id)) == 4
    assert len(store.messages(conversation_id=again.conversation_id)) == 2


def test_a_handoff_is_dated_and_staff_hand_the_conversation_back(
    store: StateStore, run_turn: Callable[..., Session]
) -> None:
    first = run_turn(status=HANDOFF)
    paused = run_turn(now=_later(1), turn_id="t2")
    assert paused.status == HANDOFF
    assert paused.handoff_at == NOW
    assert store.staff_messages_since_last_turn(paused) == ()
    assert store.handoff_answered(paused) is False
    store.set_status(conversation_id=first.conversation_id, status=ACTIVE)
    back = run_turn(now=_later(2), turn_id="t3")
    assert back.status == ACTIVE
    assert back.handoff_at == NOW  # the last time a person took it
    assert back.version == 2


def test_the_open_conversation_can_be_read_without_the_lock(
    store: StateStore, run_turn: Callable[..., Session]
) -> None:
    assert store.open_conversation(channel="api", external_id="s1") is None
    first = run_turn(change=_named("Ana"), status=HANDOFF)
    current = store.open_conversation(channel="api", external_id="s1")
    assert current is not None
    assert current.conversation_id == first.conversation_id
    assert current.status == HANDOFF
    assert current.state.slots.name == "Ana"
    assert store.open_conversation(channel="whatsapp", external_id="s1") is None


def test_the_llm_group_is_the_one_recorded_when_the_conversation_started(
    store: StateStore, run_turn: Callable[..., Session]
) -> None:
    assert store.llm_group(channel="api", external_id="s1", now=NOW) is None
    run_turn()
    expected = llm_rollout_group(channel="api", external_id="s1")[1]
    assert store.llm_group(channel="api", external_id="s1", now=_later(1)) is expected
    # Idle long enough that the next message starts a new conversation: no group yet.
    later = _later(2 * settings.CONVERSATION_IDLE_RESET_HOURS)
    assert store.llm_group(channel="api", external_id="s1", now=later) is None


def test_a_rephrased_reply_replaces_only_that_turns_reply(
    store: StateStore, run_turn: Callable[..., Session]
) -> None:
    conversation_id = run_turn(text="hola").conversation_id
    run_turn(text="¿tienen garantía?", turn_id="t2", now=_later(1))
    understood: dict[str, object] = {"llm": "faq", "deterministic": "respuesta a hola"}
    store.reply_rephrased(
        conversation_id=conversation_id,
        turn_id="t1",
        text="¡Hola! ¿Qué buscas?",
        understood=understood,
    )
    log = store.messages(conversation_id=conversation_id)
    assert [m.text for m in log] == [
        "hola",
        "¡Hola! ¿Qué buscas?",
        "¿tienen garantía?",
        "respuesta a ¿tienen garantía?",
    ]
    assert log[1].understood == understood
    assert log[0].understood == {"intent": "x"}


def test_a_satisfaction_answer_is_kept_exactly_when_the_store_says_it_keeps_them(
    store: StateStore,
) -> None:
    with store.locked(channel="api", external_id="s1", now=NOW) as session:
        store.satisfaction_record(session, score=5, comment="muy bien", now=NOW)
        store.save(session, state=session.state, status=ACTIVE, messages=[], now=NOW)
    kept = SatisfactionAnswer.objects.filter(conversation_id=session.conversation_id)
    assert kept.exists() is store.keeps_satisfaction()
    if store.keeps_satisfaction():
        assert session.row_id == session.conversation_id  # an answer needs a row to point at
        assert (kept.get().score, kept.get().comment) == (5, "muy bien")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("adapter", list(ADAPTERS))
def test_turns_of_one_session_at_the_same_moment_lose_no_update(adapter: str) -> None:
    """Each turn appends to the state it read under the lock: a lost update would drop one.
    The turns really commit here (a transactional test), each on its own connection."""
    store = ADAPTERS[adapter]()

    def one_turn() -> None:
        with store.locked(channel="api", external_id="race", now=NOW) as session:
            name = (session.state.slots.name or "") + "x"
            state = replace(session.state, slots=replace(session.state.slots, name=name))
            store.save(session, state=state, status=session.status, messages=[], now=NOW)

    assert run_at_once([one_turn] * 6) == []
    with store.locked(channel="api", external_id="race", now=NOW) as final:
        assert final.state.slots.name == "xxxxxx"
        assert final.version == 6
