"""Operations: the queue metrics exporter's namespace, and retention of personal data (the nightly
anonymisation and its limits).

Part of ``kavak.settings.base``, which imports every module in order.
"""

from __future__ import annotations

from celery.schedules import crontab

from kavak.env import env
from kavak.settings.backoffice import CELERY_BEAT_SCHEDULE as _EARLIER_BEAT

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
CELERY_BEAT_SCHEDULE = {
    **_EARLIER_BEAT,
    "kavak.retention_anonymise": {
        "task": "kavak.retention_anonymise",
        # Every night at 03:30 (CELERY_TIMEZONE, Mexico City): off-peak. A run that has more than
        # one task's worth of work re-enqueues itself; with nothing expired it is a few index
        # reads.
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 3600.0},
    },
}
