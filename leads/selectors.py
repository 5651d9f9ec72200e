"""Lead reads: amortisation, what each staff member may see, search, activity and exports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from conversations.engine.financing import AmortizationRow, amortization_table, financing_plan
from conversations.models import Conversation
from leads.models import Lead, LeadEvent, SalesAgent


def lead_amortization(*, lead: Lead) -> list[AmortizationRow]:
    """The amortisation table of the plan the customer saw (empty for cash or no plan)."""
    fin = lead.financing_snapshot or {}
    if not fin.get("term_months") or fin.get("cash_purchase"):
        return []
    plan = financing_plan(
        price=Decimal(fin["price"]),
        down_payment=Decimal(fin["down_payment"]),
        annual_rate=Decimal(fin["annual_rate"]),
        term_months=int(fin["term_months"]),
    )
    return amortization_table(plan)


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


def conversation_visible_queryset(*, user: Any) -> QuerySet[Conversation]:
    """Conversations a staff member may read: all with ``leads.view_all_leads``; otherwise only
    the conversations behind the leads assigned to them (a salesperson never browses strangers)."""
    conversations = Conversation.objects.all()
    if user.has_perm("leads.view_all_leads"):
        return conversations
    if user.has_perm("conversations.view_conversation"):
        return conversations.filter(
            pk__in=Lead.objects.filter(assigned_to=user, conversation__isnull=False).values(
                "conversation_id"
            )
        )
    return conversations.none()


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
    return user.get_full_name() or user.get_username()


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
            lead.channel,
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
