"""Liveness (no I/O) and readiness (database, cache, Celery broker).

``/readyz`` tells the public (anything through the load balancer) only ``ok`` or ``unavailable``;
which dependency failed and the error text are for the callers ``/metrics`` admits (the internal
network, or the metrics bearer token). The checks run at most once a second per process, so the
endpoint is cheap to hammer and a probe storm never becomes a storm on PostgreSQL or Redis.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)

READINESS_CACHE_S = 1.0


def healthz() -> JsonResponse:
    """The process is alive; touches nothing else, so it never flaps with a dependency."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key = "readyz:probe"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache read-back mismatch")


def _check_broker() -> None:
    from kombu.connection import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=1) as conn:
        conn.ensure_connection(max_retries=1, timeout=1)


def _run(check: Callable[[], None]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__, "detail": str(exc)[:200]}
    return {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


def readiness_report() -> dict[str, Any]:
    """Run every check now: ``{"status": "ok" | "unavailable", "checks": {name: result}}``."""
    checks: dict[str, Callable[[], None]] = {"database": _check_database, "cache": _check_cache}
    if settings.CELERY_BROKER_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = _check_broker
    results = {name: _run(check) for name, check in checks.items()}
    ok = all(r["ok"] for r in results.values())
    if not ok:
        # A warning, once per check run (at most once a second per process): the dependency's
        # own alarms page; an unready task is not an application error.
        logger.warning(
            "readyz_unavailable failed=%s",
            ",".join(f"{name}:{r['error']}" for name, r in results.items() if not r["ok"]),
        )
    return {"status": "ok" if ok else "unavailable", "checks": results}


_cached: tuple[float, dict[str, Any]] | None = None
_cached_lock = threading.Lock()


def readiness_report_cached() -> dict[str, Any]:
    """``readiness_report()``, reused for ``READINESS_CACHE_S`` within this process.

    The lock makes concurrent threads wait for the one run in progress instead of starting their
    own (at most one set of checks at a time per process).
    """
    global _cached
    with _cached_lock:
        if _cached is not None and time.monotonic() - _cached[0] < READINESS_CACHE_S:
            return _cached[1]
        report = readiness_report()
        _cached = (time.monotonic(), report)
        return report


@receiver(setting_changed)
def _forget_readiness(**_: object) -> None:
    """``override_settings`` (tests) may point a check at another server: run it again."""
    global _cached
    _cached = None


def readyz(request: HttpRequest) -> JsonResponse:
    from kavak.metrics import metrics_access_allowed

    report = readiness_report_cached()
    body = report if metrics_access_allowed(request) else {"status": report["status"]}
    response = JsonResponse(body, status=200 if report["status"] == "ok" else 503)
    # readiness_report() logged the failure once as a warning; Django would log every 503 as an
    # error ("Service Unavailable: /readyz").
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
