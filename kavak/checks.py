"""System checks for rules that span several settings (run by `manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_twilio_safety(app_configs: Any = None, **_: Any) -> list[Error]:
    errors: list[Error] = []
    if not settings.DEBUG and settings.TWILIO_VALIDATE_SIGNATURE == "off":
        errors.append(
            Error(
                "TWILIO_VALIDATE_SIGNATURE=off is only allowed with DJANGO_DEBUG=true.",
                hint="Use 'enforce' (or 'log-only' while migrating a number pool).",
                id="kavak.E001",
            )
        )
    if not settings.DEBUG and not settings.TWILIO_IDEMPOTENCY_ENABLED:
        errors.append(
            Error(
                "TWILIO_IDEMPOTENCY_ENABLED=false is only allowed with DJANGO_DEBUG=true.",
                hint="Duplicate Twilio deliveries would run a turn twice.",
                id="kavak.E002",
            )
        )
    if settings.WHATSAPP_ENABLED and not settings.DEBUG and not settings.PUBLIC_BASE_URL:
        errors.append(
            Error(
                "PUBLIC_BASE_URL is required with WHATSAPP_ENABLED=true outside DEBUG.",
                hint="Twilio signs the public https URL; behind the ALB the app cannot infer it.",
                id="kavak.E003",
            )
        )
    if not settings.DEBUG and not settings.ADMIN_OTP_REQUIRED:
        errors.append(
            Error(
                "ADMIN_OTP_REQUIRED=false outside DEBUG: the admin would take a password alone.",
                hint="Enrol staff with `manage.py admin_otp_enroll <user>` and keep it true.",
                id="kavak.E005",
            )
        )
    return errors
