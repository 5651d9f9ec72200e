"""The `make run` set-up on the embedded defaults (SQLite, local-memory cache, eager Celery).

Runs the same management commands as `make run` in a fresh interpreter with kavak.settings.local
and an empty SQLite file, then talks to the agent through the terminal chat: the non-PostgreSQL
code paths (ORM lock and save) are exercised here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT


def _manage(db: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(ROOT)),
        "DJANGO_SETTINGS_MODULE": "kavak.settings.local",
        "DATABASE_URL": f"sqlite:///{db}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_make_run_steps_work_on_sqlite_and_the_agent_answers(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert _manage(db, "migrate", "--noinput").returncode == 0
    first = _manage(db, "load_demo_data")
    assert first.returncode == 0, first.stderr
    assert "100 autos en el archivo: 100 nuevos" in first.stdout
    second = _manage(db, "load_demo_data")
    assert "ya estaba cargado" in second.stdout
    admin = _manage(db, "ensure_dev_admin")
    assert "Contraseña:" in admin.stdout
    chat = _manage(
        db,
        "chat",
        "--session",
        "sqlite-1",
        stdin=(
            "busco un Versa de 270 mil\nel 1\n20%\n48 meses\n¿tienen garantía?\n"
            "sí\nAna López\n5512345678\nmañana en la tarde\nsalir\n"
        ),
    )
    assert chat.returncode == 0, chat.stderr
    # Quiet consoles: no log line inside the prompt, no AXES banner on a manage.py command.
    assert " INFO " not in chat.stdout + chat.stderr
    assert "AXES" not in chat.stdout + chat.stderr
    assert "[options → choose_option]" in chat.stdout
    assert "[financing → offer_appointment]" in chat.stdout
    assert "Mensualidad" in chat.stdout
    assert "garantía" in chat.stdout.lower()
    assert "Registré tus datos" in chat.stdout  # the lead is stored on SQLite too


def test_second_make_run_setup_has_nothing_to_do(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    first = _manage(db, "dev_run", "--setup-only")
    assert first.returncode == 0, first.stderr
    assert "Usuario: admin" in first.stdout
    second = _manage(db, "dev_run", "--setup-only")
    assert second.returncode == 0, second.stderr
    assert "nada que migrar" in second.stdout
    assert "ya estaba cargado" in second.stdout
    assert "Contraseña" not in second.stdout
