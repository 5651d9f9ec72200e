"""The sales pipeline's writes (issue 7): round-robin assignment, reassignment, statuses, notes,
appointment statuses, each recorded in the lead's activity log."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from kavak.exceptions import ApplicationError
from leads.models import Appointment, Lead, LeadEvent, SalesAgent
from leads.sql import sales_agents_active_lock

logger = logging.getLogger(__name__)

NOTE_MAX_CHARS = 2000


def lead_assign(*, lead: Lead, actor: Any = None, now: datetime | None = None) -> SalesAgent | None:
    """Assign an unassigned lead round-robin among the salespeople who have room for it.

    Rule: eligible salespeople are active (profile and user) and have fewer open leads than their
    capacity; the one whose last assignment is the oldest gets it (never assigned first, then by
    id). Nobody eligible: the lead stays unassigned, supervisors find it under "Sin asignar" and
    the notification goes to the sales inbox. A lead that already has an assignee is left alone.

    Precondition: runs inside a transaction. The active salespeople's rows are locked in id order
    (no deadlocks between callers) until commit, so two leads created at once never overfill a
    salesperson nor both go to the same "next" one.
    """
    if lead.assigned_to_id is not None:
        return None
    now = now or timezone.now()
    agents = sales_agents_active_lock()  # first, so the counts below see committed leads
    load = _open_leads_by_assignee([agent.user_id for agent in agents])
    eligible = [agent for agent in agents if load.get(agent.user_id, 0) < agent.capacity]
    if not eligible:
        logger.warning(
            "lead_unassigned lead_id=%s reason=%s",
            lead.pk,
            "no_active_agents" if not agents else "all_at_capacity",
        )
        return None
    agent = min(
        eligible,
        key=lambda a: (a.last_assigned_at is not None, a.last_assigned_at or now, a.pk),
    )
    SalesAgent.objects.filter(pk=agent.pk).update(last_assigned_at=now)
    Lead.objects.filter(pk=lead.pk).update(assigned_to_id=agent.user_id, last_activity_at=now)
    lead.assigned_to_id = agent.user_id
    lead.last_activity_at = now
    LeadEvent.objects.create(
        lead=lead,
        kind=LeadEvent.Kind.ASSIGNED,
        author=actor,
        assignee_id=agent.user_id,
        text="Asignación automática (rotación entre asesores con cupo)",
        created_at=now,
    )
    logger.info("lead_assigned lead_id=%s agent_id=%s", lead.pk, agent.pk)
    return agent


def _open_leads_by_assignee(user_ids: list[int]) -> dict[int, int]:
    if not user_ids:
        return {}
    return dict(
        Lead.objects.filter(assigned_to_id__in=user_ids)
        .exclude(status__in=Lead.CLOSED_STATUSES)
        .values_list("assigned_to_id")
        .annotate(open_leads=Count("pk"))
        .order_by()
    )


def lead_assign_pending(*, lead_ids: list[int], actor: Any) -> int:
    """Round-robin assignment of the given leads that are still unassigned and open.

    Returns how many were assigned. Each lead is locked before its agents (the same order as a
    lead being created), one transaction per lead so a full team stops the loop early.
    """
    assigned = 0
    for lead_id in lead_ids:
        with transaction.atomic():
            lead = (
                Lead.objects.select_for_update()
                .filter(pk=lead_id, assigned_to__isnull=True)
                .exclude(status__in=Lead.CLOSED_STATUSES)
                .first()
            )
            if lead is None:
                continue
            if lead_assign(lead=lead, actor=actor) is None:
                break
            assigned += 1
    return assigned


def lead_reassign(
    *, lead_id: int, assignee_id: int | None, actor: Any, now: datetime | None = None
) -> Lead:
    """Manual (re)assignment by a supervisor: to an active salesperson, or to nobody.

    Capacity is not enforced here: the supervisor decides. The salesperson's last assignment time
    moves, so the rotation gives the next automatic lead to someone else.
    """
    now = now or timezone.now()
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        if lead.assigned_to_id == assignee_id:
            return lead
        if assignee_id is not None:
            agent = (
                SalesAgent.objects.select_for_update(of=("self",))
                .filter(user_id=assignee_id, active=True, user__is_active=True)
                .first()
            )
            if agent is None:
                raise ApplicationError("Solo se puede asignar a asesores de ventas activos.")
            SalesAgent.objects.filter(pk=agent.pk).update(last_assigned_at=now)
        lead.assigned_to_id = assignee_id
        lead.last_activity_at = now
        lead.save(update_fields=["assigned_to", "last_activity_at", "updated_at"])
        LeadEvent.objects.create(
            lead=lead,
            kind=LeadEvent.Kind.ASSIGNED,
            author=actor,
            assignee_id=assignee_id,
            text="Reasignación manual" if assignee_id else "Se quitó la asignación",
            created_at=now,
        )
    logger.info("lead_reassigned lead_id=%s assignee_id=%s", lead_id, assignee_id)
    return lead


def lead_status_validate(*, status: str, lost_reason: str = "") -> str:
    """The pipeline's rules for a status: it must exist, and a lost lead needs a reason.

    Returns the reason to store (empty unless the lead is lost).
    """
    if status not in Lead.Status.values:
        raise ApplicationError(f"Estado desconocido: {status}.")
    reason = (lost_reason or "").strip()
    if status == Lead.Status.LOST:
        if not reason:
            raise ApplicationError("Indica el motivo de pérdida para marcar el lead como perdido.")
        return reason[:200]
    return ""


def lead_status_change(
    *,
    lead_id: int,
    status: str,
    lost_reason: str = "",
    actor: Any,
    now: datetime | None = None,
) -> Lead:
    """Move a lead along the pipeline (nuevo → contactado → cita agendada → en financiamiento →
    vendido / perdido) and record it in the activity log with its author.

    Any status may follow any other (a rejected financing goes back to contactado); "perdido"
    requires a reason, kept in the log. Reopening a closed lead fails when the customer already has
    another open lead (one open lead per phone).
    """
    reason = lead_status_validate(status=status, lost_reason=lost_reason)
    now = now or timezone.now()
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        if lead.status == status and lead.lost_reason == reason:
            return lead
        previous = lead.status
        lead.status = status
        lead.lost_reason = reason
        lead.last_activity_at = now
        try:
            with transaction.atomic():
                lead.save(update_fields=["status", "lost_reason", "last_activity_at", "updated_at"])
        except IntegrityError as exc:
            raise ApplicationError(
                "Este cliente ya tiene otro lead abierto con el mismo teléfono; trabaja ese."
            ) from exc
        LeadEvent.objects.create(
            lead=lead,
            kind=LeadEvent.Kind.STATUS,
            author=actor,
            from_status=previous,
            to_status=status,
            text=reason,
            created_at=now,
        )
    logger.info("lead_status_changed lead_id=%s from=%s to=%s", lead_id, previous, status)
    return lead


def lead_note_add(*, lead_id: int, text: str, actor: Any, now: datetime | None = None) -> LeadEvent:
    """Add a staff note to the lead's activity log (counts as activity for the stale flag)."""
    body = (text or "").strip()
    if not body:
        raise ApplicationError("La nota está vacía.")
    if len(body) > NOTE_MAX_CHARS:
        raise ApplicationError(f"La nota es demasiado larga (máximo {NOTE_MAX_CHARS} caracteres).")
    now = now or timezone.now()
    with transaction.atomic():
        Lead.objects.filter(pk=lead_id).update(last_activity_at=now)
        return LeadEvent.objects.create(
            lead_id=lead_id, kind=LeadEvent.Kind.NOTE, author=actor, text=body, created_at=now
        )


