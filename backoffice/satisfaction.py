"""Customer satisfaction on the funnel dashboard: the average, the 1-5 distribution, the response
rate, and the scores per salesperson of handed-off conversations.

The cohort is the dashboard's: conversations started in the period (on a channel). "Asked" comes
from the message log (the turn or notice that asked has ``understood["survey"]``), so it survives
retention, which keeps those keys and the scores and removes only the comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, DecimalField, Exists, OuterRef, QuerySet
from django.utils.safestring import SafeString

from backoffice import charts
from backoffice.dashboard import DateRange, dashboard_conversations
from conversations.models import Message, SatisfactionAnswer

SCORES = (1, 2, 3, 4, 5)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class SalespersonScore:
    name: str
    answers: int
    average: Decimal | None  # never None: a salesperson listed has at least one answer


@dataclass(frozen=True)
class SatisfactionSummary:
    asked: int  # conversations that got the question
    answered: int
    average: Decimal | None  # two decimals; None without answers
    distribution: dict[int, int]  # score → answers (every score 1-5 present)
    bot_average: Decimal | None  # conversations only the bot attended
    bot_answers: int
    by_salesperson: list[SalespersonScore]  # handed-off conversations, per who attended

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None


def _average(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def _avg() -> Avg:
    return Avg("score", output_field=DecimalField(max_digits=6, decimal_places=4))


def satisfaction_answers(*, period: DateRange, channel: str = "") -> QuerySet[SatisfactionAnswer]:
    """Answers of the conversations started in the period (on a channel)."""
    cohort = dashboard_conversations(period=period, channel=channel)
    return SatisfactionAnswer.objects.filter(conversation__in=cohort.values("pk"))


def dashboard_satisfaction(*, period: DateRange, channel: str = "") -> SatisfactionSummary:
    """The satisfaction figures of the dashboard's cohort (four aggregate queries)."""
    asked = (
        dashboard_conversations(period=period, channel=channel)
        .filter(
            Exists(
                Message.objects.filter(conversation=OuterRef("pk"), understood__has_key="survey")
            )
        )
        .count()
    )
    answers = satisfaction_answers(period=period, channel=channel)
    overall = answers.aggregate(n=Count("pk"), avg=_avg())
    distribution = dict.fromkeys(SCORES, 0)
    for row in answers.values("score").annotate(n=Count("pk")).order_by():
        distribution[row["score"]] = row["n"]
    bot = answers.filter(handed_off=False).aggregate(n=Count("pk"), avg=_avg())
    rows = (
        answers.filter(handed_off=True)
        .values(
            "salesperson_id",
            "salesperson__username",
            "salesperson__first_name",
            "salesperson__last_name",
        )
        .annotate(n=Count("pk"), avg=_avg())
        .order_by()
    )
    people = []
    for person in rows:
        first, last = person["salesperson__first_name"], person["salesperson__last_name"]
        name = f"{first or ''} {last or ''}".strip() or person["salesperson__username"]
        name = name or "Sin asesor registrado"
        people.append(
            SalespersonScore(name=name, answers=person["n"], average=_average(person["avg"]))
        )
    people.sort(key=lambda p: (p.name == "Sin asesor registrado", -p.answers, p.name))
    return SatisfactionSummary(
        asked=asked,
        answered=overall["n"],
        average=_average(overall["avg"]),
        distribution=distribution,
        bot_average=_average(bot["avg"]),
        bot_answers=bot["n"],
        by_salesperson=people,
    )


def satisfaction_chart(summary: SatisfactionSummary) -> SafeString:
    return charts.columns_svg(
        columns=[(str(score), summary.distribution[score]) for score in SCORES],
        title="Respuestas por calificación (1 = muy mal, 5 = excelente)",
        name="satisfaction",
        tooltips=[
            f"{score}: {summary.distribution[score]} respuesta"
            f"{'' if summary.distribution[score] == 1 else 's'}"
            for score in SCORES
        ],
    )


def satisfaction_context(*, period: DateRange, channel: str = "") -> dict[str, Any]:
    """What the dashboard template's satisfaction card shows."""
    summary = dashboard_satisfaction(period=period, channel=channel)
    return {"satisfaction": summary, "satisfaction_chart": satisfaction_chart(summary)}


def satisfaction_for_lead(*, lead: Any) -> list[SatisfactionAnswer]:
    """The answers of a lead's conversations (its own, and the later ones it was updated from),
    newest first."""
    from leads.models import LeadEvent

    ids: set[int] = {lead.conversation_id} if lead.conversation_id else set()
    for data in LeadEvent.objects.filter(lead=lead, kind=LeadEvent.Kind.CONVERSATION).values_list(
        "data", flat=True
    ):
        for key in ("from", "to"):
            value = data.get(key) if isinstance(data, dict) else None
            if isinstance(value, int):
                ids.add(value)
    if not ids:
        return []
    return list(
        SatisfactionAnswer.objects.filter(conversation_id__in=ids)
        .select_related("salesperson")
        .order_by("-created_at", "-pk")
    )
