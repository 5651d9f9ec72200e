"""Which provider serves each of our WhatsApp business numbers (``WHATSAPP_PROVIDERS``).

Pure Python (settings import it to fail at start-up on a bad value):
``+5255…=meta:<phone_number_id>,+1415…=twilio``. A number is keyed by its normalised form
(``+52`` + 10 digits), so ``whatsapp:+5215512345678`` and ``+52 55 1234 5678`` are the same number.
"""

from __future__ import annotations

from dataclasses import dataclass

from channels.phones import InvalidPhone, phone_normalise

TWILIO = "twilio"
META = "meta"
PROVIDERS = (TWILIO, META)


@dataclass(frozen=True)
class Route:
    """One business number and the provider that carries it (Meta needs its phone number id)."""

    phone: str
    provider: str
    phone_number_id: str = ""


def providers_parse(text: str) -> dict[str, Route]:
    """Parse ``WHATSAPP_PROVIDERS``; raise ``ValueError`` naming the bad entry."""
    routes: dict[str, Route] = {}
    for raw in text.split(","):
        entry = raw.strip()
        if not entry:
            continue
        number, sep, target = entry.partition("=")
        if not sep:
            raise ValueError(f"{entry!r}: expected <number>=twilio or <number>=meta:<id>")
        try:
            phone = phone_normalise(number)
        except InvalidPhone as exc:
            raise ValueError(f"{number.strip()!r} is not a phone number") from exc
        provider, _, phone_number_id = target.strip().partition(":")
        provider = provider.strip().lower()
        phone_number_id = phone_number_id.strip()
        if provider not in PROVIDERS:
            raise ValueError(f"{entry!r}: provider must be one of {', '.join(PROVIDERS)}")
        if provider == META and not phone_number_id.isdigit():
            raise ValueError(f"{entry!r}: meta needs its numeric phone number id (meta:<id>)")
        if provider == TWILIO and phone_number_id:
            raise ValueError(f"{entry!r}: twilio takes no id")
        if phone in routes:
            raise ValueError(f"{number.strip()!r} is listed twice")
        routes[phone] = Route(phone=phone, provider=provider, phone_number_id=phone_number_id)
    ids = [r.phone_number_id for r in routes.values() if r.phone_number_id]
    if len(ids) != len(set(ids)):
        raise ValueError("a Meta phone number id is listed for two numbers")
    return routes
