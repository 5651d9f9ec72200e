"""Outbound sends against the fake Twilio: retried when safe, never resent blindly, in order."""

from __future__ import annotations

import time
from datetime import timedelta
from functools import partial

import pytest
from django.test import override_settings
from django.utils import timezone

from channels.formatting import MAX_BODY_CHARS
from channels.models import WhatsAppContact, WhatsAppInbound, WhatsAppOutbound
from channels.services import SendLater, outbound_group_send, staff_reply_send
from conversations.models import Conversation
from tests.support.concurrency import run_at_once
from tests.support.fake_twilio import FakeTwilio
from tests.support.whatsapp import CUSTOMER, CUSTOMER_PHONE, OUR_NUMBER, channel_settings

pytestmark = pytest.mark.django_db

AMBIGUITY_WAIT_S = 1.05  # max(2 × TWILIO_TIMEOUT_S, 1 s) with the test settings


def part(group: str, body: str, seq: int = 0, **fields: object) -> WhatsAppOutbound:
    return WhatsAppOutbound.objects.create(
        idempotency_key=f"{group}:{seq}",
        group=group,
        seq=seq,
        to_address=CUSTOMER,
        from_address=OUR_NUMBER,
        to_phone=CUSTOMER_PHONE,
        body=body,
        **fields,
    )


def send_until_done(group: str, *, attempts: int = 10) -> int:
    """A task and its retries: call again after each SendLater (without waiting its countdown)."""
    total = 0
    for _ in range(attempts):
        try:
            return total + outbound_group_send(group=group)
        except SendLater as exc:
            time.sleep(min(exc.countdown, AMBIGUITY_WAIT_S))
    raise AssertionError(f"{group} still not sent")


@pytest.mark.parametrize("failure", ["429", "500"])
def test_429_and_5xx_are_retried_and_sent_once(whatsapp: FakeTwilio, failure: str) -> None:
    part("g", "hola")
    whatsapp.script(failure)
    with pytest.raises(SendLater):
        outbound_group_send(group="g")
    row = WhatsAppOutbound.objects.get()
    assert (row.status, row.attempts, row.error_code) == ("pending", 1, f"20{failure}")
    assert outbound_group_send(group="g") == 1
    assert [r.behaviour for r in whatsapp.requests] == [failure, "201"]
    assert len(whatsapp.created) == 1
    assert WhatsAppOutbound.objects.get().status == "queued"


def test_a_rejection_is_final_and_never_retried(whatsapp: FakeTwilio) -> None:
    part("g", "hola")
    whatsapp.script("400")
    assert outbound_group_send(group="g") == 0
    row = WhatsAppOutbound.objects.get()
    assert (row.status, row.error_code) == ("failed", "21211")
    assert outbound_group_send(group="g") == 0
    assert len(whatsapp.requests) == 1


def test_retries_stop_after_the_configured_attempts(whatsapp: FakeTwilio) -> None:
    part("g", "hola")
    whatsapp.default = "500"
    with override_settings(WHATSAPP_SEND_MAX_ATTEMPTS=3):
        for _ in range(2):
            with pytest.raises(SendLater):
                outbound_group_send(group="g")
        assert outbound_group_send(group="g") == 0
    assert WhatsAppOutbound.objects.get().status == "failed"
    assert len(whatsapp.requests) == 3


def test_connection_refused_is_retried(fake_twilio: FakeTwilio) -> None:
    with override_settings(
        **channel_settings(fake_twilio, TWILIO_API_BASE_URL="http://127.0.0.1:9")
    ):
        part("g", "hola")
        with pytest.raises(SendLater):
            outbound_group_send(group="g")
    assert WhatsAppOutbound.objects.get().status == "pending"


def test_timeout_after_twilio_accepted_is_reconciled_not_resent(whatsapp: FakeTwilio) -> None:
    part("g", "hola")
    whatsapp.script("timeout")
    with pytest.raises(SendLater) as first:
        outbound_group_send(group="g")
    assert first.value.countdown >= 0.8
    assert WhatsAppOutbound.objects.get().status == "unknown"
    with pytest.raises(SendLater):  # too early to tell: Twilio may still be working on it
        outbound_group_send(group="g")
    time.sleep(AMBIGUITY_WAIT_S)
    assert outbound_group_send(group="g") == 0
    row = WhatsAppOutbound.objects.get()
    assert row.status == "queued"
    assert row.provider_sid == whatsapp.created[0]["sid"]
    assert len(whatsapp.created) == 1
    assert [r.behaviour for r in whatsapp.requests] == ["timeout"]  # one POST, no resend


