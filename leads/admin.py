"""Leads for sales staff (issue 7 extends this into the full pipeline)."""

from __future__ import annotations

from django.contrib import admin

from leads.models import Lead, LeadNotification


class LeadNotificationInline(admin.TabularInline):
    model = LeadNotification
    extra = 0
    can_delete = False
    readonly_fields = ("reason", "channel", "attempts", "last_error", "sent_at", "created_at")


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "name",
        "phone",
        "status",
        "source",
        "channel",
        "car_stock_id",
        "assigned_to",
        "created_at",
    )
    list_filter = ("status", "source", "channel", "assigned_to")
    search_fields = ("name", "phone", "car_stock_id")
    date_hierarchy = "created_at"
    readonly_fields = (
        "conversation",
        "car_snapshot",
        "financing_snapshot",
        "notified_at",
        "created_at",
        "updated_at",
    )
    inlines = [LeadNotificationInline]
