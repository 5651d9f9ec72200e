"""The queue-metrics exporter against the real Redis broker and PostgreSQL of the test settings.

Metrics go through a collecting sink (no AWS call); the production sink's embedded-metric-format
lines are checked against CloudWatch's documented schema.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from channels.models import WhatsAppInbound, WhatsAppOutbound
from kavak.celery import app
from kavak.queue_metrics import (
    PUBLISHED_AT_HEADER,
    EmfStdoutSink,
    MetricDatum,
    QueueInspector,
    celery_queue_names,
    emf_documents,
    queue_metrics_export,
    whatsapp_inbound_to_send_p95,
)


class CollectingSink:
    """Keeps what was published, per round (the test double of ``MetricsSink``)."""

    def __init__(self) -> None:
        self.rounds: list[tuple[datetime, list[MetricDatum]]] = []

    def publish(self, data: Sequence[MetricDatum], *, timestamp: datetime) -> None:
        self.rounds.append((timestamp, list(data)))

    def value(self, name: str, **dimensions: str) -> float:
        [datum] = [d for d in self.rounds[-1][1] if d.name == name and d.dimensions == dimensions]
        return datum.value


@pytest.fixture
def queue() -> Iterator[str]:
    """A queue of this test alone on the real broker, emptied afterwards."""
    name = f"qm-test-{uuid.uuid4().hex[:8]}"
    yield name
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        client = channel.client
        client.delete(*{channel._q_for_pri(name, pri) for pri in channel.priority_steps})


def _publish(queue: str, count: int, **options: object) -> None:
    for n in range(count):
        app.send_task("kavak.ping", args=[f"m{n}"], queue=queue, **options)


def test_depth_and_oldest_age_of_a_real_redis_queue(queue: str) -> None:
    inspector = QueueInspector(app=app)
    [empty] = inspector.stats(queues=[queue], now=time.time())
    assert (empty.depth, empty.oldest_age_s) == (0, 0.0)

    before = time.time()
    _publish(queue, 3)
    _publish(queue, 1, priority=9)  # kombu keeps another list per priority step
    [stat] = inspector.stats(queues=[queue], now=before + 100)
    assert stat.depth == 4
    # The oldest message was published right after `before`: about 100 s old at before + 100.
    assert 99.0 <= stat.oldest_age_s <= 100.0


def test_the_age_comes_from_the_header_every_published_task_carries(queue: str) -> None:
    _publish(queue, 1)
    with app.connection_for_read() as connection:
        raw = connection.default_channel.client.lindex(queue, -1)
    published = json.loads(raw)["headers"][PUBLISHED_AT_HEADER]
    assert abs(published - time.time()) < 5


def test_messages_without_the_header_are_aged_from_when_the_exporter_first_saw_them(
    queue: str,
) -> None:
    with app.connection_for_write() as connection:
        connection.default_channel.client.lpush(
            queue, json.dumps({"headers": {}, "properties": {"delivery_tag": "legacy-1"}})
        )
    inspector = QueueInspector(app=app)
    assert inspector.stats(queues=[queue], now=1000.0)[0].oldest_age_s == 0.0
    assert inspector.stats(queues=[queue], now=1060.0)[0].oldest_age_s == 60.0


def test_queue_names_follow_the_celery_configuration() -> None:
    # The product's two queues: the default (messages) and the turns route.
    assert celery_queue_names(app) == sorted(
        {app.conf.task_default_queue, settings.CELERY_TURN_QUEUE}
    )
    routes = {"channels.*": {"queue": "whatsapp"}, "leads.x": {"queue": "notify"}}
    with _conf(app, task_routes=routes):
        assert celery_queue_names(app) == sorted(
            {app.conf.task_default_queue, "whatsapp", "notify"}
        )


class _conf:
    def __init__(self, celery_app: object, **values: object) -> None:
        self.conf, self.values, self.old = celery_app.conf, values, {}  # type: ignore[attr-defined]

    def __enter__(self) -> None:
        for key, value in self.values.items():
            self.old[key] = self.conf[key]
            self.conf[key] = value

    def __exit__(self, *_: object) -> None:
        for key, value in self.old.items():
            self.conf[key] = value


# --- WhatsApp inbound-to-send -----------------------------------------------------------------


def _turn(turn: str, *, received: datetime, sent: datetime, extra_inbound_after: float = 0) -> None:
    for n, at in enumerate([received, received + timedelta(seconds=extra_inbound_after)]):
        if n and not extra_inbound_after:
            break
        WhatsAppInbound.objects.create(
            message_sid=f"SM{uuid.uuid4().hex}",
            from_address="whatsapp:+5215512345678",
            to_address="whatsapp:+5215500000000",
            phone="+5215512345678",
            turn_id=turn,
            received_at=at,
        )
    for seq in (0, 1):
        WhatsAppOutbound.objects.create(
            idempotency_key=f"{turn}:{seq}",
            group=turn,
            seq=seq,
            kind=WhatsAppOutbound.Kind.REPLY,
            to_address="whatsapp:+5215512345678",
            from_address="whatsapp:+5215500000000",
            to_phone="+5215512345678",
            turn_id=turn,
            sent_at=sent + timedelta(seconds=5 * seq),
        )


@pytest.mark.django_db
def test_inbound_to_send_p95_times_each_turn_from_its_first_message() -> None:
    now = timezone.now()
    for n in range(19):
        _turn(f"t{n}", received=now - timedelta(seconds=60), sent=now - timedelta(seconds=59))
    # A burst answered as one turn: timed from its first message (the customer waited 30 s).
    _turn("slow", received=now - timedelta(seconds=90), sent=now - timedelta(seconds=60),
          extra_inbound_after=20)  # fmt: skip
    # Sent before the window: not counted.
    _turn("old", received=now - timedelta(hours=1), sent=now - timedelta(minutes=50))
    p95, count = whatsapp_inbound_to_send_p95(since=now - timedelta(minutes=5))
    assert count == 20
    # 19 turns of 1 s and one of 30 s: PostgreSQL's percentile_cont interpolates at position
    # 0.95 * (20 - 1) = 18.05 of the sorted values, 5 % of the way from 1 s to 30 s.
    assert p95 == pytest.approx(1 + 0.05 * 29, rel=1e-6)
    assert whatsapp_inbound_to_send_p95(since=now) == (None, 0)


@pytest.mark.django_db
def test_one_export_publishes_every_metric_through_the_sink(queue: str) -> None:
    now = timezone.now()
    _turn("t1", received=now - timedelta(seconds=3), sent=now - timedelta(seconds=1))
    _publish(queue, 2)
    sink = CollectingSink()
    queue_metrics_export(
        inspector=QueueInspector(app=app),
        queues=[queue],
        sink=sink,
        now=now + timedelta(seconds=30),
    )
    assert sink.value("QueueDepth", Queue=queue) == 2
    assert 29 <= sink.value("OldestMessageAgeSeconds", Queue=queue) <= 31
    assert sink.value("WhatsAppRepliesSent") == 1
    assert sink.value("WhatsAppInboundToSendP95Seconds") == pytest.approx(2.0)


# --- embedded metric format -------------------------------------------------------------------


def test_emf_documents_follow_cloudwatch_schema() -> None:
    at = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    data = [
        MetricDatum("QueueDepth", 3.0, "Count", {"Queue": "celery"}),
        MetricDatum("OldestMessageAgeSeconds", 12.5, "Seconds", {"Queue": "celery"}),
        MetricDatum("WhatsAppRepliesSent", 7.0, "Count"),
    ]
    documents = emf_documents(namespace="Kavak/kavak-test", data=data, timestamp=at)
    assert documents == [
        {
            "_aws": {
                "Timestamp": int(at.timestamp() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": "Kavak/kavak-test",
                        "Dimensions": [["Queue"]],
                        "Metrics": [
                            {"Name": "QueueDepth", "Unit": "Count"},
                            {"Name": "OldestMessageAgeSeconds", "Unit": "Seconds"},
                        ],
                    }
                ],
            },
            "Queue": "celery",
            "QueueDepth": 3.0,
            "OldestMessageAgeSeconds": 12.5,
        },
        {
            "_aws": {
                "Timestamp": int(at.timestamp() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": "Kavak/kavak-test",
                        "Dimensions": [[]],
                        "Metrics": [{"Name": "WhatsAppRepliesSent", "Unit": "Count"}],
                    }
                ],
            },
            "WhatsAppRepliesSent": 7.0,
        },
    ]
    stream = io.StringIO()
    EmfStdoutSink(namespace="Kavak/kavak-test", stream=stream).publish(data, timestamp=at)
    lines = stream.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == documents  # one JSON object per line


@pytest.mark.django_db
def test_the_command_publishes_once_as_emf_lines_and_requires_a_namespace() -> None:
    out = io.StringIO()
    call_command("export_queue_metrics", "--once", "--namespace", "Kavak/kavak-test", stdout=out)
    documents = [json.loads(line) for line in out.getvalue().splitlines()]
    names = {m["Name"] for d in documents for m in d["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert {"QueueDepth", "OldestMessageAgeSeconds", "WhatsAppRepliesSent"} <= names
    assert {d.get("Queue") for d in documents} >= {app.conf.task_default_queue}
    with pytest.raises(CommandError, match="QUEUE_METRICS_NAMESPACE"):
        call_command("export_queue_metrics", "--once", stdout=io.StringIO())
