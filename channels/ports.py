"""The outbound port: how the channel hands a message to a provider (Twilio in production)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from channels.messages import OutboundRequest, SendResult, SentRecord


class OutboundSender(Protocol):
    def send(self, request: OutboundRequest) -> SendResult:
        """Send one message; raise ``SendError`` (retryable / ambiguous / rejected)."""

    def recent(self, *, to: str, from_: str, since: datetime) -> list[SentRecord]:
        """Messages already accepted for ``to`` since ``since`` (reconciling ambiguous sends)."""
