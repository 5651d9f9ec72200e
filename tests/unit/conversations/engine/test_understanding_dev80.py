"""Classes fixed from the eightieth development batch: a budget not known, however it is said;
what the customer earns is asked what they would pay a month; an amount under any car's price
answering the budget question is a monthly payment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conversations.engine import cues
from conversations.engine.state import Action
from tests.unit.conversations.engine.test_policy import Chat
from tests.unit.conversations.engine.test_understanding import read


@pytest.mark.parametrize(
    "text",
    [
        "pero no se cuanto me pueda alcanzar",
        "no estoy seguro de cuanto pueda gastar",
        "no se hasta cuanto me alcanza",
        "no tengo idea de cuanto podria pagar",
    ],
)
def test_a_budget_not_known(text: str) -> None:
    assert cues.budget_unknown(text, budget_asked=False)


def test_what_they_earn_is_asked_what_they_would_pay() -> None:
    chat = Chat()
    chat.say("busco un sedan")
    r = chat.say("gano 25 mil al mes")
    assert (r.state.slots.budget_max, r.state.slots.monthly_budget) == (None, None)
    assert "ingreso de $25,000" in r.reply
    assert "mensualidad" in r.reply


@pytest.mark.parametrize(
    ("text", "monthly", "budget"),
    [
        ("6 mil", "6000", None),
        ("unos 6 mil", "6000", None),
        ("como 7 mil", "7000", None),
        ("250 mil", None, "250000"),
        ("hasta 300 mil", None, "300000"),
        ("tengo 40 mil", None, "40000"),  # what they have: the budget, as before
    ],
)
def test_an_amount_under_any_car_answering_the_budget_is_monthly(
    text: str, monthly: str | None, budget: str | None
) -> None:
    r = read(text, Action.ASK_BUDGET)
    assert r.monthly == (Decimal(monthly) if monthly else None)
    assert r.budget_max == (Decimal(budget) if budget else None)
