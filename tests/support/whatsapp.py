"""WhatsApp test helpers: the channel's test settings (Twilio and Meta), captured Twilio payloads
(``twilio_payloads/``), signed webhook posts. The fixtures built on them live in the conftests."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.test import Client
from twilio.request_validator import RequestValidator

from tests.support.fake_twilio import FakeTwilio

FIXTURES = Path(__file__).parent / "twilio_payloads"
ACCOUNT_SID = "AC" + "f" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC = "https://agente.kavak.example"
OUR_NUMBER = "whatsapp:+14155238886"
CUSTOMER = "whatsapp:+5215512345678"
CUSTOMER_PHONE = "+525512345678"
WEBHOOK = "/channels/whatsapp/webhook"
STATUS = "/channels/whatsapp/status"


def payload(name: str, **overrides: str) -> dict[str, str]:
    """A captured Twilio payload (``twilio_payloads/<name>.json``) with some fields replaced."""
    data: dict[str, str] = json.loads((FIXTURES / f"{name}.json").read_text())
    data.update(overrides)
    if "MessageSid" in overrides:
        data["SmsMessageSid"] = data["SmsSid"] = overrides["MessageSid"]
    return data


def new_sid(prefix: str = "SM") -> str:
    return prefix + uuid.uuid4().hex


def sign(path: str, data: dict[str, str], *, token: str = AUTH_TOKEN, base: str = PUBLIC) -> str:
    """What Twilio puts in X-Twilio-Signature, computed by the SDK's own validator."""
    return str(RequestValidator(token).compute_signature(base + path, data))


def post_signed(
    client: Client, path: str, data: dict[str, str], *, signature: str | None = None, **extra: Any
) -> Any:
    return client.post(
        path,
        data=urlencode(data),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=sign(path, data) if signature is None else signature,
        **extra,
    )


def channel_settings(fake: FakeTwilio, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "WHATSAPP_ENABLED": True,
        "WHATSAPP_MODE": "async",
        "WHATSAPP_BURST_WINDOW_S": 0.0,
        "WHATSAPP_RATE_LIMIT_MESSAGES": 20,
        "WHATSAPP_RATE_LIMIT_WINDOW_S": 60,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_WHATSAPP_NUMBER": OUR_NUMBER,
        "TWILIO_API_BASE_URL": fake.base_url,
        "TWILIO_TIMEOUT_S": 0.4,
        "TWILIO_VALIDATE_SIGNATURE": "enforce",
        "TWILIO_IDEMPOTENCY_ENABLED": True,
        "PUBLIC_BASE_URL": PUBLIC,
    }
    values.update(overrides)
    return values


def worker_env(fake: FakeTwilio, **extra: str) -> dict[str, str]:
    """The environment a real Celery worker needs for the channel, pointed at the fake Twilio."""
    return {
        "WHATSAPP_ENABLED": "true",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_WHATSAPP_NUMBER": OUR_NUMBER,
        "TWILIO_API_BASE_URL": fake.base_url,
        "TWILIO_TIMEOUT_S": "0.4",
        "PUBLIC_BASE_URL": PUBLIC,
        **extra,
    }


# --- Meta WhatsApp Cloud API ------------------------------------------------------------------
META_NUMBER = "+525598765432"  # our business number on Meta
META_PHONE_NUMBER_ID = "109876543210987"
META_APP_SECRET = "test-meta-app-secret-0123456789"
META_VERIFY_TOKEN = "test-meta-verify-token"
META_ACCESS_TOKEN = "test-meta-access-token"
META_WEBHOOK = "/channels/whatsapp/meta/webhook"
META_WA_ID = "5215512345678"  # the customer as Meta names them (old 521 mobile prefix)
TWILIO_NUMBER = OUR_NUMBER.removeprefix("whatsapp:")
META_PROVIDERS = f"{META_NUMBER}=meta:{META_PHONE_NUMBER_ID},{TWILIO_NUMBER}=twilio"


def meta_settings(graph: Any, fake_twilio: FakeTwilio, **overrides: Any) -> dict[str, Any]:
    """Both providers on: our Meta number on the Graph stand-in, our Twilio number on the fake."""
    from channels.providers import providers_parse

    values = channel_settings(fake_twilio)
    values.update(
        {
            "WHATSAPP_PROVIDERS": META_PROVIDERS,
            "WHATSAPP_ROUTES": providers_parse(META_PROVIDERS),
            "META_APP_SECRET": META_APP_SECRET,
            "META_VERIFY_TOKEN": META_VERIFY_TOKEN,
            "META_ACCESS_TOKEN": META_ACCESS_TOKEN,
            "META_GRAPH_BASE_URL": graph.base_url,
            "META_GRAPH_VERSION": "v21.0",
            "META_TIMEOUT_S": 0.4,
            "META_RECONCILE_WAIT_S": 1.0,
        }
    )
    values.update(overrides)
    return values


def meta_worker_env(graph: Any, fake_twilio: FakeTwilio, **extra: str) -> dict[str, str]:
    """What a real Celery worker needs to send through the Graph stand-in."""
    return {
        **worker_env(fake_twilio),
        "WHATSAPP_PROVIDERS": META_PROVIDERS,
        "META_APP_SECRET": META_APP_SECRET,
        "META_VERIFY_TOKEN": META_VERIFY_TOKEN,
        "META_ACCESS_TOKEN": META_ACCESS_TOKEN,
        "META_GRAPH_BASE_URL": graph.base_url,
        "META_TIMEOUT_S": "0.5",
        "META_RECONCILE_WAIT_S": "1",
        **extra,
    }


def post_meta(
    client: Client,
    data: Any,
    *,
    signature: str | None = None,
    secret: str = META_APP_SECRET,
    **extra: Any,
) -> Any:
    """POST a webhook body as Meta does: raw JSON signed with the app secret."""
    from tests.support.fake_meta import encode, sign

    body = data if isinstance(data, bytes) else encode(data)
    return client.post(
        META_WEBHOOK,
        data=body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=sign(body, secret) if signature is None else signature,
        **extra,
    )


def meta_text(body: str, *, wa_id: str = META_WA_ID, message_id: str = "", **kw: Any) -> Any:
    from tests.support.fake_meta import inbound_payload

    return inbound_payload(
        phone_number_id=META_PHONE_NUMBER_ID,
        display_phone=META_NUMBER,
        wa_id=wa_id,
        body=body,
        message_id=message_id,
        **kw,
    )
