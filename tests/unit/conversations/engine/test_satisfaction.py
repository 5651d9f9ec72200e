"""The CSAT question and answer on the pure engine: when it is asked, how a score is read, and
that a score reading never takes a real turn."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from conversations.engine import replies, satisfaction
from conversations.engine.policy import (
    EngineConfig,
    EngineDeps,
    Inbound,
    RecordSatisfaction,
    TurnResult,
    decide,
    decide_paused,
)
from conversations.engine.state import ConversationState, Step, state_from_dict, state_to_dict
from tests.support.fakes import FakeKnowledge, InMemoryCarCatalog

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("America/Mexico_City"))
QUESTION = replies.satisfaction_question()


class Chat:
    def __init__(self, *, survey: bool = True) -> None:
        self.deps = EngineDeps(catalog=InMemoryCarCatalog(), knowledge=FakeKnowledge())
        self.state = ConversationState()
        self.survey = survey

    def say(self, text: str, *, paused: bool = False) -> TurnResult:
        decider = decide_paused if paused else decide
        result = decider(
            self.state, Inbound(text=text, survey=self.survey), self.deps, EngineConfig(now=NOW)
        )
        self.state = state_from_dict(state_to_dict(result.state))  # as the database store does
        return result

    def to_lead(self) -> TurnResult:
        for text in ("hola", "una camioneta familiar", "450 mil", "el primero", "20%", "4 años"):
            self.say(text)
        for text in ("sí", "Ana López", "55 1234 5678"):
            self.say(text)
        return self.say("mañana en la tarde")


def _scores(result: TurnResult) -> list[RecordSatisfaction]:
    return [e for e in result.effects if isinstance(e, RecordSatisfaction)]


@pytest.mark.parametrize(
    ("text", "score", "comment"),
    [
        ("5", 5, ""),
        ("1", 1, ""),
        ("un 4", 4, ""),
        ("Le doy 5!", 5, ""),
        ("5 estrellas", 5, ""),
        ("4/5", 4, ""),
        ("3 de 5", 3, ""),
        ("⭐⭐⭐⭐", 4, ""),
        ("cinco", 5, ""),
        ("Excelente", 5, ""),
        ("excelente, gracias", 5, "gracias"),
        ("muy mal", 1, ""),
        ("Muy mal, nadie me llamó", 1, "nadie me llamó"),
        ("regular", 3, ""),
        ("4, el asesor tardó en contestar", 4, "el asesor tardó en contestar"),
        ("2 - Tardaron MUCHO", 2, "Tardaron MUCHO"),
        ("5 muy buena atención", 5, "muy buena atención"),
        ("Mi calificación es 3", 3, ""),
    ],
)
def test_a_score_with_its_optional_comment_is_read(text: str, score: int, comment: str) -> None:
    assert satisfaction.read_answer(text) == satisfaction.SatisfactionReading(score, comment)


@pytest.mark.parametrize(
    "text",
    [
        "el 2",  # a choice among options
        "la 3",
        "5 mil",  # money
        "50 mil de enganche",
        "4 puertas",
        "3 años",
        "48 meses",
        "10",  # outside 1-5
        "0",
        "¿5?",  # a question
        "¿me das el 5?",
        "buenas tardes",
        "no gracias",
        "quiero hablar con un asesor",
        "",
        "5000",
        "4x4",
    ],
)
def test_anything_that_is_not_a_score_is_not_an_answer(text: str) -> None:
    assert satisfaction.read_answer(text) is None


def test_a_captured_lead_gets_the_question_once_and_the_score_is_recorded() -> None:
    chat = Chat()
    result = chat.to_lead()
    assert result.state.step == Step.DONE
    assert result.reply.endswith(QUESTION)
    assert result.understood["survey"] == satisfaction.LEAD
    assert chat.state.survey == satisfaction.ASKED
    answer = chat.say("4, todo bien pero tardaron")
    assert _scores(answer) == [RecordSatisfaction(score=4, comment="todo bien pero tardaron")]
    assert answer.reply == replies.satisfaction_thanks(4, comment=True)
    assert answer.state.step == Step.DONE  # the flow stays where it was
    assert chat.state.survey == satisfaction.ANSWERED
    # A goodbye later in the same conversation does not ask again.
    bye = chat.say("gracias")
    assert QUESTION not in bye.reply
    assert _scores(bye) == []


def test_choosing_an_option_with_a_number_is_never_read_as_a_score() -> None:
    chat = Chat()
    chat.say("hola")
    chat.say("una camioneta familiar")
    shown = chat.say("450 mil")
    assert len(shown.cars) >= 2
    result = chat.say("el 2")
    assert result.state.slots.chosen == shown.cars[1]
    assert _scores(result) == []
    assert chat.state.survey == ""


def test_a_bare_number_while_a_question_is_pending_stays_that_questions_answer() -> None:
    chat = Chat()
    chat.say("hola")
    chat.say("una camioneta familiar")
    chat.say("450 mil")
    chat.say("el primero")
    result = chat.say("5")  # asked for the down payment: not a satisfaction score
    assert _scores(result) == []
    assert chat.state.survey == ""


def test_a_reply_that_is_not_a_score_is_a_normal_turn_and_the_question_is_not_repeated() -> None:
    chat = Chat()
    chat.to_lead()
    result = chat.say("¿tienen garantía?")
    assert _scores(result) == []
    assert result.reply.startswith("Todos los autos tienen garantía")  # answered as usual
    assert QUESTION not in result.reply
    assert chat.state.survey == satisfaction.PASSED
    later = chat.say("5")  # no longer an answer: the question was one message ago
    assert _scores(later) == []


def test_a_soft_close_asks_and_a_reset_does_not_allow_a_second_question() -> None:
    chat = Chat()
    for text in ("hola", "una camioneta familiar", "450 mil", "el primero", "20%", "4 años"):
        chat.say(text)
    closed = chat.say("no, gracias")
    assert closed.understood.get("declined")
    assert closed.reply.endswith(QUESTION)
    assert closed.understood["survey"] == satisfaction.DECLINED
    chat.say("empezar de nuevo")
    assert chat.state.survey == satisfaction.PASSED
    for text in ("una camioneta familiar", "450 mil", "el primero", "20%", "4 años"):
        chat.say(text)
    again = chat.say("no, gracias")
    assert QUESTION not in again.reply


def test_thanks_once_nothing_is_pending_is_a_goodbye_that_asks() -> None:
    chat = Chat()
    for text in ("hola", "una camioneta familiar", "450 mil", "el primero", "20%", "4 años"):
        chat.say(text)
    chat.say("no, gracias")
    fresh = Chat()
    fresh.state = ConversationState(  # a conversation that ended without the question
        step=Step.DONE, next_action=chat.state.next_action, slots=chat.state.slots, greeted=True
    )
    bye = fresh.say("muchas gracias")
    assert bye.understood["survey"] == satisfaction.GOODBYE
    assert bye.reply.endswith(QUESTION)


def test_not_asked_when_the_shell_does_not_allow_it() -> None:
    chat = Chat(survey=False)
    result = chat.to_lead()
    assert QUESTION not in result.reply
    assert chat.state.survey == ""
    assert _scores(chat.say("5")) == []


def test_a_score_given_while_a_person_has_the_conversation_still_counts() -> None:
    chat = Chat()
    chat.to_lead()
    paused = chat.say("5 excelente", paused=True)
    assert _scores(paused) == [RecordSatisfaction(score=5, comment="excelente")]
    assert paused.state.step == Step.HANDOFF
    assert chat.state.survey == satisfaction.ANSWERED
