"""Pure text processing for the knowledge base: no Django, no database.

The same normaliser runs on articles (index time) and on customers' messages (query time), so every
rule here (accent folding, WhatsApp slang, synonyms, stemming) is symmetric: "sede" in an article
and "sucursal" in a question end up as the same term. The word lists it applies are in
``knowledge.lexicon`` and ``knowledge.synonyms``; Markdown is turned into text by
``knowledge.markdown_text`` and articles are cut by ``knowledge.chunking``.
"""

from __future__ import annotations

import functools
import itertools
import re

from rapidfuzz.distance import OSA

import spanish
from knowledge import direction
from knowledge.lexicon import (
    CAR_MAKES,
    PHRASES,
    PLACES,
    PRESENCE_PHRASE,
    SLANG,
    STOP_WORDS,
    wordlist,
)
from knowledge.synonyms import SYNONYM_GROUPS, WEAK_VERBS, WEAK_WORDS

# The knowledge base's stem and sound key (the index and the selectors read them from here).
from spanish import phonetic_key as phonetic_key
from spanish import stem as stem

# --- Folding and tokenising -----------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z]+|\d+")
# Customers paste whole paragraphs; the first words carry the question.
MAX_QUERY_TOKENS = 40


def fold(text: str) -> str:
    """Lower-case (``str.casefold``) and strip accents (á→a, ñ→n, ü→u): customers often type
    without them. The knowledge base's one folding, at index and at query time."""
    return spanish.fold(text, casefold=True)


_PLACES = (
    rf"\b({'|'.join(sorted(PLACES, key=len, reverse=True))})\b",
    lambda m: f" {PLACES[m.group(1)]} ",
)


def _rewrite(folded: str, *, keep_cities: bool = False) -> str:
    """Typos inside a phrase, whose transaction it is, then the phrase rules (``keep_cities``:
    not the one that reads a city with no branch as a branch question)."""
    folded = _fix_phrase_typos(folded)
    # A buying or selling verb is read as the customer's own action ("¿ustedes compran autos?"
    # is the customer selling) before any phrase or word rule sees it.
    folded = direction.rewrite(direction.delivery(folded))
    for pattern, repl in _KEY_PHRASE_RES if keep_cities else _PHRASE_RES:
        folded = pattern.sub(repl, folded)
    return folded


_PHRASE_RES = tuple((re.compile(rf"\b(?:{pattern})\b"), repl) for pattern, repl in PHRASES)
# The phrase rules joining words across "y", applied before a message is split at it.
_JOINED_RES = tuple(
    compiled
    for compiled, (pattern, _) in zip(_PHRASE_RES, PHRASES, strict=True)
    if " y " in pattern
)
_KEY_PHRASE_RES = tuple(
    compiled
    for compiled, phrase in zip(_PHRASE_RES, PHRASES, strict=True)
    if phrase != PRESENCE_PHRASE
)
# The words the phrase rules spell out ("cuenta" of "a cuenta", "facilidades"…): a slip of one
# letter in one of them ("autos a cuneta") would keep the rule from firing.
_PHRASE_WORDS: frozenset[str] = frozenset(
    w for pattern, _ in PHRASES for w in re.findall(r"(?<![\\?])\b[a-z]{5,}", pattern)
)
_WORD = re.compile(r"[a-z]{5,}")


def _phrase_fires(text: str, start: int, end: int) -> bool:
    return any(
        m.start() <= start and end <= m.end()
        for pattern, _ in _PHRASE_RES
        for m in pattern.finditer(text)
    )


@functools.lru_cache(maxsize=20_000)
def _fix_phrase_typos(folded: str) -> str:
    """A word one slip (a letter changed, two swapped) away from a word of a phrase rule is
    corrected when, and only when, the corrected text makes that rule fire around it: "autos a
    cuneta" is "autos a cuenta", but "cuneta" alone stays a word the index may correct or not.
    Another form of the same word is no slip: "me entregan el carro" (Kavak delivers) is not
    "entregar el carro" (the customer hands it over), whose rule reads a trade-in."""
    for match in reversed(list(_WORD.finditer(folded))):
        word = match.group(0)
        if word in _PHRASE_WORDS or word in SLANG:
            continue
        for fixed in _near_phrase_words(word):
            if stem(fixed) == stem(word):
                continue
            candidate = folded[: match.start()] + fixed + folded[match.end() :]
            if _phrase_fires(
                candidate, match.start(), match.start() + len(fixed)
            ) and not _phrase_fires(folded, match.start(), match.end()):
                folded = candidate
                break
    return folded


@functools.lru_cache(maxsize=50_000)
def _near_phrase_words(word: str) -> tuple[str, ...]:
    return tuple(
        sorted(w for w in _PHRASE_WORDS if len(w) == len(word) and OSA.distance(word, w) == 1)
    )


_PLACES_RE = re.compile(_PLACES[0])


