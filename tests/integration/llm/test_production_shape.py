"""Issue 18's model-call rules: a slow but healthy model keeps the circuit closed, a conversation's
model calls are capped, billed tokens are counted, and a thread waiting on the model holds no
pooled database connection."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from django.db import connections
from prometheus_client import REGISTRY

from conversations.llm import services as llm_services
from conversations.llm.circuit import CLOSED, OPEN, CircuitBreaker, LocalStore
from conversations.llm.services import llm_smooth_reply, llm_turn_budget
from tests.support.stub_llm_server import StubModel

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 2_000_000.0

    def __call__(self) -> float:
        return self.now


def _breaker(**options: int) -> CircuitBreaker:
    return CircuitBreaker(
        failures=3,
        window_s=60.0,
        cooldown_s=30.0,
        ratio=0.5,
        store=LocalStore(),
        clock=Clock(),
        **options,
    )


def test_a_few_timeouts_among_many_answers_keep_the_circuit_closed() -> None:
    cb = _breaker()
    for _ in range(10):
        for _ in range(9):
            cb.record_success()
        cb.record_failure()  # 10 % of the calls outlast the turn's timeout
    assert cb.state() == CLOSED
    for _ in range(120):  # the provider goes down: failures become most of the calls
        cb.record_failure()
        if cb.state() == OPEN:
            break
    assert cb.state() == OPEN


def _smooth(conversation: str) -> str | None:
    budget = llm_turn_budget(channel="api", conversation=conversation)
    return llm_smooth_reply(reply="¿Cuál es tu presupuesto?", facts={}, budget=budget)


def test_model_calls_per_conversation_are_capped(
    llm_on: StubModel, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    settings.LLM_MAX_CALLS_PER_CONVERSATION = 2
    mine, other = f"api:{uuid.uuid4().hex}", f"api:{uuid.uuid4().hex}"
    assert _smooth(mine) is not None
    assert _smooth(mine) is not None
    assert _smooth(mine) is None  # the third call is not made
    assert llm_on.calls == 2
    assert "llm_fallback reason=conversation_cap use=smooth" in caplog.text
    assert _smooth(other) is not None  # another conversation has its own count
    settings.LLM_MAX_CALLS_PER_CONVERSATION = 0  # 0 = no cap
    assert _smooth(mine) is not None


def _tokens(kind: str) -> float:
    value = REGISTRY.get_sample_value("kavak_llm_tokens_total", {"use": "smooth", "kind": kind})
    return value or 0.0


def test_billed_tokens_are_counted_by_use_and_kind(llm_on: StubModel) -> None:
    prompt, completion = _tokens("prompt"), _tokens("completion")
    assert _smooth(f"api:{uuid.uuid4().hex}") is not None
    assert _tokens("prompt") - prompt == llm_on.tokens["prompt"] > 0
    assert _tokens("completion") - completion == llm_on.tokens["completion"] > 0


def test_a_thread_waiting_on_the_model_gives_its_pooled_connection_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connection = connections["default"]  # the wrapper behind django.db.connection here
    closed: list[bool] = []
    monkeypatch.setattr(connection, "in_atomic_block", False)
    monkeypatch.setattr(connection, "close", lambda: closed.append(True))
    llm_services._db_release_for_wait()
    assert closed == []  # no pool (DATABASE_POOL_MAX_SIZE=0): the persistent connection stays
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {"pool": {"max_size": 4}})
    llm_services._db_release_for_wait()
    assert closed == [True]
    monkeypatch.setattr(connection, "in_atomic_block", True)
    llm_services._db_release_for_wait()  # never inside a transaction
    assert closed == [True]


def test_a_provider_down_after_a_busy_healthy_minute_opens_the_circuit_at_once() -> None:
    """The window still holds the healthy minute's successes, so the ratio alone would keep
    calling a dead provider for half a window; a run of failures opens it (make chaos, c)."""
    cb = _breaker(consecutive=10)
    for _ in range(500):
        cb.record_success()
    for _ in range(9):
        cb.record_failure()
        assert cb.state() == CLOSED
    cb.record_failure()
    assert cb.state() == OPEN


def test_a_success_breaks_the_run_of_failures() -> None:
    cb = _breaker(consecutive=4)
    for _ in range(100):
        cb.record_success()
    for _ in range(5):
        for _ in range(3):
            cb.record_failure()
        cb.record_success()
    assert cb.state() == CLOSED
