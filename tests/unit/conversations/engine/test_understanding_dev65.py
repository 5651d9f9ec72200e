"""Classes fixed from the sixty-fifth development batch (tried as a new customer would): a price
asked back in the past tense, the other options' prices, a feature asked of the options shown, an
English choice, the customer's current car told inside a story, a choice with an objection and a
budget with no cap (all-wheel drive: tests/integration/catalog/test_all_wheel_drive.py)."""

from __future__ import annotations

import pytest

from conversations.engine.state import Action
from tests.unit.conversations.engine.test_policy import Chat
from tests.unit.conversations.engine.test_understanding import OPTIONS, read

CHOSEN = {"options": OPTIONS, "chosen": OPTIONS[1]}


@pytest.mark.parametrize(
    "text", ["si esa, cuanto era?", "perdon cuanto costaba?", "a como estaba?", "cuanto era?"]
)
def test_a_price_asked_back_in_the_past_tense_is_the_chosen_cars_price(text: str) -> None:
    q = read(text, Action.ASK_DOWN_PAYMENT, **CHOSEN).car_question
    assert q is not None
    assert q.fields == ("price",)
    assert (q.index, q.among) == (None, ())


@pytest.mark.parametrize("text", ["cuanto era la mensualidad?", "cuanto era de enganche?"])
def test_a_figure_of_the_plan_asked_back_is_not_the_price(text: str) -> None:
    q = read(text, Action.ASK_TERM, **CHOSEN).car_question
    assert q is None or "price" not in q.fields


def test_the_other_ones_asked_after_choosing_are_the_options_not_chosen() -> None:
    q = read("y la otra en cuanto estaba?", Action.ASK_DOWN_PAYMENT, **CHOSEN).car_question
    assert q is not None
    assert q.among == (0, 2)


@pytest.mark.parametrize("text", ["todas tienen 3 filas?", "tiene tercera fila?"])
def test_rows_asked_of_the_options_shown_are_a_question_about_them(text: str) -> None:
    q = read(text, Action.CHOOSE_OPTION, options=OPTIONS).car_question
    assert q is not None
    assert q.fields == ("seats",)


@pytest.mark.parametrize("text", ["hay de 7 pasajeros?", "tienes algo con tercera fila?"])
def test_seats_asked_of_the_catalogue_are_a_new_search(text: str) -> None:
    r = read(text, Action.CHOOSE_OPTION, options=OPTIONS)
    assert r.car_question is None
    assert r.seats == 7


@pytest.mark.parametrize(("text", "index"), [("number 2 please", 1), ("option 3", 2)])
def test_an_english_choice_by_number(text: str, index: int) -> None:
    assert read(text, Action.CHOOSE_OPTION, options=OPTIONS).choice == index


@pytest.mark.parametrize(
    "text",
    [
        "el que tenemos es un corolla del 2017 y ya le falla, queremos algo automatico",
        "la que traigo ahorita es una versa vieja, quiero algo automatico",
        "tenemos un corolla del 2010, queremos algo automatico",
    ],
)
def test_the_current_car_told_in_a_story_is_not_the_car_wanted(text: str) -> None:
    r = read(text)
    assert (r.need.make, r.need.model) == (None, None)
    assert r.need.transmission == "automatic"


def test_a_choice_with_an_objection_asks_for_other_cars() -> None:
    r = read(
        "me gusta la primera pero esta muy rodada, hay otra con menos km?",
        Action.CHOOSE_OPTION,
        options=OPTIONS,
    )
    assert r.choice is None
    assert r.better == "fewer_km"


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("el presupuesto es lo de menos", True),
        ("no importa el precio", True),
        ("sin limite", True),
        ("el precio si me importa", False),
    ],
)
def test_a_budget_with_no_cap(text: str, unknown: bool) -> None:
    assert read(text, Action.ASK_BUDGET, make="Toyota").budget_unknown is unknown


def test_the_total_asked_before_the_term_is_the_total_of_every_term() -> None:
    chat = Chat()
    chat.say("busco un corolla, tengo 300 mil")
    chat.say("el 1")
    chat.say("60 mil de enganche")
    r = chat.say("cuanto pagaria en total?")
    assert r.state.next_action == "ask_term"
    # $289,999 − $60,000 at 10% a year over 36 months: $7,421.42 a month, 36 × it + $60,000
    assert "36 meses: $327,171.12 ($7,421.42 al mes)" in r.reply
    assert r.reply.count(" meses: $") == 4
