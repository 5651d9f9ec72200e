"""Spanish stems: the Snowball stemmer, and the crude prefix the guardrail compares."""

from __future__ import annotations

from functools import lru_cache

import snowballstemmer

_stemmer = snowballstemmer.stemmer("spanish")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """Snowball Spanish stem of a folded word; numbers and words of 3 letters or fewer are kept
    as they are ("rio" and "uso" are not stems of anything)."""
    if word.isdigit() or len(word) <= 3:
        return word
    stemmed: str = _stemmer.stemWord(word)
    return stemmed


def crude_stem(word: str, length: int = 5) -> str:
    """The first ``length`` letters: a cheap, language-blind stand-in for a stem, enough to tell
    whether two texts talk about the same things ("financiamiento" and "financiar" share "finan")
    without Snowball's cost or its tuned exceptions."""
    return word[:length]
