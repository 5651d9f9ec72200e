"""The WhatsApp channel: async or sync mode, bursts, per-customer rate limit, idempotency, sends,
approved templates, and the beat sweeps that re-enqueue work whose task never ran.

Part of ``kavak.settings.base``, which imports every module in order.
"""

from __future__ import annotations

from kavak.env import env, env_choice
from kavak.settings.integrations import (
    META_RECONCILE_WAIT_S,
    META_SALES_TEMPLATE,
    META_STAFF_TEMPLATE,
    META_TIMEOUT_S,
)

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
