"""Model instances from rows read with a plain cursor (hot paths that skip ORM compilation)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

M = TypeVar("M", bound=Model)


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