def _build_synonyms() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for group in SYNONYM_GROUPS:
        canonical = stem(group[0])
        for word in group:
            mapping[stem(word)] = canonical
    return mapping


SYNONYMS: dict[str, str] = _build_synonyms()
WEAK_STEMS: frozenset[str] = frozenset(stem(v) for v in WEAK_VERBS) - {""}

# Words the fuzzy matcher may also correct to, even before any article uses them.
LEXICON_WORDS: frozenset[str] = frozenset(w for group in SYNONYM_GROUPS for w in group)


# Function words as customers misspell them ("kiero", "ay", "nesesito", "ase"): a word that
# sounds like a stop-word or a weak word is one, not an unknown word that counts against every
# article. Sounds shared with a word of the lexicon or the slang list are left alone.
_STOP_SOUNDS: dict[str, int] = {}  # sound → length of the function word
for _word in sorted(STOP_WORDS | WEAK_WORDS):
    if len(_word) >= 2:
        _STOP_SOUNDS.setdefault(phonetic_key(_word), len(_word))
for _word in LEXICON_WORDS | set(SLANG) | set(SLANG.values()):
    _STOP_SOUNDS.pop(phonetic_key(_word), None)


@functools.lru_cache(maxsize=50_000)
def _misspelt_function_word(word: str) -> bool:
    """A slip of one letter or of spelling only: "bbva" does not sound like "va" once its
    doubled letters merge."""
    size = _STOP_SOUNDS.get(phonetic_key(word)) if not word.isdigit() else None
    return size is not None and abs(size - len(word)) <= 1


# Words whose Snowball stem collides with another word's: "sedán" → "sed", the stem of "sede".
_KEEP_WHOLE = {
    "sedan": "sedan",
    "sedanes": "sedan",
    "pasos": "pasos",
    "paso": "pasos",
    # "contrato" (the credit contract) and "contratando" (hiring) share the stem "contrat".
    "contrato": "contrato",
    "contratos": "contrato",
    # "casa" is "home" (a test drive at home); "casas" are houses, no Kavak topic.
    "casas": "casas",
}


# Verb endings customers write (present, imperfect, preterite, conditional, subjunctive,
# gerund). The stemmer leaves many of them ("entra" is not "entrar"'s stem), so a form of a frame
# verb is its root plus one of these. Participles and an -ar verb's "-es" are left out: they make
# nouns ("en buen estado", "intereses").
_AR_ENDINGS = frozenset(wordlist("o as a amos an aba aban e en ando aria arian aron aste"))
_ER_IR_ENDINGS = frozenset(
    wordlist("o es e emos imos en ia ian iendo eria erian iria irian io ieron a an")
)
_WEAK_ROOTS: dict[str, frozenset[str]] = {
    verb[:-2]: _AR_ENDINGS if verb.endswith("ar") else _ER_IR_ENDINGS
    for verb in WEAK_VERBS
    if len(verb) >= 5
}


@functools.lru_cache(maxsize=50_000)
def weak_verb_form(word: str) -> bool:
    """A form of a verb that frames a question (``synonyms.WEAK_VERBS``): "entra", "conocía",
    "interesan"."""
    if len(word) <= 3:
        return False
    if stem(word) in WEAK_STEMS:
        return True
    return any(word[size:] in _WEAK_ROOTS.get(word[:size], ()) for size in range(3, len(word)))


def term_of(word: str) -> str:
    """The index term of one folded, non-stop word: its stem, then its synonym group."""
    if word in _KEEP_WHOLE:
        return _KEEP_WHOLE[word]
    stemmed = stem(word)
    return SYNONYMS.get(stemmed, stemmed)


# Pronouns glued to an infinitive: "probarlo" → "probar", "venderselo" → "vender".
_ENCLITIC = re.compile(
    r"^(\w{3,}(?:ar|er|ir))(?:me|te|se|nos)?(?:lo|la|los|las|le|les|me|te|nos)?$"
)


def _strip_enclitic(word: str) -> str:
    match = _ENCLITIC.match(word)
    return match.group(1) if match else word


_PLACE_PHRASES = tuple(
    (pattern, repl) for pattern, repl in _PHRASE_RES if repl.strip() in set(PLACES.values())
)


def places_named(text: str) -> str:
    """``text`` folded, with the names of places as their area ("nuevo león" → "monterrey")."""
    folded = fold(text)
    for pattern, repl in _PLACE_PHRASES:
        folded = pattern.sub(repl, folded)
    return _PLACES_RE.sub(_PLACES[1], folded)


def words(text: str, *, limit: int | None = None, keep_cities: bool = False) -> list[str]:
    """Folded content words of ``text``: phrases rewritten, slang expanded, stop-words dropped
    (``keep_cities``: a city with no branch stays itself, see ``_rewrite``)."""
    folded = _PLACES_RE.sub(_PLACES[1], _rewrite(fold(text), keep_cities=keep_cities))
    out: list[str] = []
    for raw in _TOKEN.findall(folded):
        word = _strip_enclitic(SLANG.get(raw, raw))
        if (
            word in STOP_WORDS
            or word in WEAK_WORDS
            or weak_verb_form(word)
            or (len(word) == 1 and not word.isdigit())
            or (word.endswith("mente") and len(word) > 7)  # adverbs: "exactamente", "realmente"
            or _misspelt_function_word(word)
        ):
            continue
        out.append(word)
        if limit is not None and len(out) >= limit:
            break
    return out


