"""Salespeople, appointments and the agenda: the leads app's own admin screens.

The lead pipeline, erasure requests and the funnel dashboard span apps (transcripts, channels,
retention) and live in the back office (``backoffice/admin/leads.py``). Writes go through
``leads.services``; who sees what through ``leads.selectors.lead_visible_queryset``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone

from kavak.admin import ViewOnlyAdmin
from leads.models import Agenda, Appointment, SalesAgent
from leads.selectors import agenda_days, lead_visible_queryset, sales_agents_with_load
from leads.services import appointment_status_set


@admin.register(SalesAgent)
class SalesAgentAdmin(admin.ModelAdmin[SalesAgent]):
    list_display = (
        "user",
        "active",
        "capacity",
        "open_leads",
        "whatsapp_number",
        "last_assigned_at",
    )
    list_editable = ("active", "capacity")
    list_filter = ("active",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    readonly_fields = ("last_assigned_at",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        """Supervisors manage availability and capacity; which user is a salesperson is an
        administrator's decision (it grants leads)."""
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            fields += ("user",)
        return fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[SalesAgent]:
        return sales_agents_with_load(agents=super().get_queryset(request))

    @admin.display(description="leads abiertos", ordering="open_leads")
    def open_leads(self, obj: SalesAgent) -> str:
        return f"{getattr(obj, 'open_leads', 0)} / {obj.capacity}"


# --- Appointments booked in the chat --------------------------------------------------------------
@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin[Appointment]):
    """The agenda: visits customers booked in the chat, by date; salespeople see their own."""

    list_display = ("when", "status", "branch", "car", "customer", "requested")
    list_filter = ("status", "branch_city", ("scheduled_at", admin.DateFieldListFilter))
    date_hierarchy = "scheduled_at"
    search_fields = ("lead__name", "lead__phone", "branch", "car_stock_id")
    ordering = ("scheduled_at",)
    actions = ["confirm", "mark_done", "cancel"]
    fields = (
        "lead",
        "conversation",
        "scheduled_at",
        "requested",
        "branch",
        "branch_city",
        "branch_address",
        "car_stock_id",
        "status",
    )
    readonly_fields = tuple(f for f in fields if f != "status")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appointment]:
        leads = lead_visible_queryset(user=request.user)
        return super().get_queryset(request).filter(lead__in=leads).select_related("lead")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # appointments come from conversations

    def save_model(self, request: HttpRequest, obj: Appointment, form: Any, change: bool) -> None:
        if "status" in form.changed_data:
            appointment_status_set(appointment_ids=[obj.pk], status=obj.status, actor=request.user)

    @admin.display(description="fecha", ordering="scheduled_at")
    def when(self, obj: Appointment) -> str:
        return appointment_when(obj)

    @admin.display(description="auto")
    def car(self, obj: Appointment) -> str:
        car = obj.car_snapshot or {}
        return " ".join(str(car[k]) for k in ("make", "model", "year") if car.get(k)) or "—"

    @admin.display(description="cliente")
    def customer(self, obj: Appointment) -> str:
        return f"{obj.lead.name or '(sin nombre)'} · {obj.lead.phone or 'sin teléfono'}"

    def _set(self, request: HttpRequest, queryset: QuerySet[Appointment], status: str) -> None:
        changed = appointment_status_set(
            appointment_ids=queryset.values_list("pk", flat=True), status=status, actor=request.user
        )
        self.message_user(request, f"{changed} cita(s) actualizada(s).", messages.SUCCESS)

    @admin.action(description="Confirmar las citas seleccionadas", permissions=["change"])
    def confirm(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        self._set(request, queryset, Appointment.Status.CONFIRMED)

    @admin.action(description="Marcar como realizadas", permissions=["change"])
    def mark_done(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        self._set(request, queryset, Appointment.Status.DONE)

    @admin.action(description="Cancelar las citas seleccionadas", permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        self._set(request, queryset, Appointment.Status.CANCELLED)


_WEEKDAYS = ("Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo")


def appointment_when(appointment: Appointment) -> str:
    """``Lunes 07/12/2026 11:00`` in local time, or what the customer asked for if not set."""
    if appointment.scheduled_at is None:
        return f"Por definir ({appointment.requested})" if appointment.requested else "Por definir"
    local = timezone.localtime(appointment.scheduled_at)
    return f"{_WEEKDAYS[local.weekday()]} {local:%d/%m/%Y %H:%M}"


# --- Agenda: appointments and call-backs by day ---------------------------------------------------
@admin.register(Agenda)
class AgendaAdmin(ViewOnlyAdmin):
    """Not a list: the entry opens the agenda (salespeople see their own leads' items)."""

    def get_urls(self) -> list[URLPattern]:
        return [
            path("", self.admin_site.admin_view(self.agenda_view), name="leads_agenda_changelist")
        ]

    def agenda_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        days = agenda_days(user=request.user, now=timezone.now())
        context = {
            **self.admin_site.each_context(request),
            "title": "Agenda",
            "opts": self.model._meta,
            "days": days,
            "sees_all": request.user.has_perm("leads.view_all_leads"),
            "can_see_appointments": request.user.has_perm("leads.view_appointment"),
        }
        return TemplateResponse(request, "admin/leads/agenda.html", context)
