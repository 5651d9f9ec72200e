"""The CSAT question as options to tap on WhatsApp (issue #20 item 3): an interactive list on Meta
(the Graph stand-in), the approved Content template on Twilio when ``TWILIO_CSAT_CONTENT_SID`` is
set (the fake Twilio), plain text otherwise; a tap arrives as the score the reader understands.
Real PostgreSQL and Redis; the provider SDKs/HTTP clients talk to the local stand-ins.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client, override_settings

from backoffice.handoff import handoff_return_to_bot
from catalog.services import catalog_load_demo
from channels.models import WhatsAppOutbound
from channels.services import outbound_group_send, staff_reply_send
from channels.services.outbound import (
    outbound_group_rephrase,
    outbound_parts_create,
    outbound_reply_parts,
)
from conversations.engine import replies
from conversations.models import Conversation, SatisfactionAnswer
from conversations.services import TurnOutcome
from tests.integration.channels.test_handoff import deliver
from tests.integration.channels.test_meta import run_pending
from tests.support.fake_meta import FakeGraph, list_reply
from tests.support.fake_twilio import FakeTwilio
from tests.support.whatsapp import (
    CUSTOMER,
    CUSTOMER_PHONE,
    META_WA_ID,
    OUR_NUMBER,
    channel_settings,
    meta_text,
    post_meta,
)

pytestmark = pytest.mark.django_db

QUESTION = replies.satisfaction_question()
AFTER_HANDOFF = replies.satisfaction_question(after_handoff=True)
CSAT_SID = "HX" + "c" * 32
LEAD_TURNS = ("Hola", "busco un sedán de 300 mil", "el 1", "20%", "48 meses", "sí", "Ana")
ROWS = [
    ("choice:5", "5 - Excelente"),
    ("choice:4", "4 - Bien"),
    ("choice:3", "3 - Regular"),
    ("choice:2", "2 - Mal"),
    ("choice:1", "1 - Muy mal"),
]


@pytest.fixture
def staff() -> Any:
    user = get_user_model().objects.create_user(
        "vendedora", password="x" * 12, first_name="Ana", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Ventas"))
    return user


def meta_says(client: Client, text: str = "", message: dict[str, Any] | None = None) -> None:
    assert post_meta(client, meta_text(text, message=message)).status_code == 200
    run_pending()


def _conversation() -> Conversation:
    return Conversation.objects.get(channel="whatsapp", external_id=CUSTOMER_PHONE)


def _rows(created: dict[str, Any]) -> list[tuple[str, str]]:
    sections = created["interactive"]["action"]["sections"]
    return [(row["id"], row["title"]) for section in sections for row in section["rows"]]


def _close_handoff(conversation: Conversation, staff: Any) -> None:
    group = staff_reply_send(conversation_id=conversation.pk, user_id=staff.pk, text="Soy Ana.")
    outbound_group_send(group=group)
    assert handoff_return_to_bot(conversation_id=conversation.pk, user=staff) is True
    for group in (
        WhatsAppOutbound.objects.filter(kind="notice", conversation=conversation)
        .order_by("pk")
        .values_list("group", flat=True)
    ):
        outbound_group_send(group=group)  # what the task enqueued on commit does


# --- Meta: an interactive list -----------------------------------------------------------------
def test_meta_asks_with_a_list_after_a_lead_and_a_tap_is_stored_as_the_score(
    meta: FakeGraph,
) -> None:
    catalog_load_demo()
    client = Client()
    for text in LEAD_TURNS:
        meta_says(client, text)
    meta_says(client, "mañana en la tarde")
    *_, reply, question = meta.created
    assert reply["type"] == "text"
    assert "Registré tus datos" in reply["body"]
    assert not reply["body"].endswith(QUESTION)  # the question is not sent twice
    assert question["type"] == "interactive"
    assert question["interactive"]["type"] == "list"
    assert question["interactive"]["body"] == {"text": QUESTION}  # the engine's text, as is
    assert question["interactive"]["action"]["button"] == "Calificar"
    assert _rows(question) == ROWS
    assert question["to"] == META_WA_ID
    row = WhatsAppOutbound.objects.get(provider_sid=question["id"])
    assert (row.body, row.content_sid, row.choices["purpose"]) == (QUESTION, "", "csat")

    meta_says(client, message=list_reply("choice:4", "4 - Bien"))
    answer = SatisfactionAnswer.objects.get()
    assert (answer.score, answer.comment, answer.channel) == (4, "", "whatsapp")
    assert answer.conversation == _conversation()
    assert meta.created[-1]["body"] == replies.satisfaction_thanks(4)
    assert meta.created[-1]["type"] == "text"


def test_meta_asks_with_a_list_when_a_handoff_is_closed_and_a_typed_answer_still_counts(
    meta: FakeGraph, staff: Any
) -> None:
    client = Client()
    meta_says(client, "Hola")
    meta_says(client, "quiero hablar con un asesor")
    _close_handoff(_conversation(), staff)
    notice, question = meta.created[-2:]
    assert notice["type"] == "text"
    assert notice["body"].startswith("Ana te regresó con el asistente")
    assert question["type"] == "interactive"
    assert question["body"] == AFTER_HANDOFF
    assert _rows(question) == ROWS
    meta_says(client, "2, tardaron en contestar")  # typing instead of tapping still works
    answer = SatisfactionAnswer.objects.get()
    assert (answer.score, answer.comment, answer.handed_off) == (2, "tardaron en contestar", True)


def test_meta_list_tap_on_an_option_that_is_not_ours_reads_as_its_title(meta: FakeGraph) -> None:
    client = Client()
    meta_says(client, "Hola")
    meta_says(client, message=list_reply("otra-lista-7", "busco un sedán de 300 mil"))
    conversation = _conversation()
    assert conversation.messages.filter(text="busco un sedán de 300 mil").exists()
    assert not SatisfactionAnswer.objects.exists()


# --- Twilio: the approved Content template, or plain text -------------------------------------
def test_twilio_sends_the_content_template_when_configured_and_reads_the_list_tap(
    fake_twilio: FakeTwilio, staff: Any
) -> None:
    client = Client()
    with override_settings(**channel_settings(fake_twilio, TWILIO_CSAT_CONTENT_SID=CSAT_SID)):
        deliver(client, "Hola")
        deliver(client, "quiero hablar con un asesor")
        _close_handoff(_conversation(), staff)
        question = fake_twilio.created[-1]
        assert question["content_sid"] == CSAT_SID
        assert question["body"] == ""  # the template holds the text: no Body with ContentSid
        assert question["to"] == CUSTOMER
        assert fake_twilio.requests[-1].form.get("Body") is None
        row = WhatsAppOutbound.objects.get(provider_sid=question["sid"])
        assert (row.body, row.content_sid) == (AFTER_HANDOFF, CSAT_SID)  # the log keeps the text

        deliver(client, "", name="inbound_text_list_reply")  # ListId choice:5, no comment
    answer = SatisfactionAnswer.objects.get()
    assert (answer.score, answer.comment, answer.handed_off) == (5, "", True)
    assert answer.salesperson == staff
    assert fake_twilio.created[-1]["body"] == replies.satisfaction_thanks(5)


def test_twilio_after_a_lead_sends_the_template_apart_and_reads_a_quick_reply(
    fake_twilio: FakeTwilio,
) -> None:
    catalog_load_demo()
    client = Client()
    with override_settings(**channel_settings(fake_twilio, TWILIO_CSAT_CONTENT_SID=CSAT_SID)):
        for text in (*LEAD_TURNS, "mañana en la tarde"):
            deliver(client, text)
        *_, reply, question = fake_twilio.created
        assert "Registré tus datos" in reply["body"]
        assert (reply["content_sid"], question["content_sid"]) == ("", CSAT_SID)
        deliver(client, "", name="inbound_text_button_reply")  # ButtonPayload choice:3
    answer = SatisfactionAnswer.objects.get()
    assert (answer.score, answer.comment) == (3, "")  # the payload, not "3 - Regular"


def test_twilio_without_the_setting_asks_in_plain_text(whatsapp: FakeTwilio, staff: Any) -> None:
    client = Client()
    deliver(client, "Hola")
    deliver(client, "quiero hablar con un asesor")
    _close_handoff(_conversation(), staff)
    question = whatsapp.created[-1]
    assert (question["body"], question["content_sid"]) == (AFTER_HANDOFF, "")


# --- the LLM's rewording never touches the question --------------------------------------------
def _outcome(reply: str) -> TurnOutcome:
    return TurnOutcome(
        conversation_id=0,
        session_id=CUSTOMER_PHONE,
        turn_id="t",
        reply=reply,
        step="need",
        next_action="ask_need",
        understood={"llm": "smooth"},
    )


def _question_group(group: str) -> None:
    bodies, question = outbound_reply_parts(f"¡Listo, Ana!\n\n{QUESTION}", survey=True)
    outbound_parts_create(
        group=group,
        bodies=bodies,
        question=question,
        kind=WhatsAppOutbound.Kind.REPLY,
        to_address=CUSTOMER,
        from_address=OUR_NUMBER,
        to_phone=CUSTOMER_PHONE,
    )


def test_rewording_replaces_the_text_before_the_question_and_keeps_the_question(
    whatsapp: FakeTwilio,
) -> None:
    _question_group("turn-q1")
    assert outbound_group_rephrase(
        group="turn-q1", outcome=_outcome(f"¡Perfecto, Ana!\n\n{QUESTION}"), deterministic="x"
    )
    rows = list(WhatsAppOutbound.objects.filter(group="turn-q1").order_by("seq"))
    assert [(r.body, bool(r.choices)) for r in rows] == [
        ("¡Perfecto, Ana!", False),
        (QUESTION, True),
    ]


def test_rewording_that_changed_the_question_is_refused(whatsapp: FakeTwilio) -> None:
    _question_group("turn-q2")
    assert not outbound_group_rephrase(
        group="turn-q2",
        outcome=_outcome("¡Perfecto, Ana! ¿Del 1 al 5 cómo te atendimos?"),
        deterministic="x",
    )
    rows = list(WhatsAppOutbound.objects.filter(group="turn-q2").order_by("seq"))
    assert [r.body for r in rows] == ["¡Listo, Ana!", QUESTION]
