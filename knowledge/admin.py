"""Admin for content staff: articles with history, golden questions, preview, "probar una pregunta"
and the queue of unanswered questions. Thin: every write goes through ``knowledge.services``."""

from __future__ import annotations

import difflib
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from kavak.admin_site import admin_user
from kavak.labels import channel_label
from knowledge import selectors, services
from knowledge.markdown_text import markdown_to_safe_html
from knowledge.models import Article, GoldenQuestion, Revision, UnansweredQuestion


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


class GoldenQuestionInline(admin.TabularInline[GoldenQuestion, Article]):
    model = GoldenQuestion
    extra = 1
    fields = ("question", "result", "last_confidence_display", "last_top_slug", "checked_at")
    readonly_fields = ("result", "last_confidence_display", "last_top_slug", "checked_at")
    verbose_name = "pregunta de control"
    verbose_name_plural = "Preguntas de control (el agente debe responderlas con este artículo)"

    @admin.display(description="resultado")
    def result(self, obj: GoldenQuestion) -> str:
        if obj.pk is None or obj.checked_at is None:
            return "—"
        if obj.last_passed is None:
            return "No aplica (borrador)"
        if obj.last_passed:
            return format_html('<span style="color:#1a7f37">{}</span>', "✔ Responde")
        return format_html('<strong style="color:#ba2121">{}</strong>', "✘ Falla")

    @admin.display(description="confianza")
    def last_confidence_display(self, obj: GoldenQuestion) -> str:
        return _percent(obj.last_confidence)


class RevisionInline(admin.TabularInline[Revision, Article]):
    model = Revision
    extra = 0
    can_delete = False
    fields = ("number", "created_at", "editor", "status", "note", "open_link")
    readonly_fields = fields
    ordering = ("-number",)
    verbose_name_plural = "Historial de revisiones"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="")
    def open_link(self, obj: Revision) -> str:
        url = reverse("admin:knowledge_article_revision", args=(obj.article_id, obj.pk))
        return format_html('<a href="{}">Ver cambios / restaurar</a>', url)


