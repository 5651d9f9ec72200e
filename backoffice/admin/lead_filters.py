"""The list filters of the lead pipeline (``LeadAdmin``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from backoffice.admin.display import sales_users
from conversations.models import Conversation
from kavak.admin_site import admin_user
from leads.models import (
    Lead,
)
from leads.selectors import (
    lead_stale_before,
)


# --- List filters ---------------------------------------------------------------------------------
class AssigneeFilter(admin.SimpleListFilter):
    """Salespeople start on "Mis leads"; supervisors who do not sell start on all leads."""

    title = "asesor"
    parameter_name = "asesor"

    def __init__(self, request: HttpRequest, params: Any, model: Any, model_admin: Any) -> None:
        user = request.user
        self.sees_all = user.has_perm("leads.view_all_leads")
        self.default = "todos" if self.sees_all and not hasattr(user, "sales_agent") else "mios"
        super().__init__(request, params, model, model_admin)

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        options = [("mios", "Mis leads")]
        if self.sees_all:
            options += [("todos", "Todos"), ("sin", "Sin asignar")]
            options += [
                (str(user.pk), user.get_full_name() or user.get_username())
                for user in sales_users().order_by("first_name", "username")
            ]
        return options

    def value(self) -> str:
        return super().value() or self.default

    def choices(self, changelist: ChangeList) -> Any:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        value = self.value()
        if value == "mios" or not self.sees_all:
            return queryset.filter(assigned_to=admin_user(request))
        if value == "sin":
            return queryset.filter(assigned_to__isnull=True)
        if value.isdigit():
            return queryset.filter(assigned_to_id=int(value))
        return queryset


class StaleFilter(admin.SimpleListFilter):
    title = "actividad"
    parameter_name = "estancados"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("si", f"Sin actividad en {settings.LEAD_STALE_AFTER_DAYS}+ días")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        if self.value() == "si":
            return queryset.exclude(status__in=Lead.CLOSED_STATUSES).filter(
                last_activity_at__lt=lead_stale_before(now=timezone.now())
            )
        return queryset


class HandoffWaitingFilter(admin.SimpleListFilter):
    title = "asesor humano"
    parameter_name = "esperando"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("si", f"Esperan asesor hace {settings.HANDOFF_SLA_MINUTES}+ min (sin respuesta)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        if self.value() == "si":
            # Annotated by LeadAdmin.get_queryset, which the plugin cannot see from here.
            return queryset.filter(handoff_waiting=True)  # type: ignore[misc]
        return queryset


class ChannelFilter(admin.SimpleListFilter):
    title = "canal"
    parameter_name = "canal"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(Conversation.Channel.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        return queryset.filter(channel=self.value()) if self.value() else queryset


class CarMakeFilter(admin.SimpleListFilter):
    title = "marca del auto"
    parameter_name = "marca"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        makes = (
            model_admin.get_queryset(request)
            .exclude(car_snapshot__make=None)
            .values_list("car_snapshot__make", flat=True)
            .distinct()
        )
        return [(make, make) for make in sorted({str(m) for m in makes if m})]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        if self.value():
            return queryset.filter(car_snapshot__make=self.value())
        return queryset
