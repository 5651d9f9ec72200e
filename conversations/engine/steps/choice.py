"""Choosing one of the options shown, and showing them again."""

from __future__ import annotations

from typing import Any

from conversations.engine import replies
from conversations.engine.state import Action
from conversations.engine.turn import TurnResult
from conversations.engine.turn_builder import Turn


def take_choice(turn: Turn) -> None:
    r = turn.reading
    if r.choice is None or not turn.slots.options:
        return
    choose(turn, r.choice)


def choose(turn: Turn, index: int) -> None:
    r = turn.reading
    car = turn.slots.options[index]
    if turn.slots.chosen is not None and turn.slots.chosen.stock_id == car.stock_id:
        if "choice" not in turn.changed:
            # "sí, me quedo con el 2" about the car already chosen: confirmed, and on we go.
            turn.say(replies.choice_kept(car))
            turn.answered = True
        return
    changes: dict[str, Any] = {"chosen": car, "plan_shown_for": None}
    if turn.slots.down_payment_ratio is not None:
        changes["down_payment"] = None  # a percentage is recomputed on the new price
    turn.set_slots(**changes)
    turn.changed.add("choice")
    turn.say(replies.chosen_ack(car, name=turn.slots.name if r.name is None else None))


def show_options_again(turn: Turn) -> TurnResult:
    turn.say(replies.options_again())
    turn.cars = turn.slots.options
    turn.say(replies.options_block(turn.slots.options))
    return turn.ask(Action.CHOOSE_OPTION)
