"""The sales flow as a deterministic policy over what the customer said.

need → budget → options → financing → next action (appointment, call, human).

A turn first *understands* the whole message (``understanding.understand``: every slot with the
cue that decided it, and every intent), then decides: it fills every slot it got, answers the
questions it carries (about a car shown, the catalogue, or Kavak), and asks only for what is still
missing, in other words if that question was already asked. ``decide`` never writes anything:
writes come back as effects (upsert the lead, notify sales, pause the bot, record a knowledge-base
miss) that the shell applies after the state is saved.

This module runs one turn (``_run``: the steps in order); the turn being built is
``turn_builder.Turn``, and each step lives in ``steps/`` (need, money, choice, financing, lead,
side questions, flow intents, advancing the flow, the fallback, the global intents).
"""

from __future__ import annotations

import dataclasses

from conversations.engine import cues, replies, satisfaction
from conversations.engine.state import Action, ConversationState, Step, evolve
from conversations.engine.steps.advance import advance, suggestion
from conversations.engine.steps.choice import take_choice
from conversations.engine.steps.fallback import small_talk_or_misunderstood
from conversations.engine.steps.global_intents import handoff, reset, soft_close
from conversations.engine.steps.intents import flow_intents
from conversations.engine.steps.lead import take_contact
from conversations.engine.steps.money import take_money, unplaced_answer
from conversations.engine.steps.need import take_need
from conversations.engine.steps.side import side_answers
from conversations.engine.suggestions import OWN_READING, suggested_phrase
from conversations.engine.turn import (
    Effect,
    EngineConfig,
    EngineDeps,
    Inbound,
    NotifySales,
    PauseBot,
    RecordKbMiss,
    RecordSatisfaction,
    TurnResult,
    UpsertLead,
)
from conversations.engine.turn_builder import LEAD_ACTIONS, Turn
from conversations.engine.understanding import understand

__all__ = [
    "Effect",
    "EngineConfig",
    "EngineDeps",
    "Inbound",
    "NotifySales",
    "PauseBot",
    "RecordKbMiss",
    "RecordSatisfaction",
    "TurnResult",
    "UpsertLead",
    "decide",
    "decide_paused",
    "suggested_phrase",
]

# --- The engine ---------------------------------------------------------------------------------


def decide(
    state: ConversationState, inbound: Inbound, deps: EngineDeps, config: EngineConfig
) -> TurnResult:
    """Decide the reply to one customer message. Pure: same inputs, same result."""
    if state.survey == satisfaction.ASKED:
        # Only the message right after the question may answer it (or the one after a bare
        # "¡gracias!"); anything that is not a score is a normal turn, and the question is not
        # asked again.
        answer = satisfaction.read_answer(inbound.text)
        after = satisfaction.ANSWERED if answer else satisfaction.PASSED
        if answer is None and _thanks_only(inbound.text):
            after = satisfaction.ASKED
        state = evolve(state, survey=after)
        if answer is not None:
            return _survey_answered(state, answer)
    result = _run(Turn(state, inbound, deps, config))
    if (result.lost or result.unsure) and inbound.suggested:
        result = _with_suggestions(state, inbound, deps, config, result) or result
    return _with_survey(result, inbound)


def _thanks_only(text: str) -> bool:
    """ "¡gracias!", "ok gracias": a courtesy before the score, not a turn of its own."""
    return "?" not in text and len(text.split()) <= 4 and cues.is_thanks(text)


def _survey_answered(
    state: ConversationState, answer: satisfaction.SatisfactionReading
) -> TurnResult:
    """The customer answered the satisfaction question: thank them; the flow stays where it was."""
    return TurnResult(
        state=state,
        reply=replies.satisfaction_thanks(answer.score, comment=bool(answer.comment)),
        effects=(RecordSatisfaction(score=answer.score, comment=answer.comment),),
        understood={"satisfaction": answer.score},
    )


