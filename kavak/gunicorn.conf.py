"""gunicorn settings, all from the environment (Terraform sets them per environment).

Default: gthread workers (one per core) with 32 threads each, so a turn waiting on the model
holds a thread, not a process (docs/ARCHITECTURE.md, "Production shape"; `make bench-llm`).
Threaded workers share a small pool of database connections per process (Django's psycopg pool,
DATABASE_POOL_MAX_SIZE, 8 unless set). GUNICORN_THREADS=1 gives the old sync workers.
"""

import multiprocessing
import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "32"))
worker_class = "gthread" if threads > 1 else "sync"
if threads > 1:
    # Read by the settings module in each worker (forked after this file runs).
    os.environ.setdefault("DATABASE_POOL_MAX_SIZE", "8")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))  # < ECS's 30 s SIGKILL
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))  # > ALB idle timeout (60 s)
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "0"))
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "*")

# gunicorn ≥ 25 opens a control socket (`gunicornc`: worker status, scaling, reload) by default in
# $XDG_RUNTIME_DIR or ~/.gunicorn/, shared by every instance of the user: a second instance
# silently takes the first one's socket over. We scale with ECS, not gunicornc, so it is off unless
# GUNICORN_CONTROL_DIR names a private runtime directory: created 0700, refused if it is not ours
# or others may enter it; the socket itself is 0600.
_CONTROL_DIR = os.environ.get("GUNICORN_CONTROL_DIR", "")
if _CONTROL_DIR:
    os.makedirs(_CONTROL_DIR, mode=0o700, exist_ok=True)
    _stat = os.stat(_CONTROL_DIR)
    if _stat.st_uid != os.getuid() or _stat.st_mode & 0o077:
        raise SystemExit(
            f"GUNICORN_CONTROL_DIR={_CONTROL_DIR}: must be a directory of this user that nobody "
            f"else may enter (mode 0700), found mode {oct(_stat.st_mode & 0o777)}."
        )
    control_socket = os.path.join(_CONTROL_DIR, "gunicorn.ctl")
    control_socket_mode = 0o600
else:
    control_socket_disable = True


# Prometheus multiprocess mode: every worker writes its samples to files in this directory;
# stale files from a previous run are removed at start and a dead worker's gauges are dropped.
_METRICS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def on_starting(server: Any) -> None:
    if _METRICS_DIR:
        os.makedirs(_METRICS_DIR, exist_ok=True)
        for name in os.listdir(_METRICS_DIR):
            if name.endswith(".db"):
                os.remove(os.path.join(_METRICS_DIR, name))


def child_exit(server: Any, worker: Any) -> None:
    if _METRICS_DIR:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# Objects alive once the app is loaded (Django, DRF, models, settings: about 140,000) live as
# long as the worker; gc.freeze() moves them out of the collector's generations, so a full
# collection no longer walks them all. Measured on a chat turn: garbage collection 0.10 → 0.03 ms
# of CPU per turn (make bench-chat, README). GUNICORN_GC_FREEZE=false turns it off.
_GC_FREEZE = os.environ.get("GUNICORN_GC_FREEZE", "true").lower() in ("1", "true", "yes", "on")


def post_worker_init(worker: Any) -> None:
    # The Spanish word lists (wordfreq, ~0.3 s each), the catalogue vocabulary and the knowledge
    # index load before the worker's first customer, not during it.
    from conversations.services import conversation_warm_up

    conversation_warm_up()
    if _GC_FREEZE:
        import gc

        gc.collect()
        gc.freeze()
