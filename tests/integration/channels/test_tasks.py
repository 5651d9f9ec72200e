"""The Celery interfaces, run in-process with ``apply()``: they call one service and retry
transient failures (a real worker runs them in test_worker.py)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from channels.checks import check_whatsapp_mode
from channels.models import WhatsAppInbound, WhatsAppOutbound
from channels.tasks import inbound_message_process as inbound_message_process_task
from channels.tasks import outbound_group_send as outbound_group_send_task
from channels.tasks import whatsapp_pending_sweep as whatsapp_pending_sweep_task
from tests.support.fake_twilio import FakeTwilio
from tests.support.whatsapp import (
    CUSTOMER,
    CUSTOMER_PHONE,
    OUR_NUMBER,
    WEBHOOK,
    new_sid,
    payload,
    post_signed,
)

pytestmark = pytest.mark.django_db


def test_process_task_retries_a_429_and_sends_once(whatsapp: FakeTwilio, client: Client) -> None:
    post_signed(client, WEBHOOK, payload("inbound_text", MessageSid=new_sid()))
    whatsapp.script("429")
    result = inbound_message_process_task.apply(
        args=(WhatsAppInbound.objects.get().pk,), throw=False
    )
    assert result.successful()
    assert result.get().startswith("turn-")
    assert [r.behaviour for r in whatsapp.requests] == ["429", "201"]


def test_send_task_gives_up_after_its_retries_and_marks_parts_failed(
    whatsapp: FakeTwilio,
) -> None:
    WhatsAppOutbound.objects.create(
        idempotency_key="g:0", group="g", to_address=CUSTOMER, from_address=OUR_NUMBER,
        to_phone=CUSTOMER_PHONE, body="hola",
    )  # fmt: skip
    whatsapp.default = "500"
    # The last allowed retry: the next failure gives up and on_failure marks the part failed.
    result = outbound_group_send_task.apply(
        args=("g",), retries=outbound_group_send_task.max_retries, throw=False
    )
    assert result.failed()
    row = WhatsAppOutbound.objects.get()
    assert row.status == "failed"
    assert row.last_error.startswith("reintentos agotados")
    assert len(whatsapp.requests) == 1


def test_sweep_task_runs_the_service(whatsapp: FakeTwilio) -> None:
    assert whatsapp_pending_sweep_task.apply(args=(60,)).get() == 0


def test_sync_mode_is_refused_outside_debug() -> None:
    with override_settings(WHATSAPP_ENABLED=True, WHATSAPP_MODE="sync", DEBUG=False):
        assert [e.id for e in check_whatsapp_mode()] == ["channels.E001"]
    with override_settings(WHATSAPP_ENABLED=True, WHATSAPP_MODE="sync", DEBUG=True):
        assert check_whatsapp_mode() == []
    with override_settings(WHATSAPP_ENABLED=True, WHATSAPP_MODE="async", DEBUG=False):
        assert check_whatsapp_mode() == []
