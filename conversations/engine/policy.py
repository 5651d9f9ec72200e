"""The sales flow as a deterministic state machine.

need → budget → options → financing → next action (appointment, lead, human).

``decide`` never writes anything: writes come back as effects (upsert the lead, notify sales, pause
the bot, record a knowledge-base miss) that the shell applies after the state is saved.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from conversations.engine import parsing, replies
from conversations.engine.financing import (
    FinancingPlan,
    financing_plan,
    max_price_for_monthly,
    money,
)
from conversations.engine.ports import CarCatalog, CarQuery, KbSource, KnowledgeBase
from conversations.engine.state import (
    FUNNEL_ORDER,
    Action,
    CarOption,
    ConversationState,
    Slots,
    Step,
)

# --- Inputs and outputs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Inbound:
    text: str
    channel: str = "api"
    customer_phone: str | None = None  # known from the channel (the WhatsApp sender)
    # Slots the optional LLM read from ``text`` (issue 5): suggestions only, used when the engine
    # alone understood nothing, as far as its own parsers accept them (``suggested_phrase``).
    suggested: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EngineConfig:
    now: datetime
    annual_rate: Decimal = Decimal("0.10")
    terms: tuple[int, ...] = (36, 48, 60, 72)
    min_down_ratio: Decimal = Decimal("0.10")
    max_misunderstood: int = 3


@dataclass(frozen=True)
class EngineDeps:
    catalog: CarCatalog
    knowledge: KnowledgeBase


@dataclass(frozen=True)
class UpsertLead:
    source: str  # "lead_capture" | "appointment" | "handoff"


@dataclass(frozen=True)
class NotifySales:
    reason: str  # "lead_captured" | "handoff"


@dataclass(frozen=True)
class PauseBot:
    reason: str


@dataclass(frozen=True)
class RecordKbMiss:
    question: str
    confidence: float


Effect = UpsertLead | NotifySales | PauseBot | RecordKbMiss


@dataclass(frozen=True)
class TurnResult:
    state: ConversationState
    reply: str
    effects: tuple[Effect, ...] = ()
    cars: tuple[CarOption, ...] = ()
    financing: FinancingPlan | None = None
    sources: tuple[KbSource, ...] = ()
    understood: dict[str, Any] = field(default_factory=dict)
    lost: bool = False  # nothing in the message was understood (misunderstood or KB fallback)


# --- The engine ---------------------------------------------------------------------------------


def decide(
    state: ConversationState, inbound: Inbound, deps: EngineDeps, config: EngineConfig
) -> TurnResult:
    """Decide the reply to one customer message. Pure: same inputs, same result."""
    result = _Turn(state, inbound, deps, config).run()
    if result.lost and inbound.suggested:  # issue 5: LLM-suggested slots, checked by the engine
        return _with_suggestions(state, inbound, deps, config) or result
    return result


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
        self.understood_anything = False
        self.lost = False

    # -- helpers --
    @property
    def slots(self) -> Slots:
        return self.state.slots

    def set_slots(self, **changes: Any) -> None:
        self.state = self.state.with_slots(**changes)
        for key, value in changes.items():
            if key in ("options", "plan_shown_for", "options_for"):
                continue
            self.understood[key] = value if not isinstance(value, Decimal) else str(value)

    def say(self, text: str) -> None:
        if text:
            self.parts.append(text)

    def result(self, action: Action, *, step: Step | None = None, ask: bool = True) -> TurnResult:
        step = step or _FLOW_ACTIONS.get(action, self.state.step)
        if ask:
            self.say(replies.question(action))
        furthest = self.state.furthest_step
        if step in FUNNEL_ORDER and FUNNEL_ORDER.index(step) > FUNNEL_ORDER.index(furthest):
            furthest = step
        self.state = dataclasses.replace(
            self.state, step=step, next_action=action, furthest_step=furthest
        )
        return TurnResult(
            state=self.state,
            reply="\n\n".join(self.parts),
            effects=tuple(self.effects),
            cars=self.cars,
            financing=self.financing,
            sources=self.sources,
            understood=self.understood,
            lost=self.lost,
        )

    # -- entry point --
    def run(self) -> TurnResult:
        if not self.state.greeted:
            self.say(replies.greeting())
            self.state = dataclasses.replace(self.state, greeted=True)
        if self.inbound.customer_phone and not self.slots.phone:
            self.state = self.state.with_slots(phone=self.inbound.customer_phone)
        pending = self.state.next_action
        text = self.text
        if not text:
            return self.result(self._resume_action())
        if parsing.wants_reset(text):
            return self._reset()
        if parsing.wants_human(text):
            return self._handoff(reason="asked")
        if parsing.is_adversarial(text):
            self.say(replies.adversarial())
            return self.result(self._resume_action())
        if self.state.suggestion and pending == Action.CONFIRM_SUGGESTION:
            answer = parsing.parse_yes_no(text)
            if answer is not None:
                return self._confirm_suggestion(answer)
        if parsing.wants_discount(text) and not parsing.find_amounts(text):
            self.say(replies.discount())
            return self.result(self._resume_action())
        handler = {
            Action.ASK_DOWN_PAYMENT: self._on_down_payment,
            Action.ASK_TERM: self._on_term,
            Action.OFFER_APPOINTMENT: self._on_offer_appointment,
            Action.ASK_NAME: self._on_name,
            Action.ASK_PHONE: self._on_phone,
            Action.ASK_CONTACT_TIME: self._on_contact_time,
        }.get(pending)
        if handler is not None:
            outcome = handler()
            if outcome is not None:
                return outcome
        else:
            outcome = self._on_search()
            if outcome is not None:
                return outcome
        if self.deps.knowledge.looks_like_question(text) or parsing.is_question(text):
            # Also questions the flow did not understand and that are not about Kavak: the
            # knowledge base then answers with its honest fallback instead of "no te entendí".
            return self._faq()
        return self._small_talk_or_misunderstood()

    def _resume_action(self) -> Action:
        pending = self.state.next_action
        if pending in (Action.CONFIRM_SUGGESTION, Action.ANSWER_FAQ):
            return self._next_flow_action()
        return pending

    def _next_flow_action(self) -> Action:
        s = self.slots
        if not s.has_need:
            return Action.ASK_NEED
        if not s.has_budget:
            return Action.ASK_BUDGET
        if s.chosen is None:
            return Action.CHOOSE_OPTION
        return Action.OFFER_HELP

    # -- global intents --
    def _reset(self) -> TurnResult:
        keep = Slots(name=self.slots.name, phone=self.slots.phone)
        self.state = ConversationState(
            slots=keep, greeted=True, furthest_step=self.state.furthest_step
        )
        self.understood["reset"] = True
        self.say(replies.reset())
        return self.result(Action.ASK_NEED, step=Step.NEED)

    def _handoff(self, *, reason: str) -> TurnResult:
        phone = parsing.parse_phone(self.text)
        if phone:
            self.set_slots(phone=phone)
        self.understood["handoff"] = reason
        self.set_slots(lead_recorded=True)
        self.effects.extend(
            [UpsertLead(source="handoff"), NotifySales(reason="handoff"), PauseBot(reason=reason)]
        )
        self.say(replies.gave_up() if reason == "misunderstood" else "")
        self.say(replies.handoff(has_phone=bool(self.slots.phone)))
        return self.result(Action.HANDOFF_TO_HUMAN, step=Step.HANDOFF, ask=False)

    def _faq(self) -> TurnResult:
        answer = self.deps.knowledge.answer(self.text)
        self.understood["faq"] = {"confident": answer.confident, "confidence": answer.confidence}
        if answer.confident:
            self.sources = answer.sources
        else:
            self.lost = True
            self.effects.append(RecordKbMiss(question=self.text, confidence=answer.confidence))
        self.say(answer.answer or replies.faq_unavailable())
        action = self._resume_action()
        if action in (Action.OFFER_HELP, Action.HANDOFF_TO_HUMAN):
            return self.result(Action.ANSWER_FAQ, ask=True)
        self.say(replies.resume(action))
        return self.result(action, ask=False)

    def _small_talk_or_misunderstood(self) -> TurnResult:
        action = self._resume_action()
        if parsing.is_thanks(self.text):
            self.say(replies.thanks())
            return self.result(action)
        first_turn = bool(self.parts) and self.parts[0] == replies.greeting()
        if parsing.is_greeting(self.text) or first_turn:
            return self.result(action)
        self.lost = True
        misunderstood = self.state.misunderstood + 1
        self.state = dataclasses.replace(self.state, misunderstood=misunderstood)
        if misunderstood >= self.config.max_misunderstood:
            return self._handoff(reason="misunderstood")
        self.say("Perdón, no te entendí.")
        return self.result(action)

    def _confirm_suggestion(self, yes: bool) -> TurnResult:
        candidate = self.state.suggestion or ""
        self.state = dataclasses.replace(self.state, suggestion=None)
        if yes:
            match = self.deps.catalog.match_need(candidate)
            self.set_slots(make=match.make, model=match.model, body_type=match.body_type)
            return self._advance()
        self.say("Entendido.")
        return self.result(Action.ASK_NEED)

    # -- need, budget, options --
    def _on_search(self) -> TurnResult | None:
        s = self.slots
        pending = self.state.next_action
        if pending == Action.CHOOSE_OPTION and s.options and not s.chosen:
            index = parsing.parse_option_choice(
                self.text,
                options=[(c.stock_id, c.make, c.model) for c in s.options],
                expecting=True,
            )
            if index is not None:
                self.set_slots(chosen=s.options[index])
                self._extract_financing_terms()
                self.say(replies.chosen_ack(s.options[index]))
                return self._advance(announce_choice=False)
            if parsing.wants_other_options(self.text) and not parsing.find_amounts(self.text):
                return self._advance(exclude=tuple(c.stock_id for c in s.options))
        changed = self._extract_need_and_budget(expect_budget=pending == Action.ASK_BUDGET)
        if pending == Action.ASK_NEED and not changed and _is_open_need(self.text):
            self.set_slots(need_open=True)
            changed = True
        if self.state.suggestion and not changed:
            self.say(replies.suggestion(self.state.suggestion))
            return self.result(Action.CONFIRM_SUGGESTION, ask=False)
        self._extract_financing_terms()
        if parsing.wants_cash(self.text):
            self.set_slots(cash_purchase=True)
            changed = True
        if not changed:
            return None
        return self._advance()

    def _extract_need_and_budget(self, *, expect_budget: bool) -> bool:
        before = self.slots
        changed = False
        match = self.deps.catalog.match_need(self.text)
        if match.found:
            updates: dict[str, Any] = {}
            if match.make or match.model:
                updates.update(make=match.make, model=match.model)
                if match.model:
                    updates["body_type"] = match.body_type
            elif match.body_type:
                # "Toyota" then "SUV" is a Toyota SUV; "Versa" then "camioneta" is any SUV.
                keep_make = before.make if not before.model else None
                updates.update(body_type=match.body_type, make=keep_make, model=None)
            if match.uses:
                updates["uses"] = match.uses
            if match.transmission:
                updates["transmission"] = match.transmission
            self.set_slots(need_open=False, **updates)
            changed = True
            self.say("Perfecto, buscas: " + _need_text(self.slots) + ".")
        elif match.suggestion:
            self.state = dataclasses.replace(self.state, suggestion=match.suggestion)
        budget = parsing.parse_budget(self.text, expecting=expect_budget)
        if budget is not None:
            changed = True
            if budget.monthly is not None:
                term = max(self.config.terms)
                max_price = max_price_for_monthly(
                    monthly=budget.monthly,
                    annual_rate=self.config.annual_rate,
                    term_months=term,
                    min_down_ratio=self.config.min_down_ratio,
                )
                self.set_slots(monthly_budget=budget.monthly, budget_max=max_price, budget_min=None)
                self.say(
                    replies.monthly_budget_ack(
                        monthly=budget.monthly,
                        max_price=max_price,
                        term=term,
                        rate=self.config.annual_rate,
                    )
                )
            else:
                self.set_slots(
                    budget_max=budget.max_price, budget_min=budget.min_price, monthly_budget=None
                )
                assert budget.max_price is not None  # noqa: S101 - parse_budget guarantees it
                self.say(replies.budget_ack(max_price=budget.max_price, min_price=budget.min_price))
        if changed and before.chosen is not None and _query_key(before) != _query_key(self.slots):
            # A change of mind after choosing a car: search again, drop the old plan.
            self.set_slots(chosen=None, down_payment=None, plan_shown_for=None, cash_purchase=False)
            self.understood["changed_mind"] = True
        return changed

    def _extract_financing_terms(self) -> None:
        """Keep a down payment or term the customer volunteers early ("con 20% a 4 años")."""
        dp = parsing.parse_down_payment(self.text)
        if dp is not None and (dp.ratio is not None or dp.minimum):
            ratio = self.config.min_down_ratio if dp.minimum else dp.ratio
            self.set_slots(down_payment_ratio=ratio, down_payment=None)
        elif dp is not None and dp.amount is not None and self.slots.chosen is not None:
            self.set_slots(down_payment=dp.amount)
        term = parsing.parse_term(self.text)
        if term is not None and term.months:
            self.set_slots(term_months=term.months)

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
        )
        rec = self.deps.catalog.recommend(query)
        if not rec.cars:
            self.say(rec.note or replies.no_cars())
            self.set_slots(options=(), options_for=_query_key(s))
            return False
        self.cars = rec.cars
        self.set_slots(options=rec.cars, options_for=_query_key(s))
        self.understood["options"] = [c.stock_id for c in rec.cars]
        self.say(replies.options_intro(exact=rec.exact, note=rec.note, count=len(rec.cars)))
        self.say(replies.options_block(rec.cars))
        return True

    def _advance(
        self, *, exclude: tuple[str, ...] = (), announce_choice: bool = True
    ) -> TurnResult:
        """Move to the first unmet requirement of the flow, showing options or a plan on the way."""
        s = self.slots
        if not s.has_need:
            return self.result(Action.ASK_NEED)
        if not s.has_budget:
            return self.result(Action.ASK_BUDGET)
        if s.chosen is None:
            stale = exclude or not s.options or s.options_for != _query_key(s)
            if stale and not self._recommend(exclude=exclude):
                return self.result(Action.ASK_NEED, step=Step.OPTIONS)
            return self.result(Action.CHOOSE_OPTION)
        return self._advance_financing()

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
            return self.result(Action.ASK_DOWN_PAYMENT)
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
            return self.result(Action.ASK_TERM)
        key = f"{car.stock_id}|{s.down_payment}|{s.term_months}"
        if s.plan_shown_for != key:
            plan = self._plan(s.term_months)
            self.financing = plan
            self.say(replies.plan_block(plan))
            others = [self._plan(t) for t in self.config.terms]
            self.say(replies.comparison_block(others))
            self.say(replies.estimate_disclaimer())
            self.set_slots(plan_shown_for=key)
            self.understood["financing"] = plan.as_dict()
        return self._after_plan()

    def _after_plan(self) -> TurnResult:
        s = self.slots
        if s.lead_captured:
            return self.result(Action.OFFER_HELP, step=Step.DONE)
        if s.wants_appointment:
            return self._advance_lead()
        return self.result(Action.OFFER_APPOINTMENT)

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

    def _on_down_payment(self) -> TurnResult | None:
        car = self.slots.chosen
        if car is None:
            return None
        if parsing.wants_cash(self.text):
            self.set_slots(cash_purchase=True)
            return self._advance_financing()
        if self._mentions_other_need():
            return self._on_search()
        dp = parsing.parse_down_payment(self.text, expecting=True)
        if dp is None:
            return self._on_search()
        if dp.none:
            minimum = money(car.price * self.config.min_down_ratio)
            self.say(replies.down_payment_too_low(minimum=minimum, price=car.price))
            return self.result(Action.ASK_DOWN_PAYMENT, ask=False)
        if dp.minimum:
            amount = money(car.price * self.config.min_down_ratio)
        elif dp.ratio is not None:
            amount = money(car.price * dp.ratio)
        else:
            assert dp.amount is not None  # noqa: S101
            amount = money(dp.amount)
        self.set_slots(down_payment=amount, down_payment_ratio=None)
        term = parsing.parse_term(self.text)
        if term is not None and term.months:
            self.set_slots(term_months=term.months)
        return self._advance_financing()

    def _mentions_other_need(self) -> bool:
        """A car or body type different from the chosen one: the customer changed their mind."""
        match = self.deps.catalog.match_need(self.text)
        car = self.slots.chosen
        if not match.found or car is None:
            return False
        return bool(
            (match.model and match.model != car.model)
            or (match.make and match.make != car.make)
            or (match.body_type and not match.model and match.body_type != car.body_type)
        )

    def _on_term(self) -> TurnResult | None:
        if self.slots.chosen is None:
            return None
        term = parsing.parse_term(self.text, expecting=True)
        if term is None:
            dp = parsing.parse_down_payment(self.text)
            if dp is not None:
                self.set_slots(down_payment=None)
                return self._on_down_payment()
            return self._on_search()
        if term.invalid:
            self.say(replies.invalid_term())
            return self.result(Action.ASK_TERM, ask=False)
        if term.compare:
            others = [self._plan(t) for t in self.config.terms]
            self.say(replies.comparison_block(others))
            return self.result(Action.ASK_TERM)
        self.set_slots(term_months=term.months)
        return self._advance_financing()

    def _on_offer_appointment(self) -> TurnResult | None:
        term = parsing.parse_term(self.text)
        if term is not None and term.months and term.months != self.slots.term_months:
            self.set_slots(term_months=term.months)
            return self._advance_financing()
        dp = parsing.parse_down_payment(self.text)
        if dp is not None and not dp.none:
            self.set_slots(down_payment=None)
            return self._on_down_payment()
        if parsing.wants_other_options(self.text):
            self.set_slots(chosen=None, plan_shown_for=None, down_payment=None)
            return self._advance(exclude=tuple(c.stock_id for c in self.slots.options))
        if parsing.wants_appointment(self.text):
            self.set_slots(wants_appointment=True)
            return self._advance_lead()
        answer = parsing.parse_yes_no(self.text)
        if answer is True:
            self.set_slots(wants_appointment=True)
            return self._advance_lead()
        if answer is False:
            self.say(replies.appointment_declined())
            return self.result(Action.OFFER_HELP, step=Step.DONE, ask=False)
        return self._on_search()

    # -- lead capture --
    def _advance_lead(self) -> TurnResult:
        s = self.slots
        if not s.name:
            return self.result(Action.ASK_NAME)
        if not s.phone:
            return self.result(Action.ASK_PHONE)
        if not s.contact_time:
            return self.result(Action.ASK_CONTACT_TIME)
        if not s.lead_captured:
            self.set_slots(lead_captured=True, lead_recorded=True)
            source = "appointment" if s.wants_appointment else "lead_capture"
            self.effects.extend([UpsertLead(source=source), NotifySales(reason="lead_captured")])
            when = None
            if s.contact_at:
                when = datetime.fromisoformat(s.contact_at).strftime("%d/%m %H:%M")
            self.say(replies.lead_done(name=s.name, when=when))
            return self.result(Action.OFFER_HELP, step=Step.DONE, ask=False)
        return self.result(Action.OFFER_HELP, step=Step.DONE)

    def _on_name(self) -> TurnResult | None:
        name = parsing.parse_name(self.text, expecting=True)
        phone = parsing.parse_phone(self.text)
        if phone:
            self.set_slots(phone=phone)
        if name is None:
            if phone:
                return self._advance_lead()
            if self.deps.knowledge.looks_like_question(self.text):
                return None
            self.say(replies.invalid_name())
            return self.result(Action.ASK_NAME, ask=False)
        self.set_slots(name=name)
        return self._advance_lead()

    def _on_phone(self) -> TurnResult | None:
        phone = parsing.parse_phone(self.text)
        if phone is None:
            if self.deps.knowledge.looks_like_question(self.text):
                return None
            misunderstood = self.state.misunderstood + 1
            self.state = dataclasses.replace(self.state, misunderstood=misunderstood)
            self.say(replies.invalid_phone())
            return self.result(Action.ASK_PHONE, ask=False)
        self.set_slots(phone=phone)
        return self._advance_lead()

    def _on_contact_time(self) -> TurnResult | None:
        if self.deps.knowledge.looks_like_question(self.text):
            return None
        when = parsing.parse_contact_time(self.text, now=self.config.now)
        self.set_slots(contact_time=self.text[:200], contact_at=when.isoformat() if when else None)
        return self._advance_lead()


# --- LLM-suggested slots (issue 5) --------------------------------------------------------------
# The optional LLM may read slots the parsers missed ("traigo como trescientos varos"). They are
# never applied as values: each one that passes a type and range check is written as a plain
# phrase ("presupuesto de 300000 pesos", "a 48 meses"), and the turn is decided again on that
# phrase, so the engine's own parsers, the catalogue matcher and the financing rules (minimum down
# payment, allowed terms) decide what is accepted, exactly as if the customer had typed it.

_SUGGESTED_BUDGET = (Decimal(10_000), Decimal(20_000_000))
_SUGGESTED_MONTHLY = (Decimal(500), Decimal(500_000))
_SUGGESTED_NAME = re.compile(r"[A-Za-zÀ-ÿ0-9][A-Za-zÀ-ÿ0-9 .\-]{0,29}")
_TRANSMISSION_ES = {"automatic": "automático", "manual": "estándar"}


def _whole(value: Any, low: Decimal, high: Decimal) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    amount = Decimal(value)
    return amount if low <= amount <= high else None


def _name(value: Any) -> str | None:
    if isinstance(value, str) and _SUGGESTED_NAME.fullmatch(value.strip()):
        return value.strip()
    return None


def suggested_phrase(
    suggested: Mapping[str, Any], config: EngineConfig
) -> tuple[str, tuple[str, ...]]:
    """The suggestions that pass their checks, as one phrase for the parsers, and their keys."""
    parts: list[str] = []
    used: list[str] = []
    names = [(k, _name(suggested.get(k))) for k in ("make", "model")]
    if any(n for _, n in names):
        parts.append(" ".join(n for _, n in names if n))
        used += [k for k, n in names if n]
    body = suggested.get("body_type")
    if isinstance(body, str) and body in replies.BODY_TYPE_ES:
        parts.append(replies.BODY_TYPE_ES[body])
        used.append("body_type")
    transmission = suggested.get("transmission")
    if isinstance(transmission, str) and transmission in _TRANSMISSION_ES:
        parts.append(_TRANSMISSION_ES[transmission])
        used.append("transmission")
    high = _whole(suggested.get("budget_max"), *_SUGGESTED_BUDGET)
    low = _whole(suggested.get("budget_min"), *_SUGGESTED_BUDGET)
    monthly = _whole(suggested.get("monthly_budget"), *_SUGGESTED_MONTHLY)
    if high is not None and low is not None and low < high:
        parts.append(f"presupuesto entre {low} y {high} pesos")
        used += ["budget_min", "budget_max"]
    elif high is not None:
        parts.append(f"presupuesto de {high} pesos")
        used.append("budget_max")
    elif monthly is not None:
        parts.append(f"puedo pagar {monthly} pesos al mes")
        used.append("monthly_budget")
    percent = _whole(suggested.get("down_payment_percent"), Decimal(1), Decimal(99))
    amount = _whole(suggested.get("down_payment_amount"), Decimal(1_000), _SUGGESTED_BUDGET[1])
    if percent is not None:
        parts.append(f"enganche del {percent}%")
        used.append("down_payment_percent")
    elif amount is not None and high is None and monthly is None:
        # One amount per phrase: a down payment next to a budget could be read as a range.
        parts.append(f"enganche de {amount} pesos")
        used.append("down_payment_amount")
    term = suggested.get("term_months")
    if isinstance(term, int) and not isinstance(term, bool) and term in config.terms:
        parts.append(f"a {term} meses")
        used.append("term_months")
    return ", ".join(parts), tuple(used)


def _with_suggestions(
    state: ConversationState, inbound: Inbound, deps: EngineDeps, config: EngineConfig
) -> TurnResult | None:
    """Decide again on the accepted suggestions; None when they do not help either."""
    phrase, used = suggested_phrase(inbound.suggested, config)
    if not phrase:
        return None
    retry = _Turn(
        state, dataclasses.replace(inbound, text=phrase, suggested={}), deps, config
    ).run()
    if retry.lost:
        return None
    return dataclasses.replace(retry, understood={**retry.understood, "llm_slots": list(used)})


# --- helpers ------------------------------------------------------------------------------------
def _query_key(s: Slots) -> str:
    return "|".join(
        str(x)
        for x in (s.body_type, s.make, s.model, s.transmission, ",".join(s.uses), s.budget_max)
    )


def _need_text(s: Slots) -> str:
    return replies.need_summary(
        body_type=s.body_type, uses=s.uses, make=s.make, model=s.model, transmission=s.transmission
    )


def _is_open_need(text: str) -> bool:
    folded = parsing.fold(text)
    return any(
        phrase in folded
        for phrase in (
            "lo que sea",
            "cualquiera",
            "no se",
            "me da igual",
            "el que sea",
            "cualquier",
        )
    )
