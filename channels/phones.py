"""WhatsApp addresses and Mexican phone numbers.

Twilio sends ``From=whatsapp:+5215512345678``: WhatsApp ids of Mexican mobiles often keep the old
``521`` mobile prefix although national numbers are 10 digits since 2019. We match customers on the
normalised ``+52`` + 10 digits and reply to the raw address Twilio gave us (WhatsApp routes on it).
"""

from __future__ import annotations

import re

WHATSAPP_PREFIX = "whatsapp:"
_DIGITS = re.compile(r"\D")


class InvalidPhone(ValueError):
    """The address is not a phone number we can talk to."""


def phone_normalise(address: str) -> str:
    """``whatsapp:+5215512345678`` / ``+52 55 1234 5678`` → ``+525512345678`` (E.164 otherwise)."""
    raw = address.strip()
    if raw.lower().startswith(WHATSAPP_PREFIX):
        raw = raw[len(WHATSAPP_PREFIX) :]
    digits = _DIGITS.sub("", raw)
    if len(digits) == 13 and digits.startswith("521"):
        return "+52" + digits[3:]
    if len(digits) == 12 and digits.startswith("52"):
        return "+" + digits
    if len(digits) == 10 and not raw.startswith("+"):
        return "+52" + digits  # a national number typed by staff
    if 8 <= len(digits) <= 15:
        return "+" + digits
    raise InvalidPhone(f"not a phone number: {len(digits)} digits")


def whatsapp_address(phone: str) -> str:
    """The address to send to when we only know the normalised number (staff, salespeople)."""
    value = phone.strip()
    return value if value.lower().startswith(WHATSAPP_PREFIX) else WHATSAPP_PREFIX + value
