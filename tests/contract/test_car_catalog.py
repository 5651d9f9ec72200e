"""The engine's catalogue port (``CarCatalog.recommend``): the query fields every adapter honours.

Each test runs against the in-memory fake the engine tests use and the ORM adapter on the real
PostgreSQL of the test settings, loaded with the fake's cars, so that an engine test written on
the fake holds in production for these fields.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from catalog.matching import compact_key
from catalog.models import Car
from catalog.selectors import catalog_vocabulary_invalidate
from conversations.adapters import OrmCarCatalog
from conversations.engine.ports import CarCatalog, CarQuery
from tests.support.fakes import CARS, InMemoryCarCatalog

pytestmark = pytest.mark.django_db


def _orm() -> CarCatalog:
    for car in CARS:
        Car.objects.create(
            stock_id=car.stock_id, make=car.make, model=car.model, year=car.year,
            version=car.version, price=car.price, km=car.km, body_type=car.body_type,
            transmission=car.transmission, make_key=compact_key(car.make),
            model_key=compact_key(car.model),
        )  # fmt: skip
    catalog_vocabulary_invalidate()
    return OrmCarCatalog()


ADAPTERS: dict[str, Callable[[], CarCatalog]] = {"memory": InMemoryCarCatalog, "orm": _orm}


@pytest.fixture(params=list(ADAPTERS))
def catalog(request: pytest.FixtureRequest) -> CarCatalog:
    return ADAPTERS[request.param]()


def test_a_price_range_shows_the_cars_inside_it_first(catalog: CarCatalog) -> None:
    low, high = Decimal(230_000), Decimal(250_000)
    rec = catalog.recommend(CarQuery(body_type="sedan", budget=high, budget_min=low))

    assert rec.cars[0].stock_id == "1003"  # the $229,999 Corolla is below the range
    outside = [c for c in rec.cars if not low <= c.price <= high]
    assert all(c.reason for c in outside)  # an adapter may add them, saying how they differ
    assert not rec.exact or not outside


def test_alternative_models_are_all_shown_when_they_fit(catalog: CarCatalog) -> None:
    rec = catalog.recommend(
        CarQuery(
            make="Toyota",
            model="Corolla",
            alternatives=(("Nissan", "Versa"),),
            budget=Decimal(300_000),
        )
    )

    assert rec.exact
    assert {c.model for c in rec.cars} == {"Corolla", "Versa"}


def test_alternative_makes_are_all_shown_when_they_fit(catalog: CarCatalog) -> None:
    rec = catalog.recommend(CarQuery(make="Honda", alternatives=(("Mazda", None),)))

    assert rec.exact
    assert {c.make for c in rec.cars} == {"Honda", "Mazda"}


def test_the_price_range_is_the_cheapest_and_the_dearest_of_the_kind(catalog: CarCatalog) -> None:
    everything = catalog.price_range(body_type=None)
    sedans = catalog.price_range(body_type="sedan")
    assert everything == (min(c.price for c in CARS), max(c.price for c in CARS))
    sedan_prices = [c.price for c in CARS if c.body_type == "sedan"]
    assert sedans == (min(sedan_prices), max(sedan_prices))
    assert catalog.price_range(body_type="convertible") is None


def test_a_count_is_of_the_kind_make_and_model_asked(catalog: CarCatalog) -> None:
    def count(**kwargs: str | None) -> int:
        return catalog.count(**{"body_type": None, "make": None, "transmission": None, **kwargs})

    assert count() == len(CARS)
    car = CARS[0]
    same_model = [c for c in CARS if c.make == car.make and c.model == car.model]
    assert count(make=car.make, model=car.model) == len(same_model)
    assert count(model=car.model) == len([c for c in CARS if c.model == car.model])
    assert count(model="Tsuru") == 0
