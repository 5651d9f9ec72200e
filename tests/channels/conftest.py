"""WhatsApp fixtures: the fake Twilio REST server, channel settings, signed Twilio posts."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client, override_settings
from twilio.request_validator import RequestValidator

from tests.channels.fake_twilio import FakeTwilio

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT_SID = "AC" + "f" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC = "https://agente.kavak.example"
OUR_NUMBER = "whatsapp:+14155238886"
CUSTOMER = "whatsapp:+5215512345678"
CUSTOMER_PHONE = "+525512345678"
WEBHOOK = "/channels/whatsapp/webhook"
STATUS = "/channels/whatsapp/status"


def payload(name: str, **overrides: str) -> dict[str, str]:
    """A captured-style Twilio payload from ``fixtures/<name>.json`` with some fields replaced."""
    data = json.loads((FIXTURES / f"{name}.json").read_text())
    data.update(overrides)
    if "MessageSid" in overrides:
        data["SmsMessageSid"] = data["SmsSid"] = overrides["MessageSid"]
    return data


def new_sid(prefix: str = "SM") -> str:
    return prefix + uuid.uuid4().hex


def sign(path: str, data: dict[str, str], *, token: str = AUTH_TOKEN, base: str = PUBLIC) -> str:
    """What Twilio puts in X-Twilio-Signature, computed by the SDK's own validator."""
    return RequestValidator(token).compute_signature(base + path, data)


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


@pytest.fixture
def whatsapp(fake_twilio: FakeTwilio) -> Iterator[FakeTwilio]:
    """The channel on, pointed at the fake Twilio; yields the fake."""
    with override_settings(**channel_settings(fake_twilio)):
        yield fake_twilio
