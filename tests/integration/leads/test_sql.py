"""leads/sql.py against the ORM: each statement returns what the equivalent ORM query does, on
the same data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Model, Q

from conversations.models import Conversation
from leads.models import Lead, SalesAgent
from leads.sql import lead_open_candidates_lock, sales_agents_active_lock

pytestmark = pytest.mark.django_db


def _values(rows: list[Any]) -> list[dict[str, Any]]:
    """Every concrete field of each row (attribute names), for comparison."""
    return [{f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields} for row in rows]


def _row_locks_on(model: type[Model]) -> int:
    """Row-level lock requests this transaction holds on the model's table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() "
            "AND relation = %s::regclass AND mode = 'RowShareLock'",
            [model._meta.db_table],
        )
        return int(cursor.fetchone()[0])


def _lead(phone: str, conversation: Conversation | None, **fields: Any) -> Lead:
    return Lead.objects.create(
        phone=phone,
        conversation=conversation,
        channel="api",
        name=fields.pop("name", "Ana"),
        car_snapshot={"stock_id": "A1", "precio": "249000.00"},
        preferred_contact_at=datetime(2026, 3, 2, 16, 0, tzinfo=UTC),
        **fields,
    )


@pytest.mark.parametrize(
    ("phone", "with_conversation"),
    [("+525512340000", True), ("+525512340000", False), ("", True), ("", False)],
)
def test_open_candidates_are_what_the_orm_finds(phone: str, with_conversation: bool) -> None:
    conv, other = (Conversation.objects.create(channel="api", external_id=s) for s in "ab")
    _lead("+525512340000", other, name="Por teléfono", financing_snapshot={"plazo": 48})
    _lead("+525599999999", conv, name="Por conversación")
    _lead("+525512340000", conv, name="Vendida", status=Lead.Status.SOLD)
    _lead(
        "+525512340000",
        None,
        name="Perdida",
        status=Lead.Status.LOST,
        lost_reason="Compró en otro lado",
    )
    _lead("+525511111111", other, name="Otra")
    conversation_id = conv.pk if with_conversation else None

    with transaction.atomic():
        assert _row_locks_on(Lead) == 0
        found = lead_open_candidates_lock(phone=phone, conversation_id=conversation_id)
        assert _row_locks_on(Lead) == (1 if phone or conversation_id else 0)  # FOR UPDATE
    clauses = Q(pk__in=[])  # neither given: nothing
    if phone:
        clauses |= Q(phone=phone)
    if conversation_id:
        clauses |= Q(conversation_id=conversation_id)
    expected = list(
        Lead.objects.exclude(status__in=Lead.CLOSED_STATUSES).filter(clauses).order_by("id")
    )

    assert _values(found) == _values(expected)
    assert len(found) == int(bool(phone)) + int(with_conversation)


def test_active_salespeople_are_what_the_orm_finds() -> None:
    users = get_user_model().objects
    make = [  # (username, user active, profile active)
        ("ana", True, True),
        ("beto", False, True),
        ("carla", True, False),
        ("dora", True, True),
    ]
    for number, (username, user_active, active) in enumerate(make):
        SalesAgent.objects.create(
            user=users.create_user(username, password="x" * 12, is_active=user_active),
            active=active,
            capacity=5 + number,
            whatsapp_number=f"+52558765432{number}",
            last_assigned_at=datetime(2026, 3, 1, 9, number, tzinfo=UTC) if number else None,
        )

    with transaction.atomic():
        assert _row_locks_on(SalesAgent) == 0
        found = sales_agents_active_lock()
        assert _row_locks_on(SalesAgent) == 1  # FOR UPDATE OF the salespeople
    expected = list(SalesAgent.objects.filter(active=True, user__is_active=True).order_by("id"))

    assert _values(found) == _values(expected)
    assert [agent.user.username for agent in found] == ["ana", "dora"]
