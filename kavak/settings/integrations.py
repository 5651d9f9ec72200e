"""Feature flags (an unknown value is a start-up error) and the vendors they turn on: OpenAI,
Twilio and Meta's WhatsApp Cloud API. A flag that is on requires its secrets (no defaults).

``WHATSAPP_PROVIDERS`` is parsed here with the channel's pure-Python parser, so a bad value stops
every process at start-up (the import-linter contract lists this one exception to the layers).

Part of ``kavak.settings.base``, which imports every module in order.
"""

from __future__ import annotations

from channels.providers import providers_parse as _providers_parse
from kavak.env import env, env_choice, env_required
from kavak.settings.cache import REDIS_URL
from kavak.settings.core import DEBUG

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
