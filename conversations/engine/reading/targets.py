"""Amounts that are targets, not budgets: the monthly payment a down payment should reach, and
the price of a car asked about in a question about the rules, and the minimum down payment asked
about or taken."""

from __future__ import annotations

import re
from decimal import Decimal

from conversations.engine import parsing
from conversations.engine.reading.money import _Money
from conversations.engine.reading.money_cues import _CAR_OF, _MIN_PRICE
from conversations.engine.state import Action, CarOption, ConversationState

# "¿cuánto tendría que dar de enganche para pagar 8 mil al mes?": the down payment a monthly
# payment needs (the amount is the monthly payment, not the down payment).
_DOWN_FOR_MONTHLY = re.compile(
    r"\bcuant\w*\b.*\benganche\b.*\b(?:para|y)\s+(?:pagar|que (?:me )?(?:quede|salga)|quedar"
    r"|dejar|tener)\b.*\b(?:al mes|mensual\w*|por mes|cada mes|x mes)\b"
)


def monthly_target(text: str, folded: str) -> Decimal | None:
    if not _DOWN_FOR_MONTHLY.search(folded):
        return None
    amounts = parsing.find_amounts(text)
    if not amounts:
        return None
    amount = amounts[-1]
    value = amount.value * 1000 if not amount.explicit and amount.value < 100 else amount.value
    return value if Decimal(500) <= value <= Decimal(200_000) else None


def price_of_a_car(text: str) -> Decimal | None:
    """ "¿cuánto es el enganche mínimo para un carro de 180 mil?": the price said after "un
    carro de" (read as the budget: it is the car they have in mind)."""
    prepared = parsing.prepare_money_text(text)
    for amount in parsing.find_amounts(text):
        if _CAR_OF.search(prepared[: amount.start]):
            value = amount.value
            if not amount.explicit and value < 10000:
                value *= 1000  # "de 180": thousands
            return value if value >= _MIN_PRICE else None
    return None


def _target_of_the_car(
    money: _Money,
    target: Decimal | None,
    *,
    chosen: CarOption | None,
    choice: int | None,
    car: bool,
) -> Decimal | None:
    """ "me interesa el primero pero quisiera pagar 4 mil al mes": with a car chosen (now or
    before), a monthly amount alone is what that car should cost a month (so: the down payment it
    needs), not a new search."""
    if target is not None or money.monthly is None or money.budget_max is not None or car:
        return target
    if chosen is None and choice is None:
        return None
    monthly, money.monthly = money.monthly, None
    return monthly


def _minimum_read(
    money: _Money,
    folded: str,
    text_money: str,
    *,
    state: ConversationState,
    rule_question: str | None,
    term: parsing.Term | None,
) -> None:
    """The minimum down payment asked about, or taken right after hearing it."""
    if rule_question == "min_down":
        _min_down_money(money, text_money, chosen=state.slots.chosen, term=term)
    elif (
        "min_down" in state.told
        and state.next_action == Action.ASK_DOWN_PAYMENT
        and _TAKES_THAT.match(folded)
    ):
        money.down_minimum = True  # "ok eso, a 72" right after hearing the minimum: that one


# "ok eso", "va, con ese", "sale, esa cantidad": what the agent just said is taken.
_TAKES_THAT = re.compile(
    r"^\W*(?:(?:ok|okay|oki|va|sale|si|bueno|perfecto|esta bien|orale|vale|pues|entonces)\W+)*"
    r"(?:con\s+)?(?:eso|ese|esa|ese mismo|esa misma|esa cantidad|ese monto|ese minimo|lo mismo)"
    r"(?:\W|$)"
)


def _min_down_money(
    money: _Money, text: str, *, chosen: CarOption | None, term: parsing.Term | None
) -> None:
    """The least down payment asked: of the plan asked with it ("¿de enganche mínimo y
    mensualidad a 72?"), or of the price said ("…para un carro de 180 mil?", kept as the
    budget)."""
    if term is not None and chosen is not None:
        money.down_minimum = True
    if chosen is None:
        money.budget_max = price_of_a_car(text)
