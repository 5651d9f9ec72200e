"""The per-process knowledge index, kept in step with the database.

Retrieval runs on an in-process BM25 index (``knowledge.index``) built from the chunks stored in
the database. Every search first reads one token from ``IndexState`` (a primary-key lookup); when
it differs from the token of the process's index, the index is patched from the database: only the
articles whose own ``index_token`` changed are reloaded. So every process (gunicorn workers, Celery)
sees an edit on its next search, and a rolled-back edit can never leave a stale index behind.
"""

from __future__ import annotations

import threading

from knowledge.index import ChunkRow, Snapshot
from knowledge.models import Article, Chunk, GoldenQuestion
from knowledge.sql import index_token_read

_UNLOADED = "<unloaded>"
_lock = threading.Lock()
_snapshot: Snapshot = Snapshot.empty(token=_UNLOADED)
# Patching is cheaper than a full build until a large share of the articles changed.
_FULL_REBUILD_SHARE = 0.25


def _load_rows(*, article_ids: list[int] | None) -> list[ChunkRow]:
    chunks = Chunk.objects.filter(article__status=Article.Status.PUBLISHED)
    if article_ids is not None:
        chunks = chunks.filter(article_id__in=article_ids)
    fields = ("id", "article_id", "article__slug", "article__title", "heading", "text")
    return [
        ChunkRow(*row)
        for row in chunks.values_list(
            *fields, "terms", "words", "length", "article__tags"
        ).iterator(chunk_size=2000)
    ]


def _load_questions(*, article_ids: list[int] | None) -> dict[int, list[str]]:
    """Golden questions of published articles (the golden-question model's training set)."""
    golden = GoldenQuestion.objects.filter(article__status=Article.Status.PUBLISHED)
    if article_ids is not None:
        golden = golden.filter(article_id__in=article_ids)
    questions: dict[int, list[str]] = {}
    for article_id, question in golden.order_by("id").values_list("article_id", "question"):
        questions.setdefault(article_id, []).append(question)
    return questions


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
            token=token,
            article_tokens=published,
            rows=_load_rows(article_ids=None),
            questions=_load_questions(article_ids=None),
        )
    return snap.patched(
        token=token,
        article_tokens=published,
        rows=_load_rows(article_ids=changed) if changed else [],
        stale_article_ids=changed + removed,
        questions=_load_questions(article_ids=changed) if changed else {},
    )


def knowledge_index() -> Snapshot:
    """The process's index, brought up to date with the database if its token changed."""
    global _snapshot
    token = index_token_read()
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
