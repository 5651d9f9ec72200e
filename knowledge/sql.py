"""The knowledge index's SQL: the read of the index token before every search.

Plain SQL on purpose: every search reads the token first (``process_index.knowledge_index``), and
the ORM's query building cost more than the primary-key lookup itself (≈0.45 ms vs ≈0.1 ms
measured; ``scripts/bench_kb.py`` prints the lookup's time). Identifiers come from the model.
"""

from __future__ import annotations

from django.db import connection

from kavak.rows import column_name, pk_column_name
from knowledge.models import IndexState

# The one row of ``IndexState`` (``services`` writes it with ``pk=1``).
INDEX_STATE_PK = 1


def index_token_read() -> str:
    """The token of the one ``IndexState`` row; ``""`` when the row does not exist yet."""
    meta, quote = IndexState._meta, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column_name(meta, 'token'))} FROM {quote(meta.db_table)} "  # noqa: S608  # nosec B608
            f"WHERE {quote(pk_column_name(meta))} = %s",
            [INDEX_STATE_PK],
        )
        row = cursor.fetchone()
    return str(row[0]) if row else ""
