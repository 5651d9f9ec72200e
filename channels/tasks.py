"""Celery interfaces of the WhatsApp channel: load ids, call one service, retry what is transient.

Every task is idempotent (the services check status under locks), so at-least-once delivery
(acks late, redelivery after a lost worker) never runs a turn or sends a part twice.
"""

from __future__ import annotations

import logging
import random
from typing import Any

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from kavak.exceptions import TransientError

logger = logging.getLogger(__name__)

_MAX_RETRIES = 30
# Stay below the broker's visibility timeout: a countdown longer than it gets redelivered.
_MAX_COUNTDOWN_S = 60.0


def _retry(task: Task, exc: Exception) -> Exception:
    """Retry after the service's hint (``SendLater.countdown``), growing with each retry so waits
    for an earlier message or for Twilio cannot use up the retries within seconds."""
    backoff = 0.25 * 2 ** min(task.request.retries, 8) + random.uniform(0, 0.25)  # noqa: S311
    countdown = max(float(getattr(exc, "countdown", 0.0) or 0.0), backoff)
    retry: Exception = task.retry(exc=exc, countdown=min(countdown, _MAX_COUNTDOWN_S))
    return retry


class _InboundTask(Task):
    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        from channels.models import WhatsAppInbound
        from channels.services import inbound_message_fail, outbound_group_abandon

        inbound_id = args[0] if args else kwargs.get("inbound_id")
        reason = f"{type(exc).__name__}: {exc}"
        inbound_message_fail(inbound_id=inbound_id, reason=reason)
        group = (
            WhatsAppInbound.objects.filter(pk=inbound_id)
            .values_list("reply_group", flat=True)
            .first()
        )
        if group:
            outbound_group_abandon(group=group, reason=f"reintentos agotados: {reason}")


class _GroupTask(Task):
    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        from channels.services import outbound_group_abandon

        group = args[0] if args else kwargs.get("group", "")
        if group:
            outbound_group_abandon(group=group, reason=f"reintentos agotados: {exc}")


@shared_task(
    bind=True,
    base=_InboundTask,
    name="channels.inbound_message_process",
    max_retries=_MAX_RETRIES,
    acks_late=True,
)
def inbound_message_process(self: Task, inbound_id: int) -> str:
    from channels.services import inbound_message_process as service

    try:
        return service(inbound_id=inbound_id)
    except (TransientError, OperationalError, InterfaceError) as exc:
        raise _retry(self, exc) from exc


@shared_task(
    bind=True,
    base=_GroupTask,
    name="channels.outbound_group_send",
    max_retries=_MAX_RETRIES,
    acks_late=True,
)
def outbound_group_send(self: Task, group: str) -> int:
    from channels.services import outbound_group_send as service

    try:
        return service(group=group)
    except (TransientError, OperationalError, InterfaceError) as exc:
        raise _retry(self, exc) from exc


@shared_task(name="channels.whatsapp_pending_sweep", acks_late=True)
def whatsapp_pending_sweep(older_than_s: int | None = None) -> int:
    """Run by Celery beat (``CELERY_BEAT_SCHEDULE``): the safety net for lost enqueues."""
    from django.conf import settings

    from channels.services import whatsapp_pending_sweep as service

    return service(older_than_s=older_than_s or settings.WHATSAPP_SWEEP_AFTER_S)
