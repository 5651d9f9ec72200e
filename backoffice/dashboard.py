"""The funnel dashboard's reads: conversations started, the funnel by furthest step, knowledge-base
fallbacks, turn latency, leads per salesperson, the daily series, the LLM rollout comparison and
the handoffs waiting for a person. Every number comes from the message log
(``conversations.Message``) and the leads table, computed in the database (a handful of aggregate
queries, whatever the range)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from conversations.models import Conversation, Message
from leads.models import Lead


# --- Funnel dashboard -----------------------------------------------------------------------------
@dataclass(frozen=True)
class DateRange:
    """Whole local days, both ends included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        """Exclusive upper bound: local midnight after the last day."""
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class FunnelStage:
    key: str
    label: str
    conversations: int
    conversion: float | None  # from the previous stage (None for the first and for handoff)
    share: float | None  # of the conversations that started


# Message ``step_after`` values that prove a conversation got at least this far. The funnel is
# cumulative like the engine's ``furthest_step``: a customer who gives car and budget in one
# message goes from need straight to options and counts for budget too. A captured lead is also
# visible as ``understood.lead_captured`` on the turn that captured it (it may jump to "done").
_AT_LEAST = {
    "budget": ("budget", "options", "financing", "lead_capture"),
    "options": ("options", "financing", "lead_capture"),
    "financing": ("financing", "lead_capture"),
    "lead": ("lead_capture",),
}
FUNNEL_LABELS = (
    ("need", "Necesidad"),
    ("budget", "Presupuesto"),
    ("options", "Opciones"),
    ("financing", "Financiamiento"),
    ("lead", "Lead"),
    ("handoff", "Asesor humano"),
)


def dashboard_conversations(*, period: DateRange, channel: str = "") -> QuerySet[Conversation]:
    """The cohort the dashboard describes: conversations started in the period (on a channel)."""
    conversations = Conversation.objects.filter(
        started_at__gte=period.start, started_at__lt=period.end
    )
    return conversations.filter(channel=channel) if channel else conversations


def dashboard_funnel(*, period: DateRange, channel: str = "") -> list[FunnelStage]:
    """How many conversations started in the period reached each step, from their message log.

    need: the customer wrote at least once. budget/options/financing/lead: some message's
    ``step_after`` is that step or a later one of the funnel (or the turn captured a lead).
    handoff: some message's ``step_after`` is ``handoff`` (the customer asked for, or was given, a
    human) — it can happen at any step, so its rate is over all conversations, not the lead stage.
    """
    messages = Message.objects.filter(conversation=OuterRef("pk"))
    lead_turn = Q(understood__lead_captured=True)
    flags = {
        "need": Exists(messages.filter(direction=Message.Direction.INBOUND)),
        **{
            key: Exists(messages.filter(Q(step_after__in=steps) | lead_turn))
            for key, steps in _AT_LEAST.items()
        },
        "handoff": Exists(messages.filter(step_after="handoff")),
    }
    counts = (
        dashboard_conversations(period=period, channel=channel)
        .annotate(**{f"reached_{key}": flag for key, flag in flags.items()})
        .aggregate(
            **{key: Count("pk", filter=Q(**{f"reached_{key}": True})) for key in flags},
        )
    )
    total = counts["need"]
    stages: list[FunnelStage] = []
    previous: int | None = None
    for key, label in FUNNEL_LABELS:
        value = counts[key]
        conversion = None
        if key != "handoff" and previous is not None:
            conversion = value / previous if previous else None
        stages.append(
            FunnelStage(
                key=key,
                label=label,
                conversations=value,
                conversion=conversion,
                share=value / total if total else None,
            )
        )
        previous = value
    return stages


@dataclass(frozen=True)
class KbFallback:
    questions: int  # inbound messages the knowledge base tried to answer
    fallbacks: int  # of those, answered without confidence (offered an advisor instead)

    @property
    def rate(self) -> float | None:
        return self.fallbacks / self.questions if self.questions else None


def _period_messages(*, period: DateRange, channel: str) -> QuerySet[Message]:
    messages = Message.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
    return messages.filter(conversation__channel=channel) if channel else messages


def dashboard_kb_fallback(*, period: DateRange, channel: str = "") -> KbFallback:
    """Customer questions sent to the knowledge base in the period, and how many it could not
    answer with confidence (``understood.faq.confident == false`` on the inbound message)."""
    counts = (
        _period_messages(period=period, channel=channel)
        .filter(direction=Message.Direction.INBOUND, understood__has_key="faq")
        .aggregate(
            questions=Count("pk"),
            fallbacks=Count("pk", filter=Q(understood__faq__confident=False)),
        )
    )
    return KbFallback(questions=counts["questions"], fallbacks=counts["fallbacks"])


