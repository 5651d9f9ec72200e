"""Celery interfaces for leads: load ids, call the service (which is idempotent)."""

from __future__ import annotations

from celery import shared_task

from kavak.exceptions import TransientError


@shared_task(
    name="leads.lead_notify_sales",
    autoretry_for=(TransientError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
    acks_late=True,
)
def lead_notify_sales(lead_id: int, reason: str) -> bool:
    from leads.services import lead_notify_sales as service
    from leads.services import lead_notify_sales_whatsapp_schedule

    # The WhatsApp template is its own task: an email failure must not hold it back (and the
    # reverse); scheduling it again on an email retry is harmless, it sends once.
    lead_notify_sales_whatsapp_schedule(lead_id=lead_id, reason=reason)
    return service(lead_id=lead_id, reason=reason)


@shared_task(
    name="leads.lead_notify_sales_whatsapp",
    autoretry_for=(TransientError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=8,
    acks_late=True,
)
def lead_notify_sales_whatsapp(lead_id: int, reason: str) -> bool:
    from leads.services import lead_notify_sales_whatsapp as service

    return service(lead_id=lead_id, reason=reason)


@shared_task(name="leads.lead_notify_sweep", acks_late=True)
def lead_notify_sweep(older_than_s: float = 120.0) -> int:
    """Beat: enqueue again the sales notifications that never went out (broker outages)."""
    from leads.services import lead_notify_pending

    pending = lead_notify_pending(older_than_s=older_than_s)
    for lead_id, reason in pending:
        lead_notify_sales.delay(lead_id, reason)
    return len(pending)
