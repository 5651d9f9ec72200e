"""Reads of the knowledge base: retrieval, grounded answers, the FAQ intent hint and evaluation.

Retrieval runs on an in-process BM25 index (``knowledge.index``) built from the chunks stored in
the database. Every search first reads one token from ``IndexState`` (a primary-key lookup); when
it differs from the token of the process's index, the index is patched from the database: only the
articles whose own ``index_token`` changed are reloaded. So every process (gunicorn workers, Celery)
sees an edit on its next search, and a rolled-back edit can never leave a stale index behind.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from django.db import connection

from knowledge import intent
from knowledge import text as kb_text
from knowledge.index import ChunkRow, QueryAnalysis, ScoredChunk, Snapshot
from knowledge.models import Article, Chunk, GoldenQuestion, IndexState

# Confidence below which the agent does not answer from the knowledge base (setting overrides).
DEFAULT_CONFIDENCE_THRESHOLD = 0.5
# The reply when the knowledge base has no confident answer: never guess, offer a person.
FALLBACK_ANSWER = (
    "No tengo ese dato confirmado y prefiero no darte información incorrecta. "
    "Si quieres, te comunico con un asesor de Kavak para que te ayude con eso."
)
# WhatsApp shows long messages poorly (and Twilio caps a message at 1,600 characters).
ANSWER_MAX_CHARS = 900
OUT_OF_DOMAIN_FILE = Path(__file__).resolve().parent / "data" / "out_of_domain.yaml"


@dataclass(frozen=True)
class KbHit:
    """A retrieved chunk. ``score`` is the calibrated confidence in [0, 1] that it answers."""

    article_slug: str
    article_title: str
    chunk_id: int
    heading: str
    text: str
    score: float


@dataclass(frozen=True)
class KbAnswer:
    """What the agent can say from the knowledge base (or the safe fallback) and its sources.

    An LLM phraser may later rewrite ``answer`` using only ``hits`` (the chunks it was built from).
    """

    confident: bool
    confidence: float
    answer: str
    hits: tuple[KbHit, ...]


def confidence_threshold() -> float:
    return float(getattr(settings, "KNOWLEDGE_CONFIDENCE_THRESHOLD", DEFAULT_CONFIDENCE_THRESHOLD))


# --- The per-process index ------------------------------------------------------------------------

_UNLOADED = "<unloaded>"
_lock = threading.Lock()
_snapshot: Snapshot = Snapshot.empty(token=_UNLOADED)
# Patching is cheaper than a full build until a large share of the articles changed.
_FULL_REBUILD_SHARE = 0.25
_TOKEN_SQL = f"SELECT token FROM {IndexState._meta.db_table} WHERE id = 1"  # noqa: S608  # nosec B608 - constant


def _current_token() -> str:
    # Raw SQL: this runs before every search, and the ORM's query building cost more than the
    # primary-key lookup itself (≈0.45 ms vs ≈0.1 ms measured).
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN_SQL)
        row = cursor.fetchone()
    return row[0] if row else ""


def _load_rows(*, article_ids: list[int] | None) -> list[ChunkRow]:
    chunks = Chunk.objects.filter(article__status=Article.Status.PUBLISHED)
    if article_ids is not None:
        chunks = chunks.filter(article_id__in=article_ids)
    fields = ("id", "article_id", "article__slug", "article__title", "heading", "text")
    return [
        ChunkRow(*row)
        for row in chunks.values_list(*fields, "terms", "words", "length").iterator(chunk_size=2000)
    ]


def _sync(snap: Snapshot, token: str) -> Snapshot:
    # Read the article tokens before the chunks: the chunks can only be newer, and a newer token
    # makes the next search look again, so the index converges.
    published = dict(
        Article.objects.filter(status=Article.Status.PUBLISHED)
        .exclude(index_token="")
        .values_list("id", "index_token")
    )
    changed = [aid for aid, tok in published.items() if snap.article_tokens.get(aid) != tok]
    removed = [aid for aid in snap.article_tokens if aid not in published]
    if snap.token == _UNLOADED or len(changed) + len(removed) > max(
        10, _FULL_REBUILD_SHARE * len(published)
    ):
        return Snapshot.build(
            token=token, article_tokens=published, rows=_load_rows(article_ids=None)
        )
    return snap.patched(
        token=token,
        article_tokens=published,
        rows=_load_rows(article_ids=changed) if changed else [],
        stale_article_ids=changed + removed,
    )


def knowledge_index() -> Snapshot:
    """The process's index, brought up to date with the database if its token changed."""
    global _snapshot
    token = _current_token()
    snap = _snapshot
    if snap.token == token:
        return snap
    with _lock:
        if _snapshot.token != token:
            _snapshot = _sync(_snapshot, token)
        return _snapshot


def knowledge_index_reset() -> None:
    """Forget the process's index (the next search rebuilds it in full). For benchmarks/tests."""
    global _snapshot
    with _lock:
        _snapshot = Snapshot.empty(token=_UNLOADED)


# --- Search and answers ---------------------------------------------------------------------------


def _hit(scored: ScoredChunk) -> KbHit:
    chunk = scored.chunk
    return KbHit(
        article_slug=chunk.article_slug,
        article_title=chunk.article_title,
        chunk_id=chunk.chunk_id,
        heading=chunk.heading,
        text=chunk.text,
        score=round(scored.confidence, 4),
    )


