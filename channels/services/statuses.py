"""Delivery statuses of what we sent: the provider's callbacks move a message forward, never back.

Callbacks arrive out of order and may beat the send's own answer; every one is kept for the
transcript. A status that echoes the key of a part whose send answer was lost (Meta) settles that
part, so it is never resent.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from channels.messages import StatusUpdate
from channels.models import WhatsAppOutbound, WhatsAppStatusEvent
from kavak import metrics

logger = logging.getLogger(__name__)

Status = WhatsAppOutbound.Status

# Twilio's message statuses → ours, and how far along each is (callbacks arrive out of order).
_PROVIDER_STATUS = {
    "accepted": Status.QUEUED,
    "scheduled": Status.QUEUED,
    "queued": Status.QUEUED,
    "sending": Status.QUEUED,
    "sent": Status.SENT,
    "delivered": Status.DELIVERED,
    "read": Status.READ,
    "undelivered": Status.UNDELIVERED,
    "failed": Status.FAILED,
    "canceled": Status.FAILED,
}
_RANK: dict[str, int] = {
    Status.PENDING: 0,
    Status.IN_FLIGHT: 0,
    Status.UNKNOWN: 0,
    Status.QUEUED: 1,
    Status.SENT: 2,
    Status.DELIVERED: 3,
    Status.READ: 4,
    Status.UNDELIVERED: 5,
    Status.FAILED: 5,
}


def _apply_status(*, sid: str, status: str, error_code: str, now: datetime) -> int:
    """Move a sent message forward (never back: callbacks arrive out of order)."""
    rank = _RANK[status]
    lower = [s for s, r in _RANK.items() if r < rank]
    fields: dict[str, Any] = {"status": status}
    if status in (Status.DELIVERED, Status.READ):
        fields["delivered_at"] = Coalesce(F("delivered_at"), now)
    if status == Status.READ:
        fields["read_at"] = now
    if status in (Status.FAILED, Status.UNDELIVERED):
        fields["error_code"] = error_code
    return WhatsAppOutbound.objects.filter(provider_sid=sid, status__in=lower).update(**fields)


def outbound_mark_accepted(
    *, row: WhatsAppOutbound, sid: str, provider_status: str, now: datetime
) -> None:
    status = _PROVIDER_STATUS.get(provider_status, Status.QUEUED)
    WhatsAppOutbound.objects.filter(
        pk=row.pk, status__in=[Status.IN_FLIGHT, Status.UNKNOWN, Status.PENDING]
    ).update(status=status, provider_sid=sid, sent_at=now, error_code="", last_error="")
    # Status callbacks that beat us to it (Twilio may call back before its API answer arrives).
    for event in WhatsAppStatusEvent.objects.filter(provider_sid=sid).order_by("received_at"):
        mapped = _PROVIDER_STATUS.get(event.status)
        if mapped:
            _apply_status(
                sid=sid, status=mapped, error_code=event.error_code, now=event.received_at
            )


def outbound_status_record(*, update: StatusUpdate, now: datetime | None = None) -> bool:
    """Record a status callback and move the message forward (queued → … → read / failed).

    Every callback is kept (the transcript shows it even when it beat the send's own answer).
    Returns True when a message we sent changed status.
    """
    now = now or timezone.now()
    WhatsAppStatusEvent.objects.create(
        provider_sid=update.provider_sid,
        status=update.status,
        error_code=update.error_code[:16],
        payload=update.payload,
        callback_key=update.callback_key[:120],
        received_at=now,
    )
    mapped = _PROVIDER_STATUS.get(update.status)
    if mapped is None:
        return False
    metrics.OUTBOUND_STATUS_TOTAL.labels(status=str(mapped)).inc()
    changed = _apply_status(
        sid=update.provider_sid, status=mapped, error_code=update.error_code[:16], now=now
    )
    if not changed and update.callback_key:
        changed = _status_claims_unconfirmed(update=update, now=now)
    if mapped in (Status.FAILED, Status.UNDELIVERED):
        logger.warning(
            "whatsapp_delivery_failed message_sid=%s status=%s error_code=%s",
            update.provider_sid,
            update.status,
            update.error_code,
        )
    return bool(changed)


def _status_claims_unconfirmed(*, update: StatusUpdate, now: datetime) -> int:
    """A status for a message id we never saw, echoing the key of a part whose send answer was
    lost (Meta): the provider accepted that part, so it gets the id and is never resent."""
    row = WhatsAppOutbound.objects.filter(
        idempotency_key=update.callback_key,
        provider_sid__isnull=True,
        status__in=[Status.IN_FLIGHT, Status.UNKNOWN],
    ).first()
    if row is None or WhatsAppOutbound.objects.filter(provider_sid=update.provider_sid).exists():
        return 0
    try:
        with transaction.atomic():
            outbound_mark_accepted(
                row=row, sid=update.provider_sid, provider_status="accepted", now=now
            )
    except IntegrityError:
        return 0
    logger.warning("whatsapp_send_reconciled outcome=status_webhook outbound_id=%s", row.pk)
    return 1
