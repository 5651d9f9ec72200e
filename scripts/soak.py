"""`make soak`: 5 minutes at half the measured maximum throughput, with figures.

The product as in `make chaos` (gunicorn with 4 sync workers and Prometheus multiprocess mode,
PostgreSQL, Redis, one Celery worker with 2 processes, Celery beat, the fake Twilio server), on a
database of its own (``kavak_soak``, recreated) and Redis database 9. The workload is a mix: paced
``POST /chat`` turns of scripted 10-turn conversations, plus WhatsApp customers posting signed
webhooks and waiting for each reply (closed loop).

1. Ramp: K closed-loop /chat clients (no think time) for a few seconds each, WhatsApp customers
   running too; the best turns/s is the maximum.
2. Warm-up at the soak rate (not measured), then the resident memory (RSS) of every gunicorn,
   Celery and beat process.
3. Soak: /chat paced at half the maximum for SOAK_SECONDS (default 300), open loop (a request
   whose slot has come is sent even if earlier ones were slow).
4. Figures: requests and errors, throughput reached, p50/p95/p99 per minute, RSS growth per
   process, WhatsApp messages lost and duplicated. Exit status 1 unless: zero errors, zero lost or
   duplicated, every process grew less than 10%, and the last minute's p95 is within 1.5× (or 10 ms)
   of the first minute's.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from scripts.chaos import clients, control, report
from scripts.chaos.clients import Http
from scripts.chaos.config import REPLY_WAIT_S
from scripts.chaos.records import ChatAck, Recorder, Sample
from tests.support import whatsapp_harness as h
from tests.support.whatsapp_harness import CHAT_SCRIPT, Environment

PORT = 18641  # replaced by a free port at start
WEB_WORKERS = int(os.environ.get("SOAK_WEB_WORKERS", str((os.cpu_count() or 2) * 2)))
WORKER_CONCURRENCY = 2
WA_CUSTOMERS = 4
WA_THINK_S = 0.5
RAMP_LEVELS = (2, 4, 8, 16)
RAMP_SECONDS = 6.0
WARMUP_SECONDS = 30.0
SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "300"))
PACED_CLIENTS = 12
MAX_RSS_GROWTH = 0.10
P95_FACTOR, P95_SLACK_MS = 1.5, 10.0


def chat_paced(
    rec: Recorder, index: int, key: str, rate: float, clients: int, until: threading.Event
) -> None:
    """One of ``clients`` threads sending together ``rate`` turns/s: this thread's slots are
    ``clients / rate`` seconds apart, offset by its index (open loop)."""
    client = Http(PORT)
    rng = random.Random(1000 + index)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    interval = clients / rate
    slot = time.monotonic() + index * interval / clients
    while not until.is_set():
        session = f"soak-{index}-{rng.getrandbits(40):x}"
        phone = f"55{rng.randrange(10**7, 10**8)}"
        for index_in_script, step in enumerate(CHAT_SCRIPT):
            delay = slot - time.monotonic()
            if delay > 0 and until.wait(delay):
                return
            slot += interval
            text = step.format(phone=phone)
            body = json.dumps({"session_id": session, "message": text}).encode()
            phase = rec.phase
            started = time.monotonic()
            status, data = client.post("/chat", body, headers)
            rec.add(Sample(phase, "chat", started, time.monotonic(), status, 0, index_in_script))
            if status != 200:
                break  # this conversation is out of step: start a new one
            answer = json.loads(data)
            lead = answer.get("lead") or {}
            with rec.lock:
                rec.chat_acks.append(
                    ChatAck(
                        phase, session, text, answer["turn_id"], False, lead.get("phone") or "",
                        answer["reply"], time.monotonic(),
                    )
                )  # fmt: skip


def chat_closed_loop(rec: Recorder, index: int, key: str, until: threading.Event) -> None:
    client = Http(PORT)
    rng = random.Random(index)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    while not until.is_set():
        session = f"ramp-{index}-{rng.getrandbits(40):x}"
        phone = f"55{rng.randrange(10**7, 10**8)}"
        for step in CHAT_SCRIPT:
            if until.is_set():
                return
            body = json.dumps({"session_id": session, "message": step.format(phone=phone)})
            started = time.monotonic()
            status, _ = client.post("/chat", body.encode(), headers)
            rec.add(Sample(rec.phase, "chat", started, time.monotonic(), status, 0))
            if status != 200:
                break


def load_average() -> float:
    """The machine's 1-minute load average: other test runs share these 2 cores."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")


