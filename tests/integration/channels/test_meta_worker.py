"""End to end on Meta with a real Celery worker process and a live server: Meta's webhook →
Redis → worker → turn → Graph API stand-in → signed status webhook back to the live server.

One worker start covers: concurrent duplicate deliveries of the same message id, Redis flushed and
everything redelivered, a 429 retried by the worker, and a send whose answer was lost although
Meta accepted it (settled by the status webhook's echoed key: sent once, never twice).
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
from tests.support.concurrency import run_at_once
from tests.support.fake_meta import FakeGraph
from tests.support.fake_twilio import FakeTwilio
from tests.support.whatsapp import (
    META_APP_SECRET,
    META_NUMBER,
    META_PHONE_NUMBER_ID,
    META_WEBHOOK,
    meta_settings,
    meta_text,
    meta_worker_env,
    post_meta,
)


def wa_id(i: int) -> str:
    return f"521551000{i:04d}"


def wait_until(predicate: Any, timeout: float = 25.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_meta_through_a_real_worker_is_exactly_once_and_settles_lost_answers(
    fake_twilio: FakeTwilio,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    live_server: Any,
) -> None:
    graph = FakeGraph(
        access_token="test-meta-access-token",
        slow_s=1.5,
        webhook_url=live_server.url + META_WEBHOOK,
        app_secret=META_APP_SECRET,
        display_phones={META_PHONE_NUMBER_ID: META_NUMBER},
    ).start()
    try:
        for key, value in meta_worker_env(graph, fake_twilio).items():
            monkeypatch.setenv(key, value)
        request.getfixturevalue("celery_worker_process")
        with override_settings(**meta_settings(graph, fake_twilio)):
            # 1. Four customers, each message delivered 4 times at the same instant.
            first = [meta_text("Hola, busco auto", wa_id=wa_id(i)) for i in range(4)]
            statuses: list[int] = []
            posts = [partial(post_meta, Client(), data) for data in first for _ in range(4)]
            errors = run_at_once(
                [lambda p=p: statuses.append(p().status_code) for p in posts], timeout=30
            )
            assert (errors, statuses) == ([], [200] * 16)
            assert wait_until(lambda: len(graph.created) >= 4)

            # 2. Redis flushed, then every message redelivered: nothing new happens.
            cache.clear()
            for data in first:
                assert post_meta(Client(), data).json()["duplicates"] == 1

            # 3. Meta answers 429 once: the worker retries, the message goes out once.
            graph.script("429")
            assert post_meta(Client(), meta_text("Hola", wa_id=wa_id(7))).status_code == 200
            assert wait_until(lambda: len(graph.bodies_to(wa_id(7))) == 1)

            # 4. Meta accepts but its answer never arrives (client timeout): the stand-in's
            # signed "sent" status reaches the live server and settles the part; no resend.
            graph.script("timeout")
            assert post_meta(Client(), meta_text("Hola", wa_id=wa_id(8))).status_code == 200
            assert wait_until(
                lambda: WhatsAppOutbound.objects.filter(
                    to_phone="+525510000008", status__in=["queued", "sent"]
                ).exists()
            )
            time.sleep(2.5)  # past the reconcile wait: a resend would have shown up by now
    finally:
        graph.stop()

    assert WhatsAppInbound.objects.count() == 4 + 1 + 1
    assert not WhatsAppInbound.objects.filter(status="received").exists()
    assert Message.objects.filter(direction="in", conversation__channel="whatsapp").count() == 6
    assert len(graph.created) == 6
    for i in (0, 1, 2, 3, 7, 8):
        assert len(graph.bodies_to(wa_id(i))) == 1
    assert [r.behaviour for r in graph.requests].count("429") == 1
    assert graph.statuses_delivered >= 6
    lost = WhatsAppOutbound.objects.get(to_phone="+525510000008")
    assert lost.provider_sid == next(m["id"] for m in graph.created if m["to"] == wa_id(8))
    assert lost.attempts == 1
    assert set(WhatsAppOutbound.objects.values_list("status", flat=True)) <= {"queued", "sent"}
    assert fake_twilio.created == []
