"""The golden conversations still pass with the LLM on, against a model that rephrases faithfully.

Every scenario of ``conversations/scenarios`` runs through ``conversation_turn_handle`` with
LLM_ENABLED: replies are smoothed or FAQ answers phrased after each commit, lost messages ask the
model for slots (the faithful stub finds none), and every expectation (step, next action, slots,
key facts, exact financing figures) must hold as with the deterministic agent.
"""

from __future__ import annotations

from typing import Any

import pytest

from catalog.services import catalog_load_demo
from conversations.apis.outputs import render_outcome
from conversations.evaluation import scenario_load_all, scenario_run, scorecard
from conversations.services import conversation_turn_handle
from knowledge.services import knowledge_load_demo
from tests.support.catalog import restore_catalog_seeds
from tests.support.stub_llm_server import StubModel

pytestmark = pytest.mark.django_db(transaction=True)  # the LLM runs only after a real commit


def test_golden_conversations_with_a_faithful_llm(
    llm_on: StubModel, settings: Any, subtests: pytest.Subtests
) -> None:
    settings.LLM_CHAT_TIMEOUT_S = 2.0  # a loaded test machine must not turn this into fallbacks
    settings.LLM_CHAT_BUDGET_S = 4.0
    restore_catalog_seeds()  # earlier transactional tests truncated the seeded aliases
    catalog_load_demo()
    knowledge_load_demo()
    used: list[Any] = []

    def send(session_id: str, message: str) -> dict[str, Any]:
        outcome = conversation_turn_handle(channel="api", external_id=session_id, text=message)
        used.append(outcome.understood.get("llm"))
        return render_outcome(outcome)

    reports = []
    for scenario in scenario_load_all():
        with subtests.test(msg=scenario.name):
            report = scenario_run(scenario, send=send, channel="api")
            reports.append(report)
            assert report.ok, "\n".join(report.failures())
    card = scorecard(reports)
    assert card.financing_exactness == 1.0
    assert card.passed == card.scenarios
    # The model really rewrote the replies: smoothing on most turns, FAQ phrasing on KB turns.
    assert used.count("smooth") > 0.8 * len(used)
    assert used.count("faq") >= 5
    assert llm_on.calls >= len(used)
