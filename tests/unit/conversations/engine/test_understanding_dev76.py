"""Classes fixed from the seventy-sixth and seventy-eighth development batches: the customer's own
car named beside a change or before what they want is theirs, not the search; a car described
after the one they sell ("vendo mi auto, un aveo 2015") is theirs; "traigo una versa que quiero
vender" sells; "¿y en sedán?" keeps the model in mind; "disculpe la hora" is courtesy; the
language asked gets its answer."""

from __future__ import annotations

import pytest

from conversations.engine import cues
from conversations.engine.state import Action
from conversations.engine.steps import side
from tests.support.fakes import FakeKnowledge
from tests.unit.conversations.engine.test_policy import Chat
from tests.unit.conversations.engine.test_understanding import read


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("quiero cambiar de carro, tengo un versa pero busco algo mas moderno, suv", "suv"),
        ("manejo un corolla pero ya quiero una camioneta", "suv"),
        ("tengo un versa y lo quiero cambiar por una suv", "suv"),
    ],
)
def test_the_car_they_have_is_not_the_search(text: str, body: str) -> None:
    r = read(text)
    assert (r.need.model, r.need.body_type) == (None, body)


def test_the_car_they_have_is_theirs_when_they_change_it() -> None:
    r = read("quiero cambiar de carro, tengo un versa pero busco una suv")
    assert r.own_car == "Nissan Versa"


@pytest.mark.parametrize(
    "text",
    [
        "tengo una familia grande y quiero cambiar mi carro",  # no car named: the family stays
        "tengo un presupuesto de 200 mil y quiero un versa",  # the wish is the Versa
        "tengo un versa en mente, que precio tiene?",  # the one they have in mind is the wish
    ],
)
def test_what_they_have_that_is_no_car_stays_in_the_need(text: str) -> None:
    r = read(text)
    assert r.need.model == ("Versa" if "versa" in text else None)
    assert r.own_car is None


@pytest.mark.parametrize(
    ("text", "own"),
    [
        ("hola vendo mi auto, un versa 2015", "Nissan Versa 2015"),
        ("me interesa vender mi camioneta que es una crv 2016", "Honda CR-V 2016"),
        ("quiero vender mi carro, es un corolla 2017", "Toyota Corolla 2017"),
    ],
)
def test_the_car_described_after_the_one_they_sell_is_theirs(text: str, own: str) -> None:
    r = read(text, Action.ASK_NEED)
    assert r.own_car == own
    assert r.need.model is None


@pytest.mark.parametrize(
    ("text", "sells"),
    [
        ("traigo una versa que quiero vender", True),
        ("tengo un aveo, lo quiero vender", True),
        ("quiero vender mi carro", True),
        ("que quiero comprar un carro", False),
        ("lo quiero ver", False),
    ],
)
def test_selling_said_after_the_car(text: str, sells: bool) -> None:
    assert cues.wants_to_sell(text) is sells


# --- dev78 -------------------------------------------------------------------------------------
def test_the_model_in_mind_asked_in_another_body_is_kept() -> None:
    chat = Chat()
    chat.say("busco un corolla")
    r = chat.say("y en camioneta")
    assert (r.state.slots.model, r.state.slots.body_type) == ("Corolla", "suv")


def test_another_body_said_as_a_new_search_drops_the_model() -> None:
    chat = Chat()
    chat.say("busco un corolla")
    r = chat.say("mejor quiero una camioneta grande para la familia")
    assert (r.state.slots.model, r.state.slots.body_type) == (None, "suv")


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("buenas noches, disculpe la hora, tienen garantia?", "tienen garantia"),
        ("perdon por molestar tan tarde, hay sucursal en puebla?", "hay sucursal en puebla"),
        ("disculpe, tienen garantia?", "tienen garantia"),
    ],
)
def test_an_apology_for_the_hour_is_no_question_for_the_articles(text: str, asked: str) -> None:
    assert side._kavak_clauses(text, FakeKnowledge()) == asked


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("hello, do you speak english?", True),
        ("hola hablan ingles?", True),
        ("me lo pasas en ingles por favor", True),
        ("quiero un auto ingles", False),
    ],
)
def test_the_language_asked(text: str, asks: bool) -> None:
    assert cues.asks_language(text) is asks


def test_the_language_asked_gets_its_answer_not_the_off_topic_line() -> None:
    r = Chat().say("hello, do you speak english?")
    assert "inglés" in r.reply
    assert "no es algo en lo que pueda" not in r.reply


def test_two_cars_they_have_are_both_left_out_of_the_search() -> None:
    # Each car is cut where it was found, whatever was cut before it.
    r = read("tengo un versa, tengo un corolla y busco una camioneta")
    assert (r.need.model, r.need.body_type) == (None, "suv")
