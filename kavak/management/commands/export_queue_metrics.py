"""Publish Celery queue depth/age and WhatsApp inbound-to-send p95 to CloudWatch (EMF on stdout).

Runs next to Celery beat in the beat task (one per environment): ``--interval 60`` loops until the
task stops; ``--once`` publishes a single time. A failed round is logged and the next one tried.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kavak.queue_metrics import (
    EmfStdoutSink,
    QueueInspector,
    celery_queue_names,
    queue_metrics_export,
)

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Publish the Celery queue and WhatsApp latency metrics (CloudWatch EMF on stdout)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between rounds")
        parser.add_argument("--once", action="store_true", help="publish once and exit")
        parser.add_argument("--namespace", default="", help="[QUEUE_METRICS_NAMESPACE]")

    def handle(self, *args: Any, **options: Any) -> None:
        from kavak.celery import app

        namespace = options["namespace"] or settings.QUEUE_METRICS_NAMESPACE
        if not namespace:
            raise CommandError("QUEUE_METRICS_NAMESPACE (or --namespace) is required.")
        if options["interval"] < 10:
            raise CommandError("--interval must be at least 10 seconds.")
        sink = EmfStdoutSink(namespace=namespace, stream=self.stdout)
        inspector = QueueInspector(app=app)
        queues = celery_queue_names(app)
        logger.info("queue_metrics_started namespace=%s queues=%s", namespace, ",".join(queues))
        while True:
            started = time.monotonic()
            try:
                queue_metrics_export(
                    inspector=inspector, queues=queues, sink=sink, now=timezone.now()
                )
            except Exception:
                if options["once"]:
                    raise
                logger.exception("queue_metrics_failed")
            if options["once"]:
                return
            time.sleep(max(0.0, options["interval"] - (time.monotonic() - started)))
