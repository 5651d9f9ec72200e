"""The database connection: ``DATABASE_URL``, persistent or pooled connections, PostgreSQL
options (server-side binding, prepared statements, session time limits).

Part of ``kavak.settings.base``, which imports every module in order.
"""

from __future__ import annotations

from kavak.env import BASE_DIR, env

# --- Database -----------------------------------------------------------------------------------
# Embedded default: a SQLite file, so `make run` needs no server. PostgreSQL in production.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
if env.str("DATABASE_PASSWORD", default=""):
    DATABASES["default"]["PASSWORD"] = env.str("DATABASE_PASSWORD")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
# Measured: persistent connections returned a 500 on the first request after a PostgreSQL restart
# without health checks.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# No ATOMIC_REQUESTS: turns call the LLM and Twilio, which must never run inside a transaction.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
    # Measured with `make bench-chat`: binding parameters on the server and preparing the
    # statements a connection repeats (the turn's lock and save run on every message) cut both
    # Python and PostgreSQL CPU per turn. Turn both off behind a transaction-mode pooler
    # (PgBouncer), which cannot keep prepared statements per client.
    if env.bool("DATABASE_SERVER_SIDE_BINDING", default=True):
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
    # Threaded processes (gunicorn gthread web workers, the `turns` Celery worker) share a small
    # pool of connections per process (Django's psycopg pool) instead of one per thread: a turn
    # gives its connection back while it waits on the model (conversations/services.py), so 64
    # waiting threads need a handful of connections, not 64. 0 = off (one persistent connection
    # per thread, CONN_MAX_AGE), the right choice for sync and prefork processes.
    _pool_max = env.int("DATABASE_POOL_MAX_SIZE", default=0)
    if _pool_max > 0:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django: pooling replaces persistent connections
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": min(2, _pool_max),
            "max_size": _pool_max,
            "timeout": env.float("DATABASE_POOL_TIMEOUT_S", default=10.0),
        }
    _prepare = env.str("DATABASE_PREPARE_THRESHOLD", default="5").strip()
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = int(_prepare) if _prepare else None
    # Server-side limits of this process's sessions (0 = PostgreSQL's default, none). The migrate
    # task sets both: a migration waiting for a lock fails after lock_timeout instead of queueing
    # every live query behind its ALTER TABLE.
    _session_limits = {
        "lock_timeout": env.int("DATABASE_LOCK_TIMEOUT_MS", default=0),
        "statement_timeout": env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=0),
    }
    _options = " ".join(f"-c {name}={ms}" for name, ms in _session_limits.items() if ms > 0)
    if _options:
        DATABASES["default"]["OPTIONS"]["options"] = _options
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
