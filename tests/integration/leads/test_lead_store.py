"""The lead store on PostgreSQL with prepared statements (the production connection settings)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from leads.models import Lead
from leads.stores import DbLeadStore, LeadData

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
    import threading

    barrier = threading.Barrier(8)
    ids: list[int] = []
    errors: list[BaseException] = []

    def capture_in_thread(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                view = DbLeadStore().upsert(
                    data=LeadData(
                        source="lead_capture", channel="api", phone="+525512349999", name=f"C{i}"
                    )
                )
            ids.append(view.id)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=capture_in_thread, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    lead = Lead.objects.get(phone="+525512349999")
    assert set(ids) == {lead.pk}
    assert lead.name in {f"C{i}" for i in range(8)}
    assert lead.created_at is not None
    assert lead.last_activity_at is not None
    assert lead.status == Lead.Status.NEW
