"""The funnel dashboard: every number proven on a known message log."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.dashboard import (
    DateRange,
    dashboard_daily,
    dashboard_funnel,
    dashboard_kb_fallback,
    dashboard_latency,
    dashboard_leads_by_agent,
)
from tests.support.backoffice import login, seed_known_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def period() -> DateRange:
    today = timezone.localdate()
    return DateRange(first=today - timedelta(days=9), last=today)


@pytest.fixture
def known_log(sales: Any, sales2: Any) -> dict[str, Any]:
    return seed_known_log(sales=sales, sales2=sales2)


def test_funnel_counts_conversations_reaching_each_step(known_log: Any, period: DateRange) -> None:
    funnel = {stage.key: stage for stage in dashboard_funnel(period=period)}
    assert {key: stage.conversations for key, stage in funnel.items()} == {
        "need": 10,
        "budget": 7,
        "options": 6,
        "financing": 4,
        "lead": 2,
        "handoff": 2,
    }
    assert funnel["need"].conversion is None
    assert funnel["budget"].conversion == pytest.approx(0.7)
    assert funnel["options"].conversion == pytest.approx(6 / 7)
    assert funnel["financing"].conversion == pytest.approx(4 / 6)
    assert funnel["lead"].conversion == pytest.approx(0.5)
    assert funnel["handoff"].conversion is None
    assert funnel["handoff"].share == pytest.approx(0.2)  # handoff rate


def test_funnel_by_channel(known_log: Any, period: DateRange) -> None:
    funnel = {s.key: s.conversations for s in dashboard_funnel(period=period, channel="whatsapp")}
    assert funnel == {
        "need": 1,
        "budget": 0,
        "options": 0,
        "financing": 0,
        "lead": 0,
        "handoff": 1,
    }


def test_empty_period_has_no_rates(period: DateRange) -> None:
    funnel = dashboard_funnel(period=period)
    assert all(stage.conversations == 0 for stage in funnel)
    assert all(stage.share is None for stage in funnel)
    assert dashboard_kb_fallback(period=period).rate is None
    latency = dashboard_latency(period=period)
    assert (latency.turns, latency.p50_ms, latency.p95_ms) == (0, None, None)


def test_knowledge_base_fallback_rate(known_log: Any, period: DateRange) -> None:
    fallback = dashboard_kb_fallback(period=period)
    assert (fallback.questions, fallback.fallbacks) == (2, 1)
    assert fallback.rate == pytest.approx(0.5)


def test_turn_latency_percentiles_and_histogram(known_log: Any, period: DateRange) -> None:
    latency = dashboard_latency(period=period)
    assert latency.turns == 24
    assert latency.p50_ms == 120.0  # 12th of 24 (nearest rank)
    assert latency.p95_ms == 230.0  # 23rd of 24
    assert latency.buckets == [
        ("<50 ms", 4),
        ("<100 ms", 5),
        ("<200 ms", 10),
        ("<500 ms", 5),
        ("<1000 ms", 0),
        ("<2000 ms", 0),
        ("≥2000 ms", 0),
    ]


def test_leads_per_salesperson_and_status(known_log: Any, period: DateRange) -> None:
    agents = {a.name: a for a in dashboard_leads_by_agent(period=period)}
    assert list(agents) == ["Ana", "Bruno", "Sin asignar"]
    assert agents["Ana"].by_status["nuevo"] == 1
    assert agents["Ana"].by_status["contactado"] == 1
    assert agents["Ana"].total == 2
    assert agents["Bruno"].total == 1  # the lead before the period is not counted
    assert agents["Sin asignar"].total == 1


def test_daily_series_covers_every_day(known_log: Any, period: DateRange) -> None:
    daily = dashboard_daily(period=period)
    assert len(daily) == 10
    assert sum(point.conversations for point in daily) == 10
    assert sum(point.leads for point in daily) == 4
    assert sum(point.handoffs for point in daily) == 2
    assert daily[-1].day == timezone.localdate()


def test_supervisor_sees_the_charts_with_the_numbers(
    known_log: Any, supervisor: Any, period: DateRange
) -> None:
    response = login(supervisor).get(
        reverse("admin:backoffice_funneldashboard_changelist"),
        {"desde": period.first.isoformat(), "hasta": period.last.isoformat()},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<svg") >= 5
    bars = dict(re.findall(r'<g class="bar" data-key="(\w+)" data-value="(\d+)"', page))
    assert bars == {
        "need": "10",
        "budget": "7",
        "options": "6",
        "financing": "4",
        "lead": "2",
        "handoff": "2",
    }
    assert "(70% del paso anterior)" in page
    assert "(20% de las conversaciones)" in page
    assert 'data-kpi="p95"><div class="value">230 ms' in page
    assert 'data-value="1" data-whole="2"' in page  # KB fallback: 1 of 2
    assert 'data-row="Ana" data-key="contactado" data-value="1"' in page


def test_dashboard_defaults_to_the_last_30_days_and_validates_the_range(
    known_log: Any, supervisor: Any
) -> None:
    client = login(supervisor)
    url = reverse("admin:backoffice_funneldashboard_changelist")
    page = client.get(url).content.decode()
    # The last 30 days include the conversation from 20 days ago.
    assert 'data-kpi="conversations"><div class="value">11<' in page
    bad = client.get(url, {"desde": "2026-05-10", "hasta": "2026-05-01"}).content.decode()
    assert "La fecha inicial es posterior a la final." in bad
    too_long = client.get(url, {"desde": "2024-01-01", "hasta": "2026-01-01"}).content.decode()
    assert "El rango máximo es de un año." in too_long


def test_dashboard_is_listed_in_the_admin_for_supervisors_only(supervisor: Any, sales: Any) -> None:
    assert "Tablero del embudo" in login(supervisor).get("/admin/").content.decode()
    assert "Tablero del embudo" not in login(sales).get("/admin/").content.decode()


def test_charts_escape_names_and_carry_their_numbers() -> None:
    from backoffice import charts

    svg = charts.stacked_bars_svg(
        rows=[("<script>alert(1)</script>", {"nuevo": 2, "vendido": 1})],
        series=[("nuevo", "Nuevo"), ("vendido", "Vendido")],
        title="Leads <por> asesor",
        name="agents",
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert 'data-key="vendido" data-value="1"' in svg
    columns = charts.columns_svg(
        columns=[("15/11", 3), ("16/11", 0)], title="t", name="daily", tooltips=["15/11: 3 <b>"]
    )
    assert "<title>15/11: 3 &lt;b&gt;</title>" in columns
    assert "<title>16/11: 0</title>" in columns
    empty = charts.funnel_svg(bars=[], title="vacío")
    assert 'data-chart="funnel"' in empty
