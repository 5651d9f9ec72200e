"""The conversation store's SQL on PostgreSQL: the lock of the open conversation, and the turn's
state write with its message-log rows in one round trip.

Plain SQL on purpose: both run on every turn, so they skip the ORM's query compilation (no
figure for these two statements alone is recorded; ``docs/PERFORMANCE.md`` measures it for the
ladder and the lead statements); and the write is one writable CTE, the UPDATE and the INSERTs in
one round trip, which the ORM cannot express. Identifiers come from the models, every value is a
parameter.
PostgreSQL only (jsonb parameters, ``FOR UPDATE``, a writable CTE): the store uses the ORM on
other databases (SQLite, ``make run``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from django.db import connection
from psycopg.types.json import Jsonb

from conversations.models import Conversation, Message
from conversations.ports import MessageRecord
from kavak.rows import column_name


@dataclass(frozen=True)
class ConversationRow:
    """What a turn needs of the open conversation it locked."""

    id: int
    status: str
    version: int
    last_message_at: datetime | None
    state: dict[str, Any] | None = None  # None when the state cache is expected to hold it
    handoff_at: datetime | None = None


# The columns of the lock, in this order; ``state`` is read last, when asked for.
_LOCK_FIELDS = ("id", "status", "version", "last_message_at", "handoff_at")

# The message-log columns a turn writes, in this order.
_MESSAGE_FIELDS = (
    "conversation",
    "direction",
    "text",
    "turn_id",
    "created_at",
    "step_before",
    "step_after",
    "next_action",
    "understood",
    "latency_ms",
    "provider_message_id",
)


def _column(model: type[Conversation] | type[Message], name: str) -> str:
    return connection.ops.quote_name(column_name(model._meta, name))


def conversation_open_lock(
    *, channel: str, external_id: str, with_state: bool
) -> ConversationRow | None:
    """Lock the open conversation of the session (``SELECT … FOR UPDATE``) and read it; its
    state only ``with_state`` (otherwise the state cache supplies it).

    Precondition: inside a transaction, which holds the lock until it ends.
    """
    names = (*_LOCK_FIELDS, "state") if with_state else _LOCK_FIELDS
    col = {name: _column(Conversation, name) for name in (*names, "channel", "external_id")}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(col[name] for name in names)} "  # noqa: S608  # nosec B608
            f"FROM {connection.ops.quote_name(Conversation._meta.db_table)} "
            f"WHERE {col['channel']} = %s AND {col['external_id']} = %s "
            f"AND {_column(Conversation, 'closed_at')} IS NULL FOR UPDATE",
            [channel, external_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    pk, status, version, last_message_at, handoff_at = row[:5]
    state = row[5] if with_state else None
    # Django registers a text loader for jsonb: raw cursors get the JSON as a string.
    return ConversationRow(
        pk,
        status,
        version,
        last_message_at,
        orjson.loads(state) if isinstance(state, str) else state,
        handoff_at,
    )


def _jsonb(value: Any) -> Jsonb:
    """A jsonb parameter serialised by orjson: the state and message log are written every turn,
    and the standard library's encoder was a tenth of a turn's CPU. Non-string keys are kept as
    strings, as ``json.dumps`` does."""
    return Jsonb(value, dumps=_orjson_dumps)


def _orjson_dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def conversation_turn_write(
    *,
    conversation_id: int,
    state: dict[str, Any],
    step: str,
    furthest_step: str,
    status: str,
    handoff: bool,
    messages: list[MessageRecord],
    now: datetime,
) -> None:
    """Write the turn: the conversation's state, steps and status (version + 1, ``handoff_at``
    set to ``now`` when ``handoff``) and its message-log rows, in one round trip (a writable
    CTE). Precondition: the conversation is locked (``conversation_open_lock``)."""
    col = {
        name: _column(Conversation, name)
        for name in (
            "state",
            "step",
            "furthest_step",
            "status",
            "version",
            "last_message_at",
            "updated_at",
            "handoff_at",
            "id",
        )
    }
    params: list[Any] = [
        _jsonb(state),
        step,
        furthest_step,
        status,
        now,
        now,
        handoff,
        now,
        conversation_id,
    ]
    update = (
        f"UPDATE {connection.ops.quote_name(Conversation._meta.db_table)} SET "  # noqa: S608  # nosec B608
        f"{col['state']} = %s, {col['step']} = %s, {col['furthest_step']} = %s, "
        f"{col['status']} = %s, {col['version']} = {col['version']} + 1, "
        f"{col['last_message_at']} = %s, {col['updated_at']} = %s, "
        f"{col['handoff_at']} = CASE WHEN %s THEN %s ELSE {col['handoff_at']} END "
        f"WHERE {col['id']} = %s"
    )
    if not messages:  # nothing to log (the port allows it): an empty VALUES list is invalid SQL
        with connection.cursor() as cursor:
            cursor.execute(update, params)
        return
    for m in messages:
        params += [
            conversation_id,
            m.direction,
            m.text,
            m.turn_id,
            now,
            m.step_before,
            m.step_after,
            m.next_action,
            _jsonb(m.understood),
            m.latency_ms,
            m.provider_message_id,
        ]
    row = f"({', '.join(['%s'] * len(_MESSAGE_FIELDS))})"
    sql = (
        f"WITH turn AS ({update}) "  # noqa: S608  # nosec B608  (identifiers from the models)
        f"INSERT INTO {connection.ops.quote_name(Message._meta.db_table)} "
        f"({', '.join(_column(Message, name) for name in _MESSAGE_FIELDS)}) "
        f"VALUES {', '.join([row] * len(messages))}"  # placeholders only
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
