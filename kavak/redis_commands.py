"""Single Redis commands on the hot paths, each thread on one dedicated connection.

For every command, redis-py's client checks a connection out of its pool (PID check, readiness
probe), wraps the call in its retry and observability hooks, and checks the connection back in:
about half the CPU of an ``INCR`` on this machine (75 µs through the client, 38 µs on a held
connection). The chat throttle runs one command per turn, so it sends it here instead.

The connection is built with the cache's own connection settings (address, database, password,
socket timeouts), is re-created when that pool changes (settings overrides, a new process after
a fork) and is dropped on any connection or timeout error, which is raised to the caller: the
callers fail open and the next command reconnects. Error replies (``ResponseError``) leave the
connection in place.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from redis.exceptions import ResponseError

_local = threading.local()


def _connection() -> Any:
    from django_redis import get_redis_connection

    pool = get_redis_connection("default").connection_pool
    held = getattr(_local, "held", None)
    if held is None or held[0] is not pool or held[1] != os.getpid():
        if held is not None and held[1] == os.getpid():
            held[2].disconnect()
        held = (pool, os.getpid(), pool.connection_class(**pool.connection_kwargs))
        _local.held = held
    return held[2]


def redis_command(*args: Any) -> Any:
    """Send one command on this thread's connection and return the decoded reply."""
    connection = _connection()
    try:
        connection.send_command(*args)
        return connection.read_response()
    except ResponseError:
        raise
    except Exception:
        connection.disconnect()
        raise
