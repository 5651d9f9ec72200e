"""A trivial task goes through the real broker (Redis) to a real worker process and back."""

from __future__ import annotations

import pytest
from django.conf import settings

from kavak.tasks import ping as ping_task


@pytest.mark.worker
def test_ping_runs_in_a_real_worker_process_when_enqueued(celery_worker_process: None) -> None:
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    result = ping_task.delay("hola")
    assert result.get(timeout=30) == "pong:hola"
    assert result.successful()
