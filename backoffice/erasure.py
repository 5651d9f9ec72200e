"""One customer's personal data erased on request, whatever its age (issue 20, LFPDPPP).

``customer_erase`` (the admin's erasure screens only call it): in one transaction, with an audit
entry (``leads.DataErasure``) of who, when, which customer (hashed) and how many rows per table.
Each row is anonymised as the nightly retention run would (``backoffice/anonymise.py``); an
erasure also closes what could still act on the customer (open leads, appointments, pending
replies, messages not yet answered).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backoffice.anonymise import (
    contacts_anonymise,
    conversations_anonymise,
    customer_hash,
    inbound_anonymise,
    leads_anonymise,
    outbound_anonymise,
    status_events_delete,
)
from backoffice.retention import RetentionRun
from channels.models import WhatsAppContact, WhatsAppInbound, WhatsAppOutbound, WhatsAppStatusEvent
from conversations.models import Conversation
from kavak.exceptions import ApplicationError
from leads.models import Appointment, DataErasure, Lead, LeadEvent

logger = logging.getLogger(__name__)

ERASED_LOST_REASON = "Datos borrados a petición del cliente"


class NothingToErase(ApplicationError):
    """Neither a phone number nor a lead was given."""


def customer_erase(
    *,
    actor: Any,
    phone: str = "",
    lead_ids: Sequence[int] = (),
    reference: str = "",
    now: datetime | None = None,
) -> DataErasure:
    """Erase one customer's personal data now, whatever its age (a data-subject request).

    The customer is their phone number (normalised, as every table stores it) and/or the leads
    given. Found through them: their leads (by phone), the conversations of those leads (also the
    earlier ones a returning customer had), WhatsApp conversations, deliveries and contact of the
    number. Each is anonymised as the retention run would; in addition, open leads are closed
    as lost (``ERASED_LOST_REASON``, in their activity log under ``actor``), open appointments
    cancelled, open conversations closed, replies not yet sent suppressed and messages not yet
    answered dropped. One transaction: everything or nothing. Locks follow the turns' order
    (WhatsApp contact, conversation, lead), so a turn in progress is waited for, not deadlocked.
    """
    now = now or timezone.now()
    phones = {phone.strip()} - {""}
    leads = list(Lead.objects.filter(Q(pk__in=list(lead_ids)) | Q(phone__in=phones)))
    if not phones and not leads:
        raise NothingToErase("Indica un teléfono o un lead.")
    phones |= {lead.phone for lead in leads if lead.phone}
    run = RetentionRun()
    with transaction.atomic():
        conversation_ids, locked_leads = _customer_lock(phones=phones, leads=leads)
        # Read before the session ids are hashed: the keys name the customer's own.
        cache_keys = _cache_keys(conversation_ids)
        _leads_close(locked_leads, actor=actor, now=now)
        _add(run, leads_anonymise(locked_leads, now=now))
        _add(run, conversations_anonymise(conversation_ids, now=now))
        _deliveries_erase(phones=phones, conversation_ids=conversation_ids, run=run, now=now)
        first = sorted(phones)[0] if phones else f"lead:{min(locked_leads)}"
        entry = DataErasure.objects.create(
            kind=DataErasure.Kind.REQUEST,
            created_at=now,
            actor=actor,
            actor_username=actor.get_username() if actor is not None else "",
            customer_hash=customer_hash(first),
            reference=reference.strip()[:120],
            rows=run.rows,
        )
        transaction.on_commit(lambda: _cache_forget(cache_keys))
    logger.info(
        "customer_erased erasure_id=%s customer=%s rows=%s",
        entry.pk,
        entry.customer_hash,
        run.total,
    )
    return entry


def _add(run: RetentionRun, rows: dict[str, int]) -> None:
    for table, count in rows.items():
        run.add(table, count)


def _customer_lock(*, phones: set[str], leads: list[Lead]) -> tuple[list[int], list[int]]:
    """Lock the customer's WhatsApp contact, conversations and leads, in the turns' order.

    Returns the conversation ids and the lead ids locked.
    """
    list(WhatsAppContact.objects.select_for_update().filter(phone__in=phones).order_by("pk"))
    customer_conversation_ids = _customer_conversations(phones=phones, leads=leads)
    conversation_ids = list(
        Conversation.objects.select_for_update()
        .filter(pk__in=customer_conversation_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    locked_leads = list(
        Lead.objects.select_for_update()
        .filter(Q(pk__in=[lead.pk for lead in leads]) | Q(phone__in=phones))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return conversation_ids, locked_leads


def _cache_keys(conversation_ids: list[int]) -> list[str]:
    return [f"conv-state:{pk}" for pk in conversation_ids] + [
        f"llm-calls:{channel}:{external_id}"
        for channel, external_id in Conversation.objects.filter(
            pk__in=conversation_ids
        ).values_list("channel", "external_id")
    ]


def _deliveries_erase(
    *, phones: set[str], conversation_ids: list[int], run: RetentionRun, now: datetime
) -> None:
    """The number's WhatsApp messages both ways, their status callbacks and its contact.

    Messages not yet answered are dropped (opted out) and replies not yet sent suppressed first.
    """
    inbound = WhatsAppInbound.objects.filter(
        Q(phone__in=phones) | Q(conversation_id__in=conversation_ids)
    )
    inbound.filter(status=WhatsAppInbound.Status.RECEIVED).update(
        status=WhatsAppInbound.Status.OPTED_OUT, processed_at=now
    )
    _add(run, inbound_anonymise(list(inbound.values_list("pk", flat=True)), now=now))
    outbound = WhatsAppOutbound.objects.filter(
        Q(to_phone__in=phones) | Q(conversation_id__in=conversation_ids)
    )
    outbound.filter(status=WhatsAppOutbound.Status.PENDING).update(
        status=WhatsAppOutbound.Status.SUPPRESSED
    )
    outbound_ids = list(outbound.values_list("pk", flat=True))
    sids = list(
        WhatsAppOutbound.objects.filter(
            pk__in=outbound_ids, provider_sid__isnull=False
        ).values_list("provider_sid", flat=True)
    )
    _add(run, outbound_anonymise(outbound_ids, now=now))
    events = WhatsAppStatusEvent.objects.filter(provider_sid__in=sids)
    _add(run, status_events_delete(list(events.values_list("pk", flat=True))))
    contacts = list(WhatsAppContact.objects.filter(phone__in=phones).values_list("pk", flat=True))
    _add(run, contacts_anonymise(contacts))


def _customer_conversations(*, phones: set[str], leads: Iterable[Lead]) -> set[int]:
    leads = list(leads)
    ids = {lead.conversation_id for lead in leads if lead.conversation_id}
    for data in LeadEvent.objects.filter(
        lead__in=leads, kind=LeadEvent.Kind.CONVERSATION
    ).values_list("data", flat=True):
        ids |= {int(v) for k in ("from", "to") if str(v := (data or {}).get(k) or "").isdigit()}
    if phones:
        ids |= set(
            Conversation.objects.filter(
                channel__in=Conversation.Channel.values, external_id__in=phones
            ).values_list("pk", flat=True)
        )
        ids |= set(
            WhatsAppInbound.objects.filter(phone__in=phones, conversation_id__isnull=False)
            .values_list("conversation_id", flat=True)
            .distinct()
        )
    return ids


def _leads_close(lead_ids: list[int], *, actor: Any, now: datetime) -> None:
    """Open leads of an erased customer cannot be worked any more: lost, with the reason."""
    open_leads = list(
        Lead.objects.filter(pk__in=lead_ids)
        .exclude(status__in=Lead.CLOSED_STATUSES)
        .values_list("pk", "status")
    )
    if not open_leads:
        return
    Lead.objects.filter(pk__in=[pk for pk, _ in open_leads]).update(
        status=Lead.Status.LOST, lost_reason=ERASED_LOST_REASON, last_activity_at=now
    )
    LeadEvent.objects.bulk_create(
        LeadEvent(
            lead_id=pk,
            kind=LeadEvent.Kind.STATUS,
            author=actor,
            from_status=status,
            to_status=Lead.Status.LOST,
            created_at=now,
        )
        for pk, status in open_leads
    )
    Appointment.objects.filter(lead_id__in=lead_ids, status__in=Appointment.OPEN_STATUSES).update(
        status=Appointment.Status.CANCELLED
    )


def _cache_forget(keys: list[str]) -> None:
    """The state cache and the LLM call counter also name the customer (Redis, short-lived)."""
    try:
        cache.delete_many(keys)
    except Exception:  # the keys expire anyway (hours); the erasure itself is committed
        logger.warning("customer_erase_cache_unavailable keys=%s", len(keys), exc_info=True)
