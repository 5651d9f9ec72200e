"""The Spanish word lists load once per process even when a fresh worker's threads all need them
at the same moment (a gthread web worker or a thread-pool Celery worker after a deploy)."""

from __future__ import annotations

import threading
import time
from types import ModuleType

import pytest

from catalog import lexicon as catalog_lexicon
from conversations.engine import lexicon as engine_lexicon


@pytest.mark.parametrize(
    ("module", "public", "loader"),
    [
        (catalog_lexicon, "_frequent_spanish", "_load_frequent_spanish"),
        (engine_lexicon, "frequent_words", "_load_frequent_words"),
    ],
)
def test_sixteen_threads_at_once_load_the_list_once(
    monkeypatch: pytest.MonkeyPatch, module: ModuleType, public: str, loader: str
) -> None:
    loads: list[int] = []

    def slow_load() -> frozenset[str]:
        loads.append(1)
        time.sleep(0.2)
        return frozenset({"hola"})

    monkeypatch.setattr(module, "_frequent", None)
    monkeypatch.setattr(module, loader, slow_load)
    barrier = threading.Barrier(16)
    results: list[frozenset[str]] = []

    def call() -> None:
        barrier.wait()
        results.append(getattr(module, public)())

    threads = [threading.Thread(target=call) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert loads == [1]
    assert results == [frozenset({"hola"})] * 16
