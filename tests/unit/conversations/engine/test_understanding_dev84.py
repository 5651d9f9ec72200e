"""Classes fixed from the eighty-fourth and eighty-fifth development batches: a make's country
said instead of the make leaves that country's makes out; "¿y a crédito cuánto me saldría?" with
a car in view is its plan, not a question for the articles; a quote asked for a model and year
names that listing."""

from __future__ import annotations

import pytest

from conversations.engine import cues
from conversations.engine.state import Action
from tests.support.fakes import FakeKnowledge
from tests.unit.conversations.engine.test_policy import Chat
from tests.unit.conversations.engine.test_understanding import read


@pytest.mark.parametrize(
    ("text", "left_out"),
    [
        ("busco auto pero no quiero nada chino", {"JAC", "MG"}),
        ("una camioneta que no sea coreana", {"KIA", "Hyundai"}),
        ("ningun carro japones por favor", {"Toyota", "Nissan", "Honda", "Mazda"}),
        ("sin marcas chinas", {"JAC", "MG"}),
    ],
)
def test_a_makes_country_leaves_its_makes_out(text: str, left_out: set[str]) -> None:
    r = read(text)
    assert left_out <= set(r.excluded_makes)


def test_a_country_said_otherwise_leaves_nothing_out() -> None:
    assert read("vivo en la colonia china de la ciudad").excluded_makes == ()


def test_on_credit_how_much_of_the_car_asked_about_is_its_plan() -> None:
    chat = Chat()
    chat.knowledge = FakeKnowledge(every_question=True)
    chat.say("busco un corolla de 300 mil")
    chat.say("cual es el mas barato?")
    r = chat.say("ok y a credito cuanto me saldria?")
    assert chat.knowledge.asked[-1:] != ["ok y a credito cuanto me saldria?"]
    assert r.state.slots.chosen is not None
    assert r.state.next_action == Action.ASK_DOWN_PAYMENT


def test_on_credit_how_long_is_still_for_the_articles() -> None:
    chat = Chat()
    chat.knowledge = FakeKnowledge(every_question=True)
    chat.say("busco un corolla de 300 mil")
    chat.say("en cuanto tiempo me aprueban el credito?")
    assert chat.knowledge.asked[-1] == "en cuanto tiempo me aprueban el credito?"


# --- dev85 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "listing"),
    [
        ("quisiera cotizar una honda crv 2017", True),
        ("me cotizas el versa 2020?", True),
        ("busco un mazda 3 2018", False),
    ],
)
def test_a_quote_of_a_model_and_year_names_the_listing(text: str, listing: bool) -> None:
    assert cues.names_a_listing(text) is listing
