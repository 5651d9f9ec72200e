"""Money in a message, each amount placed by its cue: budget, monthly cap, down payment.

A bare number no cue explains is placed by the pending question when it can only mean what
it asks, else left *unplaced*, to be confirmed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from conversations.engine import cues, parsing
from conversations.engine.reading.money_cues import (
    _DOWN,
    _HALF,
    _MAX_MONEY,
    _MIN_PRICE,
    _MINIMUM,
    _MONTHLY_ASKED,
    _NO_DOWN,
    _NOTHING,
    _OPTION_REF,
    _PERCENT,
    _RANGE,
    _RATE,
    _TERM_BEFORE,
    _amount_role,
    _clause,
    _monthly_for_the_budget,
)
from conversations.engine.reading.text import (
    _bare,
    _has,
)
from conversations.engine.state import Action, CarOption
from spanish import fold


@dataclass
class _Money:
    budget_max: Decimal | None = None
    budget_min: Decimal | None = None
    monthly: Decimal | None = None
    down_amount: Decimal | None = None
    down_ratio: Decimal | None = None
    down_minimum: bool = False
    down_none: bool = False
    unplaced: Decimal | None = None
    unplaced_roles: tuple[str, ...] = ()
    budget_unknown: bool = False  # "no sé cuánto gastar", "tú dime" when the budget is asked
    income: Decimal | None = None  # "gano 25 mil al mes": what they earn, no budget


def _read_money(
    text: str,
    *,
    pending: Action,
    chosen: CarOption | None,
    terms: tuple[int, ...],
    names_car: bool,
    term_found: bool,
    budget: Decimal | None = None,
) -> _Money:
    prepared = parsing.prepare_money_text(text)
    money = _Money()
    _read_amounts(
        text,
        prepared,
        money,
        pending=pending,
        chosen=chosen,
        terms=terms,
        names_car=names_car,
        term_found=term_found,
        budget=budget,
    )
    if not (money.budget_max or money.monthly):
        money.budget_unknown = cues.budget_unknown(
            fold(text), budget_asked=pending == Action.ASK_BUDGET
        )
    return money


def _read_amounts(
    text: str,
    prepared: str,
    money: _Money,
    *,
    pending: Action,
    chosen: CarOption | None,
    terms: tuple[int, ...],
    names_car: bool,
    term_found: bool,
    budget: Decimal | None,
) -> None:
    expecting_down = pending == Action.ASK_DOWN_PAYMENT
    _read_down_words(prepared, money, expecting_down=expecting_down)
    asks_monthly = _MONTHLY_ASKED.search(prepared) is not None
    taken = _read_range(prepared, money)
    amounts = parsing.find_amounts(text)
    corrects = _corrections(prepared, amounts)
    for i, amount in enumerate(amounts):
        if any(a <= amount.start < b for a, b in taken) or i in corrects.values():
            continue
        if len(amounts) > 1 and _NEGATED_AMOUNT.search(prepared[: amount.start]):
            continue  # "eran 90 de enganche, no 80": the other amount is meant
        if _option_or_term(prepared, amount, terms=terms, term_found=term_found):
            continue
        role = _amount_role(
            prepared,
            amounts[corrects.get(i, i)],  # "300, digo 260": the corrected amount's cue
            car_chosen=chosen is not None and not names_car,
            asks_monthly=asks_monthly,
        )
        value = amount.value
        if role == "income":
            # What they earn: no budget, no monthly payment (the agent asks what they would pay).
            money.income = value * 1000 if not amount.explicit and value < 1000 else value
            continue
        if role == "monthly":
            value = value * 1000 if not amount.explicit and value < 100 else value
            if Decimal(500) <= value <= Decimal(200_000):
                money.monthly = value
            continue
        if role == "price" and term_found and _down_with_the_term(prepared, amount, budget):
            role = "down"
        if (role == "down" or (not role and expecting_down)) and _share(prepared, amount):
            money.down_ratio = value / 100  # "puedo dar el 20": a share ("el 20 mil" is not said)
            continue
        if role == "down":
            value = value * 1000 if not amount.explicit and value < 1000 else value
            if Decimal(1000) <= value <= _MAX_MONEY:
                money.down_amount = value
            continue
        if pending == Action.ASK_BUDGET and _monthly_for_the_budget(prepared, amount, role):
            # "6 mil", "unos 6 mil" answering the budget question: no car costs that, a monthly
            # payment does ("tengo 40 mil" stays what they have).
            if value >= 500:
                money.monthly = value
            continue
        if role == "price" or (not role and amount.explicit and chosen is None):
            if role == "" and (
                expecting_down
                or (_far_below(value, budget, pending) and not _NEW_BUDGET.search(prepared))
            ):
                # "va 35k" with cars of about 280 mil shown: a down payment, not a new budget.
                money.down_amount = value
                continue
            value = value * 1000 if not amount.explicit and 20 <= value < 10000 else value
            if _MIN_PRICE <= value <= _MAX_MONEY:
                money.budget_max, money.budget_min = value, None
            continue
        # No cue: the pending question decides when the number can only mean what it asks.
        _place_bare(
            money,
            amount,
            pending=pending,
            chosen=chosen,
            terms=terms,
            names_car=names_car,
            term_found=term_found,
            budget=budget,
        )


# "dar el 20", "con el 30 de enganche": a bare number after "el" is a share of the price.
_ARTICLE_SHARE = re.compile(r"\bel\s*$")


def _option_or_term(
    prepared: str, amount: parsing.Amount, *, terms: tuple[int, ...], term_found: bool
) -> bool:
    """A bare small number that names an option ("por el 1", "la 2") or that the term already
    read ("100 mil de enganche a 48", "a 3" years): no money."""
    before = prepared[: amount.start]
    if amount.explicit:
        return False
    if amount.value < 20 and _OPTION_REF.search(before):
        return True
    return (
        term_found
        and (int(amount.value) in terms or amount.value <= 12)
        and _TERM_BEFORE.search(before) is not None
    )


def _share(prepared: str, amount: parsing.Amount) -> bool:
    """A bare whole number from 10 to 90 right after "el": a percentage of the price."""
    value = amount.value
    return (
        not amount.explicit
        and 10 <= value <= 90
        and value == int(value)
        and _ARTICLE_SHARE.search(prepared[: amount.start]) is not None
    )


_WITH_BEFORE = re.compile(r"\bcon\s*(?:unos|como|\$)?\s*$")


def _down_with_the_term(prepared: str, amount: parsing.Amount, budget: Decimal | None) -> bool:
    """ "¿y a 48 meses con 30 mil?": said with a term, "con" and an amount below the budget is
    the down payment of that plan."""
    if not _WITH_BEFORE.search(prepared[: amount.start]):
        return False
    value = amount.value
    thousands = value * 1000 if not amount.explicit and value < 1000 else value
    return budget is None or thousands < budget


# "mejor 80 mil", "bájale a 150": the budget corrected, however far below.
_NEW_BUDGET = re.compile(r"\b(?:mejor|digo|perdon|corrijo|bajale|menos|hasta|maximo|max)\b")


def _far_below(value: Decimal, budget: Decimal | None, pending: Action) -> bool:
    """An amount without a cue under a third of the budget while options are shown."""
    return pending == Action.CHOOSE_OPTION and budget is not None and value * 3 < budget


# Between an amount and the next, a self-correction: "300, digo 260", "de 200, no perdón de 250",
# "30 mil, no, mejor dicho 45 mil". The first is dropped and the second takes its role.
_CORRECTION = re.compile(
    r"^\W*(?:no\W+)?(?:(?:perdon|disculpa|digo|mejor dicho|quise decir|corrijo|me equivoque"
    r"|bueno|mejor|o sea|no)\W+)+(?:(?:de|como|unos|en|a|son|es)\W+)?$"
)


_NEGATED_AMOUNT = re.compile(
    r"(?:^|[\s,])(?:no|y no|en vez de|en lugar de)\s+(?:eran?\s+|son\s+|es\s+)?\$?\s*$"
)


def _corrections(prepared: str, amounts: list[parsing.Amount]) -> dict[int, int]:
    """Index of each correcting amount → index of the amount it corrects."""
    return {
        i + 1: i
        for i in range(len(amounts) - 1)
        if _CORRECTION.match(prepared[amounts[i].end : amounts[i + 1].start] + " ")
    }


def _read_down_words(prepared: str, money: _Money, *, expecting_down: bool) -> None:
    """The down payment said without an amount: a percentage, half, the minimum, none."""
    down_context = expecting_down or _has(prepared, _DOWN)
    for m in _PERCENT.finditer(prepared):
        clause, _offset = _clause(prepared, m.start(), m.end())
        if _has(clause, _RATE):
            continue  # "la tasa del 10%": the rate, not a down payment
        ratio = Decimal(m.group(1).replace(",", ".")) / 100
        if 0 < ratio <= 1:
            money.down_ratio = ratio
    if money.down_ratio is None and down_context and _HALF.search(prepared):
        money.down_ratio = Decimal("0.5")
    if down_context and _MINIMUM.search(prepared):
        money.down_minimum = True
    if _NO_DOWN.search(prepared) or (expecting_down and _NOTHING.search(_bare(prepared))):
        money.down_none = True


def _read_range(prepared: str, money: _Money) -> list[tuple[int, int]]:
    """A price range ("entre 200 y 300 mil"): the budget, and the span it takes."""
    taken: list[tuple[int, int]] = []
    range_m = _RANGE.search(prepared)
    if range_m:
        low, high = parsing._to_decimal(range_m.group(1)), parsing._to_decimal(range_m.group(3))
        factor = {None: 1, "mil": 1000, "k": 1000, "millones": 1_000_000}
        if low is not None and high is not None:
            low *= factor[range_m.group(2) or range_m.group(4)]
            high *= factor[range_m.group(4)]
            if high < 1000:
                low, high = low * 1000, high * 1000
            low, high = sorted((low, high))
            if _MIN_PRICE <= high <= _MAX_MONEY:
                money.budget_max, money.budget_min = high, low or None
                taken.append(range_m.span())
    return taken


def _place_bare(
    money: _Money,
    amount: parsing.Amount,
    *,
    pending: Action,
    chosen: CarOption | None,
    terms: tuple[int, ...],
    names_car: bool,
    term_found: bool,
    budget: Decimal | None = None,
) -> None:
    value = amount.value
    if amount.explicit:
        # Money after a car was chosen, with no cue: a new down payment below its price.
        if chosen is not None and value < chosen.price:
            money.down_amount = value
        elif chosen is not None:
            money.unplaced, money.unplaced_roles = value, ("price",)
        return
    if term_found and int(value) in terms:
        return  # the term already read this number ("a 48")
    thousands = value * 1000
    if pending == Action.ASK_DOWN_PAYMENT and value < 1000:
        money.down_amount = thousands
        return
    if pending == Action.ASK_TERM:
        if value >= 100:
            money.unplaced, money.unplaced_roles = thousands, ("down",)
        return
    if value < 20:
        return  # "el 2", "3 opciones": not money
    if int(value) in terms and not names_car:
        # "72" when asked for the budget: 72 months or 72 mil? Confirm, never guess.
        money.unplaced, money.unplaced_roles = value, ("term", "price")
        return
    if value >= 10000:
        return
    if _far_below(thousands, budget, pending):
        money.down_amount = thousands  # "entonces 40" with cars of about 250 mil shown
        return
    if pending == Action.ASK_BUDGET or names_car:
        money.budget_max, money.budget_min = thousands, None
        return
    if value >= 100:
        money.unplaced, money.unplaced_roles = thousands, ("price",)
