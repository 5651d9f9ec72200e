"""The lead store on PostgreSQL with prepared statements (the production connection settings)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection, transaction

from leads.models import Lead
from leads.stores import DbLeadStore, LeadData
from tests.support.concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def capture(phone: str, name: str) -> None:
    with transaction.atomic():
        DbLeadStore().upsert(
            data=LeadData(source="lead_capture", channel="api", phone=phone, name=name)
        )


def test_upsert_keeps_working_after_a_column_is_added_while_the_process_runs() -> None:
    """The lookup is prepared after a few runs on the connection; a migration that adds a column
    while old processes still run must not break their prepared statements (a deploy)."""
    assert connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None
    for i in range(8):  # past DATABASE_PREPARE_THRESHOLD (5): the statement is now prepared
        capture("+525512340000", f"Ana {i}")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE leads_lead ADD COLUMN deploy_probe integer")
    try:
        capture("+525512340000", "Ana final")
        capture("+525512340001", "Luis")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE leads_lead DROP COLUMN deploy_probe")
    assert Lead.objects.get(phone="+525512340000").name == "Ana final"
    assert Lead.objects.filter(phone="+525512340001").exists()


def test_concurrent_first_captures_of_one_phone_make_one_lead_and_update_it() -> None:
    """Turns of several conversations capture the same phone at once: the inserts that lose
    the race insert nothing (no error, no savepoint) and update the lead that won instead."""
    ids: list[int] = []

    def capture_as(name: str) -> Callable[[], None]:
        def call() -> None:
            with transaction.atomic():
                view = DbLeadStore().upsert(
                    data=LeadData(
                        source="lead_capture", channel="api", phone="+525512349999", name=name
                    )
                )
            ids.append(view.id)

        return call

    errors = run_at_once([capture_as(f"C{i}") for i in range(8)])
    assert errors == []
    lead = Lead.objects.get(phone="+525512349999")
    assert set(ids) == {lead.pk}
    assert lead.name in {f"C{i}" for i in range(8)}
    assert lead.created_at is not None
    assert lead.last_activity_at is not None
    assert lead.status == Lead.Status.NEW


def test_a_returning_customer_updates_every_field_of_the_open_lead() -> None:
    """The update is a plain UPDATE (no ORM save): JSON, dates, the conversation and
    ``updated_at`` are written as a save would write them."""
    from datetime import UTC, datetime

    from conversations.models import Conversation

    store = DbLeadStore()
    with transaction.atomic():
        first = store.upsert(
            data=LeadData(source="handoff", channel="api", phone="+525512341111", name="Ana")
        )
    before = Lead.objects.get(pk=first.id)
    conv = Conversation.objects.create(channel="api", external_id="returning", state={})
    at = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    with transaction.atomic():
        second = store.upsert(
            data=LeadData(
                source="lead_capture",
                channel="api",
                conversation_id=conv.pk,
                phone="+525512341111",
                name="Ana López",
                preferred_contact_time="mañana en la tarde",
                preferred_contact_at=at,
                car_stock_id="K-1",
                car_snapshot={"stock_id": "K-1", "price": "250000.00"},
                financing_snapshot={"term_months": 48, "monthly_payment": "5072.52"},
            )
        )
    assert second.id == first.id
    lead = Lead.objects.get(pk=first.id)
    assert (lead.name, lead.preferred_contact_time, lead.car_stock_id) == (
        "Ana López",
        "mañana en la tarde",
        "K-1",
    )
    assert lead.preferred_contact_at == at
    assert lead.car_snapshot == {"stock_id": "K-1", "price": "250000.00"}
    assert lead.financing_snapshot == {"term_months": 48, "monthly_payment": "5072.52"}
    assert lead.conversation_id == conv.pk
    assert lead.source == Lead.Source.LEAD_CAPTURE  # a handoff lead became a captured one
    assert lead.updated_at > before.updated_at
