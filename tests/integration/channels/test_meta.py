"""The Meta WhatsApp Cloud API adapter on real PostgreSQL and Redis, the Graph API replaced by the
local stand-in (``fake_meta.FakeGraph``). Tasks are interfaces: the test calls the services a
worker would (test_meta_worker.py runs the same flow through a real Celery worker).
"""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from channels.models import WhatsAppContact, WhatsAppInbound, WhatsAppOutbound, WhatsAppStatusEvent
from channels.services import (
    SendLater,
    inbound_message_process,
    outbound_group_send,
    staff_template_send,
)
from conversations.models import Conversation, Message
from tests.support.concurrency import run_at_once
from tests.support.fake_meta import FakeGraph, encode, new_wamid, status_payload
from tests.support.fake_twilio import FakeTwilio
from tests.support.whatsapp import (
    CUSTOMER,
    META_ACCESS_TOKEN,
    META_APP_SECRET,
    META_NUMBER,
    META_PHONE_NUMBER_ID,
    META_VERIFY_TOKEN,
    META_WA_ID,
    META_WEBHOOK,
    OUR_NUMBER,
    meta_settings,
    meta_text,
    new_sid,
    payload,
    post_meta,
    post_signed,
)

pytestmark = pytest.mark.django_db

CUSTOMER_PHONE = "+525512345678"
CUSTOMER_ADDRESS = "whatsapp:+5215512345678"


def run_pending() -> list[str]:
    return [
        inbound_message_process(inbound_id=pk)
        for pk in WhatsAppInbound.objects.order_by("id").values_list("pk", flat=True)
    ]


def meta_status(message_id: str, status: str, **kw: Any) -> dict[str, Any]:
    return status_payload(
        phone_number_id=META_PHONE_NUMBER_ID,
        display_phone=META_NUMBER,
        message_id=message_id,
        recipient=META_WA_ID,
        status=status,
        **kw,
    )


def error_of(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


# --- the subscription handshake ---------------------------------------------------------------
def test_verification_echoes_the_challenge_when_the_token_matches(meta: FakeGraph) -> None:
    response = Client().get(
        META_WEBHOOK,
        {"hub.mode": "subscribe", "hub.verify_token": META_VERIFY_TOKEN, "hub.challenge": "15813"},
    )
    assert response.status_code == 200
    assert response.content == b"15813"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("mode", "token"),
    [("subscribe", "wrong"), ("unsubscribe", META_VERIFY_TOKEN), ("subscribe", ""), ("", "")],
)
def test_verification_is_refused_with_json_403_when_mode_or_token_is_wrong(
    meta: FakeGraph, mode: str, token: str
) -> None:
    response = Client().get(
        META_WEBHOOK, {"hub.mode": mode, "hub.verify_token": token, "hub.challenge": "1"}
    )
    assert response.status_code == 403
    assert "verificación" in error_of(response)["message"]


def test_verification_without_a_challenge_is_a_400(meta: FakeGraph) -> None:
    response = Client().get(
        META_WEBHOOK, {"hub.mode": "subscribe", "hub.verify_token": META_VERIFY_TOKEN}
    )
    assert response.status_code == 400
    error_of(response)


def test_the_webhook_is_404_when_no_number_is_on_meta(whatsapp: FakeTwilio) -> None:
    response = Client().get(META_WEBHOOK, {"hub.mode": "subscribe"})
    assert response.status_code == 404
    assert post_meta(Client(), meta_text("Hola")).status_code == 404


# --- signatures and bad input -----------------------------------------------------------------
@pytest.mark.parametrize(
    "signature",
    ["", "sha256=" + "0" * 64, "sha1=abc", "sha256=zz", "not-a-signature"],
)
def test_a_bad_signature_is_refused_with_json_403_and_nothing_stored(
    meta: FakeGraph, signature: str
) -> None:
    response = post_meta(Client(), meta_text("Hola"), signature=signature)
    assert response.status_code == 403
    assert "Firma de Meta" in error_of(response)["message"]
    assert not WhatsAppInbound.objects.exists()


