"""The bulk actions of the lead pipeline: mark contacted, assign, reassign, erase the customer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from backoffice.admin.display import sales_users, user_label
from backoffice.admin.erasure import ErasureForm, erase_leads_customers
from kavak.exceptions import ApplicationError
from leads.models import (
    Lead,
)
from leads.services import (
    lead_assign_pending,
    lead_reassign,
    lead_status_change,
)


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="Asignar a", queryset=get_user_model().objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = sales_users().order_by("first_name", "username")  # type: ignore[attr-defined]
        field.empty_label = "(nadie: sin asignar)"  # type: ignore[attr-defined]


if TYPE_CHECKING:
    # What the mixin relies on (message_user, log_change, admin_site, model) is LeadAdmin's.
    _LeadAdminBase = admin.ModelAdmin[Lead]
else:
    _LeadAdminBase = object


class LeadActionsMixin(_LeadAdminBase):
    """The bulk actions of ``LeadAdmin``: writes go through ``leads.services``."""

    @admin.action(description="Marcar como contactados", permissions=["change"])
    def mark_contacted(self, request: HttpRequest, queryset: QuerySet[Lead]) -> None:
        count = 0
        for lead in queryset.filter(status=Lead.Status.NEW):
            lead_status_change(lead_id=lead.pk, status=Lead.Status.CONTACTED, actor=request.user)
            self.log_change(request, lead, "Estado: Nuevo → Contactado")
            count += 1
        self.message_user(request, f"{count} lead(s) marcados como contactados.", messages.SUCCESS)

    @admin.action(description="Asignar automáticamente (rotación con cupo)", permissions=["change"])
    def assign_round_robin(self, request: HttpRequest, queryset: QuerySet[Lead]) -> None:
        pending = list(queryset.filter(assigned_to__isnull=True).values_list("pk", flat=True))
        count = lead_assign_pending(lead_ids=pending, actor=request.user)
        level = messages.SUCCESS if count == len(pending) else messages.WARNING
        self.message_user(
            request,
            f"{count} de {len(pending)} lead(s) sin asignar recibieron asesor"
            + ("." if count == len(pending) else "; los asesores activos no tienen más cupo."),
            level,
        )

    @admin.action(description="Reasignar a un asesor…", permissions=["change"])
    def reassign(self, request: HttpRequest, queryset: QuerySet[Lead]) -> HttpResponse | None:
        form = ReassignForm(request.POST if "confirmar" in request.POST else None)
        if form.is_bound and form.is_valid():
            assignee = form.cleaned_data["assignee"]
            try:
                for lead in queryset:
                    lead_reassign(
                        lead_id=lead.pk,
                        assignee_id=assignee.pk if assignee else None,
                        actor=request.user,
                    )
                    self.log_change(request, lead, f"Reasignado a {user_label(assignee)}")
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return None
            self.message_user(
                request,
                f"{queryset.count()} lead(s) asignados a "
                f"{user_label(assignee) if assignee else 'nadie'}.",
                messages.SUCCESS,
            )
            return None
        return self._confirmation_page(
            request, queryset, form, title="Reasignar leads", page="reassign"
        )

    def has_erase_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("leads.erase_customer_data")

    @admin.action(description="Borrar datos del cliente…", permissions=["erase"])
    def erase_customer(self, request: HttpRequest, queryset: QuerySet[Lead]) -> HttpResponse | None:
        """A data-subject request (LFPDPPP): confirm, then erase each selected customer."""
        form = ErasureForm(request.POST if "confirmar" in request.POST else None)
        if form.is_bound and form.is_valid():
            entries = erase_leads_customers(
                leads=queryset, actor=request.user, reference=form.cleaned_data["referencia"]
            )
            rows = sum(entry.total_rows for entry in entries)
            self.message_user(
                request,
                f"Datos personales borrados de {len(entries)} cliente(s): {rows} fila(s) "
                "anonimizadas. Queda registro en «Borrados de datos personales».",
                messages.SUCCESS,
            )
            return None
        return self._confirmation_page(
            request, queryset, form, title="Borrar datos del cliente", page="erase"
        )

    def _confirmation_page(
        self,
        request: HttpRequest,
        queryset: QuerySet[Lead],
        form: forms.Form,
        *,
        title: str,
        page: str,
    ) -> TemplateResponse:
        """The page that asks to confirm an action over the selected leads (its ``form``):
        the template ``admin/leads/lead/<page>.html``."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "leads": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, f"admin/leads/lead/{page}.html", context)
