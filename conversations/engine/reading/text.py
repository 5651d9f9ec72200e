"""Text helpers of the reading: cue alternations, bare text, "only these words", Spanglish."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


def _alternation(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{'|'.join(f'(?:{p})' for p in patterns)})(?!\w)")


def _has(folded: str, pattern: re.Pattern[str]) -> bool:
    return pattern.search(folded) is not None


_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_EMOJI_ONLY = re.compile(r"^[\W_]*$", re.UNICODE)


@lru_cache(maxsize=1024)
def _bare(folded: str) -> str:
    """Folded text without punctuation or emoji, for whole-message comparisons."""
    return " ".join(_PUNCT.sub(" ", folded).split())


@lru_cache(maxsize=16)
def _only_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"(?:(?:{'|'.join(words)})\s*)+")


def _only(folded: str, words: tuple[str, ...], fillers: tuple[str, ...] = ()) -> bool:
    """Whether the message is made only of these words (and fillers), nothing else."""
    text = _bare(folded)
    if not text:
        return False
    return _only_pattern((*words, *fillers)).fullmatch(text) is not None


# English words Mexican customers mix in ("down payment 50k", "the first one", "call me"), read
# as the Spanish the rules know. Only these phrases; the rest of the message is left as written.
_SPANGLISH = tuple(
    (re.compile(rf"(?<!\w){english}(?!\w)", re.IGNORECASE), spanish)
    for english, spanish in (
        (r"down ?payment", "enganche"),
        (r"(?:number|option) ?([1-9])(?!\d)", r"el \1"),
        (r"(?:the )?first one", "el primero"),
        (r"(?:the )?second one", "el segundo"),
        (r"(?:the )?third one", "el tercero"),
        (r"(?:the )?last one", "el ultimo"),
        (r"call me", "llamame"),
        (r"per month|a month|monthly", "al mes"),
        (r"months?", "meses"),
        (r"years?", "anos"),
        (r"cash", "de contado"),
    )
)


_SPANGLISH_HINTS = ("down", "one", "call", "month", "year", "cash", "number", "option")


def _spanglish(text: str) -> str:
    lowered = text.lower()
    if not any(word in lowered for word in _SPANGLISH_HINTS):
        return text
    for pattern, spanish in _SPANGLISH:
        text = pattern.sub(spanish, text)
    return text
