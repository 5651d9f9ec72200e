"""Lead stores: PostgreSQL (default) or process memory (LEAD_REPOSITORY=memory, throwaway runs)."""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import dataclass, replace
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from kavak.rows import insert_unless_conflict
from leads.models import Appointment, Lead, LeadEvent
from leads.ports import LeadData, LeadView
from leads.services import lead_assign
from leads.sql import lead_open_candidates_lock

logger = logging.getLogger(__name__)


def _view(lead: Lead) -> LeadView:
    return LeadView(
        id=lead.pk,
        name=lead.name,
        phone=lead.phone,
        preferred_contact_time=lead.preferred_contact_time,
        status=lead.status,
    )


_UPDATABLE = (
    "name",
    "phone",
    "preferred_contact_time",
    "preferred_contact_at",
    "car_stock_id",
    "car_snapshot",
    "financing_snapshot",
)


class DbLeadStore:
    """Leads in the database: assigned round-robin, notified to sales after the turn commits."""

    def upsert(self, *, data: LeadData) -> LeadView:
        """One open lead per phone: a returning customer updates theirs.

        Precondition: runs inside the turn's transaction; the lead row is locked while updated.
        A new lead is inserted with ``ON CONFLICT DO NOTHING`` (no savepoint round trips): if a
        concurrent turn created the open lead of this phone first, the insert waits for it,
        inserts nothing, and the lead just committed is locked and updated instead.
        """
        for _attempt in range(3):
            lead = self._find(data)
            if lead is None:
                lead = self._insert(data)
                if lead is None:
                    continue  # a concurrent turn created the open lead for this phone: update it
                # Before commit, so the sales notification goes to the assignee.
                lead_assign(lead=lead)
                _appointment_save(lead, data)
                return _view(lead)
            changed = []
            for key in _UPDATABLE:
                value = getattr(data, key)
                if value and getattr(lead, key) != value:
                    setattr(lead, key, value)
                    changed.append(key)
            previous = lead.conversation_id
            if data.conversation_id and previous != data.conversation_id:
                lead.conversation_id = data.conversation_id
                changed.append("conversation")
            if data.source != Lead.Source.HANDOFF and lead.source == Lead.Source.HANDOFF:
                lead.source = data.source
                changed.append("source")
            if previous and "conversation" in changed:
                # The customer came back in another conversation (another channel, or after a
                # day): the lead keeps its history, says what changed and moves up the list.
                lead.last_activity_at = timezone.now()
                changed.append("last_activity_at")
                _returned_event(lead, data, previous=previous, changed=changed)
            if changed:
                lead.save(update_fields=[*changed, "updated_at"])
            _appointment_save(lead, data)
            return _view(lead)
        raise IntegrityError("could not upsert lead after concurrent retries")

    @staticmethod
    def _insert(data: LeadData) -> Lead | None:
        """Insert the lead unless an open lead of this phone exists (then ``None``): the
        one-open-lead-per-phone constraint is the lead table's only unique key besides the id."""
        lead = Lead(
            source=data.source,
            channel=data.channel,
            conversation_id=data.conversation_id,
            **{k: getattr(data, k) for k in _UPDATABLE},
        )
        return lead if insert_unless_conflict(lead) is not None else None

    @staticmethod
    def _find(data: LeadData) -> Lead | None:
        """The open lead of this phone, else of this conversation: one locked query."""
        # Locked until the turn commits; read with a plain cursor (every lead capture turn).
        candidates = lead_open_candidates_lock(
            phone=data.phone, conversation_id=data.conversation_id
        )
        by_phone = [lead for lead in candidates if data.phone and lead.phone == data.phone]
        return next(iter(by_phone or candidates), None)

    def for_conversation(self, *, conversation_id: int) -> LeadView | None:
        lead = Lead.objects.filter(conversation_id=conversation_id).order_by("-updated_at").first()
        return _view(lead) if lead else None

    def notify_sales(self, *, lead_id: int, reason: str) -> None:
        transaction.on_commit(partial(_enqueue_notification, lead_id=lead_id, reason=reason))


def _enqueue_notification(*, lead_id: int, reason: str) -> None:
    """Runs after the turn committed: a broker outage must not turn a saved turn into an error.

    A notification that could not be enqueued is picked up by ``leads.lead_notify_sweep``.
    """
    from leads.tasks import lead_notify_sales as lead_notify_sales_task

    try:
        lead_notify_sales_task.delay(lead_id, reason)
    except Exception:
        logger.warning(
            "lead_notify_enqueue_failed lead_id=%s reason=%s", lead_id, reason, exc_info=True
        )


