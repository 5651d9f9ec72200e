"""CSAT through the shell on real PostgreSQL: the question in a turn's reply and on /chat, the
answer stored once, the question after a handoff is closed (exactly once, also concurrently)."""

from __future__ import annotations

import json
from functools import partial

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from rest_framework_api_key.models import APIKey

from backoffice.handoff import handoff_return_to_bot
from catalog.services import catalog_load_demo
from conversations.engine import replies
from conversations.engine.policy import EngineDeps
from conversations.models import Conversation, Message, SatisfactionAnswer
from conversations.satisfaction import satisfaction_answer_record, satisfaction_ask_after_handoff
from conversations.services import conversation_turn_handle
from conversations.staff import conversation_client_messages, conversation_staff_reply
from tests.support.concurrency import run_at_once
from tests.support.fakes import FakeKnowledge, InMemoryCarCatalog

pytestmark = pytest.mark.django_db

QUESTION = replies.satisfaction_question()
AFTER_HANDOFF = replies.satisfaction_question(after_handoff=True)


def turn(text: str, session: str = "csat-1", **kw: object):
    deps = EngineDeps(catalog=InMemoryCarCatalog(), knowledge=FakeKnowledge())
    return conversation_turn_handle(channel="api", external_id=session, text=text, deps=deps, **kw)


def to_lead(session: str = "csat-1"):
    for text in ("Versa 250 mil", "el 1", "20%", "48 meses", "sí", "Ana López", "55 1234 5678"):
        turn(text, session=session)
    return turn("mañana en la tarde", session=session)


def test_the_turn_that_captures_the_lead_asks_and_the_next_score_is_stored_once() -> None:
    outcome = to_lead()
    assert outcome.reply.endswith(QUESTION)
    assert outcome.step == "done"
    conversation = Conversation.objects.get(pk=outcome.conversation_id)
    assert conversation.state["survey"] == "asked"
    asked = Message.objects.get(conversation=conversation, understood__survey="lead")
    assert asked.direction == "in"  # the turn's understanding is logged on its inbound row
    answered = turn("5 estrellas, muy rápido todo")
    assert answered.reply == replies.satisfaction_thanks(5, comment=True)
    answer = SatisfactionAnswer.objects.get()
    assert (answer.score, answer.comment, answer.channel) == (5, "muy rápido todo", "api")
    assert answer.conversation_id == outcome.conversation_id
    assert (answer.handed_off, answer.salesperson_id) == (False, None)
    # The same conversation never gets a second question, nor a second answer.
    assert QUESTION not in turn("gracias").reply
    assert turn("5").reply != answered.reply
    assert SatisfactionAnswer.objects.count() == 1
    assert (
        satisfaction_answer_record(
            conversation_id=outcome.conversation_id, channel="api", score=1, comment="",
            handed_off=False,
        )
        is None
    )  # fmt: skip
    assert SatisfactionAnswer.objects.get().score == 5


@override_settings(CSAT_ENABLED=False)
def test_csat_off_asks_nothing() -> None:
    outcome = to_lead()
    assert QUESTION not in outcome.reply
    assert "survey" not in Conversation.objects.get(pk=outcome.conversation_id).state
    turn("5")
    assert not SatisfactionAnswer.objects.exists()


def test_the_channel_can_refuse_the_question_for_a_customer() -> None:
    for text in ("Versa 250 mil", "el 1", "20%", "48 meses", "sí", "Ana López", "55 1234 5678"):
        turn(text, survey_allowed=False)
    assert QUESTION not in turn("mañana en la tarde", survey_allowed=False).reply


@override_settings(CONVERSATION_STATE_REPOSITORY="memory", LEAD_REPOSITORY="memory")
def test_without_stored_conversations_there_is_no_question() -> None:
    assert QUESTION not in to_lead("memoria").reply
    assert not SatisfactionAnswer.objects.exists()


def _handed_off(session: str = "csat-h") -> tuple[Conversation, object]:
    staff = get_user_model().objects.create_user(
        "luis", password="x" * 12, first_name="Luis", is_staff=True
    )
    turn("quiero hablar con un asesor", session=session)
    conversation = Conversation.objects.get(channel="api", external_id=session)
    conversation_staff_reply(conversation_id=conversation.pk, author=staff, text="Hola, soy Luis.")
    return conversation, staff


def test_closing_a_handoff_asks_once_and_the_answer_credits_the_salesperson() -> None:
    conversation, staff = _handed_off()
    assert handoff_return_to_bot(conversation_id=conversation.pk, user=staff) is True
    kinds_texts = [
        (m.kind, m.text) for m in conversation_client_messages(conversation_id=conversation.pk)
    ]
    assert kinds_texts[-1] == ("notice", AFTER_HANDOFF)
    assert kinds_texts[-2][0] == "notice"
    # Asking again (a double click, a retried action) finds the question already asked.
    assert satisfaction_ask_after_handoff(conversation_id=conversation.pk) is None
    outcome = turn("4", session="csat-h")
    assert outcome.reply == replies.satisfaction_thanks(4)
    answer = SatisfactionAnswer.objects.get()
    assert (answer.score, answer.handed_off, answer.salesperson) == (4, True, staff)
    assert Message.objects.filter(conversation=conversation, text=AFTER_HANDOFF).count() == 1


def test_not_asked_while_a_person_still_has_the_conversation() -> None:
    conversation, _ = _handed_off()
    assert satisfaction_ask_after_handoff(conversation_id=conversation.pk) is None
    assert "survey" not in Conversation.objects.get(pk=conversation.pk).state


@pytest.mark.django_db(transaction=True)
def test_concurrent_closes_ask_exactly_once() -> None:
    conversation, _ = _handed_off("csat-race")
    Conversation.objects.filter(pk=conversation.pk).update(status=Conversation.Status.ACTIVE)
    ask = partial(satisfaction_ask_after_handoff, conversation_id=conversation.pk)
    assert run_at_once([ask] * 6) == []
    assert Message.objects.filter(conversation=conversation, text=AFTER_HANDOFF).count() == 1


@pytest.fixture
def api_key() -> str:
    _, key = APIKey.objects.create_key(name="tests")
    return key


def test_chat_api_gets_the_question_in_the_reply_and_takes_the_score(
    client: Client, api_key: str
) -> None:
    catalog_load_demo()

    def chat(message: str) -> dict:
        response = client.post(
            "/chat",
            data=json.dumps({"session_id": "csat-api", "message": message}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {api_key}",
        )
        assert response.status_code == 200, response.content
        return response.json()

    for text in ("busco un sedán de 300 mil", "el 1", "20%", "48 meses", "sí", "Ana"):
        chat(text)
    chat("55 1234 5678")
    done = chat("mañana en la tarde")
    assert done["lead"] is not None
    assert done["reply"].endswith(QUESTION)
    rated = chat("muy mal, nadie me llamó")
    assert rated["reply"] == replies.satisfaction_thanks(1, comment=True)
    assert rated["step"] == "done"
    answer = SatisfactionAnswer.objects.get()
    assert (answer.score, answer.comment, answer.channel) == (1, "nadie me llamó", "api")
