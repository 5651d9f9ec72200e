"""The Spanish word lists load once per process even when a fresh worker's threads all need them
at the same moment (a gthread web worker or a thread-pool Celery worker after a deploy): the one
home of that load is ``spanish.frequent``, which the engine's, the catalogue's and the knowledge
base's lists read."""

from __future__ import annotations

import threading
import time

import pytest

import spanish.frequent as frequent
from catalog import lexicon as catalog_lexicon
from conversations.engine import lexicon as engine_lexicon


def test_sixteen_threads_at_once_read_wordfreq_once(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []

    def slow_read() -> tuple[str, ...]:
        reads.append(1)
        time.sleep(0.2)
        return ("hola", "de", "carro")

    monkeypatch.setattr(frequent, "_ranked", None)
    monkeypatch.setattr(frequent, "_lists", {})
    monkeypatch.setattr(frequent, "_read_wordfreq", slow_read)
    barrier = threading.Barrier(16)
    results: list[frozenset[str]] = []

    def call(i: int) -> None:
        barrier.wait()
        if i % 2:
            results.append(engine_lexicon.frequent_words())
        else:
            results.append(catalog_lexicon._frequent_spanish())

    threads = [threading.Thread(target=call, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert reads == [1]
    # The catalogue keeps words of three letters or more; the engine all of them.
    assert set(results) == {frozenset({"hola", "carro"}), frozenset({"hola", "de", "carro"})}


def test_a_shorter_list_is_the_beginning_of_the_longer_one() -> None:
    assert frequent.frequent_folded_words(count=500) <= frequent.frequent_folded_words()
    with pytest.raises(ValueError, match="at most 5000"):
        frequent.frequent_folded_words(count=5001)
