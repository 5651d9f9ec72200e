"""What the message asks the flow to do: other options, a visit, a call, the plan."""

from __future__ import annotations

from decimal import Decimal

from conversations.engine import replies, replies_cars, replies_money
from conversations.engine.financing import money
from conversations.engine.state import Action, Slots, Step, evolve
from conversations.engine.steps.advance import (
    advance,
    asks_price_without_budget,
    options_without_budget,
)
from conversations.engine.steps.choice import choose, show_options_again
from conversations.engine.steps.financing import advance_financing, say_monthly_by_option
from conversations.engine.steps.global_intents import soft_close
from conversations.engine.steps.lead import advance_lead, capture
from conversations.engine.steps.need import query_key, recommend
from conversations.engine.turn import TurnResult
from conversations.engine.turn_builder import LEAD_ACTIONS, Turn


def flow_intents(turn: Turn) -> TurnResult | None:
    """What the message asks the flow to do, step by step; None: nothing settled the turn."""
    r = turn.reading
    s = turn.slots
    pending = turn.pending
    in_lead = pending in LEAD_ACTIONS or s.lead_captured
    searched = "need" in turn.changed or "budget" in turn.changed
    outcome = _options_intents(turn, in_lead=in_lead, searched=searched)
    if outcome is not None:
        return outcome
    financing_steps = (Action.ASK_DOWN_PAYMENT, Action.ASK_TERM)
    if (
        pending in financing_steps
        and s.chosen is not None
        and r.decline
        and not (turn.changed or turn.answered or r.question)
    ):
        # "no gracias, solo estaba viendo" while the down payment or term is asked: the door
        # stays open, nothing more is asked.
        return soft_close(turn, plan=s.plan_shown_for is not None, data_asked=False)
    if pending == Action.OFFER_APPOINTMENT:
        if turn.changed - {"contact"} - {"appointment"} and not (r.appointment or r.callback):
            return None  # a new term or down payment: show the plan again
        if r.callback:
            turn.set_slots(wants_callback=True, wants_appointment=True)
            return advance_lead(turn)
        # A day or an hour in answer to "¿quieres ir a verlo?" ("el viernes a las 12 en la de
        # Santa Fe") says yes to the visit.
        visit_time = r.contact_at is not None and not r.no
        if (r.courtesy or r.think_later) and not (r.appointment or visit_time):
            return soft_close(turn, plan=True)  # "ok gracias": thanks for the plan, no visit
        kept = r.term.months if r.term is not None else None
        if kept == s.term_months and kept and not (turn.answered or r.appointment or visit_time):
            # "va a 5", "ok con el mínimo a 60" after that plan: the plan shown is the one they
            # take; the visit is offered again, not taken as said.
            turn.say(replies_money.term_kept(kept))
            return turn.ask(Action.OFFER_APPOINTMENT)
        if r.appointment or (r.yes and not r.no) or r.only_yes or visit_time:
            turn.set_slots(wants_appointment=True, wants_callback=False)
            return advance_lead(turn)
        if r.decline or r.think_later or r.no:
            return soft_close(turn, plan=True)
    if s.options and not s.lead_captured and (r.appointment or (r.callback and s.chosen)):
        # Wanting to see a car or a call, asked at any point after the options were shown.
        turn.set_slots(wants_appointment=True, wants_callback=bool(r.callback))
        if s.chosen is None and s.focus is not None:
            choose(turn, s.focus)  # "¿podemos ir a verla?" after asking about one option
        elif s.chosen is None:
            # "¿puedo ir a verlas?" with several shown: yes, and which one (then the booking).
            turn.say(replies_cars.visit_which(call=bool(r.callback)))
            return turn.result(Action.CHOOSE_OPTION, ask=False)
        return advance_lead(turn)
    if r.appointment and not s.options:
        turn.set_slots(wants_appointment=True)  # remembered; contact data comes after options
    if (
        r.monthly_asked
        and s.chosen is not None
        and pending in (Action.ASK_DOWN_PAYMENT, Action.ASK_TERM)
        and not (turn.changed - {"contact"})
    ):
        # "¿y la mensualidad con ese?" while the down payment or term is asked: the terms
        # with what is known (the least down payment when none was given), then the question.
        return advance_financing(turn)
    return _contact_intents(turn, s, in_lead=in_lead)