LATENCY_BUCKETS_MS = (50, 100, 200, 500, 1000, 2000)


@dataclass(frozen=True)
class Latency:
    turns: int
    p50_ms: float | None
    p95_ms: float | None
    buckets: list[tuple[str, int]]


def _nearest_rank(messages: QuerySet[Message], *, n: int, percentile: float) -> float | None:
    if not n:
        return None
    index = max(math.ceil(percentile * n) - 1, 0)
    return messages.order_by("latency_ms").values_list("latency_ms", flat=True)[index]


def dashboard_latency(*, period: DateRange, channel: str = "") -> Latency:
    """Turn latency (the agent's replies' ``latency_ms``): p50 and p95 by nearest rank (a value
    that really occurred; portable to SQLite for `make run`) and a histogram for the chart."""
    replies = _period_messages(period=period, channel=channel).filter(
        direction=Message.Direction.OUTBOUND, latency_ms__isnull=False
    )
    edges = (0, *LATENCY_BUCKETS_MS)
    filters = {
        f"b{i}": Q(latency_ms__gte=low, latency_ms__lt=high)
        for i, (low, high) in enumerate(zip(edges, (*LATENCY_BUCKETS_MS, None), strict=True))
        if high is not None
    }
    filters[f"b{len(LATENCY_BUCKETS_MS)}"] = Q(latency_ms__gte=LATENCY_BUCKETS_MS[-1])
    counts = replies.aggregate(
        n=Count("pk"), **{k: Count("pk", filter=q) for k, q in filters.items()}
    )
    labels = [f"<{high} ms" for high in LATENCY_BUCKETS_MS] + [f"≥{LATENCY_BUCKETS_MS[-1]} ms"]
    n = counts["n"]
    return Latency(
        turns=n,
        p50_ms=_nearest_rank(replies, n=n, percentile=0.50),
        p95_ms=_nearest_rank(replies, n=n, percentile=0.95),
        buckets=[(label, counts[f"b{i}"]) for i, label in enumerate(labels)],
    )


