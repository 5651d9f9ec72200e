"""conversations/sql.py against the ORM: each statement reads or writes what the equivalent ORM
query or operation does, on the same data."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from conversations.models import Conversation, Message
from conversations.ports import MessageRecord
from conversations.sql import conversation_open_lock, conversation_turn_write

pytestmark = pytest.mark.django_db

STATE = {"step": "options", "slots": {"budget": 250000, "body_type": "suv"}, "nota": "¿Sí?"}


def _conversation(external_id: str, **fields: Any) -> Conversation:
    values: dict[str, Any] = {
        "channel": "api",
        "external_id": external_id,
        "state": STATE,
        "step": "options",
        "furthest_step": "options",
        "version": 3,
        "last_message_at": datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
        "handoff_at": datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
    }
    return Conversation.objects.create(**{**values, **fields})


def _row_locks_on_conversations() -> int:
    """Row-level lock requests this transaction holds on the conversation table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() "
            "AND relation = %s::regclass AND mode = 'RowShareLock'",
            [Conversation._meta.db_table],
        )
        return int(cursor.fetchone()[0])


@pytest.mark.parametrize("with_state", [True, False])
def test_open_lock_reads_what_the_orm_reads(with_state: bool) -> None:
    _conversation("s-1", status="closed", closed_at=timezone.now(), state={"old": True})
    _conversation("s-1", channel="web", state={"web": True})
    _conversation("s-2", version=9)
    _conversation("s-1", status="handoff", version=7, state={**STATE, "extra": [1, 2]})
    fields = ("id", "status", "version", "last_message_at", "state", "handoff_at")

    with transaction.atomic():
        assert _row_locks_on_conversations() == 0
        row = conversation_open_lock(channel="api", external_id="s-1", with_state=with_state)
        assert _row_locks_on_conversations() == 1  # FOR UPDATE
        expected = (
            Conversation.objects.select_for_update()
            .filter(channel="api", external_id="s-1", closed_at__isnull=True)
            .values(*fields)
            .first()
        )
        missing = conversation_open_lock(channel="api", external_id="s-3", with_state=with_state)

    assert row is not None
    assert expected is not None
    assert asdict(row) == {**expected, "state": expected["state"] if with_state else None}
    assert missing is None
    assert (
        Conversation.objects.filter(channel="api", external_id="s-3", closed_at__isnull=True)
        .values(*fields)
        .first()
        is None
    )


def _records() -> list[MessageRecord]:
    return [
        MessageRecord(direction="in", text="Busco una SUV", turn_id="t-1"),
        MessageRecord(
            direction="out",
            text="Tengo estas opciones:",
            turn_id="t-1",
            step_before="need",
            step_after="options",
            next_action="show_options",
            understood={"body_type": "suv", 1: "clave numérica"},
            latency_ms=12.5,
            provider_message_id="SM123",
        ),
    ]


def _orm_turn_write(
    conversation_id: int,
    *,
    state: dict[str, Any],
    status: str,
    handoff: bool,
    messages: list[MessageRecord],
    now: datetime,
) -> None:
    """The same write through the ORM."""
    Conversation.objects.filter(pk=conversation_id).update(
        state=state,
        step=state["step"],
        furthest_step="contact",
        status=status,
        version=F("version") + 1,
        last_message_at=now,
        updated_at=now,
        handoff_at=now if handoff else F("handoff_at"),
    )
    Message.objects.bulk_create(
        Message(conversation_id=conversation_id, **m.__dict__) for m in messages
    )
    # created_at is auto_now_add: a save sets it to the clock, an update to the turn's time.
    Message.objects.filter(conversation_id=conversation_id).update(created_at=now)


@pytest.mark.parametrize("handoff", [False, True])
@pytest.mark.parametrize("messages", [[], _records()], ids=["no-messages", "two-messages"])
def test_turn_write_leaves_what_the_orm_leaves(
    handoff: bool, messages: list[MessageRecord]
) -> None:
    by_sql, by_orm = _conversation("s-sql"), _conversation("s-orm")
    now = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)
    state = {**STATE, "step": "contact", "slots": {"name": "Ana"}}
    status = "handoff" if handoff else "active"

    conversation_turn_write(
        conversation_id=by_sql.pk,
        state=state,
        step="contact",
        furthest_step="contact",
        status=status,
        handoff=handoff,
        messages=messages,
        now=now,
    )
    _orm_turn_write(
        by_orm.pk, state=state, status=status, handoff=handoff, messages=messages, now=now
    )

    skip = {"id", "external_id", "started_at"}
    fields = [f.attname for f in Conversation._meta.concrete_fields if f.attname not in skip]
    written = Conversation.objects.filter(pk=by_sql.pk).values(*fields).get()
    assert written == Conversation.objects.filter(pk=by_orm.pk).values(*fields).get()
    assert written["version"] == 4
    assert written["handoff_at"] == (now if handoff else by_sql.handoff_at)
    message_fields = [
        f.attname
        for f in Message._meta.concrete_fields
        if f.attname not in {"id", "conversation_id"}
    ]
    logged = list(
        Message.objects.filter(conversation=by_sql).order_by("id").values(*message_fields)
    )
    assert len(logged) == len(messages)
    assert logged == list(
        Message.objects.filter(conversation=by_orm).order_by("id").values(*message_fields)
    )
