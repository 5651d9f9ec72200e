#!/usr/bin/env python
"""`make bench-chat`: full /chat turns vs the PostgreSQL read+write floor, under gunicorn.

Creates its own database (kavak_bench_chat) with the demo data, serves the app with gunicorn
(sync workers, 2 × cores, the production config file) on PostgreSQL + Redis, then runs K concurrent
scripted conversations (K = 1, 8, 32) for a bounded time and the floor endpoint with the same K,
alternating the two in BENCH_ROUNDS short phases (3) so that drift of the shared VM weighs on both
sides of the ratio.
Prints turns/s, p50/p95/p99, the ratio to the floor and each worker's peak RSS. Loopback only.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

from tests.support.whatsapp_harness import (
    CHAT_SCRIPT,
    bench_floor_variables,
    ensure_port_free,
    wait_healthz,
)

ROOT = Path(__file__).resolve().parent.parent
DB = "kavak_bench_chat"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "12"))
LEVELS = tuple(int(k) for k in os.environ.get("BENCH_CONCURRENCY", "1,8,32").split(","))
WORKERS = int(os.environ.get("BENCH_WORKERS", str((os.cpu_count() or 2) * 2)))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))  # chat/floor alternations per level


def env() -> dict[str, str]:
    out = dict(os.environ)
    out.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB}",
        DATABASE_CONN_MAX_AGE="600",
        REDIS_URL="redis://127.0.0.1:6379/13",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/13",
        CELERY_RESULT_BACKEND="",  # production default: no result backend (no SUBSCRIBE per task)
        REDIS_KEY_PREFIX="bench-chat",
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        CHAT_THROTTLE_RATE="100000000/min",
        # Production values (kavak.settings.test turns these caches off for the test suite).
        CATALOG_VOCABULARY_RECHECK_S="1.0",
        API_KEY_CACHE_SECONDS="30",
        GUNICORN_WORKERS=str(WORKERS),
        GUNICORN_THREADS=os.environ.get("BENCH_THREADS", "1"),  # 1: sync workers
        GUNICORN_BIND=f"127.0.0.1:{PORT}",
        # The test settings plus the floor endpoint's urlconf.
        **bench_floor_variables(),
    )
    return out


def manage(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return result.stdout


def prepare() -> tuple[str, int]:
    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    manage("migrate", "--noinput")
    manage("load_demo_data")
    key = manage("create_api_key", f"bench-{int(time.time())}").strip().splitlines()[-1]
    with psycopg.connect(f"postgres://postgres@127.0.0.1:5432/{DB}", autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO conversations_conversation (channel, external_id, status, step, state,"
            " version, furthest_step, started_at, updated_at) VALUES ('api', 'floor', 'active',"
            " 'need', '{}', 0, 'need', now(), now()) RETURNING id"
        ).fetchone()
    return key, row[0]


class Client:
    def __init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)

    def post(self, path: str, body: dict[str, str] | None, headers: dict[str, str]) -> int:
        payload = json.dumps(body or {})
        self.conn.request("POST", path, body=payload, headers=headers)
        response = self.conn.getresponse()
        response.read()
        return response.status


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(master_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the app (gunicorn), PostgreSQL, Redis and this load generator."""
    out = {"app": 0.0, "postgres": 0.0, "redis": 0.0}
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    app_pids = {master_pid, *map(int, children)}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            comm = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if pid in app_pids:
            out["app"] += _cpu_seconds(pid)
        elif comm.startswith("postgres"):
            out["postgres"] += _cpu_seconds(pid)
        elif comm.startswith("redis-server"):
            out["redis"] += _cpu_seconds(pid)
    times = os.times()
    out["client"] = times.user + times.system
    return out


def run_level(
    k: int, work: str, key: str, floor_id: int, seconds: float
) -> tuple[list[float], float, int]:
    latencies: list[list[float]] = [[] for _ in range(k)]
    errors = [0] * k
    stop_at = time.monotonic() + seconds
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}

    def worker(i: int) -> None:
        client = Client()
        rng = random.Random(i)
        while time.monotonic() < stop_at:
            if work == "floor":
                started = time.perf_counter()
                status = client.post(f"/bench/floor/{floor_id}", None, headers)
                latencies[i].append(time.perf_counter() - started)
                errors[i] += status != 200
                continue
            session = f"bench-{k}-{i}-{rng.getrandbits(48):x}"
            phone = f"55{rng.randrange(10**7, 10**8)}"
            for message in CHAT_SCRIPT:
                if time.monotonic() >= stop_at:
                    break
                body = {"session_id": session, "message": message.format(phone=phone)}
                started = time.perf_counter()
                status = client.post("/chat", body, headers)
                latencies[i].append(time.perf_counter() - started)
                errors[i] += status != 200

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(k)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [x for lat in latencies for x in lat], time.monotonic() - began, sum(errors)


