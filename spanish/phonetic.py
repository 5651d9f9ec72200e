"""Phonetic keys: spellings that sound alike in Mexican Spanish collapse to the same string.

Two rule sets, each over text folded by its caller (see :mod:`spanish.folding`), because their
indexes were built and tuned on them and a key is only ever compared with keys of the same set:

- :func:`phonetic_key`, for ordinary words (the knowledge base's typo vocabulary and its
  misspelt function words, "kiero", "nesesito", "ase"): b/v, s/c/z, k/qu/c, ll/y and a silent h.
- :func:`phonetic_name_key`, for make and model names (the catalogue's compact keys): the same
  merges plus those of foreign brand names, w/v/b, ph/f, g/j before e and i, y/i, and a hard "gu".

Where they differ on the same input: "ch" stays "ch" in the first and becomes one symbol in the
second (so a doubled "chch" merges only there); "w", "ph", "ge"/"je", "gue", "y"/"i" and a "q" not
before e or i are merged only by the second.
"""

from __future__ import annotations

import re

_Rules = tuple[tuple[re.Pattern[str], str], ...]


def _compile(rules: tuple[tuple[str, str], ...]) -> _Rules:
    return tuple((re.compile(pattern), replacement) for pattern, replacement in rules)


_WORD_RULES = _compile(
    (
        (r"c(?=[ei])", "s"),
        (r"qu(?=[ei])", "k"),
        (r"c(?!h)", "k"),
        (r"z", "s"),
        (r"v", "b"),
        (r"ll", "y"),
        (r"(?<!c)h", ""),
        (r"(.)\1+", r"\1"),
    )
)

_NAME_RULES = _compile(
    (
        ("ll", "y"),
        ("ch", "C"),  # its own sound: not the x of "Trax" or "X-Trail"
        ("ph", "f"),
        ("qu(?=[ei])", "k"),
        ("gu(?=[ei])", "G"),  # hard g, kept apart from the soft g below
        ("g(?=[ei])", "j"),
        ("c(?=[ei])", "s"),
        ("[cq]", "k"),
        ("z", "s"),
        ("[vw]", "b"),
        ("y", "i"),
        ("h", ""),
        ("G", "g"),
        (r"(.)\1+", r"\1"),
    )
)


def _apply(rules: _Rules, text: str) -> str:
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


def phonetic_key(word: str) -> str:
    """How a folded word sounds: b/v, s/c/z, k/qu/c, ll/y and a silent h merge, doubled letters
    count once. Catches the commonest spelling slips ("bendo", "sertificado", "kabak") with no
    edit distance."""
    return _apply(_WORD_RULES, word)


def phonetic_name_key(key: str) -> str:
    """How a car name's compact key sounds in es-MX: the merges of :func:`phonetic_key` plus
    w/v/b, ph/f, g/j before e and i, y/i and the hard "gu" ("Bolkswagen", "Hiundai", "Peujeot")."""
    return _apply(_NAME_RULES, key)
