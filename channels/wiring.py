"""The channel's composition root: settings pick the sender and the Redis intake guard."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from channels.intake import NullIntakeGuard, RedisIntakeGuard
from channels.ports import OutboundSender


@functools.cache
def outbound_sender() -> OutboundSender:
    from channels.twilio.sender import TwilioSender

    return TwilioSender.from_settings()


@functools.cache
def intake_guard() -> NullIntakeGuard | RedisIntakeGuard:
    if not settings.REDIS_URL:
        return NullIntakeGuard()
    return RedisIntakeGuard(
        prefix=settings.REDIS_KEY_PREFIX,
        ttl_s=settings.WHATSAPP_IDEMPOTENCY_TTL_S,
        rate_window_s=settings.WHATSAPP_RATE_LIMIT_WINDOW_S,
        idempotency=settings.TWILIO_IDEMPOTENCY_ENABLED,
        rate_limit=settings.WHATSAPP_RATE_LIMIT_MESSAGES > 0,
    )


@receiver(setting_changed)
def _reset_channel_wiring(**_: Any) -> None:
    """override_settings in tests rebuilds the adapters."""
    outbound_sender.cache_clear()
    intake_guard.cache_clear()
