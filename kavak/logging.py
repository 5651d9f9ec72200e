"""Structured logs: request/turn context on every line, phone numbers masked everywhere.

``log_context(session_id=…, turn_id=…)`` binds fields for the duration of a block (a request, a
conversation turn, a Celery task); ``ContextFilter`` copies them onto every record, and both
formatters mask Mexican (and other international) phone numbers in the final line, so a phone can
never reach the output in clear, whatever logged it: our code, Django, Celery or a traceback.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

# Immutable default (an empty mapping never mutated: every bind creates a new dict).
_EMPTY: dict[str, Any] = {}
_CONTEXT: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar(
    "kavak_log_context",
    default=_EMPTY,
)
CONTEXT_FIELDS = ("request_id", "session_id", "turn_id", "channel", "task_id")
# Keys that never appear in clear even when passed explicitly through `extra`.
SENSITIVE_KEYS = frozenset({"name", "customer_name", "profile_name", "phone", "from_", "to"})

# A run of digits with the separators people use in phone numbers. Not preceded by a word char
# (so Twilio SIDs like SM0123… and RFCs stay intact) and not followed by one.
# Dates ("2026-11-24 03:39", Celery's ETA) and the seconds of a time never start a phone number.
_PHONE_CANDIDATE = re.compile(
    r"(?<![\w+$.,])(?<!\d:)(?!\d{4}-\d{2}-\d{2})\+?\(?\d[\d\s().\-]{7,24}\d(?![\w])"
)
_MIN_PHONE_DIGITS = 10


def _mask_candidate(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    if len(digits) < _MIN_PHONE_DIGITS:
        return text
    # Longer runs (two numbers glued by spaces) are masked whole: over-masking is the safe side.
    return "***" + digits[-4:]


def mask_phones(text: str) -> str:
    """Replace anything that looks like a phone number with ``***`` + its last 4 digits."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    return _PHONE_CANDIDATE.sub(_mask_candidate, text)


def mask_name(value: str) -> str:
    """Keep only the initial of a personal name: enough to correlate, not to identify."""
    value = str(value).strip()
    return f"{value[:1]}***" if value else value


def current_context() -> dict[str, Any]:
    return dict(_CONTEXT.get())


@contextlib.contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Bind fields (request_id, session_id, turn_id…) to every log line inside the block."""
    merged = {**_CONTEXT.get(), **{k: v for k, v in fields.items() if v is not None}}
    token = _CONTEXT.set(merged)
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def bind_context(**fields: Any) -> contextvars.Token[dict[str, Any]]:
    """Non-block form of ``log_context`` for signal handlers (Celery prerun/postrun)."""
    return _CONTEXT.set({**_CONTEXT.get(), **{k: v for k, v in fields.items() if v is not None}})


def reset_context(token: contextvars.Token[dict[str, Any]]) -> None:
    _CONTEXT.reset(token)


class ContextFilter(logging.Filter):
    """Copy the bound context onto the record (never overriding explicit ``extra`` values)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _CONTEXT.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


_STANDARD_ATTRS = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "taskName"}
)


# runserver's access lines carry the client socket and a second timestamp: noise in the line.
_SERVER_NOISE = frozenset({"request", "server_time", "status_code"})


def _extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    noise = _SERVER_NOISE if record.name == "django.server" else frozenset()
    for key, value in record.__dict__.items():
        if key in _STANDARD_ATTRS or key.startswith("_") or key in noise:
            continue
        if key in SENSITIVE_KEYS and isinstance(value, str):
            value = mask_name(value) if "name" in key else mask_phones(value)
        fields[key] = value
    return fields


def _masked(value: Any) -> Any:
    """``value`` with every string masked, walked as data: masking the serialised line instead
    turned a float such as Celery's ``"runtime": 0.0039997490`` into ``***7490``, which is not
    JSON. An integer long enough to be a phone number is masked too; floats never are phones."""
    if isinstance(value, str):
        return mask_phones(value)
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, int):
        return value if abs(value) < 10**9 else mask_phones(str(value))
    if isinstance(value, dict):
        return {str(k): _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(v) for v in value]
    return value


def _masked_str(value: Any) -> str:
    return mask_phones(str(value))


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with context and extra fields; masked as a whole."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update(_extra_fields(record))
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        return json.dumps(_masked(payload), default=_masked_str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Readable single lines for development, with the same context fields and masking."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = _extra_fields(record)
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        return mask_phones(line)


class DowngradeToWarning(logging.Filter):
    """Turn a logger's ERROR records into one WARNING line, without the traceback.

    For ``django.security.DisallowedHost``: Django logs a request with a Host we do not serve (a
    scanner hitting the load balancer's address by IP) as an ERROR with a traceback. It is the
    client's mistake, answered with a 400, and must not look like a fault of ours.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.WARNING:
            record.levelno = logging.WARNING
            record.levelname = logging.getLevelName(logging.WARNING)
            record.exc_info = None
            record.exc_text = None
        return True
