"""What a turn takes and gives: the inbound message, the configuration, the ports, the effects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from conversations.engine.financing import FinancingPlan
from conversations.engine.ports import CarCatalog, KbSource, KnowledgeBase
from conversations.engine.state import CarOption, ConversationState


@dataclass(frozen=True)
class Inbound:
    text: str
    channel: str = "api"
    customer_phone: str | None = None  # known from the channel (the WhatsApp sender)
    # The shell allows the satisfaction question (CSAT_ENABLED, a stored conversation, a customer
    # who did not opt out); off for bare engine calls (evaluation, dry runs of tests).
    survey: bool = False
    # Slots the optional LLM read from ``text``: suggestions only, used when the engine alone was
    # unsure, as far as its own parsers accept them (``suggested_phrase``).
    suggested: Mapping[str, Any] = field(default_factory=dict)


# The engine's defaults (tests); the shell passes the settings' values (conversations.wiring).
DEFAULT_TERMS = (36, 48, 60, 72)


@dataclass(frozen=True)
class EngineConfig:
    now: datetime
    annual_rate: Decimal = Decimal("0.10")
    terms: tuple[int, ...] = DEFAULT_TERMS
    min_down_ratio: Decimal = Decimal("0.10")
    max_misunderstood: int = 3
    # Outside business hours, when advisors are back ("mañana a las 9:00"); None while open.
    advisors_back: str | None = None


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


@dataclass(frozen=True)
class RecordSatisfaction:
    """The customer answered the satisfaction question (``engine/satisfaction.py``)."""

    score: int  # 1..5
    comment: str = ""


Effect = UpsertLead | NotifySales | PauseBot | RecordKbMiss | RecordSatisfaction


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
    unsure: bool = False  # understood only in part or fuzzily: an extraction call may help
