"""Golden conversations (conversations/scenarios/*.yaml), through the service and through /chat.

Each scenario runs with the demo catalogue and knowledge base; every expectation of every turn must
hold (step, next_action, slots, key facts, and the exactness of every financing figure).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from rest_framework_api_key.models import APIKey

from catalog.services import catalog_load_demo
from conversations.apis.outputs import render_outcome
from conversations.evaluation import scenario_load_all, scenario_run, scorecard
from conversations.services import conversation_turn_handle
from knowledge.services import knowledge_load_demo

SCENARIOS = scenario_load_all()


@pytest.fixture
def demo_data(db: None) -> None:
    catalog_load_demo()
    knowledge_load_demo()


def _send_service(session_id: str, message: str) -> dict[str, Any]:
    return render_outcome(
        conversation_turn_handle(channel="api", external_id=session_id, text=message)
    )


def test_scenario_pack_is_large_enough() -> None:
    assert len(SCENARIOS) >= 40
    assert len({s.name for s in SCENARIOS}) == len(SCENARIOS)


@pytest.mark.parametrize("mode", ["service", "api"])
def test_golden_conversations(
    mode: str, demo_data: None, client: Client, subtests: pytest.Subtests, settings: Any
) -> None:
    settings.CHAT_THROTTLE_RATE = "100000/min"  # ~250 requests in a few seconds from one key
    if mode == "service":
        send = _send_service
    else:
        _, key = APIKey.objects.create_key(name="golden")
        auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

        def send(session_id: str, message: str) -> dict[str, Any]:
            response = client.post(
                "/chat",
                data=json.dumps({"session_id": session_id, "message": message}),
                content_type="application/json",
                **auth,
            )
            assert response.status_code == 200, response.content
            return response.json()

    reports = []
    for scenario in SCENARIOS:
        with subtests.test(msg=scenario.name):
            report = scenario_run(scenario, send=send, channel="api")
            reports.append(report)
            assert report.ok, "\n".join(report.failures())
    card = scorecard(reports)
    assert card.financing_exactness == 1.0
