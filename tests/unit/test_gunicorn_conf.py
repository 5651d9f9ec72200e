"""The gunicorn config freezes the objects a worker holds once the app is loaded (gc.freeze)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "kavak" / "gunicorn.conf.py"
PROBE = (
    "import gc, runpy; conf = runpy.run_path({conf!r}); conf['post_worker_init'](None); "
    "print(gc.get_freeze_count())"
)


@pytest.mark.parametrize(("flag", "frozen"), [("", True), ("false", False)])
def test_post_worker_init_freezes_the_loaded_objects(flag: str, frozen: bool) -> None:
    env = {"PATH": "/usr/bin:/bin", "GUNICORN_GC_FREEZE": flag} if flag else {"PATH": "/usr/bin"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(conf=str(CONF))],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    count = int(out.stdout.strip())
    assert (count > 1000) is frozen
