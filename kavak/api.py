"""DRF glue shared by every API: one JSON error shape, with the request id, never an HTML page."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, cast

import orjson
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
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


# --- JSON-only APIs: negotiation and rendering on the hot path ------------------------------------
_PLAIN_ACCEPT = frozenset({"", "*/*", "application/json"})
# Dates and dataclasses go to DRF's encoder, which formats them its own way (or refuses them).
_PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_LINE_SEPARATORS = (b"\xe2\x80\xa8", b"\xe2\x80\xa9")  # U+2028, U+2029 in UTF-8


class JsonNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, minus parsing the ``Accept`` header when there is nothing to choose.

    For the headers API clients send (none, ``*/*``, ``application/json``) and no ``?format=``,
    the JSON renderer wins exactly as DRF would pick it (tests compare both); any other header goes
    through DRF's full negotiation, 406 included.
    """

    def select_renderer(  # type: ignore[override]  # DRF passes the view's list of renderers
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        accept = request.META.get("HTTP_ACCEPT", "")
        if (
            format_suffix is None
            and accept in _PLAIN_ACCEPT
            and not request.META.get("QUERY_STRING")
            and isinstance(renderers[0], JSONRenderer)
        ):
            return renderers[0], renderers[0].media_type
        return cast(
            "tuple[BaseRenderer, str]", super().select_renderer(request, renderers, format_suffix)
        )


class FastJsonRenderer(JSONRenderer):
    """``JSONRenderer`` output, serialised by orjson when the data is plain JSON.

    The same bytes as DRF's compact, UTF-8 renderer (U+2028/U+2029 escaped as DRF does), except
    for floats: an exponent may be spelt differently (``1e-7`` for ``1e-07``, the same number), and
    a NaN or infinite float is written as ``null`` where DRF's strict mode raises.
    Anything else (Decimal, dates, lazy strings, an ``indent`` request) is rendered by DRF itself.
    """

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        plain = accepted_media_type in (None, self.media_type)
        if data is None or not plain or (renderer_context or {}).get("indent"):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            out = orjson.dumps(data, option=_PASSTHROUGH)
        except TypeError:  # orjson.JSONEncodeError included
            return super().render(data, accepted_media_type, renderer_context)
        if _LINE_SEPARATORS[0] in out or _LINE_SEPARATORS[1] in out:
            out = out.replace(_LINE_SEPARATORS[0], b"\\u2028").replace(
                _LINE_SEPARATORS[1], b"\\u2029"
            )
        return out


class JsonApi(APIView):
    """Base of the product's JSON APIs: DRF, with the negotiation and renderer above."""

    renderer_classes = [FastJsonRenderer]
    content_negotiation_class = JsonNegotiation
