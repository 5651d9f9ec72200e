"""Project-level pages and the JSON error handlers for API paths."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from kavak.api import error_body
from kavak.middleware import DATABASE_UNAVAILABLE, database_unavailable_response, is_api_path


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return JsonResponse(
            error_body(code="not_found", message="Recurso no encontrado."), status=404
        )
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's own 400s (too many form fields, a body over DATA_UPLOAD_MAX_MEMORY_SIZE…)."""
    if is_api_path(request.path):
        return JsonResponse(
            error_body(code="invalid_request", message="Petición inválida."), status=400
        )
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # Raised outside a view (a middleware touching the database): the same 503 as in a view.
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_UNAVAILABLE):
        return database_unavailable_response(request, exception)
    return JsonResponse(
        error_body(code="server_error", message="Error interno. Intenta de nuevo."), status=500
    )
