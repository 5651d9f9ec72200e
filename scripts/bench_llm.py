#!/usr/bin/env python
"""`make bench-llm`: the agent with the LLM on, against a model that takes its time.

A local OpenAI-compatible stand-in (``tests/support/stub_llm_server.py``) answers every call after a
log-normal delay (median and p95 from BENCH_LLM_MEDIAN_S / BENCH_LLM_P95_S, default 0.8 s / 1.8 s)
and counts the tokens it bills. Loopback only; own databases and Redis numbers.

1. /chat: gunicorn with the production config file (gthread: GUNICORN_WORKERS × GUNICORN_THREADS,
   Django's connection pool), K = 1, 8, 32, 128 concurrent scripted conversations. Targets: at
   K = 32 ≥ 20 turns/s and p95 ≤ 2 × the model's p95 + 300 ms; at K = 128 no errors and
   throughput still rising. BENCH_LLM_WEB=sync runs the old shape (4 sync workers) for comparison.
2. WhatsApp: the webhook under gunicorn, a `turns` worker (thread pool) and a `messages` worker
   (prefork); 128 customers write the scripted conversation, all at the same instant for each
   message (a barrier per round). Targets: inbound-to-send p95 ≤ 2 × the model's p95 + 1 s; work
   on the messages queue (a probe task every 0.5 s; lead notifications) never delayed more than
   1 s by model load.

Both print model calls per turn, tokens per conversation and the cost per 1,000 conversations at
the list price of BENCH_LLM_PRICE_IN / BENCH_LLM_PRICE_OUT (USD per million tokens; default
gpt-4o-mini's 0.15 / 0.60). BENCH_LLM_USES picks the model's uses (default: all three, one call
per turn, the worst case; the product default is faq,slots); BENCH_LLM_SCRIPT=customer replaces
the well-formed scripted conversation with one written the way customers write, where the default
uses find turns to call the model on.
"""

from __future__ import annotations

import math
import os
import random
import threading
import time
import uuid
from pathlib import Path

from scripts import bench_chat
from tests.support import whatsapp_harness as h

ROOT = h.ROOT

MEDIAN_S = float(os.environ.get("BENCH_LLM_MEDIAN_S", "0.8"))
P95_S = float(os.environ.get("BENCH_LLM_P95_S", "1.8"))
LEVELS = tuple(int(k) for k in os.environ.get("BENCH_LLM_CONCURRENCY", "1,8,32,128").split(","))
SECONDS = float(os.environ.get("BENCH_LLM_SECONDS", "20"))
WEB = os.environ.get("BENCH_LLM_WEB", "gthread")  # gthread | sync
WEB_WORKERS = int(os.environ.get("BENCH_LLM_WEB_WORKERS", "2"))
WEB_THREADS = int(os.environ.get("BENCH_LLM_WEB_THREADS", "64"))
POOL = os.environ.get("BENCH_LLM_POOL", "8")
USES = os.environ.get("BENCH_LLM_USES", "faq,slots,smooth")
WA_CUSTOMERS = int(os.environ.get("BENCH_LLM_WA_CUSTOMERS", "128"))
WA_PROCS = int(os.environ.get("BENCH_LLM_WA_PROCS", "2"))
WA_THREADS = int(os.environ.get("BENCH_LLM_WA_THREADS", "64"))
CHAT_TIMEOUT_S = 1.5  # the product's default LLM_CHAT_TIMEOUT_S
PRICE_IN = float(os.environ.get("BENCH_LLM_PRICE_IN", "0.15"))
PRICE_OUT = float(os.environ.get("BENCH_LLM_PRICE_OUT", "0.60"))
PARTS = os.environ.get("BENCH_LLM_PARTS", "chat,whatsapp")
WA_PORT = 18631
# BENCH_LLM_SCRIPT=customer: a conversation written the way customers write (slang, a question
# about Kavak in the middle), where the default uses call the model on the turns that need it.
CUSTOMER_SCRIPT = (
    "hola buenas",
    "ando buscando una camioneta pa la familia, q tienen?",
    "oye y tienen garantia? cuanto dura",
    "mi presupuesto anda en 400 mil",
    "ok el 2",
    "pal enganche traigo 80 mil",
    "a 48 meses",
    "si me interesa",
    "Ana López",
    "{phone}",
    "mañana en la tarde",
)
SCRIPT = CUSTOMER_SCRIPT if os.environ.get("BENCH_LLM_SCRIPT") == "customer" else h.CHAT_SCRIPT
TURNS_PER_CONVERSATION = len(SCRIPT)


