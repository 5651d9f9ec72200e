"""Back-office beat tasks: the handoff SLA sweep and the nightly retention run."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="backoffice.handoff_sla_sweep", ignore_result=True, time_limit=50)
def handoff_sla_sweep() -> int:
    """Celery beat, every minute: the honest message of handoffs nobody answered in time."""
    from backoffice.handoff import handoff_sla_sweep as sweep

    return sweep()


# One task's worth of work; a longer backlog continues in a new task (no task time limit hit).
RETENTION_TASK_BUDGET_S = 40.0


# The registered name stays "kavak.retention_anonymise": it is on the wire (beat schedule, queued
# messages during a deploy), so renaming it would strand a queued run.
@shared_task(name="kavak.retention_anonymise", bind=True, ignore_result=True, time_limit=55)
def retention_anonymise(
    self: Any, time_budget_s: float = RETENTION_TASK_BUDGET_S
) -> dict[str, int]:
    """Celery beat, nightly: anonymise personal data past the RETENTION_* limits.

    Work left when the budget is spent continues in a fresh task (idempotent batches)."""
    from django.utils import timezone

    from backoffice.retention import retention_anonymise_expired

    run = retention_anonymise_expired(now=timezone.now(), time_budget_s=time_budget_s)
    if not run.finished:
        self.apply_async()
    return run.rows
