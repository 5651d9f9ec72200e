"""A Celery worker survives its Redis broker restarting while it holds unacknowledged tasks.

Without ``kavak.broker.patch_redis_channel`` the worker exits with "Unrecoverable error:
AttributeError('NoneType' object has no attribute 'hostname')" (4 runs out of 4 here, and every
worker in ``make chaos``). The restart is done on a private ``redis-server`` on a free loopback
port: the shared Redis of other test runs is never touched.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.support import ROOT


def test_a_channel_whose_connection_was_collected_raises_a_connection_error() -> None:
    from kombu.transport import redis as kombu_redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    import kavak.celery  # noqa: F401  (applies the patch, as every process importing the app does)

    collected = SimpleNamespace(connection=SimpleNamespace(client=None))
    with pytest.raises(RedisConnectionError):  # not AttributeError: kombu and Celery handle it
        kombu_redis.Channel._connparams(collected)
    assert RedisConnectionError in kombu_redis.Transport.connection_errors


def test_a_channel_reuses_one_redis_client_until_its_pool_changes() -> None:
    """Publishing builds no new Redis client per message, and a replaced pool gets a new one."""
    from kavak.celery import app

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        if not hasattr(channel, "async_pool"):  # pragma: no cover - the suite runs on Redis
            pytest.fail("the test broker is not Redis")
        first = channel._create_client()
        assert channel._create_client() is first
        assert first.connection_pool is channel.pool
        assert channel._create_client(asynchronous=True) is not first
        with app.producer_or_acquire() as producer:  # a real publish through the channel
            producer.publish({"probe": 1}, routing_key="kavak-test-client-reuse", declare=[])
        channel._pool = None  # what kombu does when it drops a broken pool
        second = channel._create_client()
        assert second is not first
        assert second.connection_pool is channel.pool
        assert second.ping()
        second.delete("kavak-test-client-reuse")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


class PrivateRedis:
    def __init__(self, port: int, workdir: Path) -> None:
        self.port, self.workdir = port, workdir
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert _wait(self.ping, 10), "private redis-server did not start"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.fail(
            "redis-server is not installed (make test needs it, see scripts/ensure_services.sh)"
        )
    redis = PrivateRedis(_free_port(), tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


def test_a_late_ack_on_a_collected_connection_is_a_logged_connection_error(
    private_redis: PrivateRedis,
) -> None:
    """A task that finishes after the reconnection acks on the old channel (seen in make chaos:
    the worker's second way to die)."""
    import logging

    from kombu import Connection, Exchange, Producer, Queue

    import kavak.celery  # noqa: F401

    conn = Connection(f"redis://127.0.0.1:{private_redis.port}/2")
    channel = conn.default_channel
    queue = Queue("late-ack", Exchange("late-ack"), "late-ack")
    Producer(channel).publish(
        {"n": 1}, exchange=queue.exchange, routing_key="late-ack", declare=[queue]
    )
    message = channel.basic_get("late-ack", no_ack=False)
    assert message is not None
    conn.collect()  # what Celery does on a connection loss
    errors = conn.connection_errors + conn.channel_errors
    message.ack_log_error(logging.getLogger("test"), errors)  # logged, not raised


@pytest.mark.worker
def test_a_worker_holding_countdown_tasks_survives_a_broker_restart(
    private_redis: PrivateRedis, tmp_path: Path
) -> None:
    broker = f"redis://127.0.0.1:{private_redis.port}/0"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kavak.settings.test",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": "",
        "REDIS_URL": f"redis://127.0.0.1:{private_redis.port}/1",
        "REDIS_KEY_PREFIX": "broker-restart",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "kavak", "worker", "-Q", "broker-restart",
             "--concurrency=2", "--pool=prefork", "-l", "INFO", "--without-gossip",
             "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        assert _wait(lambda: b"ready." in log.read_bytes(), 40), log.read_text(errors="replace")
        # Unacknowledged tasks in the worker's hands: countdown tasks wait in its timer.
        enqueue = (
            "from kavak.celery import app\n"
            "for i in range(50):\n"
            "    app.send_task('kavak.ping', ('x',), countdown=5, queue='broker-restart')\n"
        )
        subprocess.run([sys.executable, "-c", enqueue], cwd=ROOT, env=env, check=True, timeout=60)
        countdown_over = time.monotonic() + 6
        assert _wait(lambda: log.read_bytes().count(b"received") >= 2, 20)
        private_redis.stop()
        time.sleep(2)
        private_redis.start()
        reconnected = _wait(lambda: log.read_bytes().count(b"Connected to") >= 2, 30)
        text = log.read_text(errors="replace")
        assert "Unrecoverable error" not in text, text[-3000:]
        assert worker.poll() is None, text[-3000:]
        assert reconnected, text[-3000:]
        # And it works again: a new task sent after the restart is consumed.
        subprocess.run(
            [sys.executable, "-c", "from kavak.celery import app\n"
             "app.send_task('kavak.ping', ('after',), queue='broker-restart')\n"],
            cwd=ROOT, env=env, check=True, timeout=60,
        )  # fmt: skip
        assert _wait(lambda: b"pong:after" in log.read_bytes(), 30), text[-3000:]
        # The countdown tasks held before the restart (Celery drops them from its timer) are not
        # run twice by this worker; wait past their countdown and check it is still alive.
        time.sleep(max(0.0, countdown_over - time.monotonic()) + 2)
        text = log.read_text(errors="replace")
        assert "Unrecoverable error" not in text, text[-3000:]
        assert worker.poll() is None, text[-3000:]
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
