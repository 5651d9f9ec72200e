"""Create or update the database roles kavak_migrate and kavak_app (run as the RDS master user).

The ``db-roles`` ECS task runs it on the first deploy and after a database password rotation
(terraform/README.md). Role names come from DATABASE_MIGRATE_ROLE / DATABASE_APP_ROLE, passwords
from DATABASE_MIGRATE_PASSWORD / DATABASE_APP_PASSWORD (Secrets Manager); nothing is printed but
the role names and the tables that changed owner.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from kavak.db_roles import db_roles_ensure
from kavak.env import env


class Command(BaseCommand):
    help = "Create/update the application (DML) and migration (DDL) PostgreSQL roles."

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("db_roles_ensure needs PostgreSQL.")
        values = {
            "app_role": env.str("DATABASE_APP_ROLE", default="kavak_app"),
            "migrate_role": env.str("DATABASE_MIGRATE_ROLE", default="kavak_migrate"),
            "app_password": env.str("DATABASE_APP_PASSWORD", default=""),
            "migrate_password": env.str("DATABASE_MIGRATE_PASSWORD", default=""),
        }
        for name in ("DATABASE_APP_PASSWORD", "DATABASE_MIGRATE_PASSWORD"):
            if not env.str(name, default=""):
                raise CommandError(f"{name} is required.")
        with transaction.atomic(), connection.cursor() as cursor:
            moved = db_roles_ensure(
                cursor=cursor.cursor, database=connection.settings_dict["NAME"], **values
            )
        self.stdout.write(
            f"roles ok: {values['migrate_role']} (schema owner), {values['app_role']} (DML); "
            f"tables handed to {values['migrate_role']}: {len(moved)}"
        )