def test_a_body_signed_with_another_secret_is_refused(meta: FakeGraph) -> None:
    response = post_meta(Client(), meta_text("Hola"), secret="another-app-secret")
    assert response.status_code == 403
    assert not WhatsAppInbound.objects.exists()


def test_a_tampered_body_fails_the_signature(meta: FakeGraph) -> None:
    from tests.support.fake_meta import sign

    original = encode(meta_text("Hola"))
    tampered = original.replace(b"Hola", b"Adi\xc3\xb3s")
    response = post_meta(Client(), tampered, signature=sign(original, META_APP_SECRET))
    assert response.status_code == 403


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"object": "page", "entry": []}',
     b'{"object": "whatsapp_business_account"}', b"\xff\xfe", b"[" * 5000 + b"]" * 5000],
)  # fmt: skip
def test_signed_bodies_that_are_not_a_whatsapp_webhook_are_a_json_400(
    meta: FakeGraph, body: bytes
) -> None:
    response = post_meta(Client(), body)
    assert response.status_code == 400
    error_of(response)
    assert not WhatsAppInbound.objects.exists()


def test_a_body_over_the_limit_is_a_json_413_before_its_signature(meta: FakeGraph) -> None:
    response = post_meta(Client(), b"{" + b" " * (300 * 1024) + b"}", signature="sha256=x")
    assert response.status_code == 413
    error_of(response)


