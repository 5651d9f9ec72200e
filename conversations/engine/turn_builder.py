"""The turn being built: its state, what it says and asks, and the result it returns.

``policy.decide`` creates one ``Turn`` per message and runs the steps (``conversations.engine.
steps``) over it; each step reads ``turn.reading`` and the slots, fills slots, says things, and
may end the turn with ``turn.ask`` or ``turn.result``.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from conversations.engine import replies, replies_cars
from conversations.engine.financing import FinancingPlan
from conversations.engine.ports import Branch, KbSource
from conversations.engine.state import (
    FUNNEL_ORDER,
    Action,
    CarOption,
    ConversationState,
    Slots,
    Step,
    evolve,
)
from conversations.engine.turn import Effect, EngineConfig, EngineDeps, Inbound, TurnResult
from conversations.engine.understanding import Reading, understand

FLOW_ACTIONS = {
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
LEAD_ACTIONS = (Action.ASK_NAME, Action.ASK_PHONE, Action.ASK_CONTACT_TIME)


class Turn:
    """Mutable builder for one turn; only ``policy`` creates it, the ``steps`` fill it."""

    def __init__(
        self, state: ConversationState, inbound: Inbound, deps: EngineDeps, config: EngineConfig
    ) -> None:
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
        # The branch offered for a visit (where it was said, and the city's branches): an answer
        # that lists them all shortens the offer (steps/side.py).
        self.branch_offer: tuple[int, tuple[Branch, ...]] | None = None
        self.pending = state.next_action
        self.reading: Reading = understand(
            self.text,
            state,
            catalog=deps.catalog,
            knowledge=deps.knowledge,
            now=config.now,
            terms=config.terms,
        )
        self.told = state.told  # what the last turn told (read above and by the steps)
        if state.told:
            self.state = evolve(state, told=())  # read above; said again only if told again

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
        if (
            action == Action.ASK_NEED
            and self.slots.selling
            and not self.slots.has_need
            and times < 2
        ):
            self.say(replies_cars.sell_question(times))  # a seller: an advisor quotes, or buy too
        elif self.answered and action == self.pending and not self.changed:
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
        step = step or FLOW_ACTIONS.get(action, self.state.step)
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

    def resume_action(self) -> Action:
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
