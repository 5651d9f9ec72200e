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

    return service(lead_id=lead_id, reason=reason)
