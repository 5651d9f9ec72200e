"""Shared plumbing of the load scripts (chaos, bench-*, soak); test support, not product code.

A fresh PostgreSQL database of the script's own, a Redis database number and key prefix of its own,
the fake Twilio REST server in this process, gunicorn and Celery worker processes started and
stopped here, and a load generator that signs deliveries with the twilio SDK's validator. Loopback
only; every wait is bounded.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from tests.support import ROOT

PG = "postgres://postgres@127.0.0.1:5432"
ACCOUNT_SID = "AC" + "c" * 32
AUTH_TOKEN = "script-auth-token-" + "0" * 14
OUR_NUMBER = "whatsapp:+14155238886"
PUBLIC = "https://agente.kavak.example"
WEBHOOK = "/channels/whatsapp/webhook"
# Meta's WhatsApp Cloud API (scripts run it beside Twilio: one number each).
META_NUMBER = "+525598765432"
META_PHONE_NUMBER_ID = "109876543210987"
META_APP_SECRET = "script-meta-app-secret-" + "0" * 10
META_ACCESS_TOKEN = "script-meta-access-" + "0" * 10
META_WEBHOOK = "/channels/whatsapp/meta/webhook"
LOG_DIR = ROOT / "var"
# The scripted /chat conversation of the load scripts (bench-chat, chaos, soak): need → lead.
CHAT_SCRIPT = (
    "hola",
    "busco un sedán automático",
    "tengo 350 mil",
    "el primero",
    "20%",
    "48 meses",
    "sí",
    "Ana López",
    "{phone}",
    "mañana en la tarde",
)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: list[float]) -> str:
    if not values:
        return "n=0"
    return (
        f"n={len(values)} p50={percentile(values, 50):.1f} ms p95={percentile(values, 95):.1f} ms "
        f"p99={percentile(values, 99):.1f} ms max={max(values):.1f} ms "
        f"mean={statistics.fmean(values):.1f} ms"
    )


@dataclass
class Environment:
    """Environment variables every process of the run shares (web, workers, this script)."""

    database: str
    redis_db: int
    fake_url: str
    burst_window_s: float = 2.0
    extra: dict[str, str] = field(default_factory=dict)
    prefix: str = field(default_factory=lambda: f"wa-script-{uuid.uuid4().hex[:8]}")

    @property
    def message_queue(self) -> str:
        return self.prefix

    @property
    def turn_queue(self) -> str:
        return f"{self.prefix}-turns"

    @property
    def database_url(self) -> str:
        return f"{PG}/{self.database}"

    def variables(self) -> dict[str, str]:
        redis = f"redis://127.0.0.1:6379/{self.redis_db}"
        values = {
            "DJANGO_SETTINGS_MODULE": "kavak.settings.test",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": redis,
            "CELERY_BROKER_URL": redis,
            "CELERY_RESULT_BACKEND": "",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "REDIS_KEY_PREFIX": self.prefix,
            "CELERY_MESSAGE_QUEUE": self.message_queue,
            "CELERY_TURN_QUEUE": self.turn_queue,
            "DJANGO_LOG_LEVEL": "WARNING",
            "WHATSAPP_ENABLED": "true",
            "WHATSAPP_BURST_WINDOW_S": str(self.burst_window_s),
            "WHATSAPP_RATE_LIMIT_MESSAGES": "100",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_WHATSAPP_NUMBER": OUR_NUMBER,
            "TWILIO_API_BASE_URL": self.fake_url,
            "TWILIO_TIMEOUT_S": "2",
            "TWILIO_VALIDATE_SIGNATURE": "enforce",
            "PUBLIC_BASE_URL": PUBLIC,
            "DATABASE_CONN_MAX_AGE": "60",
        }
        values.update(self.extra)
        return values

    def apply(self) -> None:
        os.environ.update(self.variables())


def meta_variables(graph_url: str) -> dict[str, str]:
    """The environment that puts META_NUMBER on Meta (the Graph stand-in at ``graph_url``) and
    keeps OUR_NUMBER on Twilio."""
    return {
        "WHATSAPP_PROVIDERS": (
            f"{META_NUMBER}=meta:{META_PHONE_NUMBER_ID},{OUR_NUMBER.removeprefix('whatsapp:')}=twilio"
        ),
        "META_APP_SECRET": META_APP_SECRET,
        "META_VERIFY_TOKEN": "script-meta-verify-token",
        "META_ACCESS_TOKEN": META_ACCESS_TOKEN,
        "META_GRAPH_BASE_URL": graph_url,
        "META_TIMEOUT_S": "2",
        "META_RECONCILE_WAIT_S": "10",
    }


def recreate_database(env: Environment) -> None:
    """Drop and create the script's database, migrate it and load the demo catalogue."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (env.database,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{env.database}"')
        conn.execute(f'CREATE DATABASE "{env.database}"')
    proc_env = {**os.environ, **env.variables()}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=proc_env,
        check=True,
        timeout=180,
    )
    demo = subprocess.run(
        [sys.executable, "manage.py", "load_demo_data"],
        cwd=ROOT,
        env=proc_env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    if demo.returncode != 0:
        last = (demo.stderr.strip().splitlines() or ["?"])[-1]
        print(f"  (load_demo_data failed: {last[:160]}; the run goes on with what was loaded)")


def bench_floor_variables() -> dict[str, str]:
    """What a server needs to serve the benchmark's floor endpoint next to every product URL
    (``scripts.bench_settings`` and ``scripts.bench_urls``, kept out of the product). The
    repository root on ``PYTHONPATH`` makes them importable wherever the server runs."""
    path = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH", "")])]
    return {"DJANGO_SETTINGS_MODULE": "scripts.bench_settings", "PYTHONPATH": os.pathsep.join(path)}


def floor_conversation(env: Environment) -> int:
    """A conversation row for the /chat benchmark's floor endpoint (``bench_floor_variables``)."""
    import psycopg

    with psycopg.connect(env.database_url, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO conversations_conversation (channel, external_id, status, step, state,"
            " version, furthest_step, started_at, updated_at) VALUES ('api', 'floor', 'active',"
            " 'need', '{}', 0, 'need', now(), now()) RETURNING id"
        ).fetchone()
    assert row is not None  # INSERT … RETURNING gives one row
    return int(row[0])


def drop_database(env: Environment) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (env.database,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{env.database}"')


def redis_client(env: Environment):  # type: ignore[no-untyped-def]
    import redis

    return redis.Redis(host="127.0.0.1", port=6379, db=env.redis_db, socket_timeout=2)


def redis_flush_app_keys(env: Environment) -> int:
    """What FLUSHDB does to the app (claims, rate counters, state cache), sparing the broker queue
    and anybody else's keys in that database."""
    client = redis_client(env)
    keys = list(client.scan_iter(match=f"{env.prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)


def redis_cleanup(env: Environment) -> None:
    client = redis_client(env)
    keys = list(client.scan_iter(match=f"{env.prefix}*", count=1000))
    for kind in ("binding", "binding_permanent"):
        keys += list(client.scan_iter(match=f"_kombu.{kind}.{env.prefix}*", count=1000))
    if keys:
        client.delete(*keys)


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def kill_group(self, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 20) -> None:
        if self.popen.poll() is not None:
            return
        self.kill_group(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill_group(signal.SIGKILL)
            self.popen.wait(timeout=5)


def _spawn(name: str, args: list[str], env: Environment, extra: dict[str, str]) -> Proc:
    LOG_DIR.mkdir(exist_ok=True)
    log = LOG_DIR / f"{name}.log"
    handle = log.open("wb")
    popen = subprocess.Popen(
        args,
        cwd=ROOT,
        env={**os.environ, **env.variables(), **extra},
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stop/kill it and its children only
    )
    return Proc(name=name, popen=popen, log=log)


def ensure_port_free(port: int) -> None:
    """Raise when something already listens on ``port``: a server left behind by an interrupted
    run would answer /healthz for the new one, and a benchmark would measure the wrong code."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no listener
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise RuntimeError(
                f"port {port} is taken (a server left by an interrupted run?): stop it first"
            ) from exc


def start_gunicorn(env: Environment, *, port: int, workers: int, name: str) -> Proc:
    ensure_port_free(port)
    proc = _spawn(
        name,
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "kavak.wsgi:application",
            "-c",
            "kavak/gunicorn.conf.py",
        ],
        env,
        {"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)},
    )
    wait_healthz(port, name=name, popen=proc.popen, log=proc.log)
    return proc


def wait_healthz(
    port: int,
    *,
    name: str = "gunicorn",
    popen: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
    timeout: float = 30,
) -> None:
    """Until the server on ``port`` answers 200 on /healthz (raise if it exits or times out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if popen is not None and popen.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log is not None else ""
            raise RuntimeError(f"{name} exited:\n{tail}")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer /healthz")


def start_worker(
    env: Environment,
    *,
    name: str,
    concurrency: int,
    queues: str = "",
    pool: str = "prefork",
    extra: dict[str, str] | None = None,
) -> Proc:
    """A Celery worker; by default on both queues (``turns`` and ``messages``) with prefork."""
    proc = _spawn(
        name,
        [
            sys.executable, "-m", "celery", "-A", "kavak", "worker",
            "-Q", queues or f"{env.message_queue},{env.turn_queue}",
            "-n", f"{name}@%h", f"--concurrency={concurrency}", f"--pool={pool}",
            "-l", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
        ],
        env,
        extra or {},
    )  # fmt: skip
    deadline = time.monotonic() + 40
    while b"ready." not in proc.log.read_bytes():
        if proc.popen.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start:\n{proc.log.read_text(errors='replace')}")
        time.sleep(0.2)
    return proc


def start_beat(env: Environment, *, name: str) -> Proc:
    """Celery beat with the product's schedule (the WhatsApp pending-work sweep)."""
    schedule = LOG_DIR / f"{name}-schedule"
    for path in LOG_DIR.glob(f"{name}-schedule*"):
        path.unlink()
    proc = _spawn(
        name,
        [sys.executable, "-m", "celery", "-A", "kavak", "beat", "-s", str(schedule), "-l", "INFO"],
        env,
        {},
    )
    deadline = time.monotonic() + 30
    while b"beat: Starting" not in proc.log.read_bytes():
        if proc.popen.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start:\n{proc.log.read_text(errors='replace')}")
        time.sleep(0.2)
    return proc


@contextlib.contextmanager
def processes() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    try:
        yield started
    finally:
        for proc in reversed(started):
            proc.stop()


# --- signed deliveries ------------------------------------------------------------------------
def inbound_form(*, sid: str, from_address: str, body: str) -> dict[str, str]:
    """A captured-style Twilio WhatsApp payload."""
    wa_id = from_address.removeprefix("whatsapp:+")
    return {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": "Cliente de prueba",
        "MessageType": "text",
        "SmsSid": sid,
        "WaId": wa_id,
        "SmsStatus": "received",
        "Body": body,
        "To": OUR_NUMBER,
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": from_address,
        "ApiVersion": "2010-04-01",
    }


def signed_body(form: dict[str, str]) -> tuple[bytes, str]:
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + WEBHOOK, form)
    return urlencode(form).encode(), signature


class Poster:
    """One keep-alive connection to one instance; returns (status, milliseconds)."""

    def __init__(self, port: int, path: str = WEBHOOK) -> None:
        self.port = port
        self.path = path
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)

    def post(self, body: bytes, signature: str) -> tuple[int, float]:
        """A Twilio delivery (form body, X-Twilio-Signature) to this poster's path."""
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        }
        return self.send(self.path, body, headers)

    def send(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, float]:
        """Any signed delivery (Twilio's form or Meta's JSON) to ``path``."""
        headers = {**headers, "Host": "127.0.0.1"}
        for attempt in range(2):
            started = time.perf_counter()
            try:
                self.conn.request("POST", path, body=body, headers=headers)
                response = self.conn.getresponse()
                response.read()
                return response.status, (time.perf_counter() - started) * 1000
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
                if attempt:
                    raise
        raise RuntimeError("unreachable")


def customers(n: int, *, offset: int) -> list[str]:
    """Distinct Mexican WhatsApp ids in the old ``521`` form."""
    return [f"whatsapp:+521{5500000000 + offset + i}" for i in range(n)]


def django_setup(env: Environment) -> None:
    env.apply()
    import django

    django.setup()


if __name__ == "__main__":
    print("Helper module: run python -m scripts.chaos_whatsapp or python -m scripts.bench_whatsapp")
