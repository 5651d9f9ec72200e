"""Logging: JSON or text lines through one console handler, with the request/turn context.

Part of ``kavak.settings.base``, which imports every module in order.
"""

from __future__ import annotations

from kavak.env import env, env_choice

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
