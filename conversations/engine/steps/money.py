"""The money the message states: budget, monthly cap, down payment, term, cash."""

from __future__ import annotations

import re
from decimal import Decimal

from conversations.engine import replies, replies_cars
from conversations.engine.financing import (
    max_price_for_monthly,
    money,
)
from conversations.engine.state import Action, evolve
from conversations.engine.steps.need import changed_mind, query_key
from conversations.engine.turn_builder import Turn


def unplaced_answer(turn: Turn) -> None:
    """The answer to "¿72 meses o 72 mil?": a cue word alone, or a yes to the only role."""
    value = turn.state.unplaced
    roles = turn.state.unplaced_roles
    if value is None:
        return
    turn.state = evolve(turn.state, unplaced=None, unplaced_roles=())
    r = turn.reading
    if r.has_money:
        return  # the customer said it again, with its cue
    folded = r.folded
    amount = Decimal(value)
    role = None
    if re.search(r"\b(?:meses|mes|plazo)\b", folded):
        role = "term"
    elif re.search(r"\b(?:presupuesto|precio|mil|pesos|total)\b", folded):
        role = "price"
    elif re.search(r"\benganche\b", folded):
        role = "down"
    elif r.only_yes and len(roles) == 1:
        role = roles[0]
    if role == "term" and int(amount) in turn.config.terms:
        turn.set_slots(term_months=int(amount))
        turn.changed.add("term")
    elif role == "price":
        price = amount * 1000 if amount < 10000 else amount
        turn.set_slots(budget_max=price, budget_min=None, monthly_budget=None)
        turn.changed.add("budget")
        turn.say(replies.budget_ack(max_price=price, min_price=None))
    elif role == "down":
        turn.set_slots(down_payment=amount, down_payment_ratio=None)
        turn.changed.add("down")


_FINANCE_AFTER_ALL = re.compile(
    r"\b(?:financ\w*|a credito|con credito|a meses|a plazos|en mensualidades|en pagos)\b"
)


def take_money(turn: Turn) -> None:
    r = turn.reading
    before = turn.slots
    config = turn.config
    if r.budget_max is not None:
        turn.set_slots(budget_max=r.budget_max, budget_min=r.budget_min, monthly_budget=None)
        turn.changed.add("budget")
        turn.say(replies.budget_ack(max_price=r.budget_max, min_price=r.budget_min))
    if r.down_amount is not None:
        turn.set_slots(down_payment=money(r.down_amount), down_payment_ratio=None)
        turn.changed.add("down")
    elif r.down_ratio is not None or r.down_minimum:
        ratio = config.min_down_ratio if r.down_minimum else r.down_ratio
        turn.set_slots(down_payment_ratio=ratio, down_payment=None)
        turn.changed.add("down")
    elif r.down_none and (turn.slots.chosen is not None or turn.pending == Action.ASK_DOWN_PAYMENT):
        turn.set_slots(down_payment=Decimal(0), down_payment_ratio=None)
        turn.changed.add("down")
    if r.monthly is not None:
        turn.set_slots(monthly_budget=r.monthly)
        turn.changed.add("budget")
    if (
        turn.slots.monthly_budget is not None
        and r.budget_max is None
        # A new down payment changes what is affordable only while no car is chosen.
        and (r.monthly is not None or ("down" in turn.changed and turn.slots.chosen is None))
    ):
        budget_from_monthly(turn)
    if r.term is not None:
        if r.term.months:
            if r.term.months != before.term_months:
                turn.set_slots(term_months=r.term.months)
                turn.changed.add("term")
        elif r.term.invalid:
            turn.say(replies.invalid_term())
            turn.changed.add("term_invalid")
        elif r.term.compare:
            turn.changed.add("compare")
    if r.cash and not before.cash_purchase:
        turn.set_slots(cash_purchase=True)
        turn.changed.add("cash")
        if turn.slots.chosen is None and turn.slots.options:
            turn.say(replies_cars.cash_noted())  # "lo pago de contado" before choosing: noted
            turn.changed.add("cash_noted")
    elif r.cash and turn.slots.chosen is None and turn.slots.options and not r.question:
        # "lo pago de contado" again while options are shown: heard, not "no te entendí".
        turn.say(replies_cars.cash_noted())
        turn.changed.update(("cash", "cash_noted"))
    elif before.cash_purchase and _FINANCE_AFTER_ALL.search(r.folded):
        # "mejor financiado con 50 mil" after a cash purchase: the financing goes on.
        turn.set_slots(cash_purchase=False, plan_shown_for=None)
        turn.changed.add("cash_off")
    if "down" in turn.changed and turn.slots.chosen is None and not turn.slots.cash_purchase:
        s = turn.slots
        if r.monthly is None:
            turn.say(replies.down_payment_ack(amount=s.down_payment, ratio=s.down_payment_ratio))
    # The term given before the down payment ("lo quiero a 48 meses" while it is asked) is kept
    # and said back, so the question that follows does not look like it was missed.
    term_early = turn.pending == Action.ASK_DOWN_PAYMENT and "down" not in turn.changed
    if "term" in turn.changed and (turn.slots.chosen is None or term_early):
        turn.say(replies.term_ack(turn.slots.term_months or 0))
    if (
        before.chosen is not None
        and "budget" in turn.changed
        and query_key(before) != query_key(turn.slots)
    ):
        changed_mind(turn)


def budget_from_monthly(turn: Turn) -> None:
    s = turn.slots
    assert s.monthly_budget is not None  # noqa: S101 - called with a monthly budget
    term = max(turn.config.terms)
    financed_max = max_price_for_monthly(
        monthly=s.monthly_budget,
        annual_rate=turn.config.annual_rate,
        term_months=term,
        min_down_ratio=Decimal(0),
    )
    down = s.down_payment if s.down_payment is not None else None
    if down:
        # The down payment adds to what the payments finance, within the 10% minimum.
        price = min(financed_max + down, money(down / turn.config.min_down_ratio))
        max_price = price.quantize(Decimal("1"))
    else:
        max_price = max_price_for_monthly(
            monthly=s.monthly_budget,
            annual_rate=turn.config.annual_rate,
            term_months=term,
            min_down_ratio=turn.config.min_down_ratio,
        )
    turn.set_slots(budget_max=max_price, budget_min=None)
    turn.say(
        replies.monthly_budget_ack(
            monthly=s.monthly_budget,
            max_price=max_price,
            term=term,
            rate=turn.config.annual_rate,
            down_payment=down,
        )
    )
