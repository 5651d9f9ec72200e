"""Writes: revisions and revert, the unanswered queue, demo loading, golden checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from knowledge import services
from knowledge.demo import demo_articles
from knowledge.models import Article, Chunk, DemoSeed, GoldenQuestion, UnansweredQuestion
from knowledge.selectors import knowledge_answer

pytestmark = pytest.mark.django_db

BODY_V1 = "## Garantía\n\nLa garantía dura 3 meses."
BODY_V2 = "## Garantía\n\nLa garantía dura 6 meses."


def test_each_content_change_adds_a_revision_and_saves_without_change_do_not(
    make_article: Callable[..., Article], django_user_model: Any
) -> None:
    editor = django_user_model.objects.create_user("ana", password="x")
    article = make_article(slug="garantia", body=BODY_V1, editor=editor)
    assert list(article.revisions.values_list("number", "editor_id")) == [(1, editor.pk)]

    assert services.knowledge_article_update(article=article, editor=editor) is None
    assert article.revisions.count() == 1

    revision = services.knowledge_article_update(article=article, editor=editor, body=BODY_V2)
    assert revision is not None
    assert revision.number == 2
    assert revision.body == BODY_V2
    article.refresh_from_db()
    assert article.editor == editor


def test_revert_restores_text_as_a_new_revision_and_reindexes(
    make_article: Callable[..., Article],
) -> None:
    article = make_article(slug="garantia", body=BODY_V1)
    services.knowledge_article_update(article=article, editor=None, body=BODY_V2)
    assert "6 meses" in knowledge_answer(question="garantia").answer

    first = article.revisions.get(number=1)
    new = services.knowledge_article_revert(revision=first, editor=None)

    article.refresh_from_db()
    assert article.body == BODY_V1
    assert new.number == 3
    assert "revisión 1" in new.note
    assert article.revisions.count() == 3  # history is never rewritten
    assert "3 meses" in knowledge_answer(question="garantia").answer


def test_revert_keeps_the_publication_status(make_article: Callable[..., Article]) -> None:
    article = make_article(slug="garantia", body=BODY_V1, status=Article.Status.DRAFT)
    services.knowledge_article_update(article=article, editor=None, body=BODY_V2)
    services.knowledge_article_revert(revision=article.revisions.get(number=1), editor=None)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert not knowledge_answer(question="garantia").confident


def test_update_rejects_fields_that_are_not_content(make_article: Callable[..., Article]) -> None:
    article = make_article(slug="garantia", body=BODY_V1)
    with pytest.raises(TypeError, match="index_token"):
        services.knowledge_article_update(article=article, editor=None, index_token="x")


def test_reindex_all_rebuilds_chunks_of_published_articles_only(
    make_article: Callable[..., Article],
) -> None:
    make_article(slug="garantia", body=BODY_V1)
    make_article(slug="borrador", body="## Algo\n\nTexto.", status=Article.Status.DRAFT)
    Chunk.objects.all().delete()
    assert services.knowledge_reindex_all() == 1
    assert knowledge_answer(question="garantia").confident


def test_unanswered_queue_counts_repeats_of_the_same_question() -> None:
    for text in (
        "¿Tienen sucursal en Tijuana?",
        "tienen sucursales en tijuana",
        "SUCURSAL TIJUANA",
    ):
        services.knowledge_question_record(
            question=text, confidence=0.2, channel="whatsapp", conversation_ref="c-1"
        )
    services.knowledge_question_record(
        question="¿venden motos?", confidence=0.1, channel="chat", conversation_ref=None
    )
    rows = list(UnansweredQuestion.objects.order_by("-count"))
    assert [(r.count, r.channel) for r in rows] == [(3, "whatsapp"), (1, "chat")]
    assert rows[0].example == "SUCURSAL TIJUANA"  # the latest wording
    assert rows[0].status == UnansweredQuestion.Status.PENDING


def test_unanswered_queue_ignores_confident_answers_and_empty_questions() -> None:
    services.knowledge_question_record(
        question="¿tienen garantía?", confidence=0.95, channel="chat", conversation_ref=None
    )
    services.knowledge_question_record(
        question="hola!! 🙂", confidence=0.0, channel="chat", conversation_ref=None
    )
    assert not UnansweredQuestion.objects.exists()


def test_unanswered_queue_masks_phone_numbers() -> None:
    services.knowledge_question_record(
        question="me marcan al 55 1234 5678 para lo de la tenencia?",
        confidence=0.1,
        channel="whatsapp",
        conversation_ref=None,
    )
    row = UnansweredQuestion.objects.get()
    assert "1234 5678" not in row.example
    # Replaced whole (content staff need no part of it); the normalised text has no digits of it.
    assert row.example == "me marcan al [teléfono] para lo de la tenencia?"
    assert "5678" not in row.normalized


def test_resolved_question_reopens_and_discarded_one_stays_discarded() -> None:
    record = {"confidence": 0.1, "channel": "chat", "conversation_ref": None}
    services.knowledge_question_record(question="¿venden motos?", **record)
    services.knowledge_question_record(question="¿quién ganó el mundial?", **record)
    motos, mundial = UnansweredQuestion.objects.order_by("example")
    assert (
        services.knowledge_questions_set_status(
            question_ids=[motos.pk], status=UnansweredQuestion.Status.RESOLVED
        )
        == 1
    )
    services.knowledge_questions_set_status(
        question_ids=[mundial.pk], status=UnansweredQuestion.Status.IGNORED
    )
    services.knowledge_question_record(question="venden motos", **record)
    services.knowledge_question_record(question="quien gano el mundial", **record)
    motos.refresh_from_db()
    mundial.refresh_from_db()
    assert (motos.status, motos.count) == (UnansweredQuestion.Status.PENDING, 2)
    assert (mundial.status, mundial.count) == (UnansweredQuestion.Status.IGNORED, 2)


def test_load_demo_is_idempotent_and_cheap_the_second_time(
    django_assert_max_num_queries: Any,
) -> None:
    created = services.knowledge_load_demo()
    assert sorted(created) == sorted(a.slug for a in demo_articles())
    assert Article.objects.filter(status=Article.Status.PUBLISHED).count() == len(created)
    assert GoldenQuestion.objects.count() >= 60
    assert not GoldenQuestion.objects.filter(last_passed=False).exists()
    with django_assert_max_num_queries(1):
        assert services.knowledge_load_demo() == []


def test_load_demo_never_overwrites_or_resurrects_staff_changes(demo_kb: list[str]) -> None:
    garantia = Article.objects.get(slug="garantia")
    services.knowledge_article_update(article=garantia, editor=None, body=BODY_V2)
    Article.objects.filter(slug="app-kavak").delete()

    assert services.knowledge_load_demo() == []
    garantia.refresh_from_db()
    assert garantia.body == BODY_V2
    assert not Article.objects.filter(slug="app-kavak").exists()


def test_load_demo_leaves_a_staff_article_with_the_same_slug_alone(
    make_article: Callable[..., Article],
) -> None:
    mine = make_article(slug="garantia", body=BODY_V2, title="Mi garantía")
    created = services.knowledge_load_demo()
    assert "garantia" not in created
    mine.refresh_from_db()
    assert (mine.title, mine.body) == ("Mi garantía", BODY_V2)
    assert DemoSeed.objects.filter(slug="garantia").exists()


def test_golden_check_reports_questions_an_edit_broke(demo_kb: list[str]) -> None:
    garantia = Article.objects.get(slug="garantia")
    services.knowledge_article_update(
        article=garantia, editor=None, body="## Pronto\n\nEstamos actualizando esta información."
    )
    report = services.knowledge_golden_check()

    broken = {r.question for r in report.newly_broken}
    assert "puedo extender la garantia" in broken
    assert all(r.article_slug == "garantia" for r in report.newly_broken)
    question = GoldenQuestion.objects.get(question="puedo extender la garantia")
    assert question.last_passed is False
    assert question.checked_at is not None

    # The next check reports them as still failing, not as newly broken.
    again = services.knowledge_golden_check()
    assert again.newly_broken == ()
    assert {r.question for r in again.failures} == broken


def test_golden_questions_of_a_draft_are_not_expected_to_pass(demo_kb: list[str]) -> None:
    garantia = Article.objects.get(slug="garantia")
    services.knowledge_article_update(article=garantia, editor=None, status="draft")
    report = services.knowledge_golden_check()
    mine = [r for r in report.results if r.article_slug == "garantia"]
    assert mine
    assert all(r.passed is None for r in mine)
    assert report.failures == ()


def test_chunks_of_an_older_chunking_code_are_rebuilt_after_migrate(
    make_article: Callable[..., Article],
) -> None:
    from django.core.management import call_command

    from knowledge.models import IndexState

    make_article(slug="garantia", body=BODY_V1)
    assert knowledge_answer(question="¿cuánto dura la garantía?").confident
    # A release whose chunking code differs left chunks of another format behind.
    Chunk.objects.all().delete()
    IndexState.objects.filter(pk=1).update(indexer_version="an-older-release")
    assert not Chunk.objects.exists()

    call_command("migrate", verbosity=0)  # every deploy runs it

    assert IndexState.objects.get(pk=1).indexer_version == services.indexer_version()
    assert Chunk.objects.exists()
    assert knowledge_answer(question="¿cuánto dura la garantía?").confident
    assert services.knowledge_reindex_if_stale() is False  # nothing to do the second time
