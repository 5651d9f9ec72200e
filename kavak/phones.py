"""Phone numbers out of text that staff read (the knowledge team's unanswered-questions queue).

Not the log masker (``kavak.logging.mask_phones``: 10+ digits, keeps the last four to correlate
lines): here the number is replaced whole, and shorter runs count too, because a customer may type
a local 8-digit number. Ordinary numbers stay readable: prices ("300 mil", "$350,000"), years
("2020", "2019 2020"), terms ("72 meses"), dates ("2024-05-10").
"""

from __future__ import annotations

import re

PHONE_PLACEHOLDER = "[teléfono]"
MIN_PHONE_DIGITS = 8

# A run of digits where consecutive digits are separated by at most one space, dash or dot
# (parentheses around an area code allowed), optionally after "+": "55 8765 4321",
# "(55) 8765-4321", "+52 1 55 8765 4321", "5587654321", "55.87.65.43.21".
_CANDIDATE = re.compile(r"(?<![\w+$])\+?\(?\d(?:\)?[ \t.\-]?\(?\d)*\)?(?![\w])")
_YEAR = re.compile(r"(?:19[5-9]\d|20[0-4]\d)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_phone(run: str) -> bool:
    digits = re.sub(r"\D", "", run)
    if run.startswith("+52"):
        return len(digits) >= MIN_PHONE_DIGITS + 2  # the country code is not part of the number
    if len(digits) < MIN_PHONE_DIGITS:
        return False
    if _ISO_DATE.fullmatch(run):
        return False
    groups = re.split(r"[ \t.\-]", run)
    return not all(_YEAR.fullmatch(group) for group in groups)  # "2019 2020": model years


def mask_phone_numbers(text: str) -> str:
    """``text`` with every phone-like run replaced by ``[teléfono]``."""
    if not text or sum(ch.isdigit() for ch in text) < MIN_PHONE_DIGITS:
        return text
    return _CANDIDATE.sub(lambda m: PHONE_PLACEHOLDER if _is_phone(m.group()) else m.group(), text)
