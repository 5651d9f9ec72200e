"""Back office for sales staff and supervisors: the lead pipeline, exports and the funnel dashboard.

Admin is an interface: it lists and shows; every write (status, notes, assignment) goes through
``leads.services``. Who sees which lead is decided by ``leads.selectors.lead_visible_queryset``
(salespeople: only their own), so list, detail, CSV downloads and exports agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from backoffice import charts
from backoffice.exports import CsvExportAdminMixin
from backoffice.models import FunnelDashboard
from backoffice.retention import customer_erase, customer_hash
from backoffice.satisfaction import satisfaction_context, satisfaction_for_lead
from backoffice.selectors import (
    DateRange,
    conversation_transcript,
    dashboard_daily,
    dashboard_funnel,
    dashboard_handoffs_waiting,
    dashboard_kb_fallback,
    dashboard_latency,
    dashboard_leads_by_agent,
    dashboard_llm_rollout,
    lead_amortization,
)
from channels.phones import InvalidPhone, phone_normalise
from conversations.apis import amortization_csv_response
from conversations.models import Conversation
from conversations.staff import conversation_visible_queryset, handoff_waiting_queryset
from kavak.exceptions import ApplicationError
from kavak.formatting import bold_html
from kavak.labels import NOTIFICATION_REASON_LABELS
from leads.admin import appointment_when
from leads.models import (
    DataErasure,
    Lead,
    LeadEvent,
    LeadNotification,
)
from leads.selectors import (
    LEAD_EXPORT_HEADER,
    lead_events,
    lead_export_rows,
    lead_is_stale,
    lead_phone_search_digits,
    lead_stale_before,
    lead_visible_queryset,
)
from leads.services import (
    lead_assign_pending,
    lead_note_add,
    lead_reassign,
    lead_status_change,
    lead_status_validate,
)

STATUS_COLOURS = {
    Lead.Status.NEW: "#0b3dd9",
    Lead.Status.CONTACTED: "#2f80ed",
    Lead.Status.APPOINTMENT: "#9b51e0",
    Lead.Status.FINANCING: "#f2994a",
    Lead.Status.SOLD: "#27ae60",
    Lead.Status.LOST: "#828282",
}


CHANNEL_LABELS = dict(Conversation.Channel.choices)


def _money(value: Any) -> str:
    try:
        return f"${Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return "—"


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"


def _short(value: Any) -> str:
    """Compact date for list columns: the year only when it is not this year."""
    local = timezone.localtime(value)
    return local.strftime("%d/%m %H:%M" if local.year == timezone.localdate().year else "%d/%m/%Y")


def _user_label(user: Any) -> str:
    if user is None:
        return "el sistema"
    return user.get_full_name() or user.get_username()


def _sales_users() -> QuerySet[Any]:
    return get_user_model().objects.filter(sales_agent__active=True, is_active=True)


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
                for user in _sales_users().order_by("first_name", "username")
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
            return queryset.filter(assigned_to=request.user)
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
            return queryset.filter(handoff_waiting=True)
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


# --- Lead change form -----------------------------------------------------------------------------
class LeadAdminForm(forms.ModelForm):
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
            current = get_user_model().objects.filter(pk=self.instance.assigned_to_id)
            field.queryset = (field.queryset | current).distinct()  # type: ignore[attr-defined]
            field.label_from_instance = _user_label  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        status = data.get("status") or (self.instance.status if self.instance else "")
        try:
            data["lost_reason"] = lead_status_validate(
                status=status, lost_reason=data.get("lost_reason", "")
            )
        except ApplicationError as exc:
            self.add_error("lost_reason", ValidationError(exc.message))
        return data


class LeadNotificationInline(admin.TabularInline):
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


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="Asignar a", queryset=get_user_model().objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = _sales_users().order_by("first_name", "username")  # type: ignore[attr-defined]
        field.empty_label = "(nadie: sin asignar)"  # type: ignore[attr-defined]


@admin.register(Lead)
class LeadAdmin(CsvExportAdminMixin, admin.ModelAdmin):
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
            kwargs["queryset"] = _sales_users().order_by("first_name", "username")
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
            _reply_url(obj.conversation),
            since.strftime("%H:%M" if since.date() == timezone.localdate() else "%d/%m %H:%M"),
        )

    @admin.display(description="creado", ordering="created_at")
    def created(self, obj: Lead) -> str:
        return _short(obj.created_at)

    @admin.display(description="última actividad", ordering="last_activity_at")
    def last_activity(self, obj: Lead) -> SafeString | str:
        now = timezone.now()
        returned = getattr(obj, "returned_at", None)
        if returned is not None and returned >= obj.last_activity_at:
            return format_html(
                '{}<br><strong class="lead-returned" style="color:#0b3dd9">'
                "↻ Volvió a escribir</strong>",
                _short(obj.last_activity_at),
            )
        if not lead_is_stale(lead=obj, now=now):
            return _short(obj.last_activity_at)
        days = (now - obj.last_activity_at).days
        return format_html(
            '{}<br><strong class="lead-stale" style="color:#ba2121">'
            "⚠ {} días sin actividad</strong>",
            _short(obj.last_activity_at),
            days,
        )

    @admin.display(description="auto")
    def car(self, obj: Lead) -> str:
        car = obj.car_snapshot or {}
        return " ".join(str(car[k]) for k in ("make", "model", "year") if car.get(k)) or "—"

    @admin.display(description="asesor", ordering="assigned_to__first_name")
    def assignee(self, obj: Lead) -> str:
        return _user_label(obj.assigned_to) if obj.assigned_to_id else "Sin asignar"

    # --- Detail blocks ----------------------------------------------------------------------------
    @admin.display(description="cliente")
    def customer(self, obj: Lead) -> SafeString:
        rows = [
            ("Nombre", obj.name or "(sin nombre)"),
            ("Teléfono", obj.phone or "(sin teléfono)"),
            ("Horario preferido", obj.preferred_contact_time or "—"),
            ("Origen", obj.get_source_display()),
            ("Canal", CHANNEL_LABELS.get(obj.channel, obj.channel)),
            ("Creado", _local(obj.created_at)),
            ("Última actividad", _local(obj.last_activity_at)),
        ]
        return format_html(
            '<table class="lead-facts"><tbody>{}</tbody></table>',
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
        )

    @admin.display(description="auto")
    def car_card(self, obj: Lead) -> SafeString | str:
        car = obj.car_snapshot or {}
        if not car:
            return "El cliente no eligió un auto."
        rows = [
            ("Auto", " ".join(str(car[k]) for k in ("make", "model", "year") if car.get(k))),
            ("Versión", car.get("version") or "—"),
            ("Precio", _money(car.get("price"))),
            ("Kilometraje", f"{int(car['km']):,} km" if car.get("km") is not None else "—"),
            ("Stock id", car.get("stock_id") or obj.car_stock_id or "—"),
        ]
        return format_html(
            '<table class="lead-facts"><tbody>{}</tbody></table>',
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
        )

    @admin.display(description="citas")
    def appointments_card(self, obj: Lead) -> SafeString | str:
        appointments = list(obj.appointments.order_by("-created_at")[:5])
        if not appointments:
            return "Sin citas."
        rows = [
            (
                appointment_when(a),
                a.branch or "Sucursal por confirmar",
                a.get_status_display(),
                reverse("admin:leads_appointment_change", args=[a.pk]),
            )
            for a in appointments
        ]
        return format_html(
            '<table class="lead-facts"><tbody>{}</tbody></table>',
            format_html_join(
                "", '<tr><th>{}</th><td>{} · <a href="{}">{}</a></td></tr>',
                ((when, branch, url, status) for when, branch, status, url in rows),
            ),
        )  # fmt: skip

    @admin.display(description="plan")
    def financing_card(self, obj: Lead) -> SafeString | str:
        fin = obj.financing_snapshot or {}
        if not fin:
            return "Sin simulación de financiamiento."
        if fin.get("cash_purchase"):
            return f"Compra de contado: {_money(fin.get('price'))}"
        rate = fin.get("annual_rate")
        rows = [
            ("Precio", _money(fin.get("price"))),
            ("Enganche", _money(fin.get("down_payment"))),
            ("Monto financiado", _money(fin.get("financed_amount"))),
            ("Plazo", f"{fin.get('term_months', '—')} meses"),
            ("Tasa anual", f"{Decimal(str(rate)):.2%}" if rate else "—"),
            ("Mensualidad", _money(fin.get("monthly_payment"))),
            ("Intereses totales", _money(fin.get("total_interest"))),
            ("Total pagado", _money(fin.get("total_paid"))),
        ]
        return format_html(
            '<table class="lead-facts"><tbody>{}</tbody></table>',
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
        )

    @admin.display(description="tabla de amortización")
    def amortization_table(self, obj: Lead) -> SafeString | str:
        rows = lead_amortization(lead=obj) if obj.pk else []
        if not rows:
            return "—"
        url = reverse("admin:leads_lead_amortization", args=[obj.pk])
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    r.month,
                    _money(r.payment),
                    _money(r.interest),
                    _money(r.principal),
                    _money(r.balance),
                )
                for r in rows
            ),
        )
        return format_html(
            '<a class="button" href="{}">Descargar CSV</a>'
            "<details style='margin-top:.6em'><summary>Ver los {} pagos</summary>"
            "<table><thead><tr><th>Mes</th><th>Pago</th><th>Interés</th><th>Capital</th>"
            "<th>Saldo</th></tr></thead><tbody>{}</tbody></table></details>",
            url,
            len(rows),
            body,
        )

    @admin.display(description="transcripción")
    def transcript(self, obj: Lead) -> SafeString | str:
        if obj.conversation is None:
            return "Este lead no tiene conversación registrada."
        return transcript_html(conversation=obj.conversation)

    @admin.display(description="calificación del cliente")
    def satisfaction_card(self, obj: Lead) -> SafeString:
        answers = satisfaction_for_lead(lead=obj)
        if not answers:
            return format_html("<em>{}</em>", "El cliente no ha calificado la atención.")
        rows = format_html_join(
            "",
            "<tr class='satisfaction-answer' data-score='{}'><td style='white-space:nowrap'>{}"
            "</td><td><b>{} / 5</b> {}</td><td>{}</td><td style='white-space:pre-wrap'>{}</td>"
            "</tr>",
            (
                (
                    a.score,
                    _local(a.created_at),
                    a.score,
                    "★" * a.score,
                    _user_label(a.salesperson) if a.salesperson_id else "solo el agente",
                    a.comment or "—",
                )
                for a in answers
            ),
        )
        return format_html(
            "<table><thead><tr><th>Fecha</th><th>Calificación</th><th>Atendió</th>"
            "<th>Comentario</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="actividad")
    def activity_log(self, obj: Lead) -> SafeString:
        lines: list[tuple[str, str, str, str]] = [
            (_local(obj.created_at), "Lead creado", "el agente", obj.get_source_display())
        ]
        statuses = dict(Lead.Status.choices)
        for event in lead_events(lead=obj):
            if event.kind == LeadEvent.Kind.STATUS:
                what = (
                    f"{statuses.get(event.from_status, event.from_status)} → "
                    f"{statuses.get(event.to_status, event.to_status)}"
                )
                detail = f"Motivo: {event.text}" if event.text else ""
            elif event.kind == LeadEvent.Kind.CONVERSATION:
                what = _returned_html(event)
                detail = event.text
            elif event.kind == LeadEvent.Kind.ASSIGNED:
                what = (
                    f"Asignado a {_user_label(event.assignee)}"
                    if event.assignee_id
                    else ("Sin asignar")
                )
                detail = event.text
            else:
                what, detail = "Nota", event.text
            lines.append((_local(event.created_at), what, _user_label(event.author), detail))
        return format_html(
            '<table class="lead-activity"><thead><tr><th>Fecha</th><th>Qué</th><th>Quién</th>'
            "<th>Detalle</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td>"
                "<td style='white-space:pre-wrap'>{}</td></tr>",
                lines,
            ),
        )

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
                    self.log_change(request, lead, f"Reasignado a {_user_label(assignee)}")
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return None
            self.message_user(
                request,
                f"{queryset.count()} lead(s) asignados a "
                f"{_user_label(assignee) if assignee else 'nadie'}.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reasignar leads",
            "opts": self.model._meta,
            "leads": queryset,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/leads/lead/reassign.html", context)

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
        context = {
            **self.admin_site.each_context(request),
            "title": "Borrar datos del cliente",
            "opts": self.model._meta,
            "leads": queryset,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/leads/lead/erase.html", context)


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
class DataErasureAdmin(admin.ModelAdmin):
    """The audit of erasures (read-only) and the erasure of a customer by phone number."""

    change_list_template = "admin/leads/dataerasure/change_list.html"
    list_display = ("created_at", "kind", "actor_username", "customer_hash", "reference", "total")
    list_filter = ("kind", ("created_at", admin.DateFieldListFilter))
    search_fields = ("customer_hash", "reference", "actor_username")
    readonly_fields = ("rows_table",)
    fields = (
        "created_at", "kind", "actor_username", "customer_hash", "reference", "rows_table",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the audit outlives what it records

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


def _returned_html(event: LeadEvent) -> SafeString:
    """ "Volvió a escribir" with links to the conversation before and the new one."""
    data = event.data or {}

    def link(conversation_id: Any) -> SafeString | str:
        if not conversation_id:
            return "—"
        url = reverse("admin:conversations_conversation_change", args=[conversation_id])
        return format_html('<a href="{}">#{}</a>', url, conversation_id)

    return format_html(
        "Volvió a escribir ({}): conversación {} → {}",
        CHANNEL_LABELS.get(data.get("channel", ""), data.get("channel", "")),
        link(data.get("from")),
        link(data.get("to")),
    )


def transcript_html(*, conversation: Any) -> SafeString:
    """The conversation as staff read it: time, who, message and delivery status."""
    if getattr(conversation, "anonymized_at", None):
        # The rows stay (the funnel counts them), their texts are gone: say so, not "empty".
        return format_html(
            "<em>{}</em>",
            "Datos personales borrados el "
            f"{timezone.localtime(conversation.anonymized_at):%d/%m/%Y %H:%M} (plazo de "
            "conservación vencido o solicitud del cliente): los mensajes ya no se muestran.",
        )
    lines = conversation_transcript(conversation=conversation)
    if not lines:
        return format_html("<em>{}</em>", "Sin mensajes.")
    rows = format_html_join(
        "",
        "<tr class='transcript-{}'><td style='white-space:nowrap'>{}</td><td><b>{}</b></td>"
        "<td style='white-space:pre-wrap;max-width:48em'>{}</td><td>{}</td></tr>",
        (
            (
                line.who.split(" ")[0].lower(),
                timezone.localtime(line.at).strftime("%d/%m %H:%M:%S"),
                line.who,
                bold_html(line.text),
                line.delivery or "—",
            )
            for line in lines
        ),
    )
    return format_html(
        '<table class="transcript"><thead><tr><th>Hora</th><th>Quién</th><th>Mensaje</th>'
        "<th>Entrega</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )


def _reply_url(conversation: Any) -> str:
    return _reply_url_for(conversation.channel, conversation.pk)


def _reply_url_for(channel: str, conversation_id: int) -> str:
    if channel == "whatsapp":
        return reverse("admin:channels_whatsappconversation_reply", args=[conversation_id])
    return reverse("admin:conversations_conversation_reply", args=[conversation_id])


def conversation_links(request: HttpRequest, conversation: Any) -> dict[str, str]:
    """Links from a lead to its conversation (and to the WhatsApp reply page) when allowed."""
    links: dict[str, str] = {}
    user = request.user
    if conversation_visible_queryset(user=user).filter(pk=conversation.pk).exists():
        links["conversation_url"] = reverse(
            "admin:conversations_conversation_change", args=[conversation.pk]
        )
    if conversation.channel == "whatsapp" and user.has_perm("channels.reply_whatsapp"):
        links["reply_url"] = reverse(
            "admin:channels_whatsappconversation_reply", args=[conversation.pk]
        )
        links["reply_label"] = "Responder por WhatsApp"
    elif conversation.channel != "whatsapp" and user.has_perm("conversations.reply_conversation"):
        links["reply_url"] = reverse(
            "admin:conversations_conversation_reply", args=[conversation.pk]
        )
        links["reply_label"] = (
            "Responder en el chat web" if conversation.channel == "web" else "Responder al cliente"
        )
    return links


# --- Funnel dashboard -----------------------------------------------------------------------------
class DashboardForm(forms.Form):
    # ``<input type="date">`` only takes ISO values (2026-11-30): the localised dd/mm/aaaa left
    # the fields empty in the browser.
    desde = forms.DateField(
        label="Desde",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    hasta = forms.DateField(
        label="Hasta",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    canal = forms.ChoiceField(
        label="Canal",
        required=False,
        choices=[("", "Todos"), ("whatsapp", "WhatsApp"), ("web", "Chat web"), ("api", "API")],
    )

    MAX_DAYS = 366

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, last = data.get("desde"), data.get("hasta")
        if first and last:
            if first > last:
                raise ValidationError("La fecha inicial es posterior a la final.")
            if (last - first).days >= self.MAX_DAYS:
                raise ValidationError("El rango máximo es de un año.")
        return data


def _default_period(today: date) -> DateRange:
    return DateRange(first=today - timedelta(days=29), last=today)


@admin.register(FunnelDashboard)
class FunnelDashboardAdmin(admin.ModelAdmin):
    """Not a list: the entry opens the dashboard (who may see it = ``view_funneldashboard``)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "",
                self.admin_site.admin_view(self.dashboard_view),
                name="backoffice_funneldashboard_changelist",
            )
        ]

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        period = _default_period(timezone.localdate())
        initial = {"desde": period.first, "hasta": period.last, "canal": ""}
        form = DashboardForm(request.GET if "desde" in request.GET else None, initial=initial)
        channel = ""
        if form.is_bound and form.is_valid():
            period = DateRange(first=form.cleaned_data["desde"], last=form.cleaned_data["hasta"])
            channel = form.cleaned_data["canal"]
        elif not form.is_bound:
            form = DashboardForm(initial=initial)
        context = {
            **self.admin_site.each_context(request),
            "title": "Tablero del embudo",
            "opts": self.model._meta,
            "form": form,
            "period": period,
            "waiting": [
                (w, _reply_url_for(w.channel, w.conversation_id))
                for w in dashboard_handoffs_waiting(now=timezone.now())
            ],
            "sla_minutes": settings.HANDOFF_SLA_MINUTES,
            **dashboard_context(period=period, channel=channel),
            **satisfaction_context(period=period, channel=channel),
        }
        return TemplateResponse(request, "admin/leads/funnel_dashboard.html", context)


