"""The fault scenarios: PostgreSQL (a), Redis (b), the LLM (c), a Celery worker (d)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import threading
import time
import uuid
from collections import Counter

from scripts.chaos import config
from scripts.chaos.clients import Http
from scripts.chaos.config import (
    LLM_COOLDOWN_S,
    LLM_SLOW_S,
    MAX_OUTAGE_S,
    PG_OUTAGE_S,
    RECOVERY_BUDGET_S,
    REDIS_OUTAGE_S,
    SWEEP_AFTER_S,
    SWEEP_INTERVAL_S,
    VISIBILITY_TIMEOUT_S,
    WORKER_CONCURRENCY,
)
from scripts.chaos.control import (
    children,
    log_count,
    log_size,
    pg_accepts,
    pg_ctl,
    pg_ensure_running,
    port_open,
    redis_ensure_running,
    redis_stop,
    wait_until,
)
from scripts.chaos.records import Phase, Recorder, WaSend
from scripts.chaos.report import phase_figures
from tests.support import whatsapp_harness as h
from tests.support.whatsapp_harness import Environment


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
        poster = Http(config.PORT)
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
    if not (h.ROOT / "tests" / "support" / "stub_llm_server.py").exists():
        return "tests/support/stub_llm_server.py not found"
    try:
        from django.conf import settings

        settings.LLM_CIRCUIT_COOLDOWN_S  # noqa: B018
        from tests.support.stub_llm_server import stub_model_server  # noqa: F401
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