# A lookahead, so that pairs may share a word: "estoy en buró de crédito" holds "buró de
# crédito" after "estoy en buró".
_HEAD_COMPLEMENT = re.compile(
    r"\b(?=([a-z]{4,}) (?:de|del|de la|de los|de las|en|en el|en la|para|para el|para la)"
    r" ([a-z]{4,})\b)"
)


# The terms of a car itself ("auto", "carro", "modelo", "seminuevo"), which a make describes.
_CAR_TERMS = frozenset(("aut", "model", "seminuev"))


# Pronouns only a verb follows ("les caigo", "me queda"); "la", "lo", "los" are articles too.
_CLITICS = frozenset(("me", "te", "se", "nos", "le", "les"))


def head_complements(text: str) -> list[tuple[str, str]]:
    """(noun, complement) pairs of "X de/en/para Y" phrases, both content words (folded).

    Used to tell "el clima en Monterrey" (a question about the weather) from "garantía de
    fábrica" (a question about the warranty) when one of the two words is unknown.
    """
    # A rewritten phrase leaves spaces around its term ("el clima en  monterrey").
    folded = " ".join(_rewrite(fold(text)).split())
    pairs = []
    for match in _HEAD_COMPLEMENT.finditer(folded):
        before = folded[: match.start()].split()[-1:]
        if before and before[0].isdigit():
            continue  # a measure ("2 meses de comprarlo"), not a thing
        if before and before[0] in _CLITICS:
            continue  # a verb ("¿dónde les caigo en la CDMX?"), not a thing
        head, complement = (_strip_enclitic(SLANG.get(w, w)) for w in match.groups())
        if all(
            w not in STOP_WORDS and w not in WEAK_WORDS and not weak_verb_form(w)
            for w in (head, complement)
        ):
            pairs.append((head, complement))
    # A make right after a business word names that make's business: "la agencia Chevrolet",
    # "el servicio Toyota" (as "la garantía de Nissan" does). After a car word ("un auto
    # Nissan") it only describes the car.
    tokens = folded.split()
    pairs += [
        (head, make)
        for head, make in itertools.pairwise(tokens)
        if make in CAR_MAKES
        and head not in STOP_WORDS | WEAK_WORDS
        and len(head) > 3
        and term_of(head) not in _CAR_TERMS
    ]
    return pairs


def terms(text: str, *, keep_cities: bool = False) -> list[str]:
    """Index terms of ``text`` in order (with repeats)."""
    return [term_of(w) for w in words(text, keep_cities=keep_cities)]


# Where a customer starts another thought: punctuation, "pero", "porque", "y", "o", "además"…
_CLAUSE_BREAK = re.compile(
    r"[?¿!¡.;,:\n]+|\b(?:pero|porque|aparte|ademas|tambien|de paso|y|e|tons|entonces)\b"
    r"|(?:^|\s)\d[).-](?=\s)"  # "1) … 2) …"
)
MAX_CLAUSES = 4


def clauses(text: str) -> list[tuple[str, list[str]]]:
    """Content words of each clause of ``text`` (only when there are two or more).

    A long WhatsApp message mixes context ("estoy buscando un carro para mi hija…") with the
    question ("…¿tienen garantía?"), and sometimes holds two questions. Each clause is scored on
    its own too, so the context does not drown the question and the second question is seen.
    """
    # What the whole message says of a purchase already made reads each clause's hand-over; a
    # pair a phrase rule reads as one thing ("papeles y trámites de mi auto") is one clause.
    folded = direction.delivery(fold(text)[:2000])
    for pattern, repl in _JOINED_RES:
        folded = pattern.sub(repl, folded)
    pieces = _CLAUSE_BREAK.split(folded)
    separators = [m.group(0) for m in _CLAUSE_BREAK.finditer(folded)] + [""]
    # A clause followed by "?" keeps it: it is a question even without a question word.
    parts = [
        (part.strip() + (" ?" if "?" in sep else ""), words(part))
        for part, sep in zip(pieces, separators, strict=False)
    ]
    parts = [p for p in parts if p[1]]
    if len(parts) < 2:
        return []
    # Keep the clauses with most content words (a question), in their original order.
    keep = sorted(sorted(range(len(parts)), key=lambda i: -len(parts[i][1]))[:MAX_CLAUSES])
    return [parts[i] for i in keep]


def normalize_question(text: str) -> str:
    """A stable key for "the same question": folded content words, in order, space-separated."""
    return " ".join(words(text, limit=MAX_QUERY_TOKENS))[:300]
