"""Lead services: round-robin assignment with capacity, pipeline statuses, notes, activity log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from kavak.exceptions import ApplicationError
from leads.models import Lead, LeadEvent, SalesAgent
from leads.roles import SALES
from leads.selectors import lead_is_stale, lead_phone_search_digits, lead_visible_queryset
from leads.services import (
    lead_assign,
    lead_assign_pending,
    lead_note_add,
    lead_reassign,
    lead_status_change,
)
from leads.stores import DbLeadStore, LeadData
from tests.support.backoffice import make_lead
from tests.support.concurrency import run_at_once

pytestmark = pytest.mark.django_db


def _new_lead(phone: str, **kwargs: Any) -> Lead:
    view = DbLeadStore().upsert(
        data=LeadData(source="lead_capture", channel="web", phone=phone, name="X", **kwargs)
    )
    return Lead.objects.get(pk=view.id)


def test_new_leads_rotate_among_active_salespeople_oldest_assignment_first(
    make_staff: Any,
) -> None:
    ana = make_staff("ana", SALES, agent=True)
    bruno = make_staff("bruno", SALES, agent=True)
    carla = make_staff("carla", SALES, agent=True)
    SalesAgent.objects.filter(user=carla).update(active=False)
    assignees = [_new_lead(f"+5255000000{i:02d}").assigned_to for i in range(5)]
    assert assignees == [ana, bruno, ana, bruno, ana]
    events = LeadEvent.objects.filter(kind="assigned")
    assert events.count() == 5
    assert all(e.author is None for e in events)  # the system assigned them


def test_a_salesperson_at_capacity_is_skipped_and_a_full_team_leaves_leads_unassigned(
    make_staff: Any,
) -> None:
    ana = make_staff("ana", SALES, agent=True, capacity=1)
    bruno = make_staff("bruno", SALES, agent=True, capacity=2)
    leads = [_new_lead(f"+5255000001{i:02d}") for i in range(4)]
    assert [lead.assigned_to for lead in leads] == [ana, bruno, bruno, None]
    # Closing a lead frees capacity.
    lead_status_change(lead_id=leads[0].pk, status="vendido", actor=None)
    assert _new_lead("+525500000199").assigned_to == ana


def test_assignment_ignores_inactive_users_and_leaves_assigned_leads_alone(
    make_staff: Any,
) -> None:
    ana = make_staff("ana", SALES, agent=True)
    ana.is_active = False
    ana.save()
    lead = make_lead()
    with transaction.atomic():
        assert lead_assign(lead=lead) is None
    bruno = make_staff("bruno", SALES, agent=True)
    lead.assigned_to = bruno
    with transaction.atomic():
        assert lead_assign(lead=lead) is None  # already has an assignee


def test_returning_customer_updates_their_lead_without_reassigning(make_staff: Any) -> None:
    ana = make_staff("ana", SALES, agent=True)
    make_staff("bruno", SALES, agent=True)
    first = _new_lead("+525511110000")
    again = _new_lead("+525511110000", preferred_contact_time="mañana")
    assert again.pk == first.pk
    assert again.assigned_to == ana
    assert LeadEvent.objects.filter(lead=first, kind="assigned").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_new_leads_never_overfill_a_salesperson(make_staff: Any) -> None:
    # No groups: a transactional test may run after another one flushed them.
    make_staff("ana", agent=True, capacity=3)
    make_staff("bruno", agent=True, capacity=3)

    def create(phone: str) -> Callable[[], None]:
        def call() -> None:
            with transaction.atomic():
                _new_lead(phone)

        return call

    errors = run_at_once([create(f"+5255222200{i:02d}") for i in range(8)])
    assert errors == []
    per_agent = {
        agent.user.username: Lead.objects.filter(assigned_to=agent.user).count()
        for agent in SalesAgent.objects.select_related("user")
    }
    assert per_agent == {"ana": 3, "bruno": 3}
    assert Lead.objects.filter(assigned_to__isnull=True).count() == 2


def test_lead_assign_pending_assigns_until_the_team_is_full(
    make_staff: Any, supervisor: Any
) -> None:
    make_staff("ana", SALES, agent=True, capacity=2)
    leads = [make_lead() for _ in range(3)]
    assert lead_assign_pending(lead_ids=[lead.pk for lead in leads], actor=supervisor) == 2
    event = LeadEvent.objects.filter(kind="assigned").first()
    assert event.author == supervisor


def test_status_moves_along_the_pipeline_and_is_logged_with_author(sales: Any) -> None:
    lead = make_lead(assigned_to=sales)
    for status in ("contactado", "cita_agendada", "en_financiamiento", "vendido"):
        lead_status_change(lead_id=lead.pk, status=status, actor=sales)
    lead.refresh_from_db()
    assert lead.status == "vendido"
    log = list(
        LeadEvent.objects.filter(lead=lead, kind="status").values_list(
            "from_status", "to_status", "author__username"
        )
    )
    assert log == [
        ("nuevo", "contactado", "ana"),
        ("contactado", "cita_agendada", "ana"),
        ("cita_agendada", "en_financiamiento", "ana"),
        ("en_financiamiento", "vendido", "ana"),
    ]
    # The same status again is not a new event.
    lead_status_change(lead_id=lead.pk, status="vendido", actor=sales)
    assert LeadEvent.objects.filter(lead=lead, kind="status").count() == 4


def test_lost_requires_a_reason_in_the_service_and_in_the_database(sales: Any) -> None:
    lead = make_lead(assigned_to=sales)
    with pytest.raises(ApplicationError, match="motivo de pérdida"):
        lead_status_change(lead_id=lead.pk, status="perdido", lost_reason="  ", actor=sales)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(status="perdido", lost_reason="")
    lead_status_change(
        lead_id=lead.pk, status="perdido", lost_reason="Compró en otra agencia", actor=sales
    )
    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason) == ("perdido", "Compró en otra agencia")
    assert LeadEvent.objects.get(lead=lead, to_status="perdido").text == "Compró en otra agencia"
    # Reopening clears the reason (it stays in the log).
    lead_status_change(lead_id=lead.pk, status="contactado", actor=sales)
    lead.refresh_from_db()
    assert lead.lost_reason == ""


def test_unknown_status_is_refused(sales: Any) -> None:
    lead = make_lead(assigned_to=sales)
    with pytest.raises(ApplicationError, match="desconocido"):
        lead_status_change(lead_id=lead.pk, status="ganado", actor=sales)


def test_reopening_a_closed_lead_when_the_customer_has_another_open_one_is_refused(
    sales: Any,
) -> None:
    old = make_lead(phone="+525533330000", status="vendido")
    make_lead(phone="+525533330000")
    with pytest.raises(ApplicationError, match="otro lead abierto"):
        lead_status_change(lead_id=old.pk, status="contactado", actor=sales)


def test_notes_are_logged_and_count_as_activity(sales: Any) -> None:
    lead = make_lead(assigned_to=sales)
    Lead.objects.filter(pk=lead.pk).update(last_activity_at=timezone.now() - timedelta(days=9))
    lead.refresh_from_db()
    assert lead_is_stale(lead=lead, now=timezone.now())
    lead_note_add(lead_id=lead.pk, text="  Llamé, no contestó  ", actor=sales)
    lead.refresh_from_db()
    assert not lead_is_stale(lead=lead, now=timezone.now())
    note = LeadEvent.objects.get(lead=lead, kind="note")
    assert (note.text, note.author) == ("Llamé, no contestó", sales)
    with pytest.raises(ApplicationError, match="vacía"):
        lead_note_add(lead_id=lead.pk, text="   ", actor=sales)
    with pytest.raises(ApplicationError, match="larga"):
        lead_note_add(lead_id=lead.pk, text="x" * 2001, actor=sales)


def test_closed_leads_are_never_stale(sales: Any) -> None:
    lead = make_lead(assigned_to=sales, status="vendido")
    Lead.objects.filter(pk=lead.pk).update(last_activity_at=timezone.now() - timedelta(days=30))
    lead.refresh_from_db()
    assert not lead_is_stale(lead=lead, now=timezone.now())


def test_manual_reassignment_only_to_active_salespeople(
    sales: Any, sales2: Any, supervisor: Any
) -> None:
    lead = make_lead(assigned_to=sales)
    lead_reassign(lead_id=lead.pk, assignee_id=sales2.pk, actor=supervisor)
    lead.refresh_from_db()
    assert lead.assigned_to == sales2
    event = LeadEvent.objects.get(lead=lead, kind="assigned")
    assert (event.author, event.assignee) == (supervisor, sales2)
    with pytest.raises(ApplicationError, match="asesores de ventas activos"):
        lead_reassign(lead_id=lead.pk, assignee_id=supervisor.pk, actor=supervisor)
    lead_reassign(lead_id=lead.pk, assignee_id=None, actor=supervisor)
    lead.refresh_from_db()
    assert lead.assigned_to is None
    assert lead_reassign(lead_id=lead.pk, assignee_id=None, actor=supervisor).pk == lead.pk


@pytest.mark.parametrize(
    ("term", "digits"),
    [
        ("55 1234 5678", "5512345678"),
        ("(55) 1234-5678", "5512345678"),
        ("+52 1 55 1234 5678", "5512345678"),
        ("+52 55 1234 5678", "5512345678"),
        ("044 55 1234 5678", "5512345678"),
        ("1234-5678", "12345678"),
        ("5678", "5678"),
        ("123", None),
        ("Ana", None),
        ("Ana 55", None),
    ],
)
def test_phone_search_terms_are_normalised(term: str, digits: str | None) -> None:
    assert lead_phone_search_digits(term=term) == digits


def test_visibility_needs_a_lead_permission(make_staff: Any) -> None:
    nobody = make_staff("nadie")
    make_lead()
    assert not lead_visible_queryset(user=nobody).exists()
