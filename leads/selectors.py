"""Lead reads: amortisation, what each staff member may see, search, activity and exports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kavak.labels import channel_label
from leads.models import Lead, LeadEvent, SalesAgent


# --- Back office (issue 7) -----------------------------------------------------------------------
def lead_visible_queryset(*, user: Any) -> QuerySet[Lead]:
    """The leads a staff member may see: all of them with ``leads.view_all_leads`` (supervisors,
    superusers), otherwise only those assigned to them (salespeople). Nobody else sees any."""
    leads = Lead.objects.all()
    if user.has_perm("leads.view_all_leads"):
        return leads
    if user.has_perm("leads.view_lead"):
        return leads.filter(assigned_to=user)
    return leads.none()


def lead_stale_before(*, now: datetime) -> datetime:
    """Open leads whose last staff activity is older than this are stale (LEAD_STALE_AFTER_DAYS)."""
    return now - timedelta(days=settings.LEAD_STALE_AFTER_DAYS)


def lead_is_stale(*, lead: Lead, now: datetime) -> bool:
    return lead.is_open and lead.last_activity_at < lead_stale_before(now=now)


_PHONE_TERM = re.compile(r"^[\d\s()+.\-]+$")


def lead_phone_search_digits(*, term: str) -> str | None:
    """The digits to look for in ``Lead.phone`` (stored ``+52XXXXXXXXXX``) when staff type a
    phone however they like: ``55 1234 5678``, ``(55) 1234-5678``, ``+52 1 55…``, ``044 55…``
    or a fragment of at least 4 digits. None when the term is not phone-like."""
    term = term.strip()
    if not _PHONE_TERM.match(term):
        return None
    digits = re.sub(r"\D", "", term)
    if len(digits) < 4:
        return None
    if len(digits) == 13 and digits.startswith(("521", "044", "045")):
        digits = digits[3:]
    elif len(digits) == 12 and digits.startswith("52"):
        digits = digits[2:]
    return digits


def lead_events(*, lead: Lead) -> list[LeadEvent]:
    """The lead's activity log, oldest first, with authors and assignees loaded."""
    return list(lead.events.select_related("author", "assignee").order_by("created_at", "id"))


def _user_label(user: Any) -> str:
    if user is None:
        return ""
    label: str = user.get_full_name() or user.get_username()
    return label


def _car_label(car: dict[str, Any]) -> str:
    return " ".join(str(car[k]) for k in ("make", "model", "year") if car.get(k))


def _financing_label(fin: dict[str, Any]) -> str:
    if not fin:
        return ""
    if fin.get("cash_purchase"):
        return f"Contado ${fin.get('price', '')}"
    return (
        f"Enganche ${fin.get('down_payment', '')}, {fin.get('term_months', '')} meses, "
        f"mensualidad ${fin.get('monthly_payment', '')}"
    )


LEAD_EXPORT_HEADER = [
    "id", "creado", "nombre", "teléfono", "estado", "motivo de pérdida", "asesor", "origen",
    "canal", "auto (stock)", "auto", "precio", "financiamiento", "horario preferido",
    "última actividad", "conversación",
]  # fmt: skip


def lead_export_rows(*, leads: QuerySet[Lead]) -> Iterator[list[object]]:
    """One row per lead for the CSV export, read in chunks (never the whole table in memory)."""
    status = dict(Lead.Status.choices)
    source = dict(Lead.Source.choices)
    rows = leads.select_related("assigned_to").order_by("pk")
    for lead in rows.iterator(chunk_size=EXPORT_CHUNK):
        car = lead.car_snapshot or {}
        yield [
            lead.pk,
            timezone.localtime(lead.created_at).strftime("%Y-%m-%d %H:%M"),
            lead.name,
            lead.phone,
            status.get(lead.status, lead.status),
            lead.lost_reason,
            _user_label(lead.assigned_to),
            source.get(lead.source, lead.source),
            channel_label(lead.channel),
            lead.car_stock_id,
            _car_label(car),
            car.get("price", ""),
            _financing_label(lead.financing_snapshot or {}),
            lead.preferred_contact_time,
            timezone.localtime(lead.last_activity_at).strftime("%Y-%m-%d %H:%M"),
            lead.conversation_id or "",
        ]


EXPORT_CHUNK = 2000