def test_items_we_cannot_use_are_skipped_and_the_rest_is_stored(meta: FakeGraph) -> None:
    data = meta_text("Hola, busco un auto")
    value = data["entry"][0]["changes"][0]["value"]
    value["messages"] += [
        {"from": META_WA_ID, "type": "text", "text": {"body": "sin id"}},
        {"from": META_WA_ID, "id": "w" * 200, "type": "text", "text": {"body": "id largo"}},
        {"from": META_WA_ID, "id": new_wamid(), "type": "reaction", "reaction": {"emoji": "👍"}},
        {"from": "12", "id": new_wamid(), "type": "text", "text": {"body": "no es teléfono"}},
    ]
    other = meta_text("Para otro número")
    other["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "555"
    data["entry"] += other["entry"]
    response = post_meta(Client(), data)
    assert response.status_code == 200
    assert response.json() == {"messages": 1, "duplicates": 0, "statuses": 0, "skipped": 5}
    assert WhatsAppInbound.objects.get().body == "Hola, busco un auto"


def test_nul_characters_never_reach_postgresql(meta: FakeGraph) -> None:
    response = post_meta(Client(), meta_text("Hola\x00 auto", name="Ana\x00"))
    assert response.status_code == 200
    inbound = WhatsAppInbound.objects.get()
    assert (inbound.body, inbound.profile_name) == ("Hola auto", "Ana")


# --- exactly once on Meta's message id ---------------------------------------------------------
def test_text_is_stored_answered_and_sent_through_the_graph_api_once(meta: FakeGraph) -> None:
    message_id = new_wamid()
    response = post_meta(Client(), meta_text("Hola, busco un auto familiar", message_id=message_id))
    assert response.status_code == 200
    assert response.json()["messages"] == 1
    inbound = WhatsAppInbound.objects.get()
    assert (inbound.message_sid, inbound.phone) == (message_id, CUSTOMER_PHONE)
    assert (inbound.kind, inbound.from_address) == ("text", CUSTOMER_ADDRESS)
    assert inbound.to_address == "whatsapp:" + META_NUMBER
    assert (inbound.wa_id, inbound.profile_name) == (META_WA_ID, "Cliente de prueba")
    assert inbound.payload["provider"] == "meta"
    assert meta.requests == []  # nothing sent inside the webhook

    run_pending()

    reply = Conversation.objects.get(external_id=CUSTOMER_PHONE).messages.get(direction="out").text
    assert len(meta.created) == 1
    sent = meta.requests[0]
    assert sent.path == f"/v21.0/{META_PHONE_NUMBER_ID}/messages"
    assert sent.authorization == f"Bearer {META_ACCESS_TOKEN}"
    assert sent.json["messaging_product"] == "whatsapp"
    assert (sent.json["to"], sent.json["type"], sent.json["text"]["body"]) == (
        META_WA_ID,
        "text",
        reply,
    )
    row = WhatsAppOutbound.objects.get()
    assert sent.json["biz_opaque_callback_data"] == row.idempotency_key
    assert (row.provider_sid, row.status) == (meta.created[0]["id"], "queued")


@pytest.mark.django_db(transaction=True)
def test_the_same_message_id_delivered_many_times_at_once_is_one_turn(
    fake_graph: FakeGraph, fake_twilio: FakeTwilio
) -> None:
    """8 copies at the same instant (8 'instances'), then 4 concurrent tasks: one turn, one send."""
    data = meta_text("Hola, busco un sedán")
    statuses: list[int] = []
    with override_settings(**meta_settings(fake_graph, fake_twilio)):
        errors = run_at_once(
            [lambda: statuses.append(post_meta(Client(), data).status_code)] * 8, timeout=30
        )
        assert (errors, statuses) == ([], [200] * 8)
        assert post_meta(Client(), data).json()["duplicates"] == 1
        inbound_id = WhatsAppInbound.objects.get().pk

        def task() -> None:
            with contextlib.suppress(SendLater):  # another task is sending it right now
                inbound_message_process(inbound_id=inbound_id)

        assert run_at_once([task] * 4, timeout=30) == []
    assert Message.objects.filter(direction="in", conversation__channel="whatsapp").count() == 1
    assert len(fake_graph.created) == 1
    assert WhatsAppOutbound.objects.get().status == "queued"


def test_statuses_move_the_sent_message_forward_and_never_back(meta: FakeGraph) -> None:
    post_meta(Client(), meta_text("Hola"))
    run_pending()
    wamid = WhatsAppOutbound.objects.get().provider_sid
    for status in ("read", "delivered", "sent"):
        assert post_meta(Client(), meta_status(wamid, status)).json()["statuses"] == 1
    row = WhatsAppOutbound.objects.get()
    assert row.status == "read"
    assert row.delivered_at is not None
    assert WhatsAppStatusEvent.objects.filter(provider_sid=wamid).count() == 3


def test_a_failed_status_keeps_meta_error_code(meta: FakeGraph) -> None:
    post_meta(Client(), meta_text("Hola"))
    run_pending()
    wamid = WhatsAppOutbound.objects.get().provider_sid
    post_meta(Client(), meta_status(wamid, "failed", error_code=131047))
    row = WhatsAppOutbound.objects.get()
    assert (row.status, row.error_code) == ("failed", "131047")


# --- routing per business number ---------------------------------------------------------------
def test_each_customer_is_answered_through_the_provider_of_the_number_they_wrote_to(
    meta: FakeGraph, fake_twilio: FakeTwilio
) -> None:
    other_wa_id = "5215587654321"
    post_meta(Client(), meta_text("Hola, busco un auto", wa_id=other_wa_id))
    twilio_form = payload("inbound_text", MessageSid=new_sid(), Body="Hola, busco un auto")
    assert post_signed(Client(), "/channels/whatsapp/webhook", twilio_form).status_code == 200
    run_pending()
    assert [m["to"] for m in meta.created] == [other_wa_id]
    assert [m["to"] for m in fake_twilio.created] == [CUSTOMER]
    assert fake_twilio.created[0]["from"] == OUR_NUMBER


def test_a_customer_who_moves_to_the_other_number_is_answered_from_it(
    meta: FakeGraph, fake_twilio: FakeTwilio
) -> None:
    """One phone, one contact and one conversation whichever number they write to; the reply
    leaves from the number of their latest message."""
    twilio_form = payload("inbound_text", MessageSid=new_sid(), Body="Hola, busco un auto")
    post_signed(Client(), "/channels/whatsapp/webhook", twilio_form)
    run_pending()
    post_meta(Client(), meta_text("tengo 300 mil"))
    run_pending()
    assert [m["to"] for m in fake_twilio.created] == [CUSTOMER]
    assert [m["to"] for m in meta.created] == [META_WA_ID]
    assert WhatsAppContact.objects.get().last_to == "whatsapp:" + META_NUMBER
    assert Conversation.objects.filter(external_id=CUSTOMER_PHONE).count() == 1


# --- sending: retries, rejections, ambiguous outcomes -------------------------------------------
def test_429_and_500_are_retried_and_the_reply_goes_out_once(meta: FakeGraph) -> None:
    meta.script("429", "500")
    post_meta(Client(), meta_text("Hola"))
    with pytest.raises(SendLater):
        run_pending()
    group = WhatsAppOutbound.objects.get().group
    with pytest.raises(SendLater):
        outbound_group_send(group=group)
    WhatsAppOutbound.objects.update(status="pending")
    assert outbound_group_send(group=group) == 1
    row = WhatsAppOutbound.objects.get()
    assert (row.status, row.attempts) == ("queued", 3)
    assert len(meta.created) == 1


def test_a_rejected_message_is_failed_with_the_graph_error_code(meta: FakeGraph) -> None:
    meta.script("400")
    post_meta(Client(), meta_text("Hola"))
    run_pending()
    row = WhatsAppOutbound.objects.get()
    assert (row.status, row.error_code) == ("failed", "131026")
    assert meta.created == []


def test_a_wrong_access_token_is_a_rejection_not_a_retry(
    meta: FakeGraph, fake_twilio: FakeTwilio
) -> None:
    with override_settings(**meta_settings(meta, fake_twilio, META_ACCESS_TOKEN="expired")):
        post_meta(Client(), meta_text("Hola"))
        run_pending()
    row = WhatsAppOutbound.objects.get()
    assert (row.status, row.error_code) == ("failed", "190")


def test_a_timeout_after_meta_accepted_is_settled_by_the_status_webhook_without_a_resend(
    meta: FakeGraph,
) -> None:
    meta.script("timeout")
    post_meta(Client(), meta_text("Hola"))
    with pytest.raises(SendLater):
        run_pending()
    row = WhatsAppOutbound.objects.get()
    assert row.status == "unknown"
    created = meta.created[0]
    # Meta's "sent" status echoes our key: the part gets its id and is never sent again.
    post_meta(Client(), meta_status(created["id"], "sent", callback_data=created["callback_data"]))
    row.refresh_from_db()
    assert (row.status, row.provider_sid) == ("sent", created["id"])
    assert outbound_group_send(group=row.group) == 0
    assert len(meta.created) == 1


def test_a_timeout_whose_status_arrives_before_reconciling_is_found_by_its_key(
    meta: FakeGraph,
) -> None:
    meta.script("timeout")
    post_meta(Client(), meta_text("Hola"))
    with pytest.raises(SendLater):
        run_pending()
    created = meta.created[0]
    # The status arrived while the part was still "in flight" for us, then the row was left
    # unknown: reconciliation reads the stored status event by its key.
    WhatsAppStatusEvent.objects.create(
        provider_sid=created["id"],
        status="delivered",
        callback_key=created["callback_data"],
        received_at=timezone.now(),
    )
    WhatsAppOutbound.objects.update(attempt_started_at=timezone.now() - timedelta(seconds=5))
    assert outbound_group_send(group=WhatsAppOutbound.objects.get().group) == 0
    row = WhatsAppOutbound.objects.get()
    assert (row.status, row.provider_sid) == ("delivered", created["id"])
    assert len(meta.created) == 1


def test_a_timeout_that_meta_never_accepted_is_resent_once_after_the_wait(
    meta: FakeGraph,
) -> None:
    meta.script("timeout_lost")
    post_meta(Client(), meta_text("Hola"))
    with pytest.raises(SendLater):
        run_pending()
    row = WhatsAppOutbound.objects.get()
    with pytest.raises(SendLater):  # still inside META_RECONCILE_WAIT_S
        outbound_group_send(group=row.group)
    WhatsAppOutbound.objects.update(attempt_started_at=timezone.now() - timedelta(seconds=5))
    assert outbound_group_send(group=row.group) == 1
    assert outbound_group_send(group=row.group) == 0
    assert len(meta.created) == 1
    assert WhatsAppOutbound.objects.get().status == "queued"


# --- the approved template outside the 24-hour window --------------------------------------------
def test_staff_send_the_meta_template_outside_the_window(
    meta: FakeGraph, fake_twilio: FakeTwilio, django_user_model: Any
) -> None:
    post_meta(Client(), meta_text("quiero hablar con un asesor", name="Luis Pérez"))
    run_pending()
    conversation = Conversation.objects.get(external_id=CUSTOMER_PHONE)
    WhatsAppInbound.objects.update(received_at=timezone.now() - timedelta(hours=25))
    staff = django_user_model.objects.create_user("ana", password="x")
    from kavak.exceptions import ApplicationError

    with pytest.raises(ApplicationError, match="META_STAFF_TEMPLATE"):
        staff_template_send(conversation_id=conversation.pk, user_id=staff.pk, staff_name="Ana")
    with override_settings(
        **meta_settings(meta, fake_twilio, META_STAFF_TEMPLATE="kavak_asesor:es_MX")
    ):
        group = staff_template_send(
            conversation_id=conversation.pk, user_id=staff.pk, staff_name="Ana"
        )
        assert outbound_group_send(group=group) == 1
    sent = meta.requests[-1].json
    assert sent["type"] == "template"
    assert sent["template"] == {
        "name": "kavak_asesor",
        "language": {"code": "es_MX"},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "Luis"}, {"type": "text", "text": "Ana"}],
            }
        ],
    }
    assert fake_twilio.created == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_copies_of_a_status_record_it_without_errors(
    fake_graph: FakeGraph, fake_twilio: FakeTwilio
) -> None:
    with override_settings(**meta_settings(fake_graph, fake_twilio)):
        post_meta(Client(), meta_text("Hola"))
        run_pending()
        row = WhatsAppOutbound.objects.get()
        data = meta_status(row.provider_sid, "delivered", callback_data=row.idempotency_key)
        statuses: list[int] = []
        errors = run_at_once([lambda: statuses.append(post_meta(Client(), data).status_code)] * 4)
    assert (errors, statuses) == ([], [200] * 4)
    row.refresh_from_db()
    assert row.status == "delivered"
    assert WhatsAppStatusEvent.objects.filter(provider_sid=row.provider_sid).count() == 4


