"""Read-only transcripts for staff. Conversation state changes only through services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest

from conversations.models import Conversation, Message
from conversations.services import conversation_return_to_bot


class MessageInline(admin.TabularInline):
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

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "channel",
        "status",
        "step",
        "furthest_step",
        "started_at",
        "last_message_at",
    )
    list_filter = ("channel", "status", "step", "furthest_step")
    search_fields = ("external_id",)
    date_hierarchy = "started_at"
    readonly_fields = (
        "channel",
        "external_id",
        "status",
        "step",
        "furthest_step",
        "state",
        "version",
        "started_at",
        "updated_at",
        "last_message_at",
        "closed_at",
        "handoff_at",
    )
    inlines = [MessageInline]
    actions = ["return_to_bot"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Regresar la conversación al bot")
    def return_to_bot(self, request: HttpRequest, queryset: object) -> None:
        count = 0
        for conversation in queryset.filter(status=Conversation.Status.HANDOFF):  # type: ignore[attr-defined]
            conversation_return_to_bot(conversation_id=conversation.pk)
            count += 1
        self.message_user(request, f"{count} conversación(es) regresadas al bot.", messages.SUCCESS)