def dashboard_context(*, period: DateRange, channel: str) -> dict[str, Any]:
    """Numbers and charts of the dashboard for a period (and channel)."""
    funnel = dashboard_funnel(period=period, channel=channel)
    by_key = {stage.key: stage for stage in funnel}
    fallback = dashboard_kb_fallback(period=period, channel=channel)
    latency = dashboard_latency(period=period, channel=channel)
    agents = dashboard_leads_by_agent(period=period, channel=channel)
    daily = dashboard_daily(period=period, channel=channel)
    rollout = dashboard_llm_rollout(period=period, channel=channel)
    total = by_key["need"].conversations

    def note(stage: Any) -> str:
        if stage.key == "need":
            return "conversaciones"
        if stage.key == "handoff":
            return f"({charts._percent(stage.share)} de las conversaciones)"
        return f"({charts._percent(stage.conversion)} del paso anterior)"

    markers = []
    for label, value, colour in (
        ("p50", latency.p50_ms, "#27ae60"),
        ("p95", latency.p95_ms, "#eb5757"),
    ):
        if value is not None:
            markers.append((f"{label} {value:.0f} ms", _bucket_position(value), colour))
    return {
        "funnel": funnel,
        "total_conversations": total,
        "handoff_rate": by_key["handoff"].share,
        "lead_rate": by_key["lead"].share,
        "fallback": fallback,
        "latency": latency,
        "agents": agents,
        "rollout": rollout,
        "rollout_rows": [
            (g, "—" if g.conversion is None else f"{g.conversion:.1%}")
            for g in rollout.groups
            if g.conversations or g.key != "unrecorded"
        ],
        "rollout_note": _rollout_note(rollout),
        "llm_enabled": settings.LLM_ENABLED,
        "llm_rollout_percent": settings.LLM_ROLLOUT_PERCENT,
        "statuses": Lead.Status.choices,
        "agent_rows": [
            (agent.name, [agent.by_status[key] for key in Lead.Status.values], agent.total)
            for agent in agents
        ],
        "funnel_chart": charts.funnel_svg(
            bars=[charts.Bar(s.key, s.label, s.conversations, note(s)) for s in funnel],
            title="Conversaciones que llegaron a cada paso",
        ),
        "agents_chart": charts.stacked_bars_svg(
            rows=[(agent.name, agent.by_status) for agent in agents],
            series=list(Lead.Status.choices),
            title="Leads por asesor y estado",
            name="agents",
        ),
        "daily_chart": charts.columns_svg(
            columns=[(f"{point.day:%d/%m}", point.conversations) for point in daily],
            title="Conversaciones iniciadas por día",
            name="daily",
            tooltips=[
                f"{point.day:%d/%m}: {point.conversations} conversaciones, {point.leads} con lead, "
                f"{point.handoffs} con asesor"
                for point in daily
            ],
        ),
        "latency_chart": charts.columns_svg(
            columns=latency.buckets,
            title="Latencia de los turnos (respuestas del agente)",
            name="latency",
            markers=markers,
        ),
        "fallback_chart": charts.ratio_svg(
            part=fallback.fallbacks,
            whole=fallback.questions,
            title="Preguntas sin respuesta confiable de la base de conocimiento",
            name="fallback",
            label=f"de {fallback.questions} preguntas sin respuesta confiable "
            f"({fallback.fallbacks} ofrecieron asesor)",
        ),
    }


