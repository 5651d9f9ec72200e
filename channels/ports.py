"""The outbound port: how the channel hands a message to a provider (Twilio or Meta)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from channels.messages import OutboundRequest, SendError, SendResult, SentRecord

__all__ = ["OutboundSender", "SendError"]


class OutboundSender(Protocol):
    # How long a send whose answer never came may still be landing at the provider: an
    # unconfirmed part is reconciled (``recent``, status webhooks) only after this.
    reconcile_after_s: float

    def send(self, request: OutboundRequest) -> SendResult:
        """Send one message; raise ``SendError`` (retryable / ambiguous / rejected)."""

    def recent(self, *, to: str, from_: str, since: datetime) -> list[SentRecord]:
        """Messages already accepted for ``to`` since ``since`` (reconciling ambiguous sends)."""