@dataclass(frozen=True)
class AgentLeads:
    name: str
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def dashboard_leads_by_agent(*, period: DateRange, channel: str = "") -> list[AgentLeads]:
    """Leads created in the period per assignee and status (unassigned ones as "Sin asignar")."""
    leads = Lead.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
    if channel:
        leads = leads.filter(channel=channel)
    rows = (
        leads.values(
            "assigned_to_id",
            "assigned_to__username",
            "assigned_to__first_name",
            "assigned_to__last_name",
            "status",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    agents: dict[int | None, AgentLeads] = {}
    for row in rows:
        key = row["assigned_to_id"]
        if key not in agents:
            full = f"{row['assigned_to__first_name'] or ''} {row['assigned_to__last_name'] or ''}"
            name = full.strip() or row["assigned_to__username"] or "Sin asignar"
            agents[key] = AgentLeads(name=name, by_status=dict.fromkeys(Lead.Status.values, 0))
        agents[key].by_status[row["status"]] += row["n"]
    return sorted(agents.values(), key=lambda a: (a.name == "Sin asignar", -a.total, a.name))


@dataclass(frozen=True)
class DailyPoint:
    day: date
    conversations: int
    leads: int
    handoffs: int


def dashboard_daily(*, period: DateRange, channel: str = "") -> list[DailyPoint]:
    """Conversations started per local day, and how many of them produced a lead or a handoff."""
    tz = timezone.get_current_timezone()
    rows = (
        dashboard_conversations(period=period, channel=channel)
        .annotate(
            day=TruncDate("started_at", tzinfo=tz),
            has_lead=Exists(Lead.objects.filter(conversation=OuterRef("pk"))),
            has_handoff=Exists(
                Message.objects.filter(conversation=OuterRef("pk"), step_after="handoff")
            ),
        )
        .values("day")
        .annotate(
            conversations=Count("pk"),
            with_lead=Count("pk", filter=Q(has_lead=True)),  # "leads" is a relation
            handoffs=Count("pk", filter=Q(has_handoff=True)),
        )
        .order_by("day")
    )
    by_day: dict[date, Any] = {row["day"]: row for row in rows}
    return [
        DailyPoint(
            day=day,
            conversations=by_day.get(day, {}).get("conversations", 0),
            leads=by_day.get(day, {}).get("with_lead", 0),
            handoffs=by_day.get(day, {}).get("handoffs", 0),
        )
        for day in period.days
    ]


# --- LLM rollout: conversion with and without the model ------------------------------------------
@dataclass(frozen=True)
class LlmGroup:
    key: str  # "model", "control", "unrecorded" (started before the rollout was recorded)
    label: str
    conversations: int
    leads: int  # of those conversations, how many produced a lead

    @property
    def conversion(self) -> float | None:
        return self.leads / self.conversations if self.conversations else None


@dataclass(frozen=True)
class LlmComparison:
    groups: list[LlmGroup]
    # Conversion with the model minus without it, and its 95 % interval (normal approximation);
    # None unless both groups have conversations.
    difference: float | None
    low: float | None
    high: float | None

    MIN_GROUP = 30  # below this per group the interval is not worth reading

    @property
    def comparable(self) -> bool:
        return self.difference is not None

    @property
    def conclusive(self) -> bool:
        """Both groups big enough and the interval excludes no difference."""
        sizes = [g.conversations for g in self.groups if g.key in ("model", "control")]
        if self.low is None or self.high is None or min(sizes, default=0) < self.MIN_GROUP:
            return False
        return self.low > 0 or self.high < 0


_LLM_GROUPS = (
    ("model", True, "Con modelo"),
    ("control", False, "Sin modelo"),
    ("unrecorded", None, "Sin registro (antes del despliegue gradual)"),
)


def dashboard_llm_rollout(*, period: DateRange, channel: str = "") -> LlmComparison:
    """Conversations started in the period per LLM rollout group (recorded on each conversation
    when it started), how many produced a lead, and the difference in conversion."""
    rows = (
        dashboard_conversations(period=period, channel=channel)
        .annotate(has_lead=Exists(Lead.objects.filter(conversation=OuterRef("pk"))))
        .values("uses_llm")
        .annotate(n=Count("pk"), with_lead=Count("pk", filter=Q(has_lead=True)))
        .order_by()
    )
    by_group: dict[bool | None, Any] = {row["uses_llm"]: row for row in rows}
    groups = [
        LlmGroup(
            key=key,
            label=label,
            conversations=by_group.get(value, {}).get("n", 0),
            leads=by_group.get(value, {}).get("with_lead", 0),
        )
        for key, value, label in _LLM_GROUPS
    ]
    model, control = groups[0], groups[1]
    if not (model.conversations and control.conversations):
        return LlmComparison(groups=groups, difference=None, low=None, high=None)
    p1, n1 = model.leads / model.conversations, model.conversations
    p2, n2 = control.leads / control.conversations, control.conversations
    difference = p1 - p2
    margin = 1.96 * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return LlmComparison(
        groups=groups, difference=difference, low=difference - margin, high=difference + margin
    )


# --- Handoffs waiting for a person ----------------------------------------------------------------
@dataclass(frozen=True)
class WaitingHandoff:
    conversation_id: int
    channel: str
    since: datetime
    lead_id: int | None
    customer: str
    assignee: str


def dashboard_handoffs_waiting(*, now: datetime, limit: int = 50) -> list[WaitingHandoff]:
    """Customers who asked for a person and nobody answered within the SLA (oldest first)."""
    from conversations.staff import handoff_waiting_queryset

    latest_lead = Lead.objects.filter(conversation=OuterRef("pk")).order_by("-created_at", "-pk")
    rows = (
        handoff_waiting_queryset(now=now)
        .annotate(
            lead_id=Subquery(latest_lead.values("pk")[:1]),
            lead_name=Subquery(latest_lead.values("name")[:1]),
            lead_first=Subquery(latest_lead.values("assigned_to__first_name")[:1]),
            lead_last=Subquery(latest_lead.values("assigned_to__last_name")[:1]),
            lead_username=Subquery(latest_lead.values("assigned_to__username")[:1]),
        )
        .values(
            "pk", "channel", "handoff_at", "lead_id", "lead_name", "lead_first", "lead_last",
            "lead_username",
        )[:limit]
    )  # fmt: skip
    return [
        WaitingHandoff(
            conversation_id=row["pk"],
            channel=row["channel"],
            since=cast(datetime, row["handoff_at"]),  # handed-off conversations only
            lead_id=row["lead_id"],
            customer=row["lead_name"] or "(sin nombre)",
            assignee=f"{row['lead_first'] or ''} {row['lead_last'] or ''}".strip()
            or row["lead_username"]
            or "Sin asignar",
        )
        for row in rows
    ]
