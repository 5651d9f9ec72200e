"""Back-office reads that span apps, one record at a time: a lead's amortisation download, a
conversation's transcript and the per-conversation export. The funnel dashboard's aggregates are
``backoffice/dashboard.py``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from channels.selectors import TranscriptLine, whatsapp_transcript
from conversations.engine.financing import AmortizationRow, amortization_table, financing_plan
from conversations.models import Conversation, Message
from kavak.labels import STEP_LABELS
from leads.models import Lead
from leads.selectors import EXPORT_CHUNK


# --- The amortisation download of a lead ---------------------------------------------------------
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


# --- Transcript -----------------------------------------------------------------------------------
_WHO: dict[str, str] = {
    Message.Direction.INBOUND: "Cliente",
    Message.Direction.OUTBOUND: "Agente",
    Message.Direction.STAFF: "Asesor",
    Message.Direction.NOTICE: "Aviso",
}


def _who(message: Message) -> str:
    who = _WHO.get(message.direction, message.direction)
    if message.direction == Message.Direction.STAFF and message.author_id and message.author:
        name = message.author.get_full_name() or message.author.get_username()
        return f"{who} · {name}"
    return who


def conversation_transcript(*, conversation: Conversation) -> list[TranscriptLine]:
    """Everything said in the conversation, in order. WhatsApp adds what only the channel saw and
    the delivery status of each message we sent (from ``channels``); on the web chat and the API
    the reply is the HTTP response itself, so there is no separate delivery status."""
    if conversation.channel == Conversation.Channel.WHATSAPP:
        return whatsapp_transcript(conversation=conversation)
    return [
        TranscriptLine(
            at=message.created_at,
            who=_who(message),
            text=message.text,
            delivery=_DELIVERY.get(message.direction, ""),
        )
        for message in conversation.messages.select_related("author").order_by("created_at", "id")
        if message.text or message.direction != Message.Direction.OUTBOUND
    ]


_DELIVERY: dict[str, str] = {
    Message.Direction.OUTBOUND: "Respondido en la sesión",
    Message.Direction.STAFF: "En el chat del cliente",
    Message.Direction.NOTICE: "En el chat del cliente",
}


# --- Per-conversation export ----------------------------------------------------------------------
CONVERSATION_EXPORT_HEADER = [
    "conversación", "canal", "inicio", "último mensaje", "paso más avanzado", "paso actual",
    "estado", "auto", "financiamiento", "lead", "estado del lead", "asesor", "pasó a asesor",
]  # fmt: skip


def conversation_export_rows(*, conversations: QuerySet[Conversation]) -> Iterator[list[object]]:
    """One row per conversation: channel, dates, furthest step, car, financing, its latest lead's
    status and assignee, and whether it was handed to a human. Read in chunks, one query per chunk
    (lead columns come from correlated subqueries, not one query per row)."""
    latest_lead = Lead.objects.filter(conversation=OuterRef("pk")).order_by("-created_at", "-pk")
    rows = (
        conversations.annotate(
            lead_id=Subquery(latest_lead.values("pk")[:1]),
            lead_status=Subquery(latest_lead.values("status")[:1]),
            lead_car=Subquery(latest_lead.values("car_snapshot")[:1]),
            lead_financing=Subquery(latest_lead.values("financing_snapshot")[:1]),
            lead_first=Subquery(latest_lead.values("assigned_to__first_name")[:1]),
            lead_last=Subquery(latest_lead.values("assigned_to__last_name")[:1]),
            lead_username=Subquery(latest_lead.values("assigned_to__username")[:1]),
            went_handoff=Exists(
                Message.objects.filter(conversation=OuterRef("pk"), step_after="handoff")
            ),
        )
        .values(
            "pk", "channel", "started_at", "last_message_at", "furthest_step", "step", "status",
            "handoff_at", "state__slots__chosen", "lead_id", "lead_status", "lead_car",
            "lead_financing", "lead_first", "lead_last", "lead_username", "went_handoff",
        )
        .order_by("pk")
    )  # fmt: skip
    channels = dict(Conversation.Channel.choices)
    statuses = dict(Conversation.Status.choices)
    lead_statuses = dict(Lead.Status.choices)
    for row in rows.iterator(chunk_size=EXPORT_CHUNK):
        car = _as_dict(row["lead_car"]) or _as_dict(row["state__slots__chosen"])
        financing = _as_dict(row["lead_financing"])
        assignee = f"{row['lead_first'] or ''} {row['lead_last'] or ''}".strip()
        yield [
            row["pk"],
            channels.get(row["channel"], row["channel"]),
            _local(row["started_at"]),
            _local(row["last_message_at"]),
            STEP_LABELS.get(row["furthest_step"], row["furthest_step"]),
            STEP_LABELS.get(row["step"], row["step"]),
            statuses.get(row["status"], row["status"]),
            " ".join(str(car[k]) for k in ("make", "model", "year") if car.get(k)),
            _financing(financing),
            row["lead_id"] or "",
            lead_statuses.get(row["lead_status"], row["lead_status"] or ""),
            assignee or row["lead_username"] or "",
            "sí" if row["handoff_at"] or row["went_handoff"] else "no",
        ]


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _financing(fin: dict[str, Any]) -> str:
    if not fin:
        return ""
    if fin.get("cash_purchase"):
        return "Contado"
    return (
        f"Enganche ${fin.get('down_payment', '')}, {fin.get('term_months', '')} meses, "
        f"mensualidad ${fin.get('monthly_payment', '')}"
    )