def run_threads(
    targets: list[tuple[object, tuple]],  # type: ignore[type-arg]
    seconds: float,
    *,
    every_minute: Callable[[], None] | None = None,
) -> None:
    until = threading.Event()
    threads = [
        threading.Thread(target=fn, args=(*args, until), daemon=True)  # type: ignore[arg-type]
        for fn, args in targets
    ]
    for t in threads:
        t.start()
    deadline = time.monotonic() + seconds
    while not until.wait(min(60.0, max(0.0, deadline - time.monotonic()))):
        if every_minute is not None:
            every_minute()
        if time.monotonic() >= deadline:
            break
    until.set()
    for t in threads:
        t.join(timeout=30)


def processes_rss(procs: list[h.Proc]) -> dict[str, tuple[int, float]]:
    """name → (pid, RSS MB) for every server process and its children (gunicorn/Celery pools)."""
    out: dict[str, tuple[int, float]] = {}
    for proc in procs:
        if proc.popen.poll() is not None:
            continue
        out[f"{proc.name} (main)"] = (proc.popen.pid, control.rss_mb(proc.popen.pid))
        for i, pid in enumerate(sorted(control.children(proc.popen.pid))):
            out[f"{proc.name} child {i + 1}"] = (pid, control.rss_mb(pid))
    return out


def sequential_reads(limit: int = 6) -> list[tuple[str, int, int, int]]:
    """(table, live rows, sequential scans, rows read by them) of the most sequentially read
    tables of the run's database: a table read whole on every turn slows down as it grows."""
    from django.db import connection, connections

    connections.close_all()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_live_tup, seq_scan, seq_tup_read FROM pg_stat_user_tables "
            "ORDER BY seq_tup_read DESC LIMIT %s",
            [limit],
        )
        return [(r[0], int(r[1]), int(r[2]), int(r[3])) for r in cursor.fetchall()]


