"""`make bench-whatsapp`: webhook acknowledgement latency and inbound-to-send latency.

Own PostgreSQL database (``kavak_bench``, recreated) and Redis database 10 with a run prefix;
Twilio's REST API is the fake server in this process; everything on loopback, on the same box as
the load generator (so the figures include its CPU).

1. Acknowledgement: one gunicorn instance (4 sync workers = 2 × cores, the production default),
   no Celery worker running (the webhook only stores and enqueues). 32 concurrent keep-alive
   connections (4 client processes × 8 threads) post signed deliveries back to back; then bursts
   of 32 deliveries released at the same instant. Target: p95 ≤ 30 ms. For reference, the same
   bursts then go to the /chat benchmark's floor endpoint (one locked read + write, nothing else).
2. Inbound-to-send: one Celery worker with 2 processes, LLM off. Deliveries from distinct
   customers at a steady rate; latency = the fake Twilio receiving the reply minus the moment the
   delivery was posted. Burst window 0 (the window adds exactly its own length by design; a short
   run with the default 2 s window is printed too). Target: p95 ≤ 300 ms.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import threading
import time
import uuid

from tests.support import whatsapp_harness as h
from tests.support.whatsapp_harness import Environment

PORT = 18621
CONCURRENCY = 32
CLIENT_PROCESSES = 4
ACK_REQUESTS = 4000
BURSTS = 60
LATENCY_MESSAGES = 300
LATENCY_RATE_PER_S = 20
WINDOW_MESSAGES = 20


def _signed(n: int, offset: int) -> list[tuple[bytes, str]]:
    return [
        h.signed_body(
            h.inbound_form(sid="SM" + uuid.uuid4().hex, from_address=a, body="Hola, busco auto")
        )
        for a in h.customers(n, offset=offset)
    ]


def _client_closed_loop(
    jobs: list[tuple[bytes, str]], threads: int, out: mp.Queue, start: mp.Event
) -> None:
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0
    cursor = iter(jobs)

    def run() -> None:
        nonlocal errors
        poster = h.Poster(PORT)
        while True:
            with lock:
                job = next(cursor, None)
            if job is None:
                return
            status, ms = poster.post(*job)
            with lock:
                latencies.append(ms)
                errors += status != 200

    start.wait()
    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((latencies, errors))


def _client_bursts(
    jobs: list[list[tuple[bytes, str]]],
    threads: int,
    barrier: mp.Barrier,
    out: mp.Queue,
    path: str,
) -> None:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def run(index: int) -> None:
        nonlocal errors
        poster = h.Poster(PORT, path)
        for burst in jobs:
            barrier.wait()
            status, ms = poster.post(*burst[index])
            with lock:
                latencies.append(ms)
                errors += status != 200

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((latencies, errors))


def acknowledgement(offset: int, floor_id: int) -> None:
    ctx = mp.get_context("fork")
    per_process = CONCURRENCY // CLIENT_PROCESSES
    # Warm-up: every gunicorn worker opens its connections and imports lazily loaded code.
    warm = h.Poster(PORT)
    for body, signature in _signed(200, offset + 200):
        warm.post(body, signature)

    sequential = [warm.post(b, sig)[1] for b, sig in _signed(500, offset + 500)]
    print(f"  sequential, 1 connection (service time): {h.summary(sequential)}")

    jobs = _signed(ACK_REQUESTS, offset + 1000)
    out: mp.Queue = ctx.Queue()
    start = ctx.Event()
    chunks = [jobs[i::CLIENT_PROCESSES] for i in range(CLIENT_PROCESSES)]
    procs = [
        ctx.Process(target=_client_closed_loop, args=(chunk, per_process, out, start))
        for chunk in chunks
    ]
    for p in procs:
        p.start()
    began = time.perf_counter()
    start.set()
    results = [out.get(timeout=300) for _ in procs]
    elapsed = time.perf_counter() - began
    for p in procs:
        p.join()
    latencies = [ms for lat, _ in results for ms in lat]
    errors = sum(e for _, e in results)
    print(
        f"  closed loop, {CONCURRENCY} connections: {h.summary(latencies)}; "
        f"{len(latencies) / elapsed:.0f} deliveries/s; non-200: {errors}"
    )

    bursts = [_signed(CONCURRENCY, offset + 10_000 + b * CONCURRENCY) for b in range(BURSTS)]
    latencies, errors = _bursts(ctx, bursts, h.WEBHOOK)
    verdict = "OK" if h.percentile(latencies, 95) <= 30 else "ABOVE TARGET"
    print(
        f"  {BURSTS} bursts of {CONCURRENCY} simultaneous deliveries: {h.summary(latencies)}; "
        f"non-200: {errors}  →  p95 target ≤ 30 ms: {verdict}"
    )
    # Reference: the same bursts on the bench-chat floor (one locked read + write in DRF, no
    # signature, Redis or Celery), served by the same gunicorn: what any write costs here.
    latencies, errors = _bursts(ctx, bursts, f"/bench/floor/{floor_id}")
    print(
        f"  reference, the same bursts on the /chat benchmark's floor endpoint (one locked read + "
        f"write, nothing else): {h.summary(latencies)}; non-200: {errors}"
    )


def _bursts(
    ctx: mp.context.BaseContext, bursts: list[list[tuple[bytes, str]]], path: str
) -> tuple[list[float], int]:
    """``bursts`` released at once by CONCURRENCY threads in CLIENT_PROCESSES processes."""
    per_process = CONCURRENCY // CLIENT_PROCESSES
    barrier = ctx.Barrier(CONCURRENCY)
    out: mp.Queue = ctx.Queue()
    procs = []
    for p_index in range(CLIENT_PROCESSES):
        mine = [[burst[p_index * per_process + t] for t in range(per_process)] for burst in bursts]
        procs.append(
            ctx.Process(target=_client_bursts, args=(mine, per_process, barrier, out, path))
        )
    for p in procs:
        p.start()
    results = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join()
    return [ms for lat, _ in results for ms in lat], sum(e for _, e in results)


def inbound_to_send(fake, *, n: int, rate: float, offset: int) -> list[float]:  # type: ignore[no-untyped-def]
    addresses = h.customers(n, offset=offset)
    posted: dict[str, float] = {}
    poster = h.Poster(PORT)
    interval = 1.0 / rate
    next_at = time.perf_counter()
    for address in addresses:
        form = h.inbound_form(sid="SM" + uuid.uuid4().hex, from_address=address, body="Hola")
        body, signature = h.signed_body(form)
        delay = next_at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        next_at += interval
        posted[address] = time.time()
        status, _ = poster.post(body, signature)
        if status != 200:
            print(f"  delivery answered {status}")
    deadline = time.monotonic() + 60
    wanted = set(addresses)
    while time.monotonic() < deadline and not wanted <= {m["to"] for m in fake.created}:
        time.sleep(0.05)
    first_send: dict[str, float] = {}
    for record in fake.requests:
        to = record.form.get("To", "")
        if to in wanted and record.sid and to not in first_send:
            first_send[to] = record.at
    missing = len(wanted - set(first_send))
    if missing:
        print(f"  {missing} replies not sent within 60 s")
    return [(first_send[a] - posted[a]) * 1000 for a in addresses if a in first_send]


def main() -> int:
    from tests.support.fake_twilio import FakeTwilio

    fake = FakeTwilio(account_sid=h.ACCOUNT_SID).start()
    env = Environment(
        database="kavak_bench",
        redis_db=10,
        fake_url=fake.base_url,
        burst_window_s=0,
        extra=h.bench_floor_variables(),  # the floor endpoint: the reference line of part 1
    )
    started = time.monotonic()
    print(f"bench-whatsapp: database {env.database}, Redis db {env.redis_db} prefix {env.prefix}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"  {os.cpu_count()} CPUs, load average before the run: {load}")
    print("  preparing the database (migrate + demo catalogue)…")
    ok = True
    try:
        h.recreate_database(env)
        with h.processes() as procs:
            procs.append(h.start_gunicorn(env, port=PORT, workers=4, name="bench-web"))
            print(
                "\n== 1. Webhook acknowledgement (1 gunicorn instance, 4 sync workers, no worker)"
            )
            acknowledgement(offset=0, floor_id=h.floor_conversation(env))
            # The acknowledgement run left ~4,000 queued turns: drop them, they are not measured.
            h.redis_client(env).delete(env.message_queue, env.turn_queue)

            print("\n== 2. Inbound-to-send (1 Celery worker, 2 processes, LLM off, window 0 s)")
            procs.append(h.start_worker(env, name="bench-worker", concurrency=2))
            inbound_to_send(fake, n=20, rate=10, offset=200_000)  # warm-up
            latencies = inbound_to_send(
                fake, n=LATENCY_MESSAGES, rate=LATENCY_RATE_PER_S, offset=300_000
            )
            p95 = h.percentile(latencies, 95)
            ok = p95 <= 300
            print(
                f"  {LATENCY_RATE_PER_S} deliveries/s from distinct customers: "
                f"{h.summary(latencies)}  →  p95 target ≤ 300 ms: "
                f"{'OK' if ok else 'ABOVE TARGET'}"
            )
            for proc in procs:
                proc.stop()
            procs.clear()

            windowed = Environment(
                database=env.database,
                redis_db=env.redis_db,
                fake_url=fake.base_url,
                burst_window_s=2.0,
                prefix=env.prefix,
            )
            procs.append(h.start_gunicorn(windowed, port=PORT, workers=4, name="bench-web-2"))
            procs.append(h.start_worker(windowed, name="bench-worker-2", concurrency=2))
            latencies = inbound_to_send(fake, n=WINDOW_MESSAGES, rate=5, offset=400_000)
            print(f"  same with the default 2 s burst window: {h.summary(latencies)}")
    finally:
        fake.stop()
        h.redis_cleanup(env)
        h.drop_database(env)
    print(f"\nbench-whatsapp: done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
