"""Compiling the matcher's vocabulary from the reference table, the catalogue and the aliases.

Pure Python: rows in, a :class:`catalog.matching.Vocabulary` out. Which names a customer can type
(makes, models, aliases, body/use/transmission words), their canonical spelling, and which model
names count only next to their make.
"""

from __future__ import annotations

from collections.abc import Iterable

from catalog.lexicon import AMBIGUOUS_NAMES, BODY_WORDS, TRANSMISSION_WORDS, USE_WORDS, is_common
from catalog.matching import ModelInfo, Term, Vocabulary, compact_key
from spanish import alnum_words


def build_vocabulary(
    *,
    references: Iterable[tuple[str, str, str, int | None]],
    cars: Iterable[tuple[str, str]],
    aliases: Iterable[tuple[str, str, str]],
) -> Vocabulary:
    """Compile the matcher's vocabulary.

    ``references`` are (make, model, body_type, seats) rows, ``cars`` distinct (make, model)
    pairs in the catalogue and ``aliases`` (alias, make, model-or-blank) rows. The reference
    spelling of a name wins over the catalogue's.
    """
    terms: list[Term] = []
    model_info: dict[tuple[str, str], ModelInfo] = {}
    canonical_make: dict[str, str] = {}
    canonical_model: dict[tuple[str, str], str] = {}
    cars = list(cars)
    stock_models = {(compact_key(make), compact_key(model)) for make, model in cars}
    stock_makes = {make for make, _ in stock_models}

    def add_model(make: str, model: str) -> None:
        make_key, model_key = compact_key(make), compact_key(model)
        if not make_key or not model_key:
            return
        make = canonical_make.setdefault(make_key, make.strip())
        model = canonical_model.setdefault((make_key, model_key), model.strip())
        terms.append(
            Term("make", make_key, make, make, words=_words(make), in_stock=make_key in stock_makes)
        )
        terms.append(
            Term(
                "model", model_key, model, make, needs_make(model_key), _family_code(model),
                _words(model), in_stock=(make_key, model_key) in stock_models,
            )
        )  # fmt: skip

    for make, model, body_type, seats in references:
        add_model(make, model)
        model_info[(compact_key(make), compact_key(model))] = ModelInfo(body_type, seats)
    for make, model in cars:
        add_model(make, model)
    for alias, make, model in aliases:
        alias_key = compact_key(alias)
        make_key = compact_key(make)
        make = canonical_make.setdefault(make_key, make.strip())
        if model:
            model_key = compact_key(model)
            model = canonical_model.setdefault((make_key, model_key), model.strip())
            terms.append(
                Term(
                    "model", alias_key, model, make, needs_make(alias_key), _family_code(alias),
                    _words(alias), in_stock=(make_key, model_key) in stock_models,
                )
            )  # fmt: skip
        else:
            terms.append(
                Term(
                    "make", alias_key, make, make, words=_words(alias),
                    in_stock=make_key in stock_makes,
                )
            )  # fmt: skip
    fixed = ((BODY_WORDS, "body"), (USE_WORDS, "use"), (TRANSMISSION_WORDS, "transmission"))
    for words, kind in fixed:
        terms.extend(
            Term(kind, compact_key(word), value, words=_words(word))
            for word, value in words.items()
        )
    return Vocabulary(terms, model_info)


def _words(name: str) -> int:
    return max(1, len(alnum_words(name).split()))


def _family_code(name: str) -> str | None:
    words = alnum_words(name).split()
    return words[-1] if len(words) > 1 and len(words[-1]) <= 3 else None


def needs_make(key: str) -> bool:
    """Model names that are ordinary words, places or bare numbers count only next to their make."""
    return key in AMBIGUOUS_NAMES or is_common(key) or key.isdigit()
