"""What the ladder gives up first when nothing fits: the year wished for before the seats needed,
and a note that never quotes a price the budget already covers."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from catalog.models import Car
from catalog.selectors import car_recommend

MakeCar = Callable[..., Car]


def test_seats_are_kept_longer_than_the_year(make_car: MakeCar) -> None:
    make_car("Honda", "Odyssey", year=2016, seats=8, body_type="minivan", stock_id="OLD8")
    make_car("MG", "HS", year=2023, seats=5, body_type="suv", stock_id="NEW5")

    rec = car_recommend(
        body_type="suv", min_seats=8, year_min=2018, budget=Decimal(450_000), limit=2
    )

    assert [c.stock_id for c in rec.cars] == ["OLD8", "NEW5"]
    assert rec.cars[0].fit == "other_body_type"
    assert "es 2016" in rec.cars[0].reason
    assert rec.note is not None
    assert "lo más económico" not in rec.note  # a $300,000 SUV is within $450,000


def test_the_cheapest_of_the_kind_is_quoted_when_the_price_is_why(make_car: MakeCar) -> None:
    make_car("Nissan", "Frontier", body_type="pickup", price=640_000, stock_id="PICKUP")
    make_car("Kia", "Rio", body_type="sedan", price=250_000, stock_id="SEDAN")

    rec = car_recommend(body_type="pickup", budget=Decimal(400_000), limit=1)

    assert [c.stock_id for c in rec.cars] == ["SEDAN"]
    assert rec.note is not None
    assert "lo más económico que tengo en pickup cuesta $640,000" in rec.note
