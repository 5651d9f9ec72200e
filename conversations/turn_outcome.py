"""What one turn returns to its channel: the reply, the funnel's position, what the turn produced.

Its own module so that the turn service and the turn's optional-LLM steps (``turn_llm.py``) both
read it without importing each other; ``conversations.services`` re-exports it for the channels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conversations.engine.financing import FinancingPlan
from conversations.engine.state import CarOption
from conversations.staff import ClientMessage
from leads.ports import LeadView


@dataclass(frozen=True)
class TurnOutcome:
    """What every channel needs to answer a customer message."""

    conversation_id: int
    session_id: str
    turn_id: str
    reply: str  # "" when the bot is paused on WhatsApp (a human has the conversation)
    step: str
    next_action: str
    cars: tuple[CarOption, ...] = ()
    financing: FinancingPlan | None = None
    lead: LeadView | None = None
    sources: tuple[Any, ...] = ()
    bot_paused: bool = False
    understood: dict[str, Any] = field(default_factory=dict)
    reached: tuple[str, ...] = ()  # funnel steps this conversation reached for the first time
    appointment: Appointment | None = None
    # Staff messages and notices since the customer's previous message (``/chat`` clients get
    # them with the reply; WhatsApp already sent them).
    staff_messages: tuple[ClientMessage, ...] = ()


@dataclass(frozen=True)
class Appointment:
    """A visit the customer booked: when, where and to see which car."""

    at: datetime | None
    requested: str
    branch: str
    city: str
    address: str
    car: CarOption | None