DRAWN: list[float] = []  # every delay the stand-in waited (late answers: deterministic reply)


def lognormal() -> float:
    sigma = math.log(P95_S / MEDIAN_S) / 1.6449
    delay = random.lognormvariate(math.log(MEDIAN_S), sigma)
    DRAWN.append(delay)
    return delay


def late_share(since: int, limit_s: float) -> str:
    drawn = DRAWN[since:]
    late = sum(d > limit_s for d in drawn)
    return f"{late / len(drawn):.0%} of answers later than {limit_s} s" if drawn else "no calls"


def llm_env(url: str) -> dict[str, str]:
    return {
        "LLM_ENABLED": "true",
        "OPENAI_API_KEY": "sk-bench-not-a-real-key",
        "OPENAI_BASE_URL": url,
        "LLM_USES": USES,
        "LLM_MAX_CALLS_PER_CONVERSATION": "0",  # the bench measures the calls, it does not cap them
    }


def cost_line(calls: int, tokens: dict[str, int], turns: int) -> str:
    if not turns:
        return "no turns"
    per_turn = {k: v / turns for k, v in tokens.items()}
    conv_in = per_turn["prompt"] * TURNS_PER_CONVERSATION
    conv_out = per_turn["completion"] * TURNS_PER_CONVERSATION
    cost = (conv_in * PRICE_IN + conv_out * PRICE_OUT) / 1e6 * 1000
    return (
        f"model calls per turn {calls / turns:.2f}; tokens per conversation "
        f"({TURNS_PER_CONVERSATION} turns) {conv_in:.0f} in + {conv_out:.0f} out; "
        f"cost per 1,000 conversations ${cost:.2f} (at ${PRICE_IN}/${PRICE_OUT} per M tokens)"
    )


# --- 1. /chat -------------------------------------------------------------------------------------
def bench_chat_part(model) -> None:  # type: ignore[no-untyped-def]
    print(f"Preparing database {bench_chat.DB} (migrate + demo data)...", flush=True)
    key, floor_id = bench_chat.prepare()
    env = bench_chat.env()
    env.update(llm_env(model.url))
    if WEB == "sync":
        env.update(GUNICORN_WORKERS="4", GUNICORN_THREADS="1", DATABASE_CONN_MAX_AGE="600")
        shape = "4 sync workers"
    else:
        env.update(
            GUNICORN_WORKERS=str(WEB_WORKERS),
            GUNICORN_THREADS=str(WEB_THREADS),
            DATABASE_POOL_MAX_SIZE=POOL,
        )
        shape = f"{WEB_WORKERS} gthread workers × {WEB_THREADS} threads, pool {POOL}"
    bench_chat.env = lambda: env  # run_level/Client read the port only; gunicorn gets this env
    bench_chat.CHAT_SCRIPT = SCRIPT
    gunicorn = bench_chat.start_gunicorn(env)
    try:
        print(f"\n== 1. /chat: {shape}; LLM_USES={USES}; {SECONDS:.0f} s per level")
        bench_chat.run_level(4, "chat", key, floor_id, 3)  # warm-up
        target_p95 = (2 * P95_S + 0.3) * 1000
        print(f"{'K':>4} {'turns':>6} {'turns/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
        for k in LEVELS:
            calls0, tokens0, drawn0 = model.calls, dict(model.tokens), len(DRAWN)
            lat, elapsed, errors = bench_chat.run_level(k, "chat", key, floor_id, SECONDS)
            r = bench_chat.summarise(k, lat, elapsed, errors)
            tokens = {t: model.tokens[t] - tokens0[t] for t in tokens0}
            print(
                f"{k:>4} {r['requests']:>6} {r['rps']:>8.1f} {r['p50']:>8.0f} {r['p95']:>8.0f} "
                f"{r['errors']:>6}   {cost_line(model.calls - calls0, tokens, len(lat))}"
            )
            late = late_share(drawn0, CHAT_TIMEOUT_S)
            print(f"     {late} (past LLM_CHAT_TIMEOUT_S the deterministic reply is sent)")
            if k == 32:
                ok = r["rps"] >= 20 and r["p95"] <= target_p95
                print(
                    f"     K=32 target: ≥ 20 turns/s and p95 ≤ {target_p95:.0f} ms: "
                    f"{'met' if ok else 'NOT met'}"
                )
        print("gunicorn workers after the run (pid, RSS MB, peak RSS MB):")
        for pid, rss, peak in bench_chat.worker_rss(gunicorn.pid):
            print(f"  {pid}: {rss} MB (peak {peak} MB)")
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)


