"""The circuit breaker: opens after N failures in the window, one probe after the cool-down,
shared across processes through the cache, and still working when the cache is down."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from django.core.cache import cache

from conversations.llm.circuit import CLOSED, HALF_OPEN, OPEN, CircuitBreaker, LocalStore
from conversations.llm.services import llm_smooth_reply, llm_turn_budget
from tests.support.stub_llm_server import StubModel


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class BrokenStore:
    """A cache that is down: every call fails like an unreachable Redis."""

    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise ConnectionError("redis down")

        return fail


def breaker(store: Any, clock: Clock, **kw: Any) -> CircuitBreaker:
    options = {"failures": 3, "window_s": 60.0, "cooldown_s": 30.0, "name": "test"} | kw
    return CircuitBreaker(store=store, clock=clock, **options)


def test_opens_after_n_failures_then_half_opens_one_probe_and_closes() -> None:
    clock = Clock()
    cb = breaker(LocalStore(), clock)
    for _ in range(2):
        cb.record_failure()
        assert cb.state() == CLOSED
        assert cb.allow()
    cb.record_failure()
    assert cb.state() == OPEN
    assert not cb.allow()
    clock.now += 29
    assert not cb.allow()
    clock.now += 2
    assert cb.state() == HALF_OPEN
    assert cb.allow()  # the probe
    assert not cb.allow()  # only one probe at a time
    cb.record_success()
    assert cb.state() == CLOSED
    assert cb.allow()


def test_a_failed_probe_opens_the_circuit_for_another_cool_down() -> None:
    clock = Clock()
    cb = breaker(LocalStore(), clock)
    for _ in range(3):
        cb.record_failure()
    clock.now += 31
    assert cb.allow()
    cb.record_failure()
    assert cb.state() == OPEN
    clock.now += 29
    assert not cb.allow()
    clock.now += 2
    assert cb.allow()


def test_failures_spread_beyond_the_window_do_not_open_it() -> None:
    clock = Clock()
    cb = breaker(LocalStore(), clock)
    for _ in range(6):
        cb.record_failure()
        clock.now += 50  # one failure every 50 s, window 60 s, threshold 3
        assert cb.state() == CLOSED


def test_state_is_shared_by_processes_through_the_cache() -> None:
    """Two breakers on the real cache (Redis in tests) stand for two gunicorn/Celery processes."""
    clock = Clock()
    web, worker = breaker(cache, clock), breaker(cache, clock)
    web.record_failure()
    worker.record_failure()
    web.record_failure()
    assert worker.state() == OPEN
    assert not worker.allow()
    clock.now += 31
    assert worker.allow()  # the probe is elected once across processes
    assert not web.allow()
    worker.record_success()
    assert web.state() == CLOSED


def test_with_the_cache_down_it_still_works_on_local_state(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    cb = breaker(BrokenStore(), clock)
    for _ in range(3):
        cb.record_failure()
    assert cb.state() == OPEN
    assert not cb.allow()
    assert "llm_circuit_store_unavailable" in caplog.text


@pytest.mark.django_db
def test_end_to_end_the_circuit_stops_calls_to_a_failing_model_and_recovers(
    llm_on: StubModel, caplog: pytest.LogCaptureFixture
) -> None:
    """Real SDK, real cache: 3 failures open it (settings), calls stop reaching the model, and
    after the cool-down (0.4 s in tests) a probe closes it."""
    caplog.set_level(logging.INFO)
    llm_on.mode = "500"

    def smooth() -> str | None:
        return llm_smooth_reply(
            reply="¿Qué tipo de auto buscas?", facts={}, budget=llm_turn_budget(channel="api")
        )

    for _ in range(3):
        assert smooth() is None
    assert llm_on.calls == 3
    assert "llm_circuit_opened" in caplog.text
    for _ in range(5):
        assert smooth() is None
    assert llm_on.calls == 3  # open: the deterministic reply, without waiting on the provider
    assert caplog.text.count("llm_fallback reason=circuit_open") == 5

    llm_on.mode = "faithful"
    time.sleep(0.5)  # the cool-down
    assert smooth() == "Claro. ¿Qué tipo de auto buscas?"
    assert llm_on.calls == 4
    assert "llm_circuit_closed" in caplog.text
    assert smooth() is not None
    assert llm_on.calls == 5
