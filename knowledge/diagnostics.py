"""Explanations and evaluation of the live answer path (admin "Probar una pregunta", evaluate_kb).

Both read exactly what ``knowledge_answer`` does (``knowledge.answering.answer_trace``), so what
staff see and what the figures count is what a customer gets.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge import ranking
from knowledge.answering import KbAnswer, answer_trace
from knowledge.index import QueryAnalysis, ScoredChunk
from knowledge.models import Article, GoldenQuestion
from knowledge.process_index import knowledge_index
from knowledge.ranking import ArticleScore
from knowledge.retrieval import confidence_threshold

OUT_OF_DOMAIN_FILE = Path(__file__).resolve().parent / "data" / "out_of_domain.yaml"


@dataclass(frozen=True)
class SearchExplanation:
    question: str
    analysis: QueryAnalysis  # of the clause the answer was built from
    results: tuple[ScoredChunk, ...]
    answer: KbAnswer  # exactly what knowledge_answer returns for this question
    threshold: float
    articles: int
    chunks: int
    kind: str  # what the question asks for (price, hours, figure, steps…)
    catalogue: bool  # a catalogue/financing question, left to the engine
    clause: str  # the part of the message answered ("" = the whole message)
    second_clause: str  # another question in the message answered (or acknowledged)
    candidates: tuple[ArticleScore, ...] = ()  # the ranker's articles, with their features


def knowledge_search_explain(*, question: str, limit: int = 5) -> SearchExplanation:
    """Everything staff need to see why the agent answers what it answers: the live path."""
    snap = knowledge_index()
    trace = answer_trace(snap, question)
    retrieval = trace.retrieval
    return SearchExplanation(
        question=question,
        analysis=retrieval.analysis,
        results=tuple(retrieval.results[:limit]),
        answer=trace.answer,
        threshold=confidence_threshold(),
        articles=len(snap.article_chunks),
        chunks=len(snap.chunks),
        kind=trace.kind,
        catalogue=trace.catalogue,
        clause=retrieval.analysis.text,
        second_clause=retrieval.second[0].text if retrieval.second else "",
        candidates=retrieval.articles[:limit],
    )


@dataclass(frozen=True)
class EvaluatedQuestion:
    question: str
    expected_slug: str  # "" for out-of-domain questions
    ranking: tuple[str, ...]  # distinct article slugs, best first
    confidence: float
    confident: bool

    @property
    def rank(self) -> int | None:
        if self.expected_slug in self.ranking:
            return self.ranking.index(self.expected_slug) + 1
        return None

    @property
    def top_slug(self) -> str:
        return self.ranking[0] if self.ranking else ""

    @property
    def passed(self) -> bool:
        """In-domain: confidently answered from the right article. Out-of-domain: fell back."""
        if not self.expected_slug:
            return not self.confident
        return self.confident and self.rank == 1


@dataclass(frozen=True)
class EvaluationReport:
    golden: tuple[EvaluatedQuestion, ...]
    out_of_domain: tuple[EvaluatedQuestion, ...]
    threshold: float

    @property
    def hit_at_1(self) -> float:
        return _ratio(sum(q.rank == 1 for q in self.golden), len(self.golden))

    @property
    def mrr(self) -> float:
        ranks = [q.rank for q in self.golden]
        return _ratio(sum(1 / r for r in ranks if r), len(ranks))

    @property
    def fallback_precision(self) -> float:
        """Of the questions that got the fallback, the share that should have (out-of-domain)."""
        fell_back = [q for q in (*self.golden, *self.out_of_domain) if not q.confident]
        if not fell_back:
            return 1.0
        return _ratio(sum(not q.expected_slug for q in fell_back), len(fell_back))

    @property
    def fallback_recall(self) -> float:
        """Of the out-of-domain questions, the share that got the fallback."""
        return _ratio(sum(not q.confident for q in self.out_of_domain), len(self.out_of_domain))

    @property
    def wrong_answers(self) -> tuple[EvaluatedQuestion, ...]:
        """In-domain questions answered confidently from another article: the worst failure."""
        return tuple(q for q in self.golden if q.confident and q.rank != 1)


def _ratio(num: float, den: int) -> float:
    return num / den if den else 0.0


@functools.cache
def out_of_domain_questions() -> tuple[str, ...]:
    """The shipped out-of-domain set: questions the agent must not answer from the articles."""
    data = yaml.safe_load(OUT_OF_DOMAIN_FILE.read_text(encoding="utf-8"))
    return tuple(str(q) for q in data["questions"])


def golden_questions() -> list[tuple[str, str]]:
    """(question, article slug) of every golden question of a published article."""
    return list(
        GoldenQuestion.objects.filter(article__status=Article.Status.PUBLISHED)
        .order_by("article__slug", "id")
        .values_list("question", "article__slug")
    )


def evaluate_question(*, question: str, expected_slug: str = "", k: int = 5) -> EvaluatedQuestion:
    """The article ranking of a question, and whether the live path answers it with confidence.

    The ranking is the ranker's on the whole message; ``confident`` and ``confidence`` are the
    live answer's (clauses, catalogue questions and articles that do not state what is asked
    included), so a golden question passes only when a customer asking it gets the answer.
    """
    snap = knowledge_index()
    articles = ranking.rank(snap, snap.analyze(question))
    trace = answer_trace(snap, question)
    ranked = [a.slug for a in articles]
    if trace.answer.confident:
        # The article actually answered comes first (a clause may have found it).
        top = trace.answer.hits[0].article_slug
        ranked = [top, *(slug for slug in ranked if slug != top)]
    return EvaluatedQuestion(
        question=question,
        expected_slug=expected_slug,
        ranking=tuple(ranked[:k]),
        confidence=trace.answer.confidence,
        confident=trace.answer.confident,
    )


def knowledge_evaluate(
    *,
    golden: list[tuple[str, str]] | None = None,
    out_of_domain: list[str] | tuple[str, ...] | None = None,
) -> EvaluationReport:
    """hit@1, MRR and fallback precision/recall over golden and out-of-domain questions."""
    golden = golden_questions() if golden is None else golden
    ood = out_of_domain_questions() if out_of_domain is None else out_of_domain
    return EvaluationReport(
        golden=tuple(evaluate_question(question=q, expected_slug=s) for q, s in golden),
        out_of_domain=tuple(evaluate_question(question=q) for q in ood),
        threshold=confidence_threshold(),
    )
