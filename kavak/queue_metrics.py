"""Queue and WhatsApp latency metrics for CloudWatch, published by the beat task (issue 21).

What the alarms need and the app's Prometheus metrics cannot give from inside a worker: how many
Celery messages wait in the broker, how old the oldest one is (a stuck or missing worker pool is
exactly when no worker can report it), and the p95 from a customer's WhatsApp message to our reply
leaving for Twilio. ``export_queue_metrics`` (a management command next to Celery beat, one per
environment) reads them every minute and writes them through a ``MetricsSink``.

The production sink writes CloudWatch *embedded metric format* lines to stdout: the awslogs driver
ships them to CloudWatch Logs, which extracts the metrics. No AWS API call, no IAM permission, no
SDK; tests collect the data instead.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from io import TextIOBase
from typing import Any, Protocol, TextIO

logger = logging.getLogger(__name__)

# Header every task message carries from publication (kavak/celery.py); the exporter reads it on the
# oldest waiting message.
PUBLISHED_AT_HEADER = "kavak_published_at"
# Beyond this many recent replies the p95 is computed on the most recent ones (bounded query cost).
INBOUND_TO_SEND_SAMPLE = 5000


@dataclass(frozen=True)
class MetricDatum:
    name: str
    value: float
    unit: str  # CloudWatch unit: "Count", "Seconds", …
    dimensions: Mapping[str, str] = field(default_factory=dict)


class MetricsSink(Protocol):
    """Where metrics go: CloudWatch (EMF lines on stdout) in production, a list in tests."""

    def publish(self, data: Sequence[MetricDatum], *, timestamp: datetime) -> None: ...


def emf_documents(
    *, namespace: str, data: Sequence[MetricDatum], timestamp: datetime
) -> list[dict[str, Any]]:
    """One embedded-metric-format document per dimension set (CloudWatch's documented schema).

    The metric values and the dimension values are root members of the document; ``_aws``
    declares which members are metrics, their units and the dimension keys.
    """
    groups: dict[tuple[tuple[str, str], ...], list[MetricDatum]] = {}
    for datum in data:
        groups.setdefault(tuple(sorted(datum.dimensions.items())), []).append(datum)
    documents = []
    for dims, items in groups.items():
        document: dict[str, Any] = {
            "_aws": {
                "Timestamp": int(timestamp.timestamp() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": namespace,
                        "Dimensions": [[key for key, _ in dims]],
                        "Metrics": [{"Name": d.name, "Unit": d.unit} for d in items],
                    }
                ],
            },
            **dict(dims),
        }
        for datum in items:
            document[datum.name] = datum.value
        documents.append(document)
    return documents


class EmfStdoutSink:
    """Writes EMF documents as single lines on a stream (stdout: the container's log)."""

    def __init__(self, *, namespace: str, stream: TextIO | TextIOBase | None = None) -> None:
        self.namespace = namespace
        self.stream: TextIO | TextIOBase = stream or sys.stdout

    def publish(self, data: Sequence[MetricDatum], *, timestamp: datetime) -> None:
        for document in emf_documents(namespace=self.namespace, data=data, timestamp=timestamp):
            self.stream.write(json.dumps(document, separators=(",", ":")) + "\n")
        self.stream.flush()


# --- Celery queues --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueStat:
    queue: str
    depth: int
    oldest_age_s: float


def celery_queue_names(app: Any) -> list[str]:
    """The default queue plus every queue declared or routed to in the Celery configuration."""
    names = {app.conf.task_default_queue}
    for queue in app.conf.task_queues or ():
        names.add(getattr(queue, "name", queue))
    routes = app.conf.task_routes or {}
    if isinstance(routes, Mapping):
        for route in routes.values():
            if isinstance(route, Mapping) and route.get("queue"):
                names.add(str(getattr(route["queue"], "name", route["queue"])))
    return sorted(names)


class QueueInspector:
    """Depth and oldest-message age of the Redis broker's queues.

    kombu's Redis transport keeps a queue as one list per priority step (LPUSH on publish, BRPOP
    from the right): the right end of the lists holds the oldest message. Messages published
    without ``PUBLISHED_AT_HEADER`` (by code older than this exporter) are aged from the first
    time this inspector saw them at the tail.
    """

    def __init__(self, *, app: Any) -> None:
        self.app = app
        self._first_seen: dict[str, float] = {}

    def stats(self, *, queues: Iterable[str], now: float) -> list[QueueStat]:
        results = []
        seen_tags = set()
        with self.app.connection_for_read() as connection:
            channel = connection.default_channel
            client = channel.client
            for queue in queues:
                lists = [channel._q_for_pri(queue, pri) for pri in channel.priority_steps]
                lists = list(dict.fromkeys(lists))
                pipe = client.pipeline()
                for name in lists:
                    pipe.llen(name)
                    pipe.lindex(name, -1)
                replies = pipe.execute()
                depth = sum(int(n or 0) for n in replies[0::2])
                ages = []
                for raw in replies[1::2]:
                    if raw is None:
                        continue
                    age, tag = self._age(raw, now=now)
                    if tag:
                        seen_tags.add(tag)
                    ages.append(age)
                results.append(
                    QueueStat(queue=queue, depth=depth, oldest_age_s=max(ages, default=0.0))
                )
        for tag in set(self._first_seen) - seen_tags:
            del self._first_seen[tag]
        return results

    def _age(self, raw: bytes | str, *, now: float) -> tuple[float, str]:
        try:
            message = json.loads(raw)
        except ValueError:
            return 0.0, ""
        published = (message.get("headers") or {}).get(PUBLISHED_AT_HEADER)
        tag = str((message.get("properties") or {}).get("delivery_tag") or "")
        if isinstance(published, int | float):
            return max(0.0, now - float(published)), tag
        if not tag:
            return 0.0, ""
        first = self._first_seen.setdefault(tag, now)
        return now - first, tag


# --- WhatsApp inbound-to-send ---------------------------------------------------------------------


def whatsapp_inbound_to_send_p95(*, since: datetime) -> tuple[float | None, int]:
    """p95 seconds from a customer's (first) message of a turn to our reply leaving, and the count.

    Reads the first part of every reply accepted by Twilio since ``since``: its ``sent_at`` minus
    the earliest ``received_at`` of the inbound messages of the same turn (a burst answered as one
    turn is timed from its first message: that is how long the customer waited). PostgreSQL only.
    """
    from django.apps import apps
    from django.db import connection

    if connection.vendor != "postgresql":
        return None, 0
    outbound = apps.get_model("channels", "WhatsAppOutbound")._meta.db_table
    inbound = apps.get_model("channels", "WhatsAppInbound")._meta.db_table
    sql = f"""
        WITH recent AS (
            SELECT turn_id, sent_at FROM {outbound}
            WHERE kind = 'reply' AND seq = 0 AND turn_id <> '' AND sent_at IS NOT NULL
            ORDER BY id DESC LIMIT %(sample)s
        ), waited AS (
            SELECT EXTRACT(EPOCH FROM (r.sent_at - MIN(i.received_at))) AS seconds
            FROM recent r JOIN {inbound} i ON i.turn_id = r.turn_id
            WHERE r.sent_at >= %(since)s AND i.received_at >= %(since)s - interval '1 hour'
            GROUP BY r.turn_id, r.sent_at
        )
        SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY seconds), COUNT(*) FROM waited
    """  # noqa: S608  # nosec B608 - table names come from the models, every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, {"sample": INBOUND_TO_SEND_SAMPLE, "since": since})
        p95, count = cursor.fetchone()
    return (float(p95) if p95 is not None else None), int(count)


# --- one export -----------------------------------------------------------------------------------


def queue_metrics_collect(
    *, inspector: QueueInspector, queues: Sequence[str], now: datetime, window_s: float = 300.0
) -> list[MetricDatum]:
    """Everything one export publishes, as data (the command writes it through a sink)."""
    data: list[MetricDatum] = []
    for stat in inspector.stats(queues=queues, now=now.timestamp()):
        dims = {"Queue": stat.queue}
        data.append(MetricDatum("QueueDepth", float(stat.depth), "Count", dims))
        data.append(
            MetricDatum("OldestMessageAgeSeconds", round(stat.oldest_age_s, 3), "Seconds", dims)
        )
    p95, count = whatsapp_inbound_to_send_p95(since=now - timedelta(seconds=window_s))
    data.append(MetricDatum("WhatsAppRepliesSent", float(count), "Count"))
    if p95 is not None:
        data.append(MetricDatum("WhatsAppInboundToSendP95Seconds", round(p95, 3), "Seconds"))
    return data


def queue_metrics_export(
    *, inspector: QueueInspector, queues: Sequence[str], sink: MetricsSink, now: datetime
) -> list[MetricDatum]:
    """Collect and publish once; returns what was published."""
    started = time.perf_counter()
    data = queue_metrics_collect(inspector=inspector, queues=queues, now=now)
    sink.publish(data, timestamp=now)
    logger.debug(
        "queue_metrics_exported metrics=%s ms=%.1f",
        len(data),
        (time.perf_counter() - started) * 1000,
    )
    return data