def test_the_admin_reply_page_names_the_template_of_the_customer_provider(
    meta: FakeGraph, fake_twilio: FakeTwilio, admin_client: Client
) -> None:
    from django.urls import reverse

    post_meta(Client(), meta_text("quiero hablar con un asesor"))
    run_pending()
    conversation = Conversation.objects.get(external_id=CUSTOMER_PHONE)
    WhatsAppInbound.objects.update(received_at=timezone.now() - timedelta(hours=25))
    url = reverse("admin:channels_whatsappconversation_reply", args=[conversation.pk])
    page = admin_client.get(url).content.decode()
    assert "META_STAFF_TEMPLATE" in page
    assert "TWILIO_STAFF_TEMPLATE_CONTENT_SID" not in page
    with override_settings(
        **meta_settings(meta, fake_twilio, META_STAFF_TEMPLATE="kavak_asesor:es_MX")
    ):
        page = admin_client.get(url).content.decode()
    assert "kavak_asesor:es_MX" in page
    assert "Enviar plantilla aprobada" in page


def test_sync_mode_sends_the_reply_through_the_graph_api_inside_the_webhook(
    meta: FakeGraph, fake_twilio: FakeTwilio
) -> None:
    """Meta has no inline answer (no TwiML): in sync mode the reply goes out before the 200, and a
    Graph API hiccup leaves it pending for the sweep instead of failing the webhook."""
    with override_settings(**meta_settings(meta, fake_twilio, WHATSAPP_MODE="sync")):
        assert post_meta(Client(), meta_text("Hola, busco un auto")).status_code == 200
        assert len(meta.created) == 1
        meta.script("500")
        response = post_meta(Client(), meta_text("tengo 300 mil", wa_id="5215587654321"))
    assert response.status_code == 200
    assert len(meta.created) == 1
    assert WhatsAppOutbound.objects.filter(status="pending").count() == 1
