"""The most frequent Spanish words (wordfreq), folded: where the engine's, the catalogue's and the
knowledge base's lists of ordinary words start."""

from __future__ import annotations

import threading

from spanish.folding import fold

# The longest list any caller asks for; a shorter one is its beginning (wordfreq ranks by
# frequency), so one read of wordfreq serves them all (about 0.3 s; the warm-up does it).
_RANKED_COUNT = 5000
_ranked: tuple[str, ...] | None = None
_lock = threading.Lock()


def _ranked_words() -> tuple[str, ...]:
    """The ``_RANKED_COUNT`` most frequent Spanish words, folded, most frequent first."""
    global _ranked  # built once per process
    with _lock:
        if _ranked is None:
            import wordfreq

            _ranked = tuple(fold(word) for word in wordfreq.top_n_list("es", _RANKED_COUNT))
            # wordfreq keeps the whole frequency list cached (about 20 MB): only these are needed.
            for attribute in vars(wordfreq).values():
                if hasattr(attribute, "cache_clear"):
                    attribute.cache_clear()
        return _ranked


def frequent_folded_words(*, count: int = 5000, min_length: int = 1) -> frozenset[str]:
    """The ``count`` (at most 5,000) most frequent Spanish words (wordfreq), folded, kept when all
    letters and at least ``min_length`` long."""
    if count > _RANKED_COUNT:
        raise ValueError(f"at most {_RANKED_COUNT} words are kept, not {count}")
    return frozenset(
        plain for plain in _ranked_words()[:count] if plain.isalpha() and len(plain) >= min_length
    )
