"""The nightly retention task in a real Celery worker: settings from its environment, and a run
that runs out of time continues in a new task until everything expired is anonymised."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from backoffice.tasks import retention_anonymise as retention_anonymise_task
from conversations.models import Conversation
from leads.models import DataErasure
from tests.support.backoffice import make_conversation


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_task_anonymises_in_a_worker_and_continues_when_out_of_time(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.setenv("RETENTION_TRANSCRIPT_DAYS", "30")
    monkeypatch.setenv("RETENTION_BATCH_SIZE", "10")
    request.getfixturevalue("celery_worker_process")
    old = timezone.now() - timedelta(days=40)
    expired = [
        make_conversation(turns=[("soy Luis", "need", {})], started_at=old) for _ in range(3)
    ]
    recent = make_conversation(turns=[("soy Ana", "need", {})])

    # No time at all: the first task does nothing and enqueues the next one, which finishes.
    retention_anonymise_task.delay(time_budget_s=0)

    deadline = time.monotonic() + 30
    while Conversation.objects.filter(
        pk__in=[c.pk for c in expired], anonymized_at__isnull=True
    ).exists():
        assert time.monotonic() < deadline, "the worker did not anonymise the expired rows"
        time.sleep(0.2)
    assert Conversation.objects.get(pk=recent.pk).anonymized_at is None
    entry = DataErasure.objects.get()
    assert entry.kind == DataErasure.Kind.RETENTION
    assert entry.rows["conversations.conversation"] == 3
