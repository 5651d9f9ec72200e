"""Data-subject erasures (LFPDPPP): the read-only audit, the erasure by phone number, and the
erasure of the customers of selected leads."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from backoffice.anonymise import customer_hash
from backoffice.erasure import customer_erase
from channels.phones import InvalidPhone, phone_normalise
from kavak.admin import ViewOnlyAdmin
from leads.models import (
    DataErasure,
    Lead,
)


class ErasureForm(forms.Form):
    referencia = forms.CharField(
        label="Referencia de la solicitud",
        max_length=120,
        required=False,
        help_text="Folio o correo de la solicitud del titular (derechos ARCO).",
    )
    confirmo = forms.BooleanField(
        label="Confirmo que el cliente pidió borrar sus datos; no se puede deshacer.",
        required=True,
    )


class PhoneErasureForm(ErasureForm):
    telefono = forms.CharField(label="Teléfono del cliente", max_length=40)
    field_order = ["telefono", "referencia", "confirmo"]

    def clean_telefono(self) -> str:
        try:
            return phone_normalise(self.cleaned_data["telefono"])
        except InvalidPhone:
            raise ValidationError("No es un número de teléfono válido.") from None


def erase_leads_customers(
    *, leads: QuerySet[Lead], actor: Any, reference: str
) -> list[DataErasure]:
    """One erasure per customer of the selected leads (two leads with one phone: one customer)."""
    entries = []
    seen: set[str] = set()
    for lead in leads.order_by("pk"):
        if lead.phone and lead.phone in seen:
            continue
        seen.add(lead.phone)
        entries.append(
            customer_erase(actor=actor, phone=lead.phone, lead_ids=[lead.pk], reference=reference)
        )
    return entries


@admin.register(DataErasure)
class DataErasureAdmin(ViewOnlyAdmin):  # the audit outlives what it records
    """The audit of erasures (read-only) and the erasure of a customer by phone number."""

    change_list_template = "admin/leads/dataerasure/change_list.html"
    list_display = ("created_at", "kind", "actor_username", "customer_hash", "reference", "total")
    list_filter = ("kind", ("created_at", admin.DateFieldListFilter))
    search_fields = ("customer_hash", "reference", "actor_username")
    readonly_fields = ("rows_table",)
    fields = (
        "created_at", "kind", "actor_username", "customer_hash", "reference", "rows_table",
    )  # fmt: skip

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[DataErasure], search_term: str
    ) -> tuple[QuerySet[DataErasure], bool]:
        """A phone number typed in the search finds its erasures (by its hash)."""
        try:
            token = customer_hash(phone_normalise(search_term))
        except InvalidPhone:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(customer_hash=token), False

    @admin.display(description="filas")
    def total(self, obj: DataErasure) -> int:
        return obj.total_rows

    @admin.display(description="filas por tabla")
    def rows_table(self, obj: DataErasure) -> SafeString:
        return format_html(
            "<table><thead><tr><th>Tabla</th><th>Filas</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td></tr>",
                ((_table_label(label), count) for label, count in sorted(obj.rows.items())),
            ),
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "borrar/",
                self.admin_site.admin_view(self.erase_view),
                name="leads_dataerasure_erase",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = {"can_erase": request.user.has_perm("leads.erase_customer_data")}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def erase_view(self, request: HttpRequest) -> HttpResponse:
        """Erase a customer by phone number (one who never became a lead, e.g. WhatsApp only)."""
        if not request.user.has_perm("leads.erase_customer_data"):
            raise PermissionDenied
        form = PhoneErasureForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            entry = customer_erase(
                actor=request.user,
                phone=form.cleaned_data["telefono"],
                reference=form.cleaned_data["referencia"],
            )
            self.message_user(
                request,
                f"Datos personales borrados: {entry.total_rows} fila(s) anonimizadas.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:leads_dataerasure_change", args=[entry.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Borrar datos de un cliente por teléfono",
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/leads/dataerasure/erase.html", context)


def _table_label(label: str) -> str:
    """``conversations.message`` → "mensajes" (the model's Spanish name)."""
    from django.apps import apps

    name, _, suffix = label.partition(":")
    try:
        model = apps.get_model(name)
    except (LookupError, ValueError):
        return label
    text = str(model._meta.verbose_name_plural)
    return f"{text} ({'avisos a ventas' if suffix == 'ventas' else suffix})" if suffix else text