class ArticleForm(forms.ModelForm[Article]):
    class Meta:
        model = Article
        fields = ("title", "slug", "status", "tags", "last_reviewed_at", "body")
        widgets = {
            "body": forms.Textarea(
                attrs={"rows": 24, "cols": 100, "style": "font-family: monospace; width: 95%"}
            )
        }


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    form = ArticleForm
    list_display = (
        "title",
        "slug",
        "status",
        "golden_indicator",
        "last_reviewed_at",
        "editor",
        "updated_at",
    )
    list_filter = ("status",)
    search_fields = ("title", "slug", "body", "tags")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("preview", "editor", "created_at", "updated_at", "indexed_at")
    fieldsets = (
        (None, {"fields": ("title", "slug", "status", "tags", "last_reviewed_at")}),
        ("Contenido", {"fields": ("body",)}),
        ("Vista previa (contenido guardado)", {"fields": ("preview",)}),
        ("Control", {"fields": ("editor", "created_at", "updated_at", "indexed_at")}),
    )
    inlines = (GoldenQuestionInline, RevisionInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return (
            super()
            .get_queryset(request)
            .select_related("editor")
            .annotate(
                golden_total=Count("golden_questions", distinct=True),
                golden_failing=Count(
                    "golden_questions",
                    filter=Q(golden_questions__last_passed=False),
                    distinct=True,
                ),
            )
        )

    @admin.display(description="preguntas de control")
    def golden_indicator(self, obj: Article) -> str:
        total = getattr(obj, "golden_total", 0)
        failing = getattr(obj, "golden_failing", 0)
        if not total:
            return format_html('<span style="color:#666">{}</span>', "Sin preguntas")
        if failing:
            return format_html(
                '<strong style="color:#ba2121">✘ {} de {} fallan</strong>', failing, total
            )
        return format_html('<span style="color:#1a7f37">✔ {}/{}</span>', total, total)

    @admin.display(description="vista previa")
    def preview(self, obj: Article) -> SafeString:
        if not obj.pk:
            return format_html("<em>{}</em>", "Guarda el artículo para ver la vista previa.")
        return _preview_html(title=obj.title, body=obj.body, tags=obj.tags)

    # --- Writes through services ---------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        services.knowledge_article_save(
            article=obj,
            editor=admin_user(request),
            note="Edición en el admin" if change else "Creación en el admin",
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Golden questions are part of the index: re-index after the inline saved them.
        services.knowledge_reindex(article=form.instance)
        _report_golden(request, services.knowledge_golden_check())

    # --- Custom views --------------------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("probar/", wrap(self.try_question_view), name="knowledge_article_try"),
            path(
                "vista-previa/",
                wrap(require_POST(self.preview_view)),
                name="knowledge_article_preview",
            ),
            path(
                "<int:article_id>/revisiones/<int:revision_id>/",
                wrap(self.revision_view),
                name="knowledge_article_revision",
            ),
            *super().get_urls(),
        ]

    def try_question_view(self, request: HttpRequest) -> HttpResponse:
        """ "Probar una pregunta": the answer the agent would give, with chunks and scores."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        question = request.GET.get("q", "").strip()[:500]
        explanation = selectors.knowledge_search_explain(question=question) if question else None
        rows = []
        if explanation is not None:
            rows = [
                {
                    "rank": rank,
                    "result": result,
                    "article_url": reverse(
                        "admin:knowledge_article_change", args=(result.chunk.article_id,)
                    ),
                    "confident": result.confidence >= explanation.threshold,
                }
                for rank, result in enumerate(explanation.results, start=1)
            ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Probar una pregunta",
            "question": question,
            "explanation": explanation,
            "rows": rows,
        }
        return TemplateResponse(request, "knowledge/admin/try_question.html", context)

    def preview_view(self, request: HttpRequest) -> JsonResponse:
        """Live preview of the text being edited (not saved): HTML and the WhatsApp fragments."""
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        body = request.POST.get("body", "")[:100_000]
        return JsonResponse(
            {
                "html": str(
                    _preview_html(
                        title=request.POST.get("title", ""),
                        body=body,
                        tags=request.POST.get("tags", ""),
                    )
                )
            }
        )

    def revision_view(
        self, request: HttpRequest, article_id: int, revision_id: int
    ) -> HttpResponse:
        """A revision next to the current text; POST restores it (as a new revision)."""
        article = get_object_or_404(Article, pk=article_id)
        revision = get_object_or_404(Revision, pk=revision_id, article=article)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_change_permission(request, article):
                raise PermissionDenied
            services.knowledge_article_revert(revision=revision, editor=admin_user(request))
            self.message_user(
                request,
                f"Se restauró la revisión {revision.number}. El agente ya responde con ese texto.",
                messages.SUCCESS,
            )
            _report_golden(request, services.knowledge_golden_check())
            return HttpResponseRedirect(
                reverse("admin:knowledge_article_change", args=(article.pk,))
            )
        diff = difflib.unified_diff(
            article.body.splitlines(),
            revision.body.splitlines(),
            fromfile="Actual",
            tofile=f"Revisión {revision.number}",
            lineterm="",
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Revisión {revision.number} de «{article.title}»",
            "article": article,
            "revision": revision,
            "diff_lines": [(_diff_class(line), line) for line in diff],
            "same_as_current": (revision.title, revision.body, revision.tags)
            == (article.title, article.body, article.tags),
            "can_revert": self.has_change_permission(request, article),
            "preview": _preview_html(title=revision.title, body=revision.body, tags=revision.tags),
        }
        return TemplateResponse(request, "knowledge/admin/revision.html", context)


def _diff_class(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "meta"
    return {"+": "added", "-": "removed", "@": "meta"}.get(line[:1], "")


def _preview_html(*, title: str, body: str, tags: str) -> SafeString:
    """Rendered Markdown plus the fragments the agent can quote, as the customer would read them."""
    chunks = selectors.knowledge_article_chunks_preview(title=title, body=body, tags=tags)
    fragments = format_html_join(
        "",
        '<li><strong>{}</strong><pre style="white-space:pre-wrap;margin:.2em 0 .8em">{}</pre></li>',
        chunks,
    )
    return format_html(
        '<div class="kb-preview"><div class="kb-markdown">{}</div>'
        "<h4>Fragmentos que el agente puede citar por WhatsApp ({})</h4><ol>{}</ol></div>",
        # Safe: the Markdown renderer escapes raw HTML and drops unsafe links.
        mark_safe(markdown_to_safe_html(body)),  # noqa: S308  # nosec B308 B703 - escaped above
        len(chunks),
        fragments,
    )


def _report_golden(request: HttpRequest, report: services.GoldenCheckReport) -> None:
    """Tell the editor right away when an edit breaks a golden question (of any article)."""

    def describe(result: services.GoldenResult) -> str:
        got = (
            f"ahora responde «{result.top_slug}»"
            if result.top_slug and result.top_slug != result.article_slug
            else "ahora no responde con confianza"
        )
        return (
            f"«{result.question}» ({result.article_title}): {got}, "
            f"confianza {_percent(result.confidence)}"
        )

    broken = report.newly_broken
    still = [r for r in report.failures if r not in broken]
    if broken:
        messages.error(
            request,
            f"Atención: este cambio rompió {len(broken)} pregunta(s) de control. "
            + "; ".join(describe(r) for r in broken),
        )
    if still:
        messages.warning(
            request,
            f"Siguen fallando {len(still)} pregunta(s) de control: "
            + "; ".join(describe(r) for r in still),
        )
    if not report.failures and report.results:
        passing = sum(1 for r in report.results if r.passed)
        messages.info(request, f"Las {passing} preguntas de control se siguen respondiendo bien.")


# One-click "add as golden question" actions are offered for up to this many published articles
# (one action each); beyond it the list would be unusable and staff use the article's inline.
_GOLDEN_ACTIONS_MAX = 40


class UnansweredChannelFilter(admin.SimpleListFilter):
    title = "canal"
    parameter_name = "canal"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        used = UnansweredQuestion.objects.values_list("channel", flat=True).distinct()
        return [(code, channel_label(code)) for code in sorted(c for c in used if c)]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(channel=self.value()) if self.value() else queryset


_NO_ANSWER_REASONS = {
    "no_match": "ningún artículo coincide",
    "low_confidence": "confianza baja",
    "catalogue": "es una pregunta del catálogo",
}


@admin.register(UnansweredQuestion)
class UnansweredQuestionAdmin(admin.ModelAdmin[UnansweredQuestion]):
    """The queue of questions the agent declined or answered below the review confidence.

    Each row shows how often it was asked, the conversation it last came from, and what the live
    path would answer now; one action per published article attaches the selected questions to
    it as golden questions (they are indexed with the article at once, so the next customer who
    asks that way gets the answer) and marks them resolved.
    """

    list_display = (
        "example",
        "count",
        "confidence_display",
        "status",
        "channel_label",
        "conversation_link",
        "suggested_article",
        "last_seen_at",
        "try_link",
    )
    list_filter = ("status", UnansweredChannelFilter)
    search_fields = ("example", "normalized")
    ordering = ("-count", "-last_seen_at")
    readonly_fields = (
        "normalized",
        "example",
        "count",
        "last_confidence",
        "channel_label",
        "conversation_link",
        "first_seen_at",
        "last_seen_at",
    )
    fields = ("status", *readonly_fields)
    actions = ("mark_resolved", "mark_ignored", "mark_pending")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="última confianza", ordering="last_confidence")
    def confidence_display(self, obj: UnansweredQuestion) -> str:
        return _percent(obj.last_confidence)

    @admin.display(description="conversación", ordering="conversation_ref")
    def conversation_link(self, obj: UnansweredQuestion) -> str:
        ref = obj.conversation_ref
        if not ref:
            return "—"
        request = getattr(self, "_request", None)
        # Conversations hold phone numbers: only staff allowed to see them get the link.
        if (
            ref.isdigit()
            and request is not None
            and request.user.has_perm("conversations.view_conversation")
        ):
            url = reverse("admin:conversations_conversation_change", args=(int(ref),))
            return format_html('<a href="{}">#{}</a>', url, ref)
        return f"#{ref}"

    @admin.display(description="el agente respondería con")
    def suggested_article(self, obj: UnansweredQuestion) -> str:
        answer = selectors.knowledge_answer(question=obj.example)
        if answer.confident and answer.hits:
            return format_html(
                '<span style="color:#1a7f37">{} ({})</span>',
                answer.hits[0].article_title,
                _percent(answer.confidence),
            )
        reason = _NO_ANSWER_REASONS.get(answer.reason or "", "sin datos")
        return format_html('<span style="color:#666">{}</span>', f"nada ({reason})")

    @admin.display(description="canal", ordering="channel")
    def channel_label(self, obj: UnansweredQuestion) -> str:
        return channel_label(obj.channel)

    @admin.display(description="")
    def try_link(self, obj: UnansweredQuestion) -> str:
        url = reverse("admin:knowledge_article_try") + "?" + urlencode({"q": obj.example})
        return format_html('<a href="{}">Probar</a>', url)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        self._request = request
        return super().changelist_view(request, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        self._request = request
        return super().change_view(request, object_id, form_url, extra_context)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not request.user.has_perm("knowledge.add_goldenquestion"):
            return actions
        published = Article.objects.filter(status=Article.Status.PUBLISHED).order_by("title")
        for article in published[: _GOLDEN_ACTIONS_MAX + 1][:_GOLDEN_ACTIONS_MAX]:
            name = f"golden_{article.pk}"
            description = f"Agregar como pregunta de control de «{article.title}»"
            actions[name] = (_golden_action(article.pk), name, description)
        return actions

    def _set_status(self, request: HttpRequest, queryset: QuerySet[Any], status: str) -> None:
        count = services.knowledge_questions_set_status(
            question_ids=queryset.values_list("pk", flat=True), status=status
        )
        label = UnansweredQuestion.Status(status).label.lower()
        self.message_user(
            request, f"{count} pregunta(s) marcadas como «{label}».", messages.SUCCESS
        )

    @admin.action(description="Marcar como resueltas (ya hay un artículo que las responde)")
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set_status(request, queryset, UnansweredQuestion.Status.RESOLVED)

    @admin.action(description="Descartar (no son preguntas sobre Kavak)")
    def mark_ignored(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set_status(request, queryset, UnansweredQuestion.Status.IGNORED)

    @admin.action(description="Volver a pendientes")
    def mark_pending(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set_status(request, queryset, UnansweredQuestion.Status.PENDING)


def _golden_action(article_id: int) -> Any:
    def action(
        modeladmin: UnansweredQuestionAdmin, request: HttpRequest, queryset: QuerySet[Any]
    ) -> None:
        article = get_object_or_404(Article, pk=article_id)
        added = 0
        for question in queryset:
            services.knowledge_golden_add(
                article=article, question=question.example, unanswered=question
            )
            added += 1
        modeladmin.message_user(
            request,
            f"{added} pregunta(s) agregadas como preguntas de control de «{article.title}». "
            "El agente ya las responde con ese artículo.",
            messages.SUCCESS,
        )
        _report_golden(request, services.knowledge_golden_check())

    return action
