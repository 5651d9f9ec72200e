"""A message that placed nothing: small talk, thanks, or not understood."""

from __future__ import annotations

import re

from conversations.engine import replies, replies_cars, satisfaction
from conversations.engine.state import Action, Step, evolve
from conversations.engine.steps.advance import budget_stalled, options_without_budget
from conversations.engine.steps.global_intents import handoff
from conversations.engine.steps.need import CAR_WANT
from conversations.engine.turn import TurnResult
from conversations.engine.turn_builder import Turn
from conversations.engine.understanding import names_unsearchable_detail


def small_talk_or_misunderstood(turn: Turn) -> TurnResult:
    r = turn.reading
    action = turn.resume_action()
    if budget_stalled(turn, action):
        return options_without_budget(turn)
    if r.goodbye:
        turn.say(replies.goodbye(shown=bool(turn.slots.options or turn.slots.chosen)))
        turn.understood["closing"] = satisfaction.GOODBYE
        return turn.result(Action.OFFER_HELP, step=Step.DONE, ask=False)
    if r.thanks and not (r.think_later or r.decline):
        turn.say(replies.thanks())
        if action == Action.OFFER_HELP:
            turn.understood["closing"] = satisfaction.GOODBYE  # nothing pending: a goodbye
            return turn.result(action, step=Step.DONE, ask=False)
        return turn.ask(action)
    if r.think_later or r.decline:
        turn.say(replies.take_your_time())
        return turn.result(action, ask=False)
    if re.search(r"\b(?:info|informacion|precios?|cotizacion)\b", r.folded):
        prices = re.search(r"\b(?:precios?|cotizacion)\b", r.folded) is not None
        turn.say(replies.info_prices(prices) if action == Action.ASK_NEED else replies.still_here())
        return turn.ask(action)
    if action == Action.ASK_NEED and CAR_WANT.search(r.folded):
        # "busco un carro rojo con pantalla": a car is wanted, only its kind is missing.
        turn.say(replies.need_details(equipment=names_unsearchable_detail(r.folded)))
        return turn.ask(action)
    first_turn = bool(turn.parts) and turn.parts[0] == replies.greeting()
    if r.only_yes and action == Action.CHOOSE_OPTION and len(turn.slots.options) > 1:
        # "simón" with several options shown: which one?
        turn.say(replies_cars.which_one(len(turn.slots.options)))
        return turn.result(action, ask=False)
    if r.small_talk or r.greeting or r.yes or r.no or first_turn:
        if not first_turn and not r.greeting:
            turn.say(replies.still_here())
        return turn.ask(action)
    if r.option_beyond is not None and turn.slots.options:
        turn.say(replies_cars.option_beyond(len(turn.slots.options)))
        return turn.ask(action)
    turn.lost = True
    misunderstood = turn.state.misunderstood + 1
    turn.state = evolve(turn.state, misunderstood=misunderstood)
    if misunderstood >= turn.config.max_misunderstood:
        return handoff(turn, reason="misunderstood")
    turn.say("Perdón, no te entendí.")
    return turn.ask(action)
