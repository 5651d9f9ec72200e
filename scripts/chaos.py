"""`make chaos`: the product under steady load while its dependencies fail, with figures.

The product as it runs in production, on loopback: gunicorn (3 sync workers, Prometheus
multiprocess mode) on PostgreSQL + Redis, one Celery worker (acks late, 3 processes) and Celery
beat (the pending-work sweep), Twilio replaced by the fake REST server, the LLM (scenario c) by
the local Chat Completions stub. A database of its own (``kavak_chaos_ops``, recreated), Redis
database 10 with a key prefix of its own. Steady load all along: scripted 10-turn conversations
on ``POST /chat`` (clients retry 503, 409 and connection errors every 0.2 s, one
``Idempotency-Key`` per message, as a client honouring ``Retry-After`` would, only sooner, so
that recovery is measured to the tenth of a second) and
WhatsApp customers posting signed webhooks (redelivered every 0.5 s until a 200, as Twilio
retries) and waiting for each reply before the next message.

Scenarios, each bounded in time:
  (a) PostgreSQL stopped (fast shutdown) and started again ~5 s later;
  (b) Redis stopped (``shutdown nosave``: queue, claims and cache are gone) for ~6 s, with
      duplicate deliveries sent while it is down;
  (d) a Celery worker killed mid-task, while a Twilio send is in flight: first its pool processes
      (SIGKILL), then the whole worker (SIGKILL of its process group, replaced at once);
  (c) the LLM slow (10 s per answer) and then failing (HTTP 500), then healthy again — only when
      the LLM support (``conversations/llm/circuit.py``) and its stub are present;
  (e) slow clients: 3, then 12, sending a body at 1 byte/s to gunicorn gthread workers started
      with production settings, while ordinary /chat turns must keep their latency, then deeply
      nested JSON on /chat and /web/chat (a JSON 400) (``scripts/slow_clients.py``; alone,
      touching no shared server: ``python scripts/chaos.py --only slow-clients``).

Printed per scenario: requests sent, errors by kind, the slowest failed request, the recovery time
(last failure minus the moment the dependency was back), messages lost and duplicates. Exit status
1 if a must-be-zero figure is not zero or a scenario's own check fails. PostgreSQL and Redis are
always started again in ``finally``; outages stay under 10 s (other test runs share both servers).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import whatsapp_harness as h
from whatsapp_harness import CHAT_SCRIPT, Environment

PORT = 18631  # replaced by a free port at start
LOCK_FILE = Path(tempfile.gettempdir()) / "kavak-chaos-soak.lock"  # one run per machine
WEB_WORKERS = 3
WORKER_CONCURRENCY = 3
CHAT_CLIENTS = 4
WA_CUSTOMERS = 6
CHAT_THINK_S = 0.05
WA_THINK_S = 0.2
CHAT_RETRY_S = 0.2
WEBHOOK_RETRY_S = 0.5
REPLY_WAIT_S = 60.0
VISIBILITY_TIMEOUT_S = 15
SWEEP_INTERVAL_S = 5
SWEEP_AFTER_S = 20
PG_OUTAGE_S = 5.0
REDIS_OUTAGE_S = 6.0
MAX_OUTAGE_S = 10.0
RECOVERY_BUDGET_S = 5.0
LLM_SLOW_S = 10.0
LLM_COOLDOWN_S = 5.0
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
    "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip
WA_SCRIPT = (
    "Hola, busco un sedán automático",
    "tengo 350 mil",
    "el primero",
    "20%",
    "48 meses",
    "sí",
    "Luis Pérez",
    "{phone}",
    "mañana en la mañana",
)


# --- what the load generators record ------------------------------------------------------------
@dataclass
class Sample:
    phase: str  # the phase when this attempt was sent (a message keeps its first phase elsewhere)
    channel: str  # chat | webhook
    started: float  # time.monotonic()
    ended: float
    status: int  # 0: connection refused/reset, -1: client timeout
    attempt: int  # 0 for the first try of a message, 1… for its retries
    step: int = -1  # index in the conversation script (soak breakdowns)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def kind(self) -> str:
        return {0: "connection", -1: "timeout"}.get(self.status, str(self.status))


@dataclass
class ChatAck:
    phase: str
    session: str
    text: str
    turn_id: str
    retried: bool
    lead_phone: str
    reply: str
    at: float  # monotonic, when the answer arrived


@dataclass
class WaSend:
    phase: str
    sid: str
    address: str
    body: str
    sent: float  # first attempt, monotonic
    acked: float | None = None  # the 200
    replied: float | None = None  # first reply part at the fake after the 200


@dataclass
class Recorder:
    phase: str = "warm-up"
    samples: list[Sample] = field(default_factory=list)
    chat_acks: list[ChatAck] = field(default_factory=list)
    chat_given_up: list[tuple[str, str, str]] = field(default_factory=list)
    wa_sends: list[WaSend] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


@dataclass
class Phase:
    name: str
    title: str
    started: float = 0.0
    ended: float = 0.0
    fault_start: float | None = None
    fault_end: float | None = None
    notes: list[str] = field(default_factory=list)
    checks: list[tuple[str, bool]] = field(default_factory=list)
    skipped: str = ""

    def check(self, label: str, ok: bool) -> None:
        self.checks.append((label, ok))


# --- HTTP clients -------------------------------------------------------------------------------
class Http:
    """One keep-alive connection; reconnects after any failure. Returns (status, body, seconds)."""

    def __init__(self, port: int, timeout: float = 15.0) -> None:
        self.port = port
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self.conn.request("POST", path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, data
        except TimeoutError:
            self.close()
            return -1, b""
        except (http.client.HTTPException, OSError):
            self.close()
            return 0, b""

    def get(self, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        except (http.client.HTTPException, OSError):
            return 0, b""
        finally:
            conn.close()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


RETRYABLE = {0, -1, 502, 503, 504}


def chat_client(rec: Recorder, index: int, key: str, port: int, think_s: float) -> None:
    """Scripted conversations on /chat, one after another, until told to stop."""
    client = Http(port)
    rng = random.Random(index)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    n = 0
    while not rec.stop.is_set():
        n += 1
        session = f"chaos-{index}-{n}-{rng.getrandbits(32):x}"
        phone = f"55{rng.randrange(10**7, 10**8)}"
        for number, step in enumerate(CHAT_SCRIPT):
            if rec.stop.is_set():
                return
            text = step.format(phone=phone)
            body = json.dumps({"session_id": session, "message": text}).encode()
            # One key per message, kept across its retries: a turn committed while the client
            # timed out is answered again, not taken twice (docs/AGENT_CONTRACT.md).
            sent = {**headers, "Idempotency-Key": f"{session}-{number}"}
            phase = rec.phase
            deadline = time.monotonic() + 60
            attempt = 0
            while True:
                started = time.monotonic()
                status, data = client.post("/chat", body, sent)
                rec.add(Sample(rec.phase, "chat", started, time.monotonic(), status, attempt))
                if status == 200:
                    answer = json.loads(data)
                    lead = answer.get("lead") or {}
                    with rec.lock:
                        rec.chat_acks.append(
                            ChatAck(
                                phase, session, text, answer["turn_id"], attempt > 0,
                                lead.get("phone") or "", answer["reply"], time.monotonic(),
                            )
                        )  # fmt: skip
                    break
                if status not in (*RETRYABLE, 409) or time.monotonic() > deadline:
                    with rec.lock:
                        rec.chat_given_up.append((phase, session, text))
                    break
                attempt += 1
                time.sleep(CHAT_RETRY_S)
            time.sleep(think_s)


def wa_customer(rec: Recorder, index: int, port: int, fake, think_s: float) -> None:  # type: ignore[no-untyped-def]
    """A WhatsApp customer: each message is delivered (signed, redelivered until a 200 like
    Twilio) and the next one waits for the agent's reply."""
    poster = Http(port)
    n = 0
    while not rec.stop.is_set():
        n += 1
        address = f"whatsapp:+521{5600000000 + index * 10_000 + n}"
        phone = f"55{random.randrange(10**7, 10**8)}"
        for step in WA_SCRIPT:
            if rec.stop.is_set():
                return
            text = step.format(phone=phone)
            replies_before = sum(1 for m in list(fake.created) if m["to"] == address)
            send = WaSend(rec.phase, "SM" + uuid.uuid4().hex, address, text, time.monotonic())
            with rec.lock:
                rec.wa_sends.append(send)
            form = h.inbound_form(sid=send.sid, from_address=address, body=text)
            body, signature = h.signed_body(form)
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
                "Host": "127.0.0.1",
            }
            attempt = 0
            while time.monotonic() - send.sent < 120:
                started = time.monotonic()
                status, _ = poster.post(h.WEBHOOK, body, headers)
                rec.add(Sample(rec.phase, "webhook", started, time.monotonic(), status, attempt))
                if status == 200:
                    send.acked = time.monotonic()
                    break
                attempt += 1
                time.sleep(WEBHOOK_RETRY_S)
            if send.acked is None:
                continue
            deadline = send.acked + REPLY_WAIT_S
            while time.monotonic() < deadline and not (
                rec.stop.is_set() and time.monotonic() > send.acked + 5
            ):
                if sum(1 for m in list(fake.created) if m["to"] == address) > replies_before:
                    send.replied = time.monotonic()
                    break
                time.sleep(0.05)
            if send.replied is None:
                break  # no answer: this customer starts a new conversation
            time.sleep(think_s)


