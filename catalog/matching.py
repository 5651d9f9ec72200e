"""Typo-tolerant recognition of makes, models, body types, uses and transmissions (pure Python).

The vocabulary (names from the reference table, the alias table and the cars in stock, plus the
fixed words in :mod:`catalog.lexicon`) is compiled once into a :class:`Vocabulary`
(:mod:`catalog.vocabulary_compiler`); matching a sentence is then dictionary look-ups plus a few
bounded rapidfuzz scans, well under 2 ms.

Rules, from the catalogue issue:
- Accents, case, spacing and hyphens never matter: "CR-V", "cr v" and "crv" are the same key, and
  so are "volks wagen"/"Volkswagen" or "mazda3"/"Mazda 3" (spans of up to 3 words are joined).
- Length-aware tolerance: names of 3 characters or fewer (X1, A1, 208, Rio, Uno, Gol, Q70) match
  only exactly or through an alias; 4–7 characters allow one edit (a swap counts as one);
  8 or more allow two. Spanish phonetic spellings (b/v, s/z/c, ll/y, silent h, k/qu/c, g/j) are
  compared on a phonetic key as well.
- Ordinary Spanish words are never fuzzy-matched ("venta" is not "Vento"), and model names that
  are also words or places ("uno", "rio", "Durango") count only next to their make.
- One edit beyond the tolerance is a grey zone: it produces a "¿Quisiste decir …?" suggestion
  instead of a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from catalog.lexicon import (
    BODY_WORDS,
    MULTIWORD_PLACES,
    TRANSMISSION_WORDS,
    USE_WORDS,
    is_common,
    is_ordinary_word,
)
from catalog.spans import (
    code_ok,
    first_letter_ok,
    fuzzy_span,
    inflected_common,
    plausible_near_miss,
)
from spanish import alnum_words, phonetic_name_key

# The catalogue's lookup key (models, services, selectors and evaluation read it from here).
from spanish import compact_key as compact_key

_DIGITS = re.compile(r"\d+")
_ARTICLES = frozenset({"un", "una", "el", "la", "los", "las", "unos", "unas"})
_KIND_PRIORITY = {"model": 0, "make": 1, "body": 2, "transmission": 3, "use": 4}
_FUZZY_CUTOFF = 3
_NO_MATCH = 99


def accept_distance(length: int) -> int:
    """Edits tolerated for a name of ``length`` characters (0 for short names: exact only)."""
    if length <= 3:
        return 0
    return 1 if length <= 7 else 2


def grey_distance(length: int) -> int | None:
    """Edits that make a "¿Quisiste decir …?" suggestion; None below 6 characters, where one
    more edit turns too many ordinary words into car names."""
    if length <= 5:
        return None
    return accept_distance(length) + 1


@dataclass(frozen=True)
class Term:
    """One thing a customer can name: a make, a model, a body type, a use or a transmission."""

    kind: str  # "make" | "model" | "body" | "use" | "transmission"
    key: str
    value: str  # canonical make/model name, or the body/use/transmission code
    make: str | None = None  # the canonical make of make and model terms
    needs_make: bool = False  # ambiguous model names count only next to their make
    # The short last word that tells apart models of one family ("Clase C" vs "Clase E",
    # "Serie 3", "CX-5"): a misspelling may touch the stem, never drop or change this code.
    code: str | None = None
    words: int = 1  # how many words the name has ("Serie 2": 2), to prefer same-shaped spans
    # Makes and models with a car in stock. Only these are fuzzy-matched or suggested: a name
    # out of stock counts only when typed as it is ("un Cavalier"), never guessed from a typo.
    in_stock: bool = True

    @property
    def target(self) -> tuple[str, str | None, str]:
        return (self.kind, self.make, self.value)

    @property
    def display(self) -> str:
        return f"{self.make} {self.value}" if self.kind == "model" else self.value


@dataclass(frozen=True)
class TextMatch:
    """What a customer's message says about the car they want (None/empty: not mentioned)."""

    make: str | None = None
    model: str | None = None
    body_type: str | None = None
    uses: tuple[str, ...] = ()
    transmission: str | None = None
    suggestion: str | None = None


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    term: Term
    distance: int
    exact: bool

    @property
    def rank(self) -> tuple[int, int, int, int]:
        # Deliberately without the kind: two different names equally close are ambiguous. A
        # name with as many words as the span wins a tie ("seri 2" is Serie 2, not SEI2).
        shape = 0 if self.term.words == self.end - self.start else 1
        return (0 if self.exact else 1, self.start - self.end, self.distance, shape)


