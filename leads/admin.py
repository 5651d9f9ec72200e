"""Leads for sales staff (the back-office issue extends this into the full pipeline)."""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from conversations.apis import amortization_csv_response
from leads.models import Lead, LeadNotification, SalesAgent
from leads.selectors import lead_amortization


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
        "amortization_link",
        "notified_at",
        "created_at",
        "updated_at",
    )
    inlines = [LeadNotificationInline]

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path(
                "<int:lead_id>/amortizacion.csv",
                self.admin_site.admin_view(self.amortization_csv),
                name="leads_lead_amortization",
            )
        ]
        return custom + super().get_urls()

    @admin.display(description="Tabla de amortización")
    def amortization_link(self, obj: Lead) -> str:
        if not obj.pk or not lead_amortization(lead=obj):
            return "—"
        url = reverse("admin:leads_lead_amortization", args=[obj.pk])
        return format_html('<a href="{}">Descargar CSV</a>', url)

    def amortization_csv(self, request: HttpRequest, lead_id: int) -> HttpResponse:
        lead = get_object_or_404(self.get_queryset(request), pk=lead_id)
        if not self.has_view_permission(request, lead):
            raise Http404
        rows = lead_amortization(lead=lead)
        if not rows:
            raise Http404("Este lead no tiene un plan de financiamiento.")
        return amortization_csv_response(
            plan_rows=rows, filename=f"amortizacion-lead-{lead.pk}.csv"
        )


@admin.register(SalesAgent)
class SalesAgentAdmin(admin.ModelAdmin):
    list_display = ("user", "active", "capacity", "whatsapp_number", "last_assigned_at")
    list_filter = ("active",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
