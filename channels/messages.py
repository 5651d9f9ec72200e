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


# A tap on one of the options comes back from the provider with the option's id: ids we give
# start with this prefix, and the rest is the text the customer's tap stands for ("choice:5" →
# "5"), so the conversation reads a tap exactly as if the customer had typed it.
CHOICE_ID_PREFIX = "choice:"


@dataclass(frozen=True)
class Choice:
    """One option of a question: ``answer`` is what a tap on it means (the text the conversation
    reads, e.g. "5"), ``title`` what the customer sees ("5 - Excelente")."""

    answer: str
    title: str


@dataclass(frozen=True)
class Choices:
    """A question the customer may answer by tapping an option, provider-neutral.

    ``purpose`` names it for the wiring (``csat``: a Twilio Content template may be configured
    for it); ``button`` is the label of the button that opens the options where the provider
    shows them as a list. Each adapter renders it as its provider allows (Meta: an interactive
    list; Twilio: the approved Content template when configured) and falls back to the text.
    """

    purpose: str
    button: str
    options: tuple[Choice, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose,
            "button": self.button,
            "options": [{"answer": o.answer, "title": o.title} for o in self.options],
        }

    @classmethod
    def from_json(cls, data: Any) -> Choices | None:
        """The stored form back (None for an empty or malformed value: send plain text)."""
        if not isinstance(data, dict) or not isinstance(data.get("options"), list):
            return None
        options = tuple(
            Choice(answer=str(o["answer"]), title=str(o["title"]))
            for o in data["options"]
            if isinstance(o, dict) and o.get("answer") and o.get("title")
        )
        if not options:
            return None
        return cls(
            purpose=str(data.get("purpose") or ""),
            button=str(data.get("button") or ""),
            options=options,
        )


def choice_id(answer: str) -> str:
    """The id an option carries at the provider (what a tap on it sends back)."""
    return f"{CHOICE_ID_PREFIX}{answer}"


def choice_answer(reply_id: str) -> str:
    """What a tapped option means (``choice:5`` → ``5``); "" for an id that is not one of ours
    (a quick reply of some other template)."""
    reply_id = (reply_id or "").strip()
    if not reply_id.startswith(CHOICE_ID_PREFIX):
        return ""
    return reply_id[len(CHOICE_ID_PREFIX) :].strip()


@dataclass(frozen=True)
class OutboundRequest:
    """A message to send: free text (``body``) or an approved template (``content_sid``: a Twilio
    ContentSid, or ``<name>:<language>`` on Meta). ``key`` is the part's idempotency key.

    ``choices``: the text is a question with options to tap; the adapter shows them where its
    provider can (the ``body`` stays the question, and the plain-text fallback).
    """

    to: str
    from_: str
    body: str = ""
    content_sid: str = ""
    content_variables: dict[str, Any] = field(default_factory=dict)
    status_callback: str = ""
    key: str = ""
    choices: Choices | None = None


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
