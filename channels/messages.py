"""Channel-neutral data the webhook parser produces and the sender port consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Media:
    url: str
    content_type: str

    @property
    def kind(self) -> str:
        """WhatsApp media families: stickers are WebP images, voice notes are audio."""
        if self.content_type == "image/webp":
            return "sticker"
        family = self.content_type.split("/", 1)[0]
        if family in ("image", "audio", "video"):
            return family
        if "vcard" in self.content_type:
            return "contacts"
        return "document"


@dataclass(frozen=True)
class InboundMessage:
    """One provider delivery (Twilio or Meta), parsed: ``phone`` normalised, ``from_address``
    (the customer) and ``to_address`` (our business number) kept for the reply."""

    message_sid: str
    from_address: str
    to_address: str
    phone: str
    body: str = ""
    account_sid: str = ""
    messaging_service_sid: str = ""
    wa_id: str = ""
    profile_name: str = ""
    kind: str = "text"  # text | media | location | empty
    media: tuple[Media, ...] = ()
    location: dict[str, str] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def has_text(self) -> bool:
        return bool(self.body.strip())


@dataclass(frozen=True)
class StatusUpdate:
    """A status callback: what happened to one message we sent."""

    provider_sid: str
    status: str
    error_code: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    callback_key: str = ""  # our idempotency key echoed back (Meta's biz_opaque_callback_data)


@dataclass(frozen=True)
class OutboundRequest:
    """A message to send: free text (``body``) or an approved template (``content_sid``: a Twilio
    ContentSid, or ``<name>:<language>`` on Meta). ``key`` is the part's idempotency key."""

    to: str
    from_: str
    body: str = ""
    content_sid: str = ""
    content_variables: dict[str, Any] = field(default_factory=dict)
    status_callback: str = ""
    key: str = ""


@dataclass(frozen=True)
class SendResult:
    sid: str
    status: str


@dataclass(frozen=True)
class SentRecord:
    """A message the provider already holds (used to reconcile an ambiguous send)."""

    sid: str
    to: str
    from_: str
    body: str
    created_at: datetime | None
    status: str


class SendError(Exception):
    """A send did not succeed.

    ``retryable``: nothing reached the provider or it asked us to come back (connection refused,
    429, 5xx). ``ambiguous``: the request may have been accepted (read timeout, connection dropped
    after sending) so it must be reconciled before any new attempt. Neither: rejected for good.
    """

    def __init__(
        self, message: str, *, retryable: bool, ambiguous: bool = False, code: str = ""
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.ambiguous = ambiguous
        self.code = code