@contextlib.contextmanager
def load(rec: Recorder, *, key: str, fake, chat_clients: int, wa_customers: int) -> Iterator[None]:  # type: ignore[no-untyped-def]
    threads = [
        threading.Thread(target=chat_client, args=(rec, i, key, PORT, CHAT_THINK_S), daemon=True)
        for i in range(chat_clients)
    ] + [
        threading.Thread(target=wa_customer, args=(rec, i, PORT, fake, WA_THINK_S), daemon=True)
        for i in range(wa_customers)
    ]
    for t in threads:
        t.start()
    try:
        yield
    finally:
        rec.stop.set()
        for t in threads:
            t.join(timeout=REPLY_WAIT_S + 10)


# --- dependencies: PostgreSQL, Redis, processes ------------------------------------------------
@contextlib.contextmanager
def exclusive_run(name: str, wait_s: float = 900.0) -> Iterator[None]:
    """One `make chaos` or `make soak` at a time on this machine, from any checkout: both restart
    or load the PostgreSQL and Redis they share, and would spoil each other's figures."""
    import fcntl

    handle = LOCK_FILE.open("a+")
    deadline = time.monotonic() + wait_s
    announced = False
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise SystemExit(
                        f"{name}: another make chaos/soak still holds {LOCK_FILE} after "
                        f"{wait_s:.0f} s"
                    ) from None
                if not announced:
                    print(
                        f"{name}: another make chaos/soak is running; waiting for it…", flush=True
                    )
                    announced = True
                time.sleep(2)
        yield
    finally:
        handle.close()  # releases the lock


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.3):
        return True
    return False


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def pg_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[0]


def pg_ctl(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", action],
        check=True,
        capture_output=True,
        timeout=60,
    )


def pg_accepts() -> bool:
    import psycopg

    try:
        with psycopg.connect(f"{h.PG}/postgres", connect_timeout=1) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def pg_ensure_running() -> None:
    if not pg_accepts():
        with contextlib.suppress(subprocess.SubprocessError):
            pg_ctl("start")
        wait_until(pg_accepts, 30, 0.2)


def redis_ping() -> bool:
    result = subprocess.run(
        ["redis-cli", "-p", "6379", "ping"], capture_output=True, text=True, timeout=5
    )
    return result.stdout.strip() == "PONG"


def redis_stop() -> None:
    subprocess.run(
        ["redis-cli", "-p", "6379", "shutdown", "nosave"], capture_output=True, timeout=10
    )


def redis_start() -> None:
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(REDIS_START, capture_output=True, timeout=10, check=False)


def redis_ensure_running() -> None:
    if not redis_ping():
        redis_start()
        wait_until(redis_ping, 10, 0.1)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


@contextlib.contextmanager
def extra_env(env: Environment, **values: str) -> Iterator[None]:
    """Variables for the processes started inside the block only."""
    saved = dict(env.extra)
    env.extra.update(values)
    try:
        yield
    finally:
        env.extra.clear()
        env.extra.update(saved)


