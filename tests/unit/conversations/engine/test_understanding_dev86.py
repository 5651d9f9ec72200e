"""Classes fixed from the eighty-sixth development batch: "¿y qué modelos?" with a make in mind
is answered by listing its cars; a bare "cuánto" after a car's name asks its price; a car added
to the money ("300 mil más el aveo") is the customer's, not the search; "¿cuánto nos darían?"
sells, and while buying it is the trade-in."""

from __future__ import annotations

import pytest

from conversations.engine import cues
from conversations.engine.state import Action
from tests.unit.conversations.engine.test_policy import Chat
from tests.unit.conversations.engine.test_understanding import read


@pytest.mark.parametrize(
    ("text", "asks"),
    [("y que modelos?", True), ("cuales tienen?", True), ("que modelos de suv tienen", False)],
)
def test_which_models(text: str, asks: bool) -> None:
    assert cues.asks_which_models(text) is asks


def test_which_models_of_a_make_lists_its_cars() -> None:
    chat = Chat()
    chat.say("hola tienen toyota")
    r = chat.say("y que modelos?")
    assert r.state.slots.options
    assert {c.make for c in r.state.slots.options} == {"Toyota"}
    assert "no es algo en lo que pueda" not in r.reply


def test_which_models_with_nothing_in_mind_asks_the_budget() -> None:
    chat = Chat()
    r = chat.say("y que tienen?")
    assert not r.state.slots.options


@pytest.mark.parametrize("text", ["el corolla cuanto?", "y la versa en cuanto?"])
def test_a_bare_how_much_after_a_cars_name_asks_its_price(text: str) -> None:
    assert read(text, Action.ASK_BUDGET).price_asked


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("tenemos 300 mil mas el versa", None),
        ("tengo 250 mil y mi corolla", None),
        ("entre la cr-v y la versa", "CR-V"),
    ],
)
def test_a_car_added_to_the_money_is_theirs(text: str, model: str | None) -> None:
    assert read(text).need.model == model


def test_how_much_would_you_give_us_sells() -> None:
    assert cues.wants_to_sell("cuanto nos darian por el aveo?")


def test_how_much_for_ours_while_buying_is_the_trade_in() -> None:
    chat = Chat()
    chat.say("busco un corolla de 300 mil")
    chat.say("el 1")
    chat.say("cuanto nos darian por el versa?")
    assert chat.knowledge.asked[-1].endswith("a cuenta")