# --- 2. WhatsApp ----------------------------------------------------------------------------------
def bench_whatsapp_part(model) -> None:  # type: ignore[no-untyped-def]
    from tests.support.fake_twilio import FakeTwilio

    fake = FakeTwilio(account_sid=h.ACCOUNT_SID).start()
    env = h.Environment(
        database="kavak_bench_llm",
        redis_db=9,
        fake_url=fake.base_url,
        burst_window_s=0.0,  # the window adds exactly its own length by design (bench-whatsapp)
        extra={**llm_env(model.url), "SALES_NOTIFICATION_EMAILS": "ventas@kavak.example"},
    )
    print(f"\n== 2. WhatsApp: database {env.database}, Redis db {env.redis_db}")
    h.redis_cleanup(env)
    h.recreate_database(env)
    with h.processes() as procs:
        procs.append(h.start_gunicorn(env, port=WA_PORT, workers=4, name="bench-llm-web"))
        for i in range(WA_PROCS):  # one per core, as ECS runs one task per vCPU-sized worker
            procs.append(
                h.start_worker(
                    env,
                    name=f"bench-llm-turns-{i}",
                    concurrency=WA_THREADS,
                    queues=env.turn_queue,
                    pool="threads",
                    extra={"DATABASE_POOL_MAX_SIZE": "16"},
                )
            )
        procs.append(
            h.start_worker(env, name="bench-llm-messages", concurrency=2, queues=env.message_queue)
        )
        print(
            f"   webhook: 4 gthread workers; turns workers: {WA_PROCS} × {WA_THREADS} threads "
            "(pool 16 each); "
            f"messages worker: 2 processes; {WA_CUSTOMERS} customers; LLM_USES={USES}"
        )
        calls0, tokens0 = model.calls, dict(model.tokens)
        cpu0 = {p.name: _group_cpu(p.popen.pid) for p in procs}
        h.django_setup(env)
        probe = Probe(env)
        probe.thread.start()
        latencies, first, turns, missing = _customers_write(fake, WA_CUSTOMERS)
        probe.stop.set()
        tokens = {t: model.tokens[t] - tokens0[t] for t in tokens0}
        target = (2 * P95_S + 1) * 1000
        print(f"   inbound-to-send, first message (fresh workers): {h.summary(first)}")
        print(f"   inbound-to-send, messages 2–{len(SCRIPT)}: {h.summary(latencies)}")
        print(f"   replies missing: {missing}")
        ok = h.percentile(latencies, 95) <= target and not missing
        print(f"   target p95 ≤ {target:.0f} ms: {'met' if ok else 'NOT met'}")
        print(f"   {cost_line(model.calls - calls0, tokens, turns)}")
        cpu = {p.name: (_group_cpu(p.popen.pid) - cpu0[p.name]) * 1000 / turns for p in procs}
        print("   CPU ms per turn: " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items()))
        time.sleep(1.0)
        log = procs[-1].log
        first_lead = _first_lead_at(env)
        for label, pings in (
            ("model load, before the first lead", probe.delays(log, before=first_lead)),
            ("whole run (with the burst of lead notifications)", probe.delays(log)),
        ):
            late = sum(d > 1000 for d in pings)
            print(f"   messages-queue probe, {label}: {h.summary(pings)}; {late} later than 1 s")
        delays = _notification_delays(env)
        print(f"   lead notification (lead created → e-mail accepted): {h.summary(delays)}")
        late = sum(d > 1000 for d in delays)
        print(f"   notifications later than 1 s: {late} of {len(delays)}")
    fake.stop()
    h.drop_database(env)
    h.redis_cleanup(env)


