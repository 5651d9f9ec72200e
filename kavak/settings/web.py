"""Auth, i18n, static files, the admin URL and who may read /metrics (web and Celery workers).

Part of ``kavak.settings.base``, which imports every module in order.
"""

from __future__ import annotations

import ipaddress

from kavak.env import BASE_DIR, env

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
