"""`make test`: real PostgreSQL and Redis (never SQLite or locmem), speed knobs only.

Celery is NOT eager here (Celery's guide: eager mode is not suitable for testing tasks);
tests call services directly, and the worker tests start a real worker process.
"""

import os
import uuid

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DJANGO_LOG_FORMAT", "json")
os.environ.setdefault("SALES_NOTIFICATION_EMAILS", "ventas@kavak.example")
os.environ.setdefault("EMAIL_URL", "memorymail://")  # Django's locmem backend (mail.outbox)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kavak_test")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("CELERY_RESULT_BACKEND", "redis://127.0.0.1:6379/14")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")
# Tests see another "process" bump the vocabulary or revoke a key at once.
os.environ.setdefault("CATALOG_VOCABULARY_RECHECK_S", "0")
os.environ.setdefault("API_KEY_CACHE_SECONDS", "0")
# Each run gets its own key namespace so parallel or aborted runs never see each other's keys.
# pytest-xdist workers inherit the environment of the controller, which loaded these settings
# first: a namespace generated here for another process is replaced, so that each worker (whose
# `_clear_cache` deletes its namespace before every test) has its own keys and Celery queues.
# A namespace given from outside, or inherited by a process a worker starts, is kept.
_OWNER = os.environ.get("PYTEST_XDIST_WORKER") or "main"
if (os.environ.get("KAVAK_TEST_NAMESPACE_OWNER") or _OWNER) != _OWNER:
    _inherited = os.environ.pop("REDIS_KEY_PREFIX", "")
    for _name, _derived in (("CELERY_MESSAGE_QUEUE", ""), ("CELERY_TURN_QUEUE", "-turns")):
        if os.environ.get(_name) == _inherited + _derived:
            del os.environ[_name]
if "REDIS_KEY_PREFIX" not in os.environ:
    os.environ["REDIS_KEY_PREFIX"] = f"kavak-test-{uuid.uuid4().hex[:8]}"
    os.environ["KAVAK_TEST_NAMESPACE_OWNER"] = _OWNER
# Queues of our own per run: a worker started by the tests never consumes another run's leftovers.
os.environ.setdefault("CELERY_MESSAGE_QUEUE", os.environ["REDIS_KEY_PREFIX"])
os.environ.setdefault("CELERY_TURN_QUEUE", os.environ["REDIS_KEY_PREFIX"] + "-turns")

from .base import *  # noqa: E402 - the variables above must be set before base reads them

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
