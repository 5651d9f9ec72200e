"""Request context, health probes before Host validation, and JSON errors for API paths."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from kavak.api import error_body
from kavak.logging import log_context

logger = logging.getLogger(__name__)

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9\-_.]{8,64}$")
_HANDLED_BY_DJANGO = (Http404, PermissionDenied, BadRequest, SuspiciousOperation)
# Paths whose clients read JSON (errors included). /web/ is the web chat's own endpoints: the page's
# script parses every answer, a 503 during a database outage too.
API_PREFIXES = ("/api/", "/chat", "/web/", "/channels/", "/healthz", "/readyz", "/metrics")
# The database is unreachable (restarting, failing over, out of connections): retry soon.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
DATABASE_RETRY_AFTER_S = 5


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES)


class HealthCheckMiddleware:
    """Serve /healthz, /readyz and /metrics before anything calls ``request.get_host()``.

    The load balancer probes containers by IP, which is not in ALLOWED_HOSTS; answering here keeps
    Host validation strict for every other path.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in ("/healthz", "/readyz") and request.method in ("GET", "HEAD"):
            from kavak import health

            return health.healthz() if request.path == "/healthz" else health.readyz(request)
        if request.path == "/metrics" and request.method == "GET":
            # Scrapers inside the VPC address tasks by IP; access is checked by token/network.
            from kavak.metrics import metrics_view

            return metrics_view(request)
        return self.get_response(request)


class RequestContextMiddleware:
    """Bind a request id (from ``X-Request-ID`` when well-formed, else new) to every log line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        with log_context(request_id=request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def database_unavailable_response(request: HttpRequest, exception: Exception) -> HttpResponse:
    """503 + ``Retry-After`` while the database is unreachable, instead of a 500.

    Nothing was committed by the failed request (or the commit itself failed), so a retry is
    safe: Twilio retries a webhook answered 5xx, API clients honour ``Retry-After``. Logged as one
    warning line without traceback: an outage must not bury the logs under identical traces.
    """
    logger.warning(
        "database_unavailable path=%s method=%s error=%s: %s",
        request.path,
        request.method,
        type(exception).__name__,
        str(exception).strip().splitlines()[0][:200] if str(exception).strip() else "",
    )
    if is_api_path(request.path):
        response: HttpResponse = JsonResponse(
            error_body(
                code="service_unavailable",
                message="Servicio no disponible por un momento. Intenta de nuevo.",
            ),
            status=503,
        )
    else:
        response = HttpResponse(
            "Servicio no disponible por un momento. Intenta de nuevo.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_S)
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class JsonErrorMiddleware:
    """JSON 404 for API paths; JSON 503 + Retry-After when the database is unreachable; JSON 500
    with the request id for any other unhandled exception.

    The exception is logged here exactly once, with its traceback; marking the response as logged
    stops Django's ``log_response`` from logging it a second time.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and is_api_path(request.path)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            response = JsonResponse(
                error_body(code="not_found", message="Recurso no encontrado."), status=404
            )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, _HANDLED_BY_DJANGO):
            return None  # 404/403/400: Django renders them (handler404 gives JSON on API paths)
        if isinstance(exception, DATABASE_UNAVAILABLE):
            return database_unavailable_response(request, exception)
        if settings.DEBUG and not is_api_path(request.path):
            return None  # keep Django's technical page for HTML pages in development
        logger.error(
            "unhandled_exception path=%s method=%s",
            request.path,
            request.method,
            exc_info=(type(exception), exception, exception.__traceback__),
        )
        response = JsonResponse(
            error_body(code="server_error", message="Error interno. Intenta de nuevo."),
            status=500,
        )
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response
