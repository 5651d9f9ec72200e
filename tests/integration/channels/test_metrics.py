"""WhatsApp counters in /metrics: duplicates, signature failures, rate limit, outbound statuses."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.support.fake_twilio import FakeTwilio
from tests.support.metrics import metric_value
from tests.support.whatsapp import (
    WEBHOOK,
    channel_settings,
    new_sid,
    payload,
    post_signed,
)

pytestmark = pytest.mark.django_db


def test_webhook_counters_reach_metrics(fake_twilio: FakeTwilio, client: Client) -> None:
    before = client.get("/metrics").content.decode()
    with override_settings(**channel_settings(fake_twilio, WHATSAPP_RATE_LIMIT_MESSAGES=1)):
        first = payload("inbound_text", MessageSid=new_sid(), Body="hola")
        assert post_signed(client, WEBHOOK, first).status_code == 200
        assert post_signed(client, WEBHOOK, first).status_code == 200  # duplicate
        second = payload("inbound_text", MessageSid=new_sid(), Body="otra vez")
        assert post_signed(client, WEBHOOK, second).status_code == 200  # over the limit
        bad = payload("inbound_text", MessageSid=new_sid(), Body="x")
        assert post_signed(client, WEBHOOK, bad, signature="nope").status_code == 403
    after = client.get("/metrics").content.decode()

    def delta(name: str, **labels: str) -> float:
        return metric_value(after, name, **labels) - metric_value(before, name, **labels)

    assert delta("kavak_webhook_duplicates_total") == 1
    assert delta("kavak_webhook_signature_failures_total", mode="enforce") == 1
    assert delta("kavak_rate_limited_messages_total") == 1
