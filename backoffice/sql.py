"""The back office's SQL on PostgreSQL: emptying the message log of anonymised conversations.

Plain SQL on purpose: one ``UPDATE`` filters each message's ``understood`` down to the kept keys
inside the database (``jsonb_each`` / ``jsonb_object_agg``), which the ORM cannot express; with
it, every message would be read and written back (``bulk_update``, the SQLite path). No timing of
this statement is recorded. Identifiers come from the model, every value is a parameter.
PostgreSQL only (jsonb functions): ``backoffice.anonymise`` empties the messages row by row on
other databases (SQLite, ``make run``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from conversations.models import Message
from kavak.rows import column_name


def messages_anonymise(*, conversation_ids: Sequence[int], kept_keys: Sequence[str]) -> int:
    """Empty the text of every message of ``conversation_ids`` and keep only ``kept_keys`` of its
    ``understood`` (``{}`` when none is left). Returns the messages changed.

    Every ``understood`` must be a JSON object (the model's default): PostgreSQL's ``jsonb_each``
    raises on any other JSON value.
    """
    meta, quote = Message._meta, connection.ops.quote_name
    text, understood = quote(column_name(meta, "text")), quote(column_name(meta, "understood"))
    conversation = quote(column_name(meta, "conversation"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} AS m SET {text} = '', "  # noqa: S608  # nosec B608
            f"{understood} = COALESCE((SELECT jsonb_object_agg(e.key, e.value) "
            f"FROM jsonb_each(m.{understood}) AS e WHERE e.key = ANY(%s)), '{{}}'::jsonb) "
            f"WHERE m.{conversation} = ANY(%s)",
            [list(kept_keys), list(conversation_ids)],
        )
        return int(cursor.rowcount)
