"""DRF glue shared by every API: one JSON error shape, with the request id, never an HTML page."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kavak.exceptions import ApplicationError
from kavak.logging import current_context

_CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid_request",
    status.HTTP_401_UNAUTHORIZED: "unauthorized",
    status.HTTP_403_FORBIDDEN: "forbidden",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE: "payload_too_large",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}


def error_body(*, code: str, message: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"error": code, "message": message, **extra}
    request_id = current_context().get("request_id")
    if request_id:
        body["request_id"] = request_id
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map DRF and application errors to ``{"error", "message", "fields"?, "request_id"}``.

    Anything else returns None, so it propagates to ``JsonErrorMiddleware`` (logged once, JSON 500).
    """
    if isinstance(exc, ApplicationError):
        return Response(
            error_body(code=exc.code, message=exc.message, extra=exc.extra),
            status=exc.status_code,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = _CODES.get(response.status_code, "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        names = ", ".join(str(k) for k in fields)
        response.data = error_body(
            code="invalid_request", message=f"Datos inválidos en: {names}.", fields=fields
        )
    elif isinstance(exc, exceptions.ParseError):
        response.data = error_body(code="invalid_json", message=str(exc.detail))
    else:
        detail = getattr(exc, "detail", str(exc))
        response.data = error_body(code=code, message=str(detail))
    return response
