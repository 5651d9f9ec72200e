"""What ends or restarts the flow at any step: start over, a person, a soft close."""

from __future__ import annotations

from conversations.engine import replies, satisfaction
from conversations.engine.state import Action, ConversationState, Slots, Step
from conversations.engine.turn import NotifySales, PauseBot, TurnResult, UpsertLead
from conversations.engine.turn_builder import Turn


def reset(turn: Turn) -> None:
    keep = Slots(name=turn.slots.name, phone=turn.slots.phone)
    turn.state = ConversationState(
        slots=keep,
        greeted=True,
        furthest_step=turn.state.furthest_step,
        survey=turn.state.survey,  # at most one satisfaction question per conversation
    )
    turn.pending = Action.ASK_NEED
    turn.understood["reset"] = True
    turn.say(replies.reset())


def handoff(turn: Turn, *, reason: str) -> TurnResult:
    turn.understood["handoff"] = reason
    turn.set_slots(lead_recorded=True)
    turn.effects.extend(
        [UpsertLead(source="handoff"), NotifySales(reason="handoff"), PauseBot(reason=reason)]
    )
    turn.say(replies.gave_up() if reason == "misunderstood" else "")
    turn.say(
        replies.handoff(has_phone=bool(turn.slots.phone), advisors_back=turn.config.advisors_back)
    )
    return turn.result(Action.HANDOFF_TO_HUMAN, step=Step.HANDOFF, ask=False)


def soft_close(turn: Turn, *, plan: bool, data_asked: bool = True) -> TurnResult:
    """The customer declines ("no gracias", "ya no me interesa"): nothing is registered,
    the door stays open, and the conversation ends (the satisfaction question may follow)."""
    s = turn.slots
    turn.say(
        replies.soft_close(
            s.chosen,
            name=s.name,
            plan=plan,
            data_asked=data_asked,
            thanked=turn.reading.courtesy and not turn.reading.no,
        )
    )
    turn.understood["declined"] = True
    turn.understood["closing"] = satisfaction.DECLINED
    return turn.result(Action.OFFER_HELP, step=Step.DONE, ask=False)
