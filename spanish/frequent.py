"""The most frequent Spanish words (wordfreq), folded: where the engine's, the catalogue's and the
knowledge base's lists of ordinary words start."""

from __future__ import annotations

import threading

# The longest list any caller asks for; a shorter one is its beginning (wordfreq ranks by
# frequency), so one read of wordfreq serves them all (about 0.3 s; the warm-up does it).
_RANKED_COUNT = 5000
_ranked: tuple[str, ...] | None = None
_lists: dict[tuple[int, int], frozenset[str]] = {}
# One load per process: the threads of a fresh worker that arrive meanwhile (64 of a gthread web
# worker after a deploy) wait for it instead of each reading wordfreq again.
_lock = threading.Lock()


def _read_wordfreq() -> tuple[str, ...]:
    """The ``_RANKED_COUNT`` most frequent Spanish words, folded, most frequent first."""
    import wordfreq

    # Imported here: folding reads chat spellings, which look words up in these lists.
    from spanish.folding import fold

    ranked = tuple(fold(word) for word in wordfreq.top_n_list("es", _RANKED_COUNT))
    # wordfreq keeps the whole frequency list cached (about 20 MB): only these are needed.
    for attribute in vars(wordfreq).values():
        if hasattr(attribute, "cache_clear"):
            attribute.cache_clear()
    return ranked


def frequent_folded_words(*, count: int = 5000, min_length: int = 1) -> frozenset[str]:
    """The ``count`` (at most 5,000) most frequent Spanish words (wordfreq), folded, kept when all
    letters and at least ``min_length`` long; built once per process and arguments."""
    global _ranked  # built once per process
    if count > _RANKED_COUNT:
        raise ValueError(f"at most {_RANKED_COUNT} words are kept, not {count}")
    key = (count, min_length)
    found = _lists.get(key)
    if found is not None:
        return found
    with _lock:
        if key not in _lists:
            if _ranked is None:
                _ranked = _read_wordfreq()
            _lists[key] = frozenset(
                plain for plain in _ranked[:count] if plain.isalpha() and len(plain) >= min_length
            )
        return _lists[key]
