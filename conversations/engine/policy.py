"""The sales flow as a deterministic policy over what the customer said.

need → budget → options → financing → next action (appointment, call, human).

A turn first *understands* the whole message (``understanding.understand``: every slot with the
cue that decided it, and every intent), then decides: it fills every slot it got, answers the
questions it carries (about a car shown, the catalogue, or Kavak), and asks only for what is still
missing, in other words if that question was already asked. ``decide`` never writes anything:
writes come back as effects (upsert the lead, notify sales, pause the bot, record a knowledge-base
miss) that the shell applies after the state is saved.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from conversations.engine import parsing, replies, satisfaction
from conversations.engine.financing import (
    FinancingPlan,
    financing_plan,
    max_price_for_monthly,
    money,
)
from conversations.engine.ports import CarQuery, KbSource, KnowledgeBase
from conversations.engine.state import (
    FUNNEL_ORDER,
    Action,
    CarOption,
    ConversationState,
    Slots,
    Step,
    evolve,
)
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
from conversations.engine.understanding import Reading, names_unsearchable_detail, understand

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
        # Only the message right after the question may answer it; anything that is not a score
        # is a normal turn, and the question is not asked again.
        answer = satisfaction.read_answer(inbound.text)
        state = evolve(state, survey=satisfaction.ANSWERED if answer else satisfaction.PASSED)
        if answer is not None:
            return _survey_answered(state, answer)
    result = _Turn(state, inbound, deps, config).run()
    if (result.lost or result.unsure) and inbound.suggested:
        result = _with_suggestions(state, inbound, deps, config, result) or result
    return _with_survey(result, inbound)


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
    turn = _Turn(state, inbound, deps, config)
    reading = turn.reading
    noted = turn.take_contact(any_time=True)
    if noted:
        turn.effects.append(UpsertLead(source="handoff"))
        turn.say(replies.handoff_noted(noted, name=turn.slots.name))
    elif reading.refuses_phone:
        turn.say(replies.phone_refused())
    else:
        turn.say(replies.handoff_ack(state.handoff_notes, advisors_back=config.advisors_back))
    turn.state = evolve(turn.state, handoff_notes=state.handoff_notes + 1)
    return turn.result(Action.HANDOFF_TO_HUMAN, step=Step.HANDOFF, ask=False)


_FLOW_ACTIONS = {
    Action.ASK_NEED: Step.NEED,
    Action.ASK_BUDGET: Step.BUDGET,
    Action.CHOOSE_OPTION: Step.OPTIONS,
    Action.ASK_DOWN_PAYMENT: Step.FINANCING,
    Action.ASK_TERM: Step.FINANCING,
    Action.OFFER_APPOINTMENT: Step.FINANCING,
    Action.ASK_NAME: Step.LEAD_CAPTURE,
    Action.ASK_PHONE: Step.LEAD_CAPTURE,
    Action.ASK_CONTACT_TIME: Step.LEAD_CAPTURE,
}
# A car wanted in general words ("busco un carro rojo con pantalla"): only its kind is missing.
_CAR_WANT = re.compile(
    r"\b(?:busco|buscando|quiero|queremos|necesito|necesitamos|ocupo|me interesa|ando viendo)\b"
    r".*\b(?:carro|carrito|auto|coche|vehiculo|nave|unidad)s?\b"
)
_LEAD_ACTIONS = (Action.ASK_NAME, Action.ASK_PHONE, Action.ASK_CONTACT_TIME)


class _Turn:
    """Mutable builder for one turn; only ``decide`` creates it."""

    def __init__(
        self, state: ConversationState, inbound: Inbound, deps: EngineDeps, config: EngineConfig
    ) -> None:
        self.start = state
        self.state = state
        self.inbound = inbound
        self.text = inbound.text.strip()
        self.deps = deps
        self.config = config
        self.parts: list[str] = []
        self.effects: list[Effect] = []
        self.cars: tuple[CarOption, ...] = ()
        self.financing: FinancingPlan | None = None
        self.sources: tuple[KbSource, ...] = ()
        self.understood: dict[str, Any] = {}
        self.lost = False
        self.changed: set[str] = set()  # what the message set: need, budget, down, term…
        self.answered = False  # a side question was answered (car data, catalogue, Kavak)
        self.pending = state.next_action
        self.reading: Reading = understand(
            self.text,
            state,
            catalog=deps.catalog,
            knowledge=deps.knowledge,
            now=config.now,
            terms=config.terms,
        )

    # -- helpers --
    @property
    def slots(self) -> Slots:
        return self.state.slots

    def set_slots(self, **changes: Any) -> None:
        self.state = self.state.with_slots(**changes)
        for key, value in changes.items():
            if key in ("options", "plan_shown_for", "options_for", "focus"):
                continue
            self.understood[key] = value if not isinstance(value, Decimal) else str(value)

    def say(self, text: str) -> None:
        if text:
            self.parts.append(text)

    def ask(self, action: Action, *, step: Step | None = None) -> TurnResult:
        """Ask ``action``'s question, worded by how often it was already asked."""
        times = self.state.times_asked(action.value)
        appointment = self.slots.wants_appointment and not self.slots.wants_callback
        if self.answered and action == self.pending and not self.changed:
            self.say(replies.resume(action, times, appointment=appointment))
        else:
            self.say(replies.question(action, times, appointment=appointment))
        asked = dict(self.state.asked)
        asked[action.value] = times + 1
        self.state = evolve(self.state, asked=tuple(asked.items()))
        return self.result(action, step=step, ask=False)

    def result(self, action: Action, *, step: Step | None = None, ask: bool = True) -> TurnResult:
        if ask:
            return self.ask(action, step=step)
        step = step or _FLOW_ACTIONS.get(action, self.state.step)
        furthest = self.state.furthest_step
        if step in FUNNEL_ORDER and FUNNEL_ORDER.index(step) > FUNNEL_ORDER.index(furthest):
            furthest = step
        self.state = dataclasses.replace(
            self.state, step=step, next_action=action, furthest_step=furthest
        )
        reading = self.reading
        # Unsure (an extraction call may help): a car matched only fuzzily, a bare number to
        # confirm. A message that placed nothing at all is ``lost``.
        unsure = bool(reading.fuzzy or reading.unplaced is not None)
        return TurnResult(
            state=self.state,
            reply="\n\n".join(self.parts),
            effects=tuple(self.effects),
            cars=self.cars,
            financing=self.financing,
            sources=self.sources,
            understood=self.understood,
            lost=self.lost,
            unsure=unsure,
        )

    # -- entry point --
    def run(self) -> TurnResult:
        if not self.state.greeted:
            self.say(replies.greeting())
            self.state = evolve(self.state, greeted=True)
        if self.inbound.customer_phone and not self.slots.phone:
            self.state = self.state.with_slots(phone=self.inbound.customer_phone)
        r = self.reading
        if not self.text:
            return self.ask(self._resume_action())
        if r.reset:
            self._reset()
            if not (r.has_need or r.has_money):
                return self.ask(Action.ASK_NEED, step=Step.NEED)
            self.reading = understand(
                self.text,
                self.state,
                catalog=self.deps.catalog,
                knowledge=self.deps.knowledge,
                now=self.config.now,
                terms=self.config.terms,
            )
            r = self.reading
        # "el 3, que me llame un asesor" asks for a call about a chosen car (a lead with a contact
        # time and the car), not for a person in the chat.
        chosen = self.slots.chosen is not None or (self.slots.options and r.choice is not None)
        callback_offer = r.callback and (
            self.pending in (Action.OFFER_APPOINTMENT, *_LEAD_ACTIONS) or bool(chosen)
        )
        if r.human and not callback_offer:
            self.take_contact(any_time=True)
            self._take_choice()  # "el 3, pásame con un asesor": the advisor sees which car
            return self._handoff(reason="asked")
        if r.adversarial:
            self.say(replies.adversarial())
            return self.ask(self._resume_action())
        if r.discount and not r.has_money:
            self.say(replies.discount())
            return self.ask(self._resume_action())
        if (
            self.pending in _LEAD_ACTIONS
            and (r.decline or r.think_later)
            and not (r.name or r.phone or r.contact_at or "?" in self.text)
        ):
            # "sabes qué, mejor no, ya no me interesa" while the name or phone is asked: nothing
            # is registered, the door stays open.
            return self._soft_close(plan=self.slots.plan_shown_for is not None)
        outcome = self._suggestion()
        if outcome is not None:
            return outcome
        self._unplaced_answer()
        self.take_contact(any_time=False)
        self._take_choice()
        self._take_need()
        self._take_money()
        self._side_answers()
        outcome = self._flow_intents()
        if outcome is not None:
            return outcome
        if r.unplaced is not None and not (self.changed - {"contact"}):
            self.state = dataclasses.replace(
                self.state, unplaced=str(r.unplaced), unplaced_roles=r.unplaced_roles
            )
            self.say(replies.confirm_amount(r.unplaced, r.unplaced_roles))
            return self.result(self._resume_action(), ask=False)
        if self.answered and not self.changed and self.pending == Action.OFFER_HELP:
            # A question after the customer closed ("no gracias… ¿tienen garantía?"): answered,
            # and the offer they declined is not made again.
            self.state = evolve(self.state, misunderstood=0)
            return self.ask(Action.OFFER_HELP, step=Step.DONE)
        if self.changed or self.answered:
            self.state = evolve(self.state, misunderstood=0)
            return self._advance()
        if self.state.suggestion:
            self.say(replies.suggestion(self.state.suggestion))
            return self.result(Action.CONFIRM_SUGGESTION, ask=False)
        return self._small_talk_or_misunderstood()

    def _soft_close(self, *, plan: bool, data_asked: bool = True) -> TurnResult:
        """The customer declines ("no gracias", "ya no me interesa"): nothing is registered,
        the door stays open, and the conversation ends (the satisfaction question may follow)."""
        s = self.slots
        self.say(replies.soft_close(s.chosen, name=s.name, plan=plan, data_asked=data_asked))
        self.understood["declined"] = True
        self.understood["closing"] = satisfaction.DECLINED
        return self.result(Action.OFFER_HELP, step=Step.DONE, ask=False)

    def _resume_action(self) -> Action:
        pending = self.state.next_action
        if pending in (Action.CONFIRM_SUGGESTION, Action.ANSWER_FAQ):
            return self._next_flow_action()
        return pending

    def _next_flow_action(self) -> Action:
        s = self.slots
        if not s.has_need:
            return Action.ASK_NEED
        if not s.has_budget and not s.options:
            return Action.ASK_BUDGET
        if s.chosen is None:
            return Action.CHOOSE_OPTION
        return Action.OFFER_HELP

    # -- global intents --
    def _reset(self) -> None:
        keep = Slots(name=self.slots.name, phone=self.slots.phone)
        self.state = ConversationState(
            slots=keep,
            greeted=True,
            furthest_step=self.state.furthest_step,
            survey=self.state.survey,  # at most one satisfaction question per conversation
        )
        self.pending = Action.ASK_NEED
        self.understood["reset"] = True
        self.say(replies.reset())

    def _handoff(self, *, reason: str) -> TurnResult:
        self.understood["handoff"] = reason
        self.set_slots(lead_recorded=True)
        self.effects.extend(
            [UpsertLead(source="handoff"), NotifySales(reason="handoff"), PauseBot(reason=reason)]
        )
        self.say(replies.gave_up() if reason == "misunderstood" else "")
        self.say(
            replies.handoff(
                has_phone=bool(self.slots.phone), advisors_back=self.config.advisors_back
            )
        )
        return self.result(Action.HANDOFF_TO_HUMAN, step=Step.HANDOFF, ask=False)

    def _suggestion(self) -> TurnResult | None:
        """A pending "¿Quisiste decir…?" is settled only by a message that is only yes or no."""
        candidate = self.state.suggestion
        if not candidate:
            return None
        self.state = evolve(self.state, suggestion=None)
        if self.reading.only_yes:
            match = self.deps.catalog.match_need(candidate)
            self.set_slots(make=match.make, model=match.model, body_type=match.body_type)
            self.changed.add("need")
            return self._advance()
        if self.reading.only_no:
            self.say("Entendido.")
            return self.ask(Action.ASK_NEED)
        return None

    def _unplaced_answer(self) -> None:
        """The answer to "¿72 meses o 72 mil?": a cue word alone, or a yes to the only role."""
        value = self.state.unplaced
        roles = self.state.unplaced_roles
        if value is None:
            return
        self.state = evolve(self.state, unplaced=None, unplaced_roles=())
        r = self.reading
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
        if role == "term" and int(amount) in self.config.terms:
            self.set_slots(term_months=int(amount))
            self.changed.add("term")
        elif role == "price":
            price = amount * 1000 if amount < 10000 else amount
            self.set_slots(budget_max=price, budget_min=None, monthly_budget=None)
            self.changed.add("budget")
            self.say(replies.budget_ack(max_price=price, min_price=None))
        elif role == "down":
            self.set_slots(down_payment=amount, down_payment_ratio=None)
            self.changed.add("down")

    # -- what the message states ---------------------------------------------------------------
    def take_contact(self, *, any_time: bool) -> list[str]:
        """Record the name, phone, preferred time and branch the message gives; what was noted."""
        r = self.reading
        s = self.slots
        noted: list[str] = []
        other_phone = None
        if r.phone and r.phone != s.phone:
            # A second number next to the contact time is an alternative, not a replacement.
            if s.phone and self.pending != Action.ASK_PHONE and r.contact_at is not None:
                other_phone = r.phone
            else:
                self.set_slots(phone=r.phone)
                noted.append("tu celular")
        if r.name and r.name != s.name:
            if s.name and self.pending not in _LEAD_ACTIONS:
                self.say(replies.name_changed(r.name))  # "mejor a nombre de mi esposa, Laura"
            self.set_slots(name=r.name)
            noted.append("tu nombre")
        wants_contact = r.appointment or r.callback or s.wants_appointment or s.wants_callback
        timing = (
            any_time
            or self.pending == Action.ASK_CONTACT_TIME
            or (
                self.pending == Action.OFFER_APPOINTMENT
                and (r.yes or wants_contact or (r.contact_at is not None and not r.no))
            )
            or (wants_contact and self.pending not in (Action.ASK_NAME, Action.ASK_PHONE))
            or (self.pending in (Action.ASK_NAME, Action.ASK_PHONE) and bool(r.name or r.phone))
            # The time said while the name or phone is asked ("después de las 5") is kept; a
            # phone's digits are never read as an hour (``parse_contact_time`` strips them).
            or (self.pending in (Action.ASK_NAME, Action.ASK_PHONE) and wants_contact)
        )
        if r.contact_at is not None and timing:
            when = r.contact_text or r.text
            if other_phone:
                when = f"{when} · otro número: {other_phone}"
            self.set_slots(contact_time=when[:200], contact_at=r.contact_at.isoformat())
            noted.append("el horario")
        offered = self.pending == Action.OFFER_APPOINTMENT and not r.no
        if r.branches and (r.appointment or s.wants_appointment or any_time or offered):
            first = r.branches[0]
            self.set_slots(branch=first.name, branch_city=first.city, branch_address=first.address)
            if not any_time:
                self.say(replies.branch_offer(r.branches))
        if noted:
            self.changed.add("contact")
        return noted

    def _take_choice(self) -> None:
        r = self.reading
        if r.choice is None or not self.slots.options:
            return
        self._choose(r.choice)

    def _choose(self, index: int) -> None:
        r = self.reading
        car = self.slots.options[index]
        if self.slots.chosen is not None and self.slots.chosen.stock_id == car.stock_id:
            return
        changes: dict[str, Any] = {"chosen": car, "plan_shown_for": None}
        if self.slots.down_payment_ratio is not None:
            changes["down_payment"] = None  # a percentage is recomputed on the new price
        self.set_slots(**changes)
        self.changed.add("choice")
        self.say(replies.chosen_ack(car, name=self.slots.name if r.name is None else None))

    def _take_need(self) -> None:
        r = self.reading
        m = r.need
        before = self.slots
        if r.car_question is not None:
            return  # "¿es automático?" asks about a car shown; it does not change the search
        chosen = before.chosen
        if "choice" in self.changed and chosen is not None:
            # "el Versa", "dame el más barato": the words chose a car shown. Only a different
            # car named alongside is a new search.
            same = (m.model in (None, chosen.model) and m.make in (None, chosen.make)) and (
                m.body_type in (None, chosen.body_type) or m.model is not None
            )
            if same:
                return
        updates: dict[str, Any] = {}
        if m.make or m.model:
            updates.update(make=m.make, model=m.model)
            if m.model or m.body_type:
                updates["body_type"] = m.body_type  # "una camioneta Nissan": both
        elif m.body_type:
            # "Toyota" then "SUV" is a Toyota SUV; "Versa" then "camioneta" is any SUV.
            keep_make = before.make if not before.model else None
            updates.update(body_type=m.body_type, make=keep_make, model=None)
        if m.uses:
            updates["uses"] = m.uses
        if m.transmission:
            updates["transmission"] = m.transmission
        if r.seats is not None:
            updates["seats"] = r.seats
        if r.year_min is not None:
            updates["year_min"] = r.year_min
        if r.km_max is not None:
            updates["km_max"] = r.km_max
        if r.excluded_makes:
            excluded = tuple(dict.fromkeys((*before.exclude_makes, *r.excluded_makes)))
            updates["exclude_makes"] = excluded
            if (updates.get("make") or before.make) in excluded:
                updates.update(make=None, model=None)  # "mejor que no sea Nissan"
            if not (m.make or m.model or m.body_type or before.has_need):
                updates["need_open"] = True  # "cualquiera menos Nissan": any car will do
        if not updates and r.open_need and self.pending in (Action.ASK_NEED, Action.ASK_BUDGET):
            updates["need_open"] = True
        if not updates:
            if m.suggestion and not (r.has_money or r.has_contact or r.question):
                self.state = evolve(self.state, suggestion=m.suggestion)
            return
        if "need_open" not in updates:
            updates["need_open"] = False
        if all(getattr(before, k) == v for k, v in updates.items()):
            return
        self.set_slots(**updates)
        self.changed.add("need")
        if before.chosen is not None and _query_key(before) != _query_key(self.slots):
            self._changed_mind()

    def _changed_mind(self) -> None:
        """A different car or budget after choosing: search again, drop the old plan."""
        self.set_slots(chosen=None, down_payment=None, plan_shown_for=None, cash_purchase=False)
        self.understood["changed_mind"] = True

    def _take_money(self) -> None:
        r = self.reading
        before = self.slots
        config = self.config
        if r.budget_max is not None:
            self.set_slots(budget_max=r.budget_max, budget_min=r.budget_min, monthly_budget=None)
            self.changed.add("budget")
            self.say(replies.budget_ack(max_price=r.budget_max, min_price=r.budget_min))
        if r.down_amount is not None:
            self.set_slots(down_payment=money(r.down_amount), down_payment_ratio=None)
            self.changed.add("down")
        elif r.down_ratio is not None or r.down_minimum:
            ratio = config.min_down_ratio if r.down_minimum else r.down_ratio
            self.set_slots(down_payment_ratio=ratio, down_payment=None)
            self.changed.add("down")
        elif r.down_none and (
            self.slots.chosen is not None or self.pending == Action.ASK_DOWN_PAYMENT
        ):
            self.set_slots(down_payment=Decimal(0), down_payment_ratio=None)
            self.changed.add("down")
        if r.monthly is not None:
            self.set_slots(monthly_budget=r.monthly)
            self.changed.add("budget")
        if (
            self.slots.monthly_budget is not None
            and r.budget_max is None
            and (r.monthly is not None or "down" in self.changed)
        ):
            self._budget_from_monthly()
        if r.term is not None:
            if r.term.months:
                if r.term.months != before.term_months:
                    self.set_slots(term_months=r.term.months)
                    self.changed.add("term")
            elif r.term.invalid:
                self.say(replies.invalid_term())
                self.changed.add("term_invalid")
            elif r.term.compare:
                self.changed.add("compare")
        if r.cash and not before.cash_purchase:
            self.set_slots(cash_purchase=True)
            self.changed.add("cash")
        if "down" in self.changed and self.slots.chosen is None and not self.slots.cash_purchase:
            s = self.slots
            if r.monthly is None:
                self.say(
                    replies.down_payment_ack(amount=s.down_payment, ratio=s.down_payment_ratio)
                )
        if "term" in self.changed and self.slots.chosen is None:
            self.say(replies.term_ack(self.slots.term_months or 0))
        if (
            before.chosen is not None
            and "budget" in self.changed
            and _query_key(before) != _query_key(self.slots)
        ):
            self._changed_mind()

    def _budget_from_monthly(self) -> None:
        s = self.slots
        assert s.monthly_budget is not None  # noqa: S101 - called with a monthly budget
        term = max(self.config.terms)
        financed_max = max_price_for_monthly(
            monthly=s.monthly_budget,
            annual_rate=self.config.annual_rate,
            term_months=term,
            min_down_ratio=Decimal(0),
        )
        down = s.down_payment if s.down_payment is not None else None
        if down:
            # The down payment adds to what the payments finance, within the 10% minimum.
            price = min(financed_max + down, money(down / self.config.min_down_ratio))
            max_price = price.quantize(Decimal("1"))
        else:
            max_price = max_price_for_monthly(
                monthly=s.monthly_budget,
                annual_rate=self.config.annual_rate,
                term_months=term,
                min_down_ratio=self.config.min_down_ratio,
            )
        self.set_slots(budget_max=max_price, budget_min=None)
        self.say(
            replies.monthly_budget_ack(
                monthly=s.monthly_budget,
                max_price=max_price,
                term=term,
                rate=self.config.annual_rate,
                down_payment=down,
            )
        )

    # -- questions carried by the message ----------------------------------------------------------
    def _side_answers(self) -> None:
        r = self.reading
        s = self.slots
        if r.frustrated:
            self.say(replies.sorry_offer_person())
            self.answered = True
            self.understood["frustrated"] = True
        if r.bot_identity:
            self.say(replies.who_am_i())
            self.answered = True
            self.understood["bot_identity"] = True
            return
        if r.own_car:
            self.say(replies.own_car_noted(r.own_car))
            self.answered = True
            self.understood["own_car"] = r.own_car
        if r.car_question is not None:
            q = r.car_question
            options = s.options
            if q.rank and q.index is not None:
                self.say(replies.rank_answer(q.index + 1, options[q.index], q.rank))
                self.state = self.state.with_slots(focus=q.index)
            elif q.index is not None and options:
                self.say(replies.car_facts([(q.index + 1, options[q.index])], q.fields))
                self.state = self.state.with_slots(focus=q.index)
            elif s.chosen is not None and (not options or self.pending != Action.CHOOSE_OPTION):
                self.say(replies.car_facts([(0, s.chosen)], q.fields))
            else:
                self.say(replies.car_facts(list(enumerate(options, start=1)), q.fields))
            self.answered = True
            self.understood["car_question"] = list(q.fields)
            return
        plan_known = s.chosen is not None and s.down_payment is not None and s.term_months
        if r.total_asked and plan_known and not s.cash_purchase:
            # "¿cuánto pagaría en total?": the down payment plus every instalment of the plan.
            plan = self._plan(s.term_months)
            self.say(replies.total_answer(plan))
            self.answered = True
            self.understood["total"] = str(plan.down_payment + plan.total_paid)
            return
        if r.fuel is not None and not self.changed - {"contact"}:
            self.say(replies.fuel_answer(r.fuel, self.deps.catalog.count_fuel(r.fuel)))
            self.answered = True
            self.understood["fuel"] = r.fuel
            return
        if r.rule_question is not None:
            self.say(
                replies.rules_answer(
                    r.rule_question,
                    rate=self.config.annual_rate,
                    terms=self.config.terms,
                    min_ratio=self.config.min_down_ratio,
                    car=s.chosen,
                )
            )
            self.answered = True
            self.understood["rule_question"] = r.rule_question
            return
        text = self.text
        if r.cash and r.question:
            self.say(replies.cash_answer())
            self.answered = True
            # "¿tienen garantía? y ¿puedo pagar de contado?": the rest may be for the articles.
            text = _without_clauses(text, parsing.wants_cash)
            if not text or not self.deps.knowledge.looks_like_question(text):
                return
            self._faq(text)
            return
        if not re.search(r"\w", r.folded):
            return  # "???", "...": still there? (not a question for the articles)
        if r.greeting and len(r.folded.split()) <= 3 and not r.kavak_topic:
            return  # "hola??": still there? (small talk, not a question for the articles)
        about_flow = self.changed - {"contact"}
        # "no me gustó, regrésame a las opciones" names a Kavak topic (returns) but asks the flow.
        flow_only = bool(r.show_again or r.choice_among) and "?" not in self.text
        if (r.kavak_question and not flow_only) or (
            r.question and not about_flow and not self._flow_question()
        ):
            self._faq(text)
        elif about_flow and (r.kavak_topic or "?" in self.text):
            # "¿tienen garantía? busco un sedán de 200": the question part goes to the articles.
            part = _kavak_clauses(text, self.deps.knowledge)
            if part:
                self._faq(part)

    def _flow_question(self) -> bool:
        """A question the flow itself answers ("¿y a 6 años?", "¿cuál es el más nuevo?")."""
        r = self.reading
        return bool(
            r.show_again
            or r.other_options
            or r.choice is not None
            or r.choice_among
            or r.unplaced
            or (r.callback and not r.kavak_topic)  # "¿me pueden llamar?" asks for a call
            or self._asks_price_without_budget()
            or (r.monthly_asked and bool(self.slots.options))
        )

    def _faq(self, text: str) -> None:
        context = self.state.faq_context
        answer = self.deps.knowledge.answer(text)
        if (
            not answer.confident
            and context
            and _FOLLOW_UP.search(self.reading.folded)
            and not self.reading.off_topic
        ):
            # A short follow-up ("¿y pasan por él?", "¿se puede extender?") that says too little
            # alone is read with the question it follows; "¿y dónde queda Polanco?" is its own.
            answer = self.deps.knowledge.answer(f"{context} {text}")
        self.understood["faq"] = {"confident": answer.confident, "confidence": answer.confidence}
        self.answered = True
        if answer.confident:
            self.sources = answer.sources
            self.say(answer.answer)
            self.state = evolve(self.state, faq_context=text[:200])
            return
        if self.reading.appointment or self.reading.callback:
            # "¿puedo ir a verlo mañana a la de Santa Fe?": the visit is the flow's to book; an
            # article that does not answer it adds nothing.
            self.answered = False
            return
        self.effects.append(RecordKbMiss(question=text, confidence=answer.confidence))
        if self.reading.off_topic or not (
            self.reading.kavak_question or _about_cars(self.reading.folded)
        ):
            self.say(replies.off_topic())
        else:
            self.lost = True
            self.say(answer.answer or replies.faq_unavailable())

    # -- what the message asks the flow to do ------------------------------------------------------
    def _flow_intents(self) -> TurnResult | None:
        r = self.reading
        s = self.slots
        pending = self.pending
        in_lead = pending in _LEAD_ACTIONS or s.lead_captured
        searched = "need" in self.changed or "budget" in self.changed
        if s.options and s.chosen is not None and r.show_again and not (in_lead or searched):
            # "no me gustó, regrésame a las opciones": the choice is dropped, the list shown.
            self.set_slots(chosen=None, plan_shown_for=None)
            return self._show_options_again()
        if s.options and s.chosen is not None and r.other_options and not (in_lead or searched):
            # "no me convence, enséñame otras": drop the choice, show different cars.
            self.set_slots(chosen=None, plan_shown_for=None)
            return self._advance(exclude=tuple(c.stock_id for c in s.options))
        if pending == Action.CHOOSE_OPTION and s.options and s.chosen is None:
            if r.choice_among:
                self.say(replies.choose_which([(i + 1, s.options[i]) for i in r.choice_among]))
                return self.result(Action.CHOOSE_OPTION, ask=False)
            if r.show_again:
                return self._show_options_again()
            if r.cheaper and "budget" not in self.changed:
                # "están muy caras": cheaper ones than those shown, the cheapest first.
                if "cheap" not in s.uses:
                    self.set_slots(uses=(*s.uses, "cheap"))
                return self._advance(exclude=tuple(c.stock_id for c in s.options))
            if r.other_options and "need" not in self.changed:
                return self._advance(exclude=tuple(c.stock_id for c in s.options))
            if (r.financing_interest or r.monthly_asked) and s.focus is not None:
                # "¿y cuánto quedaría al mes?" right after asking about one option: that one.
                self._choose(s.focus)
                return self._advance()
            if (r.financing_interest or r.monthly_asked) and r.choice is None:
                # "¿cuánto sería mensual?" before choosing: each option's monthly payment with
                # the least down payment, then the choice.
                given = s.down_payment is not None or s.down_payment_ratio is not None
                self.say(
                    replies.monthly_by_option(
                        self._monthly_by_option(),
                        term=self._sample_term(),
                        rate=self.config.annual_rate,
                        min_ratio=None if given else self.config.min_down_ratio,
                    )
                )
                return self.ask(Action.CHOOSE_OPTION)
        financing_steps = (Action.ASK_DOWN_PAYMENT, Action.ASK_TERM)
        if (
            pending in financing_steps
            and s.chosen is not None
            and r.decline
            and not (self.changed or self.answered or r.question)
        ):
            # "no gracias, solo estaba viendo" while the down payment or term is asked: the door
            # stays open, nothing more is asked.
            return self._soft_close(plan=s.plan_shown_for is not None, data_asked=False)
        if pending == Action.OFFER_APPOINTMENT:
            if self.changed - {"contact"} - {"appointment"} and not (r.appointment or r.callback):
                return None  # a new term or down payment: show the plan again
            if r.callback:
                self.set_slots(wants_callback=True, wants_appointment=True)
                return self._advance_lead()
            # A day or an hour in answer to "¿quieres ir a verlo?" ("el viernes a las 12 en la de
            # Santa Fe") says yes to the visit.
            visit_time = r.contact_at is not None and not r.no
            if r.appointment or (r.yes and not r.no) or r.only_yes or visit_time:
                self.set_slots(wants_appointment=True, wants_callback=False)
                return self._advance_lead()
            if r.decline or r.think_later or r.no:
                return self._soft_close(plan=True)
        if s.options and not s.lead_captured and (r.appointment or (r.callback and s.chosen)):
            # Wanting to see a car or a call, asked at any point after the options were shown.
            self.set_slots(wants_appointment=True, wants_callback=bool(r.callback))
            if s.chosen is None and s.focus is not None:
                self._choose(s.focus)  # "¿podemos ir a verla?" after asking about one option
            elif s.chosen is None:
                return self.ask(Action.CHOOSE_OPTION)
            return self._advance_lead()
        if r.appointment and not s.options:
            self.set_slots(wants_appointment=True)  # remembered; contact data comes after options
        if (
            r.monthly_asked
            and s.chosen is not None
            and pending in (Action.ASK_DOWN_PAYMENT, Action.ASK_TERM)
            and not (self.changed - {"contact"})
        ):
            # "¿y la mensualidad con ese?" while the down payment or term is asked: the terms
            # with what is known (the least down payment when none was given), then the question.
            return self._advance_financing()
        offered = pending == Action.OFFER_APPOINTMENT
        asks_kavak = r.kavak_question or r.kavak_topic or r.car_question is not None
        # Once cars are shown, a name with a phone ("Karla Sánchez 81 8765 4321") or a bare
        # time ("en la noche después de las 8") asks to be contacted.
        contact_given = bool(s.options) and (
            bool(r.name and r.phone)
            or (r.contact_at is not None and not (self.changed - {"contact"}) and not r.question)
        )
        if (
            not (in_lead or offered or s.lead_captured)
            and (r.callback or contact_given)
            and not asks_kavak
        ):
            # "¿me pueden marcar mañana?" at any step: a call back, with the car if one was
            # chosen (the advisor helps to choose otherwise). A phone given without asking for a
            # call is only kept.
            self.set_slots(wants_callback=True, wants_appointment=True)
            if r.contact_at is not None and not s.contact_time:
                when = (r.contact_text or r.text)[:200]
                self.set_slots(contact_time=when, contact_at=r.contact_at.isoformat())
            if not s.options and self.slots.has_need and self.slots.has_budget and s.chosen is None:
                # "busco una SUV de 350 mil… ¿me pueden llamar?": the cars too, for the call.
                self._recommend()
            return self._advance_lead()
        if self._asks_price_without_budget() and not s.options:
            # "¿y el jetta cuánto cuesta?" before any budget: the prices, then the budget helps.
            return self._options_without_budget()
        if r.cheaper and not s.has_budget and not s.options and s.has_need:
            if "cheap" not in s.uses:
                self.set_slots(uses=(*s.uses, "cheap"))
            return self._options_without_budget()
        if pending in _LEAD_ACTIONS and not self.answered:
            return self._lead_answer()
        return None

    def _asks_price_without_budget(self) -> bool:
        """ "¿Cuánto cuesta el jetta?" (or "¿cuánto quedaría el tracker a 48 meses?") with a car
        in mind and no budget yet."""
        s = self.slots
        r = self.reading
        car_named = bool(s.make or s.model or s.body_type or r.need.found)
        # "¿cuánto cuesta el seguro con ustedes?" asks about Kavak, not about the car's price.
        about_kavak = r.kavak_topic and not r.need.found
        financing_asked = (
            r.question
            and bool(r.need.model)
            and (r.monthly_asked or r.down_amount is not None or r.term is not None)
        )
        asked = r.price_asked or financing_asked
        return asked and not s.has_budget and car_named and not about_kavak

    def _options_without_budget(self) -> TurnResult:
        if not self._recommend():
            return self.ask(Action.ASK_BUDGET)
        r = self.reading
        options = self.slots.options
        if len(options) == 1 and r.need.model and self.changed & {"down", "term"}:
            # "¿cuánto quedaría el tracker a 48 meses con 60 mil?": the only one, simulated.
            self._choose(0)
            return self._advance()
        self.say(replies.budget_refines())
        return self.result(Action.CHOOSE_OPTION, ask=False)

    def _sample_term(self) -> int:
        """The term the customer gave, else 60 months (the middle of the range)."""
        if self.slots.term_months in self.config.terms:
            return self.slots.term_months
        return 60 if 60 in self.config.terms else self.config.terms[-1]

    def _monthly_by_option(self) -> list[tuple[int, CarOption, Decimal, Decimal]]:
        """Each option shown, its down payment (the one given, else the least; never under the
        least) and its monthly payment at the term given (else the sample term)."""
        s = self.slots
        rows = []
        for i, car in enumerate(s.options, start=1):
            minimum = money(car.price * self.config.min_down_ratio)
            if s.down_payment_ratio is not None:
                given = money(car.price * s.down_payment_ratio)
            else:
                given = s.down_payment if s.down_payment is not None else minimum
            down = min(max(given, minimum), car.price)
            plan = financing_plan(
                price=car.price,
                down_payment=down,
                annual_rate=self.config.annual_rate,
                term_months=self._sample_term(),
            )
            rows.append((i, car, down, plan.monthly_payment))
        return rows

    def _show_options_again(self) -> TurnResult:
        self.say(replies.options_again())
        self.cars = self.slots.options
        self.say(replies.options_block(self.slots.options))
        return self.ask(Action.CHOOSE_OPTION)

    # -- advancing the flow ----------------------------------------------------------------------
    def _advance(self, *, exclude: tuple[str, ...] = ()) -> TurnResult:
        """Move to the first unmet requirement of the flow, showing options or a plan on the way."""
        s = self.slots
        if not s.has_need:
            return self.ask(Action.ASK_NEED)
        if self._budget_stalled(Action.ASK_BUDGET):
            return self._options_without_budget()
        if not s.has_budget and not s.options:
            if "need" in self.changed and not self.reading.question:
                self.say(replies.need_ack(_need_text(s), name=self._new_name()))
            return self.ask(Action.ASK_BUDGET)
        if s.chosen is None:
            stale = exclude or not s.options or s.options_for != _query_key(s)
            if stale and not self._recommend(exclude=exclude):
                return self.ask(Action.ASK_NEED, step=Step.OPTIONS)
            return self.ask(Action.CHOOSE_OPTION)
        if s.lead_captured:
            return self._advance_financing()
        if (
            (s.wants_appointment or s.wants_callback)
            and s.plan_shown_for is None
            and ("choice" in self.changed and s.down_payment is None and not s.cash_purchase)
        ):
            return self._advance_lead()  # they want to see it: financing can wait
        return self._advance_financing()

    def _new_name(self) -> str | None:
        return self.reading.name if self.reading.name else None

    def _recommend(self, exclude: tuple[str, ...] = ()) -> bool:
        s = self.slots
        query = CarQuery(
            budget=s.budget_max,
            body_type=s.body_type,
            make=s.make,
            model=s.model,
            transmission=s.transmission,
            uses=s.uses,
            exclude_stock_ids=exclude,
            min_seats=s.seats,
            year_min=s.year_min,
            km_max=s.km_max,
            exclude_makes=s.exclude_makes,
        )
        rec = self.deps.catalog.recommend(query)
        if not rec.cars:
            self.say(rec.note or replies.no_cars())
            self.set_slots(options=(), options_for=_query_key(s))
            return False
        self.cars = rec.cars
        self.set_slots(options=rec.cars, options_for=_query_key(s), focus=None)
        self.understood["options"] = [c.stock_id for c in rec.cars]
        self.say(replies.options_intro(exact=rec.exact, note=rec.note, count=len(rec.cars)))
        self.say(replies.options_block(rec.cars))
        return True

    # -- financing --
    def _advance_financing(self) -> TurnResult:
        s = self.slots
        car = s.chosen
        assert car is not None  # noqa: S101 - only called after a choice
        if s.cash_purchase:
            if s.plan_shown_for != f"cash|{car.stock_id}":
                self.say(replies.cash_ack(car))
                self.set_slots(plan_shown_for=f"cash|{car.stock_id}")
            return self._after_plan()
        if s.down_payment is None and s.down_payment_ratio is not None:
            self.set_slots(down_payment=money(car.price * s.down_payment_ratio))
        s = self.slots
        if s.down_payment is None:
            if _ASKS_MONTHLY.search(self.reading.folded):
                # "¿cuánto pagaría al mes?": the four terms with the minimum down payment.
                minimum = money(car.price * self.config.min_down_ratio)
                plans = [
                    financing_plan(
                        price=car.price,
                        down_payment=minimum,
                        annual_rate=self.config.annual_rate,
                        term_months=t,
                    )
                    for t in self.config.terms
                ]
                self.say(replies.minimum_down_comparison(minimum, plans))
            return self.ask(Action.ASK_DOWN_PAYMENT)
        minimum = money(car.price * self.config.min_down_ratio)
        if s.down_payment >= car.price:
            self.set_slots(cash_purchase=True, down_payment=None, down_payment_ratio=None)
            self.say(replies.cash_offer(price=car.price))
            self.set_slots(plan_shown_for=f"cash|{car.stock_id}")
            return self._after_plan()
        if s.down_payment < minimum:
            self.set_slots(down_payment=None, down_payment_ratio=None)
            self.say(replies.down_payment_too_low(minimum=minimum, price=car.price))
            return self.result(Action.ASK_DOWN_PAYMENT, ask=False)
        if s.term_months is None:
            if "compare" in self.changed or _ASKS_MONTHLY.search(self.reading.folded):
                # "¿cuánto pagaría al mes?": the four terms answer it before choosing one.
                self.say(replies.comparison_block([self._plan(t) for t in self.config.terms]))
            if "term_invalid" in self.changed:
                return self.result(Action.ASK_TERM, ask=False)
            return self.ask(Action.ASK_TERM)
        key = f"{car.stock_id}|{s.down_payment}|{s.term_months}"
        if s.plan_shown_for != key or "compare" in self.changed:
            plan = self._plan(s.term_months)
            self.financing = plan
            self.say(replies.plan_block(plan))
            # The comparison of terms once per car and down payment: "¿y a 6 años?" gets the plan.
            same_base = (s.plan_shown_for or "").rsplit("|", 1)[0] == key.rsplit("|", 1)[0]
            if not same_base or "compare" in self.changed:
                others = [self._plan(t) for t in self.config.terms]
                self.say(replies.comparison_block(others))
            self.say(replies.estimate_disclaimer())
            self.set_slots(plan_shown_for=key)
            self.understood["financing"] = plan.as_dict()
        return self._after_plan()

    def _after_plan(self) -> TurnResult:
        s = self.slots
        if s.lead_captured:
            return self.ask(Action.OFFER_HELP, step=Step.DONE)
        if s.wants_appointment or s.wants_callback:
            return self._advance_lead()
        return self.ask(Action.OFFER_APPOINTMENT)

    def _plan(self, term: int) -> FinancingPlan:
        car = self.slots.chosen
        assert car is not None  # noqa: S101
        assert self.slots.down_payment is not None  # noqa: S101
        return financing_plan(
            price=car.price,
            down_payment=self.slots.down_payment,
            annual_rate=self.config.annual_rate,
            term_months=term,
        )

    # -- lead capture --
    def _advance_lead(self) -> TurnResult:
        s = self.slots
        # The name is asked twice at most: a customer who answers with the phone and the time
        # instead is not asked a third time (a loop); the advisor calls the number without it.
        if not s.name and not (s.phone and self.state.times_asked(Action.ASK_NAME.value) >= 2):
            return self.ask(Action.ASK_NAME)
        if not s.phone:
            return self.ask(Action.ASK_PHONE)
        if not s.contact_time:
            return self.ask(Action.ASK_CONTACT_TIME)
        if not s.lead_captured:
            return self._capture()
        return self.ask(Action.OFFER_HELP, step=Step.DONE)

    def _capture(self) -> TurnResult:
        s = self.slots
        self.set_slots(lead_captured=True, lead_recorded=True)
        self.understood["closing"] = satisfaction.LEAD
        appointment = s.wants_appointment and not s.wants_callback
        source = "appointment" if appointment else "lead_capture"
        self.effects.extend([UpsertLead(source=source), NotifySales(reason="lead_captured")])
        at = datetime.fromisoformat(s.contact_at) if s.contact_at else None
        if appointment:
            self.say(
                replies.appointment_done(
                    name=s.name, at=at, branch=s.branch, address=s.branch_address, car=s.chosen
                )
            )
            return self.ask(Action.OFFER_HELP, step=Step.DONE)
        when = at.strftime("%d/%m %H:%M") if at else None
        self.say(replies.lead_done(name=s.name, when=when))
        return self.result(Action.OFFER_HELP, step=Step.DONE, ask=False)

    def _lead_answer(self) -> TurnResult | None:
        """The answer to a lead question that ``take_contact`` could not read."""
        r = self.reading
        s = self.slots
        pending = self.pending
        if s.chosen is not None and self.changed & {"down", "term", "cash", "choice", "compare"}:
            return self._advance_financing()  # the plan first, then the pending lead question
        if "contact" in self.changed:
            return self._advance_lead()
        if pending == Action.ASK_PHONE and r.refuses_phone:
            self.say(replies.phone_refused())
            if not s.lead_captured:
                return self._capture()
            return self.ask(Action.OFFER_HELP, step=Step.DONE)
        if pending == Action.ASK_CONTACT_TIME and not (r.question or r.small_talk):
            self.set_slots(contact_time=r.contact_text or self.text[:200], contact_at=None)
            return self._advance_lead()
        if r.question or r.small_talk or r.thanks or r.greeting:
            return None
        if pending == Action.ASK_NAME:
            self.say(replies.invalid_name())
            return self.ask(Action.ASK_NAME)
        if pending == Action.ASK_PHONE:
            self.state = evolve(self.state, misunderstood=self.state.misunderstood + 1)
            self.say(replies.invalid_phone())
            return self.result(Action.ASK_PHONE, ask=False)
        return None

    # -- nothing placed --
    def _budget_stalled(self, action: Action) -> bool:
        """The budget was asked three times and a car is in mind: show prices instead of a
        fourth question (the customer may not know, or may not want to say)."""
        s = self.slots
        return (
            action == Action.ASK_BUDGET
            and not s.has_budget
            and not s.options
            and s.has_need
            and self.state.times_asked(Action.ASK_BUDGET.value) >= 3
        )

    def _small_talk_or_misunderstood(self) -> TurnResult:
        r = self.reading
        action = self._resume_action()
        if self._budget_stalled(action):
            return self._options_without_budget()
        if r.thanks:
            self.say(replies.thanks())
            if action == Action.OFFER_HELP:
                self.understood["closing"] = satisfaction.GOODBYE  # nothing pending: a goodbye
                return self.result(action, step=Step.DONE, ask=False)
            return self.ask(action)
        if r.think_later or r.decline:
            self.say(replies.take_your_time())
            return self.result(action, ask=False)
        if re.search(r"\b(?:info|informacion|precios?|cotizacion)\b", r.folded):
            self.say(replies.info_prices() if action == Action.ASK_NEED else replies.still_here())
            return self.ask(action)
        if action == Action.ASK_NEED and _CAR_WANT.search(r.folded):
            # "busco un carro rojo con pantalla": a car is wanted, only its kind is missing.
            self.say(replies.need_details(equipment=names_unsearchable_detail(r.folded)))
            return self.ask(action)
        first_turn = bool(self.parts) and self.parts[0] == replies.greeting()
        if r.small_talk or r.greeting or r.yes or r.no or first_turn:
            if not first_turn and not r.greeting:
                self.say(replies.still_here())
            return self.ask(action)
        self.lost = True
        misunderstood = self.state.misunderstood + 1
        self.state = evolve(self.state, misunderstood=misunderstood)
        if misunderstood >= self.config.max_misunderstood:
            return self._handoff(reason="misunderstood")
        self.say("Perdón, no te entendí.")
        return self.ask(action)


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
    retry = _Turn(state, dataclasses.replace(inbound, text=text, suggested={}), deps, config).run()
    if retry.lost:
        return None
    return dataclasses.replace(retry, understood={**retry.understood, "llm_slots": list(used)})