def knowledge_search(*, query: str, limit: int = 3) -> list[KbHit]:
    """Chunks of published articles that best answer ``query``, best first.

    Drafts are never indexed. ``score`` is a calibrated confidence in [0, 1], comparable with the
    ``KNOWLEDGE_CONFIDENCE_THRESHOLD`` setting.
    """
    snap = knowledge_index()
    return [_hit(s) for s in snap.search(snap.analyze(query), limit=limit)]


def knowledge_answer(*, question: str) -> KbAnswer:
    """A short WhatsApp answer taken from the best chunk(s), or the fallback offering an advisor.

    The agent answers only from published articles: below the confidence threshold (or for
    questions outside Kavak) it says it does not have the information instead of stretching a
    related chunk.
    """
    snap = knowledge_index()
    return _answer_from_results(snap.search(snap.analyze(question), limit=3))


# A second section of the best article is added when it scores almost as well (the question spans
# both, e.g. "cuánto dura y se puede extender la garantía"); another article is never mixed in.
_SECOND_CHUNK_MIN_RATIO = 0.9


def _answer_from_results(results: list[ScoredChunk]) -> KbAnswer:
    threshold = confidence_threshold()
    if not results or results[0].confidence < threshold:
        return KbAnswer(
            confident=False,
            confidence=round(results[0].confidence, 4) if results else 0.0,
            answer=FALLBACK_ANSWER,
            hits=(),
        )
    best = results[0]
    used = [best]
    for other in results[1:]:
        if (
            other.chunk.article_id == best.chunk.article_id
            and other.confidence >= threshold
            and other.bm25 >= _SECOND_CHUNK_MIN_RATIO * best.bm25
            and len(best.chunk.text) + len(other.chunk.text) <= ANSWER_MAX_CHARS - 100
        ):
            used.append(other)
            break
    hits = [_hit(r) for r in used]
    return KbAnswer(
        confident=True,
        confidence=hits[0].score,
        answer=answer_text(hits=hits),
        hits=tuple(hits),
    )


def answer_text(*, hits: list[KbHit]) -> str:
    """Plain text for WhatsApp: the chunks' text, a heading only to introduce a list."""
    parts: list[str] = []
    for hit in hits:
        body = hit.text.strip()
        if body.startswith("• ") and not hit.heading.rstrip().endswith("?"):
            body = f"{hit.heading.rstrip(':')}:\n{body}"
        parts.append(body)
    # A section read alone can lose the article's key fact ("7 días o 300 km" lives in the title
    # of the trial-period article): lead with the title in WhatsApp bold.
    if hits and hits[0].article_title and hits[0].article_title not in parts[0]:
        parts.insert(0, f"*{hits[0].article_title}*")
    answer = "\n\n".join(parts)
    if len(answer) <= ANSWER_MAX_CHARS:
        return answer
    cut = answer.rfind("\n", 0, ANSWER_MAX_CHARS - 1)
    if cut < ANSWER_MAX_CHARS // 2:
        cut = answer.rfind(" ", 0, ANSWER_MAX_CHARS - 1)
    return answer[:cut].rstrip() + " …"


def knowledge_is_question_about_kavak(*, text: str) -> bool:
    """Cheap hint (no I/O): does the message look like an FAQ about Kavak, not the sales flow?

    "¿tienen garantía?", "¿dónde están?", "quiero vender mi auto", "qué papeles piden" → True;
    "busco un Corolla", "tengo 300 mil", "a 48 meses" → False. The engine uses it to decide when
    to pause the buying flow and answer from the knowledge base.
    """
    return intent.looks_like_kavak_faq(text)


# --- Explanations and evaluation (admin "probar una pregunta", evaluate_kb) ----------------------


@dataclass(frozen=True)
class SearchExplanation:
    question: str
    analysis: QueryAnalysis
    results: tuple[ScoredChunk, ...]
    answer: KbAnswer
    threshold: float
    articles: int
    chunks: int


def knowledge_search_explain(*, question: str, limit: int = 5) -> SearchExplanation:
    """Everything staff need to see why the agent answers what it answers."""
    snap = knowledge_index()
    analysis = snap.analyze(question)
    results = snap.search(analysis, limit=max(limit, 3))
    return SearchExplanation(
        question=question,
        analysis=analysis,
        results=tuple(results[:limit]),
        answer=_answer_from_results(results[:3]),
        threshold=confidence_threshold(),
        articles=len(snap.article_chunks),
        chunks=len(snap.chunks),
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
    snap = knowledge_index()
    results = snap.search(snap.analyze(question), limit=40)
    ranking: list[str] = []
    for result in results:
        if result.chunk.article_slug not in ranking:
            ranking.append(result.chunk.article_slug)
    confidence = results[0].confidence if results else 0.0
    return EvaluatedQuestion(
        question=question,
        expected_slug=expected_slug,
        ranking=tuple(ranking[:k]),
        confidence=confidence,
        confident=confidence >= confidence_threshold(),
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


def knowledge_article_chunks_preview(*, title: str, body: str, tags: str) -> list[tuple[str, str]]:
    """(heading, WhatsApp text) of the chunks an article would be split into (admin preview)."""
    tag_list = [t.strip() for t in tags.split(",") if t.strip()]
    return [
        (c.heading, c.text) for c in kb_text.chunk_article(title=title, body=body, tags=tag_list)
    ]
