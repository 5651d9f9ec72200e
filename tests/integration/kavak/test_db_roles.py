"""Least-privilege database roles (kavak/db_roles.py) on the real PostgreSQL server.

Roles are cluster-wide and the server is shared: every name carries a random suffix, and the
database and roles are dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.conf import settings
from psycopg import errors, sql

from kavak.db_roles import db_roles_ensure


def _dsn(dbname: str, user: str | None = None) -> str:
    db = settings.DATABASES["default"]
    return (
        f"host={db['HOST']} port={db['PORT'] or 5432} dbname={dbname} "
        f"user={user or db['USER']} connect_timeout=3"
    )


@pytest.fixture
def scratch() -> Iterator[dict[str, Any]]:
    suffix = uuid.uuid4().hex[:8]
    names = {"db": f"kavak_roles_{suffix}", "app": f"app_{suffix}", "migrate": f"mig_{suffix}"}
    with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(names["db"])))
    try:
        yield names
    finally:
        with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(names["db"])
                )
            )
            for role in (names["app"], names["migrate"]):
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def _ensure(names: dict[str, Any]) -> list[str]:
    # The "master user" here is the test server's superuser; the function does what RDS's master
    # (CREATEROLE, not superuser) can do.
    with psycopg.connect(_dsn(names["db"])) as master, master.cursor() as cursor:
        moved = db_roles_ensure(
            cursor=cursor,
            database=names["db"],
            app_role=names["app"],
            app_password="app-pw",
            migrate_role=names["migrate"],
            migrate_password="migrate-pw",
        )
        master.commit()
    return moved


def test_the_app_role_reads_and_writes_rows_but_changes_no_schema(scratch: dict[str, Any]) -> None:
    # A table the master user created before the split (today's deployments).
    with psycopg.connect(_dsn(scratch["db"]), autocommit=True) as master:
        master.execute("CREATE TABLE lead (id bigserial PRIMARY KEY, name text)")
    assert _ensure(scratch) == ["lead"]
    assert _ensure(scratch) == []  # idempotent: nothing left to hand over, passwords reset

    with psycopg.connect(_dsn(scratch["db"]), autocommit=True) as master:
        owner = master.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'lead'")
        assert owner.fetchone() == (scratch["migrate"],)

    # Migrations (the owner role) create and alter tables; new tables are usable by the app.
    with psycopg.connect(_dsn(scratch["db"], scratch["migrate"]), autocommit=True) as migrate:
        migrate.execute("ALTER TABLE lead ADD COLUMN phone text")
        migrate.execute("CREATE TABLE message (id bigserial PRIMARY KEY, body text)")

    with psycopg.connect(_dsn(scratch["db"], scratch["app"]), autocommit=True) as app:
        app.execute("INSERT INTO lead (name, phone) VALUES ('Ana', '5512345678')")
        app.execute("UPDATE lead SET name = 'Ana L.'")
        app.execute("INSERT INTO message (body) VALUES ('hola')")  # default privileges
        assert app.execute("SELECT count(*) FROM lead").fetchone() == (1,)
        app.execute("SELECT id FROM lead FOR UPDATE")  # the turn's row lock
        app.execute("DELETE FROM message")
        for ddl in (
            "CREATE TABLE intruder (id int)",
            "DROP TABLE lead",
            "ALTER TABLE lead ADD COLUMN x int",
            "TRUNCATE lead",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                app.execute(ddl)


def test_the_roles_must_differ_and_have_passwords() -> None:
    with pytest.raises(ValueError, match="must differ"):
        db_roles_ensure(
            cursor=None,
            database="x",
            app_role="r",
            app_password="a",
            migrate_role="r",
            migrate_password="b",
        )
    with pytest.raises(ValueError, match="passwords"):
        db_roles_ensure(
            cursor=None,
            database="x",
            app_role="a",
            app_password="",
            migrate_role="m",
            migrate_password="b",
        )


@pytest.mark.django_db
def test_the_command_creates_both_roles_on_the_configured_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Inside the test's transaction: CREATE ROLE is transactional and rolled back with it."""
    import io

    from django.core.management import CommandError, call_command
    from django.db import connection

    suffix = uuid.uuid4().hex[:8]
    monkeypatch.setenv("DATABASE_APP_ROLE", f"app_{suffix}")
    monkeypatch.setenv("DATABASE_MIGRATE_ROLE", f"mig_{suffix}")
    monkeypatch.setenv("DATABASE_MIGRATE_PASSWORD", "migrate-pw")
    with pytest.raises(CommandError, match="DATABASE_APP_PASSWORD is required"):
        call_command("db_roles_ensure", stdout=io.StringIO())
    monkeypatch.setenv("DATABASE_APP_PASSWORD", "app-pw")
    out = io.StringIO()
    call_command("db_roles_ensure", stdout=out)
    assert f"mig_{suffix} (schema owner), app_{suffix} (DML)" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolname, rolsuper, rolcreaterole FROM pg_roles WHERE rolname IN (%s, %s)",
            [f"app_{suffix}", f"mig_{suffix}"],
        )
        assert sorted(cursor.fetchall()) == [
            (f"app_{suffix}", False, False),
            (f"mig_{suffix}", False, False),
        ]
