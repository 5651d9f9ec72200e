"""Satisfaction (CSAT) in the back office: the dashboard's figures on a known set of answers (real
PostgreSQL), the dashboard card, the lead page, and erasure keeping the scores."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.dashboard import DateRange
from backoffice.erasure import customer_erase
from backoffice.satisfaction import dashboard_satisfaction, satisfaction_for_lead
from conversations.models import Conversation, Message, SatisfactionAnswer
from tests.support.backoffice import login, make_conversation, make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def period() -> DateRange:
    today = timezone.localdate()
    return DateRange(first=today - timedelta(days=9), last=today)


def _asked(conversation: Conversation, moment: str = "lead") -> None:
    Message.objects.create(
        conversation=conversation,
        direction="out",
        text="… del 1 al 5, ¿qué tan bien te atendimos?",
        turn_id="t" + str(conversation.pk),
        understood={"survey": moment},
    )


def _answer(
    conversation: Conversation, score: int, *, salesperson: Any = None, comment: str = ""
) -> SatisfactionAnswer:
    return SatisfactionAnswer.objects.create(
        conversation=conversation,
        score=score,
        comment=comment,
        channel=conversation.channel,
        handed_off=salesperson is not None,
        salesperson=salesperson,
        created_at=timezone.now(),
    )


@pytest.fixture
def answers(sales: Any, sales2: Any) -> dict[str, Conversation]:
    """Seven conversations in the period, one before it.

    asked: A B C D E F (+ old);  answered: A=5 B=5 (bot) C=2 D=3 (Ana) E=1 (Bruno);  F no answer;
    G never asked; old (20 days ago) asked and answered 1: outside the period.
    """
    log: dict[str, Conversation] = {}
    for key, channel in (
        ("A", "web"),
        ("B", "api"),
        ("C", "whatsapp"),
        ("D", "whatsapp"),
        ("E", "web"),
        ("F", "web"),
        ("G", "web"),
    ):
        log[key] = make_conversation(channel=channel, turns=[("hola", "need", {})])
    log["old"] = make_conversation(
        turns=[("hola", "need", {})], started_at=timezone.now() - timedelta(days=20)
    )
    for key in ("A", "B", "C", "D", "E", "F", "old"):
        _asked(log[key], "handoff_closed" if key in "CDE" else "lead")
    _answer(log["A"], 5)
    _answer(log["B"], 5, comment="muy amables")
    _answer(log["C"], 2, salesperson=sales, comment="tardaron en contestar")
    _answer(log["D"], 3, salesperson=sales)
    _answer(log["E"], 1, salesperson=sales2)
    _answer(log["old"], 1)
    return log


def test_average_distribution_response_rate_and_per_salesperson(
    answers: Any, period: DateRange
) -> None:
    summary = dashboard_satisfaction(period=period)
    assert summary.asked == 6
    assert summary.answered == 5
    assert summary.response_rate == pytest.approx(5 / 6)
    assert summary.average == Decimal("3.20")  # (5 + 5 + 2 + 3 + 1) / 5
    assert summary.distribution == {1: 1, 2: 1, 3: 1, 4: 0, 5: 2}
    assert (summary.bot_answers, summary.bot_average) == (2, Decimal("5.00"))
    assert [(p.name, p.answers, p.average) for p in summary.by_salesperson] == [
        ("Ana", 2, Decimal("2.50")),
        ("Bruno", 1, Decimal("1.00")),
    ]


def test_figures_by_channel_and_an_empty_period(answers: Any, period: DateRange) -> None:
    whatsapp = dashboard_satisfaction(period=period, channel="whatsapp")
    assert (whatsapp.asked, whatsapp.answered, whatsapp.average) == (2, 2, Decimal("2.50"))
    assert whatsapp.bot_average is None
    long_ago = DateRange(
        first=period.first - timedelta(days=400), last=period.first - timedelta(days=300)
    )
    empty = dashboard_satisfaction(period=long_ago)
    assert (empty.asked, empty.answered, empty.average, empty.response_rate) == (0, 0, None, None)
    assert empty.distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}


def test_the_dashboard_shows_the_satisfaction_card(
    answers: Any, supervisor: Any, period: DateRange
) -> None:
    response = login(supervisor).get(
        reverse("admin:backoffice_funneldashboard_changelist"),
        {"desde": period.first.isoformat(), "hasta": period.last.isoformat()},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="satisfaction" data-asked="6" data-answered="5" data-average="3.20"' in page
    chart = page[page.index('data-chart="satisfaction"') : page.index('id="agents"')]
    columns = dict(re.findall(r'<g class="column" data-key="([1-5])" data-value="(\d+)"', chart))
    assert columns == {"1": "1", "2": "1", "3": "1", "4": "0", "5": "2"}
    assert '<tr data-salesperson="Ana"><td>Ana</td><td>2</td><td>2.50</td></tr>' in page
    assert '<tr data-salesperson="Bruno"><td>Bruno</td><td>1</td><td>1.00</td></tr>' in page
    assert "Satisfacción de los clientes (CSAT)" in page


def test_the_lead_page_shows_the_customers_rating_read_only(
    answers: Any, sales: Any, supervisor: Any
) -> None:
    rated = make_lead(assigned_to=sales, conversation=answers["C"])
    unrated = make_lead(assigned_to=sales, conversation=answers["G"])
    client = login(supervisor)
    page = client.get(reverse("admin:leads_lead_change", args=[rated.pk])).content.decode()
    assert "calificación del cliente" in page.lower()
    assert "<tr class='satisfaction-answer' data-score='2'>" in page
    assert "tardaron en contestar" in page
    other = client.get(reverse("admin:leads_lead_change", args=[unrated.pk])).content.decode()
    assert "El cliente no ha calificado la atención." in other
    assert [a.score for a in satisfaction_for_lead(lead=rated)] == [2]
    assert satisfaction_for_lead(lead=unrated) == []


def test_erasing_the_customer_removes_the_comment_and_keeps_the_figures(
    answers: Any, supervisor: Any, period: DateRange
) -> None:
    before = dashboard_satisfaction(period=period)
    lead = make_lead(conversation=answers["C"], phone="+525512340000")
    customer_erase(actor=supervisor, lead_ids=[lead.pk], reference="solicitud de prueba")
    answer = SatisfactionAnswer.objects.get(conversation=answers["C"])
    assert (answer.score, answer.comment) == (2, "")
    assert dashboard_satisfaction(period=period) == before
