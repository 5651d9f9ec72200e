"""Classes of reading fixed from the fifty-sixth development batch: cash in any wording, thanks
that is no "yes", the price of a car inside a question about the minimum down payment, "con"
an amount said with a term, asking for a recommendation, and reserving the car shown."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conversations.engine.state import Action
from tests.unit.conversations.engine.test_understanding import OPTIONS, read


@pytest.mark.parametrize(
    "text",
    ["mejor contado", "nah mejor contado, si me alcanza", "lo pago contado", "mejor efectivo"],
)
def test_cash_is_read_in_any_wording(text: str) -> None:
    assert read(text, Action.OFFER_APPOINTMENT, options=OPTIONS, chosen=OPTIONS[0]).cash


@pytest.mark.parametrize("text", ["tengo 300 mil", "no es efectivo ese filtro", "la 2"])
def test_no_cash_without_the_word(text: str) -> None:
    assert not read(text, Action.CHOOSE_OPTION, options=OPTIONS).cash


@pytest.mark.parametrize(
    ("text", "courtesy"),
    [
        ("ok gracias", True),
        ("gracias", True),
        ("va, muchas gracias", True),
        ("si gracias", False),  # a yes, with thanks
        ("claro, gracias", False),
        ("ok", False),  # no thanks said
    ],
)
def test_thanks_with_an_acknowledgement_is_a_courtesy(text: str, courtesy: bool) -> None:
    r = read(text, Action.OFFER_APPOINTMENT, options=OPTIONS, chosen=OPTIONS[0])
    assert r.courtesy is courtesy


def test_the_price_in_a_question_about_the_minimum_down_payment_is_the_budget() -> None:
    r = read("cuanto tendria q dar minimo de enganche por un carro de 180 mil?")
    assert r.rule_question == "min_down"
    assert r.budget_max == Decimal("180000")
    assert r.down_amount is None


def test_the_minimum_down_payment_asked_without_a_price_reads_no_money() -> None:
    r = read("cuanto es lo minimo de enganche?")
    assert r.rule_question == "min_down"
    assert r.budget_max is None


@pytest.mark.parametrize(
    ("text", "down", "budget"),
    [
        ("y a 48 meses con 30 mil cuanto seria?", "30000", None),
        ("a 60 meses con 50", "50000", None),
        ("con 300 mil a 48 meses", None, "300000"),  # above the budget: a price
    ],
)
def test_con_and_an_amount_with_a_term_is_the_down_payment(
    text: str, down: str | None, budget: str | None
) -> None:
    r = read(text, Action.CHOOSE_OPTION, options=OPTIONS, budget_max=Decimal("260000"))
    assert r.down_amount == (Decimal(down) if down else None)
    assert r.budget_max == (Decimal(budget) if budget else None)


@pytest.mark.parametrize(
    "text", ["cual me recomiendas tu?", "tu dime cual", "el que tu me recomiendes", "q me sugieres"]
)
def test_asking_for_a_recommendation_leaves_the_need_open(text: str) -> None:
    assert read(text, Action.ASK_NEED, budget_max=Decimal("250000")).open_need


@pytest.mark.parametrize(
    "text", ["va, apartamelo", "apartalo porfa", "me lo apartas?", "reservalo"]
)
def test_reserving_the_only_car_shown_chooses_it(text: str) -> None:
    assert read(text, Action.CHOOSE_OPTION, options=OPTIONS[:1]).choice == 0