# --- helpers ------------------------------------------------------------------------------------
def _query_key(s: Slots) -> str:
    return "|".join(
        str(x)
        for x in (
            s.body_type,
            s.make,
            s.model,
            s.transmission,
            ",".join(s.uses),
            s.budget_max,
            s.seats,
            s.year_min,
            s.km_max,
            ",".join(s.exclude_makes),
        )
    )


def _need_text(s: Slots) -> str:
    return replies.need_summary(
        body_type=s.body_type,
        uses=s.uses,
        make=s.make,
        model=s.model,
        transmission=s.transmission,
        seats=s.seats,
        km_max=s.km_max,
    )


_CAR_WORDS = re.compile(
    r"\b(?:auto|autos|carro|carros|coche|coches|camioneta\w*|vehiculo\w*|seguro|credito|"
    r"financ\w*|enganche|garantia|sucursal\w*|kavak|precio|pago\w*|mensualidad\w*|placas|"
    r"tenencia|verificacion|factura|servicio\w*|mantenimiento|llantas|motor|asesor\w*)\b"
)


# A question that leans on the previous one: "¿y…?", "¿se puede…?", ending in "él/eso/lo".
_FOLLOW_UP = re.compile(
    r"^[¿\s]*(?:y|e|pero|entonces|o sea)\b|\bse puede\b|\b(?:el|ella|eso|esto|lo|la|le|ahi)\W*$"
    r"|^[¿\s]*(?:cuanto|cuantos|cuanta|como|donde|cuando)\W*$"
)
_QUESTION_BREAK = re.compile(r"(?<=[?!.])\s*|\s+(?=¿)")