@dataclass(frozen=True)
class ModelInfo:
    body_type: str
    seats: int | None


class Vocabulary:
    """Every name and word the matcher knows, indexed for exact and fuzzy look-up."""

    def __init__(self, terms: Iterable[Term], model_info: dict[tuple[str, str], ModelInfo]):
        exact: dict[str, list[Term]] = {}
        seen: set[tuple[str, tuple[str, str | None, str]]] = set()
        max_words = 1
        for term in terms:
            if not term.key or (term.key, term.target) in seen:
                continue
            seen.add((term.key, term.target))
            exact.setdefault(term.key, []).append(term)
        self.exact: dict[str, tuple[Term, ...]] = {k: tuple(v) for k, v in exact.items()}
        self.fuzzy_terms: list[Term] = []
        self.blockers: list[Term] = []  # short names: never fuzzy-matched, but they veto
        for key_terms in self.exact.values():
            for term in key_terms:
                if len(term.key) < 4:
                    self.blockers.append(term)
                elif term.in_stock:
                    self.fuzzy_terms.append(term)
        self.fuzzy_keys = [t.key for t in self.fuzzy_terms]
        self.fuzzy_phonetic = [phonetic_name_key(t.key) for t in self.fuzzy_terms]
        self.codes = frozenset(t.code for t in self.fuzzy_terms if t.code)
        self.blocker_keys = [t.key for t in self.blockers]
        self.blocker_phonetic = [phonetic_name_key(t.key) for t in self.blockers]
        for phrase in (*BODY_WORDS, *USE_WORDS, *TRANSMISSION_WORDS):
            max_words = max(max_words, len(phrase.split()))
        # Names are joined across up to three words ("volks wagen", "land rover", "cx 5").
        self.max_span = max(3, max_words)
        self.model_info = model_info
        self.make_by_key: dict[str, str] = {}
        self.models_by_key: dict[str, list[Term]] = {}
        for key, key_terms in self.exact.items():
            for term in key_terms:
                if term.kind == "make" and term.make:
                    self.make_by_key.setdefault(key, term.make)
                elif term.kind == "model":
                    self.models_by_key.setdefault(key, []).append(term)

    # -- look-ups used by the recommender -------------------------------------------------------
    def resolve_make(self, name: str) -> str:
        """The make key of a make name or alias ("VW" → "volkswagen"); unknown names unchanged."""
        key = compact_key(name)
        make = self.make_by_key.get(key)
        return compact_key(make) if make else key

    def resolve_model(self, name: str, *, make_key: str | None) -> tuple[str | None, str]:
        """(make key, model key) of a model name or alias, preferring the given make."""
        key = compact_key(name)
        terms = self.models_by_key.get(key, [])
        for term in terms:
            if make_key is None or compact_key(term.make or "") == make_key:
                return compact_key(term.make or ""), compact_key(term.value)
        return make_key, key

    def info(self, make_key: str | None, model_key: str) -> ModelInfo | None:
        if make_key is None:
            matches = [v for (mk, md), v in self.model_info.items() if md == model_key]
            return matches[0] if len(matches) == 1 else None
        return self.model_info.get((make_key, model_key))

    # -- matching -------------------------------------------------------------------------------
    def _fuzzy(self, span: list[str]) -> list[tuple[Term, int]]:
        """Names within reach of a misspelt span, with their edit distance (grey zone included).

        A name is dropped when a short name (exact-only) is at least as close: "goll" is a
        misspelt Gol, not a Golf.
        """
        if not self.fuzzy_terms:
            return []
        query = "".join(span)
        probes = (query, phonetic_name_key(query))
        # Per index: (distance on the spelling, distance on the phonetic key).
        best: dict[int, list[int]] = {}
        for space, choices in enumerate((self.fuzzy_keys, self.fuzzy_phonetic)):
            hits = process.extract(
                probes[space], choices, scorer=OSA.distance, score_cutoff=_FUZZY_CUTOFF, limit=None
            )
            for choice, distance, index in hits:
                if first_letter_ok(probes[space], choice, self.fuzzy_terms[index].key):
                    best.setdefault(index, [_NO_MATCH, _NO_MATCH])[space] = int(distance)
        if not best:
            return []
        query_digits = _DIGITS.findall(query)
        found = []
        for index, distances in best.items():
            term = self.fuzzy_terms[index]
            length = len(term.key)
            distance = min(distances)
            if distance > (grey_distance(length) or accept_distance(length)):
                continue
            if _DIGITS.findall(term.key) != query_digits or not code_ok(term.code, span, query):
                continue
            found.append((term, distances))
        if found and self.blockers:
            veto: list[tuple[tuple[str, str | None, str], int, int]] = []
            for space, choices in enumerate((self.blocker_keys, self.blocker_phonetic)):
                hits = process.extract(
                    probes[space], choices, scorer=OSA.distance, score_cutoff=1, limit=None
                )
                for _, distance, index in hits:
                    pair = (int(distance), _NO_MATCH)
                    raw, phonetic = pair if space == 0 else pair[::-1]
                    veto.append((self.blockers[index].target, raw, phonetic))
            found = [
                (term, distances)
                for term, distances in found
                if not any(
                    target != term.target and (raw <= distances[0] or phonetic < distances[1])
                    for target, raw, phonetic in veto
                )
            ]
        return [(term, min(distances)) for term, distances in found]

    def match(self, text: str, *, car_context: bool = False) -> TextMatch:
        """Read make, model, body type, uses and transmission from one customer message.

        ``car_context``: the message is about cars (the agent asked what car, or it states a
        price). A model named like a word or a place ("Rio", "Durango") then counts when typed
        exactly and not after a place preposition ("rio de 250" is a Kia Rio, "vivo en
        Durango" is not a Dodge); without it, only next to its make.
        """
        tokens = alnum_words(text).split()
        if not tokens:
            return TextMatch()
        candidates: list[_Candidate] = []
        grey: list[_Candidate] = []
        held: list[_Candidate] = []  # ambiguous names waiting for their make
        for size in range(min(self.max_span, len(tokens)), 0, -1):
            for start in range(len(tokens) - size + 1):
                span = tokens[start : start + size]
                key = "".join(span)
                terms = self.exact.get(key)
                if terms:
                    # "a 1" or "x 1" in a sentence is not an Audi A1 or a BMW X1.
                    if size > 1 and len(key) <= 3 and any(is_common(t) for t in span):
                        continue
                    for term in terms:
                        if not code_ok(term.code, span, key):
                            continue  # "clasee" is a doubled e, not "Clase E" glued
                        cand = _Candidate(start, start + size, term, 0, True)
                        (held if term.needs_make else candidates).append(cand)
                    continue
                if not fuzzy_span(span, key, self.codes):
                    continue
                # "pasas" is no Passat, "mensuales" no "manual"; "chicoss" is "chicos" typed twice.
                inflected = size == 1 and inflected_common(key)
                stem_known = key[:-1] in self.exact or key[:-2] in self.exact
                for term, distance in self._fuzzy(span):
                    if inflected and (term.kind in ("make", "model") or not stem_known):
                        continue
                    cand = _Candidate(start, start + size, term, distance, False)
                    if distance > accept_distance(len(term.key)):
                        if plausible_near_miss(key, term.key):
                            grey.append(cand)
                    elif term.needs_make:
                        held.append(cand)
                    else:
                        candidates.append(cand)

        chosen = _select(candidates, len(tokens))
        makes = {c.term.make for c in chosen if c.term.kind == "make"}
        released = [
            c
            for c in held
            if c.term.make in makes or (car_context and _named_in_context(tokens, c))
        ]
        if released:
            chosen = _select(candidates + released, len(tokens))
        return self._interpret(tokens, chosen, grey, held)

    def _interpret(
        self,
        tokens: list[str],
        chosen: list[_Candidate],
        grey: list[_Candidate],
        held: list[_Candidate],
    ) -> TextMatch:
        chosen = sorted(chosen, key=lambda c: c.start)
        # A name typed exactly wins over a fuzzy one anywhere in the message: in "me pasas info
        # del vento", the exact Vento, not "pasas" read as a Passat.
        by_exactness = sorted(chosen, key=lambda c: not c.exact)
        makes = [c.term for c in by_exactness if c.term.kind == "make"]
        models = [c.term for c in by_exactness if c.term.kind == "model"]
        make = makes[0].make if makes else None
        model_term = next((m for m in models if make is None or m.make == make), None)
        suggestion: str | None = None
        if model_term is not None:
            make = model_term.make
        elif models:  # "nissan corolla": keep the make they typed, ask about the model
            suggestion = models[0].display
        body = next((c for c in chosen if c.term.kind == "body"), None)
        uses = tuple(dict.fromkeys(c.term.value for c in chosen if c.term.kind == "use"))
        transmission = next((c.term.value for c in chosen if c.term.kind == "transmission"), None)
        body_type = body.term.value if body else None
        if body is not None and body.term.key.startswith("camioneta") and "cargo" in uses:
            body_type = "pickup"  # "camioneta para carga" is a pickup in Mexico
        if model_term is None and suggestion is None:
            suggestion = _suggest(tokens, chosen, grey, held, make)
        return TextMatch(
            make=make,
            model=model_term.value if model_term else None,
            body_type=body_type,
            uses=uses,
            transmission=transmission,
            suggestion=suggestion,
        )


