"""Classes fixed from the sixty-sixth development batch: a question naming an option shown by its
model is about that car (no new search), where a car shown is is a question about it, and which
term suits the customer is answered from their plan."""

from __future__ import annotations

from conversations.engine.state import Action
from tests.unit.conversations.engine.test_policy import Chat
from tests.unit.conversations.engine.test_understanding import OPTIONS, read


def test_where_a_car_shown_is_is_a_question_about_it() -> None:
    q = read("y en que sucursal esta?", Action.CHOOSE_OPTION, options=OPTIONS).car_question
    assert q is not None
    assert q.fields == ("location",)


def test_a_question_naming_an_option_shown_does_not_search_again() -> None:
    chat = Chat()
    chat.say("busco un sedan, tengo 300 mil")
    shown = chat.state.slots.options
    assert any(c.model == "Versa" for c in shown)
    r = chat.say("el versa tiene garantia?")
    assert r.state.slots.options == shown
    assert r.state.slots.model is None
    assert not r.cars


def test_more_of_a_model_shown_is_still_a_search() -> None:
    chat = Chat()
    chat.say("busco un sedan, tengo 300 mil")
    r = chat.say("hay otro versa mas barato?")
    assert r.state.slots.model == "Versa"


def test_which_term_suits_the_customer_is_the_shortest_within_their_monthly_payment() -> None:
    chat = Chat()
    chat.say("un corolla, tengo 60 mil de enganche y puedo pagar 7 mil al mes")
    chat.say("el 1")
    r = chat.say("a cuantos meses me conviene?")
    assert r.state.next_action == "ask_term"
    # $289,999 − $60,000 at 10% a year: 36 months $7,421.42 (over 7 mil), 48 months under it.
    assert "• 36 meses: $7,421.42 al mes" in r.reply
    assert "te conviene *48 meses*" in r.reply


def test_which_term_suits_with_no_monthly_payment_said_explains_the_trade_off() -> None:
    chat = Chat()
    chat.say("un corolla de 300 mil")
    chat.say("el 1")
    chat.say("60 mil")
    r = chat.say("que plazo me recomiendas?")
    assert "A menor plazo pagas menos intereses" in r.reply
    assert r.reply.count(" de intereses)") == 4
