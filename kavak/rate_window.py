"""Fixed-window counters in the shared cache: the one rule behind every "at most N per window".

A counter is created by its window's first increment and expires ``timeout`` seconds later; every
later increment in the window adds one. The HTTP throttles (``kavak.http_guard``) and the LLM's
per-conversation call cap count this way. The WhatsApp intake counts by the same rule inside its
Lua script (``channels/intake.py``), where the count must share one round trip with the delivery's
duplicate claim.
"""

from __future__ import annotations

from django.core.cache import cache
from django_redis import get_redis_connection

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def window_count(key: str, *, timeout: int) -> int:
    """The window's count after this increment, in one round trip in the steady state.

    On Redis a plain ``INCR`` through the cache's redis-py client, and ``EXPIRE`` once, by the
    window's first increment: django-redis's ``incr`` sends a Lua script with every call, which
    cost more than the rest of the throttle. Other cache backends (the embedded local-memory
    cache) use the portable ``incr``/``add``. Cache errors are raised: each caller decides how it
    fails open.
    """
    if hasattr(cache, "client"):  # django-redis (every Django cache has make_key)
        client = get_redis_connection("default")
        full_key = cache.make_key(key)
        count = int(client.incr(full_key))
        if count == 1:
            client.expire(full_key, timeout)
        return count
    try:
        return cache.incr(key)
    except ValueError:  # the window's first increment
        if cache.add(key, 1, timeout=timeout):
            return 1
        return cache.incr(key)  # another request created it first


def parse_rate(rate: str) -> tuple[int, int]:
    """DRF's rate syntax: ``"120/min"`` -> ``(120, 60)`` (the unit's first letter: s, m, h, d)."""
    count, _, unit = rate.partition("/")
    return int(count), _UNITS[unit[:1]]
