"""Production: required secrets, https-only cookies, HSTS, and the ALB's forwarded protocol.

Refuses to start without DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, REDIS_URL,
CELERY_BROKER_URL and a delivering EMAIL_URL (or LEAD_EMAIL_NOTIFICATIONS=false);
`manage.py check --deploy --fail-level WARNING` is clean with a realistic env.
"""

from django.core.exceptions import ImproperlyConfigured

from kavak.env import env, env_required

from .base import *

if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be false with kavak.settings.production.")

_BECAUSE = "DJANGO_SETTINGS_MODULE=kavak.settings.production"
SECRET_KEY = env_required("DJANGO_SECRET_KEY", because=_BECAUSE)
ALLOWED_HOSTS = [h for h in env.list("DJANGO_ALLOWED_HOSTS", default=[]) if h]
if not ALLOWED_HOSTS:
    env_required("DJANGO_ALLOWED_HOSTS", because=_BECAUSE)
env_required("DATABASE_URL", because=_BECAUSE)
env_required("REDIS_URL", because=_BECAUSE)
env_required("CELERY_BROKER_URL", because=_BECAUSE)
# The sales email goes through a backend that delivers (SMTP or SES), or is turned off explicitly.
_DELIVERING_EMAIL = ("django.core.mail.backends.smtp.EmailBackend", "django_ses.SESBackend")
if LEAD_EMAIL_NOTIFICATIONS and EMAIL_BACKEND not in _DELIVERING_EMAIL:
    raise ImproperlyConfigured(
        f"EMAIL_URL={EMAIL_URL.split(':', 1)[0]}:// does not deliver email: production needs "
        "smtp://, smtp+tls://, smtps:// or ses://<region>, or LEAD_EMAIL_NOTIFICATIONS=false."
    )
if CELERY_TASK_ALWAYS_EAGER:
    raise ImproperlyConfigured("CELERY_TASK_ALWAYS_EAGER must be false in production.")

# The ALB terminates TLS and sets X-Forwarded-Proto; the app is reachable only through it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = False
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# The load balancer's health checks talk plain HTTP to the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)
# Staff log in to the admin with a TOTP code as well (kavak/admin_site.py); `check --deploy`
# refuses it off (kavak.E005).
ADMIN_OTP_REQUIRED = env.bool("ADMIN_OTP_REQUIRED", default=True)