def metrics_dir(name: str) -> str:
    path = h.LOG_DIR / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return str(path)


def log_count(proc: h.Proc, needle: str, since: int = 0) -> int:
    """Occurrences of ``needle`` in a process log after byte offset ``since``."""
    data = proc.log.read_bytes()[since:]
    return data.count(needle.encode())


def log_size(proc: h.Proc) -> int:
    return proc.log.stat().st_size if proc.log.exists() else 0


# --- figures ------------------------------------------------------------------------------------
def phase_figures(phase: Phase, rec: Recorder) -> dict[str, object]:
    samples = [s for s in rec.samples if s.phase == phase.name]
    by_channel: dict[str, list[Sample]] = {"chat": [], "webhook": []}
    for s in samples:
        by_channel[s.channel].append(s)
    errors = {ch: Counter(s.kind for s in lst if not s.ok) for ch, lst in by_channel.items()}
    failed = [s for s in samples if not s.ok]
    slowest_error_ms = max(((s.ended - s.started) * 1000 for s in failed), default=0.0)
    recovery = 0.0
    if phase.fault_end is not None and failed:
        recovery = max(0.0, max(s.ended for s in failed) - phase.fault_end)
    latencies = sorted((s.ended - s.started) * 1000 for s in samples if s.ok)
    waits = [
        w.replied - w.acked
        for w in rec.wa_sends
        if w.phase == phase.name and w.replied is not None and w.acked is not None
    ]
    return {
        "wa_replies": len(waits),
        "wa_reply_max_s": max(waits, default=0.0),
        "wa_reply_p95_s": h.percentile(waits, 95),
        "requests": {ch: len(lst) for ch, lst in by_channel.items()},
        "errors": errors,
        "slowest_error_ms": slowest_error_ms,
        "recovery_s": recovery,
        "ok_p95_ms": h.percentile(latencies, 95),
        "ok_max_ms": latencies[-1] if latencies else float("nan"),
    }


def accounting(rec: Recorder, fake) -> dict[str, defaultdict[str, Counter]]:  # type: ignore[no-untyped-def]
    """Lost and duplicated work per phase, from the database and the fake Twilio's record."""
    from django.db import connections

    from channels.models import WhatsAppInbound, WhatsAppOutbound
    from conversations.models import Message
    from leads.models import Lead

    connections.close_all()  # the script's own connection may predate a PostgreSQL restart
    lost: defaultdict[str, Counter] = defaultdict(Counter)
    dups: defaultdict[str, Counter] = defaultdict(Counter)

    # /chat: every acknowledged turn is stored once; every lead a client was shown exists.
    acks = list(rec.chat_acks)
    stored_turns = set(
        Message.objects.filter(direction="in", turn_id__in=[a.turn_id for a in acks]).values_list(
            "turn_id", flat=True
        )
    )
    for a in acks:
        if a.turn_id not in stored_turns:
            lost[a.phase]["chat_turns"] += 1
    sessions = {a.session for a in acks}
    stored = Counter(
        Message.objects.filter(
            direction="in", conversation__channel="api", conversation__external_id__in=sessions
        ).values_list("conversation__external_id", "text")
    )
    acked = Counter((a.session, a.text) for a in acks)
    phase_of = {(a.session, a.text): a.phase for a in acks}
    for key, n in stored.items():
        if n > acked.get(key, 0) and key in phase_of:
            # A message stored more often than the client sent it successfully: a turn that was
            # committed although the client saw an error, and was then sent again.
            dups[phase_of[key]]["chat_turns"] += n - acked[key]
    lead_sessions = {a.session: a.phase for a in acks if a.lead_phone}
    with_lead = set(
        Lead.objects.filter(conversation__external_id__in=list(lead_sessions)).values_list(
            "conversation__external_id", flat=True
        )
    )
    for session, phase in lead_sessions.items():
        if session not in with_lead:
            lost[phase]["leads"] += 1

    # WhatsApp: every acknowledged MessageSid stored, processed, answered; every part sent once.
    sends = [s for s in rec.wa_sends if s.acked is not None]
    rows = {
        r["message_sid"]: r
        for r in WhatsAppInbound.objects.filter(message_sid__in=[s.sid for s in sends]).values(
            "message_sid", "status", "reply_group", "phone", "turn_id"
        )
    }
    for s in sends:
        row = rows.get(s.sid)
        if row is None:
            lost[s.phase]["wa_not_stored"] += 1
        elif row["status"] not in ("processed",):
            lost[s.phase][f"wa_{row['status']}"] += 1
            print(f"  unprocessed message: {s.sid} status={row['status']} phase={s.phase}")
    addresses = {s.address for s in rec.wa_sends}
    phase_of_address = {}
    for s in rec.wa_sends:
        phase_of_address.setdefault(s.address, s.phase)
    parts = WhatsAppOutbound.objects.filter(to_address__in=addresses)
    unsent = parts.exclude(status__in=["queued", "sent", "delivered", "read"])
    for row in unsent.values("to_address", "status", "kind", "attempts", "last_error", "group"):
        lost[phase_of_address[row["to_address"]]]["wa_parts_unsent"] += 1
        print(
            f"  unsent part: group={row['group']} kind={row['kind']} status={row['status']} "
            f"attempts={row['attempts']} last_error={row['last_error'][:120]!r}"
        )
    expected = Counter(parts.values_list("to_address", "body"))
    created = Counter((m["to"], m["body"]) for m in list(fake.created) if m["to"] in addresses)
    for (to_address, body), n in created.items():
        extra = n - expected.get((to_address, body), 0)
        if extra > 0:
            dups[phase_of_address[to_address]]["wa_sends"] += extra
    # A turn run twice for one batch of messages would show as more inbound turns than batches.
    phones = {r["phone"] for r in rows.values()}
    turns = Counter(
        Message.objects.filter(
            direction="in", conversation__channel="whatsapp", conversation__external_id__in=phones
        ).values_list("turn_id", flat=True)
    )
    batches = {r["turn_id"] for r in rows.values() if r["turn_id"]}
    extra_turns = sum(n for t, n in turns.items() if t not in batches) + sum(
        n - 1 for n in turns.values() if n > 1
    )
    if extra_turns:
        dups["(any phase)"]["wa_turns"] += extra_turns
    return {"lost": lost, "dups": dups}


