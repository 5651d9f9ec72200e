"""kavak.versioned_memo: a per-process value rebuilt in every process after a writer commits."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.core.cache import cache, caches
from django.test import override_settings

from kavak.versioned_memo import VersionedMemo

pytestmark = pytest.mark.django_db

NAME = "tests:memo"


def memo(*, recheck_s: float = 0.0) -> tuple[VersionedMemo[int], list[int]]:
    """A memo as one process holds it; its builds counted (each build returns a new number)."""
    builds: list[int] = []
    counter = itertools.count(1)

    def build() -> int:
        builds.append(next(counter))
        return builds[-1]

    return VersionedMemo(
        name=NAME, log_name="tests_memo", build=build, recheck_s=lambda: recheck_s
    ), builds


@pytest.fixture(autouse=True)
def _fresh_token() -> None:
    cache.delete(f"{NAME}:version")


def test_the_value_is_built_once_per_process_while_the_token_stands() -> None:
    one, builds = memo()
    assert one.get() == one.get() == 1
    assert builds == [1]


def test_a_writer_forgets_now_and_other_processes_after_the_commit(
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    writer, _ = memo()
    reader, reader_builds = memo(recheck_s=0.0)
    slow_reader, slow_builds = memo(recheck_s=3600.0)
    writer.get(), reader.get(), slow_reader.get()
    token = cache.get(f"{NAME}:version")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        writer.invalidate()
        assert writer.cached is None  # the writer's own process: at once
        assert cache.get(f"{NAME}:version") == token  # the others: not before the commit
        assert reader.get() == 1
    assert cache.get(f"{NAME}:version") not in (None, token)
    assert reader.get() == 2
    assert reader_builds == [1, 2]
    assert slow_reader.get() == 1
    assert slow_builds == [1]  # until its recheck interval ends


def test_with_the_cache_down_a_process_keeps_its_value_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    one, builds = memo()
    assert one.get() == 1
    down = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.1, "SOCKET_TIMEOUT": 0.1},
        }
    }
    with override_settings(CACHES=down):
        caches._settings = None  # type: ignore[attr-defined]
        try:
            assert one.get() == 1
            fresh, fresh_builds = memo()
            assert fresh.get() == 1
            assert fresh_builds == [1]
        finally:
            caches._settings = None  # type: ignore[attr-defined]
    assert builds == [1]
    assert "tests_memo_version_unavailable" in caplog.text
