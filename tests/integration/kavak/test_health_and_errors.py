"""Health probes and the JSON error contract, over real PostgreSQL and Redis."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client, override_settings
from django.urls import path

from kavak import urls as project_urls


def _boom(request: object) -> None:
    raise RuntimeError("kaboom for +525512345678")


urlpatterns = [
    *project_urls.urlpatterns,
    path("api/boom", _boom),
    path("boom-page", _boom),
]


def test_healthz_answers_without_io_even_for_unknown_host(client: Client) -> None:
    response = client.get("/healthz", HTTP_HOST="10.0.3.17:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_each_component_when_all_up(client: Client) -> None:
    response = client.get("/readyz", HTTP_HOST="10.0.3.17")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_readyz_is_503_naming_the_broken_component_when_broker_down(client: Client) -> None:
    from kavak.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
            response = client.get("/readyz")
    finally:
        app.conf.broker_url = original
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_readyz_is_503_when_cache_unreachable(client: Client) -> None:
    caches = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    with override_settings(CACHES=caches):
        from django.core.cache import caches as cache_handler

        cache_handler._settings = None  # type: ignore[attr-defined]
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["cache"]["ok"] is False


def test_unknown_api_path_is_json_404_with_request_id(client: Client) -> None:
    response = client.get("/api/nope", HTTP_X_REQUEST_ID="abc123def456")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": "not_found",
        "message": "Recurso no encontrado.",
        "request_id": "abc123def456",
    }
    assert response["X-Request-ID"] == "abc123def456"


def test_unknown_html_path_is_html_404(client: Client) -> None:
    response = client.get("/no-existe")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("url", ["/api/boom", "/boom-page"])
def test_unhandled_exception_is_json_500_logged_once_with_traceback(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR):
        response = client.get(url)
    assert response.status_code == 500
    body = json.loads(response.content)
    assert body["error"] == "server_error"
    assert len(body["request_id"]) == 32
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert errors[0].request_id == body["request_id"]


def _missing(request: object) -> None:
    from django.http import Http404

    raise Http404("no existe")


urlpatterns.append(path("api/missing", _missing))


@override_settings(ROOT_URLCONF=__name__)
def test_http404_raised_in_an_api_view_stays_a_json_404(client: Client) -> None:
    response = client.get("/api/missing")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
