"""Unit tests: no database, no Redis, no Celery worker (``pytest tests/unit`` runs with none of
them reachable). A test that needs one belongs in ``tests/integration/<app>/``.

pytest-django already refuses ORM queries from a test without the ``django_db`` mark; the hook
below also refuses, before any fixture is set up, a test that asks for the database (the mark, or a
fixture that needs it) or for a real server process, so the mistake reads as what it is rather
than as a connection error.
"""

from __future__ import annotations

import pytest

# Fixtures that reach PostgreSQL, a live server or a worker (directly or through their closure).
SERVER_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_setup",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
        "celery_worker_process",
    }
)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    wanted = sorted(SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())))
    if item.get_closest_marker("django_db") is not None:
        wanted.insert(0, "the django_db mark")
    if wanted:
        pytest.fail(
            f"{item.nodeid} is in tests/unit but needs {', '.join(wanted)}: unit tests run "
            "with no database or server; move it to tests/integration/<app>/.",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Replaces the root conftest's Redis clean-up: unit tests never touch Redis."""
