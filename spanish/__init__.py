"""Spanish text for every app: accent folding, lookup keys, phonetic keys, stemming, number words.

Pure Python with no project import and no Django: the conversation engine, the catalogue, the
knowledge base, the guardrail and the channels all read it (import-linter keeps it the lowest
layer, see ``pyproject.toml``). Each rule has one home here; where two callers were built on
different rules, the difference is an explicit parameter or a second, named function:

- folding (:mod:`spanish.folding`): ``fold`` (``casefold=True`` for the knowledge base),
  ``fold_message`` (the engine's: also whitespace and stretched letters), ``fold_in_place``
  (one character for one), ``alnum_words`` and ``compact_key``;
- phonetic keys (:mod:`spanish.phonetic`): ``phonetic_key`` for ordinary words (knowledge base)
  and ``phonetic_name_key`` for make and model names (catalogue), which merges more;
- stemming (:mod:`spanish.stemming`): ``stem`` (Snowball) and ``crude_stem`` (a prefix);
- frequent words (:mod:`spanish.frequent`): ``frequent_folded_words``, the wordfreq list;
- number words (:mod:`spanish.numbers`): ``words_to_number``, ``replace_number_words`` (the
  engine's reading of customers), ``digitize_number_words`` (the guardrail's reading of prose)
  and ``dictated_digits`` (a phone number said word by word).
"""

from __future__ import annotations

from spanish.folding import (
    alnum_words,
    compact_key,
    fold,
    fold_in_place,
    fold_message,
    strip_accents,
)
from spanish.frequent import frequent_folded_words
from spanish.numbers import (
    DIGIT_NAMES,
    NUMBER_WORDS,
    blank_dictated_phones,
    dictated_digits,
    digitize_number_words,
    replace_number_words,
    words_to_number,
)
from spanish.phonetic import phonetic_key, phonetic_name_key
from spanish.stemming import crude_stem, stem

__all__ = [
    "DIGIT_NAMES",
    "NUMBER_WORDS",
    "alnum_words",
    "blank_dictated_phones",
    "compact_key",
    "crude_stem",
    "dictated_digits",
    "digitize_number_words",
    "fold",
    "fold_in_place",
    "fold_message",
    "frequent_folded_words",
    "phonetic_key",
    "phonetic_name_key",
    "replace_number_words",
    "stem",
    "strip_accents",
    "words_to_number",
]
