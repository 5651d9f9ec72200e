"""Back office for sales staff and supervisors: the lead pipeline (list, change form, exports).

Admin is an interface: it lists and shows; every write (status, notes, assignment) goes through
``leads.services``. Who sees which lead is decided by ``leads.selectors.lead_visible_queryset``
(salespeople: only their own), so list, detail, CSV downloads and exports agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from backoffice.admin.display import (
    conversation_links,
    reply_url,
    sales_users,
    short_datetime,
    user_label,
)
from backoffice.admin.lead_actions import LeadActionsMixin
from backoffice.admin.lead_cards import LeadCardsMixin
from backoffice.admin.lead_filters import (
    AssigneeFilter,
    CarMakeFilter,
    ChannelFilter,
    HandoffWaitingFilter,
    StaleFilter,
)
from backoffice.exports import CsvExportAdminMixin
from backoffice.selectors import (
    lead_amortization,
)
from conversations.apis.financing import amortization_csv_response
from conversations.staff import handoff_waiting_queryset
from kavak.exceptions import ApplicationError
from kavak.labels import NOTIFICATION_REASON_LABELS
from leads.models import (
    Lead,
    LeadEvent,
    LeadNotification,
)
from leads.selectors import (
    LEAD_EXPORT_HEADER,
    lead_export_rows,
    lead_is_stale,
    lead_phone_search_digits,
    lead_visible_queryset,
)
from leads.services import (
    lead_note_add,
    lead_reassign,
    lead_status_change,
    lead_status_validate,
)

# Keyed by the status's value (a TextChoices member is that str).
STATUS_COLOURS: dict[str, str] = {
    Lead.Status.NEW: "#0b3dd9",
    Lead.Status.CONTACTED: "#2f80ed",
    Lead.Status.APPOINTMENT: "#9b51e0",
    Lead.Status.FINANCING: "#f2994a",
    Lead.Status.SOLD: "#27ae60",
    Lead.Status.LOST: "#828282",
}


# --- Lead change form -----------------------------------------------------------------------------
class LeadAdminForm(forms.ModelForm[Lead]):
    new_note = forms.CharField(
        label="Agregar nota",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80, "placeholder": "Llamé, quedó de…"}),
        help_text="Queda en la actividad del lead con tu nombre y la hora.",
    )

    class Meta:
        model = Lead
        fields = ("status", "lost_reason", "assigned_to")
        help_texts = {"lost_reason": "Obligatorio al marcar el lead como perdido."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("assigned_to")
        if field is not None:
            # Active salespeople, plus the current assignee even if no longer active.
            # No assignee (None) matches no row.
            assignee_id = self.instance.assigned_to_id
            current = get_user_model().objects.filter(pk=assignee_id)  # type: ignore[misc]
            field.queryset = (field.queryset | current).distinct()  # type: ignore[attr-defined]
            field.label_from_instance = user_label  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        status = data.get("status") or (self.instance.status if self.instance else "")
        try:
            data["lost_reason"] = lead_status_validate(
                status=status, lost_reason=data.get("lost_reason", "")
            )
        except ApplicationError as exc:
            self.add_error("lost_reason", ValidationError(exc.message))
        return data


class LeadNotificationInline(admin.TabularInline[LeadNotification, Lead]):
    model = LeadNotification
    extra = 0
    can_delete = False
    fields = ("reason_label", "channel", "attempts", "last_error", "sent_at", "created_at")
    readonly_fields = fields
    classes = ["collapse"]

    @admin.display(description="motivo")
    def reason_label(self, obj: LeadNotification) -> str:
        return NOTIFICATION_REASON_LABELS.get(obj.reason, obj.reason)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Lead)
class LeadAdmin(LeadActionsMixin, LeadCardsMixin, CsvExportAdminMixin, admin.ModelAdmin[Lead]):
    export_what = "leads"
    export_header = LEAD_EXPORT_HEADER
    form = LeadAdminForm
    change_form_template = "admin/leads/lead/change_form.html"
    change_list_template = "admin/leads/lead/change_list.html"
    list_display = (
        "id",
        "name",
        "phone",
        "status_badge",
        "car",
        "assignee",
        "created",
        "last_activity",
    )
    list_display_links = ("id", "name")
    list_filter = (
        AssigneeFilter,
        "status",
        HandoffWaitingFilter,
        StaleFilter,
        CarMakeFilter,
        ("created_at", admin.DateFieldListFilter),
        "source",
        ChannelFilter,
    )
    search_fields = ("name", "phone")
    search_help_text = "Nombre o teléfono (con o sin +52, espacios o guiones)."
    date_hierarchy = "created_at"
    list_per_page = 50
    ordering = ("-created_at",)
    inlines = [LeadNotificationInline]
    actions = ["mark_contacted", "assign_round_robin", "reassign", "erase_customer"]
    readonly_fields = (
        "customer",
        "car_card",
        "appointments_card",
        "financing_card",
        "amortization_table",
        "transcript",
        "activity_log",
        "satisfaction_card",
    )
    fieldsets = (
        ("Cliente", {"fields": ("customer",)}),
        ("Seguimiento", {"fields": ("status", "lost_reason", "assigned_to", "new_note")}),
        ("Auto elegido", {"fields": ("car_card",)}),
        ("Citas", {"fields": ("appointments_card",)}),
        ("Financiamiento", {"fields": ("financing_card", "amortization_table")}),
        ("Conversación", {"fields": ("transcript",)}),
        ("Satisfacción", {"fields": ("satisfaction_card",)}),
        ("Actividad", {"fields": ("activity_log",)}),
    )

    # --- Who sees what ----------------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet[Lead]:
        waiting = handoff_waiting_queryset(now=timezone.now()).filter(
            pk=OuterRef("conversation_id")
        )
        return (
            lead_visible_queryset(user=request.user)
            .select_related("assigned_to", "conversation")
            .annotate(
                handoff_waiting=Exists(waiting),
                returned_at=Max(
                    "events__created_at", filter=Q(events__kind=LeadEvent.Kind.CONVERSATION)
                ),
            )
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # leads come from conversations

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        """Only supervisors pick the assignee; everyone else reads their name."""
        if request.user.has_perm("leads.assign_lead"):
            return self.fieldsets
        follow_up = ("status", "lost_reason", "assignee", "new_note")
        return tuple(
            (name, {**opts, "fields": follow_up}) if name == "Seguimiento" else (name, opts)
            for name, opts in self.fieldsets
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("leads.assign_lead"):
            fields += ("assignee",)
        return fields

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "assigned_to":
            kwargs["queryset"] = sales_users().order_by("first_name", "username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not request.user.has_perm("leads.assign_lead"):
            actions.pop("assign_round_robin", None)
            actions.pop("reassign", None)
        return actions

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Lead], search_term: str
    ) -> tuple[QuerySet[Lead], bool]:
        digits = lead_phone_search_digits(term=search_term)
        if digits:
            return queryset.filter(phone__contains=digits), False
        return super().get_search_results(request, queryset, search_term)

    # --- List columns -----------------------------------------------------------------------------
    @admin.display(description="estado", ordering="status")
    def status_badge(self, obj: Lead) -> SafeString:
        badge = format_html(
            '<span class="lead-status" data-status="{}" style="background:{};color:#fff;'
            'padding:2px 8px;border-radius:10px;white-space:nowrap">{}</span>',
            obj.status,
            STATUS_COLOURS.get(obj.status, "#666"),
            obj.get_status_display(),
        )
        if not getattr(obj, "handoff_waiting", False) or obj.conversation is None:
            return badge
        since = timezone.localtime(obj.conversation.handoff_at)
        return format_html(
            '{}<br><a class="lead-handoff-waiting" href="{}" style="color:#ba2121;'
            'font-weight:700">⚠ Espera asesor desde {}</a>',
            badge,
            reply_url(obj.conversation),
            since.strftime("%H:%M" if since.date() == timezone.localdate() else "%d/%m %H:%M"),
        )

    @admin.display(description="creado", ordering="created_at")
    def created(self, obj: Lead) -> str:
        return short_datetime(obj.created_at)

    @admin.display(description="última actividad", ordering="last_activity_at")
    def last_activity(self, obj: Lead) -> SafeString | str:
        now = timezone.now()
        returned = getattr(obj, "returned_at", None)
        if returned is not None and returned >= obj.last_activity_at:
            return format_html(
                '{}<br><strong class="lead-returned" style="color:#0b3dd9">'
                "↻ Volvió a escribir</strong>",
                short_datetime(obj.last_activity_at),
            )
        if not lead_is_stale(lead=obj, now=now):
            return short_datetime(obj.last_activity_at)
        days = (now - obj.last_activity_at).days
        return format_html(
            '{}<br><strong class="lead-stale" style="color:#ba2121">'
            "⚠ {} días sin actividad</strong>",
            short_datetime(obj.last_activity_at),
            days,
        )

    @admin.display(description="auto")
    def car(self, obj: Lead) -> str:
        car = obj.car_snapshot or {}
        return " ".join(str(car[k]) for k in ("make", "model", "year") if car.get(k)) or "—"

    @admin.display(description="asesor", ordering="assigned_to__first_name")
    def assignee(self, obj: Lead) -> str:
        return user_label(obj.assigned_to) if obj.assigned_to_id else "Sin asignar"

    # --- Writes through services ------------------------------------------------------------------
    def save_model(self, request: HttpRequest, obj: Lead, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            if "assigned_to" in form.changed_data and request.user.has_perm("leads.assign_lead"):
                assignee = data.get("assigned_to")
                lead_reassign(
                    lead_id=obj.pk,
                    assignee_id=assignee.pk if assignee else None,
                    actor=request.user,
                )
            if {"status", "lost_reason"} & set(form.changed_data):
                lead_status_change(
                    lead_id=obj.pk,
                    status=data["status"],
                    lost_reason=data.get("lost_reason", ""),
                    actor=request.user,
                )
            if data.get("new_note", "").strip():
                lead_note_add(lead_id=obj.pk, text=data["new_note"], actor=request.user)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    # --- Custom views -----------------------------------------------------------------------------
    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:lead_id>/amortizacion.csv",
                wrap(self.amortization_csv),
                name="leads_lead_amortization",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = dict(extra_context or {})
        lead = self.get_object(request, object_id)
        if lead is not None and lead.conversation_id:
            context.update(conversation_links(request, lead.conversation))
        return super().change_view(request, object_id, form_url, extra_context=context)

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

    def export_rows(self, queryset: QuerySet[Lead]) -> Iterable[Sequence[object]]:
        return lead_export_rows(leads=queryset)

    # --- Actions ----------------------------------------------------------------------------------
