"""Celery: broker, serialisation, the two queues, acknowledgement and time limits.

Part of ``kavak.settings.base``, which imports every module in order.
"""

from __future__ import annotations

from kavak.env import env, url_with_password

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = url_with_password(
    env.str("CELERY_BROKER_URL", default=""), env.str("REDIS_PASSWORD", default="")
)
# Embedded default: without a broker, tasks run eagerly in the web process.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "America/Mexico_City"
# At-least-once delivery; tasks are idempotent (they check status before acting).
CELERY_TASK_ACKS_LATE = True
# Two queues (docs/ARCHITECTURE.md, "Production shape"): `turns` carries the WhatsApp turn, which
# may wait on the model for seconds, to a worker with a thread pool sized for waiting; every other
# task (sends and their retries, lead notifications, sweeps) uses the default queue, `messages`,
# whose prefork worker never waits behind a model call.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_MESSAGE_QUEUE", default="messages")
CELERY_TURN_QUEUE = env.str("CELERY_TURN_QUEUE", default="turns")
CELERY_TASK_ROUTES = {"channels.inbound_message_process": {"queue": CELERY_TURN_QUEUE}}
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=45)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A little above the longest task, so a killed worker's tasks come back quickly.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=90),
    # Scan for unacknowledged messages of dead workers every 5 s (kombu's default is ~100 s).
    "unacked_restore_interval": 5,
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
