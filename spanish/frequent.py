"""The most frequent Spanish words (wordfreq), folded: where the engine's and the catalogue's
lists of ordinary words start."""

from __future__ import annotations

from spanish.folding import fold


def frequent_folded_words(*, count: int = 5000, min_length: int = 1) -> frozenset[str]:
    """The ``count`` most frequent Spanish words (wordfreq), folded, kept when all letters and at
    least ``min_length`` long. Slow (wordfreq reads its list): callers load it once per process."""
    import wordfreq

    words = set()
    for word in wordfreq.top_n_list("es", count):
        plain = fold(word)
        if plain.isalpha() and len(plain) >= min_length:
            words.add(plain)
    # wordfreq keeps the whole frequency list cached (about 20 MB): only these words are needed.
    for attribute in vars(wordfreq).values():
        if hasattr(attribute, "cache_clear"):
            attribute.cache_clear()
    return frozenset(words)
