"""Accent folding and the lookup keys built on it.

Every function starts from the same step, :func:`strip_accents` after lower-casing (á→a, ñ→n,
ü→u, and NFKD compatibility forms such as "ﬁ"→"fi"): customers often type without accents and the
catalogue and articles are written with them. They differ in what else they do, and each caller
keeps the one it was built on:

=================  ==========================================================================
``fold``           lower case, no accents; ``casefold=True`` uses ``str.casefold`` ("ß"→"ss"),
                   the knowledge base's choice (its index was built with it)
``fold_message``   ``fold`` plus whitespace runs as one space, a letter typed three times or more
                   as one ("siiii"), stripped: the engine's reading of a WhatsApp message
``fold_in_place``  lower case, no accents, one character for one, so a position in the folded
                   text is the same position in the original (the satisfaction comment)
``alnum_words``    ``fold`` with every run of anything but a-z and 0-9 as one space
``compact_key``    ``fold`` with only a-z and 0-9 left: "CR-V", "cr v" and "crv" are one key;
                   ``folded=True`` for text its caller folded already (no second folding)
=================  ==========================================================================
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from spanish.chat import chat_words

_SPACES = re.compile(r"\s+")
_STRETCHED = re.compile(r"([a-z])\1{2,}")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def strip_accents(text: str) -> str:
    """``text`` in NFKD with its combining marks dropped (case kept): "Ñandú" → "Nandu"."""
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed  # the common case: nothing to drop
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=4096)
def fold(text: str, *, casefold: bool = False) -> str:
    """Lower case without accents: "¿Garantía? ÑANDÚ" → "¿garantia? nandu".

    ``casefold`` lowers with ``str.casefold`` instead of ``str.lower`` (they differ on a handful
    of letters, none Spanish: "ß" → "ss", "ς" → "σ"). Cached: a message is folded by several
    readers of one turn.
    """
    return strip_accents(text.casefold() if casefold else text.lower())


@lru_cache(maxsize=4096)
def fold_message(text: str) -> str:
    """``fold`` plus the quirks of chat: whitespace runs become one space, a letter typed three
    times or more counts once ("siiiii", "nooo", "holaaa"), the ends are stripped, and chat
    spellings read as their words ("kiero" → "quiero", ``spanish.chat``)."""
    # Lowered again after NFKD: "𝚨" (a mathematical capital) only decomposes to a capital "Α".
    folded = strip_accents(text.lower()).lower()
    return chat_words(_STRETCHED.sub(r"\1", _SPACES.sub(" ", folded)).strip())


def fold_in_place(text: str) -> str:
    """Lower case without accents, one character for one: ``fold_in_place(t)[i]`` is ``t[i]``
    folded, so a match in the folded text cuts the original at the same place. A character whose
    lower case is longer ("İ") is kept as it is; a decomposition keeps its first character."""
    out = []
    for ch in text:
        low = ch.lower()
        base = unicodedata.normalize("NFKD", low)[:1] if len(low) == 1 else ch
        out.append(base or ch)
    return "".join(out)


def alnum_words(text: str) -> str:
    """Lower case, no accents, runs of anything but letters and digits collapsed to one space."""
    return _NON_ALNUM.sub(" ", strip_accents(text.lower())).strip()


def compact_key(text: str, *, folded: bool = False) -> str:
    """A name's lookup key: folded, letters a-z and digits only ("Mercedes-Benz" → "mercedesbenz").

    ``folded=True`` takes text its caller already folded (the engine and the guardrail key names
    read from ``fold_message`` text): only its a-z and digits are kept, nothing is folded again
    (``fold_message`` lowers after decomposing, so "™" is "tm" on both paths).
    """
    return _NON_ALNUM.sub("", text if folded else strip_accents(text.lower()))
