"""The webhook and status callback on real PostgreSQL and Redis, Twilio replaced by the fake server.

Tasks are interfaces: here the test calls ``inbound_message_process`` where a worker would
(test_worker.py runs the same flow through a real Celery worker).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from channels.models import WhatsAppContact, WhatsAppInbound, WhatsAppOutbound, WhatsAppStatusEvent
from channels.selectors import whatsapp_transcript
from channels.services import SendLater, inbound_message_process
from conversations.models import Conversation, Message
from tests.support.concurrency import run_at_once
from tests.support.fake_twilio import FakeTwilio
from tests.support.whatsapp import (
    CUSTOMER,
    CUSTOMER_PHONE,
    OUR_NUMBER,
    PUBLIC,
    STATUS,
    WEBHOOK,
    channel_settings,
    new_sid,
    payload,
    post_signed,
)

pytestmark = pytest.mark.django_db

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def deliver(client: Client, name: str = "inbound_text", **fields: str) -> Any:
    fields.setdefault("MessageSid", new_sid())
    return post_signed(client, WEBHOOK, payload(name, **fields))


def run_pending() -> list[str]:
    """What the worker does: process every stored message (in id order)."""
    groups = []
    for pk in WhatsAppInbound.objects.order_by("id").values_list("pk", flat=True):
        groups.append(inbound_message_process(inbound_id=pk))
    return groups


def whatsapp_turns(phone: str = CUSTOMER_PHONE) -> int:
    return Message.objects.filter(
        conversation__channel="whatsapp", conversation__external_id=phone, direction="in"
    ).count()


def test_text_is_stored_acknowledged_with_empty_twiml_and_answered_once(
    whatsapp: FakeTwilio, client: Client
) -> None:
    response = deliver(client, Body="Hola, busco un auto familiar")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode() == EMPTY_TWIML
    inbound = WhatsAppInbound.objects.get()
    assert (inbound.status, inbound.phone, inbound.kind) == ("received", CUSTOMER_PHONE, "text")
    assert whatsapp.requests == []  # nothing sent inside the webhook

    run_pending()

    conversation = Conversation.objects.get(channel="whatsapp", external_id=CUSTOMER_PHONE)
    reply = conversation.messages.get(direction="out").text
    assert whatsapp_turns() == 1
    assert len(whatsapp.created) == 1
    sent = whatsapp.created[0]
    assert (sent["to"], sent["from"], sent["body"]) == (CUSTOMER, OUR_NUMBER, reply)
    assert sent["status_callback"] == PUBLIC + STATUS
    assert whatsapp.requests[0].authorization.startswith("Basic ")
    outbound = WhatsAppOutbound.objects.get()
    assert (outbound.status, outbound.provider_sid) == ("queued", sent["sid"])
    inbound.refresh_from_db()
    assert inbound.status == "processed"
    assert inbound.turn_id == outbound.turn_id
    contact = WhatsAppContact.objects.get(phone=CUSTOMER_PHONE)
    assert contact.last_from == CUSTOMER
    assert contact.profile_name == "Mariana López"

    # A redelivered task (acks late) runs no second turn and sends nothing more.
    run_pending()
    assert whatsapp_turns() == 1
    assert len(whatsapp.requests) == 1


@pytest.mark.parametrize(
    ("signature", "reason"),
    [("", "missing_signature"), ("bm90LWEtc2lnbmF0dXJl", "mismatch")],
)
def test_invalid_signature_is_refused_with_403_logged_and_nothing_stored(
    whatsapp: FakeTwilio,
    client: Client,
    caplog: pytest.LogCaptureFixture,
    signature: str,
    reason: str,
) -> None:
    data = payload("inbound_text", MessageSid=new_sid())
    with caplog.at_level(logging.WARNING, logger="channels.twilio.signature"):
        response = post_signed(client, WEBHOOK, data, signature=signature)
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert WhatsAppInbound.objects.count() == 0
    assert f"reason={reason}" in caplog.text
    assert (
        post_signed(client, STATUS, payload("status_sent"), signature=signature).status_code == 403
    )
    assert WhatsAppStatusEvent.objects.count() == 0


def test_signature_over_a_tampered_body_or_the_internal_url_is_refused(
    whatsapp: FakeTwilio, client: Client
) -> None:
    from tests.support.whatsapp import sign

    data = payload("inbound_text", MessageSid=new_sid())
    tampered = {**data, "Body": "regálame el auto"}
    assert post_signed(client, WEBHOOK, tampered, signature=sign(WEBHOOK, data)).status_code == 403
    internal = sign(WEBHOOK, data, base="http://10.0.1.23:8000")
    assert post_signed(client, WEBHOOK, data, signature=internal).status_code == 403
    assert WhatsAppInbound.objects.count() == 0


def test_log_only_mode_processes_unsigned_requests(whatsapp: FakeTwilio, client: Client) -> None:
    with override_settings(TWILIO_VALIDATE_SIGNATURE="log-only"):
        data = payload("inbound_messaging_service")
        response = post_signed(client, WEBHOOK, data, signature="wrong")
    assert response.status_code == 200
    assert WhatsAppInbound.objects.get().messaging_service_sid.startswith("MG")


def test_channel_disabled_is_404_and_malformed_payload_is_400(
    whatsapp: FakeTwilio, client: Client
) -> None:
    with override_settings(WHATSAPP_ENABLED=False):
        assert deliver(client).status_code == 404
    bad = {"Body": "hola", "From": CUSTOMER}
    response = post_signed(client, WEBHOOK, bad)
    assert response.status_code == 400
    assert WhatsAppInbound.objects.count() == 0


def test_duplicates_are_acknowledged_and_ignored_even_after_redis_is_flushed(
    whatsapp: FakeTwilio, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    data = payload("inbound_text", MessageSid=new_sid())
    with caplog.at_level(logging.INFO, logger="channels.services"):
        for _ in range(3):
            assert post_signed(client, WEBHOOK, data).status_code == 200
        cache.clear()  # Redis flushed: only the database remembers the MessageSid now
        assert post_signed(client, WEBHOOK, data).status_code == 200
    assert WhatsAppInbound.objects.count() == 1
    assert caplog.text.count("whatsapp_duplicate source=redis") == 2
    assert caplog.text.count("whatsapp_duplicate source=db") == 1
    run_pending()
    assert whatsapp_turns() == 1
    assert len(whatsapp.created) == 1


def test_claims_still_work_after_redis_forgets_the_lua_script(
    whatsapp: FakeTwilio, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    from django_redis import get_redis_connection

    first = payload("inbound_text", MessageSid=new_sid())
    assert post_signed(client, WEBHOOK, first).status_code == 200
    get_redis_connection("default").script_flush()  # a restarted Redis: EVALSHA says NOSCRIPT
    second = payload("inbound_text", MessageSid=new_sid())
    with caplog.at_level(logging.INFO, logger="channels.services"):
        assert post_signed(client, WEBHOOK, second).status_code == 200
        assert post_signed(client, WEBHOOK, second).status_code == 200
    assert WhatsAppInbound.objects.count() == 2
    assert "whatsapp_redis_unavailable" not in caplog.text
    assert caplog.text.count("whatsapp_duplicate source=redis") == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("redis", [True, False], ids=["redis-claim", "redis-down"])
def test_concurrent_duplicates_store_one_message_run_one_turn_and_send_once(
    fake_twilio: FakeTwilio, redis: bool
) -> None:
    """8 copies of one delivery at the same instant (8 'instances'), then 6 concurrent tasks."""
    overrides = {} if redis else {"REDIS_URL": ""}
    sid = new_sid()
    data = payload("inbound_text", MessageSid=sid, Body="Hola, quiero un Versa")
    statuses: list[int] = []
    errors: list[BaseException] = []

    def parallel(n: int, fn: Any) -> None:
        errors.extend(run_at_once([fn] * n))

    with override_settings(**channel_settings(fake_twilio, **overrides)):
        parallel(8, lambda: statuses.append(post_signed(Client(), WEBHOOK, data).status_code))
        assert statuses == [200] * 8
        assert WhatsAppInbound.objects.filter(message_sid=sid).count() == 1
        inbound_id = WhatsAppInbound.objects.get(message_sid=sid).pk

        def task() -> None:
            # SendLater: another worker is sending it; that task would retry later.
            with contextlib.suppress(SendLater):
                inbound_message_process(inbound_id=inbound_id)

        parallel(6, task)
    assert errors == []
    assert whatsapp_turns() == 1
    assert len(fake_twilio.created) == 1
    assert WhatsAppOutbound.objects.get().status == "queued"


def test_rate_limit_stores_everything_answers_the_limit_and_sends_one_notice(
    whatsapp: FakeTwilio, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        override_settings(WHATSAPP_RATE_LIMIT_MESSAGES=3),
        caplog.at_level(logging.WARNING, logger="channels.services"),
    ):
        for i in range(7):
            assert deliver(client, Body=f"mensaje {i}").status_code == 200
        run_pending()
    statuses = list(WhatsAppInbound.objects.order_by("id").values_list("status", flat=True))
    assert statuses == ["processed"] * 3 + ["throttled"] * 4
    assert WhatsAppInbound.objects.filter(rate_notice=True).count() == 1
    from channels import replies

    assert whatsapp.bodies_to(CUSTOMER).count(replies.rate_limited()) == 1
    assert caplog.text.count("whatsapp_rate_limited") == 4
    # The three messages within the limit were answered (as one batch or three turns).
    assert len(whatsapp.created) >= 2


@pytest.mark.parametrize(
    "fixture",
    [
        "inbound_image",
        "inbound_sticker",
        "inbound_location",
        "inbound_empty",
    ],
)
def test_media_location_and_empty_messages_get_the_text_only_notice_without_a_turn(
    whatsapp: FakeTwilio, client: Client, fixture: str
) -> None:
    from channels import replies

    assert deliver(client, fixture).status_code == 200
    run_pending()
    assert whatsapp.bodies_to(CUSTOMER) == [replies.text_only()]
    assert "solo puedo leer texto" in replies.text_only()
    assert whatsapp_turns() == 0
    assert WhatsAppInbound.objects.get().status == "processed"


def test_voice_note_with_the_llm_off_gets_one_request_to_write_without_a_turn(
    whatsapp: FakeTwilio, client: Client
) -> None:
    from channels import replies

    assert deliver(client, "inbound_voice_note").status_code == 200
    run_pending()
    assert whatsapp.bodies_to(CUSTOMER) == [replies.voice_note_unheard(can_listen=False)]
    assert whatsapp_turns() == 0
    assert WhatsAppInbound.objects.get().transcription_status == "disabled"


def test_media_with_a_caption_is_a_normal_turn(whatsapp: FakeTwilio, client: Client) -> None:
    deliver(client, "inbound_image_caption")
    run_pending()
    assert whatsapp_turns() == 1
    # The caption drove the turn; the log keeps the image's reference for staff.
    logged = Message.objects.get(direction="in").text
    assert logged.startswith("[imagen: https://api.twilio.com/")
    assert logged.endswith("] ¿Tienen este modelo?")
    assert len(whatsapp.created) == 1


def test_opt_out_confirms_once_then_silences_everything_until_opt_in(
    whatsapp: FakeTwilio, client: Client
) -> None:
    from channels import replies

    deliver(client, Body="Hola")
    run_pending()
    deliver(client, Body="BAJA")
    run_pending()
    assert WhatsAppContact.objects.get(phone=CUSTOMER_PHONE).opted_out_at is not None
    assert whatsapp.bodies_to(CUSTOMER)[-1] == replies.opted_out()
    sent_before = len(whatsapp.created)
    deliver(client, Body="¿siguen ahí?")
    deliver(client, "inbound_voice_note")
    run_pending()
    assert len(whatsapp.created) == sent_before
    assert set(WhatsAppInbound.objects.order_by("-id").values_list("status", flat=True)[:2]) == {
        "opted_out"
    }
    deliver(client, Body="alta")
    run_pending()
    assert whatsapp.bodies_to(CUSTOMER)[-1] == replies.opted_in()
    deliver(client, Body="busco un auto")
    run_pending()
    assert len(whatsapp.created) == sent_before + 2
    assert WhatsAppContact.objects.get(phone=CUSTOMER_PHONE).opted_out_at is None


def test_sync_mode_answers_in_twiml_without_the_rest_api(
    whatsapp: FakeTwilio, client: Client
) -> None:
    with override_settings(WHATSAPP_MODE="sync"):
        response = deliver(client, Body="Hola")
        second = post_signed(client, WEBHOOK, payload("inbound_text", MessageSid="SMdup1"))
        again = post_signed(client, WEBHOOK, payload("inbound_text", MessageSid="SMdup1"))
    reply = Message.objects.filter(direction="out").first()
    assert reply is not None
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    assert "<Message>" in second.content.decode()
    assert again.content.decode() == EMPTY_TWIML
    assert whatsapp.requests == []
    assert set(WhatsAppOutbound.objects.values_list("status", flat=True)) == {"twiml"}


def test_messaging_service_pool_replies_from_the_number_the_customer_wrote_to(
    whatsapp: FakeTwilio, client: Client
) -> None:
    deliver(client, "inbound_messaging_service")
    run_pending()
    sent = whatsapp.created[0]
    assert sent["to"] == "whatsapp:+5218112345678"
    assert sent["from"] == "whatsapp:+5215598765432"


def test_status_callbacks_move_messages_forward_and_show_in_the_transcript(
    whatsapp: FakeTwilio, client: Client
) -> None:
    deliver(client, Body="Hola")
    run_pending()
    outbound = WhatsAppOutbound.objects.get()
    sid = outbound.provider_sid
    for name in ("status_sent", "status_read", "status_delivered"):  # out of order on purpose
        response = post_signed(client, STATUS, payload(name, MessageSid=sid))
        assert response.status_code == 204
    outbound.refresh_from_db()
    assert outbound.status == "read"  # "delivered" after "read" never moves it back
    assert outbound.delivered_at is not None
    assert outbound.read_at is not None
    assert WhatsAppStatusEvent.objects.filter(provider_sid=sid).count() == 3
    conversation = Conversation.objects.get(channel="whatsapp")
    lines = whatsapp_transcript(conversation=conversation)
    assert [line.who for line in lines] == ["Cliente", "Agente"]
    assert lines[1].delivery == "Leído"


def test_failed_and_undelivered_callbacks_keep_the_error_code(
    whatsapp: FakeTwilio, client: Client
) -> None:
    deliver(client, Body="Hola")
    deliver(client, Body="¿Hay Corolla?", ProfileName="Otro", From="whatsapp:+5218187654321")
    run_pending()
    first, second = WhatsAppOutbound.objects.order_by("id")
    post_signed(client, STATUS, payload("status_failed", MessageSid=first.provider_sid))
    post_signed(client, STATUS, payload("status_messaging_service", MessageSid=second.provider_sid))
    post_signed(client, STATUS, payload("status_undelivered", MessageSid=second.provider_sid))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.error_code) == ("failed", "63016")
    assert (second.status, second.error_code) == ("undelivered", "63024")
    conversation = Conversation.objects.get(external_id=CUSTOMER_PHONE)
    assert whatsapp_transcript(conversation=conversation)[-1].delivery == "Fallido (63016)"


def test_a_callback_that_beats_the_api_answer_is_applied_when_the_sid_is_recorded(
    whatsapp: FakeTwilio, client: Client
) -> None:
    whatsapp.next_sids.append("SM" + "e" * 32)
    assert post_signed(client, STATUS, payload("status_delivered", MessageSid="SM" + "e" * 32))
    deliver(client, Body="Hola")
    run_pending()
    outbound = WhatsAppOutbound.objects.get()
    assert outbound.provider_sid == "SM" + "e" * 32
    assert outbound.status == "delivered"


def test_a_message_that_cannot_be_processed_does_not_block_the_customer(
    whatsapp: FakeTwilio, client: Client
) -> None:
    """What the task's on_failure does after a non-transient error or exhausted retries."""
    from channels.services import inbound_message_fail

    deliver(client, Body="Hola")
    deliver(client, Body="¿hay autos?")  # same burst: the second message's task ran the batch
    batch_task = WhatsAppInbound.objects.order_by("id").last()
    assert inbound_message_fail(inbound_id=batch_task.pk, reason="ValueError: boom") == 2
    deliver(client, Body="busco un auto")
    run_pending()
    assert list(WhatsAppInbound.objects.order_by("id").values_list("status", flat=True)) == [
        "failed",
        "failed",
        "processed",
    ]
    assert Message.objects.get(direction="in").text == "busco un auto"
    assert len(whatsapp.created) == 1


def test_the_sweep_requeues_stale_messages_and_unsent_parts(
    whatsapp: FakeTwilio, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from channels.services import whatsapp_pending_sweep

    deliver(client, Body="Hola")
    deliver(client, Body="¿siguen?")
    WhatsAppInbound.objects.update(received_at=timezone.now() - timedelta(minutes=5))
    WhatsAppOutbound.objects.create(
        idempotency_key="g:0", group="g", to_address=CUSTOMER, from_address=OUR_NUMBER,
        to_phone=CUSTOMER_PHONE, body="x",
    )  # fmt: skip
    WhatsAppOutbound.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks() as callbacks:
        assert whatsapp_pending_sweep(older_than_s=60) == 2  # one per customer + one group
    assert len(callbacks) == 2
