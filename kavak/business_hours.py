"""Business hours (``BUSINESS_HOURS``): when advisors answer, and business-time arithmetic.

Pure Python on aware datetimes: the handoff SLA counts only minutes inside these hours, and the
customer is told honestly when an advisor will be there. The spec is a comma-separated list of
``<days> HH:MM-HH:MM`` in the business time zone, days as ``mon``…``sun`` or ranges
(``mon-fri 09:00-19:00, sat 10:00-14:00``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_SEARCH_DAYS = 14  # a week with every day closed is refused at parse time


@dataclass(frozen=True)
class BusinessHours:
    """Opening windows per weekday (0 = Monday), in ``tz``."""

    windows: tuple[tuple[tuple[time, time], ...], ...]
    tz: ZoneInfo

    @classmethod
    def parse(cls, spec: str, *, tz: str) -> BusinessHours:
        """Parse ``mon-fri 09:00-19:00, sat 10:00-14:00``; raise ``ValueError`` on anything else."""
        per_day: list[list[tuple[time, time]]] = [[] for _ in DAYS]
        for chunk in (c.strip() for c in spec.split(",")):
            if not chunk:
                continue
            try:
                days, hours = chunk.split()
                start_s, end_s = hours.split("-")
                start, end = time.fromisoformat(start_s), time.fromisoformat(end_s)
                first, _, last = days.lower().partition("-")
                i, j = DAYS.index(first), DAYS.index(last or first)
            except ValueError as exc:
                raise ValueError(f"invalid business hours {chunk!r}: {exc}") from exc
            if start >= end:
                raise ValueError(f"invalid business hours {chunk!r}: opens after it closes")
            for day in range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)]:
                per_day[day].append((start, end))
        if not any(per_day):
            raise ValueError("business hours must open at least once a week")
        return cls(windows=tuple(tuple(sorted(w)) for w in per_day), tz=ZoneInfo(tz))

    def _intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        return [
            (datetime.combine(day, a, self.tz), datetime.combine(day, b, self.tz))
            for a, b in self.windows[day.weekday()]
        ]

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.tz)
        return any(a <= local < b for a, b in self._intervals(local.date()))

    def next_open(self, at: datetime) -> datetime:
        """``at`` itself when open, else the next opening."""
        local = at.astimezone(self.tz)
        for offset in range(_SEARCH_DAYS):
            for a, b in self._intervals(local.date() + timedelta(days=offset)):
                if local < b:
                    return max(a, local)
        raise AssertionError("unreachable: parse() refuses a week without hours")

    def closes_at(self, at: datetime) -> datetime | None:
        """When the window ``at`` falls in closes (None when closed)."""
        local = at.astimezone(self.tz)
        for a, b in self._intervals(local.date()):
            if a <= local < b:
                return b
        return None

    def minutes_between(self, start: datetime, end: datetime) -> float:
        """Business minutes from ``start`` to ``end`` (0 when ``end`` is not after ``start``)."""
        if end <= start:
            return 0.0
        total = 0.0
        day = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        while day <= last:
            for a, b in self._intervals(day):
                lo, hi = max(a, start), min(b, end)
                if hi > lo:
                    total += (hi - lo).total_seconds() / 60
            day += timedelta(days=1)
        return total

    def minutes_before(self, end: datetime, minutes: float) -> datetime:
        """The latest instant ``t`` with ``minutes_between(t, end) >= minutes``.

        Anything that started at or before it has waited at least ``minutes`` of business time
        by ``end`` (the waiting time only grows as the start moves back).
        """
        left = minutes
        day = end.astimezone(self.tz).date()
        for _ in range(_SEARCH_DAYS * 8):
            for a, b in reversed(self._intervals(day)):
                hi = min(b, end)
                if hi <= a:
                    continue
                available = (hi - a).total_seconds() / 60
                if available >= left:
                    return hi - timedelta(minutes=left)
                left -= available
            day -= timedelta(days=1)
        raise AssertionError("unreachable: parse() refuses a week without hours")

    def describe(self) -> str:
        """``lunes a viernes de 9:00 a 19:00 y sábado de 10:00 a 14:00`` (for customers)."""
        groups: list[tuple[int, int, tuple[tuple[time, time], ...]]] = []
        for day, windows in enumerate(self.windows):
            if groups and groups[-1][2] == windows and groups[-1][1] == day - 1:
                groups[-1] = (groups[-1][0], day, windows)
            else:
                groups.append((day, day, windows))
        parts = []
        for first, last, windows in groups:
            if not windows:
                continue
            days = (
                DAY_LABELS[first] if first == last else f"{DAY_LABELS[first]} a {DAY_LABELS[last]}"
            )
            hours = " y ".join(f"de {_hm(a)} a {_hm(b)}" for a, b in windows)
            parts.append(f"{days} {hours}")
        return ", ".join(parts[:-1]) + (" y " if len(parts) > 1 else "") + parts[-1]


def _hm(value: time) -> str:
    return f"{value.hour}:{value.minute:02d}"


def when_label(at: datetime, *, now: datetime, tz: tzinfo) -> str:
    """``hoy a las 9:00``, ``mañana a las 9:00``, ``el lunes a las 9:00`` (Spanish, local)."""
    local, today = at.astimezone(tz), now.astimezone(tz).date()
    hour = _hm(local.time())
    days = (local.date() - today).days
    if days == 0:
        return f"hoy a las {hour}"
    if days == 1:
        return f"mañana a las {hour}"
    return f"el {DAY_LABELS[local.weekday()]} {local.day} a las {hour}"


def business_hours() -> BusinessHours:
    """``settings.BUSINESS_HOURS`` parsed (validated at start-up by
    ``kavak.settings.backoffice``)."""
    from django.conf import settings

    spec, tz = settings.BUSINESS_HOURS, settings.TIME_ZONE
    cached = _CACHE.get((spec, tz))
    if cached is None:
        cached = _CACHE[(spec, tz)] = BusinessHours.parse(spec, tz=tz)
    return cached


_CACHE: dict[tuple[str, str], BusinessHours] = {}
