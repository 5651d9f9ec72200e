"""Shared fixtures. Tests talk to the real PostgreSQL and Redis of kavak.settings.test."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings

if TYPE_CHECKING:
    from tests.channels.fake_twilio import FakeTwilio

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    """Twilio's REST API: a local server the real ``twilio`` SDK talks to (``tests/channels``)."""
    from tests.channels.conftest import ACCOUNT_SID
    from tests.channels.fake_twilio import FakeTwilio

    with FakeTwilio(account_sid=ACCOUNT_SID, slow_s=1.0) as fake:
        yield fake


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
    log_path = ROOT / "var" / "test-worker.log"
    log_path.parent.mkdir(exist_ok=True)
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


def restore_catalog_seeds() -> None:
    """Re-run the catalogue's seed data migration (references and aliases).

    Transactional tests (``transaction=True``) end by truncating every table, migration data
    included; a later transactional test that needs the seeded aliases calls this first.
    """
    import importlib

    from django.apps import apps

    from catalog.selectors import catalog_vocabulary_invalidate

    migration = importlib.import_module("catalog.migrations.0002_seed_references_and_aliases")
    migration.seed(apps, None)
    catalog_vocabulary_invalidate()
