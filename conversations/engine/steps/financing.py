"""Financing the chosen car: down payment, term, the plan, and the offer that follows it."""

from __future__ import annotations

import re
from decimal import Decimal

from conversations.engine import replies
from conversations.engine.financing import (
    FinancingPlan,
    financing_plan,
    money,
)
from conversations.engine.state import Action, CarOption, Step
from conversations.engine.steps.lead import advance_lead
from conversations.engine.turn import TurnResult
from conversations.engine.turn_builder import Turn

ASKS_MONTHLY = re.compile(r"\b(?:al mes|mensualidad\w*|mensual\w*|por mes|x mes)\b")


def advance_financing(turn: Turn) -> TurnResult:
    s = turn.slots
    car = s.chosen
    assert car is not None  # noqa: S101 - only called after a choice
    if s.cash_purchase:
        if s.plan_shown_for != f"cash|{car.stock_id}":
            turn.say(replies.cash_ack(car))
            turn.set_slots(plan_shown_for=f"cash|{car.stock_id}")
        return after_plan(turn)
    if s.down_payment is None and s.down_payment_ratio is not None:
        turn.set_slots(down_payment=money(car.price * s.down_payment_ratio))
    s = turn.slots
    if s.down_payment is None:
        if ASKS_MONTHLY.search(turn.reading.folded) and turn.reading.monthly_target is None:
            # "¿cuánto pagaría al mes?": the four terms with the minimum down payment.
            minimum = money(car.price * turn.config.min_down_ratio)
            plans = [
                financing_plan(
                    price=car.price,
                    down_payment=minimum,
                    annual_rate=turn.config.annual_rate,
                    term_months=t,
                )
                for t in turn.config.terms
            ]
            turn.say(replies.minimum_down_comparison(minimum, plans))
        return turn.ask(Action.ASK_DOWN_PAYMENT)
    minimum = money(car.price * turn.config.min_down_ratio)
    if s.down_payment >= car.price:
        turn.set_slots(cash_purchase=True, down_payment=None, down_payment_ratio=None)
        turn.say(replies.cash_offer(price=car.price))
        turn.set_slots(plan_shown_for=f"cash|{car.stock_id}")
        return after_plan(turn)
    if s.down_payment < minimum:
        turn.set_slots(down_payment=None, down_payment_ratio=None)
        turn.say(replies.down_payment_too_low(minimum=minimum, price=car.price))
        return turn.result(Action.ASK_DOWN_PAYMENT, ask=False)
    if s.term_months is None:
        asks = ASKS_MONTHLY.search(turn.reading.folded) or turn.reading.monthly_asked
        # "¿y si doy 30?" while the term is asked: what each term would be with that.
        asks = asks or ("down" in turn.changed and turn.reading.question)
        if "compare" in turn.changed or asks:
            # "¿cuánto pagaría al mes?": the four terms answer it before choosing one.
            turn.say(replies.comparison_block(plans_by_term(turn)))
        if "term_invalid" in turn.changed:
            return turn.result(Action.ASK_TERM, ask=False)
        return turn.ask(Action.ASK_TERM)
    key = f"{car.stock_id}|{s.down_payment}|{s.term_months}"
    if s.plan_shown_for != key or "compare" in turn.changed:
        plan = plan_for(turn, s.term_months)
        turn.financing = plan
        turn.say(replies.plan_block(plan, ratio=s.down_payment_ratio))
        # The comparison of terms once per car and down payment: "¿y a 6 años?" gets the plan.
        same_base = (s.plan_shown_for or "").rsplit("|", 1)[0] == key.rsplit("|", 1)[0]
        if not same_base or "compare" in turn.changed:
            others = plans_by_term(turn)
            turn.say(replies.comparison_block(others))
        turn.say(replies.estimate_disclaimer())
        turn.set_slots(plan_shown_for=key)
        turn.understood["financing"] = plan.as_dict()
    return after_plan(turn)


def after_plan(turn: Turn) -> TurnResult:
    s = turn.slots
    if s.lead_captured:
        return turn.ask(Action.OFFER_HELP, step=Step.DONE)
    if s.wants_appointment or s.wants_callback:
        return advance_lead(turn)
    return turn.ask(Action.OFFER_APPOINTMENT)


def plan_for(turn: Turn, term: int) -> FinancingPlan:
    car = turn.slots.chosen
    assert car is not None  # noqa: S101
    assert turn.slots.down_payment is not None  # noqa: S101
    return financing_plan(
        price=car.price,
        down_payment=turn.slots.down_payment,
        annual_rate=turn.config.annual_rate,
        term_months=term,
    )


def plans_by_term(turn: Turn) -> list[FinancingPlan]:
    """The chosen car's plan at every term offered, with the down payment known."""
    return [plan_for(turn, term) for term in turn.config.terms]


def price_plans_by_term(turn: Turn, price: Decimal, down: Decimal) -> list[FinancingPlan]:
    """A price's plan at every term offered ("¿cuánto pagaría al mes por un carro de 200 mil?")."""
    return [
        financing_plan(
            price=price, down_payment=down, annual_rate=turn.config.annual_rate, term_months=term
        )
        for term in turn.config.terms
    ]


def sample_term(turn: Turn) -> int:
    """The term the customer gave, else 60 months (the middle of the range)."""
    if turn.slots.term_months in turn.config.terms:
        return turn.slots.term_months
    return 60 if 60 in turn.config.terms else turn.config.terms[-1]


def monthly_by_option(turn: Turn) -> list[tuple[int, CarOption, Decimal, Decimal]]:
    """Each option shown, its down payment (the one given, else the least; never under the
    least) and its monthly payment at the term given (else the sample term)."""
    s = turn.slots
    rows = []
    for i, car in enumerate(s.options, start=1):
        minimum = money(car.price * turn.config.min_down_ratio)
        if s.down_payment_ratio is not None:
            given = money(car.price * s.down_payment_ratio)
        else:
            given = s.down_payment if s.down_payment is not None else minimum
        down = min(max(given, minimum), car.price)
        plan = financing_plan(
            price=car.price,
            down_payment=down,
            annual_rate=turn.config.annual_rate,
            term_months=sample_term(turn),
        )
        rows.append((i, car, down, plan.monthly_payment))
    return rows


def say_monthly_by_option(turn: Turn) -> None:
    """Each option's monthly payment, with the down payment given or else the least one."""
    s = turn.slots
    given = s.down_payment is not None or s.down_payment_ratio is not None
    turn.say(
        replies.monthly_by_option(
            monthly_by_option(turn),
            term=sample_term(turn),
            rate=turn.config.annual_rate,
            min_ratio=None if given else turn.config.min_down_ratio,
        )
    )
