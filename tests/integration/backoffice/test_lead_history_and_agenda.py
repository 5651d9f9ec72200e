"""A lead touched by a second conversation keeps its history; the Agenda lists appointments and
requested call-backs by day for salespeople (their own) and supervisors."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from conversations.models import Conversation
from leads.models import Appointment, Lead, LeadEvent
from leads.selectors import agenda_days
from leads.stores import DbLeadStore, LeadData
from tests.support.backoffice import login, make_lead

pytestmark = pytest.mark.django_db

MX = ZoneInfo("America/Mexico_City")


def test_a_second_conversation_logs_what_changed_links_both_and_moves_the_lead(
    sales: Any,
) -> None:
    first = Conversation.objects.create(channel="web", external_id="primera-conversacion-web")
    second = Conversation.objects.create(channel="whatsapp", external_id="+525512340000")
    store = DbLeadStore()
    with transaction.atomic():
        view = store.upsert(
            data=LeadData(
                source="lead_capture", channel="web", conversation_id=first.pk,
                phone="+525512340000", name="Ana",
            )
        )  # fmt: skip
    Lead.objects.filter(pk=view.id).update(
        assigned_to=sales, last_activity_at=timezone.now() - timedelta(days=2)
    )
    with transaction.atomic():
        store.upsert(
            data=LeadData(
                source="lead_capture", channel="whatsapp", conversation_id=second.pk,
                phone="+525512340000", name="Ana", preferred_contact_time="mañana a las 10",
            )
        )  # fmt: skip
    lead = Lead.objects.get(pk=view.id)
    assert lead.conversation_id == second.pk
    assert timezone.now() - lead.last_activity_at < timedelta(minutes=1)
    [event] = LeadEvent.objects.filter(lead=lead, kind="conversation")
    assert event.data == {
        "from": first.pk, "to": second.pk, "channel": "whatsapp",
        "changed": ["preferred_contact_time"],
    }  # fmt: skip
    assert event.text == "Cambió: horario preferido."

    client = login(sales)
    listing = client.get("/admin/leads/lead/").content.decode()
    assert "Volvió a escribir" in listing
    detail = client.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()
    assert f"/admin/conversations/conversation/{first.pk}/change/" in detail
    assert f"/admin/conversations/conversation/{second.pk}/change/" in detail
    assert "Volvió a escribir (WhatsApp)" in detail

    # The same conversation again: no new entry.
    with transaction.atomic():
        store.upsert(
            data=LeadData(
                source="lead_capture", channel="whatsapp", conversation_id=second.pk,
                phone="+525512340000", name="Ana López",
            )
        )  # fmt: skip
    assert LeadEvent.objects.filter(lead=lead, kind="conversation").count() == 1


def test_the_agenda_groups_appointments_and_call_backs_by_day_and_role(
    sales: Any, sales2: Any, supervisor: Any
) -> None:
    now = datetime(2026, 12, 2, 10, 0, tzinfo=MX)  # a Wednesday
    mine = make_lead(assigned_to=sales, name="Paty", source="lead_capture")
    Appointment.objects.create(
        lead=mine, scheduled_at=datetime(2026, 12, 3, 11, 0, tzinfo=MX), branch="Kavak Santa Fe",
        branch_address="Av. Vasco de Quiroga 3800", requested="mañana a las 11",
        car_snapshot={"make": "Nissan", "model": "Versa", "year": 2020},
    )  # fmt: skip
    callback = make_lead(
        assigned_to=sales, name="Luis", source="lead_capture",
        preferred_contact_at=datetime(2026, 12, 2, 17, 0, tzinfo=MX),
        preferred_contact_time="hoy en la tarde",
    )  # fmt: skip
    make_lead(
        assigned_to=sales, name="Olvidado", source="lead_capture",
        preferred_contact_at=datetime(2026, 12, 1, 9, 0, tzinfo=MX),
    )  # fmt: skip
    make_lead(assigned_to=sales, name="Sin hora", source="lead_capture",
              preferred_contact_time="cuando puedan")  # fmt: skip
    make_lead(assigned_to=sales2, name="De Bruno", source="lead_capture",
              preferred_contact_at=datetime(2026, 12, 2, 12, 0, tzinfo=MX))  # fmt: skip
    make_lead(assigned_to=sales, name="Vendido", source="lead_capture", status="vendido",
              preferred_contact_at=datetime(2026, 12, 2, 12, 0, tzinfo=MX))  # fmt: skip

    days = agenda_days(user=sales, now=now)
    assert [d.key for d in days] == ["atrasadas", "2026-12-02", "2026-12-03", "sin-fecha"]
    assert [d.label for d in days][1:3] == ["Hoy · miércoles 02/12", "Mañana · jueves 03/12"]
    assert [(i.kind, i.customer) for d in days for i in d.items] == [
        ("llamada", "Olvidado"), ("llamada", "Luis"), ("cita", "Paty"), ("llamada", "Sin hora"),
    ]  # fmt: skip
    visit = days[2].items[0]
    assert (visit.branch, visit.car) == ("Kavak Santa Fe", "Nissan Versa 2020")
    assert days[1].items[0].lead_id == callback.pk

    everyone = [i.customer for d in agenda_days(user=supervisor, now=now) for i in d.items]
    assert "De Bruno" in everyone
    assert "Vendido" not in everyone

    page = login(sales).get("/admin/leads/agenda/")
    assert page.status_code == 200
    assert "Cita en sucursal" in page.content.decode()
    assert login(sales2).get("/admin/leads/agenda/").status_code == 200
