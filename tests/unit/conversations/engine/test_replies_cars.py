"""Answers about the cars shown come from the catalogue's data, or say honestly that it has none."""

from __future__ import annotations

import dataclasses

import pytest

from conversations.engine import replies_cars
from tests.support.fakes import CARS


@pytest.mark.parametrize(
    ("version", "says"),
    [
        ("2.5 TURBO GRAND TOURING 4WD AT", "tracción integral"),
        ("2.0 TROPHY DCT AWD", "tracción integral"),
        ("2.5 S GRAND TOURING AUTO 2WD", "no 4x4"),
        ("1.6 SENSE AUTO", "no tengo el dato"),
    ],
)
def test_the_drive_is_read_from_the_version_or_declared_unknown(version: str, says: str) -> None:
    car = dataclasses.replace(CARS[0], version=version)
    assert says in replies_cars.car_facts([(1, car)], ("traction",))
