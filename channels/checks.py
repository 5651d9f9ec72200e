"""System checks for the WhatsApp channel (run by ``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_whatsapp_mode(app_configs: Any = None, **_: Any) -> list[Error]:
    """Synchronous mode runs turns inside Twilio's 15 s request budget: development only."""
    if settings.WHATSAPP_ENABLED and settings.WHATSAPP_MODE == "sync" and not settings.DEBUG:
        return [
            Error(
                "WHATSAPP_MODE=sync is only allowed with DJANGO_DEBUG=true.",
                hint="Run a Celery worker and use WHATSAPP_MODE=async.",
                id="channels.E001",
            )
        ]
    return []
