"""The leads app's plain SQL: the locked lookup of a customer's open lead, and the lock of the
active salespeople for the round-robin assignment.

Plain SQL on purpose: the lookup runs on every turn that captures a lead and the lock on every
turn that creates one, and compiling the equivalent ORM queries cost more than running them
(with the lead's ``ON CONFLICT`` insert, a lead turn went from 5.8 to 3.0 ms of engine/store CPU:
``docs/PERFORMANCE.md``). Identifiers come from the models, every value is a
parameter; rows come back as model instances through the ORM's converters (``kavak/rows.py``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection

from kavak.rows import column_name, instances_from_rows, pk_column_name
from leads.models import Lead, SalesAgent


def lead_open_candidates_lock(*, phone: str, conversation_id: int | None) -> list[Lead]:
    """The open leads of this phone or of this conversation, oldest first, locked (``FOR
    UPDATE`` where the database has it) until the transaction ends; empty when neither is given.

    One indexed query: at most one open lead per phone (constraint), and in practice one per
    conversation. The model's columns are named (no ``*``): prepared statements survive a column
    added by a deploy.
    """
    meta, quote = Lead._meta, connection.ops.quote_name

    def column(name: str) -> str:
        return quote(column_name(meta, name))

    clauses: list[str] = []
    params: list[Any] = []
    if phone:
        clauses.append(f"{column('phone')} = %s")
        params.append(phone)
    if conversation_id:
        clauses.append(f"{column('conversation')} = %s")
        params.append(conversation_id)
    if not clauses:
        return []
    fields = meta.concrete_fields
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    closed = ", ".join(["%s"] * len(Lead.CLOSED_STATUSES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(quote(f.column) for f in fields)} "  # type: ignore[arg-type]  # noqa: S608  # nosec B608
            f"FROM {quote(meta.db_table)} "
            f"WHERE {column('status')} NOT IN ({closed}) AND ({' OR '.join(clauses)}) "
            f"ORDER BY {quote(pk_column_name(meta))}{lock}",
            [*Lead.CLOSED_STATUSES, *params],
        )
        rows = cursor.fetchall()
    return instances_from_rows(Lead, [f.attname for f in fields], rows)


# The salesperson's columns the assignment reads, in the model's field order.
_AGENT_FIELDS = ("id", "user_id", "active", "capacity", "whatsapp_number", "last_assigned_at")


def sales_agents_active_lock() -> list[SalesAgent]:
    """Active salespeople (profile and user), locked in id order until the transaction ends.

    Only the salespeople's rows are locked (``FOR UPDATE OF``), not their users'. The caller
    reads their open-lead counts in a second statement, after the locks are granted: under READ
    COMMITTED it then sees an assignment another turn just committed (a count in this statement
    would use the older snapshot).
    """
    quote, user_model = connection.ops.quote_name, get_user_model()
    column = {f: "a." + quote(column_name(SalesAgent._meta, f)) for f in _AGENT_FIELDS}
    lock = ""
    if connection.features.has_select_for_update_of:
        lock = " FOR UPDATE OF a"
    elif connection.features.has_select_for_update:  # pragma: no cover - no such backend here
        lock = " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(column.values())} FROM {quote(SalesAgent._meta.db_table)} a "  # noqa: S608  # nosec B608
            f"JOIN {quote(user_model._meta.db_table)} u "
            f"ON u.{quote(pk_column_name(user_model._meta))} = {column['user_id']} "
            f"WHERE {column['active']} = %s "
            f"AND u.{quote(column_name(user_model._meta, 'is_active'))} = %s "
            f"ORDER BY {column['id']}{lock}",
            [True, True],
        )
        rows = cursor.fetchall()
    return instances_from_rows(SalesAgent, _AGENT_FIELDS, rows)
