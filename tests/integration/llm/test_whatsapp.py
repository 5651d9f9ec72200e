"""The optional LLM on WhatsApp: in the turn's Celery task, never under the customer's row lock.

The webhook stores the message; ``inbound_message_process`` (the task's service, called here where
a worker would) asks for slot suggestions before taking the lock, runs the deterministic turn, and
after the commit rewords the reply rows while none has left. The real ``openai`` SDK talks to the
local Chat Completions stub and the real ``twilio`` SDK to the fake Twilio server.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

from catalog.services import catalog_load_demo
from channels.formatting import MAX_BODY_CHARS
from channels.models import WhatsAppInbound, WhatsAppOutbound
from channels.services import inbound_message_process, outbound_group_send
from channels.services.outbound import outbound_group_rephrase, outbound_parts_create
from conversations.models import Message
from conversations.services import conversation_turn_handle
from knowledge.services import knowledge_load_demo
from tests.support.fake_twilio import FakeTwilio
from tests.support.stub_llm_server import StubModel
from tests.support.whatsapp import (
    CUSTOMER,
    CUSTOMER_PHONE,
    WEBHOOK,
    channel_settings,
    new_sid,
    payload,
    post_signed,
    worker_env,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def channel(llm_on: StubModel, fake_twilio: FakeTwilio) -> Iterator[StubModel]:
    catalog_load_demo()
    knowledge_load_demo()
    with override_settings(**channel_settings(fake_twilio)):
        yield llm_on


def deliver(client: Client, body: str) -> int:
    response = post_signed(
        client, WEBHOOK, payload("inbound_text", Body=body, MessageSid=new_sid())
    )
    assert response.status_code == 200
    return WhatsAppInbound.objects.order_by("-id").values_list("pk", flat=True)[0]


def answer(client: Client, body: str) -> str:
    """Deliver one message and run its task; the group of the reply."""
    return inbound_message_process(inbound_id=deliver(client, body))


def sent_bodies(fake: FakeTwilio) -> list[str]:
    return [m["body"] for m in fake.created if m["to"] == CUSTOMER]


def tasks(model: StubModel) -> list[str]:
    return [json.loads(r["messages"][1]["content"])["tarea"] for r in model.requests]


def deterministic(text: str, settings: Any) -> str:
    enabled = settings.LLM_ENABLED
    settings.LLM_ENABLED = False
    try:
        return conversation_turn_handle(
            channel="whatsapp", external_id=f"+52155{time.monotonic_ns() % 10**8:08d}", text=text
        ).reply
    finally:
        settings.LLM_ENABLED = enabled


def test_reply_is_smoothed_after_the_commit_and_sent_once(
    channel: StubModel, fake_twilio: FakeTwilio, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    group = answer(client, "hola")
    assert sent_bodies(fake_twilio) == [WhatsAppOutbound.objects.get(group=group).body]
    body = sent_bodies(fake_twilio)[0]
    assert body.startswith("Claro. ")
    logged = Message.objects.get(direction="out", conversation__external_id=CUSTOMER_PHONE)
    assert logged.text == body
    assert logged.understood == {"llm": "smooth", "deterministic": body.removeprefix("Claro. ")}
    assert "reason=in_transaction" not in caplog.text  # no model call was refused under the lock
    assert tasks(channel) == ["suavizar_respuesta"]


def test_faq_answer_is_phrased_from_the_knowledge_base(
    channel: StubModel, fake_twilio: FakeTwilio, client: Client
) -> None:
    answer(client, "busco un sedán")
    answer(client, "¿qué garantía tienen los autos?")
    body = sent_bodies(fake_twilio)[-1]
    assert "Con gusto te cuento." in body
    assert "3 meses" in body
    assert tasks(channel)[-1] == "responder_faq"


def test_slots_are_suggested_before_the_lock_and_checked_by_the_engine(
    channel: StubModel, fake_twilio: FakeTwilio, client: Client
) -> None:
    answer(client, "hola")
    channel.slots = {"make": "Jeep", "model": "Compass"}
    group = answer(client, "busco una compas")
    turn_id = WhatsAppOutbound.objects.filter(group=group).values_list("turn_id", flat=True)[0]
    inbound = Message.objects.get(turn_id=turn_id, direction="in")
    assert inbound.understood["llm_slots"] == ["make", "model"]
    assert inbound.step_after == "budget"
    assert tasks(channel).count("extraer_datos") == 1


def test_model_down_the_customer_gets_the_deterministic_reply_within_the_budget(
    channel: StubModel, fake_twilio: FakeTwilio, client: Client, settings: Any
) -> None:
    expected = deterministic("hola", settings)
    channel.mode = "500"
    started = time.monotonic()
    answer(client, "hola")
    assert time.monotonic() - started < settings.LLM_WHATSAPP_BUDGET_S + 2.0
    assert sent_bodies(fake_twilio) == [expected]
    assert channel.calls == 1 + settings.LLM_WHATSAPP_MAX_RETRIES  # retried with back-off
    logged = Message.objects.get(direction="out", conversation__external_id=CUSTOMER_PHONE)
    assert logged.text == expected


def test_an_invented_price_is_never_sent(
    channel: StubModel, fake_twilio: FakeTwilio, client: Client, settings: Any
) -> None:
    expected = deterministic("hola", settings)
    channel.mode = "invented_price"
    answer(client, "hola")
    assert sent_bodies(fake_twilio) == [expected]
    assert "99,999" not in "".join(WhatsAppOutbound.objects.values_list("body", flat=True))


def test_sync_mode_uses_the_inline_budget_and_answers_in_twiml(
    channel: StubModel, fake_twilio: FakeTwilio, client: Client
) -> None:
    with override_settings(WHATSAPP_MODE="sync"):
        response = post_signed(
            client, WEBHOOK, payload("inbound_text", Body="hola", MessageSid=new_sid())
        )
    assert response.status_code == 200
    assert "Claro. " in response.content.decode()
    assert fake_twilio.requests == []


# --- the rewording of stored reply rows ---------------------------------------------------------
def _reply_rows(group: str, bodies: list[str]) -> None:
    outbound_parts_create(
        group=group,
        bodies=bodies,
        kind=WhatsAppOutbound.Kind.REPLY,
        to_address=CUSTOMER,
        from_address="whatsapp:+14155238886",
        to_phone=CUSTOMER_PHONE,
    )


def _outcome(reply: str) -> Any:
    from conversations.services import TurnOutcome

    return TurnOutcome(
        conversation_id=0,
        session_id=CUSTOMER_PHONE,
        turn_id="t",
        reply=reply,
        step="need",
        next_action="ask_need",
        understood={"llm": "smooth"},
    )


def test_rephrase_is_refused_once_a_part_has_left(channel: StubModel) -> None:
    _reply_rows("turn-a", ["uno.", "dos."])
    WhatsAppOutbound.objects.filter(seq=0).update(status="queued")
    assert not outbound_group_rephrase(
        group="turn-a", outcome=_outcome("otra cosa."), deterministic="uno. dos."
    )
    assert list(WhatsAppOutbound.objects.order_by("seq").values_list("body", flat=True)) == [
        "uno.",
        "dos.",
    ]


def test_rephrase_keeps_rows_drops_trailing_parts_and_refuses_more_parts(
    channel: StubModel, fake_twilio: FakeTwilio
) -> None:
    long_sentence = "Frase de prueba bastante larga. " * (MAX_BODY_CHARS // 32)
    _reply_rows("turn-b", [long_sentence.strip(), "segunda parte."])
    first = WhatsAppOutbound.objects.get(seq=0).pk
    assert not outbound_group_rephrase(
        group="turn-b", outcome=_outcome(long_sentence * 3), deterministic="x"
    )
    assert outbound_group_rephrase(
        group="turn-b", outcome=_outcome("Todo junto."), deterministic="x"
    )
    rows = list(WhatsAppOutbound.objects.filter(group="turn-b"))
    assert [(r.pk, r.body) for r in rows] == [(first, "Todo junto.")]  # same row: same order
    assert outbound_group_send(group="turn-b") == 1
    assert sent_bodies(fake_twilio) == ["Todo junto."]


# --- through a real worker ----------------------------------------------------------------------
@pytest.mark.worker
def test_a_real_worker_runs_the_llm_steps_in_the_turn_task_exactly_once(
    channel: StubModel,
    fake_twilio: FakeTwilio,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    settings: Any,
) -> None:
    """Webhook → broker → worker process: the worker calls the model (the stub) and Twilio (the
    fake); every delivery is posted three times, still one model rewording and one send each."""
    from tests.integration.channels.test_worker import customer, deliver_concurrently, wait_until

    llm_env = {
        "WHATSAPP_BURST_WINDOW_S": "0",
        "LLM_ENABLED": "true",
        "OPENAI_API_KEY": settings.OPENAI_API_KEY,
        "OPENAI_BASE_URL": channel.url,
        "OPENAI_MODEL": "stub-model",
        "OPENAI_TIMEOUT_S": "1.0",
        "LLM_WHATSAPP_BUDGET_S": "4.0",
        "LLM_USES": "faq,slots,smooth",  # smoothing is opt-in: the greeting shows it
    }
    for key, value in worker_env(fake_twilio, **llm_env).items():
        monkeypatch.setenv(key, value)
    request.getfixturevalue("celery_worker_process")

    questions = {0: "hola", 1: "¿qué garantía tienen los autos?"}
    items = [
        payload("inbound_text", MessageSid=new_sid(), From=customer(i)[0], Body=body)
        for i, body in questions.items()
    ]
    assert deliver_concurrently(items, copies=3) == [200] * 6
    assert wait_until(lambda: len(fake_twilio.created) >= 2)
    time.sleep(0.5)  # a duplicate would show up by now

    greeting = fake_twilio.bodies_to(customer(0)[0])
    faq = fake_twilio.bodies_to(customer(1)[0])
    assert len(greeting) == 1
    assert greeting[0].startswith("Claro. ")
    assert len(faq) == 1
    assert "Con gusto te cuento." in faq[0]
    assert "3 meses" in faq[0]
    assert sorted(tasks(channel)) == ["responder_faq", "suavizar_respuesta"]
    stored = dict(Message.objects.filter(direction="out").values_list("text", "understood__llm"))
    assert stored == {greeting[0]: "smooth", faq[0]: "faq"}
