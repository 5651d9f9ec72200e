"""The lead notifier port: how a salesperson is told about a lead on a messaging channel.

Leads sit below the channels in the app graph, so the service only sees this Protocol; the
WhatsApp adapter lives in ``channels`` and is installed at start-up (``leads.wiring``).
"""

from __future__ import annotations

from typing import Protocol


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
