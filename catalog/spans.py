"""Which spans of a message the matcher may fuzzy-match, and how close a misspelling must be.

Rules of discipline kept apart from the matcher itself (``catalog.matching``): ordinary words,
their -s forms and bare numbers are never misspelt car names; family codes must be typed as they
are written; a four-letter name needs its first letter.
"""

from __future__ import annotations

from catalog.lexicon import is_common
from spanish import phonetic_name_key


def fuzzy_span(span: list[str], key: str, codes: frozenset[str]) -> bool:
    """Whether a span may be fuzzy-matched at all.

    Never ordinary words ("venta" is not "Vento"), never bare numbers. Two-word spans cover
    split names ("volks wagen") and family codes ("clace a", "x trail"): the first word must not
    be an ordinary word (a lone consonant like the "x" of "x trail" is fine) and the second
    must not be one either unless it is a one- or two-character code. A family code as second
    word ("clse c", "seri 3") always qualifies.
    """
    if len(span) > 2 or len(key) < 3 or all(t.isdigit() for t in span):
        return False
    first = span[0]
    if len(span) == 1:
        return not is_common(first)
    second = span[1]
    if second in codes:  # "clse c", "seri 3"; not "carro a" (an ordinary word before a code)
        return not first.isdigit() and not is_common(first)
    first_ok = not is_common(first) or (len(first) == 1 and first not in "aeiouy")
    return first_ok and (not is_common(second) or len(second) <= 2)


def inflected_common(word: str) -> bool:
    """An ordinary word with an -s or -es ending: "pasas", "ventas", "cambios" (a verb's second
    person or a plural). Never fuzzy-matched to a car name; names themselves are unaffected
    ("Compass")."""
    if len(word) < 5 or not word.endswith("s"):
        return False
    return is_common(word[:-1]) or (word.endswith("es") and is_common(word[:-2]))


def plausible_near_miss(query: str, key: str) -> bool:
    """Grey zone only for spans that start like the name and are about as long."""
    same_start = query[:1] == key[:1] or phonetic_name_key(query)[:1] == phonetic_name_key(key)[:1]
    return same_start and abs(len(query) - len(key)) <= 1


def code_ok(code: str | None, span: list[str], query: str) -> bool:
    """A family code must be typed as is: as its own word, or glued when that is how the name
    is written ("mazda3", "serie3", "crv"). "clasee" is a doubled e, not "Clase E" glued."""
    if code is None:
        return True
    if len(span) > 1:
        return span[-1] == code
    if any(ch.isdigit() for ch in code):
        return query.endswith(code) and len(query) > len(code)
    return len(query) - len(code) < 4


def first_letter_ok(probe: str, choice: str, key: str) -> bool:
    """Four-letter names: a different first letter is too often another word ("meta"/"jeta").

    Only a swap of the first two letters or a dropped first letter is accepted there.
    """
    if len(key) != 4 or probe[:1] == choice[:1]:
        return True
    return probe[:2] == choice[1::-1] or probe == choice[1:]
