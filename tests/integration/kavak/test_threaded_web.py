"""The production web shape, for real: gunicorn gthread workers and Django's connection pool.

Eight customers whose turns all wait on a slow model at the same time are served by one worker
process with eight threads and a pool of two database connections: every turn reaches the model
while the others wait on it too (a thread waiting on the model holds no connection), and the
application never holds more connections than its pool.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.conf import settings
from rest_framework_api_key.models import APIKey

from catalog.services import catalog_load_demo
from tests.support import ROOT, var_log
from tests.support.catalog import restore_catalog_seeds
from tests.support.stub_llm_server import StubModel, stub_model_server

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# A free port, not a fixed one: runs of the suite at once (or pytest-xdist workers) never collide.
PORT = _free_port()
THREADS = 8
POOL = 2
# Counted server-wide in pg_stat_activity: a name of its own per run.
APP_NAME = f"kavak-threaded-web-test-{uuid.uuid4().hex[:8]}"
MODEL_WAIT_S = 2.0


class Model:
    """The stand-in's delay: counts the calls in flight and the app's connections meanwhile."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak_in_flight = 0
        self.peak_connections = 0

    def wait(self) -> float:
        with self.lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        self.peak_connections = max(self.peak_connections, _app_connections())
        time.sleep(MODEL_WAIT_S)
        self.peak_connections = max(self.peak_connections, _app_connections())
        with self.lock:
            self.in_flight -= 1
        return 0.0


def _dsn() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _app_connections() -> int:
    with psycopg.connect(_dsn(), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (APP_NAME,)
        ).fetchone()
    return int(row[0]) if row else 0


@pytest.fixture
def gunicorn(stub: StubModel) -> Iterator[None]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kavak.settings.test",
        "DATABASE_URL": f"{_dsn()}?application_name={APP_NAME}",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": str(THREADS),
        "DATABASE_POOL_MAX_SIZE": str(POOL),
        "LLM_ENABLED": "true",
        "OPENAI_API_KEY": "sk-test-not-a-real-key",
        "OPENAI_BASE_URL": stub.url,
        "LLM_USES": "smooth",
        "LLM_CHAT_TIMEOUT_S": "6",
        "LLM_CHAT_BUDGET_S": "8",
        "CHAT_THROTTLE_RATE": "100000/min",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    log_path = var_log("test-threaded-web")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "kavak.wsgi:application", "-c",
             "kavak/gunicorn.conf.py"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 40
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start:\n" + log_path.read_text())
            time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def model() -> Model:
    return Model()


@pytest.fixture
def stub(model: Model) -> Iterator[StubModel]:
    with stub_model_server(latency=model.wait) as stub:
        yield stub


def _chat(key: str, session: str, message: str) -> tuple[int, dict[str, Any]]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request(
        "POST",
        "/chat",
        body=json.dumps({"session_id": session, "message": message}),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def test_turns_waiting_on_the_model_share_a_small_connection_pool(
    gunicorn: None, model: Model, stub: StubModel
) -> None:
    restore_catalog_seeds()
    catalog_load_demo()
    _, key = APIKey.objects.create_key(name="threaded-web")
    results: list[tuple[int, dict[str, Any]]] = []

    def customer(i: int) -> None:
        results.append(_chat(key, f"threaded-{i}", "hola, busco un sedán automático"))

    threads = [threading.Thread(target=customer, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert [status for status, _ in results] == [200] * THREADS
    assert all(body["reply"].startswith("Claro.") for _, body in results)  # the model's wording
    assert model.peak_in_flight == THREADS  # all eight waited on the model at the same time...
    assert 1 <= model.peak_connections <= POOL  # ...holding at most the pool's two connections
