"""Model instances from rows read with a plain cursor (hot paths that skip ORM compilation)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model
from django.db.models.options import Options

M = TypeVar("M", bound=Model)


def column_name(meta: Options[Any], name: str) -> str:
    """The column of the model's concrete field ``name`` (the stubs also allow a reverse
    relation, which has none: plain SQL names concrete fields only)."""
    return cast(str, cast("Field[Any, Any]", meta.get_field(name)).column)


def pk_column_name(meta: Options[Any]) -> str:
    """The primary key's column (every model of ours has a primary key)."""
    return cast(str, meta.pk.column)


def instances_from_rows(
    model: type[M], attnames: Sequence[str], rows: Iterable[Sequence[Any]]
) -> list[M]:
    """``model`` instances from rows whose columns are ``attnames``, in that order.

    Values go through the same converters as an ORM read (the backend's, e.g. SQLite dates and
    booleans, then the field's, e.g. JSON), so the instances equal what ``objects.get`` returns
    for those fields.
    """
    conn = connections[DEFAULT_DB_ALIAS]  # the thread's wrapper, not the proxy, in the loops
    table = model._meta.db_table
    converters = []
    for i, name in enumerate(attnames):
        col = model._meta.get_field(name).get_col(table)  # type: ignore[union-attr]
        funcs = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
        if funcs:
            converters.append((i, funcs, col))
    names = list(attnames)
    out = []
    for row in rows:
        values = list(row)
        for i, funcs, col in converters:
            for convert in funcs:
                values[i] = convert(values[i], col, conn)
        out.append(model.from_db(conn.alias, names, values))
    return out


def insert_unless_conflict(row: Model, *, conflict_on: tuple[str, ...] = ()) -> int | None:
    """Insert the unsaved ``row`` with ``ON CONFLICT … DO NOTHING`` in one statement.

    Returns the new primary key (also set on ``row``, which then counts as saved), or ``None``
    when a unique constraint (on ``conflict_on``'s fields, or any when empty) already holds a
    row: no exception, so no savepoint is needed inside a transaction. The model builds the
    values (defaults, ``auto_now_add``, JSON adaptation); only the statement is written here.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    meta, quote = row._meta, conn.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(row, True), conn) for f in fields]
    target = ", ".join(quote(column_name(meta, name)) for name in conflict_on)
    sql = (  # identifiers come from the model, values are parameters
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # type: ignore[arg-type]  # noqa: S608  # nosec B608
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT {f'({target}) ' if target else ''}DO NOTHING "
        f"RETURNING {quote(pk_column_name(meta))}"
    )
    with conn.cursor() as cursor:
        cursor.execute(sql, values)
        found = cursor.fetchone()
    if found is None:
        return None
    row.pk = found[0]
    row._state.adding = False
    row._state.db = conn.alias
    return int(found[0])
