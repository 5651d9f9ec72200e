"""Read-only transcripts for staff. Conversation state changes only through services.

Salespeople see only the conversations behind their leads; supervisors see all and may hand a
conversation back to the bot and export one row per conversation
(``leads.selectors.conversation_visible_queryset`` decides, as for leads).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import admin, messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from conversations.models import Conversation, Message
from conversations.services import conversation_return_to_bot
from kavak.backoffice.exports import CsvExportAdminMixin
from kavak.backoffice.selectors import CONVERSATION_EXPORT_HEADER, conversation_export_rows
from leads.admin import transcript_html
from leads.models import Lead
from leads.selectors import conversation_visible_queryset


class MessageInline(admin.TabularInline):
    """What the agent understood at each turn (steps, next action, latency): for diagnosis."""

    model = Message
    extra = 0
    can_delete = False
    fields = (
        "created_at",
        "direction",
        "text",
        "step_before",
        "step_after",
        "next_action",
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


@admin.register(Conversation)
class ConversationAdmin(CsvExportAdminMixin, admin.ModelAdmin):
    export_what = "conversaciones"
    export_header = CONVERSATION_EXPORT_HEADER
    change_list_template = "admin/conversations/conversation/change_list.html"
    list_display = (
        "id",
        "channel",
        "status",
        "step",
        "furthest_step",
        "lead_link",
        "started_at",
        "last_message_at",
    )
    list_filter = ("channel", "status", "step", "furthest_step")
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
                    "step",
                    "furthest_step",
                    "lead_link",
                    "started_at",
                    "last_message_at",
                    "handoff_at",
                    "closed_at",
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
        "step",
        "furthest_step",
        "lead_link",
        "state",
        "version",
        "started_at",
        "last_message_at",
        "closed_at",
        "handoff_at",
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
            conversation_return_to_bot(conversation_id=conversation.pk)
            self.log_change(request, conversation, "Regresada al bot")
            count += 1
        self.message_user(request, f"{count} conversación(es) regresadas al bot.", messages.SUCCESS)
