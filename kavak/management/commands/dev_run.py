"""`make run` in one process: migrate (when needed), demo data, development users, then serve.

Each set-up step used to be its own `manage.py` call (about 1.6 s of start-up each on the
development machine); here they share one start-up and skip what has nothing to do, and the
runserver auto-reloader's child (``RUN_MAIN``) goes straight to serving.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = (
        "Prepara el entorno de desarrollo (migraciones, datos de demostración, usuarios) y sirve."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--setup-only", action="store_true", help="Solo prepara; no levanta el servidor."
        )

    def handle(self, *args: Any, addrport: str, setup_only: bool, **options: Any) -> None:
        if os.environ.get("RUN_MAIN") != "true":  # the auto-reloader's child: already set up
            self.setup()
        if not setup_only:
            call_command("runserver", addrport)

    def setup(self) -> None:
        started = time.perf_counter()
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            call_command("migrate", interactive=False, verbosity=1)
        else:
            self.stdout.write("Base de datos al día (nada que migrar).")
        call_command("load_demo_data")
        call_command("ensure_dev_admin")
        call_command("ensure_dev_staff")
        self.stdout.write(f"Entorno listo en {time.perf_counter() - started:.1f} s.")
