"""Single Redis commands on the hot paths, each thread on one dedicated connection.

For every command, redis-py's client checks a connection out of its pool (PID check, readiness
probe), wraps the call in its retry and observability hooks, and checks the connection back in:
about half the CPU of an ``INCR`` on this machine (75 µs through the client, 38 µs on a held
connection). The WhatsApp intake sends its claim and its "done" mark here. (The chat throttle
sent its ``INCR`` here too until an A/B of ``make bench-chat`` showed no difference: it uses the
cache's pooled client again, docs/PERFORMANCE.md.)

The connection is built with the cache's own connection settings (address, database, password,
socket timeouts). It is re-created after a fork and after the ``CACHES`` setting changes (both
bump a generation number, so the per-command check is one comparison instead of looking the
cache's pool up), and it is dropped on any connection or timeout error, which is raised to the
caller: the callers fail open and the next command reconnects. Error replies (``ResponseError``)
leave the connection in place.

``redis_command_deferred`` sends a command whose reply nobody needs now (a hint such as the
webhook's "done" mark): the request does not wait for Redis; the reply is read, already in the
socket buffer, before the next command on that connection, and an error in it is logged.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from redis.exceptions import ResponseError

logger = logging.getLogger(__name__)
_local = threading.local()
_generation = 0  # bumped when held connections must be rebuilt (fork, CACHES changed)


def _invalidate() -> None:
    global _generation
    _generation += 1


os.register_at_fork(after_in_child=_invalidate)


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **_kwargs: Any) -> None:
    if setting == "CACHES":  # the only setting the cache's connection is built from
        _invalidate()


def _connection() -> Any:
    held = getattr(_local, "held", None)
    if held is not None and held[0] == _generation:
        return held[2]
    from django_redis import get_redis_connection

    pool = get_redis_connection("default").connection_pool
    if held is not None and held[1] == os.getpid():
        held[2].disconnect()  # never close a socket the parent process still uses
    held = (_generation, os.getpid(), pool.connection_class(**pool.connection_kwargs))
    _local.held = held
    _local.unread = 0
    return held[2]


def _drain(connection: Any) -> None:
    """Read the replies of earlier deferred commands, in order, before anything else."""
    while _local.unread:
        _local.unread -= 1
        try:
            connection.read_response()
        except ResponseError as exc:
            logger.warning("redis_deferred_command_failed error=%s", exc)


def redis_command(*args: Any) -> Any:
    """Send one command on this thread's connection and return the decoded reply."""
    connection = _connection()
    try:
        _drain(connection)
        connection.send_command(*args)
        return connection.read_response()
    except ResponseError:
        raise
    except Exception:
        _local.unread = 0
        connection.disconnect()
        raise


def redis_command_deferred(*args: Any) -> None:
    """Send one command and return at once; its reply is read before the next command."""
    connection = _connection()
    try:
        _drain(connection)
        connection.send_command(*args)
        _local.unread += 1
    except Exception:
        _local.unread = 0
        connection.disconnect()
        raise
