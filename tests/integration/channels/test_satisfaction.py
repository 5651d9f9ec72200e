"""CSAT on WhatsApp through the fake Twilio: the question after a lead and after a handoff is
closed (sent by the outbound send path, once), the answer stored, never to opted-out customers."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from backoffice.handoff import handoff_return_to_bot
from catalog.services import catalog_load_demo
from channels.models import WhatsAppOutbound
from channels.services import outbound_group_send, staff_reply_send
from conversations.engine import replies
from conversations.models import Conversation, SatisfactionAnswer
from tests.integration.channels.test_handoff import deliver
from tests.support.fake_twilio import FakeTwilio
from tests.support.whatsapp import CUSTOMER, CUSTOMER_PHONE

pytestmark = pytest.mark.django_db

QUESTION = replies.satisfaction_question()
AFTER_HANDOFF = replies.satisfaction_question(after_handoff=True)


@pytest.fixture
def staff() -> object:
    user = get_user_model().objects.create_user(
        "vendedora", password="x" * 12, first_name="Ana", last_name="Ruiz", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Ventas"))
    return user


def _staff_writes(conversation: Conversation, staff: object) -> None:
    group = staff_reply_send(conversation_id=conversation.pk, user_id=staff.pk, text="Soy Ana.")
    outbound_group_send(group=group)  # what the task enqueued on commit does


def _conversation() -> Conversation:
    return Conversation.objects.get(channel="whatsapp", external_id=CUSTOMER_PHONE)


def _send_notices(conversation: Conversation) -> list[str]:
    """What the outbound task does for the notices scheduled on commit."""
    bodies = []
    for row in WhatsAppOutbound.objects.filter(kind="notice", conversation=conversation).order_by(
        "pk"
    ):
        outbound_group_send(group=row.group)
        bodies.append(row.body)
    return bodies


def test_after_a_lead_the_question_goes_out_once_and_the_answer_is_stored(
    whatsapp: FakeTwilio, client: Client
) -> None:
    catalog_load_demo()
    for text in ("Hola", "busco un sedán de 300 mil", "el 1", "20%", "48 meses", "sí", "Ana"):
        deliver(client, text)
    deliver(client, "mañana en la tarde")
    *_, reply, question = whatsapp.bodies_to(CUSTOMER)
    assert "Registré tus datos" in reply
    assert question == QUESTION  # its own message, plain text: Twilio without a template
    assert whatsapp.created[-1]["content_sid"] == ""
    deliver(client, "5, muy amables")
    answer = SatisfactionAnswer.objects.get()
    assert (answer.score, answer.comment, answer.channel) == (5, "muy amables", "whatsapp")
    assert answer.conversation == _conversation()
    assert not answer.handed_off
    assert answer.salesperson is None
    assert whatsapp.bodies_to(CUSTOMER)[-1] == replies.satisfaction_thanks(5, comment=True)
    deliver(client, "gracias")
    assert sum(QUESTION in body for body in whatsapp.bodies_to(CUSTOMER)) == 1


def test_closing_a_handoff_asks_once_through_the_send_path_and_credits_the_salesperson(
    whatsapp: FakeTwilio, client: Client, staff: object
) -> None:
    deliver(client, "Hola")
    deliver(client, "quiero hablar con un asesor")
    conversation = _conversation()
    _staff_writes(conversation, staff)
    assert handoff_return_to_bot(conversation_id=conversation.pk, user=staff) is True
    bodies = _send_notices(conversation)
    assert bodies[0].startswith("Ana te regresó con el asistente")
    assert bodies[1] == AFTER_HANDOFF
    assert whatsapp.bodies_to(CUSTOMER)[-1] == AFTER_HANDOFF  # after the notice, in order
    # A second handoff closed in the same conversation: no second question.
    deliver(client, "otra vez un asesor por favor")
    conversation.refresh_from_db()
    assert conversation.status == "handoff"
    assert handoff_return_to_bot(conversation_id=conversation.pk, user=staff) is True
    assert len(_send_notices(conversation)) == 3  # the new back-to-bot notice only
    assert sum(body == AFTER_HANDOFF for body in whatsapp.bodies_to(CUSTOMER)) == 1
    conversation.refresh_from_db()
    assert conversation.state["survey"] == "passed"  # the next message was not a score


def test_the_answer_after_a_closed_handoff_names_who_attended(
    whatsapp: FakeTwilio, client: Client, staff: object
) -> None:
    deliver(client, "Hola")
    deliver(client, "quiero hablar con un asesor")
    conversation = _conversation()
    _staff_writes(conversation, staff)
    handoff_return_to_bot(conversation_id=conversation.pk, user=staff)
    _send_notices(conversation)
    deliver(client, "2 - tardaron mucho en contestar")
    answer = SatisfactionAnswer.objects.get()
    assert answer.score == 2
    assert answer.comment == "tardaron mucho en contestar"
    assert answer.handed_off
    assert answer.salesperson == staff
    assert whatsapp.bodies_to(CUSTOMER)[-1] == replies.satisfaction_thanks(2, comment=True)


def test_an_opted_out_customer_never_gets_the_question(
    whatsapp: FakeTwilio, client: Client, staff: object
) -> None:
    deliver(client, "Hola")
    deliver(client, "quiero hablar con un asesor")
    conversation = _conversation()
    deliver(client, "BAJA")
    assert handoff_return_to_bot(conversation_id=conversation.pk, user=staff) is True
    assert not WhatsAppOutbound.objects.filter(body=AFTER_HANDOFF).exists()
    conversation.refresh_from_db()
    assert "survey" not in conversation.state
    assert all(AFTER_HANDOFF not in body for body in whatsapp.bodies_to(CUSTOMER))