def lead_notifications(rec: Recorder) -> defaultdict[str, Counter]:
    """Per phase: /chat conversations sent to the end with a lead, and those whose lead sales was
    never notified of. Every step sent means answered, or given up after an error (which may
    still have been committed)."""
    from django.db import connections

    from leads.models import Lead

    connections.close_all()
    acks = list(rec.chat_acks)
    lead_sessions = {a.session: a.phase for a in acks if a.lead_phone}
    steps = Counter(a.session for a in acks) + Counter(g[1] for g in rec.chat_given_up)
    complete = [s for s in lead_sessions if steps[s] >= len(CHAT_SCRIPT)]
    notified = set(
        Lead.objects.filter(
            conversation__external_id__in=complete, notified_at__isnull=False
        ).values_list("conversation__external_id", flat=True)
    )
    figures: defaultdict[str, Counter] = defaultdict(Counter)
    for session in complete:
        figures[lead_sessions[session]]["completed"] += 1
        figures[lead_sessions[session]]["not_notified"] += session not in notified
    return figures


def lead_sweep(rec: Recorder) -> tuple[defaultdict[str, Counter], defaultdict[str, Counter]]:
    """Lead notifications before and after one run of the leads sweep (``leads.lead_notify_sweep``,
    which beat runs every 60 s for leads older than 120 s: longer than this run), run now for
    every lead still not notified, as beat would a couple of minutes later."""
    before = lead_notifications(rec)
    if not sum(c["not_notified"] for c in before.values()):
        return before, before
    try:
        from leads.tasks import lead_notify_sweep
    except ImportError:
        return before, before
    lead_notify_sweep.delay(0.0)
    wait_until(
        lambda: not sum(c["not_notified"] for c in lead_notifications(rec).values()), 40, 1.0
    )
    return before, lead_notifications(rec)


def print_phase(
    phase: Phase,
    rec: Recorder,
    lost: Counter,
    dups: Counter,
    leads: Counter,
    leads_after_sweep: Counter,
) -> bool:
    print(f"\n== {phase.title}")
    if phase.skipped:
        print(f"  skipped: {phase.skipped}")
        return True
    f = phase_figures(phase, rec)
    req, err = f["requests"], f["errors"]
    print(
        f"  requests sent: /chat {req['chat']}, webhook {req['webhook']}  "  # type: ignore[index]
        f"(ok p95 {f['ok_p95_ms']:.0f} ms, ok max {f['ok_max_ms']:.0f} ms)"
    )
    print(
        f"  errors by kind: /chat {dict(err['chat']) or 0}, "  # type: ignore[index]
        f"webhook {dict(err['webhook']) or 0}; slowest failed request "  # type: ignore[index]
        f"{f['slowest_error_ms']:.0f} ms"
    )
    print(
        f"  WhatsApp replies: {f['wa_replies']}, p95 {f['wa_reply_p95_s']:.1f} s, slowest "
        f"{f['wa_reply_max_s']:.1f} s after the webhook's 200"
    )
    if phase.fault_start is not None and phase.fault_end is not None:
        print(
            f"  fault lasted {phase.fault_end - phase.fault_start:.1f} s; max recovery time "
            f"{f['recovery_s']:.2f} s after the dependency was back (last failed request)"
        )
    for note in phase.notes:
        print(f"  {note}")
    if leads["completed"]:
        print(
            f"  /chat conversations sent to the end with a lead: {leads['completed']}; sales not "
            f"notified by the end of the load: {leads['not_notified']}, after one run of the "
            f"leads sweep: {leads_after_sweep['not_notified']}"
        )
        phase.check(
            "every lead notified to sales (the sweep included)",
            leads_after_sweep["not_notified"] == 0,
        )
    n_lost, n_dups = sum(lost.values()), sum(dups.values())
    print(
        f"  messages lost: {n_lost} {dict(lost) if n_lost else ''}   "
        f"duplicates: {n_dups} {dict(dups) if n_dups else ''}"
    )
    phase.check("messages lost = 0", n_lost == 0)
    phase.check("duplicates = 0", n_dups == 0)
    ok = True
    for label, passed in phase.checks:
        print(f"  [{'ok' if passed else 'FAIL'}] {label}")
        ok &= passed
    return ok


# --- scenarios ----------------------------------------------------------------------------------
def run_phase(rec: Recorder, phase: Phase) -> None:
    rec.phase = phase.name
    phase.started = time.monotonic()
    print(f"  [{time.strftime('%H:%M:%S')}] {phase.title}", flush=True)


def end_phase(phase: Phase) -> None:
    phase.ended = time.monotonic()


def scenario_postgres(rec: Recorder, phase: Phase, web: h.Proc) -> None:
    run_phase(rec, phase)
    time.sleep(3)
    mark = log_size(web)
    phase.fault_start = time.monotonic()
    accepting: list[float] = []
    watching = threading.Event()

    def watch() -> None:
        # pg_ctlcluster returns a while after the server accepts connections: the outage ends at
        # the first successful connection, not when the command returns.
        while not watching.is_set() and not accepting:
            if pg_accepts():
                accepting.append(time.monotonic())
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    try:
        pg_ctl("stop")
        stopped = time.monotonic()
        time.sleep(max(0.0, PG_OUTAGE_S - 0.5))
        watcher.start()
    finally:
        pg_ensure_running()
        wait_until(pg_accepts, 30, 0.1)
        watching.set()
        if watcher.is_alive():
            watcher.join(timeout=5)
        phase.fault_end = accepting[0] if accepting else time.monotonic()
    outage = phase.fault_end - phase.fault_start
    time.sleep(12)
    end_phase(phase)
    f = phase_figures(phase, rec)
    firsts = []
    for channel in ("chat", "webhook"):
        after = [
            s.started - phase.fault_end
            for s in rec.samples
            if s.channel == channel and s.ok and s.started >= phase.fault_end
        ]
        last_error = [
            s.ended - phase.fault_end
            for s in rec.samples
            if s.channel == channel and not s.ok and s.phase == phase.name
        ]
        firsts.append(
            f"{channel}: first 200 sent {min(after, default=float('nan')):+.2f} s, last error "
            f"{max(last_error, default=float('nan')):+.2f} s"
        )
    phase.notes.append(
        f"shutdown took {stopped - phase.fault_start:.1f} s, down {phase.fault_end - stopped:.1f} "
        f"s; relative to PostgreSQL accepting connections again: " + "; ".join(firsts)
    )
    kinds = set(f["errors"]["chat"]) | set(f["errors"]["webhook"])  # type: ignore[index]
    phase.notes.append(
        f"web log: {log_count(web, 'database_unavailable', mark)} 'database_unavailable' "
        f"warnings, {log_count(web, 'unhandled_exception', mark)} unhandled exceptions"
    )
    phase.check(f"outage ≤ {MAX_OUTAGE_S:.0f} s ({outage:.1f} s)", outage <= MAX_OUTAGE_S)
    phase.check(f"failures are 503 only ({sorted(kinds) or 'none'})", kinds <= {"503"})
    phase.check(
        f"fail fast: slowest failed request {f['slowest_error_ms']:.0f} ms ≤ 1000 ms",
        f["slowest_error_ms"] <= 1000,  # type: ignore[operator]
    )
    phase.check(
        f"recovery ≤ {RECOVERY_BUDGET_S:.0f} s after PostgreSQL is back ({f['recovery_s']:.2f} s)",
        f["recovery_s"] <= RECOVERY_BUDGET_S,  # type: ignore[operator]
    )


