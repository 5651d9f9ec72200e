"""car_count: how many available cars of a kind, make and transmission ("¿tienen automáticos?")."""

from __future__ import annotations

import pytest

from catalog.models import Car
from catalog.selectors import car_count

pytestmark = pytest.mark.usefixtures("demo_catalog")


def test_counts_match_the_available_cars() -> None:
    available = Car.objects.filter(available=True)
    assert car_count() == available.count()
    assert car_count(transmission="automatic") == available.filter(transmission="automatic").count()
    assert car_count(body_type="suv") == available.filter(body_type="suv").count()
    nissan = available.filter(make__iexact="nissan").count()
    assert nissan > 0
    assert car_count(make="NISSAN") == nissan  # the make's key, not its spelling


def test_unavailable_cars_and_unknown_makes_count_nothing() -> None:
    car = Car.objects.filter(available=True, make__iexact="nissan").first()
    assert car is not None
    before = car_count(make="Nissan")
    Car.objects.filter(pk=car.pk).update(available=False)
    assert car_count(make="Nissan") == before - 1
    assert car_count(make="Tesla") == 0


def test_a_model_counts_its_listings_whatever_the_spelling() -> None:
    versa = Car.objects.filter(available=True, model__iexact="versa").count()
    assert versa > 0
    assert car_count(model="VERSA") == versa  # "¿hay versa?"
    assert car_count(make="Nissan", model="Versa") == versa
    assert car_count(make="Mazda", model="Versa") == 0
    assert car_count(model="Tsuru") == 0