def _rollout_note(rollout: Any) -> str:
    """The comparison in one sentence an operator can act on."""
    if not rollout.comparable:
        return (
            "Sin comparación en el periodo: hacen falta conversaciones con y sin modelo "
            "(LLM_ENABLED activo y LLM_ROLLOUT_PERCENT entre 1 y 99)."
        )
    model, control = rollout.groups[0], rollout.groups[1]

    def points(value: float) -> str:
        return f"{value * 100:+.1f}".replace("-", "−") + " pp"

    def rate(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    text = (
        f"Conversión con modelo {rate(model.conversion)} "
        f"({model.conversations} conversaciones) contra {rate(control.conversion)} "
        f"sin modelo ({control.conversations}): diferencia {points(rollout.difference)} "
        f"(intervalo de 95 %: {points(rollout.low)} a {points(rollout.high)}). "
    )
    if rollout.conclusive:
        verdict = "mejora" if rollout.difference > 0 else "empeora"
        return text + f"Con estos tamaños, el modelo {verdict} la conversión."
    return text + (
        "Aún no concluyente: la diferencia podría ser cero; "
        f"espera al menos {rollout.MIN_GROUP} conversaciones por grupo y un intervalo sin el cero."
    )


def _bucket_position(value_ms: float) -> float:
    """Where a latency falls on the histogram's x axis (linear inside its bucket)."""
    from backoffice.selectors import LATENCY_BUCKETS_MS

    low = 0.0
    for i, high in enumerate(LATENCY_BUCKETS_MS):
        if value_ms < high:
            return i + (value_ms - low) / (high - low)
        low = float(high)
    return len(LATENCY_BUCKETS_MS) + 0.5
