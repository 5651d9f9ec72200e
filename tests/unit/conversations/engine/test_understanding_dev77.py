"""Classes fixed from the seventy-seventh development batch: a phone dictated in words is the
phone and never an amount; "ok eso" right after hearing the minimum down payment takes it; paying
cash said again is heard; what is paid, said in a question about the term, is monthly; "si"
between words before a verb is "if", not yes; contact data given while a car is chosen is
acknowledged, with the time as the customer said it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conversations.engine import cues
from conversations.engine.state import Action, ConversationState, Slots
from conversations.engine.understanding import understand
from spanish import blank_dictated_phones
from tests.support.fakes import FakeKnowledge, InMemoryCarCatalog
from tests.unit.conversations.engine.test_policy import Chat
from tests.unit.conversations.engine.test_understanding import NOW, OPTIONS, read


@pytest.mark.parametrize(
    ("text", "blanked"),
    [
        ("mi numero es cinco cinco uno dos tres cuatro cinco seis siete ocho", True),
        ("es el tres tres, uno dos, tres cuatro, cinco seis, siete ocho", True),
        ("cincuenta y cinco doce treinta y cuatro cincuenta y seis setenta y ocho", True),
        ("doscientos cincuenta mil", False),
        ("cinco cinco uno dos", False),
        ("tengo trescientos mil y doy cincuenta", False),
    ],
)
def test_a_phone_dictated_in_words_is_blanked(text: str, blanked: bool) -> None:
    assert (blank_dictated_phones(text) != text) is blanked


def test_a_phone_dictated_in_words_is_no_down_payment() -> None:
    r = read(
        "mi numero es cinco cinco uno dos tres cuatro cinco seis siete ocho",
        Action.CHOOSE_OPTION,
        options=OPTIONS,
        down_payment=Decimal(70000),
    )
    assert r.phone == "+525512345678"
    assert (r.down_amount, r.budget_max, r.monthly) == (None, None, None)


def _told_min_down(text: str) -> bool:
    state = ConversationState(
        next_action=Action.ASK_DOWN_PAYMENT,
        slots=Slots(options=OPTIONS, chosen=OPTIONS[0]),
        told=("min_down",),
    )
    r = understand(text, state, catalog=InMemoryCarCatalog(), knowledge=FakeKnowledge(), now=NOW)
    return r.down_minimum


@pytest.mark.parametrize(
    ("text", "takes"),
    [("ok eso, a 72 meses", True), ("va, con eso", True), ("sale esa cantidad", True)],
)
def test_that_right_after_the_minimum_takes_it(text: str, takes: bool) -> None:
    assert _told_min_down(text) is takes


def test_that_without_the_minimum_just_said_is_no_minimum() -> None:
    r = read("ok eso, a 72 meses", Action.ASK_DOWN_PAYMENT, options=OPTIONS, chosen=OPTIONS[0])
    assert not r.down_minimum


def test_what_is_paid_in_a_question_about_the_term_is_monthly() -> None:
    r = read(
        "a cuantos meses me conviene si quiero pagar menos de 6 mil",
        Action.ASK_DOWN_PAYMENT,
        options=OPTIONS,
        chosen=OPTIONS[0],
    )
    assert r.down_amount is None
    assert r.monthly_target == Decimal(6000)
    assert not r.yes


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("a cuantos meses me conviene si quiero pagar menos", None),
        ("me conviene si le doy 50?", None),
        ("ok si me interesa", True),
        ("si quiero", True),
        ("sale si me llaman mañana", True),
    ],
)
def test_si_before_a_verb_after_another_word_is_if(text: str, answer: bool | None) -> None:
    assert cues.parse_yes_no(text) is answer


def test_cash_said_again_while_options_are_shown_is_heard() -> None:
    chat = Chat()
    chat.say("tengo 300 mil de contado, busco un corolla")
    r = chat.say("lo pago de contado")
    assert "contado" in r.reply
    assert "no te entendí" not in r.reply


def test_a_phone_while_options_are_shown_is_acknowledged() -> None:
    chat = Chat()
    chat.say("busco un corolla de 300 mil")
    r = chat.say("mi cel es 5512345678")
    assert r.state.slots.phone == "+525512345678"
    assert "Anoté tu celular" in r.reply


def test_a_call_asked_for_a_day_says_the_day_back() -> None:
    chat = Chat()
    chat.say("busco un corolla de 300 mil")
    chat.say("el 1")
    chat.say("con 40 mil a 48")
    r = chat.say("me pueden llamar el lunes?")
    assert r.state.next_action == "ask_name"
    assert "Anoté el horario: el lunes" in r.reply
