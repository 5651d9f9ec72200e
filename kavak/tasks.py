"""Operational tasks. ``ping`` proves a real worker consumes from the configured broker."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="kavak.ping")
def ping(value: str) -> str:
    """Echo ``value`` back from the worker process (used by tests and smoke checks)."""
    logger.info("ping value=%s", value)
    return f"pong:{value}"


@shared_task(name="backoffice.handoff_sla_sweep", ignore_result=True, time_limit=50)
def handoff_sla_sweep() -> int:
    """Celery beat, every minute: the honest message of handoffs nobody answered in time."""
    from kavak.backoffice.handoff import handoff_sla_sweep as sweep

    return sweep()


# One task's worth of work; a longer backlog continues in a new task (no task time limit hit).
RETENTION_TASK_BUDGET_S = 40.0


@shared_task(name="kavak.retention_anonymise", bind=True, ignore_result=True, time_limit=55)
def retention_anonymise(
    self: Any, time_budget_s: float = RETENTION_TASK_BUDGET_S
) -> dict[str, int]:
    """Celery beat, nightly: anonymise personal data past the RETENTION_* limits.

    Work left when the budget is spent continues in a fresh task (idempotent batches)."""
    from django.utils import timezone

    from kavak.retention import retention_anonymise_expired

    run = retention_anonymise_expired(now=timezone.now(), time_budget_s=time_budget_s)
    if not run.finished:
        self.apply_async()
    return run.rows
