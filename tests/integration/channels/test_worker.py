"""End to end with a real Celery worker process: webhook → Redis → worker → turn → fake Twilio.

One worker start (a few seconds) covers: concurrent duplicate deliveries, a burst answered as one
turn, Redis flushed and everything redelivered, a 429 retried by the worker, and the handoff
email notification sent by the worker.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from channels.models import WhatsAppInbound, WhatsAppOutbound
from conversations.models import Message
from leads.models import LeadNotification
from tests.support.concurrency import run_at_once
from tests.support.fake_twilio import FakeTwilio
from tests.support.whatsapp import (
    WEBHOOK,
    channel_settings,
    new_sid,
    payload,
    post_signed,
    worker_env,
)

BURST_S = 0.8


def customer(i: int) -> tuple[str, str]:
    return f"whatsapp:+52155100000{i:02d}", f"+5255100000{i:02d}"


def wait_until(predicate: Any, timeout: float = 25.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def deliver_concurrently(items: list[dict[str, str]], copies: int) -> list[int]:
    statuses: list[int] = []

    def post(data: dict[str, str]) -> None:
        statuses.append(post_signed(Client(), WEBHOOK, data).status_code)

    # A failed post shows as a missing status: the callers compare the statuses with 200s.
    run_at_once([partial(post, d) for d in items for _ in range(copies)], timeout=30)
    return statuses


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_whatsapp_through_a_real_worker_is_exactly_once_ordered_and_retried(
    fake_twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    for key, value in worker_env(fake_twilio, WHATSAPP_BURST_WINDOW_S=str(BURST_S)).items():
        monkeypatch.setenv(key, value)
    request.getfixturevalue("celery_worker_process")

    with override_settings(**channel_settings(fake_twilio, WHATSAPP_BURST_WINDOW_S=BURST_S)):
        # 1. Four customers, each message delivered 4 times at the same instant.
        first = []
        for i in range(4):
            address, _ = customer(i)
            first.append(
                payload("inbound_text", MessageSid=new_sid(), From=address, Body="Hola, busco auto")
            )
        assert deliver_concurrently(first, copies=4) == [200] * 16
        assert wait_until(lambda: len(fake_twilio.created) >= 4)

        # 2. A burst: three messages within the window → one turn, one answer.
        burst_address, burst_phone = customer(9)
        for body in ("Hola", "busco un sedán", "automático"):
            data = payload("inbound_text", MessageSid=new_sid(), From=burst_address, Body=body)
            assert post_signed(Client(), WEBHOOK, data).status_code == 200
            time.sleep(0.1)
        assert wait_until(lambda: len(fake_twilio.bodies_to(burst_address)) >= 1)

        # 3. Redis flushed, then every message redelivered: nothing new happens.
        cache.clear()
        everything = [dict(m.payload) for m in WhatsAppInbound.objects.all()]
        assert set(deliver_concurrently(everything, copies=2)) == {200}

        # 4. Twilio answers 429 once: the worker retries and the message goes out once.
        fake_twilio.script("429")
        retry_address, retry_phone = customer(7)
        data = payload("inbound_text", MessageSid=new_sid(), From=retry_address, Body="Hola")
        assert post_signed(Client(), WEBHOOK, data).status_code == 200
        assert wait_until(lambda: len(fake_twilio.bodies_to(retry_address)) == 1)

        # 5. A handoff: the worker's turn enqueues the sales notification, another task emails it.
        handoff_address, _ = customer(8)
        data = payload(
            "inbound_text", MessageSid=new_sid(), From=handoff_address, Body="quiero un asesor"
        )
        assert post_signed(Client(), WEBHOOK, data).status_code == 200
        assert wait_until(
            lambda: LeadNotification.objects.filter(
                reason="handoff", channel="email", sent_at__isnull=False
            ).exists()
        )
        time.sleep(BURST_S + 0.5)  # anything duplicated would have shown up by now

    assert WhatsAppInbound.objects.count() == 4 + 3 + 1 + 1
    assert not WhatsAppInbound.objects.filter(status="received").exists()
    in_turns = Message.objects.filter(direction="in", conversation__channel="whatsapp")
    assert in_turns.count() == 4 + 1 + 1 + 1
    burst_turn = in_turns.get(conversation__external_id=burst_phone)
    assert burst_turn.text == "Hola\nbusco un sedán\nautomático"
    assert len(fake_twilio.created) == 4 + 1 + 1 + 1
    for i in range(4):
        assert len(fake_twilio.bodies_to(customer(i)[0])) == 1
    assert [r.behaviour for r in fake_twilio.requests].count("429") == 1
    assert WhatsAppOutbound.objects.filter(to_phone=retry_phone).get().attempts == 2
    assert set(WhatsAppOutbound.objects.values_list("status", flat=True)) == {"queued"}
