"""Appointments booked in the chat (issue 15): stored with date, branch and car, and worked in
the back office's *Citas* by the salesperson of the lead (supervisors see all)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from catalog.services import catalog_load_demo
from conversations.services import conversation_turn_handle
from knowledge.services import knowledge_load_demo
from leads.models import Appointment, Lead, LeadEvent
from leads.services import appointment_status_set, lead_notify_sales
from tests.support.backoffice import login, make_lead

MX = ZoneInfo("America/Mexico_City")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=MX)  # a Wednesday


def _book(session: str, *messages: str) -> Any:
    outcome = None
    for text in messages:
        outcome = conversation_turn_handle(channel="api", external_id=session, text=text, now=NOW)
    return outcome


@pytest.fixture
def demo(db: None) -> None:
    catalog_load_demo()
    knowledge_load_demo()


def test_an_appointment_booked_in_the_chat_is_stored_with_branch_time_and_car(demo: None) -> None:
    outcome = _book(
        "cita-1",
        "quiero un versa de 270 mil",
        "el 1",
        "de contado",
        "quiero agendar una cita en monterrey el sabado a las 11",
        "Luis Treviño",
        "8187654321",
    )
    assert outcome.step == "done"
    appointment = Appointment.objects.get()
    assert appointment.scheduled_at == datetime(2026, 12, 5, 11, 0, tzinfo=MX)
    assert appointment.branch_city == "Monterrey"
    assert appointment.branch.startswith("Kavak ")
    assert appointment.car_snapshot["model"] == "Versa"
    assert appointment.requested == "el sabado a las 11"
    lead = appointment.lead
    assert (lead.name, lead.phone, lead.source) == ("Luis Treviño", "+528187654321", "appointment")
    assert outcome.appointment is not None
    assert outcome.appointment.branch == appointment.branch
    assert lead_notify_sales(lead_id=lead.pk, reason="lead_captured")
    assert "Cita: 05/12/2026 11:00 en Kavak" in mail.outbox[-1].body  # to the salesperson


def test_booking_again_in_the_same_conversation_moves_the_appointment(demo: None) -> None:
    _book(
        "cita-2", "corolla de 320", "el 1", "de contado", "si, quiero ir a verlo",
        "Ana", "5512345678", "mañana a las 12",
    )  # fmt: skip
    assert Appointment.objects.count() == 1
    assert Appointment.objects.get().branch == ""  # no city named: an advisor confirms it


def test_salespeople_see_their_own_appointments_and_can_confirm_them(
    sales: Any, sales2: Any, supervisor: Any
) -> None:
    mine = make_lead(assigned_to=sales, name="Mía")
    theirs = make_lead(assigned_to=sales2, name="Ajena")
    own = Appointment.objects.create(lead=mine, branch="Kavak Explanada", requested="el lunes")
    Appointment.objects.create(lead=theirs, branch="Kavak Las Torres", requested="el martes")

    page = login(sales).get("/admin/leads/appointment/")
    assert page.status_code == 200
    assert "Mía" in page.content.decode()
    assert "Ajena" not in page.content.decode()
    assert "Ajena" in login(supervisor).get("/admin/leads/appointment/").content.decode()

    response = login(sales).post(
        "/admin/leads/appointment/",
        {"action": "confirm", "_selected_action": [own.pk]},
        follow=True,
    )
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.status == Appointment.Status.CONFIRMED
    note = LeadEvent.objects.get(lead=mine, kind=LeadEvent.Kind.NOTE)
    assert note.text.startswith("Cita confirmada")
    assert note.author == sales


def test_the_lead_page_lists_its_appointments(sales: Any) -> None:
    lead = make_lead(assigned_to=sales)
    Appointment.objects.create(lead=lead, branch="Kavak Explanada", requested="cuando puedan")
    page = login(sales).get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()
    assert "Kavak Explanada" in page
    assert "Por confirmar" in page


def test_an_unknown_status_is_refused(db: None) -> None:
    from kavak.exceptions import ApplicationError

    lead = Lead.objects.create(name="X", phone="+525500000001", channel="api")
    appointment = Appointment.objects.create(lead=lead)
    with pytest.raises(ApplicationError):
        appointment_status_set(appointment_ids=[appointment.pk], status="perdida", actor=None)
