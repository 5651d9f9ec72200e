"""The query side of the knowledge index: typo correction and the analysis of a message.

A mixin of ``knowledge.index.Snapshot`` (it reads the snapshot's vocabulary and posting lists):
folded words become weighted index terms, misspelt words are corrected against the words the
index knows, and a message is read whole and clause by clause. Pure Python.
"""

from __future__ import annotations

import math
from dataclasses import replace

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge import intent
from knowledge import text as kb_text
from knowledge.index_records import QueryAnalysis, QueryTerm
from knowledge.lexicon import CAR_MAKES, FOREIGN_NAMES

# Weight of a term reached by typo correction, by edit distance.
FUZZY_WEIGHT = {1: 0.85, 2: 0.7}
# Extra weight of a term the question names more than once (times the log of the repeats).
QTF_BOOST = 0.5


class QueryReader:
    """Question → weighted index terms, for a snapshot of the index (see ``Snapshot``)."""

    # Declared by ``Snapshot``: the typo-correction vocabulary, the posting lists and the
    # vocabulary by length and by sound (built lazily, once per snapshot).
    surface: dict[str, str]
    postings: dict[str, dict[int, float]]
    _by_length: dict[int, list[str]] | None
    _by_sound: dict[str, str] | None

    def _vocabulary(self) -> tuple[dict[int, list[str]], dict[str, str]]:
        """Known words by length, and by phonetic key (built lazily, once per snapshot)."""
        if self._by_length is None or self._by_sound is None:
            by_length: dict[int, list[str]] = {}
            by_sound: dict[str, str] = {}
            vocabulary = set(self.surface) | {
                w for w in kb_text.LEXICON_WORDS if kb_text.term_of(w) in self.postings
            }
            for word in sorted(vocabulary, key=lambda w: (-self._df(w), w)):
                if not word.isdigit():
                    by_length.setdefault(len(word), []).append(word)
                    by_sound.setdefault(kb_text.phonetic_key(word), word)
            self._by_length, self._by_sound = by_length, by_sound
        return self._by_length, self._by_sound

    def _df(self, word: str) -> int:
        return len(self.postings.get(self._term(word), ()))

    def _correct(self, word: str) -> tuple[str, int] | None:
        """The known word a misspelt one most likely meant, with its edit distance.

        First a word that sounds the same (b/v, s/c/z…; counted as distance 1); then, for words of
        six letters or more, the closest by OSA distance (≤ 1, or ≤ 2 from eight letters with the
        same first letter). Short words are not corrected by distance: "motos" is not "motor".
        """
        if word.isdigit() or len(word) < 4:
            return None
        by_length, by_sound = self._vocabulary()
        same_sound = by_sound.get(kb_text.phonetic_key(word))
        if same_sound and same_sound != word:
            return same_sound, 1
        if len(word) < 6:
            vowel_slip = self._vowel_slip(word, by_length.get(len(word), []))
            return (vowel_slip, 1) if vowel_slip else None
        max_distance = 1 if len(word) <= 7 else 2
        candidates: list[str] = []
        for size in range(len(word) - max_distance, len(word) + max_distance + 1):
            candidates.extend(by_length.get(size, ()))
        matches = [
            m
            for m in process.extract(
                word, candidates, scorer=OSA.distance, score_cutoff=max_distance, limit=8
            )
            # Two slips in one word are believable, not at the first letter as well:
            # "verificacion" is not a misspelt "certificacion".
            if m[1] <= 1 or m[0][0] == word[0]
        ]
        if not matches:
            return None
        best = min(m[1] for m in matches)
        # Ties go to the most frequent term: the likelier intended word.
        choice = max((m[0] for m in matches if m[1] == best), key=lambda w: (self._df(w), w))
        return choice, int(best)

    def _vowel_slip(self, word: str, known: list[str]) -> str | None:
        """A short word with one vowel changed ("linia" for "linea"): the most
        frequent such known word. Consonants are not changed: "motos" is not "motor"."""
        vowels = "aeiou"
        slips = [
            w
            for w in known
            if sum(a != b for a, b in zip(w, word, strict=True)) == 1
            and all(a == b or (a in vowels and b in vowels) for a, b in zip(w, word, strict=True))
        ]
        return max(slips, key=lambda w: (self._df(w), w)) if slips else None

    def correct(self, word: str) -> str | None:
        """The index term of the known word a (possibly misspelt) word most likely means."""
        corrected = self._correct(word)
        return self._term(corrected[0]) if corrected else None

    def _term(self, word: str) -> str:
        return self.surface.get(word) or kb_text.term_of(word)

    def _resolve(self, word: str) -> QueryTerm | None:
        """The index term a folded word stands for (typos corrected), or None if unknown."""
        term = kb_text.term_of(word)
        if term in self.postings:
            return QueryTerm(term, 1.0, word)
        # A correctly spelt word of the lexicon, or a car's name, is not "corrected" into
        # another word.
        if word in kb_text.LEXICON_WORDS or word in intent.CAR_NAMES:
            return None
        corrected = self._correct(word)
        if corrected:
            match, distance = corrected
            fixed = self._term(match)
            if fixed in self.postings:
                return QueryTerm(fixed, FUZZY_WEIGHT[distance], match, word)
        return None

    def _analyze_words(
        self,
        words: list[str],
        memo: dict[str, QueryTerm | None],
        *,
        text: str = "",
        position: int = -1,
    ) -> QueryAnalysis:
        found: dict[str, QueryTerm] = {}
        repeats: dict[str, int] = {}
        unknown: list[str] = []
        for word in words:
            if word not in memo:
                memo[word] = self._resolve(word)
            qt = memo[word]
            if qt is None:
                if word not in unknown:
                    unknown.append(word)
            elif qt.term not in found:
                found[qt.term] = qt
            else:
                repeats[qt.term] = repeats.get(qt.term, 0) + 1
        # A concept named several ways ("falla… ¿me lo cubre la garantía?") is what the message
        # is about: query term frequency, damped.
        terms = tuple(
            replace(qt, weight=qt.weight * (1 + QTF_BOOST * math.log1p(repeats[qt.term])))
            if qt.term in repeats
            else qt
            for qt in found.values()
        )
        return QueryAnalysis(terms, tuple(unknown), text, position, tuple(words))

    def analyze(self, question: str) -> QueryAnalysis:
        """Question → weighted index terms, correcting typos against the index vocabulary."""
        return self._analyze_words(kb_text.words(question, limit=kb_text.MAX_QUERY_TOKENS), {})

    def analyze_message(self, question: str) -> tuple[QueryAnalysis, tuple[QueryAnalysis, ...]]:
        """The whole message and each of its clauses (none when it has only one)."""
        memo: dict[str, QueryTerm | None] = {}
        whole = self._analyze_words(kb_text.words(question, limit=kb_text.MAX_QUERY_TOKENS), memo)
        whole = replace(whole, **self._phrase_flags(question, memo))  # type: ignore[arg-type]
        parts = tuple(
            replace(
                self._analyze_words(ws, memo, text=clause, position=i),
                **self._phrase_flags(clause, memo),  # type: ignore[arg-type]
            )
            for i, (clause, ws) in enumerate(kb_text.clauses(question))
        )
        # A clause made only of typo-corrected words ("mexicali" → "mexicana") is too weak to
        # be a question of its own.
        return whole, tuple(p for p in parts if any(not t.corrected_from for t in p.terms))

    def _phrase_flags(self, text: str, memo: dict[str, QueryTerm | None]) -> dict[str, bool]:
        """``unknown_head`` and ``foreign_complement`` of a message or clause."""
        flags = {"unknown_head": False, "foreign_complement": False}
        for head, complement in kb_text.head_complements(text):
            for word in (head, complement):
                if word not in memo:
                    memo[word] = self._resolve(word)
            if memo[head] is None and memo[complement] is not None:
                flags["unknown_head"] = True
            if (
                memo[head] is not None
                and memo[complement] is None
                and complement in FOREIGN_NAMES | CAR_MAKES
            ):
                flags["foreign_complement"] = True
        return flags