def _select(candidates: list[_Candidate], n_tokens: int) -> list[_Candidate]:
    """Pick non-overlapping candidates: exact first, then longer spans, then fewer edits.

    When the best candidates for one span name different things ("fort": Ford or Forte?), the
    span is dropped unless a make typed elsewhere settles it, or they are models of one make.
    """
    by_span: dict[tuple[int, int], list[_Candidate]] = {}
    for cand in candidates:
        by_span.setdefault((cand.start, cand.end), []).append(cand)
    context_makes = {c.term.make for c in candidates if c.term.kind == "make" and c.exact}
    used = [False] * n_tokens
    chosen: list[_Candidate] = []
    for (start, end), group in sorted(by_span.items(), key=lambda kv: min(c.rank for c in kv[1])):
        if any(used[start:end]):
            continue
        best_rank = min(c.rank for c in group)
        best = [c for c in group if c.rank == best_rank]
        pick = _disambiguate(best, context_makes)
        if pick is None:
            continue
        chosen.append(pick)
        for i in range(start, end):
            used[i] = True
    return chosen


def _disambiguate(best: list[_Candidate], context_makes: set[str | None]) -> _Candidate | None:
    targets = {c.term.target for c in best}
    if len(targets) == 1:
        return best[0]
    in_context = [c for c in best if c.term.make in context_makes]
    if len({c.term.target for c in in_context}) == 1:
        return in_context[0]
    makes = {c.term.make for c in best}
    if all(c.term.kind in ("make", "model") for c in best) and len(makes) == 1:
        first = best[0]
        make = first.term.make or ""
        return _Candidate(
            first.start, first.end, Term("make", compact_key(make), make, make), 0, first.exact
        )
    return None


