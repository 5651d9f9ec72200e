"""Read-only transcripts for staff. Conversation state changes only through services.

Salespeople see only the conversations behind their leads; supervisors see all and may hand a
conversation back to the bot and export one row per conversation
(``conversations.staff.conversation_visible_queryset`` decides, as for leads).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from backoffice.admin.display import transcript_html
from backoffice.exports import CsvExportAdminMixin
from backoffice.handoff import handoff_return_to_bot, handoff_staff_reply
from backoffice.selectors import CONVERSATION_EXPORT_HEADER, conversation_export_rows
from conversations.models import Conversation, Message
from conversations.staff import (
    STAFF_TEXT_MAX_CHARS,
    conversation_visible_queryset,
    handoff_answered,
)
from kavak.exceptions import ApplicationError
from kavak.labels import ACTION_LABELS, STEP_LABELS
from leads.models import Lead


class MessageInline(admin.TabularInline[Message, Conversation]):
    """What the agent understood at each turn (steps, next action, latency): for diagnosis."""

    model = Message
    extra = 0
    can_delete = False
    fields = (
        "created_at",
        "direction",
        "text",
        "author",
        "step_before_label",
        "step_after_label",
        "next_action_label",
        "latency_ms",
    )
    readonly_fields = fields
    ordering = ("created_at", "id")
    classes = ["collapse"]
    verbose_name_plural = "Detalle técnico de los turnos"

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="paso antes")
    def step_before_label(self, obj: Message) -> str:
        return STEP_LABELS.get(obj.step_before, obj.step_before or "—")

    @admin.display(description="paso después")
    def step_after_label(self, obj: Message) -> str:
        return STEP_LABELS.get(obj.step_after, obj.step_after or "—")

    @admin.display(description="siguiente acción")
    def next_action_label(self, obj: Message) -> str:
        return ACTION_LABELS.get(obj.next_action, obj.next_action or "—")


class StepFilter(admin.SimpleListFilter):
    title = "paso actual"
    parameter_name = "paso"
    field = "step"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(STEP_LABELS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset


class FurthestStepFilter(StepFilter):
    title = "paso más avanzado"
    parameter_name = "paso_max"
    field = "furthest_step"


class StaffMessageForm(forms.Form):
    text = forms.CharField(
        label="Mensaje para el cliente",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=STAFF_TEXT_MAX_CHARS,
    )


@admin.register(Conversation)
class ConversationAdmin(CsvExportAdminMixin, admin.ModelAdmin[Conversation]):
    export_what = "conversaciones"
    export_header = CONVERSATION_EXPORT_HEADER
    change_list_template = "admin/conversations/conversation/change_list.html"
    list_display = (
        "id",
        "channel",
        "status",
        "step_label",
        "furthest_step_label",
        "lead_link",
        "started_at",
        "last_message_at",
        "reply_link",
    )
    list_filter = ("channel", "status", StepFilter, FurthestStepFilter, "uses_llm")
    search_fields = ("external_id",)
    date_hierarchy = "started_at"
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "channel",
                    "external_id",
                    "status",
                    "step_label",
                    "furthest_step_label",
                    "lead_link",
                    "started_at",
                    "last_message_at",
                    "handoff_at",
                    "closed_at",
                    "uses_llm",
                    "llm_bucket",
                    "anonymized_at",
                )
            },
        ),
        ("Transcripción", {"fields": ("transcript",)}),
        ("Estado del agente", {"classes": ["collapse"], "fields": ("state", "version")}),
    )
    readonly_fields = (
        "channel",
        "external_id",
        "status",
        "step_label",
        "furthest_step_label",
        "lead_link",
        "state",
        "version",
        "started_at",
        "last_message_at",
        "closed_at",
        "handoff_at",
        "uses_llm",
        "llm_bucket",
        "anonymized_at",
        "transcript",
    )
    inlines = [MessageInline]
    actions = ["return_to_bot"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Conversation]:
        leads = Lead.objects.order_by("-created_at", "-pk")
        return conversation_visible_queryset(user=request.user).prefetch_related(
            Prefetch("leads", queryset=leads)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The change permission only unlocks "return to the bot" (a list action); the
        # conversation itself is never edited in the admin.
        if obj is not None:
            return False
        return super().has_change_permission(request)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        """The agent's raw state (codes, JSON) is for engineers: superusers only."""
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [fs for fs in fieldsets if fs[0] != "Estado del agente"]

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return list(self.inlines) if request.user.is_superuser else []

    @admin.display(description="paso actual", ordering="step")
    def step_label(self, obj: Conversation) -> str:
        return STEP_LABELS.get(obj.step, obj.step)

    @admin.display(description="paso más avanzado", ordering="furthest_step")
    def furthest_step_label(self, obj: Conversation) -> str:
        return STEP_LABELS.get(obj.furthest_step, obj.furthest_step)

    @admin.display(description="")
    def reply_link(self, obj: Conversation) -> SafeString | str:
        if obj.status != Conversation.Status.HANDOFF:
            return ""
        url = reverse("admin:conversations_conversation_reply", args=[obj.pk])
        return format_html('<a href="{}">Responder</a>', url)

    @admin.display(description="transcripción")
    def transcript(self, obj: Conversation) -> SafeString:
        return transcript_html(conversation=obj)

    @admin.display(description="lead")
    def lead_link(self, obj: Conversation) -> SafeString | str:
        leads = list(obj.leads.all())[:3]  # prefetched, newest first
        if not leads:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">#{} ({})</a>',
            (
                (
                    reverse("admin:leads_lead_change", args=[lead.pk]),
                    lead.pk,
                    lead.get_status_display(),
                )
                for lead in leads
            ),
        )

    def export_rows(self, queryset: QuerySet[Conversation]) -> Iterable[Sequence[object]]:
        return conversation_export_rows(conversations=queryset)

    @admin.action(description="Regresar la conversación al bot", permissions=["change"])
    def return_to_bot(self, request: HttpRequest, queryset: QuerySet[Conversation]) -> None:
        count = 0
        for conversation in queryset.filter(status=Conversation.Status.HANDOFF):
            handoff_return_to_bot(conversation_id=conversation.pk, user=request.user)
            self.log_change(request, conversation, "Regresada al bot")
            count += 1
        self.message_user(request, f"{count} conversación(es) regresadas al bot.", messages.SUCCESS)

    # --- Answer the customer (web chat and API; WhatsApp has its own page) -----------------------
    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:conversation_id>/responder/",
                self.admin_site.admin_view(self.reply_view),
                name="conversations_conversation_reply",
            ),
            *super().get_urls(),
        ]

    def reply_view(self, request: HttpRequest, conversation_id: int) -> HttpResponse:
        conversation = get_object_or_404(self.get_queryset(request), pk=conversation_id)
        if conversation.channel == Conversation.Channel.WHATSAPP:
            return HttpResponseRedirect(
                reverse("admin:channels_whatsappconversation_reply", args=[conversation.pk])
            )
        can_reply = request.user.has_perm("conversations.reply_conversation")
        form = StaffMessageForm(request.POST or None)
        if request.method == "POST":
            if not can_reply:
                raise PermissionDenied
            try:
                if request.POST.get("action") == "return_to_bot":
                    if handoff_return_to_bot(conversation_id=conversation.pk, user=request.user):
                        self.message_user(
                            request,
                            "La conversación regresó al bot; se le avisó al cliente.",
                            messages.SUCCESS,
                        )
                elif form.is_valid():
                    handoff_staff_reply(
                        conversation_id=conversation.pk,
                        user=request.user,
                        text=form.cleaned_data["text"],
                    )
                    self.message_user(request, "Mensaje enviado al cliente.", messages.SUCCESS)
                else:
                    self.message_user(request, "Escribe el mensaje.", messages.ERROR)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Responder al cliente · {conversation}",
            "opts": self.model._meta,
            "conversation": conversation,
            "paused": conversation.status == Conversation.Status.HANDOFF,
            "answered": handoff_answered(
                conversation_id=conversation.pk, handoff_at=conversation.handoff_at
            ),
            "handoff_at": conversation.handoff_at and timezone.localtime(conversation.handoff_at),
            "can_reply": can_reply,
            "form": StaffMessageForm(),
            "transcript": self.transcript(conversation),
            "leads": list(conversation.leads.all()[:3]),
        }
        return TemplateResponse(request, "admin/conversations/conversation/reply.html", context)