def scenario_redis(rec: Recorder, phase: Phase, web: h.Proc, fake) -> None:  # type: ignore[no-untyped-def]
    run_phase(rec, phase)
    time.sleep(3)
    mark = log_size(web)
    dup_customers = [f"whatsapp:+521{5700000000 + i}" for i in range(5)]
    dup_statuses: Counter = Counter()
    phase.fault_start = time.monotonic()
    try:
        redis_stop()
        wait_until(lambda: not port_open(6379), 5)
        time.sleep(1.0)
        # Twilio redelivering while Redis is down: only the database can recognise the copies.
        poster = Http(PORT)
        for address in dup_customers:
            form = h.inbound_form(sid="SM" + uuid.uuid4().hex, from_address=address, body="hola")
            body, signature = h.signed_body(form)
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
            }
            send = WaSend(phase.name, form["MessageSid"], address, "hola", time.monotonic())
            for _ in range(3):
                status, _ = poster.post(h.WEBHOOK, body, headers)
                dup_statuses[status] += 1
                if status == 200 and send.acked is None:
                    send.acked = time.monotonic()
            with rec.lock:
                rec.wa_sends.append(send)
        remaining = REDIS_OUTAGE_S - (time.monotonic() - phase.fault_start)
        time.sleep(max(0.0, remaining))
    finally:
        redis_ensure_running()
        phase.fault_end = time.monotonic()
    outage = phase.fault_end - phase.fault_start
    # Tasks enqueued while the broker was down (and the queue Redis lost) come back through the
    # beat sweep (every SWEEP_INTERVAL_S, work pending > SWEEP_AFTER_S).
    answered = wait_until(
        lambda: all(any(m["to"] == a for m in list(fake.created)) for a in dup_customers),
        SWEEP_AFTER_S + 3 * SWEEP_INTERVAL_S + 15,
        0.2,
    )
    replies_at = time.monotonic() - phase.fault_end
    for send in [s for s in rec.wa_sends if s.address in dup_customers]:
        send.replied = time.monotonic() if answered else None
    time.sleep(2)
    end_phase(phase)
    f = phase_figures(phase, rec)
    throttle = log_count(web, "chat_throttle_unavailable", mark)
    cache = log_count(web, "state_cache_unavailable", mark)
    claim = log_count(web, "whatsapp_redis_unavailable", mark)
    db_dups = _db_duplicates(dup_customers)
    for cause, n in unhandled_causes(web, mark).items():
        phase.notes.append(f"HTTP 500 × {n}: {cause}")
    phase.notes.append(
        f"web log during the outage: {throttle} 'chat_throttle_unavailable' (throttle fails "
        f"open), {cache} 'state_cache_unavailable' (cache bypassed), {claim} "
        f"'whatsapp_redis_unavailable' (claims fall back to the database)"
    )
    phase.notes.append(
        f"5 deliveries × 3 copies while Redis was down: HTTP {dict(dup_statuses)}; stored "
        f"{db_dups['stored']} messages, {db_dups['replies']} replies sent; all answered "
        f"{replies_at:.1f} s after Redis was back (beat sweep every {SWEEP_INTERVAL_S} s for "
        f"work pending > {SWEEP_AFTER_S} s)"
    )
    chat_errors = sum(f["errors"]["chat"].values())  # type: ignore[index]
    phase.check(f"outage ≤ {MAX_OUTAGE_S:.0f} s ({outage:.1f} s)", outage <= MAX_OUTAGE_S)
    phase.check(f"/chat kept answering: {chat_errors} errors", chat_errors == 0)
    phase.check("throttle failed open and said so in the log", throttle > 0)
    phase.check(
        "duplicate deliveries recognised by the database (5 stored, 5 answered)",
        answered and db_dups["stored"] == 5 and db_dups["replies"] == 5,
    )


def unhandled_causes(proc: h.Proc, since: int) -> Counter:
    """``exception type @ innermost project frame`` of each 500 logged after ``since``."""
    causes: Counter = Counter()
    for line in proc.log.read_bytes()[since:].decode(errors="replace").splitlines():
        if "unhandled_exception" not in line:
            continue
        try:
            trace = json.loads(line).get("exc_info", "")
        except ValueError:
            continue
        frames = re.findall(
            r'File "' + re.escape(str(h.ROOT)) + r'/(?!\.venv)([^"]+)", line (\d+), in (\w+)', trace
        )
        last = (trace.strip().splitlines() or ["?"])[-1].split(":")[0]
        where = f"{frames[-1][0]}:{frames[-1][2]}" if frames else "?"
        causes[f"{last} in {where}"] += 1
    return causes


