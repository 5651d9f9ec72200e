"""Least-privilege PostgreSQL roles: the schema's owner (migrations) and the application (DML).

Production connects web, worker and beat as ``kavak_app`` (SELECT/INSERT/UPDATE/DELETE on the
tables, sequences) and the migrate task as ``kavak_migrate`` (owns the schema: CREATE, ALTER,
DROP). Both are created by ``manage.py db_roles_ensure`` in the one-off ``db-roles`` task, which
alone connects as the RDS master user. Idempotent: it also resets both passwords (rotation) and
hands tables the master user created before this split to ``kavak_migrate``.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

TABLE_PRIVILEGES = sql.SQL("SELECT, INSERT, UPDATE, DELETE")
SEQUENCE_PRIVILEGES = sql.SQL("USAGE, SELECT, UPDATE")
_ALTER_OWNER = {
    "r": "ALTER TABLE",
    "p": "ALTER TABLE",
    "v": "ALTER VIEW",
    "m": "ALTER MATERIALIZED VIEW",
    "S": "ALTER SEQUENCE",
}


def db_roles_ensure(
    *,
    cursor: Any,
    database: str,
    app_role: str,
    app_password: str,
    migrate_role: str,
    migrate_password: str,
    schema: str = "public",
) -> list[str]:
    """Create/update both roles and their grants; returns the tables handed to ``migrate_role``.

    Precondition: ``cursor`` belongs to the master user (CREATEROLE) inside one transaction, so a
    failure leaves the roles as they were. Statements are composed with psycopg's ``sql`` module
    (identifiers and the password literals quoted by the driver): role DDL takes no parameters.
    """
    if app_role == migrate_role:
        raise ValueError("the application and migration roles must differ")
    if not app_password or not migrate_password:
        raise ValueError("both role passwords are required")
    app, migrate, schema_id = (
        sql.Identifier(app_role),
        sql.Identifier(migrate_role),
        sql.Identifier(schema),
    )
    for role, password in ((migrate_role, migrate_password), (app_role, app_password)):
        _role_upsert(cursor, role=role, password=password)
    _connect_and_schema_grants(
        cursor, database=database, app=app, migrate=migrate, schema_id=schema_id
    )
    moved = _objects_hand_over(cursor, schema=schema, schema_id=schema_id, migrate=migrate)
    _app_grants(cursor, app=app, migrate=migrate, schema_id=schema_id)
    return moved


def _role_upsert(cursor: Any, *, role: str, password: str) -> None:
    """A login role with no other attribute, created or (rotation) given its new password."""
    cursor.execute(sql.SQL("SELECT 1 FROM pg_roles WHERE rolname = {}").format(sql.Literal(role)))
    verb = "ALTER" if cursor.fetchone() else "CREATE"
    attributes = " ROLE {} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {}"
    cursor.execute(sql.SQL(verb + attributes).format(sql.Identifier(role), sql.Literal(password)))


def _connect_and_schema_grants(
    cursor: Any,
    *,
    database: str,
    app: sql.Identifier,
    migrate: sql.Identifier,
    schema_id: sql.Identifier,
) -> None:
    # The master user must be a member of the owner role to hand it objects and to set its
    # default privileges (PostgreSQL 16 no longer makes the creator a member).
    cursor.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(migrate))
    cursor.execute(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}, {}").format(
            sql.Identifier(database), migrate, app
        )
    )
    cursor.execute(sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(schema_id))
    cursor.execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA {} TO {}").format(schema_id, migrate))
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema_id, app))


def _objects_hand_over(
    cursor: Any, *, schema: str, schema_id: sql.Identifier, migrate: sql.Identifier
) -> list[str]:
    """Objects created before the split (by the master user) change owner; sequences owned by a
    table column follow their table. Returns their names."""
    cursor.execute(
        """
        SELECT c.relname, c.relkind FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s
          AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = CURRENT_USER)
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND NOT (c.relkind = 'S' AND EXISTS (
              SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
        ORDER BY c.relkind DESC, c.relname
        """,
        [schema],
        prepare=False,
    )
    moved = []
    for name, kind in cursor.fetchall():
        cursor.execute(
            sql.SQL(_ALTER_OWNER[kind] + " {}.{} OWNER TO {}").format(
                schema_id, sql.Identifier(name), migrate
            )
        )
        moved.append(name)
    return moved


def _app_grants(
    cursor: Any, *, app: sql.Identifier, migrate: sql.Identifier, schema_id: sql.Identifier
) -> None:
    """DML on what exists now, and by default on what ``migrate`` creates later."""
    cursor.execute(
        sql.SQL("GRANT {} ON ALL TABLES IN SCHEMA {} TO {}").format(
            TABLE_PRIVILEGES, schema_id, app
        )
    )
    cursor.execute(
        sql.SQL("GRANT {} ON ALL SEQUENCES IN SCHEMA {} TO {}").format(
            SEQUENCE_PRIVILEGES, schema_id, app
        )
    )
    cursor.execute(
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT {} ON TABLES TO {}"
        ).format(migrate, schema_id, TABLE_PRIVILEGES, app)
    )
    cursor.execute(
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT {} ON SEQUENCES TO {}"
        ).format(migrate, schema_id, SEQUENCE_PRIVILEGES, app)
    )
