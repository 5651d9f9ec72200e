"""The in-process retrieval index: BM25 over chunks plus a calibrated confidence. Pure Python.

A ``Snapshot`` is immutable once built: a search holds a reference to one snapshot while another
thread may swap in a patched copy, so no lock is needed to read. ``knowledge.process_index`` decides
when to build or patch (from the database) and keeps the current snapshot per process.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from knowledge import intent
from knowledge import text as kb_text
from knowledge.index_query import QueryReader
from knowledge.index_records import ChunkRow, IndexedChunk, QueryAnalysis, QueryTerm, ScoredChunk
from knowledge.index_scoring import Bm25Scoring, ImpactList
from knowledge.questions import QuestionIndex

# The records live in ``knowledge.index_records``; importers read them from here, with the index.
__all__ = [
    "CALIBRATION",
    "K1",
    "B",
    "ChunkRow",
    "IndexedChunk",
    "QueryAnalysis",
    "QueryTerm",
    "ScoredChunk",
    "Snapshot",
    "calibrated_confidence",
]

# BM25 parameters. b is lower than the textbook 0.75: chunks are short and of similar length,
# and a long list of addresses should not be punished much for being long.
K1 = 1.2
B = 0.6
# Candidates kept for the margin against "the best chunk of another article".
_TOP_FOR_MARGIN = 10
# From this many content words a message has a frame around its topic, and an unknown word among
# Spanish's most frequent ones counts less (``intent.unknown_weight``); a shorter one is its topic.
FRAMED_WORDS = 4

# Logistic calibration of a chunk's confidence, fitted once on the golden questions (positives: top
# article right) and the out-of-domain set (negatives). ``evaluate_kb --calibrate`` now fits the
# article-level models of ``knowledge.ranking`` instead; this one's fitting code was removed unused.
# Candidate features, all computed for every hit (the admin "probar" page shows them):
# - coverage: idf-weighted share of the question's words that the chunk contains; a word no article
#   has ever used counts fully against it ("¿tienen sucursal en Tijuana?" covers about a quarter);
# - specificity: idf of the rarest matched word relative to an unseen one ("auto" says little);
# - margin: lead over the best chunk of another article;
# - multi: at least two of the question's words matched.
# Only coverage is used: on the shipped sets, adding margin/multi/specificity separated answerable
# from out-of-domain questions worse (the lowest-scored golden question fell below the highest
# out-of-domain one).
CALIBRATION: dict[str, float] = {"bias": -2.46, "coverage": 4.63}


@dataclass
class Snapshot(QueryReader, Bm25Scoring):
    """An immutable (by convention) BM25 index over the chunks of published articles.

    Building and patching live here; the query side (typo correction, the analysis of a message)
    is ``QueryReader`` (``knowledge.index_query``), idf and the exact top-k are ``Bm25Scoring``
    (``knowledge.index_scoring``).
    """

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
    _by_impact: dict[str, ImpactList] = field(default_factory=dict, repr=False)
    _articles_by_impact: dict[str, ImpactList] = field(default_factory=dict, repr=False)
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

    # --- Query side (with ``QueryReader`` and ``Bm25Scoring``) ------------------------------------

    def unknown_weight(self, analysis: QueryAnalysis) -> float:
        """The weight of the question's words no article uses (``intent.unknown_weight``)."""
        framed = len(analysis.words) >= FRAMED_WORDS
        return self.idf_unknown() * sum(
            intent.unknown_weight(w, framed=framed) for w in analysis.unknown
        )

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
