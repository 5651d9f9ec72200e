"""A circuit breaker for the LLM, shared by every process through the cache (Redis).

closed ──N failures within the window──▶ open ──cool-down──▶ half-open ──probe ok──▶ closed
        (and ≥ RATIO of its calls),       ▲                              │
        or M failures in a row            └──────── probe failed ────────┘

The ratio matters at scale: at a hundred calls a second, the few percent of calls that outlast a
chat turn's tight timeout reach any fixed count within seconds although the provider is healthy
(measured with `make bench-llm`: a count-only breaker stayed open most of the time at K = 8).
The ratio alone is slow to open after a busy healthy minute, though: the window still holds its
successes, so a provider that goes down completely keeps being called for up to half a window
(the fault suite's 20-second outage never opened it). M failures in a row with no success
between (``consecutive``, default 10) open it at once; at a 10% failure rate such a run happens
once in 10^10 calls.

While open, calls are refused at once (the deterministic reply is used without waiting for a
provider that is down). After the cool-down exactly one call, in any process, is let through as a
probe (elected with an atomic ``cache.add``). Shared state matters: with a dozen gunicorn and Celery
processes, per-process breakers would each keep paying N timeouts per outage.

When the cache itself is unreachable the breaker keeps working on a per-process copy of the same
state for a few seconds before trying the cache again: a Redis outage must not turn into
"call the LLM every time", nor into an exception in a customer's turn.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"

# After a cache error, use the local state this long before trying the cache again.
_LOCAL_FALLBACK_S = 5.0


class _Store(Protocol):
    """The subset of Django's cache API the breaker uses (``django.core.cache.cache`` fits)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, timeout: float | None = ...) -> Any: ...

    def add(self, key: str, value: Any, timeout: float | None = ...) -> bool: ...

    def delete(self, key: str) -> Any: ...

    def incr(self, key: str, delta: int = 1) -> int: ...


