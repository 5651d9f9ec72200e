"""What the conversation shell needs from a chat model, as a Protocol with our own types.

No tools, no memory, no streaming: one system prompt and one user payload in, text out. The model
can therefore only *say* something, and everything it says goes through ``guardrail.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

# Reasons a call produced no usable text. ``RETRYABLE`` ones are retried within the turn's budget
# and, with the other transport failures, count towards opening the circuit.
TIMEOUT = "timeout"
RATE_LIMITED = "rate_limited"
SERVER_ERROR = "server_error"
CONNECTION = "connection"
CLIENT_ERROR = "client_error"  # 4xx other than 429: bad key, unknown model, bad request
BAD_RESPONSE = "bad_response"  # not a Chat Completions body (malformed JSON, no choices)
TRUNCATED = "truncated"  # finish_reason=length: half an answer is never shown
EMPTY = "empty"
DISABLED = "disabled"
UNEXPECTED = "unexpected"

RETRYABLE = frozenset({TIMEOUT, RATE_LIMITED, SERVER_ERROR, CONNECTION})
TRANSPORT_FAILURES = RETRYABLE | {CLIENT_ERROR, BAD_RESPONSE, UNEXPECTED}


class LlmError(Exception):
    """The model gave no usable text; ``reason`` is one of the constants above."""

    def __init__(self, reason: str, detail: str = "", *, retry_after: float | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.retry_after = retry_after  # seconds the provider asked us to wait (429)


@dataclass(frozen=True)
class LlmCall:
    """How one completion may run: per-attempt timeout, retries, and the turn's hard deadline.

    ``deadline`` is a ``time.monotonic()`` value: no attempt or back-off may end after it, so the
    whole turn keeps the channel's budget whatever the provider does.
    """

    purpose: str  # "faq" | "slots" | "smooth" (logs and metrics)
    timeout_s: float
    max_retries: int
    deadline: float
    json_schema: Mapping[str, Any] | None = None  # structured output (strict JSON schema)


class LlmClient(Protocol):
    """A chat model. ``enabled`` is False for the null object, so the shell skips the work."""

    enabled: bool

    def complete(self, *, system: str, user: str, call: LlmCall) -> str:
        """Return the model's text, or raise ``LlmError``; never any other exception."""
        ...


class Transcriber(Protocol):
    """Speech to text (voice notes). ``enabled`` is False for the null object."""

    enabled: bool

    def transcribe(self, *, audio: bytes, filename: str, content_type: str, deadline: float) -> str:
        """Return the spoken text (possibly empty), or raise ``LlmError``; never anything else.

        ``deadline`` is a ``time.monotonic()`` value no attempt or back-off may end after.
        """
        ...