def per_minute(samples: list[Sample], start: float, channel: str) -> list[tuple[int, int, float]]:
    """(requests, errors, p50, p95, p99 ms) per whole minute since ``start``."""
    minutes: dict[int, list[Sample]] = {}
    for s in samples:
        if s.channel == channel:
            minutes.setdefault(int((s.started - start) // 60), []).append(s)
    rows = []
    for minute in sorted(minutes):
        lat = sorted((s.ended - s.started) * 1000 for s in minutes[minute] if s.ok)
        errors = sum(not s.ok for s in minutes[minute])
        rows.append(
            (
                minute,
                len(minutes[minute]),
                errors,
                h.percentile(lat, 50),
                h.percentile(lat, 95),
                h.percentile(lat, 99),
            )
        )
    return rows  # type: ignore[return-value]


def main() -> int:
    with control.exclusive_run("soak"):
        return run()


def run() -> int:
    from tests.support.fake_twilio import FakeTwilio

    global PORT
    PORT = control.free_port()
    started = time.monotonic()
    fake = FakeTwilio(account_sid=h.ACCOUNT_SID).start()
    env = Environment(
        database="kavak_soak",
        redis_db=9,
        fake_url=fake.base_url,
        burst_window_s=0.3,
        extra={
            "CHAT_THROTTLE_RATE": "100000000/min",
            "WHATSAPP_RATE_LIMIT_MESSAGES": "0",
            "CATALOG_VOCABULARY_RECHECK_S": "1.0",
            "API_KEY_CACHE_SECONDS": "30",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_CONN_MAX_AGE": "600",
        },
    )
    print(f"soak: database {env.database}, Redis db {env.redis_db} prefix {env.prefix}")
    print("  preparing the database (migrate + demo catalogue)…", flush=True)
    rec = Recorder()
    ok = True
    try:
        control.pg_ensure_running()
        control.redis_ensure_running()
        h.recreate_database(env)
        h.django_setup(env)
        from rest_framework_api_key.models import APIKey

        _, key = APIKey.objects.create_key(name="soak")
        with h.processes() as procs:
            control.start_product(
                env, procs, web_name="soak-web", port=PORT, web_workers=WEB_WORKERS,
                concurrency=WORKER_CONCURRENCY,
            )  # fmt: skip
            procs.append(h.start_beat(env, name="soak-beat"))
            print(
                f"  gunicorn on :{PORT} ({WEB_WORKERS} sync workers), 1 Celery worker "
                f"({WORKER_CONCURRENCY} processes), beat; {WA_CUSTOMERS} WhatsApp customers "
                f"throughout",
                flush=True,
            )
            wa_threads = [
                threading.Thread(
                    target=clients.wa_customer, args=(rec, i, PORT, fake, WA_THINK_S), daemon=True
                )
                for i in range(WA_CUSTOMERS)
            ]
            for t in wa_threads:
                t.start()

            # 1. Ramp: the maximum turns/s of /chat alongside the WhatsApp customers.
            ramp: list[tuple[int, float, float]] = []
            for k in RAMP_LEVELS:
                rec.phase = f"ramp-{k}"
                began = time.monotonic()
                run_threads([(chat_closed_loop, (rec, i, key)) for i in range(k)], RAMP_SECONDS)
                elapsed = time.monotonic() - began
                done = [s for s in rec.samples if s.phase == rec.phase and s.channel == "chat"]
                lat = sorted((s.ended - s.started) * 1000 for s in done if s.ok)
                rate = sum(s.ok for s in done) / elapsed
                ramp.append((k, rate, h.percentile(lat, 95)))
                print(
                    f"  ramp K={k:>2}: {rate:6.1f} turns/s, p95 {h.percentile(lat, 95):6.1f} ms, "
                    f"errors {sum(not s.ok for s in done)}",
                    flush=True,
                )
            best = max(r for _, r, _ in ramp)
            target = best / 2
            print(f"  maximum {best:.1f} turns/s → soak at {target:.1f} turns/s", flush=True)

            # 2. Warm-up at the soak rate, then memory.
            rec.phase = "warm-up"
            paced = [
                (chat_paced, (rec, i, key, target, PACED_CLIENTS)) for i in range(PACED_CLIENTS)
            ]
            run_threads(paced, WARMUP_SECONDS)
            rss_start = processes_rss(procs)

            # 3. The soak.
            rec.phase = "soak"
            soak_start = time.monotonic()
            print(
                f"  [{time.strftime('%H:%M:%S')}] soak: {SOAK_SECONDS:.0f} s at "
                f"{target:.1f} turns/s",
                flush=True,
            )
            loads: list[float] = []
            rss_minutes: list[dict[str, tuple[int, float]]] = []

            def minute_mark() -> None:
                loads.append(load_average())
                rss_minutes.append(processes_rss(procs))

            run_threads(paced, SOAK_SECONDS, every_minute=minute_mark)
            soak_elapsed = time.monotonic() - soak_start
            rss_end = processes_rss(procs)
            rec.stop.set()
            for t in wa_threads:
                t.join(timeout=REPLY_WAIT_S + 10)
            report.drain(rec, fake)
            figures = report.accounting(rec, fake)
            leads = report.lead_notifications(rec)["soak"]
            tables = sequential_reads()
    finally:
        fake.stop()
        with contextlib.suppress(Exception):
            h.redis_cleanup(env)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
            h.drop_database(env)

    # --- figures --------------------------------------------------------------------------------
    soak = [s for s in rec.samples if s.phase == "soak"]
    chat = [s for s in soak if s.channel == "chat"]
    hooks = [s for s in soak if s.channel == "webhook"]
    errors = Counter(f"{s.channel} {s.kind}" for s in soak if not s.ok)
    chat_ok = sum(s.ok for s in chat)
    print(f"\n== soak: {soak_elapsed:.0f} s")
    print(
        f"  /chat: {len(chat)} requests, {chat_ok / soak_elapsed:.1f} turns/s reached "
        f"(target {target:.1f}, maximum {best:.1f}); webhook: {len(hooks)} deliveries"
    )
    print(f"  errors: {sum(errors.values())} {dict(errors) if errors else ''}")
    ok &= not errors
    rows = per_minute(soak, soak_start, "chat")
    print("  /chat per minute:   min  requests  errors  p50 ms  p95 ms  p99 ms  load avg")
    for minute, n, err, p50, p95, p99 in rows:  # type: ignore[misc]
        load = f"{loads[minute]:8.2f}" if minute < len(loads) else ""
        print(f"{'':21}{minute:>3}  {n:>8}  {err:>6}  {p50:6.1f}  {p95:6.1f}  {p99:6.1f}  {load}")
    full = [r for r in rows if r[0] < int(soak_elapsed // 60)]  # whole minutes only
    if len(full) >= 2:
        first, last = full[0][4], full[-1][4]
        stable = last <= max(first * P95_FACTOR, first + P95_SLACK_MS)
        print(
            f"  p95 first minute {first:.1f} ms, last minute {last:.1f} ms → "
            f"{'stable' if stable else 'NOT stable'} "
            f"(limit: ×{P95_FACTOR} or +{P95_SLACK_MS:.0f} ms)"
        )
        ok &= stable
    if len(full) >= 2:
        first_minute, last_minute = full[0][0], full[-1][0]
        cells = []
        for index in range(len(CHAT_SCRIPT)):
            pair = []
            for minute in (first_minute, last_minute):
                lat = sorted(
                    (s.ended - s.started) * 1000
                    for s in chat
                    if s.ok and s.step == index and int((s.started - soak_start) // 60) == minute
                )
                pair.append(h.percentile(lat, 95))
            cells.append(f"{index + 1}:{pair[0]:.0f}→{pair[1]:.0f}")
        print(f"  /chat p95 ms by script step, first → last minute: {' '.join(cells)}")
    print("  tables read sequentially the most (rows live / scans / rows read):")
    for name, live, scans, rows_read in tables:
        print(f"    {name:<34} {live:>8} / {scans:>7} / {rows_read:>11}")
    waits = [
        w.replied - w.acked
        for w in rec.wa_sends
        if w.phase == "soak" and w.replied is not None and w.acked is not None
    ]
    print(
        f"  WhatsApp: {len(waits)} replies, p50 {h.percentile(waits, 50):.2f} s, p95 "
        f"{h.percentile(waits, 95):.2f} s after the webhook's 200 (burst window "
        f"{env.burst_window_s} s)"
    )
    print("  RSS after warm-up → end of soak (MB at each minute in brackets):")
    for name, (pid, before) in rss_start.items():
        after_pid, after = rss_end.get(name, (0, float("nan")))
        same = after_pid == pid
        growth = (after - before) / before if before else float("nan")
        flag = "ok" if same and growth < MAX_RSS_GROWTH else "FAIL"
        note = "" if same else f" (pid changed {pid} → {after_pid})"
        trend = " ".join(f"{m[name][1]:.0f}" for m in rss_minutes[:-1] if name in m)
        print(
            f"    [{flag}] {name:<22} {before:7.1f} MB → {after:7.1f} MB  "
            f"{growth * 100:+5.1f}%{note}  [{trend}]"
        )
        ok &= flag == "ok"
    lost = sum(sum(c.values()) for c in figures["lost"].values())
    dups = sum(sum(c.values()) for c in figures["dups"].values())
    print(
        f"  /chat conversations completed with a lead: {leads['completed']}, sales never "
        f"notified: {leads['not_notified']}"
    )
    ok &= leads["not_notified"] == 0
    print(f"  messages lost: {lost}, duplicates: {dups}")
    ok &= lost == 0 and dups == 0
    total = time.monotonic() - started
    print(f"\nsoak: {'PASS' if ok else 'FAIL'} in {total:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