def _without_clauses(text: str, handled: Any) -> str:
    """``text`` without the questions ``handled`` says the engine already answered."""
    clauses = [c.strip(" ,;") for c in _QUESTION_BREAK.split(text) if c.strip(" ,;")]
    kept = [c for c in clauses if not handled(c)]
    return " ".join(re.sub(r"^(?:y|e|o)\s+", "", c) for c in kept)


_ASKS_MONTHLY = re.compile(r"\b(?:al mes|mensualidad\w*|mensual\w*|por mes|x mes)\b")
_CLAUSE = re.compile(r"[,;.!?¿]|\s(?:y|pero|aunque|ademas|tambien)\s")


def _kavak_clauses(text: str, knowledge: KnowledgeBase) -> str:
    """The clauses of ``text`` that are questions about Kavak (the rest stated slots)."""
    clauses = [c.strip() for c in _CLAUSE.split(text) if len(c.strip()) > 3]
    asked = [c for c in clauses if knowledge.looks_like_question(c)]
    if not asked:
        return ""
    # "soy de Monterrey, ¿tienen sucursal allá?": the place said beside the question belongs to it.
    places = [c for c in clauses if c not in asked and knowledge.branches_in(c)]
    return " ".join(places + asked)


def _about_cars(folded: str) -> bool:
    """Whether an unanswered question is about cars or Kavak (an unknown fact), or off-topic."""
    return _CAR_WORDS.search(folded) is not None
