"""The back office: the admin's second factor, login lockout (django-axes), staff sessions, stale
leads, business hours and the handoff SLA, the web chat's polling.

Part of ``kavak.settings.base``, which imports every module in order.
"""

from __future__ import annotations

from datetime import timedelta

from kavak.env import env
from kavak.settings.core import INSTALLED_APPS as _CORE_APPS
from kavak.settings.core import MIDDLEWARE as _CORE_MIDDLEWARE
from kavak.settings.web import TIME_ZONE
from kavak.settings.whatsapp import CELERY_BEAT_SCHEDULE as _CHANNEL_BEAT

# --- Back office --------------------------------------------------------------------------------
# Second factor for the admin (django-otp, TOTP): on, staff log in with password *and* a code from
# their authenticator app, and a session that did not pass one sees no admin page. Off by default
# for `make run` and the test suite; production.py turns it on (and a deploy check refuses it off).
ADMIN_OTP_REQUIRED = env.bool("ADMIN_OTP_REQUIRED", default=False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Kavak agente")
# Staff log in to the admin only. django-axes locks a username *from one address* after repeated
# failures (username + IP: an attacker cannot lock a salesperson out from everywhere).
INSTALLED_APPS = [*_CORE_APPS, "kavak.apps.AxesConfig"]
MIDDLEWARE = [*_CORE_MIDDLEWARE, "axes.middleware.AxesMiddleware"]  # last, as axes requires
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
CELERY_BEAT_SCHEDULE = {
    **_CHANNEL_BEAT,
    "backoffice.handoff_sla_sweep": {
        "task": "backoffice.handoff_sla_sweep",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
}
