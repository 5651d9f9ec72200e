"""Advancing the flow to its first unmet requirement, and prices without a budget."""

from __future__ import annotations

from conversations.engine import cues, replies, replies_cars
from conversations.engine.state import Action, Step, evolve
from conversations.engine.steps.choice import choose
from conversations.engine.steps.financing import advance_financing, say_monthly_by_option
from conversations.engine.steps.lead import advance_lead
from conversations.engine.steps.need import budget_answers_need, need_text, query_key, recommend
from conversations.engine.turn import TurnResult
from conversations.engine.turn_builder import Turn


def advance(turn: Turn, *, exclude: tuple[str, ...] = ()) -> TurnResult:
    """Move to the first unmet requirement of the flow, showing options or a plan on the way."""
    s = turn.slots
    if budget_answers_need(turn):
        turn.set_slots(need_open=True)
        turn.changed.add("need_open")
        s = turn.slots
    if not s.has_need:
        return turn.ask(Action.ASK_NEED)
    in_mind = "car_in_mind" in turn.understood  # a question about the model named, no budget yet
    # "estoy entre la cx-5 y la tucson, ¿cuál tienen más barata?": the prices of the names asked
    # about are shown ("¿cuál me recomiendas?" between two names asks the budget first).
    r = turn.reading
    priced = r.price_asked or r.cheaper or "cheap" in r.need.uses
    compared = bool(r.alternatives) and r.question and priced and not s.options
    # "¿tienen chevrolet?" … "¿y qué modelos?": the cars of the make in mind, listed.
    named = bool(s.make or s.body_type or s.model)
    compared = compared or (cues.asks_which_models(r.folded) and named and not s.options)
    if budget_stalled(turn, Action.ASK_BUDGET) or _listing_named(turn) or in_mind or compared:
        return options_without_budget(turn)
    if not s.has_budget and not s.options:
        if "need" in turn.changed and cues.asks_exists(turn.reading.folded):
            say_stock(turn)  # "¿tienen automáticos?": yes, how many (or none), then the budget
        elif "need" in turn.changed and not turn.reading.question:
            turn.say(replies.need_ack(need_text(s), name=new_name(turn)))
        return turn.ask(Action.ASK_BUDGET)
    if s.chosen is None:
        stale = exclude or not s.options or s.options_for != query_key(s)
        if stale and not recommend(turn, exclude=exclude):
            return turn.ask(Action.ASK_NEED, step=Step.OPTIONS)
        if "need_open" in turn.changed:
            turn.say(replies.need_refines())
        return turn.ask(Action.CHOOSE_OPTION)
    if s.lead_captured:
        return advance_financing(turn)
    if (
        (s.wants_appointment or s.wants_callback)
        and s.plan_shown_for is None
        and ("choice" in turn.changed and s.down_payment is None and not s.cash_purchase)
    ):
        return advance_lead(turn)  # they want to see it: financing can wait
    return advance_financing(turn)


def _listing_named(turn: Turn) -> bool:
    """ "me interesa el versa 2020 que tienen publicado", "vi un cx5 2019 en su página": a model
    and its year said of a car seen (a definite article, or where it was seen) name the listing
    itself; it is shown, with no budget asked first ("busco un mazda 3 2018" is a search)."""
    s = turn.slots
    return bool(
        "need" in turn.changed
        and s.model
        and s.year_min
        and not s.has_budget
        and not s.options
        and cues.names_a_listing(turn.reading.folded)
    )


def say_stock(turn: Turn) -> None:
    """How many cars of the kind asked about are in stock (kind, make, model and transmission;
    a use such as "familiar" is not counted by)."""
    s = turn.slots
    if s.seats or s.year_min or s.km_max or s.alternatives:
        return
    if not (s.body_type or s.make or s.model or s.transmission):
        return
    count = turn.deps.catalog.count(
        body_type=s.body_type, make=s.make, model=s.model, transmission=s.transmission
    )
    counted = replies_cars.need_summary(
        body_type=s.body_type, uses=(), make=s.make, model=s.model, transmission=s.transmission
    )
    turn.say(replies_cars.stock_count(count, counted))
    turn.understood["stock_count"] = count


def new_name(turn: Turn) -> str | None:
    return turn.reading.name if turn.reading.name else None


def budget_stalled(turn: Turn, action: Action) -> bool:
    """A car is in mind and the customer does not know the budget ("no sé cuánto gastar"), or
    it was asked three times: show prices instead of asking again."""
    s = turn.slots
    return (
        action == Action.ASK_BUDGET
        and not s.has_budget
        and not s.options
        and s.has_need
        and (turn.reading.budget_unknown or turn.state.times_asked(Action.ASK_BUDGET.value) >= 3)
    )


def asks_price_without_budget(turn: Turn) -> bool:
    """ "¿Cuánto cuesta el jetta?" (or "¿cuánto quedaría el tracker a 48 meses?") with a car
    in mind and no budget yet."""
    s = turn.slots
    r = turn.reading
    car_named = bool(s.make or s.model or s.body_type or r.need.found)
    # "¿cuánto cuesta el seguro con ustedes?" asks about Kavak, not about the car's price.
    about_kavak = r.kavak_topic and not r.need.found
    # "¿cuánto quedaría el tracker a 48 meses?", or about the model named before ("me interesa
    # el kicks" … "¿cuánto sería de enganche y de mensualidad?").
    financing_asked = (
        r.question
        and bool(r.need.model or s.model)
        and (r.monthly_asked or r.down_amount is not None or r.term is not None)
    )
    asked = r.price_asked or financing_asked
    return asked and not s.has_budget and car_named and not about_kavak


def options_without_budget(turn: Turn) -> TurnResult:
    if not recommend(turn):
        return turn.ask(Action.ASK_BUDGET)
    r = turn.reading
    options = turn.slots.options
    if len(options) == 1 and r.need.model and turn.changed & {"down", "term"}:
        # "¿cuánto quedaría el tracker a 48 meses con 60 mil?": the only one, simulated.
        choose(turn, 0)
        return advance(turn)
    if r.monthly_asked:
        say_monthly_by_option(turn)
    turn.say(replies.budget_refines())
    return turn.result(Action.CHOOSE_OPTION, ask=False)


def suggestion(turn: Turn) -> TurnResult | None:
    """A pending "¿Quisiste decir…?" is settled only by a message that is only yes or no."""
    candidate = turn.state.suggestion
    if not candidate:
        return None
    turn.state = evolve(turn.state, suggestion=None)
    if turn.reading.only_yes:
        match = turn.deps.catalog.match_need(candidate)
        turn.set_slots(make=match.make, model=match.model, body_type=match.body_type)
        turn.changed.add("need")
        return advance(turn)
    if turn.reading.only_no:
        turn.say("Entendido.")
        return turn.ask(Action.ASK_NEED)
    return None