@pytest.mark.parametrize("failure", ["timeout_lost", "drop"])
def test_ambiguous_failure_verified_absent_is_sent_again_once(
    whatsapp: FakeTwilio, failure: str
) -> None:
    part("g", "hola")
    whatsapp.script(failure)
    with pytest.raises(SendLater):
        outbound_group_send(group="g")
    assert WhatsAppOutbound.objects.get().status == "unknown"
    time.sleep(AMBIGUITY_WAIT_S)
    assert outbound_group_send(group="g") == 1
    assert len(whatsapp.created) == 1
    assert [r.behaviour for r in whatsapp.requests] == [failure, "201"]


def test_reconcile_does_not_adopt_a_message_already_recorded_for_another_part(
    whatsapp: FakeTwilio,
) -> None:
    part("a", "¡Con gusto!")
    outbound_group_send(group="a")
    part("b", "¡Con gusto!")  # same text, a later answer
    whatsapp.script("timeout_lost")
    with pytest.raises(SendLater):
        outbound_group_send(group="b")
    time.sleep(AMBIGUITY_WAIT_S)
    assert outbound_group_send(group="b") == 1
    assert len(whatsapp.created) == 2
    assert len(set(WhatsAppOutbound.objects.values_list("provider_sid", flat=True))) == 2


def test_worker_killed_mid_call_is_reconciled_on_redelivery(whatsapp: FakeTwilio) -> None:
    """A row left in flight (the worker died during the API call) and Twilio has the message."""
    row = part("g", "hola")
    whatsapp._create({"To": CUSTOMER, "From": OUR_NUMBER, "Body": "hola"})
    WhatsAppOutbound.objects.filter(pk=row.pk).update(
        status="in_flight", attempt_started_at=timezone.now() - timedelta(seconds=30), attempts=1
    )
    assert outbound_group_send(group="g") == 0
    assert WhatsAppOutbound.objects.get().status == "queued"
    assert whatsapp.requests == []


def test_long_staff_reply_is_split_and_sent_in_order(whatsapp: FakeTwilio) -> None:
    conversation = Conversation.objects.create(channel="whatsapp", external_id=CUSTOMER_PHONE)
    WhatsAppContact.objects.create(phone=CUSTOMER_PHONE, last_from=CUSTOMER, last_to=OUR_NUMBER)
    WhatsAppInbound.objects.create(
        message_sid="SMwindow",
        from_address=CUSTOMER,
        to_address=OUR_NUMBER,
        phone=CUSTOMER_PHONE,
        status="processed",
        received_at=timezone.now(),
    )
    text = " ".join(f"Paso {i}: revisamos el auto y te confirmamos *hoy*." for i in range(100))
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("asesora", password="x" * 12)
    group = staff_reply_send(conversation_id=conversation.pk, user_id=user.pk, text=text)
    parts = list(WhatsAppOutbound.objects.filter(group=group).order_by("seq"))
    assert len(parts) >= 3
    assert outbound_group_send(group=group) == len(parts)
    bodies = whatsapp.bodies_to(CUSTOMER)
    assert bodies == [p.body for p in parts]
    assert all(len(b) <= MAX_BODY_CHARS for b in bodies)
    assert " ".join(bodies) == text
    assert all(p.sent_by_id == user.pk for p in parts)
    assert conversation.messages.get(direction="staff").text == text


def test_a_later_answer_waits_for_an_earlier_one_to_the_same_customer(
    whatsapp: FakeTwilio,
) -> None:
    part("first", "uno")
    part("second", "dos")
    with pytest.raises(SendLater):
        outbound_group_send(group="second")
    assert whatsapp.requests == []
    outbound_group_send(group="first")
    outbound_group_send(group="second")
    assert whatsapp.bodies_to(CUSTOMER) == ["uno", "dos"]


def test_opted_out_numbers_get_nothing(whatsapp: FakeTwilio) -> None:
    WhatsAppContact.objects.create(phone=CUSTOMER_PHONE, opted_out_at=timezone.now())
    part("g", "hola")
    part("confirm", "confirmación de baja", bypass_opt_out=True)
    assert outbound_group_send(group="g") == 0
    assert WhatsAppOutbound.objects.get(group="g").status == "suppressed"
    assert outbound_group_send(group="confirm") == 1
    assert whatsapp.bodies_to(CUSTOMER) == ["confirmación de baja"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_of_one_answer_send_each_part_once_in_order(
    fake_twilio: FakeTwilio,
) -> None:
    with override_settings(**channel_settings(fake_twilio)):
        for seq in range(4):
            part("g", f"parte {seq}", seq=seq)
        errors = run_at_once([partial(send_until_done, "g")] * 5)
    assert errors == []
    assert fake_twilio.bodies_to(CUSTOMER) == [f"parte {i}" for i in range(4)]
    assert len(fake_twilio.requests) == 4
