"""The sales notification email: on or off, and the backend ``EMAIL_URL`` picks (SMTP or SES).

Part of ``kavak.settings.base``, which imports every module in order.
"""

from __future__ import annotations

import environ

from kavak.env import env, env_required
from kavak.settings.core import DEBUG

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
