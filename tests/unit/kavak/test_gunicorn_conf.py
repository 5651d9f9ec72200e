"""The gunicorn config freezes the objects a worker holds once the app is loaded (gc.freeze)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support import ROOT

CONF = ROOT / "kavak" / "gunicorn.conf.py"
PROBE = (
    "import django, gc, runpy; django.setup(); conf = runpy.run_path({conf!r}); "
    "conf['post_worker_init'](None); print(gc.get_freeze_count())"
)


@pytest.mark.parametrize(("flag", "frozen"), [("", True), ("false", False)])
def test_post_worker_init_freezes_the_loaded_objects(flag: str, frozen: bool) -> None:
    env = {"PATH": "/usr/bin:/bin", "GUNICORN_GC_FREEZE": flag} if flag else {"PATH": "/usr/bin"}
    # post_worker_init runs once gunicorn loaded the app: Django is set up (SQLite here).
    env |= {"DJANGO_SETTINGS_MODULE": "kavak.settings.test", "DJANGO_LOG_LEVEL": "ERROR"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(conf=str(CONF))],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=CONF.parents[1],
    )
    count = int(out.stdout.strip().splitlines()[-1])
    assert (count > 1000) is frozen


SHAPE = (
    "import os, runpy; conf = runpy.run_path({conf!r}); "
    "print(conf['worker_class'], conf['threads'], os.environ.get('DATABASE_POOL_MAX_SIZE', '-'))"
)


@pytest.mark.parametrize(
    ("env", "shape"),
    [
        ({}, "gthread 32 8"),  # the default: a model wait holds a thread, connections are pooled
        ({"GUNICORN_THREADS": "1"}, "sync 1 -"),  # the old shape: one persistent connection each
        ({"DATABASE_POOL_MAX_SIZE": "3"}, "gthread 32 3"),
    ],
)
def test_default_workers_are_threaded_with_a_connection_pool(
    env: dict[str, str], shape: str
) -> None:
    out = subprocess.run(
        [sys.executable, "-c", SHAPE.format(conf=str(CONF))],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.strip() == shape
