"""Retention of customers' personal data: the nightly anonymisation (issue 20, LFPDPPP).

``retention_anonymise_expired`` (the Celery task and ``manage.py retention_anonymise`` only call
it): what is older than the RETENTION_* limits loses its personal data, table by table as
``backoffice/anonymise.py`` defines it. The rows stay, so every number of the funnel dashboard
(conversations started, steps reached, leads, handoffs, latency) adds up as before. Work goes in
batches of ``RETENTION_BATCH_SIZE`` ids, one short transaction each; rows another transaction
holds (a turn in progress) are skipped and done on the next run (``SKIP LOCKED``). Re-runs are
idempotent: anonymised rows are marked (``anonymized_at``) or no longer match.

One customer's data on request, whatever its age, is ``customer_erase`` (``backoffice/erasure.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Coalesce

from backoffice.anonymise import (
    HASH_PREFIX,
    contacts_anonymise,
    conversations_anonymise,
    inbound_anonymise,
    label,
    leads_anonymise,
    outbound_anonymise,
    questions_anonymise,
    status_events_delete,
)
from channels.models import WhatsAppContact, WhatsAppInbound, WhatsAppOutbound, WhatsAppStatusEvent
from conversations.models import Conversation
from knowledge.models import UnansweredQuestion
from leads.models import DataErasure, Lead

logger = logging.getLogger(__name__)

_PENDING_OUT = (
    WhatsAppOutbound.Status.PENDING,
    WhatsAppOutbound.Status.IN_FLIGHT,
    WhatsAppOutbound.Status.UNKNOWN,
)


# --- Policy and result ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RetentionPolicy:
    """Days each kind of data keeps personal data (0 = kept) and the batch size."""

    transcript_days: int = 0
    delivery_days: int = 0
    closed_lead_days: int = 0
    batch_size: int = 500

    @classmethod
    def from_settings(cls) -> RetentionPolicy:
        return cls(
            transcript_days=settings.RETENTION_TRANSCRIPT_DAYS,
            delivery_days=settings.RETENTION_DELIVERY_DAYS,
            closed_lead_days=settings.RETENTION_CLOSED_LEAD_DAYS,
            batch_size=settings.RETENTION_BATCH_SIZE,
        )


@dataclass
class RetentionRun:
    """Rows changed per table (``app.model``) and whether every expired row was done."""

    rows: dict[str, int] = field(default_factory=dict)
    finished: bool = True

    def add(self, label: str, count: int) -> None:
        if count:
            self.rows[label] = self.rows.get(label, 0) + count

    @property
    def total(self) -> int:
        return sum(self.rows.values())


# --- The nightly run ------------------------------------------------------------------------------
def retention_anonymise_expired(
    *,
    now: datetime,
    policy: RetentionPolicy | None = None,
    time_budget_s: float | None = None,
) -> RetentionRun:
    """Anonymise everything past its retention limit, in short batches.

    Stops between batches once ``time_budget_s`` is spent (``finished`` is then False and the
    caller runs it again); a run with nothing expired reads a few index pages. Writes one
    ``DataErasure`` entry (kind "retention", no actor) when it changed any row.
    """
    policy = policy or RetentionPolicy.from_settings()
    deadline = time.monotonic() + time_budget_s if time_budget_s is not None else None
    run = RetentionRun()
    for queryset, apply in _retention_steps(now=now, policy=policy):
        if not _in_batches(
            queryset, apply=apply, run=run, size=policy.batch_size, deadline=deadline
        ):
            run.finished = False
            break
    if run.total:
        DataErasure.objects.create(kind=DataErasure.Kind.RETENTION, created_at=now, rows=run.rows)
    logger.info(
        "retention_run rows=%s finished=%s",
        ",".join(f"{k}:{v}" for k, v in sorted(run.rows.items())) or "0",
        run.finished,
    )
    return run


def retention_expired_counts(
    *, now: datetime, policy: RetentionPolicy | None = None
) -> dict[str, int]:
    """What a run would anonymise now, per table (the rows it starts from; a conversation's
    messages and questions, and a lead's notes, come with it). Reads only."""
    policy = policy or RetentionPolicy.from_settings()
    return {
        label(queryset.model): queryset.count()
        for queryset, _ in _retention_steps(now=now, policy=policy)
    }


_Step = tuple[QuerySet[Any], Callable[[list[int]], dict[str, int]]]


def _retention_steps(*, now: datetime, policy: RetentionPolicy) -> list[_Step]:
    steps: list[_Step] = []
    if policy.transcript_days:
        cutoff = now - timedelta(days=policy.transcript_days)
        steps += [
            (_expired_conversations(cutoff), lambda ids: conversations_anonymise(ids, now=now)),
            (_expired_questions(cutoff), questions_anonymise),
        ]
    if policy.delivery_days:
        cutoff = now - timedelta(days=policy.delivery_days)
        steps += [
            (_expired_inbound(cutoff), lambda ids: inbound_anonymise(ids, now=now)),
            (_expired_outbound(cutoff), lambda ids: outbound_anonymise(ids, now=now)),
            (_expired_status_events(cutoff), status_events_delete),
            (_expired_contacts(cutoff), contacts_anonymise),
        ]
    if policy.closed_lead_days:
        cutoff = now - timedelta(days=policy.closed_lead_days)
        steps.append((_expired_leads(cutoff), lambda ids: leads_anonymise(ids, now=now)))
    return steps


def _in_batches(
    queryset: QuerySet[Any],
    *,
    apply: Callable[[list[int]], dict[str, int]],
    run: RetentionRun,
    size: int,
    deadline: float | None,
) -> bool:
    """Lock up to ``size`` candidate ids (skipping locked rows), change them, commit; repeat.

    Each batch is its own short transaction: no lock outlives one batch, and a failure loses at
    most the batch in progress (rolled back whole). ``apply`` must make the rows stop matching
    ``queryset``. Returns False when the deadline stopped it with candidates left.
    """
    while True:
        if deadline is not None and time.monotonic() > deadline:
            return False
        with transaction.atomic():
            ids = list(
                queryset.select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
                .values_list("pk", flat=True)[:size]
            )
            if not ids:
                return True
            for table, count in apply(ids).items():
                run.add(table, count)


def _open_lead(conversation_ref: str) -> Exists:
    return Exists(
        Lead.objects.filter(conversation_id=OuterRef(conversation_ref)).exclude(
            status__in=Lead.CLOSED_STATUSES
        )
    )


def _expired_conversations(cutoff: datetime) -> QuerySet[Conversation]:
    """Idle since the cutoff; the transcript of a lead still being worked stays until it closes."""
    return (
        Conversation.objects.filter(anonymized_at__isnull=True, started_at__lt=cutoff)
        .alias(last_at=Coalesce("last_message_at", "started_at"))
        .filter(last_at__lt=cutoff)
        .exclude(_open_lead("pk"))
    )


def _expired_questions(cutoff: datetime) -> QuerySet[UnansweredQuestion]:
    return UnansweredQuestion.objects.filter(last_seen_at__lt=cutoff).exclude(
        example=F("normalized"), conversation_ref=""
    )


def _expired_inbound(cutoff: datetime) -> QuerySet[WhatsAppInbound]:
    # "received" rows are still to be answered (the sweep would pick them up): never touched.
    return (
        WhatsAppInbound.objects.filter(anonymized_at__isnull=True, received_at__lt=cutoff)
        .exclude(status=WhatsAppInbound.Status.RECEIVED)
        .exclude(_open_lead("conversation_id"))
    )


def _expired_outbound(cutoff: datetime) -> QuerySet[WhatsAppOutbound]:
    # Parts still to be sent or confirmed are the sender's: never touched.
    return (
        WhatsAppOutbound.objects.filter(anonymized_at__isnull=True, created_at__lt=cutoff)
        .exclude(status__in=_PENDING_OUT)
        .exclude(_open_lead("conversation_id"))
    )


def _expired_status_events(cutoff: datetime) -> QuerySet[WhatsAppStatusEvent]:
    # The callbacks of a delivery that is kept (an open lead's) stay with it.
    kept = WhatsAppOutbound.objects.filter(
        provider_sid=OuterRef("provider_sid"), anonymized_at__isnull=True
    )
    return WhatsAppStatusEvent.objects.filter(received_at__lt=cutoff).exclude(Exists(kept))


def _expired_contacts(cutoff: datetime) -> QuerySet[WhatsAppContact]:
    open_lead = Lead.objects.filter(phone=OuterRef("phone")).exclude(
        status__in=Lead.CLOSED_STATUSES
    )
    return (
        WhatsAppContact.objects.exclude(phone__startswith=HASH_PREFIX)
        .alias(last_at=Coalesce("last_inbound_at", "created_at"))
        .filter(last_at__lt=cutoff)
        .exclude(Exists(open_lead))
    )


def _expired_leads(cutoff: datetime) -> QuerySet[Lead]:
    return Lead.objects.filter(
        anonymized_at__isnull=True,
        status__in=Lead.CLOSED_STATUSES,
        last_activity_at__lt=cutoff,
        updated_at__lt=cutoff,
    )
