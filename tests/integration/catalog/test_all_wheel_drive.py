"""All-wheel drive asked by name ("4x4", "doble tracción", "AWD"): a requirement of the search,
met by the cars whose version names it, given up (and said) before anything else."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from catalog.models import Car
from catalog.selectors import car_recommend, catalog_match_text
from catalog.sql import all_wheel

MakeCar = Callable[..., Car]


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("2.5 TURBO I GRAND TOURING 4WD AT", True),
        ("2.0 TROPHY DCT AWD", True),
        ("2.5 PRO-4X AUTO 4X4", True),
        ("2.0 M135I XDRIVE AUTO", True),
        ("1.5 LT 7 PASAJEROS B CVT", False),
        ("2.5 S PLUS AUTO", False),
    ],
)
def test_a_version_names_its_drive(version: str, expected: bool) -> None:
    assert all_wheel(version) is expected


@pytest.mark.usefixtures("demo_catalog")
@pytest.mark.parametrize(
    "text", ["necesito una 4x4", "pickup doble traccion", "una suv awd", "algo 4wd"]
)
def test_all_wheel_drive_asked_by_name_is_read_as_such(text: str) -> None:
    assert "all_wheel" in catalog_match_text(text=text).uses


def _car(make_car: MakeCar, stock_id: str, version: str, **fields: object) -> Car:
    car = make_car(stock_id=stock_id, body_type="suv", **fields)
    Car.objects.filter(pk=car.pk).update(version=version)
    return car


def test_all_wheel_drive_cars_come_first_and_the_others_say_so(make_car: MakeCar) -> None:
    _car(make_car, "FWD-NEW", "1.5 LT CVT", year=2023, price=300_000)
    _car(make_car, "AWD", "2.0 TROPHY DCT AWD", year=2019, price=320_000)
    _car(make_car, "4WD", "3.5 EXCLUSIVE AUTO 4WD", year=2018, price=330_000)

    rec = car_recommend(uses=("all_wheel",), budget=Decimal(400_000))

    assert [c.stock_id for c in rec.cars] == ["AWD", "4WD", "FWD-NEW"]
    assert [c.fit for c in rec.cars] == ["match", "match", "other_drive"]
    assert "no dice 4x4" in rec.cars[2].reason.lower()


def test_with_no_all_wheel_drive_car_the_note_says_so(make_car: MakeCar) -> None:
    _car(make_car, "FWD", "1.5 LT CVT", price=300_000)

    rec = car_recommend(uses=("all_wheel",), budget=Decimal(400_000))

    assert [c.stock_id for c in rec.cars] == ["FWD"]
    assert rec.note is not None
    assert "sin tracción 4x4 confirmada" in rec.note