def _db_duplicates(addresses: list[str]) -> dict[str, int]:
    from django.db import connections

    from channels.models import WhatsAppInbound, WhatsAppOutbound

    connections.close_all()
    return {
        "stored": WhatsAppInbound.objects.filter(from_address__in=addresses).count(),
        "replies": WhatsAppOutbound.objects.filter(
            to_address__in=addresses, status__in=["queued", "sent", "delivered", "read"]
        ).count(),
    }


def _in_flight_send(fake, since: float) -> bool:  # type: ignore[no-untyped-def]
    """A send the fake accepted (message created) and is not answering: the worker is mid-call."""
    return any(r.behaviour == "timeout" and r.at >= since for r in list(fake.requests))


def _task_ids(log: str, pattern: str) -> set[str]:
    return set(re.findall(pattern, log))


def scenario_worker(
    rec: Recorder, phase: Phase, env: Environment, fake, procs: list[h.Proc], worker: h.Proc
) -> h.Proc:  # type: ignore[no-untyped-def]
    """Returns the worker running at the end (the replacement)."""
    run_phase(rec, phase)
    mark = log_size(worker)
    time.sleep(2)
    # 1. The pool processes killed while one of them waits on Twilio.
    armed = time.time()
    fake.script("timeout")
    if not wait_until(lambda: _in_flight_send(fake, armed), 30, 0.01):
        phase.check("a send was in flight to kill", False)
        end_phase(phase)
        return worker
    pool = children(worker.popen.pid)
    phase.fault_start = time.monotonic()
    for pid in pool:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    wait_until(lambda: len(set(children(worker.popen.pid)) - set(pool)) >= 1, 15, 0.1)
    lost_pool = log_count(worker, "WorkerLostError", mark)
    time.sleep(8)
    # 2. The whole worker killed (SIGKILL of the process group) mid-call, replaced at once.
    armed = time.time()
    fake.script("timeout")
    wait_until(lambda: _in_flight_send(fake, armed), 30, 0.01)
    before_kill = worker.log.read_bytes()[mark:].decode(errors="replace")
    worker.kill_group()
    killed_at = time.monotonic()
    replacement = h.start_worker(env, name="chaos-worker-b", concurrency=WORKER_CONCURRENCY)
    procs.append(replacement)
    phase.fault_end = time.monotonic()
    # Its unacknowledged tasks come back after the visibility timeout.
    received = _task_ids(before_kill, r"Task [\w.]+\[([0-9a-f-]+)\] received")
    finished = _task_ids(before_kill, r"Task [\w.]+\[([0-9a-f-]+)\] (?:succeeded|retry)")
    in_hand = received - finished
    wait_until(lambda: (time.monotonic() - killed_at) > VISIBILITY_TIMEOUT_S + 12, 40, 0.5)
    after = replacement.log.read_text(errors="replace")
    redelivered = in_hand & _task_ids(after, r"Task [\w.]+\[([0-9a-f-]+)\] received")
    end_phase(phase)
    reconciled = log_count(worker, "outcome=found") + log_count(replacement, "outcome=found")
    phase.notes.append(
        f"pool processes SIGKILLed mid-send: {len(pool)} (WorkerLostError lines: {lost_pool}); "
        f"whole worker SIGKILLed mid-send and replaced in {phase.fault_end - killed_at:.1f} s"
    )
    phase.notes.append(
        f"tasks the killed worker held: {len(in_hand)}, redelivered to the replacement after the "
        f"{VISIBILITY_TIMEOUT_S} s visibility timeout: {len(redelivered)}; sends found at Twilio "
        f"by reconciliation instead of resent: {reconciled}"
    )
    phase.check("in-flight sends reconciled, not resent", reconciled >= 1)
    phase.check(
        f"tasks held by the killed worker redelivered ({len(redelivered)}/{len(in_hand)})",
        redelivered == in_hand,
    )
    return replacement


def llm_available() -> str:
    """Empty when the LLM support and its stub server are here, else why the scenario is skipped."""
    if not (h.ROOT / "conversations" / "llm" / "circuit.py").exists():
        return "conversations/llm/circuit.py not found (LLM support not landed)"
    if not (h.ROOT / "tests" / "llm" / "stub_server.py").exists():
        return "tests/llm/stub_server.py not found"
    try:
        from django.conf import settings

        settings.LLM_CIRCUIT_COOLDOWN_S  # noqa: B018
        from tests.llm.stub_server import stub_model_server  # noqa: F401
    except (ImportError, AttributeError) as exc:
        return f"LLM support not importable: {exc}"
    return ""


