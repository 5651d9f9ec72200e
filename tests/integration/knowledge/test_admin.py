"""The content staff's admin: pages render, edits go through services, broken goldens show up."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from knowledge import services
from knowledge.models import Article, UnansweredQuestion
from knowledge.selectors import knowledge_answer

pytestmark = pytest.mark.django_db


def _form_data(article: Article, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": article.title,
        "slug": article.slug,
        "status": article.status,
        "tags": article.tags,
        "last_reviewed_at": "",
        "body": article.body,
        "golden_questions-TOTAL_FORMS": "0",
        "golden_questions-INITIAL_FORMS": "0",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def _with_goldens(article: Article, data: dict[str, Any]) -> dict[str, Any]:
    goldens = list(article.golden_questions.order_by("id"))
    data["golden_questions-TOTAL_FORMS"] = str(len(goldens))
    data["golden_questions-INITIAL_FORMS"] = str(len(goldens))
    for i, golden in enumerate(goldens):
        data[f"golden_questions-{i}-id"] = str(golden.pk)
        data[f"golden_questions-{i}-article"] = str(article.pk)
        data[f"golden_questions-{i}-question"] = golden.question
    revisions = article.revisions.count()
    data["revisions-TOTAL_FORMS"] = str(revisions)
    data["revisions-INITIAL_FORMS"] = str(revisions)
    for i, revision in enumerate(article.revisions.order_by("-number")):
        data[f"revisions-{i}-id"] = str(revision.pk)
        data[f"revisions-{i}-article"] = str(article.pk)
    return data


def test_admin_pages_render_for_a_superuser(
    admin_client_logged: Client, demo_kb: list[str]
) -> None:
    article = Article.objects.get(slug="garantia")
    revision = article.revisions.get()
    services.knowledge_question_record(
        question="¿venden motos?", confidence=0.1, channel="chat", conversation_ref=None
    )
    urls = [
        reverse("admin:knowledge_article_changelist"),
        reverse("admin:knowledge_article_add"),
        reverse("admin:knowledge_article_change", args=(article.pk,)),
        reverse("admin:knowledge_article_try"),
        reverse("admin:knowledge_article_revision", args=(article.pk, revision.pk)),
        reverse("admin:knowledge_unansweredquestion_changelist"),
        reverse(
            "admin:knowledge_unansweredquestion_change",
            args=(UnansweredQuestion.objects.get().pk,),
        ),
    ]
    for url in urls:
        response = admin_client_logged.get(url)
        assert response.status_code == 200, url

    changelist = admin_client_logged.get(urls[0]).content.decode()
    assert "Probar una pregunta" in changelist
    assert "✔ 7/7" in changelist
    change = admin_client_logged.get(urls[2]).content.decode()
    assert "Fragmentos que el agente puede citar" in change
    assert "cuanto dura la garantia" in change  # golden questions inline
    assert "Ver cambios / restaurar" in change  # revisions inline


def test_try_question_page_shows_answer_chunks_and_scores(
    admin_client_logged: Client, demo_kb: list[str]
) -> None:
    url = reverse("admin:knowledge_article_try")
    page = admin_client_logged.get(url, {"q": "cuanto dura la garamtia"}).content.decode()
    assert "La garantía dura 3 meses" in page
    assert "responde con el artículo" in page
    assert "corregido de «garamtia»" in page
    assert "misma ruta y mismo umbral" in page
    assert "Garantía de tu auto" in page  # the source article
    # The ranker's candidates with their features and the closest golden question.
    assert "Artículos candidatos" in page
    assert "Pregunta parecida" in page
    assert "(«tienen garantia?»)" in page

    page = admin_client_logged.get(url, {"q": "¿quién ganó el mundial?"}).content.decode()
    assert "no responde: ofrece un asesor" in page
    assert "No tengo ese dato confirmado" in page


def test_unanswered_queue_lists_counts_and_actions_change_status(
    admin_client_logged: Client, db: None
) -> None:
    for _ in range(3):
        services.knowledge_question_record(
            question="¿tienen sucursal en Tijuana?",
            confidence=0.2,
            channel="whatsapp",
            conversation_ref=None,
        )
    url = reverse("admin:knowledge_unansweredquestion_changelist")
    page = admin_client_logged.get(url).content.decode()
    assert "¿tienen sucursal en Tijuana?" in page
    assert '<td class="field-count">3</td>' in page

    question = UnansweredQuestion.objects.get()
    response = admin_client_logged.post(
        url, {"action": "mark_resolved", "_selected_action": [question.pk]}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == UnansweredQuestion.Status.RESOLVED


def test_admin_edit_reindexes_and_keeps_history(
    admin_client_logged: Client, demo_kb: list[str]
) -> None:
    article = Article.objects.get(slug="garantia")
    url = reverse("admin:knowledge_article_change", args=(article.pk,))
    body = article.body.replace("dura 3 meses", "dura 3 meses, sin letras chiquitas")
    response = admin_client_logged.post(url, _with_goldens(article, _form_data(article, body=body)))
    assert response.status_code == 302, response.content.decode()[:3000]

    article.refresh_from_db()
    assert article.revisions.count() == 2
    assert article.editor.username == "editora"
    assert "letras chiquitas" in knowledge_answer(question="cuanto dura la garantia").answer
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("siguen respondiendo bien" in m for m in messages)


def test_admin_edit_that_breaks_a_golden_question_is_reported(
    admin_client_logged: Client, demo_kb: list[str]
) -> None:
    article = Article.objects.get(slug="garantia")
    url = reverse("admin:knowledge_article_change", args=(article.pk,))
    data = _with_goldens(article, _form_data(article, body="Pronto publicaremos este contenido."))
    response = admin_client_logged.post(url, data, follow=True)
    page = response.content.decode()
    assert "rompió" in page
    assert "puedo extender la garantia" in page

    changelist = admin_client_logged.get(reverse("admin:knowledge_article_changelist"))
    assert "fallan" in changelist.content.decode()
    change = admin_client_logged.get(url).content.decode()
    assert "✘ Falla" in change


def test_revert_from_the_admin_restores_the_revision(
    admin_client_logged: Client, demo_kb: list[str]
) -> None:
    article = Article.objects.get(slug="garantia")
    original = article.body
    services.knowledge_article_update(article=article, editor=None, body="Texto roto.")
    first = article.revisions.get(number=1)
    url = reverse("admin:knowledge_article_revision", args=(article.pk, first.pk))

    page = admin_client_logged.get(url).content.decode()
    assert "Restaurar esta versión" in page
    assert "Texto roto." in page  # the diff against the current text

    response = admin_client_logged.post(url, follow=True)
    assert "Se restauró la revisión 1" in response.content.decode()
    article.refresh_from_db()
    assert article.body == original
    assert article.revisions.count() == 3


def test_live_preview_renders_markdown_safely(admin_client_logged: Client, db: None) -> None:
    response = admin_client_logged.post(
        reverse("admin:knowledge_article_preview"),
        {"title": "T", "tags": "", "body": "## Hola\n\n- **uno**\n\n<script>alert(1)</script>"},
    )
    html = response.json()["html"]
    assert "<h2>Hola</h2>" in html
    assert "<script>" not in html
    assert "• uno" in html  # the WhatsApp fragment


def test_content_group_can_edit_and_supervision_can_only_look(
    client: Client, django_user_model: Any, demo_kb: list[str]
) -> None:
    article = Article.objects.get(slug="garantia")
    change_url = reverse("admin:knowledge_article_change", args=(article.pk,))
    try_url = reverse("admin:knowledge_article_try")

    editor = django_user_model.objects.create_user("contenido", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Contenido"))
    client.force_login(editor)
    assert client.get(try_url, {"q": "garantia"}).status_code == 200
    response = client.post(change_url, _with_goldens(article, _form_data(article, tags="x")))
    assert response.status_code == 302

    viewer = django_user_model.objects.create_user("super", password="x", is_staff=True)
    viewer.groups.add(Group.objects.get(name="Supervisión"))
    client.force_login(viewer)
    assert client.get(try_url, {"q": "garantia"}).status_code == 200
    assert client.get(change_url).status_code == 200
    revision = article.revisions.order_by("number").first()
    revert_url = reverse("admin:knowledge_article_revision", args=(article.pk, revision.pk))
    assert client.post(revert_url).status_code == 403


def test_try_question_runs_the_live_path_and_says_why_it_declines(
    admin_client_logged: Client, demo_kb: list[str]
) -> None:
    url = reverse("admin:knowledge_article_try")
    for question in ("¿puedo pagar de contado?", "cuanto cuesta kavak total"):
        page = admin_client_logged.get(url, {"q": question}).content.decode()
        live = knowledge_answer(question=question)
        assert not live.confident
        assert "no responde: ofrece un asesor" in page
        assert f"<code>{live.reason}</code>" in page
    page = admin_client_logged.get(url, {"q": "¿puedo pagar de contado?"}).content.decode()
    assert "pregunta de catálogo o financiamiento" in page


def test_unanswered_queue_adds_a_question_as_golden_in_one_click_and_the_agent_learns_it(
    admin_client_logged: Client, demo_kb: list[str]
) -> None:
    question = "me pueden mandar el carro hasta mi chamba"
    assert not knowledge_answer(question=question).confident
    services.knowledge_question_record(
        question=question, confidence=0.2, channel="whatsapp", conversation_ref="42"
    )
    queued = UnansweredQuestion.objects.get()
    article = Article.objects.get(slug="comprar-un-auto")
    url = reverse("admin:knowledge_unansweredquestion_changelist")
    page = admin_client_logged.get(url).content.decode()
    assert f"Agregar como pregunta de control de «{article.title}»" in page
    assert "/admin/conversations/conversation/42/change/" in page  # superuser may see it
    response = admin_client_logged.post(
        url, {"action": f"golden_{article.pk}", "_selected_action": [queued.pk]}, follow=True
    )
    assert "agregadas como preguntas de control" in response.content.decode()
    queued.refresh_from_db()
    assert queued.status == UnansweredQuestion.Status.RESOLVED
    assert article.golden_questions.filter(question=question).exists()
    answer = knowledge_answer(question=question)
    assert answer.confident
    assert answer.hits[0].article_slug == "comprar-un-auto"


def test_content_staff_see_the_conversation_number_but_no_link_to_it(
    client: Client, django_user_model: Any, demo_kb: list[str]
) -> None:
    services.knowledge_question_record(
        question="¿venden motos?", confidence=0.1, channel="whatsapp", conversation_ref="7"
    )
    editor = django_user_model.objects.create_user("contenido2", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Contenido"))
    client.force_login(editor)
    page = client.get(reverse("admin:knowledge_unansweredquestion_changelist")).content.decode()
    assert "#7" in page
    assert "/admin/conversations/conversation/7/" not in page
    assert "Agregar como pregunta de control de" in page
