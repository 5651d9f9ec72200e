"""Shared fixtures. Integration tests talk to the real PostgreSQL and Redis of kavak.settings.test;
``tests/unit`` touches neither (its conftest refuses them). Helpers are in ``tests/support``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from django.conf import settings

from tests.support import ROOT, var_log
from tests.support.fake_meta import FakeGraph
from tests.support.fake_twilio import FakeTwilio
from tests.support.stub_llm_server import StubModel, stub_model_server
from tests.support.whatsapp import ACCOUNT_SID, META_ACCESS_TOKEN


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    """Twilio's REST API: a local server the real ``twilio`` SDK talks to."""
    with FakeTwilio(account_sid=ACCOUNT_SID, slow_s=1.0) as fake:
        yield fake


@pytest.fixture
def fake_graph() -> Iterator[FakeGraph]:
    """Meta's Graph API (WhatsApp Cloud API): a local stand-in the Meta sender talks to."""
    with FakeGraph(access_token=META_ACCESS_TOKEN, slow_s=1.0) as graph:
        yield graph


@pytest.fixture
def stub_model() -> Iterator[StubModel]:
    """An OpenAI-compatible Chat Completions server the real ``openai`` SDK talks to."""
    with stub_model_server() as model:
        yield model


# --- rows written by migrations survive transactional tests ---------------------------------
# A transactional test (``transaction=True``) empties the test database when it ends; Django's
# flush then writes the content types and permissions again, but not the rows the data migrations
# wrote (staff groups and their permissions, catalogue references and aliases). With ``--dist
# worksteal`` a worker may run other tests after one, so they are written again right after each
# transactional test, as the browser tests do before theirs (``tests/browser/conftest.py``).
def _reseed_migration_rows() -> None:
    import importlib

    from django.apps import apps

    from catalog.selectors import catalog_vocabulary_invalidate
    from leads.roles import roles_sync

    roles_sync()
    importlib.import_module("catalog.migrations.0002_seed_references_and_aliases").seed(apps, None)
    catalog_vocabulary_invalidate()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    yield
    marker = item.get_closest_marker("django_db")
    if nextitem is None or marker is None or not marker.kwargs.get("transaction"):
        return  # no flush, or the last test (its database is gone with the session)
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        _reseed_migration_rows()


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Each test starts with an empty cache (the key prefix is unique per run)."""
    from django.core.cache import cache

    # Only this run's keys (the prefix is unique per run): FLUSHDB would wipe parallel runs that
    # share the Redis db. Raw keys (idempotency, rate limits) use the same prefix.
    if not hasattr(cache, "delete_pattern"):
        cache.clear()
        return
    from django_redis import get_redis_connection

    client = get_redis_connection("default")
    keys = list(client.scan_iter(f"{settings.REDIS_KEY_PREFIX}:*", count=1000))
    if keys:
        client.unlink(*keys)


@pytest.fixture
def celery_worker_process(django_db_setup: None, django_db_blocker: object) -> Iterator[None]:
    """A real `celery worker` process on the test broker, queue and test database."""
    env = dict(os.environ)
    db = settings.DATABASES["default"]
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env["DJANGO_SETTINGS_MODULE"] = "kavak.settings.test"
    log_path = var_log("test-worker")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "kavak", "worker",
                "-Q", f"{settings.CELERY_TASK_DEFAULT_QUEUE},{settings.CELERY_TURN_QUEUE}",
                "--concurrency=2", "--pool=prefork", "-l", "INFO", "--without-gossip",
                "--without-mingle", "--without-heartbeat",
            ],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while b"ready." not in log_path.read_bytes():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "Celery worker did not start:\n" + log_path.read_text(errors="replace")
                    )
                time.sleep(0.2)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
