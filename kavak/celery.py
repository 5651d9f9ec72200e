"""The Celery application: configured from Django settings (``CELERY_*``), tasks autodiscovered.

Logging goes through Django's LOGGING (JSON, masked phones) instead of Celery's own set-up, and the
request id of the request that enqueued a task follows it to the worker.
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import Any

from celery import Celery, signals

from kavak.broker import patch_redis_channel, reuse_redis_channel_client

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kavak.settings.local")
# Workers must survive a Redis restart or failover (kavak/broker.py explains the kombu bug).
patch_redis_channel()
# One Redis client per channel, not one per publish (a third of a .delay()'s CPU).
reuse_redis_channel_client()

app = Celery("kavak")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_TOKENS: dict[str, Any] = {}


@signals.setup_logging.connect
def _use_django_logging(**_: Any) -> None:
    """Stop Celery from installing its own handlers; Django's LOGGING config is already active."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.before_task_publish.connect
def _propagate_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    from kavak.logging import current_context
    from kavak.queue_metrics import PUBLISHED_AT_HEADER

    if headers is not None:
        request_id = current_context().get("request_id")
        if request_id:
            headers["kavak_request_id"] = request_id
        # Read back by the queue-metrics exporter on the oldest waiting message (its age). A
        # retry republishes the task: its age counts from the retry, as it should.
        headers[PUBLISHED_AT_HEADER] = time.time()


_STARTED: dict[str, float] = {}


@signals.task_prerun.connect
def _bind_task_context(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    from kavak.logging import bind_context

    request_id = getattr(getattr(task, "request", None), "kavak_request_id", None)
    if task_id:
        _TOKENS[task_id] = bind_context(task_id=task_id, request_id=request_id)
        _STARTED[task_id] = time.perf_counter()


@signals.task_postrun.connect
def _observe_task(task_id: str | None = None, task: Any = None, state: str = "", **_: Any) -> None:
    from kavak import metrics

    started = _STARTED.pop(task_id or "", None)
    name = getattr(task, "name", "unknown")
    if started is not None:
        metrics.CELERY_TASK_SECONDS.labels(task=name).observe(time.perf_counter() - started)
    metrics.CELERY_TASK_EVENTS_TOTAL.labels(task=name, event=(state or "unknown").lower()).inc()


@signals.task_retry.connect
def _count_retry(sender: Any = None, **_: Any) -> None:
    from kavak import metrics

    metrics.CELERY_TASK_EVENTS_TOTAL.labels(
        task=getattr(sender, "name", "unknown"), event="retry"
    ).inc()


@signals.worker_ready.connect
def _serve_worker_metrics(**_: Any) -> None:
    """Workers run in their own containers: they expose their metrics on a port of their own."""
    from django.conf import settings

    if settings.CELERY_METRICS_PORT:
        worker_metrics_serve(port=settings.CELERY_METRICS_PORT, bind=settings.CELERY_METRICS_BIND)


def worker_metrics_serve(*, port: int, bind: str) -> Any:
    """Serve this worker's Prometheus samples on ``bind:port`` (``CELERY_METRICS_BIND``, loopback
    by default: the collector sidecar scrapes over localhost). Returns the HTTP server."""
    from prometheus_client import CollectorRegistry, start_http_server

    registry = None
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    if registry is None:
        server, _thread = start_http_server(port, addr=bind)
    else:
        server, _thread = start_http_server(port, addr=bind, registry=registry)
    return server


@signals.task_postrun.connect
def _unbind_task_context(task_id: str | None = None, **_: Any) -> None:
    from kavak.logging import reset_context

    token = _TOKENS.pop(task_id or "", None)
    if token is not None:
        # A token created in another context (eager mode inside a request) cannot be reset here.
        with contextlib.suppress(ValueError):
            reset_context(token)
