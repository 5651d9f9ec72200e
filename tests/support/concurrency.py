"""Calls released at the same instant, each in its own thread with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connection


def run_at_once(
    calls: Sequence[Callable[[], object]], *, timeout: float = 60
) -> list[BaseException]:
    """Run every call in a thread of its own, all waiting on one barrier; the errors they raised.

    Each thread closes its database connection when done, as a request or a task would.
    """
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=timeout)
            call()
        except BaseException as exc:  # reported to the caller, which asserts on them
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return errors