_CHANGE_LABELS = {
    "name": "nombre",
    "phone": "teléfono",
    "preferred_contact_time": "horario preferido",
    "car_stock_id": "auto elegido",
    "financing_snapshot": "financiamiento",
    "source": "origen",
}


def _returned_event(lead: Lead, data: LeadData, *, previous: int, changed: list[str]) -> None:
    """Log, in the lead's activity, that its customer wrote in another conversation."""
    what = [_CHANGE_LABELS[key] for key in changed if key in _CHANGE_LABELS]
    text = "Cambió: " + ", ".join(what) + "." if what else "Sin datos nuevos."
    if data.appointment is not None:
        text += " Pidió una cita."
    LeadEvent.objects.create(
        lead=lead,
        kind=LeadEvent.Kind.CONVERSATION,
        text=text,
        data={
            "from": previous,
            "to": data.conversation_id,
            "channel": data.channel,
            "changed": [key for key in changed if key in _CHANGE_LABELS],
        },
        created_at=lead.last_activity_at,
    )


def _appointment_save(lead: Lead, data: LeadData) -> None:
    """Book or move the lead's open appointment of this conversation.

    Precondition: runs inside the turn's transaction with the lead row locked, so two turns of
    one customer cannot both insert an open appointment (the constraint would refuse it anyway).
    """
    booked = data.appointment
    if booked is None:
        return
    values = {
        "scheduled_at": booked.scheduled_at,
        "requested": booked.requested[:200],
        "branch": booked.branch[:120],
        "branch_city": booked.branch_city[:120],
        "branch_address": booked.branch_address[:250],
        "car_stock_id": data.car_stock_id,
        "car_snapshot": data.car_snapshot,
    }
    updated = Appointment.objects.filter(  # type: ignore[misc]  # a None id matches IS NULL
        lead=lead, conversation_id=data.conversation_id, status__in=Appointment.OPEN_STATUSES
    ).update(**values)
    if not updated:
        Appointment.objects.create(lead=lead, conversation_id=data.conversation_id, **values)


@dataclass
class _MemoryLead:
    data: LeadData
    status: str
    touched: int  # the order of updates: ``for_conversation`` returns the latest, as by updated_at


class MemoryLeadStore:
    """Throwaway runs (LEAD_REPOSITORY=memory): leads live in this process only.

    Same rules as the database adapter (same contract suite); no salesperson is assigned and
    nobody is notified, as sales only see leads in the database.
    """

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._clock = itertools.count(1)
        self._leads: dict[int, _MemoryLead] = {}
        self._lock = threading.Lock()

    def _find(self, data: LeadData) -> int | None:
        """The open lead of this phone, else of this conversation (oldest first, as in SQL)."""
        open_leads = [
            (lead_id, lead.data)
            for lead_id, lead in sorted(self._leads.items())
            if lead.status not in Lead.CLOSED_STATUSES
        ]
        for lead_id, existing in open_leads:
            if data.phone and existing.phone == data.phone:
                return lead_id
        for lead_id, existing in open_leads:
            if data.conversation_id and existing.conversation_id == data.conversation_id:
                return lead_id
        return None

    def upsert(self, *, data: LeadData) -> LeadView:
        with self._lock:
            lead_id = self._find(data)
            if lead_id is None:
                lead_id = next(self._ids)
                self._leads[lead_id] = _MemoryLead(data, Lead.Status.NEW, next(self._clock))
                return self._view(lead_id)
            lead = self._leads[lead_id]
            changes: dict[str, object] = {
                k: getattr(data, k) for k in _UPDATABLE if getattr(data, k)
            }
            if data.conversation_id:
                changes["conversation_id"] = data.conversation_id
            if data.source != Lead.Source.HANDOFF and lead.data.source == Lead.Source.HANDOFF:
                changes["source"] = data.source
            if any(getattr(lead.data, k) != v for k, v in changes.items()):
                lead.data = replace(lead.data, **changes)  # type: ignore[arg-type]
                lead.touched = next(self._clock)
            return self._view(lead_id)

    def _view(self, lead_id: int) -> LeadView:
        lead = self._leads[lead_id]
        data = lead.data
        return LeadView(lead_id, data.name, data.phone, data.preferred_contact_time, lead.status)

    def for_conversation(self, *, conversation_id: int) -> LeadView | None:
        with self._lock:
            mine = [
                (lead.touched, lead_id)
                for lead_id, lead in self._leads.items()
                if lead.data.conversation_id == conversation_id
            ]
            return self._view(max(mine)[1]) if mine else None

    def notify_sales(self, *, lead_id: int, reason: str) -> None:
        """Nothing to do: the notification task loads the lead from the database."""
