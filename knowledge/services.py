"""Writes to the knowledge base: articles and their history, the search index, the quality data.

Every content write goes through ``knowledge_article_save`` (or ``_create``/``_revert``). In one
transaction it keeps three things in step: the article, a new ``Revision`` when the content
changed, and the article's chunks (``knowledge_reindex``). The token bump in ``IndexState`` is what
makes every process reload the article on its next search.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from kavak.phones import mask_phone_numbers
from knowledge import text as kb_text
from knowledge.chunking import ChunkDraft, chunk_article
from knowledge.demo import demo_articles
from knowledge.models import (
    Article,
    Chunk,
    DemoSeed,
    GoldenQuestion,
    IndexState,
    Revision,
    UnansweredQuestion,
)
from knowledge.selectors import evaluate_question, knowledge_golden_passes

logger = logging.getLogger(__name__)

# Questions answered with a confidence below this are queued for staff, even if the agent did
# answer: a borderline answer deserves a look (setting overrides).
DEFAULT_REVIEW_CONFIDENCE = 0.7
EDITABLE_FIELDS = frozenset({"title", "slug", "body", "status", "tags", "last_reviewed_at"})


def _new_token() -> str:
    return uuid.uuid4().hex


# --- Index ----------------------------------------------------------------------------------------


def knowledge_index_invalidate() -> None:
    """Change the index token so every process re-syncs its index on its next search.

    Runs inside the caller's transaction on purpose: other processes see the new token exactly
    when they can see the new chunks.
    """
    token = _new_token()
    if not IndexState.objects.filter(pk=1).update(token=token, updated_at=timezone.now()):
        IndexState.objects.update_or_create(pk=1, defaults={"token": token})


@transaction.atomic
def knowledge_reindex(*, article: Article) -> None:
    """Re-split ``article`` into chunks. A draft keeps no chunks, so it can never answer."""
    Chunk.objects.filter(article_id=article.pk).delete()
    if article.is_published:
        questions = list(
            GoldenQuestion.objects.filter(article_id=article.pk)
            .order_by("id")
            .values_list("question", flat=True)
        )
        drafts = chunk_article(
            title=article.title, body=article.body, tags=article.tag_list, questions=questions
        )
        Chunk.objects.bulk_create([_chunk(article.pk, d) for d in drafts])
    article.index_token = _new_token()
    article.indexed_at = timezone.now()
    # update(), not save(): indexing is not an edit (no updated_at change, no revision).
    Article.objects.filter(pk=article.pk).update(
        index_token=article.index_token, indexed_at=article.indexed_at
    )
    knowledge_index_invalidate()


def _chunk(article_id: int, draft: ChunkDraft) -> Chunk:
    return Chunk(
        article_id=article_id,
        position=draft.position,
        heading=draft.heading,
        text=draft.text,
        terms=draft.terms,
        words=" ".join(draft.words),
        length=draft.length,
    )


def indexer_version() -> str:
    """A fingerprint of the code that splits articles into chunks: stored chunks built by other
    code (an older release) must be rebuilt before they are searched."""
    import hashlib
    import inspect

    from knowledge import direction, lexicon, synonyms

    # The word lists and the direction reader change the index terms as much as the code does.
    sources = (inspect.getsource(m) for m in (kb_text, lexicon, synonyms, direction))
    return hashlib.sha256("".join(sources).encode()).hexdigest()[:32]


def knowledge_reindex_if_stale() -> bool:
    """Rebuild every article's chunks when they were built by other chunking code.

    Runs after ``migrate`` (every deploy's migrate task, ``make run``): a release that changes how
    articles are split never searches chunks of the old format. True when it rebuilt.
    """
    version = indexer_version()
    state = IndexState.objects.filter(pk=1).first()
    if state is not None and state.indexer_version == version:
        return False
    if Article.objects.exists():
        knowledge_reindex_all()
    IndexState.objects.update_or_create(pk=1, defaults={"indexer_version": version})
    if state is None:
        knowledge_index_invalidate()
    return True


@transaction.atomic
def knowledge_reindex_all(*, batch_size: int = 1000) -> int:
    """Rebuild the chunks of every article (bulk path for imports and benchmarks)."""
    Chunk.objects.all().delete()
    now = timezone.now()
    articles = list(Article.objects.only("id", "title", "body", "tags", "status"))
    questions: dict[int, list[str]] = {}
    for article_id, question in GoldenQuestion.objects.order_by("id").values_list(
        "article_id", "question"
    ):
        questions.setdefault(article_id, []).append(question)
    chunks: list[Chunk] = []
    for article in articles:
        article.index_token = _new_token()
        article.indexed_at = now
        if article.is_published:
            drafts = chunk_article(
                title=article.title,
                body=article.body,
                tags=article.tag_list,
                questions=questions.get(article.pk, ()),
            )
            chunks.extend(_chunk(article.pk, d) for d in drafts)
    Chunk.objects.bulk_create(chunks, batch_size=batch_size)
    Article.objects.bulk_update(articles, ["index_token", "indexed_at"], batch_size=batch_size)
    knowledge_index_invalidate()
    return len(chunks)


# --- Articles and revisions -----------------------------------------------------------------------


def _revision_add(*, article: Article, editor: User | None, note: str) -> Revision | None:
    """Record the article's current content unless it equals the latest revision.

    Precondition: the article row is locked (``select_for_update``), so numbers never collide.
    """
    last = article.revisions.order_by("-number").first()
    content = (article.title, article.body, article.tags, article.status)
    if last is not None and (last.title, last.body, last.tags, last.status) == content:
        return None
    return Revision.objects.create(
        article=article,
        number=(last.number if last else 0) + 1,
        title=article.title,
        body=article.body,
        tags=article.tags,
        status=article.status,
        editor=editor,
        note=note[:200],
    )


@transaction.atomic
def knowledge_article_save(
    *, article: Article, editor: User | None, note: str = ""
) -> Revision | None:
    """Save an article as edited (admin form or code): a new revision if the content changed,
    then re-index, so the agent answers from the new text on the next message.

    Returns the new revision, or None when nothing in the content changed.
    """
    if editor is not None:
        article.editor = editor
    article.save()
    # Serialise concurrent saves of one article (revision numbers).
    Article.objects.select_for_update().filter(pk=article.pk).values_list("pk").first()
    revision = _revision_add(article=article, editor=editor, note=note)
    knowledge_reindex(article=article)
    return revision


def knowledge_article_create(
    *,
    title: str,
    slug: str,
    body: str,
    status: str = Article.Status.DRAFT,
    tags: str = "",
    editor: User | None = None,
    golden_questions: Iterable[str] = (),
    last_reviewed_at: date | None = None,
    note: str = "Creación",
) -> Article:
    """Create an article with its first revision and golden questions, and index it."""
    article = Article(
        title=title,
        slug=slug,
        body=body,
        status=status,
        tags=tags,
        last_reviewed_at=last_reviewed_at,
    )
    article.full_clean(exclude=["editor"])
    with transaction.atomic():
        knowledge_article_save(article=article, editor=editor, note=note)
        created = GoldenQuestion.objects.bulk_create(
            [
                GoldenQuestion(article=article, question=q.strip()[:300])
                for q in golden_questions
                if q.strip()
            ]
        )
        if created:
            knowledge_reindex(article=article)  # the golden questions are part of the index
    return article


def knowledge_article_update(
    *, article: Article, editor: User | None, note: str = "", **changes: Any
) -> Revision | None:
    """Change some fields of an article (title, slug, body, status, tags, last_reviewed_at)."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Campos no editables: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(article, name, value)
    article.full_clean(exclude=["editor"])
    return knowledge_article_save(article=article, editor=editor, note=note)


def knowledge_article_revert(*, revision: Revision, editor: User | None) -> Revision:
    """Bring back a revision's title, body and tags as a new revision (history is never rewritten).

    The status is left as it is: reverting the text of a draft must not publish it, and reverting
    a published article must not hide it.
    """
    article = revision.article
    article.title = revision.title
    article.body = revision.body
    article.tags = revision.tags
    new = knowledge_article_save(
        article=article, editor=editor, note=f"Reversión a la revisión {revision.number}"
    )
    if new is not None:
        return new
    return article.revisions.order_by("-number")[0]  # the content already equals the revision


# --- Golden questions -----------------------------------------------------------------------------


@transaction.atomic
def knowledge_golden_add(
    *, article: Article, question: str, unanswered: UnansweredQuestion | None = None
) -> GoldenQuestion:
    """Attach a customer question to the article that answers it, and learn from it at once.

    The question is indexed with the article's section that answers it (see
    ``text.chunk_article``), so the same wording, and wording close to it, reaches the article on
    the next message. When it comes from the unanswered queue, that entry is marked resolved.
    """
    text = " ".join(question.split())[:300]
    if not text:
        raise ValueError("La pregunta está vacía.")
    golden, _ = GoldenQuestion.objects.get_or_create(article=article, question=text)
    knowledge_reindex(article=article)
    if unanswered is not None:
        UnansweredQuestion.objects.filter(pk=unanswered.pk).update(
            status=UnansweredQuestion.Status.RESOLVED
        )
    return golden


@dataclass(frozen=True)
class GoldenResult:
    question_id: int
    question: str
    article_slug: str
    article_title: str
    passed: bool | None  # None: the article is a draft, its questions are not expected to answer
    was_passing: bool | None
    top_slug: str
    confidence: float


@dataclass(frozen=True)
class GoldenCheckReport:
    results: tuple[GoldenResult, ...]

    @property
    def failures(self) -> tuple[GoldenResult, ...]:
        return tuple(r for r in self.results if r.passed is False)

    @property
    def newly_broken(self) -> tuple[GoldenResult, ...]:
        """Questions that passed before this check and fail now: what the last edit broke."""
        return tuple(r for r in self.failures if r.was_passing is not False)


def knowledge_golden_check() -> GoldenCheckReport:
    """Re-run every golden question and store the result on it.

    All of them, not only the edited article's: an edit can make another article steal a question.
    A question passes when the agent answers it confidently from its own article.
    """
    now = timezone.now()
    questions = list(GoldenQuestion.objects.select_related("article").order_by("article_id", "id"))
    results: list[GoldenResult] = []
    for golden in questions:
        was = golden.last_passed
        if golden.article.is_published:
            evaluated = evaluate_question(
                question=golden.question, expected_slug=golden.article.slug
            )
            golden.last_passed = evaluated.passed and knowledge_golden_passes(
                question=golden.question, article_slug=golden.article.slug
            )
            golden.last_rank = evaluated.rank
            golden.last_confidence = round(evaluated.confidence, 4)
            golden.last_top_slug = evaluated.top_slug
        else:
            golden.last_passed = None
            golden.last_rank = None
            golden.last_confidence = None
            golden.last_top_slug = ""
        golden.checked_at = now
        results.append(
            GoldenResult(
                question_id=golden.pk,
                question=golden.question,
                article_slug=golden.article.slug,
                article_title=golden.article.title,
                passed=golden.last_passed,
                was_passing=was,
                top_slug=golden.last_top_slug,
                confidence=golden.last_confidence or 0.0,
            )
        )
    GoldenQuestion.objects.bulk_update(
        questions,
        ["last_passed", "last_rank", "last_confidence", "last_top_slug", "checked_at"],
        batch_size=500,
    )
    report = GoldenCheckReport(results=tuple(results))
    if report.newly_broken:
        logger.warning(
            "knowledge_golden_broken count=%s questions=%s",
            len(report.newly_broken),
            [r.question_id for r in report.newly_broken],
        )
    return report


# --- Unanswered questions -------------------------------------------------------------------------


def review_confidence() -> float:
    return float(getattr(settings, "KNOWLEDGE_REVIEW_CONFIDENCE", DEFAULT_REVIEW_CONFIDENCE))


def knowledge_question_record(
    *, question: str, confidence: float, channel: str, conversation_ref: str | None
) -> None:
    """Queue a question the agent could not answer with confidence, so staff know what to write.

    The same question (after normalising accents, slang, plurals and synonyms) adds to one row's
    count. Questions answered with confidence ≥ KNOWLEDGE_REVIEW_CONFIDENCE are not queued; a
    resolved question that comes back unanswered is reopened; a discarded one stays discarded.

    Content staff read and search this queue without any right to customer data: phone numbers
    are replaced whole (``[teléfono]``) before anything is stored, in every field (the normalised
    text is built from the masked question, so the same question asked with two phones is one
    row). Prices, years and terms stay as typed.
    """
    if confidence >= review_confidence():
        return
    question = mask_phone_numbers(question.strip())
    normalized = unanswered_question_normalize(question)
    if not normalized:
        return  # greetings, emojis: nothing to write an article about
    fields = {
        "example": question[:1000],
        "last_confidence": round(float(confidence), 4),
        "channel": channel[:20],
        "conversation_ref": mask_phone_numbers(conversation_ref or "")[:100],
        "last_seen_at": timezone.now(),
    }
    if _question_bump(normalized=normalized, fields=fields):
        return
    try:
        with transaction.atomic():
            UnansweredQuestion.objects.create(normalized=normalized, **fields)
    except IntegrityError:  # another process created it between our update and insert
        _question_bump(normalized=normalized, fields=fields)


def unanswered_question_normalize(question: str) -> str:
    """The queue's grouping key: the question's index terms, in order, once each (a city with
    no branch keeps its name: "sucursal en Mérida" and "sucursal en Tijuana" are two rows)."""
    return " ".join(dict.fromkeys(kb_text.terms(question[:500], keep_cities=True)))[:300]


def _question_bump(*, normalized: str, fields: dict[str, Any]) -> bool:
    reopened = Case(
        When(
            status=UnansweredQuestion.Status.RESOLVED, then=Value(UnansweredQuestion.Status.PENDING)
        ),
        default=F("status"),
    )
    return bool(
        UnansweredQuestion.objects.filter(normalized=normalized).update(
            count=F("count") + 1, status=reopened, **fields
        )
    )


def knowledge_questions_set_status(*, question_ids: Iterable[int], status: str) -> int:
    """Mark queued questions as resolved (an article now answers them) or discarded."""
    if status not in UnansweredQuestion.Status.values:
        raise ValueError(f"Estado desconocido: {status}")
    return UnansweredQuestion.objects.filter(pk__in=list(question_ids)).update(status=status)


# --- Demo content ---------------------------------------------------------------------------------


def knowledge_load_demo() -> list[str]:
    """Load the shipped demo articles (published) once; return the slugs created.

    Idempotent and fast on every ``make run``: one query when everything was loaded before. A demo
    article is loaded only the first time: staff edits (or deletions) are never overwritten, and a
    staff article that already uses the slug is left alone.
    """
    articles = demo_articles()
    seeded = set(DemoSeed.objects.values_list("slug", flat=True))
    pending = [a for a in articles if a.slug not in seeded]
    if not pending:
        return []
    created: list[str] = []
    with transaction.atomic():
        existing = set(
            Article.objects.filter(slug__in=[a.slug for a in pending]).values_list(
                "slug", flat=True
            )
        )
        for demo in pending:
            if demo.slug not in existing:
                knowledge_article_create(
                    title=demo.title,
                    slug=demo.slug,
                    body=demo.body,
                    status=Article.Status.PUBLISHED,
                    tags=", ".join(demo.tags),
                    golden_questions=demo.golden,
                    last_reviewed_at=timezone.localdate(),
                    note="Contenido de demostración",
                )
                created.append(demo.slug)
        DemoSeed.objects.bulk_create(
            [DemoSeed(slug=a.slug) for a in pending], ignore_conflicts=True
        )
        if created:
            knowledge_golden_check()
    return created
