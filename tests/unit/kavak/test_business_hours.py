"""Business-time arithmetic for the handoff SLA (no database)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kavak.business_hours import BusinessHours, when_label

MX = ZoneInfo("America/Mexico_City")
HOURS = BusinessHours.parse("mon-fri 09:00-19:00, sat 10:00-15:00", tz="America/Mexico_City")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=MX)  # Nov 30 2026 is a Monday


def test_open_and_closed() -> None:
    assert HOURS.is_open(at(30, 9))
    assert not HOURS.is_open(at(30, 19))
    assert not HOURS.is_open(at(29, 12))  # Sunday
    assert HOURS.is_open(at(28, 14, 59))  # Saturday
    assert HOURS.next_open(at(28, 15, 30)) == at(30, 9)
    assert HOURS.closes_at(at(30, 10)) == at(30, 19)
    assert HOURS.closes_at(at(30, 20)) is None


def test_business_minutes_skip_nights_and_sundays() -> None:
    assert HOURS.minutes_between(at(30, 10), at(30, 10, 15)) == 15
    assert HOURS.minutes_between(at(28, 14, 50), at(30, 9, 5)) == 15  # Saturday → Monday
    assert HOURS.minutes_between(at(30, 20), at(30, 22)) == 0


@pytest.mark.parametrize(
    ("now", "minutes", "expected"),
    [
        (at(30, 10, 20), 15, at(30, 10, 5)),
        (at(30, 9, 5), 15, at(28, 14, 50)),  # the wait started on Saturday
        (at(30, 22, 0), 15, at(30, 18, 45)),  # at night: counted back from closing time
    ],
)
def test_minutes_before_is_the_latest_start_that_waited_that_long(
    now: datetime, minutes: int, expected: datetime
) -> None:
    start = HOURS.minutes_before(now, minutes)
    assert start == expected
    assert HOURS.minutes_between(start, now) == minutes


def test_descriptions_for_customers() -> None:
    assert HOURS.describe() == "lunes a viernes de 9:00 a 19:00 y sábado de 10:00 a 15:00"
    assert when_label(at(30, 9), now=at(30, 8), tz=MX) == "hoy a las 9:00"
    assert when_label(at(30, 9), now=at(29, 22), tz=MX) == "mañana a las 9:00"
    assert when_label(at(30, 9), now=at(28, 20), tz=MX) == "el lunes 30 a las 9:00"


@pytest.mark.parametrize("spec", ["", "mon 19:00-09:00", "lunes 09:00-19:00", "mon-fri 9-19"])
def test_invalid_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="business hours"):
        BusinessHours.parse(spec, tz="America/Mexico_City")