def _suggest(
    tokens: list[str],
    chosen: list[_Candidate],
    grey: list[_Candidate],
    held: list[_Candidate],
    make: str | None,
) -> str | None:
    """The grey-zone "¿Quisiste decir …?" candidate, if any (never a guess presented as a match)."""
    used = {i for c in chosen for i in range(c.start, c.end)}
    options = [
        c
        for c in grey
        if c.term.kind in ("make", "model")
        and not used.intersection(range(c.start, c.end))
        and ((c.term.kind == "model" and c.term.make == make) or make is None)
    ]
    # A message that is just an ambiguous name ("Durango", "un 208") deserves a question; a
    # place alone may be the model asked for, an ordinary word alone is not ("uno").
    if len(tokens) <= 2 and all(t in _ARTICLES for t in tokens[:-1]):
        options.extend(c for c in held if not is_ordinary_word(c.term.key) and make is None)
    if not options:
        return None
    best = min(options, key=lambda c: (c.distance, c.start - c.end, _KIND_PRIORITY[c.term.kind]))
    same = {c.term.target for c in options if c.distance == best.distance}
    if len(same) > 1:
        return None
    return best.term.display


# Words before a place ("en Durango", "de León", "al río"): the name after them is not a car.
_PLACE_PREPOSITIONS = frozenset({"en", "de", "del", "al", "por", "desde", "cerca", "hacia", "a"})
# Model names that are numerals or pronouns ("quiero uno"): never without their make.
_NUMERAL_NAMES = frozenset({"uno", "una", "one"})


def _named_in_context(tokens: list[str], cand: _Candidate) -> bool:
    """An ambiguous model typed exactly, in a message about cars, not after a preposition."""
    if not cand.exact or cand.term.key in _NUMERAL_NAMES or cand.term.key.isdigit():
        return False  # "traigo 700" is money, not a RAM 700
    around = (
        " ".join(tokens[cand.start : cand.end]),
        " ".join(tokens[max(0, cand.start - 1) : cand.end]),
        " ".join(tokens[cand.start : cand.end + 1]),
    )
    if any(phrase in MULTIWORD_PLACES for phrase in around):
        return False  # "Nuevo León", "Santa Fe": a place
    return cand.start == 0 or tokens[cand.start - 1] not in _PLACE_PREPOSITIONS
