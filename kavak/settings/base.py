"""Every setting of the product lives here; local/test/production only override a few.

Prefixes: ``DJANGO_*`` for Django itself, plain names for product flags (``LLM_ENABLED``…),
and vendors' own names for vendor settings (``DATABASE_URL``, ``REDIS_URL``, ``TWILIO_*``…).
Every variable is listed with a comment in ``.env.example``.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from decimal import Decimal

import environ
from celery.schedules import crontab
from csp import constants as _csp

from channels.providers import providers_parse as _providers_parse
from kavak.env import BASE_DIR, env, env_choice, env_required, url_with_password

# --- Core ---------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Only local.py/test.py provide a fallback; production.py requires the variable.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Public https origin the outside world uses (Twilio signs this URL, not the one the app sees).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="").rstrip("/")

INSTALLED_APPS = [
    # django.contrib.admin, with the back office's site (kavak/admin_site.py: TOTP if required).
    "kavak.apps.KavakAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from our static files (no CDN)
    "kavak.apps.KavakConfig",
    "catalog.apps.CatalogConfig",
    "conversations.apps.ConversationsConfig",
    "leads.apps.LeadsConfig",
    "knowledge.apps.KnowledgeConfig",
    "channels.apps.ChannelsConfig",
    "backoffice.apps.BackofficeConfig",
]

MIDDLEWARE = [
    # First: answers /healthz and /readyz without Host validation (the ALB probes by IP).
    "kavak.middleware.HealthCheckMiddleware",
    "kavak.middleware.RequestContextMiddleware",
    "kavak.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every page (CONTENT_SECURITY_POLICY below); templates read
    # request.csp_nonce for their own inline <script>/<style>.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): did this session pass a TOTP code (admin second factor)?
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kavak.middleware.JsonErrorMiddleware",
]

ROOT_URLCONF = "kavak.urls"
WSGI_APPLICATION = "kavak.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kavak" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

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

# --- Redis and cache ----------------------------------------------------------------------------
REDIS_URL = url_with_password(
    env.str("REDIS_URL", default=""), env.str("REDIS_PASSWORD", default="")
)
# redis-py's defaults took 3.8 s to fail on a refused connection and block forever on a hung one.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.25)
REDIS_KEY_PREFIX = env.str("REDIS_KEY_PREFIX", default="kavak")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_KEY_PREFIX,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
                "CONNECTION_POOL_KWARGS": {"retry_on_timeout": False, "health_check_interval": 30},
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Feature flags (see README "Feature flags"; an unknown value is a start-up error) ------------
LLM_ENABLED = env.bool("LLM_ENABLED", default=False)
TWILIO_IDEMPOTENCY_ENABLED = env.bool("TWILIO_IDEMPOTENCY_ENABLED", default=True)
TWILIO_VALIDATE_SIGNATURE = env_choice(
    "TWILIO_VALIDATE_SIGNATURE",
    choices=("enforce", "log-only", "off"),
    default="off" if DEBUG else "enforce",
)
CONVERSATION_STATE_REPOSITORY = env_choice(
    "CONVERSATION_STATE_REPOSITORY", choices=("db", "memory"), default="db"
)
LEAD_REPOSITORY = env_choice("LEAD_REPOSITORY", choices=("db", "memory"), default="db")
# Default none (measured with `make bench-chat`, see README): a turn locks its conversation row
# anyway, and reading the state in that same query is cheaper than a Redis GET plus SET per turn.
# "redis" stays available (cache-aside; the database is the truth; Redis failures degrade to it).
STATE_CACHE = env_choice("STATE_CACHE", choices=("redis", "none"), default="none")
if STATE_CACHE == "redis" and not REDIS_URL:
    env_required("REDIS_URL", because="STATE_CACHE=redis")
STATE_CACHE_TTL_SECONDS = env.int("STATE_CACHE_TTL_SECONDS", default=3600)
WHATSAPP_ENABLED = env.bool("WHATSAPP_ENABLED", default=False)

# --- Integrations: a flag that is on requires its secrets (no defaults) --------------------------
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="") or None
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
OPENAI_TIMEOUT_S = env.float("OPENAI_TIMEOUT_S", default=4.0)
OPENAI_MAX_TOKENS = env.int("OPENAI_MAX_TOKENS", default=300)
OPENAI_TEMPERATURE = env.float("OPENAI_TEMPERATURE", default=0.2)
if LLM_ENABLED:
    OPENAI_API_KEY = env_required("OPENAI_API_KEY", because="LLM_ENABLED=true")

TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_WHATSAPP_NUMBER = env.str("TWILIO_WHATSAPP_NUMBER", default="")
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="") or None
TWILIO_TIMEOUT_S = env.float("TWILIO_TIMEOUT_S", default=5.0)

# Meta WhatsApp Cloud API (Graph API), beside Twilio: WHATSAPP_PROVIDERS picks the provider of each
# business number ("+5255…=meta:<phone_number_id>,+1415…=twilio"); empty = every number on Twilio.
# Replies leave through the provider of the number the customer wrote to.
WHATSAPP_PROVIDERS = env.str("WHATSAPP_PROVIDERS", default="")
try:
    WHATSAPP_ROUTES = _providers_parse(WHATSAPP_PROVIDERS)
except ValueError as _exc:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"WHATSAPP_PROVIDERS: {_exc}") from _exc
META_APP_SECRET = env.str("META_APP_SECRET", default="")
META_VERIFY_TOKEN = env.str("META_VERIFY_TOKEN", default="")
META_ACCESS_TOKEN = env.str("META_ACCESS_TOKEN", default="")
META_GRAPH_BASE_URL = env.str("META_GRAPH_BASE_URL", default="https://graph.facebook.com")
META_GRAPH_VERSION = env.str("META_GRAPH_VERSION", default="v21.0")
META_TIMEOUT_S = env.float("META_TIMEOUT_S", default=5.0)
# The Graph API cannot list sent messages: an unconfirmed send is reconciled from the status
# webhooks that echo our key (biz_opaque_callback_data); with none after this wait it is resent.
META_RECONCILE_WAIT_S = env.float("META_RECONCILE_WAIT_S", default=30.0)
# Approved templates as "<name>:<language>" (kavak_asesor:es_MX): Meta's twin of a ContentSid.
META_STAFF_TEMPLATE = env.str("META_STAFF_TEMPLATE", default="")
META_SALES_TEMPLATE = env.str("META_SALES_TEMPLATE", default="")
_WHATSAPP_PROVIDERS_USED = {r.provider for r in WHATSAPP_ROUTES.values()} or {"twilio"}
if WHATSAPP_ENABLED and "twilio" in _WHATSAPP_PROVIDERS_USED:
    _because = "WHATSAPP_ENABLED=true with a Twilio number"
    TWILIO_ACCOUNT_SID = env_required("TWILIO_ACCOUNT_SID", because=_because)
    # Signatures are an HMAC keyed with the auth token, and the REST API needs it to send.
    TWILIO_AUTH_TOKEN = env_required("TWILIO_AUTH_TOKEN", because=_because)
    TWILIO_WHATSAPP_NUMBER = env_required("TWILIO_WHATSAPP_NUMBER", because=_because)
if WHATSAPP_ENABLED and "meta" in _WHATSAPP_PROVIDERS_USED:
    _because = "WHATSAPP_PROVIDERS has a Meta number"
    # X-Hub-Signature-256 is an HMAC of the body keyed with the app secret.
    META_APP_SECRET = env_required("META_APP_SECRET", because=_because)
    META_VERIFY_TOKEN = env_required("META_VERIFY_TOKEN", because=_because)
    META_ACCESS_TOKEN = env_required("META_ACCESS_TOKEN", because=_because)

# --- Business rules -----------------------------------------------------------------------------
FINANCING_ANNUAL_RATE = Decimal(env.str("FINANCING_ANNUAL_RATE", default="0.10"))
FINANCING_TERMS_MONTHS = (36, 48, 60, 72)
FINANCING_MIN_DOWN_PAYMENT_RATIO = Decimal("0.10")
CONVERSATION_IDLE_RESET_HOURS = env.int("CONVERSATION_IDLE_RESET_HOURS", default=24)
# Customer satisfaction: one "del 1 al 5" question when a conversation ends (README, CSAT).
CSAT_ENABLED = env.bool("CSAT_ENABLED", default=True)
# /chat: requests per API key (DRF rate syntax) and the request body limit.
CHAT_THROTTLE_RATE = env.str("CHAT_THROTTLE_RATE", default="120/min")
CHAT_MAX_BODY_BYTES = 16 * 1024
WEB_CHAT_THROTTLE_RATE = env.str("WEB_CHAT_THROTTLE_RATE", default="30/min")

# --- Catalogue ----------------------------------------------------------------------------------
# How often a process re-reads the shared vocabulary version (staff edits reach it within this).
CATALOG_VOCABULARY_RECHECK_S = env.float("CATALOG_VOCABULARY_RECHECK_S", default=1.0)
# Verified API keys are remembered per process this long (a revocation takes effect within it).
API_KEY_CACHE_SECONDS = env.int("API_KEY_CACHE_SECONDS", default=30)

# --- Knowledge base -----------------------------------------------------------------------------
# Below this calibrated confidence the agent says it has no confirmed answer and offers an advisor.
KNOWLEDGE_CONFIDENCE_THRESHOLD = env.float("KNOWLEDGE_CONFIDENCE_THRESHOLD", default=0.5)
# Questions answered below this go to the content staff's unanswered-questions queue.
KNOWLEDGE_REVIEW_CONFIDENCE = env.float("KNOWLEDGE_REVIEW_CONFIDENCE", default=0.7)

# --- Email (sales notifications) --------------------------------------------------------------
# LEAD_EMAIL_NOTIFICATIONS=false turns the sales email off for real: nothing is sent, nothing is
# marked sent, the sweep does not look for it (the WhatsApp template, when configured, still goes).
# On, EMAIL_URL is required and picks the backend: smtp:// smtp+tls:// smtps:// (django-environ's
# schemes) or ses://<region> (the Amazon SES API through django-ses, with the ECS task role's
# credentials). consolemail:// prints every email, customer phones included, to the logs: allowed
# only with DJANGO_DEBUG (the default of `make run`); production.py refuses anything that does not
# deliver (console, memory, dummy, file).
LEAD_EMAIL_NOTIFICATIONS = env.bool("LEAD_EMAIL_NOTIFICATIONS", default=True)
EMAIL_URL = env.str("EMAIL_URL", default="consolemail://" if DEBUG else "").strip()
if EMAIL_URL.startswith("ses://"):
    EMAIL_BACKEND = "django_ses.SESBackend"
    AWS_SES_REGION_NAME = EMAIL_URL.removeprefix("ses://").strip("/")
    AWS_SES_REGION_ENDPOINT = f"email.{AWS_SES_REGION_NAME}.amazonaws.com"
    # One email per lead: no client-side throttling, which would also call GetSendQuota (one more
    # API call and IAM permission per send).
    AWS_SES_AUTO_THROTTLE = None
    if not AWS_SES_REGION_NAME:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("EMAIL_URL=ses:// needs the region: ses://us-east-1.")
elif EMAIL_URL:
    vars().update(environ.Env.email_url_config(EMAIL_URL))
elif LEAD_EMAIL_NOTIFICATIONS:
    env_required("EMAIL_URL", because="LEAD_EMAIL_NOTIFICATIONS=true")
else:
    EMAIL_BACKEND = "kavak.mail.DisabledEmailBackend"
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend" and not DEBUG:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "EMAIL_URL=consolemail:// prints every email (customer phones included) to the logs: "
        "only with DJANGO_DEBUG=true. Set an smtp:// or ses:// EMAIL_URL."
    )
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Agente Kavak <no-reply@kavak.example>")
SALES_NOTIFICATION_EMAILS = env.list("SALES_NOTIFICATION_EMAILS", default=[])

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

# --- Auth, i18n, static -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "es-mx"
# Spanish for third-party apps without a Spanish catalogue (django-axes, API keys).
LOCALE_PATHS = [BASE_DIR / "kavak" / "locale"]
TIME_ZONE = "America/Mexico_City"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/")
# /metrics: a bearer token (secret) or a direct request (not through the load balancer) from these
# networks. Celery workers serve their own /metrics on CELERY_METRICS_PORT (0 = off).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"])
CELERY_METRICS_PORT = env.int("CELERY_METRICS_PORT", default=0)
# The address that port listens on. Loopback everywhere, ECS included: the ADOT collector sidecar
# scrapes it over localhost (containers of a Fargate task share one network namespace), so the
# samples never need to leave the task. A wildcard (0.0.0.0, ::) is refused: set a private address.
CELERY_METRICS_BIND = env.str("CELERY_METRICS_BIND", default="127.0.0.1").strip()

try:
    if ipaddress.ip_address(CELERY_METRICS_BIND).is_unspecified:
        raise ValueError("a wildcard address listens on every interface")
except ValueError as _exc:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"CELERY_METRICS_BIND={CELERY_METRICS_BIND!r}: expected one IP address of this host "
        f"(127.0.0.1 by default), not a wildcard ({_exc})."
    ) from _exc

# --- Security defaults (production.py turns on the https-only parts) -----------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Content-Security-Policy (django-csp): only our own origin, and inline <script>/<style> only with
# the per-response nonce our templates carry (the web chat, the back office's own pages): no
# 'unsafe-inline' for scripts. Inline style *attributes* are allowed (style-src-attr): Django's
# admin and our admin columns use them, and an attribute cannot run code. The one inline <style>
# of Django's own admin change list is allowed by its hash (a test compares it with the installed
# Django's template). The API docs (Swagger UI, ReDoc) are third-party pages built on inline
# scripts and a blob: worker, with no customer data: excluded.
_DJANGO_CHANGE_LIST_STYLE = "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='"
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs/", "/api/redoc/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", _csp.NONCE],
        "style-src": ["'self'", _csp.NONCE, _DJANGO_CHANGE_LIST_STYLE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- DRF ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSONParser behind a nesting limit (a body 1,000 levels deep was a RecursionError).
    "DEFAULT_PARSER_CLASSES": ["kavak.parsers.DepthLimitedJSONParser"],
    "EXCEPTION_HANDLER": "kavak.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kavak sales agent API",
    "DESCRIPTION": "Conversational sales agent for used cars (Kavak México).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Logging ------------------------------------------------------------------------------------
LOG_FORMAT = env_choice("DJANGO_LOG_FORMAT", choices=("json", "text"), default="json")
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "kavak.logging.ContextFilter"},
        "as_warning": {"()": "kavak.logging.DowngradeToWarning"},
    },
    "formatters": {
        "json": {"()": "kavak.logging.JsonFormatter"},
        "text": {"()": "kavak.logging.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Our JsonErrorMiddleware logs unhandled errors once, with traceback.
        "django.request": {"level": "ERROR", "propagate": True},
        # A bogus Host header is the client's mistake (answered 400): one warning line.
        "django.security.DisallowedHost": {"filters": ["as_warning"], "propagate": True},
        # runserver's access log: one line per request, through our handler only (Django's own
        # "django.server" handler would print it a second time).
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # django-axes announces its configuration at INFO on every manage.py command.
        "axes.apps": {"level": "WARNING", "propagate": True},
        # runserver prints "Watching for file changes" itself.
        "django.utils.autoreload": {"level": "WARNING", "propagate": True},
        "celery": {"level": "INFO", "propagate": True},
    },
}

# --- WhatsApp channel ---------------------------------------------------------------------------
# async: the webhook stores the message and a Celery task runs the turn and sends the reply through
# the REST API. sync: the reply goes back in the webhook's TwiML (set-ups without a worker; refused
# by a deploy check outside DEBUG).
WHATSAPP_MODE = env_choice("WHATSAPP_MODE", choices=("async", "sync"), default="async")
# Messages from one customer within this window are answered as one turn (0 = no wait).
WHATSAPP_BURST_WINDOW_S = env.float("WHATSAPP_BURST_WINDOW_S", default=2.0)
# Per customer: above N messages per window they get one notice and no answers (0 = no limit).
WHATSAPP_RATE_LIMIT_MESSAGES = env.int("WHATSAPP_RATE_LIMIT_MESSAGES", default=20)
WHATSAPP_RATE_LIMIT_WINDOW_S = env.int("WHATSAPP_RATE_LIMIT_WINDOW_S", default=60)
# How long Redis remembers a MessageSid (the database constraint remembers it forever).
WHATSAPP_IDEMPOTENCY_TTL_S = env.int("WHATSAPP_IDEMPOTENCY_TTL_S", default=86_400)
# Attempts per outbound message on connection errors, 429 and 5xx before it is marked failed.
WHATSAPP_SEND_MAX_ATTEMPTS = env.int("WHATSAPP_SEND_MAX_ATTEMPTS", default=6)
# Approved WhatsApp templates (Content API ContentSid, HX…): the salesperson notification and the
# message staff may send outside the customer's 24-hour window.
TWILIO_SALES_TEMPLATE_CONTENT_SID = env.str("TWILIO_SALES_TEMPLATE_CONTENT_SID", default="")
TWILIO_STAFF_TEMPLATE_CONTENT_SID = env.str("TWILIO_STAFF_TEMPLATE_CONTENT_SID", default="")
# The CSAT question as a list to tap (an approved twilio/list-picker Content template whose items
# have ids choice:1 … choice:5); empty: the question goes out as plain text (README, CSAT).
TWILIO_CSAT_CONTENT_SID = env.str("TWILIO_CSAT_CONTENT_SID", default="")
# Safety net for work whose task never ran (broker unreachable at enqueue time, or a worker
# killed between the broker's BRPOP and its "unacked" record — measured in make chaos-whatsapp):
# Celery beat re-enqueues messages still pending and reply parts still unsent after
# WHATSAPP_SWEEP_AFTER_S. Idempotent, so an extra enqueue never means an extra turn or send.
WHATSAPP_SWEEP_INTERVAL_S = env.int("WHATSAPP_SWEEP_INTERVAL_S", default=60)
WHATSAPP_SWEEP_AFTER_S = env.int("WHATSAPP_SWEEP_AFTER_S", default=120)
CELERY_BEAT_SCHEDULE = {
    **vars().get("CELERY_BEAT_SCHEDULE", {}),
    "leads.lead_notify_sweep": {
        "task": "leads.lead_notify_sweep",
        "schedule": 60.0,
        "kwargs": {"older_than_s": 120.0},
        "options": {"expires": 60.0},
    },
    "channels.whatsapp_pending_sweep": {
        "task": "channels.whatsapp_pending_sweep",
        "schedule": WHATSAPP_SWEEP_INTERVAL_S,
        "kwargs": {"older_than_s": WHATSAPP_SWEEP_AFTER_S},
        "options": {"expires": WHATSAPP_SWEEP_INTERVAL_S},
    },
}
_WHATSAPP_RULES = (
    (not TWILIO_SALES_TEMPLATE_CONTENT_SID or TWILIO_SALES_TEMPLATE_CONTENT_SID.startswith("HX"),
     "TWILIO_SALES_TEMPLATE_CONTENT_SID must be a Content API ContentSid (HX…)."),
    (not TWILIO_STAFF_TEMPLATE_CONTENT_SID or TWILIO_STAFF_TEMPLATE_CONTENT_SID.startswith("HX"),
     "TWILIO_STAFF_TEMPLATE_CONTENT_SID must be a Content API ContentSid (HX…)."),
    (not TWILIO_CSAT_CONTENT_SID or TWILIO_CSAT_CONTENT_SID.startswith("HX"),
     "TWILIO_CSAT_CONTENT_SID must be a Content API ContentSid (HX…)."),
    (WHATSAPP_BURST_WINDOW_S >= 0, "WHATSAPP_BURST_WINDOW_S must be zero or positive."),
    (WHATSAPP_RATE_LIMIT_MESSAGES >= 0, "WHATSAPP_RATE_LIMIT_MESSAGES must be zero or positive."),
    (WHATSAPP_RATE_LIMIT_WINDOW_S >= 1, "WHATSAPP_RATE_LIMIT_WINDOW_S must be at least 1."),
    (WHATSAPP_IDEMPOTENCY_TTL_S >= 60, "WHATSAPP_IDEMPOTENCY_TTL_S must be at least 60."),
    (1 <= WHATSAPP_SEND_MAX_ATTEMPTS <= 20, "WHATSAPP_SEND_MAX_ATTEMPTS must be between 1 and 20."),
    (WHATSAPP_SWEEP_INTERVAL_S >= 1, "WHATSAPP_SWEEP_INTERVAL_S must be at least 1."),
    (WHATSAPP_SWEEP_AFTER_S >= 10, "WHATSAPP_SWEEP_AFTER_S must be at least 10."),
    (all(all(t.partition(":")[::2]) and len(t) <= 64
         for t in (META_STAFF_TEMPLATE, META_SALES_TEMPLATE) if t),
     "META_STAFF_TEMPLATE / META_SALES_TEMPLATE: <name>:<language> (kavak_asesor:es_MX), ≤ 64."),
    (0.5 <= META_TIMEOUT_S <= 30, "META_TIMEOUT_S must be between 0.5 and 30."),
    (META_RECONCILE_WAIT_S >= 2 * META_TIMEOUT_S,
     "META_RECONCILE_WAIT_S must be at least 2 × META_TIMEOUT_S."),
)  # fmt: skip
for _ok, _message in _WHATSAPP_RULES:
    if not _ok:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(_message)

# --- Back office --------------------------------------------------------------------------------
# Second factor for the admin (django-otp, TOTP): on, staff log in with password *and* a code from
# their authenticator app, and a session that did not pass one sees no admin page. Off by default
# for `make run` and the test suite; production.py turns it on (and a deploy check refuses it off).
ADMIN_OTP_REQUIRED = env.bool("ADMIN_OTP_REQUIRED", default=False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Kavak agente")
# Staff log in to the admin only. django-axes locks a username *from one address* after repeated
# failures (username + IP: an attacker cannot lock a salesperson out from everywhere).
INSTALLED_APPS = [*INSTALLED_APPS, "kavak.apps.AxesConfig"]
MIDDLEWARE = [*MIDDLEWARE, "axes.middleware.AxesMiddleware"]  # last, as axes requires
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "backoffice/lockout.html"
# Behind the ALB every request comes from the balancer's address: the client is the entry the
# N proxies appended to X-Forwarded-For (1 behind the ALB; 0 = trust nothing, use the socket).
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "backoffice.security.client_ip_address"
# Staff sessions: not readable by scripts, sent on same-site requests only, short-lived, gone
# when the browser closes (shared computers at the branches). production.py adds Secure.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# An open lead without staff activity for this many days is flagged as stale.
LEAD_STALE_AFTER_DAYS = env.int("LEAD_STALE_AFTER_DAYS", default=3)
# Human handoff: advisors answer within BUSINESS_HOURS (local time, "mon-fri 09:00-19:00, sat
# 10:00-14:00"); a handoff nobody answered after HANDOFF_SLA_MINUTES of business time is flagged
# in the back office and the customer gets one honest message saying when they will be contacted.
BUSINESS_HOURS = env.str("BUSINESS_HOURS", default="mon-fri 09:00-19:00, sat 10:00-15:00")
HANDOFF_SLA_MINUTES = env.int("HANDOFF_SLA_MINUTES", default=15)
# How often the web chat asks for advisors' messages while a person has the conversation.
WEB_CHAT_POLL_SECONDS = env.int("WEB_CHAT_POLL_SECONDS", default=3)
WEB_CHAT_POLL_THROTTLE_RATE = env.str("WEB_CHAT_POLL_THROTTLE_RATE", default="60/min")
_BACKOFFICE_RULES = (
    (AXES_FAILURE_LIMIT >= 1, "AXES_FAILURE_LIMIT must be at least 1."),
    (AXES_IPWARE_PROXY_COUNT >= 0, "AXES_IPWARE_PROXY_COUNT must be zero or positive."),
    (LEAD_STALE_AFTER_DAYS >= 1, "LEAD_STALE_AFTER_DAYS must be at least 1."),
    (HANDOFF_SLA_MINUTES >= 1, "HANDOFF_SLA_MINUTES must be at least 1."),
    (WEB_CHAT_POLL_SECONDS >= 1, "WEB_CHAT_POLL_SECONDS must be at least 1."),
)
for _ok, _message in _BACKOFFICE_RULES:
    if not _ok:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(_message)
try:
    from kavak.business_hours import BusinessHours

    BusinessHours.parse(BUSINESS_HOURS, tz=TIME_ZONE)
except ValueError as _exc:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"BUSINESS_HOURS: {_exc}") from _exc
CELERY_BEAT_SCHEDULE["backoffice.handoff_sla_sweep"] = {
    "task": "backoffice.handoff_sla_sweep",
    "schedule": 60.0,
    "options": {"expires": 60.0},
}

# --- Operations -----------------------------------------------------------------------------------
# CloudWatch namespace of `manage.py export_queue_metrics` (queue depth/age, WhatsApp latency); set
# only on the exporter container (Terraform), which refuses to start without it.
QUEUE_METRICS_NAMESPACE = env.str("QUEUE_METRICS_NAMESPACE", default="")
# Days conversation messages and WhatsApp deliveries keep personal data (0 = kept). Terraform
# sets it per environment; it is the default of the two RETENTION_* settings below that cover those
# tables (docs/PRODUCTION.md "Data growth", README "Retención y borrado de datos").
DATA_RETENTION_DAYS = env.int("DATA_RETENTION_DAYS", default=0)


def _retention_days(name: str, default: int) -> int:
    """Days, or 0 = keep; an empty variable means 0, as the README promises."""
    raw = env.str(name, default=str(default)).strip()
    try:
        return int(raw or 0)
    except ValueError:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} must be a whole number of days (0 = keep).") from None


# Retention (issue 20): a nightly beat task anonymises what is older than these limits — phone
# numbers become a keyed hash, names and message texts are removed, the rows (and so every
# funnel count) stay. Conversations: by their last message; deliveries (WhatsApp in/out, status
# callbacks, contacts): by their date; leads: closed (sold or lost) and without activity since.
RETENTION_TRANSCRIPT_DAYS = _retention_days("RETENTION_TRANSCRIPT_DAYS", DATA_RETENTION_DAYS)
RETENTION_DELIVERY_DAYS = _retention_days("RETENTION_DELIVERY_DAYS", DATA_RETENTION_DAYS)
RETENTION_CLOSED_LEAD_DAYS = _retention_days("RETENTION_CLOSED_LEAD_DAYS", 0)
# Rows per short transaction of the anonymiser (locked rows are skipped and done on the next run).
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=500)
# Key of the HMAC that replaces phone numbers (the same phone always gives the same hash, so
# repeat customers still count once). Empty: derived from DJANGO_SECRET_KEY; set it if that key is
# ever rotated, or old and new hashes of one phone will differ.
RETENTION_HASH_KEY = env.str("RETENTION_HASH_KEY", default="")
_RETENTION_RULES = (
    (not DATA_RETENTION_DAYS or DATA_RETENTION_DAYS >= 30,
     "DATA_RETENTION_DAYS must be 0 (keep) or at least 30."),
    *(
        (not _days or _days >= 30, f"{_name} must be 0 (keep) or at least 30 days.")
        for _name, _days in (
            ("RETENTION_TRANSCRIPT_DAYS", RETENTION_TRANSCRIPT_DAYS),
            ("RETENTION_DELIVERY_DAYS", RETENTION_DELIVERY_DAYS),
            ("RETENTION_CLOSED_LEAD_DAYS", RETENTION_CLOSED_LEAD_DAYS),
        )
    ),
    (10 <= RETENTION_BATCH_SIZE <= 10_000, "RETENTION_BATCH_SIZE must be between 10 and 10000."),
)  # fmt: skip
for _ok, _message in _RETENTION_RULES:
    if not _ok:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(_message)
CELERY_BEAT_SCHEDULE["kavak.retention_anonymise"] = {
    "task": "kavak.retention_anonymise",
    # Every night at 03:30 (CELERY_TIMEZONE, Mexico City): off-peak. A run that has more than
    # one task's worth of work re-enqueues itself; with nothing expired it is a few index reads.
    "schedule": crontab(hour=3, minute=30),
    "options": {"expires": 3600.0},
}

# --- LLM ----------------------------------------------------------------------------------------
# The optional model (LLM_ENABLED, OPENAI_* above) phrases and parses; it never decides. Uses:
# faq (phrase knowledge-base answers from the retrieved chunks), slots (read slots the parsers
# missed, checked again by the engine), smooth (reword deterministic replies keeping every figure).
# Default: the two uses that add value on the turns that need them (a knowledge answer; a message
# the deterministic reader is unsure of). Smoothing rewords every reply, at one model call and its
# latency per turn, of replies that already come in several wordings: opt in with LLM_USES.
LLM_USES = tuple(env.list("LLM_USES", default=["faq", "slots"]))
# /chat, the web demo and the terminal call the model inline while the customer waits: one short
# attempt per call, and all the LLM work of a turn within the budget.
LLM_CHAT_TIMEOUT_S = env.float("LLM_CHAT_TIMEOUT_S", default=1.5)
LLM_CHAT_BUDGET_S = env.float("LLM_CHAT_BUDGET_S", default=2.5)
# WhatsApp turns run in a Celery task: OPENAI_TIMEOUT_S per attempt, retries with back-off on
# 429/5xx/timeouts, and the whole turn's LLM work within the budget (well below the task limit).
LLM_WHATSAPP_MAX_RETRIES = env.int("LLM_WHATSAPP_MAX_RETRIES", default=2)
LLM_WHATSAPP_BUDGET_S = env.float("LLM_WHATSAPP_BUDGET_S", default=12.0)
# Circuit breaker shared across processes: open after N transport failures within the window,
# one probe call after the cool-down.
LLM_CIRCUIT_FAILURES = env.int("LLM_CIRCUIT_FAILURES", default=5)
LLM_CIRCUIT_WINDOW_S = env.float("LLM_CIRCUIT_WINDOW_S", default=60.0)
LLM_CIRCUIT_COOLDOWN_S = env.float("LLM_CIRCUIT_COOLDOWN_S", default=30.0)
# ...and only when those failures are at least this share of the window's calls (a healthy but
# slow model times out on a few percent of tight chat budgets; that is not an outage).
LLM_CIRCUIT_FAILURE_RATIO = env.float("LLM_CIRCUIT_FAILURE_RATIO", default=0.5)
# ...or this many failures in a row with no success between (a provider that is down altogether).
LLM_CIRCUIT_CONSECUTIVE_FAILURES = env.int("LLM_CIRCUIT_CONSECUTIVE_FAILURES", default=10)
# Longest text the model may put in front of a customer (the guardrail rejects longer ones).
LLM_MAX_OUTPUT_CHARS = env.int("LLM_MAX_OUTPUT_CHARS", default=1200)
# Cost bound: model calls one conversation may make in a day (0 = no cap); past it, the
# deterministic agent answers alone (kavak_llm_calls_total{outcome="conversation_cap"}).
LLM_MAX_CALLS_PER_CONVERSATION = env.int("LLM_MAX_CALLS_PER_CONVERSATION", default=40)
# Gradual rollout (issue 20): with LLM_ENABLED, the share of new conversations that use the model
# (0-100). A conversation's group is fixed when it starts, from a hash of its session id (stable:
# the same session always lands in the same bucket 0-99) and recorded on it; the funnel dashboard
# compares conversion between the groups. 100 = every conversation, today's behaviour.
LLM_ROLLOUT_PERCENT = env.int("LLM_ROLLOUT_PERCENT", default=100)
_LLM_RULES = (
    (set(LLM_USES) <= {"faq", "slots", "smooth"},
     f"LLM_USES={','.join(LLM_USES)!r}: expected a comma-separated subset of faq,slots,smooth."),
    (OPENAI_TIMEOUT_S > 0, "OPENAI_TIMEOUT_S must be positive (the SDK default is 10 minutes)."),
    (0 < LLM_CHAT_TIMEOUT_S <= LLM_CHAT_BUDGET_S <= 10,
     "Need 0 < LLM_CHAT_TIMEOUT_S <= LLM_CHAT_BUDGET_S <= 10 (the customer is waiting)."),
    (0 <= LLM_WHATSAPP_MAX_RETRIES <= 5, "LLM_WHATSAPP_MAX_RETRIES must be between 0 and 5."),
    (OPENAI_TIMEOUT_S <= LLM_WHATSAPP_BUDGET_S <= CELERY_TASK_SOFT_TIME_LIMIT / 2,
     "Need OPENAI_TIMEOUT_S <= LLM_WHATSAPP_BUDGET_S <= CELERY_TASK_SOFT_TIME_LIMIT / 2."),
    (LLM_CIRCUIT_FAILURES >= 1, "LLM_CIRCUIT_FAILURES must be at least 1."),
    (0 < LLM_CIRCUIT_FAILURE_RATIO <= 1, "LLM_CIRCUIT_FAILURE_RATIO must be in (0, 1]."),
    (LLM_CIRCUIT_CONSECUTIVE_FAILURES >= 1, "LLM_CIRCUIT_CONSECUTIVE_FAILURES must be at least 1."),
    (LLM_CIRCUIT_WINDOW_S > 0 and LLM_CIRCUIT_COOLDOWN_S > 0,
     "LLM_CIRCUIT_WINDOW_S and LLM_CIRCUIT_COOLDOWN_S must be positive."),
    (200 <= LLM_MAX_OUTPUT_CHARS <= 4000, "LLM_MAX_OUTPUT_CHARS must be between 200 and 4000."),
    (LLM_MAX_CALLS_PER_CONVERSATION >= 0, "LLM_MAX_CALLS_PER_CONVERSATION must be 0 or more."),
    (0 <= LLM_ROLLOUT_PERCENT <= 100, "LLM_ROLLOUT_PERCENT must be between 0 and 100."),
)  # fmt: skip
for _ok, _message in _LLM_RULES:
    if not _ok:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(_message)

# --- Voice notes (issue 20) ---------------------------------------------------------------------
# With LLM_ENABLED (and the conversation in the rollout's model group), a WhatsApp voice note is
# downloaded with the provider's credentials and transcribed (OpenAI audio transcriptions) in the
# turn's Celery task; its text is the customer's message. Off, or on any failure, the customer gets
# one polite request to write instead. VOICE_NOTES_ENABLED=false keeps the LLM without audio.
VOICE_NOTES_ENABLED = env.bool("VOICE_NOTES_ENABLED", default=True)
# Enforced while streaming (a bigger file is abandoned at this byte), and before when the provider
# states the size. WhatsApp voice notes are Opus at ~16 kbit/s: 5 MB is about 40 minutes.
VOICE_NOTE_MAX_BYTES = env.int("VOICE_NOTE_MAX_BYTES", default=5 * 1024 * 1024)
# Checked when the file tells its length (OGG/Opus, what WhatsApp records), before transcribing.
VOICE_NOTE_MAX_SECONDS = env.int("VOICE_NOTE_MAX_SECONDS", default=300)
# Types the transcription API accepts. AMR and raw AAC are left out on purpose: OpenAI rejects them
# (it takes flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav, webm), so downloading them would be wasted.
VOICE_NOTE_CONTENT_TYPES = tuple(
    env.list(
        "VOICE_NOTE_CONTENT_TYPES",
        default=[
            "audio/ogg", "audio/opus", "audio/mpeg", "audio/mp3", "audio/mp4", "audio/m4a",
            "audio/x-m4a", "audio/webm", "audio/wav", "audio/x-wav", "audio/flac",
        ],
    )
)  # fmt: skip
# Whole download (connect, redirects, body) of one file.
VOICE_NOTE_DOWNLOAD_TIMEOUT_S = env.float("VOICE_NOTE_DOWNLOAD_TIMEOUT_S", default=8.0)
# Everything the voice notes of one turn may take (downloads and transcriptions, retries included),
# on top of LLM_WHATSAPP_BUDGET_S and within the task's soft time limit.
VOICE_NOTE_BUDGET_S = env.float("VOICE_NOTE_BUDGET_S", default=25.0)
OPENAI_TRANSCRIPTION_MODEL = env.str("OPENAI_TRANSCRIPTION_MODEL", default="gpt-4o-mini-transcribe")
OPENAI_TRANSCRIPTION_LANGUAGE = env.str("OPENAI_TRANSCRIPTION_LANGUAGE", default="es")
OPENAI_TRANSCRIPTION_TIMEOUT_S = env.float("OPENAI_TRANSCRIPTION_TIMEOUT_S", default=15.0)
OPENAI_TRANSCRIPTION_MAX_RETRIES = env.int("OPENAI_TRANSCRIPTION_MAX_RETRIES", default=1)
_VOICE_RULES = (
    (10_000 <= VOICE_NOTE_MAX_BYTES <= 25 * 1024 * 1024,
     "VOICE_NOTE_MAX_BYTES must be between 10000 and 26214400 (the transcription API's 25 MB)."),
    (VOICE_NOTE_MAX_SECONDS >= 5, "VOICE_NOTE_MAX_SECONDS must be at least 5."),
    (all("/" in t for t in VOICE_NOTE_CONTENT_TYPES),
     "VOICE_NOTE_CONTENT_TYPES: comma-separated MIME types (audio/ogg,audio/mpeg)."),
    (0 < VOICE_NOTE_DOWNLOAD_TIMEOUT_S <= VOICE_NOTE_BUDGET_S,
     "Need 0 < VOICE_NOTE_DOWNLOAD_TIMEOUT_S <= VOICE_NOTE_BUDGET_S."),
    (0 < OPENAI_TRANSCRIPTION_TIMEOUT_S <= VOICE_NOTE_BUDGET_S,
     "Need 0 < OPENAI_TRANSCRIPTION_TIMEOUT_S <= VOICE_NOTE_BUDGET_S."),
    (0 <= OPENAI_TRANSCRIPTION_MAX_RETRIES <= 3,
     "OPENAI_TRANSCRIPTION_MAX_RETRIES must be between 0 and 3."),
    (VOICE_NOTE_BUDGET_S + LLM_WHATSAPP_BUDGET_S <= CELERY_TASK_SOFT_TIME_LIMIT - 5,
     "Need VOICE_NOTE_BUDGET_S + LLM_WHATSAPP_BUDGET_S <= CELERY_TASK_SOFT_TIME_LIMIT - 5."),
)  # fmt: skip
for _ok, _message in _VOICE_RULES:
    if not _ok:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(_message)
