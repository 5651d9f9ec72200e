"""Classes fixed from the seventy-ninth development batch: "a 4" in years once a term is in play;
"¿cómo le hacemos?" with options shown; the monthly asked for a price before any car; what is
left to pay in a question about the term is monthly; "¿y de otro año?" drops the year; "me lo
apartan" reserves the car asked about while "¿ya lo apartaron?" asks whether it is there; an age
is no term."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conversations.engine import parsing
from conversations.engine.state import Action
from tests.unit.conversations.engine.test_policy import Chat
from tests.unit.conversations.engine.test_understanding import OPTIONS, read


def test_years_once_a_term_is_in_play() -> None:
    r = read("y si lo hago a 4?", Action.CHOOSE_OPTION, options=OPTIONS, term_months=36)
    assert r.term is not None
    assert r.term.months == 48


def test_how_do_we_go_on_with_options_shown_asks_which() -> None:
    chat = Chat()
    chat.say("busco un corolla de 300 mil")
    r = chat.say("ok esta bien, como le hacemos")
    assert r.state.next_action == "choose_option"
    assert "cuál te gustó" in r.reply.lower()


def test_the_monthly_asked_for_a_price_before_any_car() -> None:
    chat = Chat()
    r = chat.say("oye cuanto pagaria al mes por un carro de 200 mil?")
    assert "Por un auto de *$200,000* con enganche de $20,000.00 (el mínimo)" in r.reply
    assert "60 meses: $3,824.47 al mes" in r.reply
    r = chat.say("y si doy 50 mil de enganche")
    assert "con enganche de $50,000.00" in r.reply
    assert "60 meses: $3,187.06 al mes" in r.reply


def test_a_down_payment_without_the_price_asked_before_is_only_noted() -> None:
    chat = Chat()
    chat.say("tengo 200 mil")
    r = chat.say("y doy 50 mil de enganche")
    assert "la mensualidad quedaría" not in r.reply


@pytest.mark.parametrize(
    "text",
    ["a cuantos meses quedaria en 8 mil?", "en cuantos meses me sale en 8 mil?"],
)
def test_what_is_left_to_pay_in_a_question_about_the_term_is_monthly(text: str) -> None:
    r = read(
        text,
        Action.ASK_TERM,
        options=OPTIONS,
        chosen=OPTIONS[0],
        down_payment=Decimal(80000),
    )
    assert r.down_amount is None
    assert r.monthly_target == Decimal(8000)


def test_the_term_for_a_monthly_with_the_down_payment_known() -> None:
    chat = Chat()
    chat.say("busco un corolla de 300 mil")
    chat.say("el 1")
    chat.say("80 mil de enganche")
    r = chat.say("a cuantos meses quedaria en 6 mil?")
    assert r.state.slots.down_payment == Decimal(80000)
    assert "te conviene *48 meses*" in r.reply


@pytest.mark.parametrize(
    ("text", "any_year"),
    [
        ("y de otro año?", True),
        ("no importa el año", True),
        ("aunque sea mas viejo", True),
        ("de que año es?", False),
        ("del 2020 para arriba", False),
    ],
)
def test_another_year_is_read(text: str, any_year: bool) -> None:
    assert read(text, Action.CHOOSE_OPTION, options=OPTIONS).any_year is any_year


def test_another_year_drops_the_year_said_before() -> None:
    chat = Chat()
    chat.say("tienen corolla 2020 para arriba?")
    assert chat.state.slots.year_min == 2020
    r = chat.say("y de otro año?")
    assert r.state.slots.year_min is None


def test_reserving_the_car_asked_about_takes_it_to_the_advisor() -> None:
    chat = Chat()
    chat.say("busco un corolla de 300 mil")
    chat.say("el 2 que tal esta?")
    r = chat.say("me lo apartan?")
    assert r.state.slots.chosen == OPTIONS[1]
    assert r.state.next_action == "ask_name"


@pytest.mark.parametrize(
    "text", ["el 1 ya lo apartaron?", "el 1 esta apartado?", "ya esta vendido el 1?"]
)
def test_asking_whether_it_was_reserved_chooses_nothing(text: str) -> None:
    r = read(text, Action.CHOOSE_OPTION, options=OPTIONS)
    assert r.choice is None
    assert r.car_question is not None
    assert "available" in r.car_question.fields


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("tengo 25 años y es mi primer carro", None),
        ("hace 3 años compre uno", None),
        ("es para mi hijo de 18 años", None),
        ("lo quiero a 4 años", 48),
        ("a un plazo de 5 años", 60),
    ],
)
def test_an_age_or_a_time_ago_is_no_term(text: str, months: int | None) -> None:
    term = parsing.parse_term(text, terms=(36, 48, 60, 72))
    assert (term.months if term else None) == months
    assert not (term and term.invalid)
