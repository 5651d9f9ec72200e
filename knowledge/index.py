"""The in-process retrieval index: BM25 over chunks plus a calibrated confidence. Pure Python.

A ``Snapshot`` is immutable once built: a search holds a reference to one snapshot while another
thread may swap in a patched copy, so no lock is needed to read. ``knowledge.process_index`` decides
when to build or patch (from the database) and keeps the current snapshot per process.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from operator import itemgetter

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge import intent
from knowledge import text as kb_text
from knowledge.lexicon import CAR_MAKES, FOREIGN_NAMES
from knowledge.questions import QuestionIndex

# BM25 parameters. b is lower than the textbook 0.75: chunks are short and of similar length,
# and a long list of addresses should not be punished much for being long.
K1 = 1.2
B = 0.6
# Weight of a term reached by typo correction, by edit distance.
FUZZY_WEIGHT = {1: 0.85, 2: 0.7}
# Posting lists this short are walked whole (cheaper than sorting them by impact).
_SHORT_LIST = 64
# A long list is walked for newcomers at most this far down its impact order. Only a question
# made of words that hundreds of articles use reaches it ("comprar un carro" in a catalogue of
# car guides), where the ranker's candidates come from the golden questions and the sections'
# own scores anyway; below the cap the top-k is exact.
_WALK_CAP = 256
# Extra weight of a term the question names more than once (times the log of the repeats).
QTF_BOOST = 0.5
_ImpactList = tuple["array[float]", "array[int]"]  # a posting list: impacts and ids, best first
# Candidates kept for the margin against "the best chunk of another article".
_TOP_FOR_MARGIN = 10

# Logistic calibration of confidence, fitted with ``manage.py evaluate_kb --calibrate`` on the
# golden questions (positives: top article right) and the out-of-domain set (negatives).
# Candidate features, all computed for every hit (the admin "probar" page shows them):
# - coverage: idf-weighted share of the question's words that the chunk contains; a word no article
#   has ever used counts fully against it ("¿tienen sucursal en Tijuana?" covers about a quarter);
# - specificity: idf of the rarest matched word relative to an unseen one ("auto" says little);
# - margin: lead over the best chunk of another article;
# - multi: at least two of the question's words matched.
# Only coverage is used: on the shipped sets, adding margin/multi/specificity separated answerable
# from out-of-domain questions worse (the lowest-scored golden question fell below the highest
# out-of-domain one). Re-fit when the articles or the question sets change a lot.
FEATURES: tuple[str, ...] = ("coverage",)
CALIBRATION: dict[str, float] = {"bias": -2.46, "coverage": 4.63}


@dataclass(frozen=True)
class IndexedChunk:
    chunk_id: int
    article_id: int
    article_slug: str
    article_title: str
    heading: str
    text: str


@dataclass(frozen=True)
class ChunkRow:
    """A chunk as loaded from the database."""

    chunk_id: int
    article_id: int
    article_slug: str
    article_title: str
    heading: str
    text: str
    terms: Mapping[str, int]
    words: str
    length: int
    tags: str = ""  # the article's tags, comma-separated (topic words, like title and headings)


@dataclass(frozen=True)
class QueryTerm:
    term: str
    weight: float
    surface: str
    corrected_from: str = ""


@dataclass(frozen=True)
class QueryAnalysis:
    terms: tuple[QueryTerm, ...]
    unknown: tuple[str, ...]  # content words with no match in the index
    text: str = ""  # the (folded) clause analysed; the whole message when empty
    position: int = -1  # clause number in the message; -1 for the whole message
    words: tuple[str, ...] = ()  # the content words analysed (for the golden-question model)
    # An unknown word heading a phrase whose complement is known: "el *clima* en Monterrey",
    # "la *licencia* de manejo", "una *tarjeta* de crédito". The question is about the unknown
    # thing; the known word only places it.
    unknown_head: bool = False
    # A known word completed by another business's name: "la garantía de Nissan".
    foreign_complement: bool = False


@dataclass(frozen=True)
class ScoredChunk:
    chunk: IndexedChunk
    bm25: float
    coverage: float
    specificity: float
    margin: float
    confidence: float
    matched: tuple[str, ...]

    @property
    def features(self) -> dict[str, float]:
        return {
            "coverage": self.coverage,
            "specificity": self.specificity,
            "margin": self.margin,
            "multi": float(len(self.matched) >= 2),
        }


@dataclass
class Snapshot:
    """An immutable (by convention) BM25 index over the chunks of published articles."""

    token: str
    article_tokens: dict[int, str]
    article_chunks: dict[int, tuple[int, ...]]
    chunks: dict[int, IndexedChunk]
    chunk_terms: dict[int, tuple[str, ...]]
    postings: dict[str, dict[int, float]]  # term → {chunk id: BM25 impact without idf}
    avgdl: float
    surface: dict[str, str]  # folded surface word → index term (typo-correction vocabulary)
    # Per article: its *topic* terms (title, tags, headings and golden questions): a question
    # matched only by words of an article's body (a "contrato" in the credit steps) is weaker
    # evidence than one matched by what the article is about.
    article_fields: dict[int, frozenset[str]] = field(default_factory=dict)  # title, tags, headings
    article_topic: dict[int, frozenset[str]] = field(default_factory=dict)  # fields + questions
    article_questions: dict[int, tuple[str, ...]] = field(default_factory=dict)
    _by_length: dict[int, list[str]] | None = field(default=None, repr=False)
    _by_sound: dict[str, str] | None = field(default=None, repr=False)
    _question_index: QuestionIndex | None = field(default=None, repr=False)
    # Built on first use of a term, per snapshot (a patch starts them anew): term → {article id:
    # the best impact among its chunks}, on which candidate articles are found (five times shorter
    # than the chunk lists), and both kinds of lists ordered by impact, as compact arrays.
    _article_postings: dict[str, dict[int, float]] = field(default_factory=dict, repr=False)
    _by_impact: dict[str, _ImpactList] = field(default_factory=dict, repr=False)
    _articles_by_impact: dict[str, _ImpactList] = field(default_factory=dict, repr=False)
    _own_terms: dict[int, tuple[frozenset[str], ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def empty(cls, *, token: str = "") -> Snapshot:
        return cls(token, {}, {}, {}, {}, {}, 1.0, {})

    @classmethod
    def build(
        cls,
        *,
        token: str,
        article_tokens: dict[int, str],
        rows: Iterable[ChunkRow],
        questions: Mapping[int, Sequence[str]] | None = None,
    ) -> Snapshot:
        rows = list(rows)
        avgdl = (sum(r.length for r in rows) / len(rows)) if rows else 1.0
        snap = cls(token, dict(article_tokens), {}, {}, {}, {}, max(avgdl, 1.0), {})
        snap._add(rows, copy_on_write=False, questions=questions or {})
        return snap

    def patched(
        self,
        *,
        token: str,
        article_tokens: dict[int, str],
        rows: Iterable[ChunkRow],
        stale_article_ids: Iterable[int],
        questions: Mapping[int, Sequence[str]] | None = None,
    ) -> Snapshot:
        """A copy with ``stale_article_ids`` removed and ``rows`` added (copy-on-write).

        The average chunk length stays the one of the last full build: one article changes it by
        a fraction of a percent, and keeping it avoids recomputing every impact.
        """
        snap = Snapshot(
            token,
            dict(article_tokens),
            dict(self.article_chunks),
            dict(self.chunks),
            dict(self.chunk_terms),
            dict(self.postings),
            self.avgdl,
            dict(self.surface),
            dict(self.article_fields),
            dict(self.article_topic),
            dict(self.article_questions),
        )
        copied: set[str] = set()
        for article_id in stale_article_ids:
            snap.article_fields.pop(article_id, None)
            snap.article_topic.pop(article_id, None)
            snap.article_questions.pop(article_id, None)
            for chunk_id in snap.article_chunks.pop(article_id, ()):
                snap.chunks.pop(chunk_id, None)
                for term in snap.chunk_terms.pop(chunk_id, ()):
                    plist = snap.postings.get(term)
                    if plist is None or chunk_id not in plist:
                        continue
                    if term not in copied:
                        plist = snap.postings[term] = dict(plist)
                        copied.add(term)
                    del plist[chunk_id]
                    if not plist:
                        del snap.postings[term]
        snap._add(list(rows), copy_on_write=True, copied=copied, questions=questions or {})
        return snap

    def _add(
        self,
        rows: list[ChunkRow],
        *,
        copy_on_write: bool,
        copied: set[str] | None = None,
        questions: Mapping[int, Sequence[str]],
    ) -> None:
        copied = copied if copied is not None else set()
        by_article: dict[int, list[int]] = {}
        article_topic: dict[int, set[str]] = {}
        topic_of: dict[str, list[str]] = {}  # the same title and tags repeat on every chunk

        def topic_terms(text: str) -> list[str]:
            if text not in topic_of:
                topic_of[text] = kb_text.terms(text)
            return topic_of[text]

        norm_base = K1 * (1 - B)
        norm_len = K1 * B / self.avgdl
        for row in rows:
            self.chunks[row.chunk_id] = IndexedChunk(
                row.chunk_id,
                row.article_id,
                row.article_slug,
                row.article_title,
                row.heading,
                row.text,
            )
            by_article.setdefault(row.article_id, []).append(row.chunk_id)
            self.chunk_terms[row.chunk_id] = tuple(row.terms)
            article_topic.setdefault(row.article_id, set()).update(
                topic_terms(row.article_title), topic_terms(row.heading), topic_terms(row.tags)
            )
            norm = norm_base + norm_len * row.length
            for term, tf in row.terms.items():
                plist = self.postings.get(term)
                if plist is None:
                    plist = self.postings[term] = {}
                    copied.add(term)
                elif copy_on_write and term not in copied:
                    plist = self.postings[term] = dict(plist)
                    copied.add(term)
                plist[row.chunk_id] = tf * (K1 + 1) / (tf + norm)
            for word in row.words.split():
                self.surface.setdefault(word, kb_text.term_of(word))
        for article_id, chunk_ids in by_article.items():
            self.article_chunks[article_id] = tuple(chunk_ids)
            asked = tuple(questions.get(article_id, ()))
            fields = frozenset(article_topic[article_id])
            self.article_fields[article_id] = fields
            self.article_topic[article_id] = fields.union(
                *(kb_text.terms(question) for question in asked)
            )
            if asked:
                self.article_questions[article_id] = asked
        self._by_length = None
        self._by_sound = None
        self._question_index = None

    def own_terms(self, chunk_id: int) -> tuple[frozenset[str], ...]:
        """Terms of a chunk's own heading (those the title does not share) and of its text, then
        the same as plain stems (before synonyms): no title, tags or golden questions."""
        terms = self._own_terms.get(chunk_id)
        if terms is None:
            chunk = self.chunks[chunk_id]
            # Heading words the title shares ("Extiende tu garantía" in "Garantía de tu auto")
            # do not tell the sections apart.
            heading = chunk.heading if chunk.heading != chunk.article_title else ""
            title = chunk.article_title
            terms = (
                frozenset(kb_text.terms(heading)) - frozenset(kb_text.terms(title)),
                frozenset(kb_text.terms(chunk.text)),
                frozenset(map(kb_text.stem, kb_text.words(heading)))
                - frozenset(map(kb_text.stem, kb_text.words(title))),
                frozenset(map(kb_text.stem, kb_text.words(chunk.text))),
            )
            self._own_terms[chunk_id] = terms  # idempotent: a race only computes it twice
        return terms

    def question_index(self) -> QuestionIndex:
        """The golden-question model of this snapshot (built on first use)."""
        if self._question_index is None:
            self._question_index = QuestionIndex(self.article_questions)
        return self._question_index

    # --- Query side ----------------------------------------------------------------------------

    def idf(self, term: str) -> float:
        n = len(self.chunks)
        df = len(self.postings.get(term, ()))
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

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
            return None
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

    def top_chunks(self, analysis: QueryAnalysis, *, keep: int) -> list[tuple[int, float]]:
        """The ``keep`` best chunks by BM25 as (chunk id, score), best first (ties: lower id)."""
        postings = {qt.term: self.postings[qt.term] for qt in analysis.terms}
        return self._top_k(postings, self._by_impact, analysis, keep=keep)

    def top_articles(self, analysis: QueryAnalysis, *, keep: int) -> list[tuple[int, float]]:
        """The ``keep`` best articles by the sum of each term's best impact among their chunks
        (a bound of their best section's BM25), as (article id, bound), best first."""
        postings = {qt.term: self.article_postings(qt.term) for qt in analysis.terms}
        return self._top_k(postings, self._articles_by_impact, analysis, keep=keep)

    def article_postings(self, term: str) -> dict[int, float]:
        """{article id: the best impact of ``term`` among the article's chunks} (built once per
        term and snapshot; an idempotent cache, a race only builds it twice)."""
        alist = self._article_postings.get(term)
        if alist is None:
            alist = {}
            chunks = self.chunks
            for chunk_id, impact in self.postings[term].items():
                article_id = chunks[chunk_id].article_id
                if impact > alist.get(article_id, 0.0):
                    alist[article_id] = impact
            self._article_postings[term] = alist
        return alist

    @staticmethod
    def _sorted(
        cache: dict[str, _ImpactList], postings: Mapping[int, float], term: str
    ) -> _ImpactList:
        """A posting list ordered by impact (best first; ties: lower id), as two arrays."""
        ordered = cache.get(term)
        if ordered is None:
            pairs = sorted(postings.items(), key=lambda kv: (-kv[1], kv[0]))
            ordered = (array("d", (v for _, v in pairs)), array("q", (k for k, _ in pairs)))
            cache[term] = ordered
        return ordered

    def _top_k(
        self,
        postings: Mapping[str, Mapping[int, float]],
        cache: dict[str, _ImpactList],
        analysis: QueryAnalysis,
        *,
        keep: int,
    ) -> list[tuple[int, float]]:
        """Exact top-k, MaxScore-style. Terms are scored rarest first, each bounded by its best
        impact; short lists are walked whole. For a long list a valid theta (a score k entries
        will reach) is taken first, entries that cannot reach it are dropped, the list is walked
        from its best impact down only while a newcomer could still reach theta, and the entries
        already found get the term by lookup.

        An entry skipped at one term can never reach the top-k later (its whole score is below
        that term's theta, and theta only grows), so the k best scores are exact.
        """
        if not analysis.terms or not self.chunks:
            return []
        weighted = sorted(
            ((self.idf(qt.term) * qt.weight, postings[qt.term], qt.term) for qt in analysis.terms),
            key=lambda item: len(item[1]),
        )
        bounds = [factor * self._sorted(cache, plist, t)[0][0] for factor, plist, t in weighted]
        # The most the terms after each one can add (summed afresh: a running subtraction
        # leaves a rounding residue where it should be exactly 0, and ties then break wrongly).
        after = [sum(bounds[i + 1 :]) for i in range(len(bounds))]
        scores: dict[int, float] = {}
        for (factor, plist, term), bound, remaining in zip(weighted, bounds, after, strict=True):
            get = scores.get
            if len(plist) <= _SHORT_LIST:
                for key, impact in plist.items():
                    scores[key] = get(key, 0.0) + factor * impact
                continue
            impacts, keys = self._sorted(cache, plist, term)
            if len(scores) >= keep:
                theta = heapq.nlargest(keep, scores.values())[-1]
            else:
                # Too few entries yet: the entries found so far and this list's best ones will
                # score at least what they have plus this term, so their k-th is a valid theta.
                floor = dict(scores)
                for impact, key in zip(impacts[:keep], keys[:keep], strict=True):
                    floor[key] = get(key, 0.0) + factor * impact
                if len(floor) < keep:
                    for key, impact in plist.items():
                        scores[key] = get(key, 0.0) + factor * impact
                    continue
                theta = heapq.nlargest(keep, floor.values())[-1]
            # Entries that cannot reach theta even with every term left are dropped first: the
            # lookups below (and for every later term) then walk fewer of them.
            scores = {c: v for c, v in scores.items() if v + bound + remaining >= theta}
            get = scores.get
            seen: set[int] = set()
            if bound + remaining >= theta:  # else no newcomer can reach the top-k
                for rank, (impact, key) in enumerate(zip(impacts, keys, strict=True)):
                    if factor * impact + remaining < theta or rank >= _WALK_CAP:
                        break
                    scores[key] = get(key, 0.0) + factor * impact
                    seen.add(key)
            for key in list(scores):
                if key not in seen:
                    weight = plist.get(key)
                    if weight is not None:
                        scores[key] += factor * weight
        return sorted(
            heapq.nlargest(keep, scores.items(), key=itemgetter(1)), key=lambda kv: (-kv[1], kv[0])
        )

    def unknown_weight(self, analysis: QueryAnalysis) -> float:
        """The weight of the question's words no article uses (``intent.unknown_weight``)."""
        return self.idf_unknown() * sum(intent.unknown_weight(w) for w in analysis.unknown)

    def idf_unknown(self) -> float:
        n = len(self.chunks)
        return math.log(1 + (n + 0.5) / 0.5)

    def search(self, analysis: QueryAnalysis, *, limit: int) -> list[ScoredChunk]:
        """Top ``limit`` chunks by BM25, each with a coverage-based confidence in [0, 1].

        This is the chunk-level search (``top_chunks`` plus per-chunk features); the live answer
        path ranks *articles* with ``knowledge.ranking``, whose confidence replaces this one.
        """
        if not analysis.terms or not self.chunks:
            return []
        keep = max(limit, _TOP_FOR_MARGIN)
        weighted = [
            (qt, self.idf(qt.term) * qt.weight, self.postings[qt.term]) for qt in analysis.terms
        ]
        ranked = self.top_chunks(analysis, keep=keep)
        n = len(self.chunks)
        idf_unknown = math.log(1 + (n + 0.5) / 0.5)
        # The question's total weight: its matched words plus every word the index has never seen.
        # A number no article uses ("72 meses", "2016") says less than an unknown word.
        total = sum(self.idf(qt.term) for qt in analysis.terms) + idf_unknown * sum(
            0.5 if word.isdigit() else 1.0 for word in analysis.unknown
        )
        top_article = self.chunks[ranked[0][0]].article_id
        # Margin against the best other article among the top candidates (display only).
        best_other = next(
            (s for cid, s in ranked if self.chunks[cid].article_id != top_article), 0.0
        )
        results: list[ScoredChunk] = []
        for chunk_id, score in ranked[:limit]:
            chunk = self.chunks[chunk_id]
            hits = [(qt, factor) for qt, factor, plist in weighted if chunk_id in plist]
            matched = tuple(qt.term for qt, _ in hits)
            covered = sum(factor for _, factor in hits)
            coverage = covered / total if total else 0.0
            specificity = max((self.idf(t) for t in matched), default=0.0) / idf_unknown
            other = best_other if chunk.article_id == top_article else ranked[0][1]
            margin = max(0.0, (score - other) / score) if score > 0 else 0.0
            scored = ScoredChunk(
                chunk=chunk,
                bm25=score,
                coverage=coverage,
                specificity=specificity,
                margin=margin,
                confidence=0.0,
                matched=matched,
            )
            results.append(replace(scored, confidence=calibrated_confidence(scored.features)))
        return results


def calibrated_confidence(
    features: Mapping[str, float], weights: Mapping[str, float] = CALIBRATION
) -> float:
    """Probability that the chunk answers the question, from the fitted logistic model."""
    if features["coverage"] <= 0:
        return 0.0
    z = weights["bias"] + sum(w * features[name] for name, w in weights.items() if name != "bias")
    return 1 / (1 + math.exp(-z))


def fit_calibration(
    samples: list[tuple[Mapping[str, float], bool]],
    *,
    features_used: tuple[str, ...] = FEATURES,
    l2: float = 0.01,
    steps: int = 4000,
) -> dict[str, float]:
    """Logistic regression (batch gradient descent, small L2) of "answers correctly" on features.

    Positives are golden questions whose top article is right; negatives are out-of-domain
    questions and golden questions answered from the wrong article.
    """
    weights = dict.fromkeys(("bias", *features_used), 0.0)
    n = len(samples) or 1
    rate = 0.5
    for _ in range(steps):
        grad = dict.fromkeys(weights, 0.0)
        for features, label in samples:
            z = weights["bias"] + sum(weights[f] * features[f] for f in features_used)
            error = 1 / (1 + math.exp(-z)) - float(label)
            grad["bias"] += error
            for f in features_used:
                grad[f] += error * features[f]
        for name in weights:
            penalty = 0.0 if name == "bias" else l2 * weights[name]
            weights[name] -= rate * (grad[name] / n + penalty)
    return {name: round(value, 2) for name, value in weights.items()}
