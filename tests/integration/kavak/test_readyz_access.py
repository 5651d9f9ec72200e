"""/readyz: public callers learn only ok/unavailable; the internal network or the metrics token see
which dependency failed and why; the checks run at most once a second per process; a 503 and a
bogus Host header are warnings, not errors."""

from __future__ import annotations

import logging
import time

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

BROKEN_CACHE = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
}
PUBLIC = {"REMOTE_ADDR": "10.0.1.20", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}  # via the ALB
TOKEN = "readyz-test-token-0123456789"


@pytest.fixture
def broken_cache() -> object:
    from django.core.cache import caches

    with override_settings(CACHES=BROKEN_CACHE):
        caches._settings = None  # type: ignore[attr-defined]
        yield
    caches._settings = None  # type: ignore[attr-defined]


def test_public_caller_gets_only_the_status_when_ready(client: Client) -> None:
    response = client.get("/readyz", **PUBLIC)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_public_caller_gets_only_the_status_when_unavailable(
    client: Client, broken_cache: object
) -> None:
    response = client.get("/readyz", **PUBLIC)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert b"cache" not in response.content
    assert b"127.0.0.1" not in response.content


def test_a_direct_request_from_outside_the_allowed_networks_gets_only_the_status(
    client: Client, broken_cache: object
) -> None:
    response = client.get("/readyz", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_the_internal_network_sees_which_dependency_failed(
    client: Client, broken_cache: object
) -> None:
    response = client.get("/readyz", REMOTE_ADDR="127.0.0.1")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["cache"]["error"]
    assert body["checks"]["database"]["ok"] is True


@override_settings(METRICS_TOKEN=TOKEN)
def test_the_metrics_token_sees_the_details_through_the_load_balancer(
    client: Client, broken_cache: object
) -> None:
    response = client.get("/readyz", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **PUBLIC)
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False
    wrong = client.get("/readyz", HTTP_AUTHORIZATION="Bearer not-the-token", **PUBLIC)
    assert wrong.json() == {"status": "unavailable"}


def test_checks_run_at_most_once_a_second_per_process(client: Client) -> None:
    client.get("/readyz", **PUBLIC)  # fills the cache (or finds it filled)
    time.sleep(1.05)
    with CaptureQueriesContext(connection) as first:
        assert client.get("/readyz", **PUBLIC).status_code == 200
    with CaptureQueriesContext(connection) as hammered:
        for _ in range(50):
            assert client.get("/readyz", **PUBLIC).status_code == 200
    assert [q["sql"] for q in first.captured_queries] == ["SELECT 1"]
    assert hammered.captured_queries == []
    time.sleep(1.05)
    with CaptureQueriesContext(connection) as later:
        client.get("/readyz", **PUBLIC)
    assert len(later.captured_queries) == 1


def test_a_503_is_logged_once_as_a_warning_naming_the_dependency(
    client: Client, broken_cache: object, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        for _ in range(5):
            assert client.get("/readyz", **PUBLIC).status_code == 503
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    warnings = [r for r in caplog.records if r.getMessage().startswith("readyz_unavailable")]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "cache" in warnings[0].getMessage()


def test_a_bogus_host_is_a_400_logged_as_a_warning(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    disallowed = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert len(disallowed) == 1
    assert disallowed[0].levelno == logging.WARNING
    assert disallowed[0].exc_info is None  # one line, no traceback
