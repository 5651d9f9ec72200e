"""The Celery worker's Prometheus port listens on CELERY_METRICS_BIND (loopback by default), never
on every interface; a wildcard bind is refused at start-up."""

from __future__ import annotations

import socket
import urllib.request

import pytest
from django.conf import settings

from kavak.celery import worker_metrics_serve
from tests.support.settings_probe import PROD, settings_run


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_default_bind_is_loopback() -> None:
    assert settings.CELERY_METRICS_BIND == "127.0.0.1"


def test_the_worker_serves_metrics_on_the_bound_address_only() -> None:
    port = _free_port()
    server = worker_metrics_serve(port=port, bind=settings.CELERY_METRICS_BIND)
    try:
        # The listening socket itself is bound to loopback (0.0.0.0 before: every interface).
        assert server.socket.getsockname()[0] == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=3) as response:
            assert response.status == 200
            assert b"kavak_celery_task_seconds" in response.read()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("bind", ["0.0.0.0", "::", "task-ip"])  # noqa: S104
def test_a_wildcard_or_a_name_is_refused_at_start_up(bind: str) -> None:
    result = settings_run(
        {**PROD, "EMAIL_URL": "smtp://mail.internal:25", "CELERY_METRICS_BIND": bind}
    )
    assert result.returncode != 0
    assert "CELERY_METRICS_BIND" in result.stderr