class LocalStore:
    """An in-process store with expiry: the fallback when the shared cache is down."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._data: dict[str, tuple[Any, float | None]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def _live(self, key: str) -> tuple[Any, float | None] | None:
        item = self._data.get(key)
        if item is not None and item[1] is not None and item[1] <= self._clock():
            del self._data[key]
            return None
        return item

    def _expiry(self, timeout: float | None) -> float | None:
        return None if timeout is None else self._clock() + timeout

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            item = self._live(key)
            return default if item is None else item[0]

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        with self._lock:
            self._data[key] = (value, self._expiry(timeout))

    def add(self, key: str, value: Any, timeout: float | None = None) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._data[key] = (value, self._expiry(timeout))
            return True

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def incr(self, key: str, delta: int = 1) -> int:
        with self._lock:
            item = self._live(key)
            if item is None:
                raise ValueError(f"Key {key!r} not found")
            value = int(item[0]) + delta
            self._data[key] = (value, item[1])
            return value


class CircuitBreaker:
    """Opens after ``failures`` failures within ``window_s`` that are also at least ``ratio`` of
    the calls made in it, or after ``consecutive`` failures with no success between; probes
    again after ``cooldown_s``.

    Both counts are sliding-window counters (this window's count plus the previous window's,
    weighted by how much of it still overlaps), so a burst straddling a window boundary still
    opens the circuit. Times are wall-clock seconds because several processes share them.
    """

    def __init__(
        self,
        *,
        failures: int,
        window_s: float,
        cooldown_s: float,
        ratio: float = 0.5,
        consecutive: int = 10,
        name: str = "llm",
        store: _Store | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if store is None:
            from django.core.cache import cache

            store = cache
        self.failures = failures
        self.window_s = window_s
        self.cooldown_s = cooldown_s
        self.ratio = ratio
        self.consecutive = consecutive
        self.name = name
        self._shared = store
        self._local = LocalStore()
        self._clock = clock
        self._local_until = 0.0

    @classmethod
    def from_settings(cls, *, name: str = "llm") -> CircuitBreaker:
        """A breaker with the ``LLM_CIRCUIT_*`` settings (the LLM's and the transcriber's)."""
        return cls(
            failures=settings.LLM_CIRCUIT_FAILURES,
            window_s=settings.LLM_CIRCUIT_WINDOW_S,
            cooldown_s=settings.LLM_CIRCUIT_COOLDOWN_S,
            ratio=settings.LLM_CIRCUIT_FAILURE_RATIO,
            consecutive=settings.LLM_CIRCUIT_CONSECUTIVE_FAILURES,
            name=name,
        )

    # -- keys --
    @property
    def _opened_key(self) -> str:
        return f"circuit:{self.name}:opened_at"

    @property
    def _probe_key(self) -> str:
        return f"circuit:{self.name}:probe"

    @property
    def _streak_key(self) -> str:
        return f"circuit:{self.name}:streak"

    def _bucket_key(self, bucket: int, kind: str = "failures") -> str:
        return f"circuit:{self.name}:{kind}:{bucket}"

    # -- store access with the local fallback --
    def _run(self, op: Callable[[_Store], Any]) -> Any:
        if time.monotonic() >= self._local_until:
            try:
                return op(self._shared)
            except Exception:
                logger.warning("llm_circuit_store_unavailable fallback=local", exc_info=True)
                self._local_until = time.monotonic() + _LOCAL_FALLBACK_S
        return op(self._local)

    # -- public API --
    def state(self) -> str:
        opened_at = self._run(lambda s: s.get(self._opened_key))
        if opened_at is None:
            return CLOSED
        return OPEN if self._clock() - float(opened_at) < self.cooldown_s else HALF_OPEN

    def allow(self) -> bool:
        """May a call go out now? In half-open state only the elected probe gets True."""
        state = self.state()
        if state == CLOSED:
            return True
        if state == OPEN:
            return False
        probe_ttl = max(self.cooldown_s, 5.0)
        return bool(self._run(lambda s: s.add(self._probe_key, 1, timeout=probe_ttl)))

    def record_success(self) -> None:
        if self.state() == CLOSED:
            self._count("calls")
            self._run(lambda s: s.set(self._streak_key, 0, timeout=self.window_s * 3))
            return

        def close(s: _Store) -> None:
            s.delete(self._opened_key)
            s.delete(self._probe_key)
            s.delete(self._streak_key)
            now_bucket = self._bucket()
            for kind in ("failures", "calls"):
                s.delete(self._bucket_key(now_bucket, kind))
                s.delete(self._bucket_key(now_bucket - 1, kind))

        self._run(close)
        logger.info("llm_circuit_closed name=%s", self.name)

    def record_failure(self) -> None:
        if self.state() != CLOSED:
            # A failed probe (or a call that was already in flight): open for another cool-down.
            now = self._clock()
            self._run(lambda s: s.set(self._opened_key, now, timeout=self._open_ttl()))
            self._run(lambda s: s.delete(self._probe_key))
            logger.warning("llm_circuit_reopened name=%s", self.name)
            return
        count = self._count("failures")
        calls = self._count("calls")
        streak = self._streak()
        if streak >= self.consecutive or (count >= self.failures and count >= self.ratio * calls):
            now = self._clock()
            if self._run(lambda s: s.add(self._opened_key, now, timeout=self._open_ttl())):
                logger.warning(
                    "llm_circuit_opened name=%s failures=%.1f window_s=%s cooldown_s=%s",
                    self.name,
                    count,
                    self.window_s,
                    self.cooldown_s,
                )

    # -- internals --
    def _bucket(self) -> int:
        return int(self._clock() // self.window_s)

    def _open_ttl(self) -> float:
        # Long enough to outlive any cool-down; short enough that a forgotten key cannot keep the
        # LLM off for good.
        return max(self.cooldown_s * 10, 600.0)

    def _streak(self) -> int:
        """Count one more failure in the current run of failures (a success resets it)."""

        def incr(s: _Store) -> int:
            s.add(self._streak_key, 0, timeout=self.window_s * 3)
            return int(s.incr(self._streak_key))

        return int(self._run(incr))

    def _count(self, kind: str) -> float:
        """Count one more of ``kind`` ("failures" or "calls", which includes failures)."""
        bucket = self._bucket()
        key = self._bucket_key(bucket, kind)
        ttl = self.window_s * 3

        def incr(s: _Store) -> tuple[int, int]:
            s.add(key, 0, timeout=ttl)
            current = int(s.incr(key))
            previous = int(s.get(self._bucket_key(bucket - 1, kind)) or 0)
            return current, previous

        current, previous = self._run(incr)
        elapsed = (self._clock() % self.window_s) / self.window_s
        weighted: float = current + previous * (1.0 - elapsed)
        return weighted
