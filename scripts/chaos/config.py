"""The fault suite's figures: ports, load, outage lengths, time budgets, the WhatsApp script."""

from __future__ import annotations

import tempfile
from pathlib import Path

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
