"""The funnel dashboard compares conversion with and without the model, with the groups' sizes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.dashboard import DateRange, dashboard_llm_rollout
from conversations.models import Conversation
from tests.support.backoffice import login, make_conversation, make_lead

pytestmark = pytest.mark.django_db


def period() -> DateRange:
    today = timezone.localdate()
    return DateRange(first=today - timedelta(days=6), last=today)


def conversations(n: int, *, uses_llm: bool | None, leads: int, channel: str = "web") -> None:
    for i in range(n):
        conversation = make_conversation(turns=[("hola", "need", {})], channel=channel)
        Conversation.objects.filter(pk=conversation.pk).update(uses_llm=uses_llm, llm_bucket=7)
        if i < leads:
            make_lead(conversation=conversation)


def test_groups_sizes_leads_and_conversion() -> None:
    conversations(4, uses_llm=True, leads=2)
    conversations(5, uses_llm=False, leads=1)
    conversations(2, uses_llm=None, leads=0)
    old = make_conversation(turns=[("hola", "need", {})], started_at=timezone.now() - timedelta(30))
    Conversation.objects.filter(pk=old.pk).update(uses_llm=True)  # outside the period

    rollout = dashboard_llm_rollout(period=period())

    rows = {g.key: (g.conversations, g.leads) for g in rollout.groups}
    assert rows == {"model": (4, 2), "control": (5, 1), "unrecorded": (2, 0)}
    assert rollout.groups[0].conversion == pytest.approx(0.5)
    assert rollout.groups[1].conversion == pytest.approx(0.2)
    assert rollout.difference == pytest.approx(0.3)
    margin = 1.96 * (0.5 * 0.5 / 4 + 0.2 * 0.8 / 5) ** 0.5
    assert (rollout.low, rollout.high) == pytest.approx((0.3 - margin, 0.3 + margin))
    assert rollout.comparable
    assert not rollout.conclusive  # four and five conversations say nothing yet
    assert dashboard_llm_rollout(period=period(), channel="whatsapp").groups[0].conversations == 0


def test_a_clear_difference_on_big_groups_is_conclusive() -> None:
    conversations(40, uses_llm=True, leads=30)
    conversations(40, uses_llm=False, leads=5)
    rollout = dashboard_llm_rollout(period=period())
    assert rollout.low > 0
    assert rollout.conclusive


def test_one_group_alone_is_not_a_comparison() -> None:
    conversations(3, uses_llm=True, leads=1)
    rollout = dashboard_llm_rollout(period=period())
    assert not rollout.comparable
    assert rollout.difference is None
    assert not rollout.conclusive


def test_the_dashboard_shows_the_comparison_panel(supervisor: Any, settings: Any) -> None:
    settings.LLM_ENABLED = True
    settings.OPENAI_API_KEY = "sk-test-not-a-real-key"
    settings.LLM_ROLLOUT_PERCENT = 20
    conversations(4, uses_llm=True, leads=2)
    conversations(5, uses_llm=False, leads=1)
    page = login(supervisor).get(reverse("admin:backoffice_funneldashboard_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="llm-rollout" data-comparable="1" data-conclusive="0"' in html
    assert (
        '<tr data-group="model"><td>Con modelo</td><td>4</td><td>2</td><td>50.0%</td></tr>' in html
    )
    assert (
        '<tr data-group="control"><td>Sin modelo</td><td>5</td><td>1</td><td>20.0%</td></tr>'
        in html
    )
    assert 'data-group="unrecorded"' not in html  # shown only when there are such conversations
    assert "diferencia +30.0 pp" in html
    assert "Aún no concluyente" in html
    assert "el 20 % de las conversaciones nuevas usa el modelo" in html


def test_without_a_rollout_the_panel_says_there_is_nothing_to_compare(supervisor: Any) -> None:
    conversations(2, uses_llm=False, leads=0)
    html = login(supervisor).get(reverse("admin:backoffice_funneldashboard_changelist")).content
    assert "Sin comparación en el periodo" in html.decode()
    assert "el modelo está apagado (LLM_ENABLED)" in html.decode()
