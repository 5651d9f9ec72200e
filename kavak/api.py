"""DRF glue shared by every API: one JSON error shape, with the request id, never an HTML page."""

from __future__ import annotations

import math
from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from kavak.exceptions import ApplicationError
from kavak.logging import current_context
from kavak.parsers import JsonTooDeep

_CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid_request",
    status.HTTP_401_UNAUTHORIZED: "unauthorized",
    status.HTTP_403_FORBIDDEN: "forbidden",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE: "payload_too_large",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}


def _method(exc: Exception, context: dict[str, Any]) -> str:
    request = context.get("request")
    method = getattr(request, "method", "") or "ese"
    return f"Método {method} no permitido en esta dirección."


def _media_type(exc: Exception, context: dict[str, Any]) -> str:
    return "El cuerpo debe ser JSON (Content-Type: application/json)."


def _not_acceptable(exc: Exception, context: dict[str, Any]) -> str:
    return "Esta API solo responde JSON (Accept: application/json)."


# DRF's own messages, worded in Spanish whatever the translation catalogue says (some embed the
# English text of Python's JSON decoder or the raw media type).
_SPANISH: dict[type[Exception], Any] = {
    exceptions.MethodNotAllowed: _method,
    exceptions.UnsupportedMediaType: _media_type,
    exceptions.NotAcceptable: _not_acceptable,
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
    elif isinstance(exc, JsonTooDeep):
        response.data = error_body(code="json_too_deep", message=str(exc.detail))
    elif isinstance(exc, exceptions.ParseError):
        response.data = error_body(
            code="invalid_json", message="El cuerpo de la petición no es JSON válido."
        )
    elif isinstance(exc, exceptions.Throttled):
        wait = max(1, math.ceil(getattr(exc, "wait", None) or 1))
        response.data = error_body(
            code=code,
            message=f"Demasiadas solicitudes; intenta de nuevo en {wait} "
            f"segundo{'s' if wait != 1 else ''}.",
        )
    elif type(exc) in _SPANISH:
        response.data = error_body(code=code, message=_SPANISH[type(exc)](exc, context))
    else:
        detail = getattr(exc, "detail", str(exc))
        response.data = error_body(code=code, message=str(detail))
    return response


class JsonApi(APIView):
    """Base of the product's JSON APIs: stock DRF (JSON renderer and negotiation from
    ``REST_FRAMEWORK``). A custom negotiation and an orjson renderer were measured and reverted:
    their gain was under ``make bench-chat``'s resolution (docs/PERFORMANCE.md)."""
