"""/metrics: access rules, and counters after a known conversation."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from rest_framework_api_key.models import APIKey

from catalog.services import catalog_load_demo
from knowledge.services import knowledge_load_demo
from tests.support.metrics import metric_value

pytestmark = pytest.mark.django_db


def test_metrics_are_refused_through_the_load_balancer_and_from_outside(
    client: Client, settings: object
) -> None:
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.METRICS_TOKEN = "s3cret-token"  # type: ignore[attr-defined]
    ok = client.get(
        "/metrics",
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        HTTP_AUTHORIZATION="Bearer s3cret-token",
    )
    assert ok.status_code == 200
    bad = client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong")
    assert bad.status_code == 403


def test_counters_after_a_known_conversation(client: Client, settings: object) -> None:
    settings.CHAT_THROTTLE_RATE = "1000/min"  # type: ignore[attr-defined]
    catalog_load_demo()
    knowledge_load_demo()
    before = client.get("/metrics").content.decode()
    _, key = APIKey.objects.create_key(name="metrics")
    script = [
        "busco un Versa de 270 mil",
        "¿tienen garantía?",
        "¿quién ganó el mundial?",
        "el 1",
        "20%",
        "48 meses",
        "quiero hablar con un asesor",
    ]
    for message in script:
        response = client.post(
            "/chat",
            data=json.dumps({"session_id": "metrics-1", "message": message}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        assert response.status_code == 200
    after = client.get("/metrics").content.decode()

    def delta(name: str, **labels: str) -> float:
        return metric_value(after, name, **labels) - metric_value(before, name, **labels)

    assert delta("kavak_turn_seconds_count", channel="api") == 7
    assert delta("kavak_http_request_seconds_count", route="chat", status="200") == 7
    for step in ("need", "budget", "options", "financing", "handoff"):
        assert delta("kavak_funnel_step_reached_total", step=step) == 1, step
    assert delta("kavak_funnel_step_reached_total", step="lead") == 0
    assert delta("kavak_next_action_total", next_action="choose_option") == 3
    assert delta("kavak_next_action_total", next_action="handoff_to_human") == 1
    assert delta("kavak_kb_answers_total", outcome="confident") == 1
    assert delta("kavak_kb_answers_total", outcome="fallback") == 1


def test_metrics_answer_scrapers_that_address_the_task_by_ip(client: Client) -> None:
    response = client.get("/metrics", HTTP_HOST="10.0.3.17:8000")
    assert response.status_code == 200
    assert b"kavak_http_request_seconds" in response.content