_APPOINTMENT_STATUS_NOTES = {
    "confirmada": "Cita confirmada",
    "realizada": "Cita realizada",
    "cancelada": "Cita cancelada",
    "solicitada": "Cita de nuevo por confirmar",
}


def appointment_status_set(
    *, appointment_ids: Iterable[int], status: str, actor: Any, now: datetime | None = None
) -> int:
    """Confirm, complete or cancel appointments; each change is noted in the lead's activity.

    Only the appointments whose status changes are touched; returns how many changed.
    """
    if status not in Appointment.Status.values:
        raise ApplicationError("Estado de cita no válido.")
    now = now or timezone.now()
    changed = 0
    with transaction.atomic():
        rows = Appointment.objects.select_for_update().filter(pk__in=list(appointment_ids))
        for appointment in rows.exclude(status=status):
            appointment.status = status
            appointment.save(update_fields=["status", "updated_at"])
            when = (
                timezone.localtime(appointment.scheduled_at).strftime("%d/%m %H:%M")
                if appointment.scheduled_at
                else appointment.requested
            )
            lead_note_add(
                lead_id=appointment.lead_id,
                text=f"{_APPOINTMENT_STATUS_NOTES[status]}: {when} · {appointment.branch or '—'}",
                actor=actor,
                now=now,
            )
            changed += 1
    return changed