def summarise(k: int, latencies: list[float], elapsed: float, errors: int) -> dict[str, float]:
    flat = sorted(latencies)

    def pct(p: float) -> float:
        return flat[min(len(flat) - 1, int(p * len(flat)))] * 1000 if flat else float("nan")

    return {
        "k": k,
        "requests": len(flat),
        "rps": len(flat) / elapsed,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": errors,
    }


def worker_rss(master_pid: int) -> list[tuple[int, int, int]]:
    """(pid, current RSS MB, peak RSS MB) of each gunicorn worker."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    out = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        fields = dict(
            line.split(":", 1)
            for line in status.splitlines()
            if line.startswith(("VmRSS", "VmHWM"))
        )
        out.append(
            (
                int(pid),
                int(fields["VmRSS"].split()[0]) // 1024,
                int(fields["VmHWM"].split()[0]) // 1024,
            )
        )
    return out


def start_gunicorn(variables: dict[str, str]) -> subprocess.Popen[bytes]:
    """gunicorn with the production config file, quiet, on PORT (``GUNICORN_BIND``)."""
    ensure_port_free(PORT)
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kavak.wsgi:application",
            "-c",
            "kavak/gunicorn.conf.py",
        ],
        cwd=ROOT,
        env=variables,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_healthz(PORT, popen=gunicorn)
    return gunicorn


def main() -> None:
    print(f"Preparing database {DB} (migrate + demo data)...", flush=True)
    key, floor_id = prepare()
    gunicorn = start_gunicorn(env())
    try:
        print(
            f"gunicorn: {WORKERS} sync workers on 127.0.0.1:{PORT}; {SECONDS:.0f} s per level "
            f"and endpoint, in {ROUNDS} alternating rounds\n"
        )
        run_level(4, "chat", key, floor_id, SECONDS)  # warm-up: imports, caches, connections
        results = {}
        cpu = {}
        for k in LEVELS:
            # Chat and floor alternate in ROUNDS short phases: slow drift of this shared VM
            # then weighs on both sides of the ratio instead of only the one measured later.
            merged: dict[str, tuple[list[float], float, int]] = {
                w: ([], 0.0, 0) for w in ("chat", "floor")
            }
            spent = {w: {"app": 0.0, "postgres": 0.0, "redis": 0.0, "client": 0.0} for w in merged}
            for _ in range(ROUNDS):
                for work in ("chat", "floor"):
                    before = cpu_snapshot(gunicorn.pid)
                    lat, elapsed, errors = run_level(k, work, key, floor_id, SECONDS / ROUNDS)
                    after = cpu_snapshot(gunicorn.pid)
                    old = merged[work]
                    merged[work] = (old[0] + lat, old[1] + elapsed, old[2] + errors)
                    for group in after:
                        spent[work][group] += after[group] - before[group]
            for work, (lat, elapsed, errors) in merged.items():
                results[(work, k)] = summarise(k, lat, elapsed, errors)
                n = max(1, len(lat))
                cpu[(work, k)] = {g: v * 1000 / n for g, v in spent[work].items()}
        results = dict(sorted(results.items(), key=lambda item: item[0][0] != "chat"))
        cpu = dict(sorted(cpu.items(), key=lambda item: item[0][0] != "chat"))
        header = f"{'endpoint':<8} {'K':>3} {'req':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}"
        print(header + f" {'p99 ms':>8} {'errors':>6}")
        for (work, k), r in results.items():
            print(
                f"{work:<8} {k:>3} {r['requests']:>7} {r['rps']:>8.1f} {r['p50']:>8.1f} "
                f"{r['p95']:>8.1f} {r['p99']:>8.1f} {r['errors']:>6}"
            )
        print("\nCPU ms per request (app = gunicorn workers; client = this load generator):")
        for (work, k), c in cpu.items():
            parts = "  ".join(f"{g} {v:.2f}" for g, v in c.items())
            print(f"  {work:<6} K={k:<3} {parts}  total {sum(c.values()):.2f}")
        print()
        for k in LEVELS:
            ratio = results[("chat", k)]["rps"] / results[("floor", k)]["rps"]
            print(f"K={k:<3} full turn / floor throughput = {ratio:.2f}")
        print("\ngunicorn workers after the run (pid, RSS MB, peak RSS MB):")
        for pid, rss, peak in worker_rss(gunicorn.pid):
            print(f"  {pid}: {rss} MB (peak {peak} MB)")
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)


if __name__ == "__main__":
    main()
