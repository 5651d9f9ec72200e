"""The ports of the leads app.

- ``LeadStore``: where the leads a conversation captures are kept. ``LEAD_REPOSITORY`` picks the
  adapter once per process (``conversations.wiring.lead_store``): ``DbLeadStore`` (PostgreSQL,
  the default) or ``MemoryLeadStore`` (throwaway runs). Both pass the same contract suite
  (``tests/contract/test_lead_store.py``).
- ``LeadNotifier``: how a salesperson is told about a lead on a messaging channel. Leads sit below
  the channels in the app graph, so the service only sees this Protocol; the WhatsApp adapter lives
  in ``channels`` and is installed at start-up (``leads.wiring``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class AppointmentData:
    """A visit booked in the chat (see ``leads.models.Appointment``)."""

    scheduled_at: datetime | None
    requested: str = ""
    branch: str = ""
    branch_city: str = ""
    branch_address: str = ""


@dataclass(frozen=True)
class LeadData:
    """What a conversation knows about the customer when it captures or hands off a lead."""

    source: str
    channel: str
    conversation_id: int | None = None
    name: str = ""
    phone: str = ""
    preferred_contact_time: str = ""
    preferred_contact_at: datetime | None = None
    car_stock_id: str = ""
    car_snapshot: dict[str, object] = field(default_factory=dict)
    financing_snapshot: dict[str, object] = field(default_factory=dict)
    appointment: AppointmentData | None = None


@dataclass(frozen=True)
class LeadView:
    """A lead as the conversation shows it to the customer."""

    id: int
    name: str
    phone: str
    preferred_contact_time: str
    status: str


class LeadStore(Protocol):
    """Leads captured in conversations: one open lead per phone."""

    def upsert(self, *, data: LeadData) -> LeadView:
        """Create the lead, or update the open lead of this phone (else of this conversation)
        with the non-empty fields of ``data``; a later source replaces ``handoff``.
        Precondition: inside the turn's transaction."""
        ...

    def for_conversation(self, *, conversation_id: int) -> LeadView | None:
        """The lead most recently updated for this conversation (None: no lead)."""
        ...

    def notify_sales(self, *, lead_id: int, reason: str) -> None:
        """Have sales told about the lead once the turn commits (never before: a rolled-back
        turn must not notify)."""
        ...


class LeadNotifier(Protocol):
    """Sends the approved salesperson template; idempotent per ``key`` in the adapter."""

    def enabled(self) -> bool:
        """True when the channel is on and a template is approved for notifications."""

    def send(self, *, key: str, to_phone: str, variables: dict[str, str]) -> str:
        """Send once per ``key``; return the delivery status (``failed``/``suppressed`` = not
        sent). Raise ``TransientError`` to be retried, ``ValueError`` for a bad phone number."""


class NullLeadNotifier:
    """No messaging channel: salespeople get the email only."""

    def enabled(self) -> bool:
        return False

    def send(self, *, key: str, to_phone: str, variables: dict[str, str]) -> str:
        return "suppressed"
