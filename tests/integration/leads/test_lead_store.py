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
