"""The application's error hierarchy; ``kavak.api.exception_handler`` renders it as JSON."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A business rule said no. Rendered as HTTP 400 ``{"error", "message", "extra"}``."""

    status_code = 400
    code = "application_error"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class TransientError(Exception):
    """A dependency failed in a way worth retrying (timeouts, 429, 5xx): Celery autoretries it."""
