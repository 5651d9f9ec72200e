"""The database unreachable → HTTP 503 with ``Retry-After`` (Twilio and API clients retry), not 500.

`make chaos` restarts the real PostgreSQL under load; these tests pin the contract: a real refused
connection, ``OperationalError``/``InterfaceError`` from /chat, the webhook, a plain page and a
middleware, one warning line without traceback, and any other error still a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from kavak import urls as project_urls
from kavak.middleware import DATABASE_RETRY_AFTER_S


def _query_a_stopped_server(request: HttpRequest) -> HttpResponse:
    """A real connection attempt to a port nothing listens on (what a restart looks like)."""
    default = connections["default"]
    down = default.__class__({**default.settings_dict, "PORT": "1"}, alias="down")
    try:
        with down.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        down.close()
    return HttpResponse("unreachable")


def _raise(exc: Exception) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        raise exc

    return view


urlpatterns = [
    *project_urls.urlpatterns,
    path("api/db-down", _query_a_stopped_server),
    path("db-down-page", _query_a_stopped_server),
    path("api/interface-error", _raise(InterfaceError("connection already closed"))),
    path("api/other-error", _raise(RuntimeError("not a database problem"))),
]


class DatabaseDownMiddleware:
    """A middleware that touches the database outside any view (sessions, axes…)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raise OperationalError("the database system is starting up")


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


def _assert_503(response: HttpResponse, *, json_body: bool = True) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER_S)
    if json_body:
        body = response.json()  # type: ignore[attr-defined]
        assert body["error"] == "service_unavailable"
        assert body["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_refused_database_connection_is_503_with_retry_after_logged_once(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        response = client.get("/api/db-down")
    _assert_503(response)
    records = [r for r in caplog.records if "database_unavailable" in r.getMessage()]
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    assert records[0].exc_info is None  # one line, no traceback per request during an outage
    assert "error=OperationalError" in records[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@override_settings(ROOT_URLCONF=__name__)
def test_interface_error_is_503_and_other_errors_stay_500(client: Client) -> None:
    _assert_503(client.get("/api/interface-error"))
    response = client.get("/api/other-error")
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_an_html_page_gets_a_plain_503(client: Client) -> None:
    response = client.get("/db-down-page")
    _assert_503(response, json_body=False)
    assert response["Content-Type"].startswith("text/plain")


def test_a_middleware_hitting_the_database_is_503_too(client: Client, settings: object) -> None:
    settings.MIDDLEWARE = [  # type: ignore[attr-defined]
        *settings.MIDDLEWARE,  # type: ignore[attr-defined]
        f"{__name__}.DatabaseDownMiddleware",
    ]
    _assert_503(client.get("/api/anything"))


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/web/chat"),
        ("get", "/web/chat/history?session_id=websession-outage-0000001"),
        ("get", "/web/chat/messages?session_id=websession-outage-0000001"),
    ],
)
def test_the_web_chat_gets_a_json_503_while_the_database_is_down(
    client: Client, django_db_blocker: object, method: str, url: str
) -> None:
    """The page's script reads JSON: a real refused connection (the server's port closed)."""
    conn = connections["default"]
    original = conn.settings_dict["PORT"]
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        conn.close()
        conn.settings_dict["PORT"] = "1"  # nothing listens there: connection refused
        try:
            if method == "post":
                response = client.post(
                    url, data='{"message": "hola"}', content_type="application/json"
                )
            else:
                response = client.get(url)
        finally:
            conn.close()
            conn.settings_dict["PORT"] = original
    _assert_503(response)
    assert response["Content-Type"] == "application/json"
    assert "Intenta de nuevo" in response.json()["message"]
