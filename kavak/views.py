"""Project-level pages and the JSON error handlers for API paths."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from kavak.api import error_body
from kavak.middleware import is_api_path


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return JsonResponse(
            error_body(code="not_found", message="Recurso no encontrado."), status=404
        )
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    return JsonResponse(
        error_body(code="server_error", message="Error interno. Intenta de nuevo."), status=500
    )
