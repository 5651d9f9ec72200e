"""Classes fixed from the sixty-eighth development batch: something cheaper and similar after a
plan, an indirect question, and a share of the price said with "el"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conversations.engine import cues
from conversations.engine.state import Action
from tests.unit.conversations.engine.test_policy import Chat
from tests.unit.conversations.engine.test_understanding import OPTIONS, read


@pytest.mark.parametrize(
    "text",
    ["no hay algo mas barato parecido?", "uno mas nuevo similar", "algo parecido", "otra similar"],
)
def test_something_similar_with_a_word_between(text: str) -> None:
    assert cues.wants_similar(text)


def test_cheaper_and_similar_after_a_plan_shows_cheaper_cars_of_the_kind() -> None:
    chat = Chat()
    chat.say("busco un corolla")
    chat.say("cuanto cuesta?")
    chat.say("el 1")
    chat.say("60 mil de enganche")
    chat.say("a 48")
    r = chat.say("esta caro, no hay algo mas barato parecido?")
    assert r.cars
    assert all(c.price <= Decimal("289999") and c.stock_id != "1001" for c in r.cars)
    assert r.state.slots.model is None
    assert "cheap" in r.state.slots.uses


@pytest.mark.parametrize(
    "text",
    [
        "quiero saber si puedo sacar un carro a credito si estoy en buro",
        "me gustaria saber si aceptan tarjeta",
        "tengo una duda, el seguro va incluido",
    ],
)
def test_an_indirect_question_is_a_question(text: str) -> None:
    assert cues.is_question(text)


@pytest.mark.parametrize(
    ("text", "ratio", "amount"),
    [
        ("puedo dar el 20 y lo demas a 3 anos?", "0.2", None),
        ("el 30", "0.3", None),
        ("con el 25 de enganche", "0.25", None),
        ("20 mil de enganche", None, "20000"),
        ("el 5", None, None),  # not a share: 5% is below any down payment, and "el 5" is no money
    ],
)
def test_a_bare_number_after_el_is_a_share_of_the_price(
    text: str, ratio: str | None, amount: str | None
) -> None:
    r = read(text, Action.ASK_DOWN_PAYMENT, options=OPTIONS, chosen=OPTIONS[0])
    assert r.down_ratio == (Decimal(ratio) if ratio else None)
    assert r.down_amount == (Decimal(amount) if amount else None)