def _with_survey(result: TurnResult, inbound: Inbound) -> TurnResult:
    """Ask the satisfaction question once, at the end of the conversation (``understood
    ["closing"]``: a lead captured, a soft close, thanks once nothing was pending)."""
    moment = result.understood.get("closing")
    if not (inbound.survey and moment) or result.state.survey:
        return result
    return dataclasses.replace(
        result,
        state=evolve(result.state, survey=satisfaction.ASKED),
        reply="\n\n".join(p for p in (result.reply, replies.satisfaction_question()) if p),
        understood={**result.understood, "survey": moment},
    )


def decide_paused(
    state: ConversationState, inbound: Inbound, deps: EngineDeps, config: EngineConfig
) -> TurnResult:
    """A person has the conversation: keep reading contact data, acknowledge the rest once.

    The customer's phone, name or preferred time still reach the lead (and the reply says so);
    a refusal to give a phone gets an alternative; anything else is acknowledged without
    repeating the same line.
    """
    if state.survey == satisfaction.ASKED:
        # A salesperson took the conversation right after the question: a score still counts.
        answer = satisfaction.read_answer(inbound.text)
        state = evolve(state, survey=satisfaction.ANSWERED if answer else satisfaction.PASSED)
        if answer is not None:
            result = _survey_answered(state, answer)
            paused = dataclasses.replace(
                result.state, step=Step.HANDOFF, next_action=Action.HANDOFF_TO_HUMAN
            )
            return dataclasses.replace(result, state=paused)
    turn = Turn(state, inbound, deps, config)
    reading = turn.reading
    noted = take_contact(turn, any_time=True)
    if noted:
        turn.effects.append(UpsertLead(source="handoff"))
        turn.say(replies.handoff_noted(noted, name=turn.slots.name))
    elif reading.refuses_phone:
        turn.say(replies.phone_refused())
    else:
        turn.say(replies.handoff_ack(state.handoff_notes, advisors_back=config.advisors_back))
    turn.state = evolve(turn.state, handoff_notes=state.handoff_notes + 1)
    return turn.result(Action.HANDOFF_TO_HUMAN, step=Step.HANDOFF, ask=False)


# What each lead question asks for, as ``take_contact`` names what it noted.
_LEAD_ITEM = {
    Action.ASK_NAME: "tu nombre",
    Action.ASK_PHONE: "tu celular",
    Action.ASK_CONTACT_TIME: "el horario",
}


def _take_contact_noted(turn: Turn) -> None:
    """The contact data of the message; what it gave instead of what was asked ("el sábado a las
    10" while the name is asked, "mi número es…" while a car is chosen) is acknowledged before
    the question comes again."""
    noted = take_contact(turn, any_time=False)
    asked = _LEAD_ITEM.get(turn.pending)
    if noted and asked not in noted:
        when = turn.slots.contact_time
        turn.say(replies.noted_contact(noted, when=when if "el horario" in noted else None))