def _options_intents(turn: Turn, *, in_lead: bool, searched: bool) -> TurnResult | None:
    """Other options, the list again, a choice among some, or the monthly payment of each."""
    r = turn.reading
    s = turn.slots
    pending = turn.pending
    if s.options and s.chosen is not None and r.show_again and not (in_lead or searched):
        # "no me gustó, regrésame a las opciones": the choice is dropped, the list shown.
        turn.set_slots(chosen=None, plan_shown_for=None)
        return show_options_again(turn)
    if s.options and r.similar and "need" not in turn.changed and not (in_lead or searched):
        return _similar(turn, s)
    if s.options and s.chosen is not None and r.other_options and not (in_lead or searched):
        # "no me convence, enséñame otras": drop the choice, show different cars.
        turn.set_slots(chosen=None, plan_shown_for=None)
        return advance(turn, exclude=tuple(c.stock_id for c in s.options))
    if pending == Action.CHOOSE_OPTION and s.options and s.chosen is None:
        if r.choice_among:
            among = [(i + 1, s.options[i]) for i in r.choice_among]
            if r.among_named:
                turn.say(replies_cars.choose_between(among))
            else:
                turn.say(replies_cars.choose_which(among))
            return turn.result(Action.CHOOSE_OPTION, ask=False)
        if r.show_again:
            return show_options_again(turn)
        if r.cheaper and "budget" not in turn.changed:
            # "están muy caras": cheaper ones than those shown, the cheapest first.
            if "cheap" not in s.uses:
                turn.set_slots(uses=(*s.uses, "cheap"))
            if s.budget_max is None:
                # No budget said: none dearer than the cheapest shown ("¿algo más barato?").
                turn.set_slots(budget_max=min(c.price for c in s.options))
            return advance(turn, exclude=tuple(c.stock_id for c in s.options))
        if r.other_options and "need" not in turn.changed:
            return advance(turn, exclude=tuple(c.stock_id for c in s.options))
        if turn.changed & {"down", "term"} and (len(s.options) == 1 or s.focus is not None):
            # "50 mil a 6 años" with one car shown, or right after asking about one: its plan.
            choose(turn, 0 if len(s.options) == 1 else s.focus or 0)
            return advance(turn)
        current = s.options_for == query_key(s)  # a down payment may change what is affordable
        if turn.changed & {"down", "term"} and current and r.choice is None:
            # "con 25 de enganche a 60 meses" before choosing: each option's monthly payment.
            say_monthly_by_option(turn)
            return turn.ask(Action.CHOOSE_OPTION)
        if (r.financing_interest or r.monthly_asked) and s.focus is not None:
            # "¿y cuánto quedaría al mes?" right after asking about one option: that one.
            choose(turn, s.focus)
            return advance(turn)
        if (r.financing_interest or r.monthly_asked) and r.choice is None:
            # "¿cuánto sería mensual?" before choosing: each option's monthly payment with
            # the least down payment, then the choice.
            say_monthly_by_option(turn)
            return turn.ask(Action.CHOOSE_OPTION)
    return None


def _similar(turn: Turn, s: Slots) -> TurnResult:
    """ "¿algo parecido?": cars of the same kind as the one chosen or asked about (the first
    shown otherwise), any make, about its price when no budget was said; never those shown."""
    focus = s.focus if s.focus is not None and s.focus < len(s.options) else 0
    like = s.chosen or s.options[focus]
    updates: dict[str, object] = {"make": None, "model": None, "alternatives": ()}
    if like.body_type:
        updates["body_type"] = like.body_type
    if turn.reading.cheaper:
        # "algo más barato parecido": under the price of that car, the cheapest first.
        updates["budget_max"] = min(s.budget_max or like.price, like.price)
        updates["uses"] = tuple(dict.fromkeys((*s.uses, "cheap")))
    elif s.budget_max is None:
        updates["budget_max"] = money(like.price * Decimal("1.15"))
    turn.set_slots(chosen=None, plan_shown_for=None, **updates)
    turn.changed.add("need")
    return advance(turn, exclude=tuple(c.stock_id for c in s.options))