def _customers_write(fake, n: int) -> tuple[list[float], list[float], int, int]:  # type: ignore[no-untyped-def]
    """Every customer sends the next message of the script at the same instant (a barrier per
    round), waits for the reply, and the round ends when all replies are in: ``n`` customers
    writing at once, ``len(CHAT_SCRIPT)`` times."""
    addresses = h.customers(n, offset=700_000)
    latencies: list[float] = []
    first: list[float] = []  # the first message: workers that have not served anyone yet
    missing = [0]
    turns = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def customer(address: str, index: int) -> None:
        poster = h.Poster(WA_PORT)
        phone = f"55{index:08d}"
        for round_no, message in enumerate(SCRIPT):
            barrier.wait(timeout=120)
            already = len(fake.wait_sent(address, count=0, timeout=0))
            form = h.inbound_form(
                sid="SM" + uuid.uuid4().hex, from_address=address, body=message.format(phone=phone)
            )
            body, signature = h.signed_body(form)
            posted = time.time()
            status, _ = poster.post(body, signature)
            sent = fake.wait_sent(address, count=already + 1, timeout=30 if status == 200 else 0)
            with lock:
                turns[0] += 1
                if status == 200 and len(sent) > already:
                    (first if round_no == 0 else latencies).append((sent[already] - posted) * 1000)
                else:
                    missing[0] += 1

    threads = [threading.Thread(target=customer, args=(a, i)) for i, a in enumerate(addresses)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, first, turns[0], missing[0]


# The logs mask long digit runs (phones): the publish time travels as letters.
def _encode(t: float) -> str:
    return "probe-" + str(int(t * 1000)).translate(str.maketrans("0123456789", "abcdefghij"))


def _decode(text: str) -> float:
    letters = "".join(c for c in text if "a" <= c <= "j")
    return int(letters.translate(str.maketrans("abcdefghij", "0123456789"))) / 1000


class Probe:
    """A `kavak.ping` on the messages queue every half second while the model load runs; its
    delay is the worker's log time minus the publish time carried in the value."""

    def __init__(self, env: h.Environment) -> None:
        self.env = env
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        from kavak.celery import app

        while not self.stop.wait(0.5):
            app.send_task("kavak.ping", (_encode(time.time()),), queue=self.env.message_queue)

    def delays(self, log: Path, *, before: float = math.inf) -> list[float]:
        """Delays of the probes published before ``before`` (a ``time.time()``)."""
        import json
        from datetime import datetime

        out = []
        for line in log.read_text(errors="replace").splitlines():
            if "pong:probe-" not in line:  # Celery's "Task kavak.ping[…] succeeded" line
                continue
            record = json.loads(line)
            sent = _decode(record["message"].split("pong:probe-", 1)[1])
            ran = datetime.fromisoformat(record["ts"]).timestamp()
            if sent < before:
                out.append((ran - sent) * 1000)
        return out


def _group_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (a worker's pool processes)."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        total += bench_chat._cpu_seconds(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            children = []
        pending += [int(c) for c in children]
    return total


def _first_lead_at(env: h.Environment) -> float:
    import psycopg

    with psycopg.connect(env.database_url) as conn:
        row = conn.execute("SELECT extract(epoch FROM min(created_at)) FROM leads_lead").fetchone()
    return float(row[0]) if row and row[0] is not None else math.inf


def _notification_delays(env: h.Environment) -> list[float]:
    import psycopg

    time.sleep(2.0)  # the last notifications leave
    with psycopg.connect(env.database_url) as conn:
        rows = conn.execute(
            "SELECT extract(epoch FROM n.sent_at - l.created_at) FROM leads_leadnotification n"
            " JOIN leads_lead l ON l.id = n.lead_id WHERE n.channel = 'email'"
            " AND n.sent_at IS NOT NULL"
        ).fetchall()
    return [float(r[0]) * 1000 for r in rows]


def main() -> None:
    from tests.support.stub_llm_server import stub_model_server

    print(f"Model stand-in: log-normal latency, median {MEDIAN_S} s, p95 {P95_S} s")
    with stub_model_server(latency=lognormal) as model:
        if "chat" in PARTS:
            bench_chat_part(model)
        if "whatsapp" in PARTS:
            bench_whatsapp_part(model)


if __name__ == "__main__":
    main()