def scenario_llm(
    rec: Recorder, phase: Phase, env: Environment, procs: list[h.Proc], web: h.Proc, model
) -> None:  # type: ignore[no-untyped-def]
    run_phase(rec, phase)
    web_mark = log_size(web)
    model.mode = "faithful"
    time.sleep(6)
    healthy_calls = model.calls
    # Slow: every answer takes 10 s (far beyond the chat budget).
    model.mode = "timeout"
    model.delay_s = LLM_SLOW_S
    phase.fault_start = time.monotonic()
    slow_from = len(rec.samples)
    time.sleep(12)
    slow_samples = [s for s in rec.samples[slow_from:] if s.channel == "chat"]
    # Failing: HTTP 500 (the circuit is open; its probes fail and reopen it).
    model.mode = "500"
    time.sleep(8)
    # Healthy again: after the cool-down one probe succeeds and closes the circuit.
    calls_before = model.calls
    model.mode = "faithful"
    phase.fault_end = time.monotonic()
    closed = wait_until(lambda: model.calls > calls_before + 3, LLM_COOLDOWN_S + 20, 0.2)
    closed_after = time.monotonic() - phase.fault_end
    time.sleep(3)
    end_phase(phase)
    opened = log_count(web, "llm_circuit_opened", web_mark)
    reopened = log_count(web, "llm_circuit_reopened", web_mark)
    worker_logs = [p for p in procs if p.name.startswith("chaos-worker")]
    opened += sum(log_count(p, "llm_circuit_opened") for p in worker_logs)
    reopened += sum(log_count(p, "llm_circuit_reopened") for p in worker_logs)
    slow_ok = [s for s in slow_samples if s.ok]
    slow_max = max(((s.ended - s.started) for s in slow_ok), default=0.0)
    budget = float(env.extra.get("LLM_CHAT_BUDGET_S", "2.5"))
    in_fault = [
        a
        for a in rec.chat_acks
        if phase.fault_start <= a.at <= phase.fault_end + 0.5  # type: ignore[operator]
    ]
    smoothed_in_fault = sum(a.reply.startswith("Claro") for a in in_fault)
    smoothed_after = sum(
        a.reply.startswith("Claro") for a in rec.chat_acks if a.at > phase.fault_end + closed_after
    )
    wa = [s for s in rec.wa_sends if s.phase == phase.name and s.replied and s.acked]
    wa_max = max((s.replied - s.acked for s in wa), default=0.0)  # type: ignore[operator]
    phase.notes.append(
        f"stub calls while healthy: {healthy_calls}; /chat while the LLM took {LLM_SLOW_S:.0f} s: "
        f"{len(slow_ok)}/{len(slow_samples)} answered, slowest {slow_max:.2f} s "
        f"(chat budget {budget} s)"
    )
    phase.notes.append(
        f"circuit: 'llm_circuit_opened' {opened}×, 'llm_circuit_reopened' {reopened}× (failed "
        f"probes) in the web and worker logs; calls resumed {closed_after:.1f} s after the LLM was "
        f"healthy (cool-down {LLM_COOLDOWN_S:.0f} s)"
    )
    phase.notes.append(
        f"/chat replies while the LLM was slow or failing: {len(in_fault)}, of which rephrased by "
        f"the LLM {smoothed_in_fault} (the rest deterministic); rephrased again after it "
        f"recovered: {smoothed_after}; WhatsApp replies: {len(wa)}, slowest {wa_max:.1f} s after "
        f"the webhook's 200 (WhatsApp LLM budget {env.extra.get('LLM_WHATSAPP_BUDGET_S', '12')} s)"
    )
    phase.check(
        f"/chat answered within the budget + 1 s while the LLM was slow ({slow_max:.2f} s)",
        bool(slow_ok) and len(slow_ok) == len(slow_samples) and slow_max <= budget + 1.0,
    )
    phase.check("the circuit opened", opened >= 1)
    # "llm_circuit_closed" is an INFO line (the run logs WARNING and up): calls reaching the stub
    # again after the cool-down and rephrased replies are the evidence that it closed.
    phase.check(
        "the circuit closed again: calls resumed and replies are rephrased again",
        closed and smoothed_after > 0,
    )


# --- the run ------------------------------------------------------------------------------------
def start_product(
    env: Environment,
    procs: list[h.Proc],
    *,
    web_name: str,
    llm: dict[str, str] | None = None,
    port: int | None = None,
    web_workers: int = WEB_WORKERS,
    concurrency: int = WORKER_CONCURRENCY,
) -> tuple[h.Proc, h.Proc]:
    """gunicorn and one Celery worker, each with a Prometheus multiprocess directory of its own."""
    extra = dict(llm or {})
    worker_name = web_name.replace("web", "worker")
    with extra_env(env, PROMETHEUS_MULTIPROC_DIR=metrics_dir(f"{web_name}-metrics"), **extra):
        web = h.start_gunicorn(env, port=port or PORT, workers=web_workers, name=web_name)
    procs.append(web)
    with extra_env(env, PROMETHEUS_MULTIPROC_DIR=metrics_dir(f"{worker_name}-metrics"), **extra):
        worker = h.start_worker(env, name=worker_name, concurrency=concurrency)
    procs.append(worker)
    return web, worker


