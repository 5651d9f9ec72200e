"""Conversation state as frozen dataclasses, with a JSON round-trip for storage."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Step(StrEnum):
    NEED = "need"
    BUDGET = "budget"
    OPTIONS = "options"
    FINANCING = "financing"
    LEAD_CAPTURE = "lead_capture"
    HANDOFF = "handoff"
    DONE = "done"


FUNNEL_ORDER = (Step.NEED, Step.BUDGET, Step.OPTIONS, Step.FINANCING, Step.LEAD_CAPTURE)


class Action(StrEnum):
    """What the agent waits for after its reply (``next_action`` in the API)."""

    ASK_NEED = "ask_need"
    ASK_BUDGET = "ask_budget"
    CHOOSE_OPTION = "choose_option"
    ASK_DOWN_PAYMENT = "ask_down_payment"
    ASK_TERM = "ask_term"
    OFFER_APPOINTMENT = "offer_appointment"
    ASK_NAME = "ask_name"
    ASK_PHONE = "ask_phone"
    ASK_CONTACT_TIME = "ask_contact_time"
    HANDOFF_TO_HUMAN = "handoff_to_human"
    ANSWER_FAQ = "answer_faq"
    CONFIRM_SUGGESTION = "confirm_suggestion"
    OFFER_HELP = "offer_help"


@dataclass(frozen=True)
class CarOption:
    stock_id: str
    make: str
    model: str
    year: int
    version: str
    price: Decimal
    km: int
    body_type: str = ""
    transmission: str = ""
    reason: str = ""
    seats: int | None = None
    bluetooth: bool | None = None
    carplay: bool | None = None

    @property
    def name(self) -> str:
        """Make and model without repeating the make ("Mazda 3", not "Mazda Mazda 3")."""
        if self.model.lower().startswith(self.make.lower()):
            return self.model
        return f"{self.make} {self.model}"

    @property
    def title(self) -> str:
        return f"{self.name} {self.year}"


@dataclass(frozen=True)
class Slots:
    # need
    body_type: str | None = None
    uses: tuple[str, ...] = ()
    make: str | None = None
    model: str | None = None
    transmission: str | None = None
    need_open: bool = False  # "lo que sea": the customer has no preference
    seats: int | None = None  # at least this many passengers ("somos 6", "7 pasajeros")
    year_min: int | None = None  # "2020 para arriba"
    km_max: int | None = None  # "con menos de 50 mil km"
    # budget
    budget_max: Decimal | None = None
    budget_min: Decimal | None = None
    monthly_budget: Decimal | None = None
    # options and choice
    options: tuple[CarOption, ...] = ()
    chosen: CarOption | None = None
    # financing
    down_payment: Decimal | None = None
    down_payment_ratio: Decimal | None = None  # volunteered before a car was chosen ("20%")
    term_months: int | None = None
    plan_shown_for: str | None = None  # key of the last plan shown, so it is not repeated
    cash_purchase: bool = False
    # contact
    name: str | None = None
    phone: str | None = None
    contact_time: str | None = None
    contact_at: str | None = None  # ISO datetime when the time could be parsed
    lead_captured: bool = False
    lead_recorded: bool = False  # a lead exists for this conversation (capture or handoff)
    wants_appointment: bool = False
    wants_callback: bool = False  # "que me llamen": a call, not a visit
    branch: str | None = None  # appointment branch ("Kavak Punto Valle")
    branch_city: str | None = None
    branch_address: str | None = None
    options_for: str | None = None  # key of the query the shown options answer
    exclude_makes: tuple[str, ...] = ()  # "que no sea nissan": never shown
    # (make, model) named beside make/model as other choices: "un rio o un versa"
    alternatives: tuple[tuple[str | None, str | None], ...] = ()
    focus: int | None = None  # the option asked about last (0-based): "va, esa" chooses it
    focus_fields: tuple[str, ...] = ()  # what was asked about it: "¿y la 2?" asks the same
    selling: bool = False  # the customer wants to sell their car (an advisor quotes it)

    @property
    def has_need(self) -> bool:
        return bool(
            self.body_type
            or self.uses
            or self.make
            or self.model
            or self.need_open
            or self.transmission
            or self.seats
            or self.year_min  # "un auto 2016 en adelante": enough to show cars
            or self.km_max
            or self.exclude_makes  # "cualquiera menos Nissan"
        )

    @property
    def has_budget(self) -> bool:
        return self.budget_max is not None


@dataclass(frozen=True)
class ConversationState:
    step: Step = Step.NEED
    next_action: Action = Action.ASK_NEED
    slots: Slots = field(default_factory=Slots)
    misunderstood: int = 0
    greeted: bool = False
    suggestion: str | None = None  # a "¿Quisiste decir …?" candidate awaiting yes/no
    furthest_step: Step = Step.NEED
    # How many times each question was asked: the third time is said differently (no loops).
    asked: tuple[tuple[str, int], ...] = ()
    # A bare number awaiting its meaning ("72": months or thousands?) and the roles offered.
    unplaced: str | None = None
    unplaced_roles: tuple[str, ...] = ()
    handoff_notes: int = 0  # messages answered while a person has the conversation
    # The last question the knowledge base answered: "¿y pasan por él?" follows from it.
    faq_context: str | None = None
    # The satisfaction question (``engine/satisfaction.py``): "" never asked, then "asked", then
    # "answered" or "passed". Kept through "empezar de nuevo": at most once per conversation.
    survey: str = ""
    # The financing rules answered by the last turn ("terms"): a bare "72" right after hearing
    # the terms is that term, not 72 mil. Only for the next message.
    told: tuple[str, ...] = ()

    def times_asked(self, action: str) -> int:
        return dict(self.asked).get(action, 0)

    def with_slots(self, **changes: Any) -> ConversationState:
        return dataclasses.replace(self, slots=dataclasses.replace(self.slots, **changes))


def evolve(state: ConversationState, **changes: Any) -> ConversationState:
    """``dataclasses.replace`` for the conversation state."""
    return dataclasses.replace(state, **changes)


# --- JSON round-trip (stored in Conversation.state) ---------------------------------------------
_DECIMAL_SLOTS = (
    "budget_max",
    "budget_min",
    "monthly_budget",
    "down_payment",
    "down_payment_ratio",
)


_OPTION_FIELDS = tuple(f.name for f in dataclasses.fields(CarOption))


def _option_to_dict(option: CarOption) -> dict[str, Any]:
    data = {name: getattr(option, name) for name in _OPTION_FIELDS}
    data["price"] = str(option.price)
    return data


def _option_from_dict(data: dict[str, Any]) -> CarOption:
    return CarOption(**{**data, "price": Decimal(data["price"])})


_SLOT_DEFAULTS = tuple((f.name, f.default) for f in dataclasses.fields(Slots))


def state_to_dict(state: ConversationState) -> dict[str, Any]:
    """The state as JSON-ready data; slots still at their default are left out.

    Leaving them out keeps the stored row small (it is rewritten on every turn, and PostgreSQL
    compresses values over about 2 KB); ``state_from_dict`` restores the defaults, and reads
    rows written with every slot as well.
    """
    slots = state.slots
    slot_data: dict[str, Any] = {}
    for name, default in _SLOT_DEFAULTS:
        value = getattr(slots, name)
        if value == default:
            continue
        if name == "options":
            value = [_option_to_dict(o) for o in value]
        elif name == "chosen":
            value = _option_to_dict(value)
        elif name in ("uses", "exclude_makes", "focus_fields"):
            value = list(value)
        elif name == "alternatives":
            value = [list(pair) for pair in value]
        elif isinstance(value, Decimal):
            value = str(value)
        slot_data[name] = value
    data: dict[str, Any] = {
        "step": state.step.value,
        "next_action": state.next_action.value,
        "slots": slot_data,
        "misunderstood": state.misunderstood,
        "greeted": state.greeted,
        "suggestion": state.suggestion,
        "furthest_step": state.furthest_step.value,
    }
    if state.asked:
        data["asked"] = dict(state.asked)
    if state.unplaced is not None:
        data["unplaced"] = state.unplaced
        data["unplaced_roles"] = list(state.unplaced_roles)
    if state.handoff_notes:
        data["handoff_notes"] = state.handoff_notes
    if state.faq_context:
        data["faq_context"] = state.faq_context
    if state.survey:
        data["survey"] = state.survey
    if state.told:
        data["told"] = list(state.told)
    return data


def state_from_dict(data: dict[str, Any] | None) -> ConversationState:
    if not data:
        return ConversationState()
    raw = dict(data.get("slots") or {})
    known = {f.name for f in dataclasses.fields(Slots)}
    slot_kwargs: dict[str, Any] = {k: v for k, v in raw.items() if k in known}
    for name in _DECIMAL_SLOTS:
        if slot_kwargs.get(name) is not None:
            slot_kwargs[name] = Decimal(slot_kwargs[name])
    slot_kwargs["options"] = tuple(_option_from_dict(o) for o in raw.get("options") or ())
    slot_kwargs["chosen"] = _option_from_dict(raw["chosen"]) if raw.get("chosen") else None
    slot_kwargs["uses"] = tuple(raw.get("uses") or ())
    slot_kwargs["exclude_makes"] = tuple(raw.get("exclude_makes") or ())
    slot_kwargs["focus_fields"] = tuple(raw.get("focus_fields") or ())
    slot_kwargs["alternatives"] = tuple(
        (pair[0], pair[1]) for pair in raw.get("alternatives") or () if len(pair) == 2
    )
    return ConversationState(
        step=Step(data.get("step", Step.NEED)),
        next_action=Action(data.get("next_action", Action.ASK_NEED)),
        slots=Slots(**slot_kwargs),
        misunderstood=int(data.get("misunderstood", 0)),
        greeted=bool(data.get("greeted", False)),
        suggestion=data.get("suggestion"),
        furthest_step=Step(data.get("furthest_step", Step.NEED)),
        asked=tuple((str(k), int(v)) for k, v in (data.get("asked") or {}).items()),
        unplaced=data.get("unplaced"),
        unplaced_roles=tuple(data.get("unplaced_roles") or ()),
        handoff_notes=int(data.get("handoff_notes", 0)),
        faq_context=data.get("faq_context"),
        survey=str(data.get("survey") or ""),
        told=tuple(str(t) for t in data.get("told") or ()),
    )
