"""Service control: the run lock, PostgreSQL and Redis stop/start, the product's processes."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from scripts.chaos import config
from scripts.chaos.config import LOCK_FILE, REDIS_START, WEB_WORKERS, WORKER_CONCURRENCY
from tests.support import whatsapp_harness as h
from tests.support.whatsapp_harness import Environment


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
        web = h.start_gunicorn(env, port=port or config.PORT, workers=web_workers, name=web_name)
    procs.append(web)
    with extra_env(env, PROMETHEUS_MULTIPROC_DIR=metrics_dir(f"{worker_name}-metrics"), **extra):
        worker = h.start_worker(env, name=worker_name, concurrency=concurrency)
    procs.append(worker)
    return web, worker