def scrape(wanted: tuple[tuple[str, str], ...]) -> list[str]:
    """Non-zero counters of /metrics whose name starts with the first string of a pair and whose
    labels contain the second."""
    status, data = Http(PORT).get("/metrics")
    if status != 200:
        return [f"/metrics answered {status}"]
    lines = []
    for line in data.decode().splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, _, value = line.rpartition(" ")
        if not any(name.startswith(f) and part in name for f, part in wanted):
            continue
        if float(value) and (name.split("{")[0].endswith(("_count", "_total"))):
            lines.append(f"{name} {float(value):.0f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="make chaos: faults under load, with figures")
    parser.add_argument(
        "--only",
        choices=["slow-clients"],
        help="run one scenario alone (slow-clients stops neither PostgreSQL nor Redis)",
    )
    args = parser.parse_args(argv)
    with exclusive_run("chaos"):
        return run_slow_clients_only() if args.only == "slow-clients" else run()


def run_slow_clients_only() -> int:
    """Scenario (e) on a database of its own; PostgreSQL and Redis keep running throughout."""
    from slow_clients import scenario_slow_clients

    env = Environment(database="kavak_chaos_slow", redis_db=10, fake_url="http://127.0.0.1:9")
    print(f"chaos (slow clients only): database {env.database}, Redis db 10 prefix {env.prefix}")
    print("  preparing the database (migrate + demo catalogue)…", flush=True)
    try:
        h.recreate_database(env)
        h.django_setup(env)
        from rest_framework_api_key.models import APIKey

        _, key = APIKey.objects.create_key(name="chaos-slow-clients")
        ok = scenario_slow_clients(env, key)
    finally:
        with contextlib.suppress(Exception):
            h.redis_cleanup(env)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
            h.drop_database(env)
    print(f"\nchaos (slow clients): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def run() -> int:
    from tests.channels.fake_twilio import FakeTwilio

    global PORT
    PORT = free_port()
    started = time.monotonic()
    fake = FakeTwilio(account_sid=h.ACCOUNT_SID, slow_s=3.0).start()
    env = Environment(
        database="kavak_chaos_ops",
        redis_db=10,
        fake_url=fake.base_url,
        burst_window_s=0.3,
        extra={
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S),
            "WHATSAPP_SWEEP_INTERVAL_S": str(SWEEP_INTERVAL_S),
            "WHATSAPP_SWEEP_AFTER_S": str(SWEEP_AFTER_S),
            "CHAT_THROTTLE_RATE": "100000/min",
            "CATALOG_VOCABULARY_RECHECK_S": "1.0",
            "API_KEY_CACHE_SECONDS": "30",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        },
    )
    print(f"chaos: database {env.database}, Redis db {env.redis_db} prefix {env.prefix}")
    print("  preparing the database (migrate + demo catalogue)…", flush=True)
    rec = Recorder()
    phases = {
        "baseline": Phase("baseline", "baseline (no fault)"),
        "postgres": Phase("postgres", f"(a) PostgreSQL stopped for ~{PG_OUTAGE_S:.0f} s"),
        "redis": Phase("redis", f"(b) Redis stopped for ~{REDIS_OUTAGE_S:.0f} s"),
        "worker": Phase("worker", "(d) Celery worker killed mid-task"),
        "llm": Phase("llm", f"(c) LLM slow ({LLM_SLOW_S:.0f} s) then failing (500)"),
    }
    ok = True
    try:
        pg_ensure_running()
        redis_ensure_running()
        h.recreate_database(env)
        h.django_setup(env)
        from rest_framework_api_key.models import APIKey

        _, key = APIKey.objects.create_key(name="chaos")
        with h.processes() as procs:
            web, worker = start_product(env, procs, web_name="chaos-web")
            procs.append(h.start_beat(env, name="chaos-beat"))
            print(
                f"  gunicorn on :{PORT} ({WEB_WORKERS} sync workers, PROMETHEUS_MULTIPROC_DIR), "
                f"1 Celery worker ({WORKER_CONCURRENCY} processes, acks late, visibility "
                f"{VISIBILITY_TIMEOUT_S} s), beat sweep every {SWEEP_INTERVAL_S} s; load: "
                f"{CHAT_CLIENTS} /chat clients + {WA_CUSTOMERS} WhatsApp customers",
                flush=True,
            )
            skip_llm = llm_available()
            with load(
                rec, key=key, fake=fake, chat_clients=CHAT_CLIENTS, wa_customers=WA_CUSTOMERS
            ):
                time.sleep(3)
                run_phase(rec, phases["baseline"])
                time.sleep(8)
                end_phase(phases["baseline"])
                scenario_postgres(rec, phases["postgres"], web)
                scenario_redis(rec, phases["redis"], web, fake)
                worker = scenario_worker(rec, phases["worker"], env, fake, procs, worker)
                metrics_lines = scrape(
                    (
                        ("kavak_http_request_seconds_count", 'route="chat"'),
                        ("kavak_http_request_seconds_count", 'route="channels/whatsapp/webhook"'),
                        ("kavak_webhook_duplicates_total", ""),
                        ("kavak_turn_seconds_count", ""),
                    )
                )
                if skip_llm:
                    phases["llm"].skipped = skip_llm
                else:
                    ok &= _llm_phase(rec, phases["llm"], env, procs, fake, key)
                rec.phase = "drain"
            print(f"  [{time.strftime('%H:%M:%S')}] load stopped; waiting for pending replies")
            _drain(rec, fake)
            figures = accounting(rec, fake)
            leads_before, leads_after = lead_sweep(rec)
        from slow_clients import scenario_slow_clients

        slow_ok = scenario_slow_clients(env, key)
    finally:
        fake.stop()
        pg_ensure_running()
        redis_ensure_running()
        with contextlib.suppress(Exception):
            h.redis_cleanup(env)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
            h.drop_database(env)
    for name, phase in phases.items():
        ok &= print_phase(
            phase,
            rec,
            figures["lost"][name],
            figures["dups"][name],
            leads_before[name],
            leads_after[name],
        )
    others = sorted((set(figures["lost"]) | set(figures["dups"])) - set(phases))
    other_lost = sum(sum(figures["lost"][p].values()) for p in others)
    other_dups = sum(sum(figures["dups"][p].values()) for p in others)
    outside = [smp for smp in rec.samples if smp.phase not in phases]
    outside_errors = Counter(f"{smp.channel} {smp.kind}" for smp in outside if not smp.ok)
    print(
        f"\n== outside the scenarios (warm-up, restarting web and worker with the LLM on, drain): "
        f"{len(outside)} requests, errors {dict(outside_errors) or 0} (connections refused while "
        f"gunicorn restarts); messages lost {other_lost}, duplicates {other_dups}"
    )
    for p in others:
        if figures["lost"][p] or figures["dups"][p]:
            print(f"  {p}: lost {dict(figures['lost'][p])} duplicates {dict(figures['dups'][p])}")
    ok &= other_lost == 0 and other_dups == 0
    ok &= slow_ok
    print("\n/metrics after scenarios a, b, d (web processes; non-zero counters):")
    for line in metrics_lines:
        print(f"  {line}")
    total_lost = sum(sum(c.values()) for c in figures["lost"].values())
    total_dups = sum(sum(c.values()) for c in figures["dups"].values())
    total = time.monotonic() - started
    print(
        f"\nchaos: {'PASS' if ok else 'FAIL'} in {total:.0f} s — messages lost {total_lost}, "
        f"duplicates {total_dups}"
    )
    return 0 if ok else 1


def _llm_phase(rec: Recorder, phase: Phase, env: Environment, procs, fake, key: str) -> bool:  # type: ignore[no-untyped-def]
    """Restart web and worker with the LLM on (the stub), run scenario (c) under the same load."""
    from tests.llm.stub_server import stub_model_server

    with stub_model_server() as model:
        llm = {
            "LLM_ENABLED": "true",
            "OPENAI_API_KEY": "sk-chaos-not-a-real-key",
            "OPENAI_BASE_URL": model.url,
            "OPENAI_MODEL": "stub-model",
            "LLM_USES": "faq,slots,smooth",  # the scenario counts smoothed replies
            "LLM_CIRCUIT_COOLDOWN_S": str(LLM_COOLDOWN_S),
        }
        rec.phase = "llm-restart"
        for proc in [p for p in procs if p.name.startswith(("chaos-web", "chaos-worker"))]:
            proc.stop()
            procs.remove(proc)
        env.extra.update(llm)
        web, _ = start_product(env, procs, web_name="chaos-web-llm")
        scenario_llm(rec, phase, env, procs, web, model)
        rec.phase = "drain"
        rec.stop.set()
        _drain(rec, fake)
    return True


def _drain(rec: Recorder, fake) -> None:  # type: ignore[no-untyped-def]
    """Wait (bounded) until every acknowledged WhatsApp message has been answered."""
    wait_until(
        lambda: all(s.replied is not None or s.acked is None for s in list(rec.wa_sends)),
        30,
        0.2,
    )


if __name__ == "__main__":
    sys.exit(main())