def _contact_intents(turn: Turn, s: Slots, *, in_lead: bool) -> TurnResult | None:
    """A call or contact data asked for at any step, prices without a budget, a lead answer.

    ``s``: the slots as they were when ``flow_intents`` started.
    """
    r = turn.reading
    pending = turn.pending
    offered = pending == Action.OFFER_APPOINTMENT
    asks_kavak = r.kavak_question or r.kavak_topic or r.car_question is not None
    # Once cars are shown (or a seller was offered a quote), a name with a phone ("Karla Sánchez
    # 81 8765 4321") or a bare time ("en la noche después de las 8") asks to be contacted.
    contact_given = bool(s.options or s.selling) and (
        bool(r.name and r.phone)
        or (r.contact_at is not None and not (turn.changed - {"contact"}) and not r.question)
    )
    if (
        not (in_lead or offered or s.lead_captured)
        and (r.callback or contact_given)
        and not asks_kavak
    ):
        # "¿me pueden marcar mañana?" at any step: a call back, with the car if one was
        # chosen (the advisor helps to choose otherwise). A phone given without asking for a
        # call is only kept.
        turn.set_slots(wants_callback=True, wants_appointment=True)
        if r.contact_at is not None and not s.contact_time:
            when = (r.contact_text or r.text)[:200]
            turn.set_slots(contact_time=when, contact_at=r.contact_at.isoformat())
        if not s.options and turn.slots.has_need and turn.slots.has_budget and s.chosen is None:
            # "busco una SUV de 350 mil… ¿me pueden llamar?": the cars too, for the call.
            recommend(turn)
        return advance_lead(turn)
    if asks_price_without_budget(turn) and not s.options:
        # "¿y el jetta cuánto cuesta?" before any budget: the prices, then the budget helps.
        return options_without_budget(turn)
    if r.cheaper and not s.has_budget and not s.options and s.has_need:
        if "cheap" not in s.uses:
            turn.set_slots(uses=(*s.uses, "cheap"))
        return options_without_budget(turn)
    if pending in LEAD_ACTIONS and not turn.answered:
        return lead_answer(turn)
    return None


def lead_answer(turn: Turn) -> TurnResult | None:
    """The answer to a lead question that ``take_contact`` could not read."""
    r = turn.reading
    s = turn.slots
    pending = turn.pending
    if s.chosen is not None and turn.changed & {"down", "term", "cash", "choice", "compare"}:
        return advance_financing(turn)  # the plan first, then the pending lead question
    if "contact" in turn.changed:
        return advance_lead(turn)
    if pending == Action.ASK_PHONE and r.refuses_phone:
        turn.say(replies.phone_refused())
        if not s.lead_captured:
            return capture(turn)
        return turn.ask(Action.OFFER_HELP, step=Step.DONE)
    if pending == Action.ASK_CONTACT_TIME and not (r.question or r.small_talk):
        turn.set_slots(contact_time=r.contact_text or turn.text[:200], contact_at=None)
        return advance_lead(turn)
    if r.question or r.small_talk or r.thanks or r.greeting:
        return None
    if pending == Action.ASK_NAME:
        turn.say(replies.invalid_name())
        return turn.ask(Action.ASK_NAME)
    if pending == Action.ASK_PHONE:
        turn.state = evolve(turn.state, misunderstood=turn.state.misunderstood + 1)
        turn.say(replies.invalid_phone())
        return turn.result(Action.ASK_PHONE, ask=False)
    return None
