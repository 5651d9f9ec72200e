"""OrmCarCatalog: the engine's catalogue port on the real catalogue (every query field arrives)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.services import catalog_load_demo
from conversations.adapters import OrmCarCatalog
from conversations.engine.ports import CarQuery

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_catalog() -> None:
    catalog_load_demo()


def test_a_price_range_reaches_the_recommendation() -> None:
    inside = OrmCarCatalog().recommend(
        CarQuery(body_type="suv", budget=Decimal(300_000), budget_min=Decimal(250_000))
    )
    below = OrmCarCatalog().recommend(
        CarQuery(model="versa", budget=Decimal(300_000), budget_min=Decimal(280_000))
    )

    assert inside.exact
    assert all(Decimal(250_000) <= c.price <= Decimal(300_000) for c in inside.cars)
    assert below.cars
    assert all(c.model == "Versa" and c.price < Decimal(280_000) for c in below.cars)
    assert below.note is not None
    assert "entre $280,000 y $300,000" in below.note


def test_alternative_models_reach_the_recommendation() -> None:
    rec = OrmCarCatalog().recommend(
        CarQuery(model="rio", alternatives=((None, "versa"),), budget=Decimal(300_000))
    )

    assert rec.exact
    assert {c.model for c in rec.cars} == {"Rio", "Versa"}
