"""gunicorn's control socket (``gunicornc``, new in gunicorn 25) is off unless a private runtime
directory is named; by default gunicorn 27 opened it in ``$HOME/.gunicorn/``, shared by every
instance of the user (a second one silently took the first one's socket over)."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.support import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _gunicorn(home: Path, **extra: str) -> Iterator[None]:
    port = _free_port()
    db = settings.DATABASES["default"]
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "DJANGO_SETTINGS_MODULE": "kavak.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        **extra,
    }
    log = home / "gunicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "kavak.wsgi:application",
             "-c", "kavak/gunicorn.conf.py"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 40
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz"
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            time.sleep(0.2)
        time.sleep(0.5)  # the control server starts in a thread of the arbiter
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_no_control_socket_by_default(tmp_path: Path) -> None:
    with _gunicorn(tmp_path):
        assert not (tmp_path / ".gunicorn").exists()
        assert list(tmp_path.rglob("*.ctl")) == []


def test_a_named_runtime_directory_holds_a_private_socket(tmp_path: Path) -> None:
    runtime = tmp_path / "gunicorn-run"
    with _gunicorn(tmp_path, GUNICORN_CONTROL_DIR=str(runtime)):
        sock = runtime / "gunicorn.ctl"
        assert stat.S_ISSOCK(sock.stat().st_mode)
        assert stat.S_IMODE(runtime.stat().st_mode) == 0o700
        assert stat.S_IMODE(sock.stat().st_mode) == 0o600
    assert not (tmp_path / ".gunicorn").exists()


@pytest.mark.parametrize("mode", [0o755, 0o770])
def test_a_runtime_directory_others_can_enter_is_refused(tmp_path: Path, mode: int) -> None:
    runtime = tmp_path / "shared-run"
    runtime.mkdir(mode=mode)
    runtime.chmod(mode)
    load_conf = f"import runpy; runpy.run_path({str(ROOT / 'kavak/gunicorn.conf.py')!r})"
    result = subprocess.run(
        [sys.executable, "-c", load_conf],
        env={"PATH": os.environ["PATH"], "GUNICORN_CONTROL_DIR": str(runtime)},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "GUNICORN_CONTROL_DIR" in result.stderr
