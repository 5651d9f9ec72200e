"""Two queues: the WhatsApp turn (which may wait on the model) on ``turns``, everything else on
``messages``, so a send or a lead notification never waits behind a model call."""

from __future__ import annotations

import pytest
from django.conf import settings

from kavak.celery import app


def _queue(task: str) -> str:
    return app.amqp.router.route({}, task)["queue"].name


def test_the_whatsapp_turn_goes_to_the_turns_queue() -> None:
    assert _queue("channels.inbound_message_process") == settings.CELERY_TURN_QUEUE
    assert settings.CELERY_TURN_QUEUE != settings.CELERY_TASK_DEFAULT_QUEUE


@pytest.mark.parametrize(
    "task",
    [
        "channels.outbound_group_send",
        "channels.whatsapp_pending_sweep",
        "leads.lead_notify_sales",
        "leads.lead_notify_sales_whatsapp",
        "leads.lead_notify_sweep",
        "backoffice.handoff_sla_sweep",
        "kavak.ping",
    ],
)
def test_sends_notifications_and_sweeps_go_to_the_messages_queue(task: str) -> None:
    app.loader.import_default_modules()
    assert task in app.tasks
    assert _queue(task) == settings.CELERY_TASK_DEFAULT_QUEUE


def test_every_task_lands_on_one_of_the_two_queues_the_workers_consume() -> None:
    app.loader.import_default_modules()
    ours = [name for name in app.tasks if not name.startswith("celery.")]
    assert len(ours) >= 8
    queues = {settings.CELERY_TURN_QUEUE, settings.CELERY_TASK_DEFAULT_QUEUE}
    assert {_queue(name) for name in ours} <= queues
