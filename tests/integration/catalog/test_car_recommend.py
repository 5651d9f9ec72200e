"""car_recommend: ranked, honest recommendations from available cars only."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection

from catalog.models import Car
from catalog.selectors import car_get_available, car_recommend

pytestmark = pytest.mark.django_db

MakeCar = Callable[..., Car]


def _ids(recommendation: object) -> list[str]:
    return [c.stock_id for c in recommendation.cars]  # type: ignore[attr-defined]


def test_exact_matches_are_ranked_newest_then_fewest_km(make_car: MakeCar) -> None:
    make_car("Mazda", "CX-5", year=2019, km=40_000, price=240_000, body_type="suv", stock_id="A")
    make_car("Nissan", "Kicks", year=2021, km=50_000, price=245_000, body_type="suv", stock_id="B")
    make_car("KIA", "Sportage", year=2021, km=20_000, price=249_000, body_type="suv", stock_id="C")
    make_car("Ford", "Escape", year=2018, km=10_000, price=200_000, body_type="suv", stock_id="D")
    make_car("Toyota", "Corolla", year=2023, km=1_000, price=200_000, stock_id="E")  # a sedan

    rec = car_recommend(budget=Decimal(250_000), body_type="suv")

    assert _ids(rec) == ["C", "B", "A"]
    assert rec.exact is True
    assert rec.note is None
    assert {c.fit for c in rec.cars} == {"match"}
    assert rec.cars[0].reason == ""  # a match needs no reason; the reply lists its data
    assert rec.cars[0].price == Decimal("249000.00")


def test_unavailable_cars_are_never_recommended(make_car: MakeCar) -> None:
    make_car(year=2024, stock_id="SOLD", available=False)
    make_car(year=2018, stock_id="OK")

    rec = car_recommend(make="Toyota", model="Corolla")

    assert _ids(rec) == ["OK"]
    assert car_get_available(stock_id="SOLD") is None
    assert car_get_available(stock_id="OK") is not None


def test_up_to_ten_percent_over_budget_is_flagged(make_car: MakeCar) -> None:
    make_car("Mazda", "CX-5", price=270_000, body_type="suv", stock_id="NEAR")
    make_car("Mazda", "CX-9", price=274_999, body_type="suv", stock_id="EDGE")
    make_car("Honda", "CR-V", price=400_000, body_type="suv", stock_id="FAR")

    rec = car_recommend(budget=Decimal(250_000), body_type="suv", limit=2)
    three = car_recommend(budget=Decimal(250_000), body_type="suv")

    assert _ids(rec) == ["NEAR", "EDGE"]  # closest price first
    assert rec.exact is False
    assert rec.cars[0].fit == "over_budget"
    assert rec.cars[0].reason == "$20,000 arriba de tu presupuesto"  # no percentages
    assert rec.note == (
        "No encontré SUV dentro de $250,000; estas opciones están hasta 10% arriba de tu "
        "presupuesto."
    )
    # SUVs were asked for and two are close: a far dearer one is not added to fill the list.
    assert _ids(three) == ["NEAR", "EDGE"]


def test_another_body_type_within_budget_when_nothing_is_close(make_car: MakeCar) -> None:
    make_car("Mazda", "CX-5", price=500_000, body_type="suv", stock_id="SUV")
    make_car("Nissan", "Versa", price=200_000, body_type="sedan", stock_id="SEDAN")

    rec = car_recommend(budget=Decimal(250_000), body_type="suv", limit=1)

    assert _ids(rec) == ["SEDAN"]
    assert rec.cars[0].fit == "other_body_type"
    assert rec.cars[0].reason.startswith("Es sedán, no SUV, dentro de tu presupuesto")
    # The customer asked for an SUV: what the cheapest one costs is said before the others.
    assert rec.note == (
        "No encontré SUV dentro de $250,000; lo más económico que tengo en SUV cuesta $500,000; "
        "te muestro otras opciones que sí entran en tu presupuesto."
    )


def test_nothing_affordable_shows_the_cheapest_with_its_price(make_car: MakeCar) -> None:
    make_car(price=320_000, stock_id="CHEAP")
    make_car(price=500_000, stock_id="DEAR")

    rec = car_recommend(budget=Decimal(100_000))

    assert _ids(rec) == ["CHEAP", "DEAR"]
    assert {c.fit for c in rec.cars} == {"over_budget"}
    assert (
        rec.note
        == "No encontré autos dentro de $100,000; lo más cercano que tengo cuesta $320,000."
    )


def test_missing_model_offers_other_models_of_the_make_then_similar_cars(
    make_car: MakeCar,
) -> None:
    make_car("Toyota", "Yaris", body_type="hatchback", price=200_000, stock_id="YARIS")
    make_car("Nissan", "Sentra", body_type="sedan", price=210_000, stock_id="SENTRA")
    make_car("Ford", "Lobo", body_type="pickup", price=220_000, stock_id="LOBO")

    rec = car_recommend(make="Toyota", model="Corolla", budget=Decimal(250_000))

    assert _ids(rec) == ["YARIS", "SENTRA", "LOBO"]
    assert [c.fit for c in rec.cars] == ["other_model", "other_make", "other_make"]
    assert rec.cars[0].reason.startswith("Otro modelo de Toyota, dentro de tu presupuesto")
    assert rec.note == (
        "No encontré Toyota Corolla dentro de $250,000; te muestro otros modelos de Toyota "
        "(cada una dice en qué cambia)."
    )


def test_the_model_named_is_shown_alone_when_it_exists(make_car: MakeCar) -> None:
    make_car("Toyota", "Corolla", stock_id="COROLLA")
    make_car("Toyota", "Yaris", body_type="hatchback", stock_id="YARIS")

    rec = car_recommend(make="Toyota", model="Corolla")

    assert _ids(rec) == ["COROLLA"]  # asked for a Corolla: not a Yaris to fill the list
    assert rec.exact is True
    assert rec.note is None


def test_seats_are_a_requirement_like_the_body_type(make_car: MakeCar) -> None:
    make_car("Honda", "Odyssey", body_type="minivan", seats=8, stock_id="VAN")
    make_car("Mazda", "CX-9", body_type="suv", seats=7, stock_id="SEVEN")
    make_car("Mazda", "CX-5", body_type="suv", seats=5, stock_id="FIVE", year=2024)

    rec = car_recommend(body_type="suv", min_seats=6)
    any_body = car_recommend(min_seats=7)

    assert _ids(rec)[0] == "SEVEN"
    assert set(_ids(any_body)) == {"VAN", "SEVEN"}
    # The CX-5 seats five: the same make's seven-seater comes first, said as another model.
    assert car_recommend(make="Mazda", model="CX-5", min_seats=7).cars[0].stock_id == "SEVEN"
    # Nothing seats eight or more besides the van: what is closest says it seats fewer.
    nine = car_recommend(body_type="suv", min_seats=9)
    assert "pasajeros" in nine.cars[0].reason


def test_transmission_is_respected_then_relaxed(make_car: MakeCar) -> None:
    make_car(transmission="manual", stock_id="MANUAL", year=2022)
    make_car(transmission="automatic", stock_id="AUTO", year=2018)

    automatic = car_recommend(transmission="automatic", limit=1)
    manual = car_recommend(transmission="manual", body_type="suv")

    assert _ids(automatic) == ["AUTO"]
    assert manual.cars[0].fit == "other_body_type"


def test_uses_choose_body_types_and_cheap_sorts_by_price(make_car: MakeCar) -> None:
    make_car("Honda", "Odyssey", body_type="minivan", price=300_000, stock_id="VAN", seats=8)
    make_car("Mazda", "CX-5", body_type="suv", price=280_000, stock_id="SUV", year=2019)
    make_car("Nissan", "March", body_type="hatchback", price=150_000, stock_id="SMALL")
    make_car("Nissan", "Versa", body_type="sedan", price=180_000, stock_id="SEDAN", year=2024)

    family = car_recommend(uses=("family",), budget=Decimal(350_000), limit=2)
    cheap_city = car_recommend(uses=("cheap", "city"), limit=2)

    assert set(_ids(family)) == {"VAN", "SUV"}
    assert {c.seats for c in family.cars} >= {8}
    assert _ids(cheap_city) == ["SMALL", "SEDAN"]


def test_aliases_and_spellings_are_accepted_as_criteria(make_car: MakeCar) -> None:
    make_car("Volkswagen", "Jetta", stock_id="JETTA")
    make_car("Honda", "CR-V", body_type="suv", stock_id="CRV")

    assert _ids(car_recommend(make="VW")) == ["JETTA"]
    assert _ids(car_recommend(model="crv", limit=1)) == ["CRV"]
    assert _ids(car_recommend(body_type="camioneta", limit=1)) == ["CRV"]


def test_excluded_cars_are_skipped_and_exhaustion_is_explained(make_car: MakeCar) -> None:
    make_car(stock_id="ONE")
    make_car(stock_id="TWO")

    rec = car_recommend(exclude_stock_ids=("ONE",))
    none_left = car_recommend(exclude_stock_ids=("ONE", "TWO"))

    assert _ids(rec) == ["TWO"]
    assert none_left.cars == ()
    assert (
        none_left.note
        == "Ya te mostré todas las opciones disponibles que tengo para lo que buscas."
    )


def test_empty_catalogue_is_never_an_unexplained_empty_answer() -> None:
    rec = car_recommend(budget=Decimal(200_000), body_type="suv")

    assert rec.cars == ()
    assert rec.exact is False
    assert rec.note == "Por ahora no tengo autos disponibles en el catálogo."


def test_a_range_shows_the_cars_inside_it_first(make_car: MakeCar) -> None:
    make_car("Mazda", "CX-5", price=280_000, body_type="suv", stock_id="IN_A", year=2020)
    make_car("KIA", "Sportage", price=250_000, body_type="suv", stock_id="IN_B", year=2019)
    make_car("Nissan", "Kicks", price=190_000, body_type="suv", stock_id="BELOW", year=2024)
    make_car("Ford", "Escape", price=150_000, body_type="suv", stock_id="FAR_BELOW", year=2024)

    rec = car_recommend(body_type="suv", budget=Decimal(300_000), budget_min=Decimal(200_000))
    inside = car_recommend(
        body_type="suv", budget=Decimal(300_000), budget_min=Decimal(200_000), limit=2
    )

    assert _ids(inside) == ["IN_A", "IN_B"]  # newest first, the 2024 ones are below the range
    assert inside.exact is True
    assert inside.note is None
    # A third car is the closest one below the floor, flagged as such.
    assert _ids(rec) == ["IN_A", "IN_B", "BELOW"]
    assert rec.cars[2].fit == "below_range"
    assert rec.cars[2].reason == "$10,000 por debajo de tu rango"
    assert rec.note == (
        "Solo encontré 2 opciones de SUV entre $200,000 y $300,000; te muestro las más "
        "cercanas por debajo de ese rango."
    )


def test_nothing_inside_a_range_shows_the_closest_below_it(make_car: MakeCar) -> None:
    make_car(price=150_000, stock_id="CHEAPEST", year=2024)
    make_car(price=185_000, stock_id="CLOSEST", year=2018)
    make_car(price=320_000, stock_id="OVER")

    rec = car_recommend(budget=Decimal(300_000), budget_min=Decimal(200_000))

    assert _ids(rec)[:2] == ["CLOSEST", "CHEAPEST"]  # closest price first, not newest
    assert {c.fit for c in rec.cars[:2]} == {"below_range"}
    assert rec.exact is False
    assert rec.cars[0].price == Decimal("185000.00")
    assert rec.note is not None
    assert rec.note.startswith(
        "No encontré autos entre $200,000 y $300,000; te muestro las más cercanas por debajo "
        "de ese rango"
    )


def test_the_floor_is_relaxed_before_the_car_asked_for(make_car: MakeCar) -> None:
    make_car("Toyota", "Corolla", price=180_000, stock_id="COROLLA")
    make_car("Toyota", "Yaris", price=250_000, body_type="hatchback", stock_id="YARIS")
    make_car("Nissan", "Sentra", price=260_000, stock_id="SENTRA")

    rec = car_recommend(
        make="Toyota", model="Corolla", budget=Decimal(300_000), budget_min=Decimal(200_000)
    )

    # The Corolla a little cheaper than the range beats another model or make inside it.
    assert _ids(rec) == ["COROLLA"]
    assert rec.cars[0].fit == "below_range"
    assert rec.note == (
        "No encontré Toyota Corolla entre $200,000 y $300,000; te muestro las más cercanas por "
        "debajo de ese rango."
    )


def test_nothing_in_or_below_a_range_says_what_the_closest_costs(make_car: MakeCar) -> None:
    make_car(price=400_000, stock_id="DEAR")

    rec = car_recommend(budget=Decimal(300_000), budget_min=Decimal(200_000))

    assert _ids(rec) == ["DEAR"]
    assert rec.note == (
        "No encontré autos entre $200,000 y $300,000; lo más cercano que tengo cuesta $400,000."
    )


@pytest.mark.parametrize("floor", [Decimal(300_000), Decimal(350_000), Decimal(0)])
def test_a_floor_at_or_above_the_budget_is_ignored(make_car: MakeCar, floor: Decimal) -> None:
    make_car(price=250_000, stock_id="IN")

    rec = car_recommend(budget=Decimal(300_000), budget_min=floor)

    assert _ids(rec) == ["IN"]
    assert rec.exact is True


def test_a_floor_without_a_budget_is_a_minimum_price(make_car: MakeCar) -> None:
    make_car(price=250_000, stock_id="CHEAP", year=2024)
    make_car(price=450_000, stock_id="DEAR", year=2018)

    rec = car_recommend(budget_min=Decimal(400_000), body_type="sedan")

    assert _ids(rec) == ["DEAR", "CHEAP"]
    assert [c.fit for c in rec.cars] == ["match", "below_range"]
    assert rec.note == (
        "Solo encontré 1 opción de sedán de $400,000 o más; te muestro las más cercanas por "
        "debajo de ese rango."
    )


def test_two_models_asked_for_each_get_a_car_before_either_gets_a_second(
    make_car: MakeCar,
) -> None:
    make_car("KIA", "Rio", year=2023, price=240_000, stock_id="RIO_A")
    make_car("KIA", "Rio", year=2022, price=230_000, stock_id="RIO_B")
    make_car("KIA", "Rio", year=2021, price=220_000, stock_id="RIO_C")
    make_car("Nissan", "Versa", year=2019, price=210_000, stock_id="VERSA")
    make_car("Toyota", "Yaris", year=2024, price=200_000, stock_id="YARIS")

    rec = car_recommend(model="Rio", alternatives=((None, "Versa"),), budget=Decimal(250_000))

    # The Versa is older than every Rio: newest first alone would show three Rios.
    assert _ids(rec) == ["RIO_A", "VERSA", "RIO_B"]
    assert rec.exact is True
    assert rec.note is None


def test_two_makes_asked_for_are_both_shown_and_nothing_else(make_car: MakeCar) -> None:
    make_car("Mazda", "CX-5", year=2023, body_type="suv", stock_id="CX5")
    make_car("Mazda", "Mazda 3", year=2022, stock_id="M3")
    make_car("Mazda", "CX-30", year=2021, body_type="suv", stock_id="CX30")
    make_car("Honda", "Civic", year=2018, stock_id="CIVIC")
    make_car("Toyota", "Corolla", year=2024, stock_id="COROLLA")

    rec = car_recommend(make="mazda", alternatives=(("honda", None),))
    reversed_ = car_recommend(make="honda", alternatives=(("mazda", None),), limit=2)

    assert _ids(rec) == ["CX5", "CIVIC", "M3"]
    assert _ids(reversed_) == ["CIVIC", "CX5"]  # the first name said goes first
    assert rec.exact is True


def test_only_one_of_the_models_in_stock_shows_it_alone(make_car: MakeCar) -> None:
    make_car("KIA", "Rio", stock_id="RIO")
    make_car("Toyota", "Yaris", body_type="hatchback", stock_id="YARIS")

    rec = car_recommend(make="KIA", model="Rio", alternatives=(("Nissan", "Versa"),))

    assert _ids(rec) == ["RIO"]
    assert rec.exact is True


def test_none_of_the_models_names_them_all_in_the_note(make_car: MakeCar) -> None:
    make_car("KIA", "Forte", year=2022, price=230_000, stock_id="FORTE")
    make_car("Nissan", "Sentra", year=2021, price=240_000, stock_id="SENTRA")
    make_car("Toyota", "Corolla", year=2024, price=200_000, stock_id="COROLLA")

    rec = car_recommend(
        make="KIA", model="Rio", alternatives=(("Nissan", "Versa"),), budget=Decimal(250_000)
    )
    nothing = car_recommend(
        make="Tesla", alternatives=(("Ferrari", None),), budget=Decimal(250_000)
    )

    # Other models of both makes come before another make, the first said first.
    assert _ids(rec) == ["FORTE", "SENTRA", "COROLLA"]
    assert [c.fit for c in rec.cars] == ["other_model", "other_model", "other_make"]
    assert rec.note == (
        "No encontré KIA Rio ni Nissan Versa dentro de $250,000; te muestro otros modelos de "
        "KIA y Nissan (cada una dice en qué cambia)."
    )
    assert nothing.note is not None
    assert nothing.note.startswith("No encontré Tesla ni Ferrari dentro de $250,000;")
    three = car_recommend(make="Tesla", alternatives=(("Ferrari", None), ("Lotus", None)))
    assert three.note is not None
    assert three.note.startswith("No encontré Tesla, Ferrari ni Lotus disponibles;")


def test_one_of_the_models_found_says_how_many_of_either(make_car: MakeCar) -> None:
    make_car("KIA", "Rio", price=240_000, stock_id="RIO")
    make_car("Nissan", "Versa", price=260_000, stock_id="VERSA")
    make_car("Nissan", "Sentra", price=230_000, stock_id="SENTRA", year=2018)

    rec = car_recommend(
        make="KIA", model="Rio", alternatives=(("Nissan", "Versa"),), budget=Decimal(250_000)
    )

    assert _ids(rec) == ["RIO", "VERSA"]  # the Versa a little over budget, not a Sentra
    assert rec.note == (
        "Solo encontré 1 opción de KIA Rio o Nissan Versa dentro de $250,000; estas opciones "
        "están hasta 10% arriba de tu presupuesto."
    )


def test_alternatives_keep_a_range_and_excluded_makes(make_car: MakeCar) -> None:
    make_car("KIA", "Rio", price=180_000, stock_id="RIO_CHEAP")
    make_car("KIA", "Rio", price=260_000, stock_id="RIO")
    make_car("Nissan", "Versa", price=270_000, stock_id="VERSA")

    rec = car_recommend(
        model="Rio",
        alternatives=((None, "Versa"),),
        budget=Decimal(300_000),
        budget_min=Decimal(250_000),
    )
    no_nissan = car_recommend(
        model="Rio", alternatives=((None, "Versa"),), exclude_makes=("Nissan",)
    )

    assert _ids(rec) == ["RIO", "VERSA", "RIO_CHEAP"]
    assert [c.fit for c in rec.cars] == ["match", "match", "below_range"]
    assert "VERSA" not in _ids(no_nissan)


def test_limit_and_bounded_queries(
    make_car: MakeCar, django_assert_max_num_queries: Callable[..., object]
) -> None:
    for _ in range(6):
        make_car()
    car_recommend()  # builds the vocabulary once

    with django_assert_max_num_queries(2):  # type: ignore[attr-defined]
        rec = car_recommend(make="Tesla", model="Cybertruck", budget=Decimal(1), body_type="suv")
    with django_assert_max_num_queries(2):  # type: ignore[attr-defined]
        either = car_recommend(
            make="Tesla",
            model="Cybertruck",
            alternatives=(("Ferrari", "Roma"), ("Ford", None)),
            budget=Decimal(1),
        )

    assert len(rec.cars) == 3
    assert len(either.cars) == 3
    assert len(car_recommend(limit=1).cars) == 1


def test_demo_catalogue_answers_typical_requests(demo_catalog: None) -> None:
    suv = car_recommend(budget=Decimal(300_000), body_type="suv")
    corolla = car_recommend(make="Toyota", model="Corolla", budget=Decimal(350_000))

    assert suv.exact
    assert len(suv.cars) == 3
    assert all(c.price <= 300_000 and c.body_type == "suv" for c in suv.cars)
    assert corolla.cars[0].model == "Corolla"


@pytest.mark.parametrize(
    "criteria",
    [
        {"budget": Decimal(90_000), "body_type": "suv"},
        {"make": "Tesla", "model": "Model 3", "budget": Decimal(600_000)},
        {
            "make": "Toyota",
            "model": "Corolla",
            "budget": Decimal(200_000),
            "transmission": "manual",
        },
        {"budget": Decimal(50_000)},
        {"uses": ("cargo",), "budget": Decimal(150_000)},
        {"budget": Decimal(300_000), "budget_min": Decimal(250_000), "body_type": "suv"},
        {"budget": Decimal(600_000), "budget_min": Decimal(550_000), "make": "Toyota"},
        {"model": "Rio", "alternatives": ((None, "Versa"),), "budget": Decimal(300_000)},
        {"make": "Mazda", "alternatives": (("Honda", None),), "budget": Decimal(400_000)},
        {"model": "Rio", "alternatives": ((None, "Versa"),), "budget": Decimal(150_000)},
        {
            "make": "Tesla",
            "alternatives": (("Ferrari", None), ("Mazda", None), ("Honda", "BR-V")),
            "budget": Decimal(400_000),
        },
    ],
)
def test_one_round_trip_fallback_equals_step_by_step(
    demo_catalog: None,
    criteria: dict[str, object],
    monkeypatch: pytest.MonkeyPatch,
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    car_recommend()  # vocabulary built outside the query count
    with django_assert_max_num_queries(2):  # type: ignore[attr-defined]
        together = car_recommend(**criteria)  # type: ignore[arg-type]
    # SQLite (make run) cannot order inside a UNION: the same ladder runs step by step there.
    monkeypatch.setattr(connection.features, "supports_slicing_ordering_in_compound", False)

    one_by_one = car_recommend(**criteria)  # type: ignore[arg-type]

    assert together == one_by_one
    assert len(together.cars) == 3


def test_other_cars_after_the_one_shown_are_not_worded_as_none_found(make_car: MakeCar) -> None:
    make_car("Toyota", "Corolla", price=240_000, stock_id="COROLLA")
    make_car("Toyota", "Yaris", body_type="hatchback", price=200_000, stock_id="YARIS")

    rec = car_recommend(
        make="Toyota", model="Corolla", budget=Decimal(250_000), exclude_stock_ids=("COROLLA",)
    )

    assert _ids(rec) == ["YARIS"]
    assert rec.note is not None
    assert rec.note.startswith("No tengo otras opciones de Toyota Corolla dentro de $250,000")
