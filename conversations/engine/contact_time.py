"""When the customer wants to be contacted or to visit: "mañana en la tarde", "el lunes a las 10",
"mañana 4pm", "después de las 8" (20:00). Phone numbers in a message are never hours."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from conversations.engine.parsing import fold, strip_phones

_WEEKDAYS = {
    "lunes": 0,
    "martes": 1,
    "miercoles": 2,
    "jueves": 3,
    "viernes": 4,
    "sabado": 5,
    "domingo": 6,
}
_PERIODS = {"manana": 10, "mediodia": 12, "tarde": 16, "noche": 19}
_LAST_HOUR = 19  # the latest hour a visit or a call is booked for on the same day


_TIME_PIECES = re.compile(
    r"\b(?:(?:el|este|el proximo|proximo|la proxima|pasado)\s+)?(?:pasado manana|manana|hoy|"
    r"lunes|martes|miercoles|jueves|viernes|sabado|domingo|fin de semana|finde)\b"
    r"|\beste fin\b(?! de (?:mes|ano))"
    r"|\b(?:despues de las|despues de la|desde las|a partir de las|como a las|a las|a la|tipo|"
    r"por ahi de las)\s+\d{1,2}(?::\d{2})?(?:\s*(?:am|pm|hrs|h|de la noche|de la tarde|"
    r"de la manana))?"
    r"|\b(?:en|por) la (?:manana|tarde|noche)\b|\btemprano\b|\b(?:al|a|en el) mediodia\b"
    r"|(?<![\d:])\d{1,2}(?::\d{2})?\s*(?:am|a\.m\.|pm|p\.m\.|hrs)(?!\w)"
)
# An hour without "a las": "mañana 4pm", "el sábado 11 am", "hoy 17:30", "mañana 4" (right after
# the day).
_BARE_HOUR = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<suffix>am|a\.m\.|pm|p\.m\.|hrs|h)(?![\w])"
    r"|(?<![\d:])(?P<h2>\d{1,2}):(?P<m2>\d{2})(?![\d])"
    r"|\b(?:manana|hoy|lunes|martes|miercoles|jueves|viernes|sabado|domingo)\s+(?P<h3>\d{1,2})"
    r"(?:\s*(?P<suffix3>de la tarde|de la noche|de la manana))?\b"
    r"(?![:\d]|\s*(?:mil|k|meses|anos|%|de\s))"
)
# "a medio día", "al medio-dia": one word, as the rules below spell it.
_MIDDAY = re.compile(r"\bmedio\s*-?\s*dia\b")


def contact_phrase(text: str) -> str | None:
    """The words of ``text`` that say when ("quiero una cita en Monterrey el sábado a las 11"
    → "el sábado a las 11"), or None when it names no day or hour."""
    folded = strip_phones(fold(text))
    if _MIDDAY.search(folded):
        folded = _MIDDAY.sub("mediodia", folded)
        text = folded  # the spans below index the respelt text
    spans = [m.span() for m in _TIME_PIECES.finditer(folded)]
    if not spans:
        return None
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    source = text if len(fold(text)) == len(text.lower()) and len(folded) == len(text) else folded
    return source[start:end].strip(" ,.;") or None


_DAY = re.compile(
    r"\bpasado manana\b|(?<!la )\bmanana\b|\bhoy\b|\b(?:lunes|martes|miercoles|jueves|viernes"
    r"|sabado|domingo|fin de semana|finde)\b|\beste fin\b(?! de (?:mes|ano))"
)


def names_day(text: str) -> bool:
    """Whether ``text`` names a day ("el sábado", "mañana"), not only an hour ("10 am")."""
    return _DAY.search(strip_phones(fold(text))) is not None


def parse_contact_time(text: str, *, now: datetime) -> datetime | None:
    """A preferred contact slot: "mañana en la tarde", "el lunes a las 10", "hoy a las 5 pm",
    "después de las 8" (20:00). Phone numbers in the message are not times."""
    folded = _MIDDAY.sub("mediodia", strip_phones(fold(text)))
    day = None
    if re.search(r"\bpasado manana\b", folded):
        day = now.date() + timedelta(days=2)
    elif re.search(r"(?<!la )\bmanana\b", folded):
        day = now.date() + timedelta(days=1)
    elif re.search(r"\bhoy\b", folded):
        day = now.date()
    elif re.search(
        r"\b(?:fin de semana|finde|este fin(?! de (?:mes|ano)))\b", folded
    ) and not re.search(r"\b(?:sabado|domingo)\b", folded):
        # "este fin de semana", "el finde": the coming Saturday (today, on a weekend).
        day = now.date() + timedelta(days=(5 - now.weekday()) % 7 if now.weekday() < 6 else 0)
    else:
        for name, weekday in _WEEKDAYS.items():
            if re.search(rf"\b{name}\b", folded):
                delta = (weekday - now.weekday()) % 7 or 7
                day = now.date() + timedelta(days=delta)
                break
    hour = None
    minute = 0
    m = re.search(
        r"\b(?:(?P<after>despues de las|despues de la|desde las|a partir de las)|como a las|"
        r"a las|a la|tipo|por ahi de las)\s+(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*"
        r"(?P<suffix>am|a\.m\.|pm|p\.m\.|hrs|h|de la noche|de la tarde|de la manana)?(?!\d)",
        folded,
    ) or _BARE_HOUR.search(folded)
    if m:
        groups = m.groupdict()
        hour = int(groups.get("h") or groups.get("h2") or groups.get("h3") or 0)
        minute = int(groups.get("m") or groups.get("m2") or 0)
        suffix = groups.get("suffix") or groups.get("suffix3")
        if suffix in ("pm", "p.m.", "de la noche", "de la tarde") and hour < 12:
            hour += 12
        elif suffix is None and 1 <= hour <= 7:
            hour += 12  # "a las 5" in a business context is 17:00
        elif suffix is None and hour == 8 and (groups.get("after") or "noche" in folded):
            hour = 20  # "después de las 8": after work, in the evening
        elif suffix is None and 8 <= hour <= 11 and "noche" in folded:
            hour += 12
    else:
        for period, default_hour in _PERIODS.items():
            if period == "manana" and not re.search(r"\b(?:en|por) la manana\b", folded):
                continue
            if re.search(rf"\b{period}\b", folded):
                hour = default_hour
                break
    if day is None and hour is None:
        return None
    if day is None:
        day = now.date() if hour is not None and hour > now.hour else now.date() + timedelta(days=1)
    if hour is None:
        hour = 10
        if day == now.date() and hour <= now.hour:
            # "hoy mismo" said after 10:00: the next full hour, or tomorrow once the day is over.
            hour = now.hour + 1
            if hour > _LAST_HOUR:
                day, hour = day + timedelta(days=1), 10
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=now.tzinfo)
