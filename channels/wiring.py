"""The channel's composition root: settings pick the sender of each business number, the
Redis intake guard and the leads app's notifier.

``WHATSAPP_PROVIDERS`` maps our business numbers to Twilio or Meta; a number it does not list is
Twilio's (the set-up before Meta existed: ``TWILIO_WHATSAPP_NUMBER`` alone). Replies are sent
from the number the customer wrote to, hence through that number's provider.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from channels.intake import NullIntakeGuard, RedisIntakeGuard
from channels.phones import InvalidPhone, phone_normalise, whatsapp_address
from channels.ports import OutboundSender
from channels.providers import META, TWILIO, Route
from leads.ports import LeadNotifier, NullLeadNotifier


def whatsapp_route(business_address: str) -> Route:
    """The provider of one of our numbers (``whatsapp:+…`` or any phone spelling)."""
    try:
        phone = phone_normalise(business_address) if business_address else ""
    except InvalidPhone:
        phone = ""
    route = settings.WHATSAPP_ROUTES.get(phone)
    return route or Route(phone=phone, provider=TWILIO)


def whatsapp_meta_route(phone_number_id: str) -> Route | None:
    """Our Meta number with this phone number id (None: not one of ours)."""
    for route in settings.WHATSAPP_ROUTES.values():
        if route.provider == META and route.phone_number_id == phone_number_id:
            return route
    return None


def whatsapp_meta_enabled() -> bool:
    return any(r.provider == META for r in settings.WHATSAPP_ROUTES.values())


def whatsapp_default_address() -> str:
    """The number we write from when no customer chose one (salesperson notifications):
    ``TWILIO_WHATSAPP_NUMBER`` when set, else the first number of ``WHATSAPP_PROVIDERS``."""
    if settings.TWILIO_WHATSAPP_NUMBER:
        return whatsapp_address(settings.TWILIO_WHATSAPP_NUMBER)
    first = next(iter(settings.WHATSAPP_ROUTES.values()), None)
    return whatsapp_address(first.phone) if first is not None else ""


def whatsapp_template(*, purpose: str, business_address: str) -> str:
    """The approved template for ``purpose`` (staff | sales | csat) on that number's provider, in
    the provider's own reference ("" when none is configured).

    ``csat``: the question with options to tap. Meta needs no template for it inside the 24-hour
    window (an interactive list is free-form); Twilio needs an approved Content template
    (``TWILIO_CSAT_CONTENT_SID``), else the question goes out as plain text.
    """
    templates: dict[str, str]
    if whatsapp_route(business_address).provider == META:
        templates = {
            "staff": settings.META_STAFF_TEMPLATE,
            "sales": settings.META_SALES_TEMPLATE,
            "csat": "",
        }
    else:
        templates = {
            "staff": settings.TWILIO_STAFF_TEMPLATE_CONTENT_SID,
            "sales": settings.TWILIO_SALES_TEMPLATE_CONTENT_SID,
            "csat": settings.TWILIO_CSAT_CONTENT_SID,
        }
    return templates[purpose]


def whatsapp_template_setting(*, purpose: str, business_address: str) -> str:
    """The variable staff must set for ``whatsapp_template`` (named in error messages)."""
    if whatsapp_route(business_address).provider == META:
        return f"META_{purpose.upper()}_TEMPLATE"
    return f"TWILIO_{purpose.upper()}_TEMPLATE_CONTENT_SID"


def outbound_sender(business_address: str = "") -> OutboundSender:
    """The sender for messages from ``business_address`` (its provider's REST API)."""
    route = whatsapp_route(business_address)
    if route.provider == META:
        return _meta_sender(route.phone_number_id)
    return _twilio_sender()


@functools.cache
def _twilio_sender() -> OutboundSender:
    from channels.twilio.sender import TwilioSender

    return TwilioSender.from_settings()


@functools.cache
def _meta_sender(phone_number_id: str) -> OutboundSender:
    from channels.meta.sender import MetaSender

    return MetaSender.from_settings(phone_number_id=phone_number_id)


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


@functools.cache
def lead_notifier() -> LeadNotifier:
    """Salespeople hear of a lead on WhatsApp when the channel is on (the email goes anyway).

    Installed as the leads app's notifier by ``ChannelsConfig.ready``."""
    from channels.lead_notifier import WhatsAppLeadNotifier  # it imports the services (cycle)

    return WhatsAppLeadNotifier() if settings.WHATSAPP_ENABLED else NullLeadNotifier()


@receiver(setting_changed)
def _reset_channel_wiring(**_: Any) -> None:
    """override_settings in tests rebuilds the adapters."""
    _twilio_sender.cache_clear()
    _meta_sender.cache_clear()
    intake_guard.cache_clear()
    lead_notifier.cache_clear()
