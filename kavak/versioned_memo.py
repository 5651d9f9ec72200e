"""A value built once per process and rebuilt everywhere when a writer says it changed.

The rule: a version token in the shared cache (Redis in production) names the current build;
each process memoises ``(token, value)`` and rebuilds when the token differs. The token is re-read
at most every ``recheck_s()`` seconds (a Redis round trip per read otherwise) and the writer's own
process forgets at once. A writer calls ``invalidate()``: the process's copy is dropped now and a
new token is written when the transaction commits, so no process rebuilds from rows it cannot see
yet. If the cache is down, a process keeps serving the value it has (logged) and builds one if it
has none.

Not for data whose readers must see the change in the same transaction as the rows (the
knowledge index keeps its token in PostgreSQL for that reason, ``knowledge.process_index``).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")


class VersionedMemo(Generic[T]):
    """``get()`` the value, rebuilt when its shared token changed; ``invalidate()`` after writes.

    ``name`` gives the cache key (``<name>:version``) and the log events
    (``<log_name>_version_unavailable``, ``<log_name>_bump_failed``).
    """

    def __init__(
        self,
        *,
        name: str,
        log_name: str,
        build: Callable[[], T],
        recheck_s: Callable[[], float],
    ) -> None:
        self.key = f"{name}:version"
        self.log_name = log_name
        self._build = build
        self._recheck_s = recheck_s
        self._lock = threading.Lock()
        self.cached: tuple[str | None, T] | None = None
        self._checked: tuple[float, str | None] | None = None

    def get(self) -> T:
        token = self._token()
        cached = self.cached
        if cached is not None and (token is None or cached[0] == token):
            return cached[1]
        with self._lock:
            cached = self.cached  # another thread may have rebuilt it while we waited
            if cached is not None and cached[0] == token and token is not None:
                return cached[1]
            value = self._build()
            self.cached = (token, value)
        return value

    def invalidate(self) -> None:
        """Forget the value here now, and in every process once the transaction commits."""
        self.cached = None
        self._checked = None

        def bump() -> None:
            self._checked = None
            try:
                cache.set(self.key, uuid.uuid4().hex, timeout=None)
            except Exception:
                logger.warning("%s_bump_failed", self.log_name, exc_info=True)

        transaction.on_commit(bump)

    def _token(self) -> str | None:
        now = time.monotonic()
        checked = self._checked
        if checked is not None and now - checked[0] < self._recheck_s():
            return checked[1]
        token = self._read_token()
        self._checked = (now, token)
        return token

    def _read_token(self) -> str | None:
        try:
            token = cache.get(self.key)
            if token is None:
                cache.add(self.key, uuid.uuid4().hex, timeout=None)
                token = cache.get(self.key)
        except Exception:  # the cache is down: keep serving the value this process has
            logger.warning("%s_version_unavailable", self.log_name, exc_info=True)
            return None
        return str(token) if token is not None else None