def _run(turn: Turn) -> TurnResult:
    """The steps of one turn, in order; the first that settles the turn returns its result."""
    if not turn.state.greeted:
        turn.say(replies.greeting())
        turn.state = evolve(turn.state, greeted=True)
    if turn.inbound.customer_phone and not turn.slots.phone:
        turn.state = turn.state.with_slots(phone=turn.inbound.customer_phone)
    r = turn.reading
    if not turn.text:
        return turn.ask(turn.resume_action())
    if r.reset:
        reset(turn)
        if not (r.has_need or r.has_money):
            return turn.ask(Action.ASK_NEED, step=Step.NEED)
        turn.reading = understand(
            turn.text,
            turn.state,
            catalog=turn.deps.catalog,
            knowledge=turn.deps.knowledge,
            now=turn.config.now,
            terms=turn.config.terms,
        )
        r = turn.reading
    # "el 3, que me llame un asesor" asks for a call about a chosen car (a lead with a contact
    # time and the car), not for a person in the chat.
    chosen = turn.slots.chosen is not None or (turn.slots.options and r.choice is not None)
    callback_offer = r.callback and (
        turn.pending in (Action.OFFER_APPOINTMENT, *LEAD_ACTIONS) or bool(chosen)
    )
    if r.human and not callback_offer:
        take_contact(turn, any_time=True)
        take_choice(turn)  # "el 3, pásame con un asesor": the advisor sees which car
        return handoff(turn, reason="asked")
    if r.adversarial:
        turn.say(replies.adversarial())
        return turn.ask(turn.resume_action())
    if r.discount and not r.has_money and (outcome := _discount(turn)) is not None:
        return outcome
    if (
        turn.pending in LEAD_ACTIONS
        and (r.decline or r.think_later)
        and not (r.name or r.phone or r.contact_at or "?" in turn.text)
    ):
        # "sabes qué, mejor no, ya no me interesa" while the name or phone is asked: nothing
        # is registered, the door stays open.
        return soft_close(turn, plan=turn.slots.plan_shown_for is not None)
    outcome = suggestion(turn)
    if outcome is not None:
        return outcome
    unplaced_answer(turn)
    _take_contact_noted(turn)
    take_choice(turn)
    take_need(turn)
    take_money(turn)
    side_answers(turn)
    outcome = flow_intents(turn)
    if outcome is not None:
        return outcome
    if r.unplaced is not None and not (turn.changed - {"contact"}):
        return _confirm_unplaced(turn)
    if turn.answered and not turn.changed and turn.pending == Action.OFFER_HELP:
        # A question after the customer closed ("no gracias… ¿tienen garantía?"): answered,
        # and the offer they declined is not made again.
        turn.state = evolve(turn.state, misunderstood=0)
        return turn.ask(Action.OFFER_HELP, step=Step.DONE)
    if (r.frustrated or r.after_sale) and not turn.changed:
        return turn.result(turn.resume_action(), ask=False)  # an apology, not the next question
    if turn.changed or turn.answered:
        turn.state = evolve(turn.state, misunderstood=0)
        return advance(turn)
    if turn.state.suggestion:
        turn.say(replies.suggestion(turn.state.suggestion))
        return turn.result(Action.CONFIRM_SUGGESTION, ask=False)
    return small_talk_or_misunderstood(turn)


def _discount(turn: Turn) -> TurnResult | None:
    """The price policy; None when the message also names a car to look for ("¿tienen el jetta
    2018? ¿se puede negociar?"): the flow shows it after the policy."""
    take_choice(turn)  # "me gusta la 3, ¿me la dejas más barata?": chosen, and answered
    turn.say(replies.discount())
    if "choice" in turn.changed:
        return advance(turn)
    need = turn.reading.need
    if not (need.make or need.model or need.body_type):
        return turn.ask(turn.resume_action())
    turn.answered = True
    return None


def _confirm_unplaced(turn: Turn) -> TurnResult:
    """A bare number nothing placed ("72"): remembered, and asked what it is."""
    r = turn.reading
    assert r.unplaced is not None  # noqa: S101 - the caller checked it
    turn.state = dataclasses.replace(
        turn.state, unplaced=str(r.unplaced), unplaced_roles=r.unplaced_roles
    )
    turn.say(replies.confirm_amount(r.unplaced, r.unplaced_roles))
    return turn.result(turn.resume_action(), ask=False)


# --- LLM suggestions: checked in suggestions.py, the turn decided again here ---------------
def _with_suggestions(
    state: ConversationState,
    inbound: Inbound,
    deps: EngineDeps,
    config: EngineConfig,
    first: TurnResult,
) -> TurnResult | None:
    """Decide again with the accepted suggestions; None when they do not help.

    On a disagreement the engine's own reading wins: a suggestion for a slot the first reading
    already set is dropped.
    """
    own = set(first.understood)
    suggested = {
        key: value
        for key, value in inbound.suggested.items()
        if not any(slot in own for slot in OWN_READING.get(key, ()))
    }
    phrase, used = suggested_phrase(
        suggested,
        config,
        text=inbound.text,
        catalog=deps.catalog,
        options=state.slots.options,
    )
    if not phrase:
        return None
    text = phrase if first.lost else f"{inbound.text}. {phrase}"
    retry = _run(Turn(state, dataclasses.replace(inbound, text=text, suggested={}), deps, config))
    if retry.lost:
        return None
    return dataclasses.replace(retry, understood={**retry.understood, "llm_slots": list(used)})
