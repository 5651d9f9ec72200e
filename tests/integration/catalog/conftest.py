"""Catalogue fixtures: the shipped demo catalogue and hand-made cars (CSV builders in
``tests/support/catalog.py``)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from catalog.matching import compact_key
from catalog.models import Car
from catalog.services import DEMO_CATALOG_PATH, catalog_load_demo


@pytest.fixture
def demo_csv() -> bytes:
    return DEMO_CATALOG_PATH.read_bytes()


@pytest.fixture
def demo_catalog(db: None) -> None:
    catalog_load_demo()


@pytest.fixture
def make_car(db: None) -> Callable[..., Car]:
    """Create a car directly (keys included), for recommendation tests with exact data."""
    counter = iter(range(1, 10_000))

    def create(
        make: str = "Toyota",
        model: str = "Corolla",
        *,
        year: int = 2020,
        price: int | str = 300_000,
        km: int = 30_000,
        body_type: str = "sedan",
        transmission: str = "automatic",
        available: bool = True,
        stock_id: str | None = None,
        seats: int | None = 5,
    ) -> Car:
        return Car.objects.create(
            stock_id=stock_id or f"T{next(counter):05d}",
            make=make,
            model=model,
            year=year,
            version="TEST",
            price=Decimal(price),
            km=km,
            body_type=body_type,
            transmission=transmission,
            available=available,
            seats=seats,
            make_key=compact_key(make),
            model_key=compact_key(model),
        )

    return create