def sales_agents_with_load(*, agents: QuerySet[SalesAgent]) -> QuerySet[SalesAgent]:
    """Salespeople annotated with ``open_leads`` (what the capacity limit counts)."""
    return agents.select_related("user").annotate(
        open_leads=Count(
            "user__leads", filter=~Q(user__leads__status__in=Lead.CLOSED_STATUSES), distinct=True
        )
    )


# --- Agenda (issue 17) ----------------------------------------------------------------------------
@dataclass(frozen=True)
class AgendaItem:
    """One thing a salesperson has to do at a time: a visit at a branch, or a call."""

    kind: str  # "cita" | "llamada"
    at: datetime | None  # None: the customer gave no date we could read
    requested: str  # what the customer wrote ("mañana en la tarde")
    lead_id: int
    customer: str
    phone: str
    car: str
    branch: str
    branch_address: str
    status: str
    assignee: str


@dataclass(frozen=True)
class AgendaDay:
    key: str  # "atrasadas", "2026-12-02", "sin-fecha"
    label: str
    items: list[AgendaItem]


_WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
CALLBACK_STATUSES = (Lead.Status.NEW, Lead.Status.CONTACTED)


def agenda_days(*, user: Any, now: datetime, days: int = 14) -> list[AgendaDay]:
    """Upcoming appointments and requested call-backs of the leads ``user`` may see, by day.

    Appointments still to happen (requested or confirmed); call-backs of leads that left their
    contact data and are not yet further than "contactado". What is past its time and still
    open comes first as "Atrasadas"; what has no readable date comes last as "Sin fecha".
    """
    from leads.models import Appointment

    tz = timezone.get_current_timezone()
    today = timezone.localdate(now)
    start = datetime.combine(today, datetime.min.time(), tz)
    end = start + timedelta(days=days)
    leads = lead_visible_queryset(user=user)
    items: list[AgendaItem] = []
    appointments = (
        Appointment.objects.filter(lead__in=leads, status__in=Appointment.OPEN_STATUSES)
        .filter(Q(scheduled_at__lt=end) | Q(scheduled_at__isnull=True))
        .select_related("lead", "lead__assigned_to")
    )
    for a in appointments:
        items.append(
            AgendaItem(
                kind="cita",
                at=a.scheduled_at,
                requested=a.requested,
                lead_id=a.lead_id,
                customer=a.lead.name or "(sin nombre)",
                phone=a.lead.phone,
                car=_car_label(a.car_snapshot or a.lead.car_snapshot or {}),
                branch=a.branch,
                branch_address=a.branch_address,
                status=a.get_status_display(),
                assignee=_user_label(a.lead.assigned_to) or "Sin asignar",
            )
        )
    callbacks = (
        leads.filter(source=Lead.Source.LEAD_CAPTURE, status__in=CALLBACK_STATUSES)
        .filter(
            Q(preferred_contact_at__lt=end)
            | (Q(preferred_contact_at__isnull=True) & ~Q(preferred_contact_time=""))
        )
        .select_related("assigned_to")
    )
    for lead in callbacks:
        items.append(
            AgendaItem(
                kind="llamada",
                at=lead.preferred_contact_at,
                requested=lead.preferred_contact_time,
                lead_id=lead.pk,
                customer=lead.name or "(sin nombre)",
                phone=lead.phone,
                car=_car_label(lead.car_snapshot or {}),
                branch="",
                branch_address="",
                status=lead.get_status_display(),
                assignee=_user_label(lead.assigned_to) or "Sin asignar",
            )
        )
    overdue = sorted((i for i in items if i.at and i.at < now), key=lambda i: i.at or now)
    dated = sorted((i for i in items if i.at and i.at >= now), key=lambda i: i.at or now)
    undated = [i for i in items if i.at is None]
    out: list[AgendaDay] = []
    if overdue:
        out.append(AgendaDay("atrasadas", "Atrasadas (ya pasó la hora)", overdue))
    by_day: dict[Any, list[AgendaItem]] = {}
    for item in dated:
        by_day.setdefault(timezone.localtime(item.at).date(), []).append(item)
    for day, day_items in by_day.items():
        out.append(AgendaDay(day.isoformat(), _day_label(day, today), day_items))
    if undated:
        out.append(
            AgendaDay("sin-fecha", "Sin fecha (el cliente no dio una que se pueda leer)", undated)
        )
    return out


def _day_label(day: Any, today: Any) -> str:
    name = f"{_WEEKDAYS[day.weekday()]} {day:%d/%m}"
    if day == today:
        return f"Hoy · {name}"
    if day == today + timedelta(days=1):
        return f"Mañana · {name}"
    return name.capitalize()
