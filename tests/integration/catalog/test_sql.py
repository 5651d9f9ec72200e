"""catalog/sql.py against the ORM: each rung's ``SELECT … LIMIT`` returns what the equivalent ORM
query does, the one-round-trip UNION what the rungs run one by one do, and the ladder what the
same ladder run with ORM queries picks, on the same data."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import ProgrammingError, connection
from django.db.models import QuerySet

from catalog.ladder import (
    CHEAPEST_FIRST,
    CLOSEST_BELOW_FIRST,
    NEWEST_FIRST,
    Criteria,
    Name,
    criteria_focus,
    ladder_steps,
)
from catalog.models import Car
from catalog.sql import CAR_FIELDS, Rung, Where, _run, ladder_fetch, rung_select

pytestmark = pytest.mark.django_db

MakeCar = Callable[..., Car]
D = Decimal
ORDERS = [NEWEST_FIRST, CHEAPEST_FIRST, CLOSEST_BELOW_FIRST, ("-km", "stock_id")]
UNION = "supports_slicing_ordering_in_compound"

# Each car: stock id, make, model, year, price, km, body type, transmission, seats, available.
STOCK: list[tuple[Any, ...]] = [
    ("A01", "Toyota", "Corolla", 2020, 250_000, 30_000, "sedan", "automatic", 5, True),
    ("A02", "Toyota", "Corolla", 2020, 250_000, 30_000, "sedan", "manual", 5, True),  # A01's tie
    ("A03", "Toyota", "Yaris", 2018, 180_000, 60_000, "hatchback", "manual", 5, True),
    ("A04", "Toyota", "RAV4", 2022, 420_000, 15_000, "suv", "automatic", 5, True),
    ("A05", "Toyota", "Sienna", 2019, 520_000, 70_000, "minivan", "automatic", 8, True),
    ("A06", "Nissan", "Versa", 2021, 230_000, 0, "sedan", "automatic", 5, True),  # 0 km
    ("A07", "Nissan", "Versa", 2024, 230_000, 0, "sedan", "automatic", 5, False),  # sold
    ("A08", "Nissan", "Kicks", 2021, 275_000, 45_000, "suv", "automatic", None, True),  # seats?
    ("A09", "KIA", "Rio", 2017, 160_000, 90_000, "sedan", "manual", 5, True),
    ("A10", "KIA", "Sorento", 2020, 480_000, 40_000, "suv", "automatic", 7, True),
    ("A11", "Mazda", "CX-5", 2020, "250000.01", 30_000, "suv", "automatic", 5, True),  # 1 cent
    ("A12", "Mazda", "3", 2023, 275_000, 10_000, "hatchback", "automatic", 5, True),  # +10%
    ("A13", "Ford", "Lobo", 2016, 600_000, 120_000, "pickup", "unknown", 5, True),
    ("A14", "Honda", "Odyssey", 2020, 250_000, 30_000, "minivan", "automatic", 8, True),  # tie
    ("a15", "Honda", "BR-V", 2020, 250_000, 30_000, "suv", "manual", 7, True),  # tie, lower case
    ("A16", "Mercedes Benz", "Clase A", 2024, 700_000, 5_000, "hatchback", "automatic", 5, True),
    ("A17", "Chevrolet", "Aveo", 2019, 150_000, 30_001, "sedan", "manual", 5, True),
]


@pytest.fixture
def stock(make_car: MakeCar) -> None:
    keys = ("year", "price", "km", "body_type", "transmission", "seats", "available")
    for stock_id, make, model, *values in STOCK:
        make_car(make, model, stock_id=stock_id, **dict(zip(keys, values, strict=True)))


def _orm(where: Where, order: tuple[str, ...], banned: tuple[str, ...] = ()) -> QuerySet[Car]:
    """The rung as an ORM query: every condition the docstring of ``Where`` names, for any value
    but ``None`` (and an empty tuple of bodies)."""
    cars = Car.objects.filter(available=True)
    lookups = {
        "price_over": "price__gt",
        "price_min": "price__gte",
        "price_max": "price__lte",
        "make_key": "make_key",
        "model_key": "model_key",
        "transmission": "transmission",
        "min_seats": "seats__gte",
        "year_min": "year__gte",
        "km_max": "km__lte",
    }
    for name, lookup in lookups.items():
        if getattr(where, name) is not None:
            cars = cars.filter(**{lookup: getattr(where, name)})
    if where.bodies:
        cars = cars.filter(body_type__in=where.bodies)
    if banned:
        cars = cars.exclude(make_key__in=banned)
    return cars.order_by(*order).only(*CAR_FIELDS)


def _select(
    where: Where,
    order: tuple[str, ...],
    limit: int,
    banned: tuple[str, ...] = (),
    step: int | None = None,
) -> list[tuple[Any, ...]]:
    sql, params = rung_select(where, order, limit, step=step, banned=banned)
    assert sql.count("%s") == len(params)  # every value a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _expected(
    where: Where, order: tuple[str, ...], limit: int | None, banned: tuple[str, ...] = ()
) -> list[tuple[Any, ...]]:
    return list(_orm(where, order, banned).values_list(*CAR_FIELDS)[:limit])


DEFERRED = {f.attname for f in Car._meta.concrete_fields} - set(CAR_FIELDS)


def _values(cars: list[Car]) -> list[tuple[Any, ...]]:
    """The columns a recommendation reads, per car (the others are deferred)."""
    assert all(car.get_deferred_fields() == DEFERRED for car in cars)
    return [tuple(getattr(car, name) for name in CAR_FIELDS) for car in cars]


WHERES = {
    "nothing": Where(),
    "price_max_inclusive": Where(price_max=D(250_000)),
    "price_max_more_decimals": Where(price_max=D("250000.005")),
    "price_max_a_cent_more": Where(price_max=D("250000.01")),
    "price_max_below_all": Where(price_max=D(100_000)),
    "price_max_zero": Where(price_max=D(0)),  # a Decimal 0 is a bound: nothing costs <= 0
    "price_over_exclusive": Where(price_over=D(250_000)),
    "price_min_inclusive": Where(price_min=D(250_000)),
    "price_range": Where(price_min=D(180_000), price_max=D(250_000)),
    "price_stretched": Where(price_over=D(250_000), price_max=D(250_000) * D("1.10")),
    "price_all_three": Where(price_over=D(160_000), price_min=D(180_000), price_max=D(275_000)),
    "price_empty_range": Where(price_min=D(300_000), price_max=D(200_000)),
    "one_body": Where(bodies=("suv",)),
    "two_bodies": Where(bodies=("suv", "minivan")),
    "body_none_in_stock": Where(bodies=("coupe",)),
    "make": Where(make_key="toyota"),
    "make_two_words": Where(make_key="mercedesbenz"),
    "make_model": Where(make_key="toyota", model_key="corolla"),
    "model_alone": Where(model_key="versa"),
    "model_of_other_make": Where(make_key="kia", model_key="corolla"),
    "unknown_make": Where(make_key="tesla"),
    "make_quoted": Where(make_key="x' OR '1'='1"),
    "manual": Where(transmission="manual"),
    "automatic": Where(transmission="automatic"),
    "transmission_unknown": Where(transmission="unknown"),
    "seats_null_excluded": Where(min_seats=7),
    "seats_5": Where(min_seats=5),
    "year_min_inclusive": Where(year_min=2020),
    "km_max_inclusive": Where(km_max=30_000),
    "ladder_wanted": Where(
        price_max=D(500_000), bodies=("suv", "minivan"), transmission="automatic", min_seats=7
    ),
    "every_filter": Where(
        price_over=D(100_000),
        price_min=D(150_000),
        price_max=D(500_000),
        bodies=("sedan", "suv", "minivan"),
        make_key="toyota",
        model_key="corolla",
        transmission="automatic",
        min_seats=5,
        year_min=2019,
        km_max=40_000,
    ),
    "stretched_name": Where(
        price_over=D(240_000), price_max=D(264_000), make_key="toyota", model_key="corolla"
    ),
}
BANNED = [(), ("toyota",), ("toyota", "nissan", "tesla")]


@pytest.mark.parametrize("banned", BANNED, ids=["none", "one", "three"])
@pytest.mark.parametrize("where", list(WHERES.values()), ids=list(WHERES))
def test_rung_select_is_the_orm_query(stock: None, where: Where, banned: tuple[str, ...]) -> None:
    for order in ORDERS:
        for limit in (1, 3, 100):
            expected = _expected(where, order, limit, banned)
            assert _select(where, order, limit, banned) == expected, (order, limit)
            # In a UNION each row starts with its branch's number; the rest is the same.
            tagged = _select(where, order, limit, banned, step=7)
            assert tagged == [(7, *row) for row in expected]
    assert _select(where, NEWEST_FIRST, 0, banned) == []  # LIMIT 0


@pytest.mark.parametrize(
    ("where", "stock_ids"),
    [
        (
            Where(price_max=D(250_000), year_min=2020, km_max=30_000),
            ["A06", "A01", "A02", "A14", "a15"],
        ),
        (Where(price_over=D(250_000), price_max=D(275_000)), ["A12", "A08", "A11"]),
        (Where(bodies=("suv",), min_seats=7), ["a15", "A10"]),
        (Where(make_key="nissan"), ["A06", "A08"]),  # A07 is sold
        (Where(make_key="toyota", transmission="manual"), ["A02", "A03"]),
    ],
)
def test_filters_select_the_expected_cars(stock: None, where: Where, stock_ids: list[str]) -> None:
    """The comparison above is not vacuous: hand-checked answers, newest first."""
    rows = _select(where, NEWEST_FIRST, 10)
    assert [row[1] for row in rows] == stock_ids
    assert rows == _expected(where, NEWEST_FIRST, 10)


@pytest.mark.parametrize(
    ("where", "literal_lookup", "literal_finds"),
    [
        (Where(km_max=0), {"km__lte": 0}, {"A06"}),
        (Where(year_min=0), {"year__gte": 0}, None),
        (Where(min_seats=0), {"seats__gte": 0}, "all but A08"),
        (Where(make_key=""), {"make_key": ""}, set()),
        (Where(model_key=""), {"model_key": ""}, set()),
        (Where(transmission=""), {"transmission": ""}, set()),
        (Where(bodies=()), {"body_type__in": ()}, set()),
    ],
)
def test_zero_and_empty_values_add_no_condition(
    stock: None, where: Where, literal_lookup: dict[str, Any], literal_finds: Any
) -> None:
    """Current behaviour: 0 and "" mean "not stated" (as ``None``), unlike the price bounds,
    where a Decimal 0 is a condition. The literal ORM filter differs for some (``km <= 0`` finds
    the 0 km Versa; ``seats >= 0`` drops the car whose seats are unknown)."""
    for order in ORDERS:
        assert _select(where, order, 100) == _expected(Where(), order, 100)
    everything = {row[1] for row in _expected(Where(), NEWEST_FIRST, None)}
    literal = set(
        Car.objects.filter(available=True, **literal_lookup).values_list("stock_id", flat=True)
    )
    if literal_finds is None:  # the literal filter keeps every car too
        literal_finds = everything
    elif literal_finds == "all but A08":
        literal_finds = everything - {"A08"}
    assert literal == literal_finds


def test_ties_are_broken_by_stock_id_in_the_database_collation(stock: None) -> None:
    """A01, A02, A14 and a15 tie on year, km and price: stock_id decides, in the database's
    order, which the UNION's Python re-sort (``_sort_key``) assumes is code-point order (true
    under the C/C.UTF-8 collation, not under a linguistic one such as en_US)."""
    where = Where(year_min=2020, km_max=30_000, price_min=D(250_000), price_max=D(250_000))
    for order in (NEWEST_FIRST, CHEAPEST_FIRST, CLOSEST_BELOW_FIRST):
        rows = _select(where, order, 3)
        assert [row[1] for row in rows] == ["A01", "A02", "A14"]  # "a15" after "A14"
        assert rows == _expected(where, order, 3)
    ids = list(Car.objects.order_by("stock_id").values_list("stock_id", flat=True))
    assert ids == sorted(ids)  # the database orders stock ids as Python does


RUNGS: dict[str, list[Rung]] = {
    "one_filter": [((Where(price_max=D(250_000)),), NEWEST_FIRST)],
    "two_names": [((Where(model_key="versa"), Where(model_key="rio")), NEWEST_FIRST)],
    "every_order": [((Where(),), order) for order in ORDERS[:3]],
    "ties_in_every_branch": [
        ((Where(year_min=2020), Where(price_min=D(250_000), price_max=D(250_000))), order)
        for order in (NEWEST_FIRST, CHEAPEST_FIRST)
    ],
    "same_filter_twice": [((Where(make_key="toyota"),), NEWEST_FIRST)] * 2,
    "empty_branches": [
        ((Where(bodies=("coupe",)), Where(make_key="tesla")), NEWEST_FIRST),
        ((Where(price_max=D(0)),), CHEAPEST_FIRST),
    ],
    "ladder_like": [
        ((Where(price_max=D(250_000), make_key="toyota", model_key="corolla"),), NEWEST_FIRST),
        ((Where(price_over=D(250_000), price_max=D(275_000), bodies=("sedan",)),), CHEAPEST_FIRST),
        ((Where(price_max=D(250_000), make_key="toyota"),), NEWEST_FIRST),
        ((Where(price_max=D(180_000)),), CLOSEST_BELOW_FIRST),
        ((Where(price_over=D(250_000)),), CHEAPEST_FIRST),
    ],
}


@pytest.mark.parametrize("banned", BANNED[:2], ids=["none", "toyota"])
@pytest.mark.parametrize("fetch", [1, 2, 5, 50])
@pytest.mark.parametrize("rungs", list(RUNGS.values()), ids=list(RUNGS))
def test_union_of_rungs_is_the_rungs_one_by_one(
    stock: None,
    rungs: list[Rung],
    fetch: int,
    banned: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    branches = sum(len(wheres) for wheres, _ in rungs)
    with django_assert_num_queries(1):  # one round trip, whatever the number of branches
        together = _run(rungs, fetch, banned)
    monkeypatch.setattr(connection.features, UNION, False)  # SQLite's path
    with django_assert_num_queries(branches):
        one_by_one = _run(rungs, fetch, banned)

    expected = [[_expected(w, order, fetch, banned) for w in wheres] for wheres, order in rungs]
    assert [[_values(part) for part in parts] for parts in together] == expected
    assert [[_values(part) for part in parts] for parts in one_by_one] == expected


def test_a_single_branch_runs_without_a_union(
    stock: None, django_assert_num_queries: Callable[..., Any]
) -> None:
    rung: Rung = ((Where(bodies=("suv",)),), CHEAPEST_FIRST)
    with django_assert_num_queries(1) as queries:
        found = _run([rung], 2, ())
    assert "UNION" not in queries.captured_queries[0]["sql"]
    assert [_values(part) for part in found[0]] == [_expected(rung[0][0], CHEAPEST_FIRST, 2)]


def test_a_union_cannot_reorder_by_a_descending_text_field(stock: None) -> None:
    """Current behaviour: ``_sort_key`` negates descending fields (numbers only), so a UNION
    ordered by ``-stock_id`` fails in Python; one SELECT orders it as the ORM does."""
    order = ("-stock_id",)
    assert _select(Where(), order, 5) == _expected(Where(), order, 5)
    with pytest.raises(TypeError):
        _run([((Where(), Where(make_key="kia")), order)], 5, ())


def _orm_ladder(
    rungs: list[Rung], *, limit: int, excluded: set[str], focus: int, banned: tuple[str, ...]
) -> list[tuple[Any, ...]]:
    """The ladder with unlimited ORM queries, rung by rung: each filter of a rung gives a car in
    turn, skipping those already picked or excluded, until ``limit`` or the focus rungs."""
    picked: list[tuple[Any, ...]] = []
    seen = set(excluded)
    for number, (wheres, order) in enumerate(rungs):
        queues = [_expected(where, order, None, banned) for where in wheres]
        while any(queues) and len(picked) < limit:
            for queue in queues:
                while queue and queue[0][1] in seen:
                    queue.pop(0)
                if queue and len(picked) < limit:
                    picked.append(queue.pop(0))
                    seen.add(picked[-1][1])
        if len(picked) >= limit or (picked and number + 1 == focus):
            break
    return picked


def _name(make: str | None, model: str | None = None) -> Name:
    return Name(make_key=make, make_label=make, model_key=model, model_label=model)


def _criteria(**fields: Any) -> Criteria:
    values: dict[str, Any] = {
        "budget": None,
        "bodies": (),
        "similar_bodies": (),
        "names": (),
        "transmission": None,
        "uses": (),
    }
    return Criteria(**{**values, **fields})


CRITERIA = {
    "suv_in_budget": _criteria(budget=D(250_000), bodies=("suv",), stated_body=True),
    "corolla": _criteria(
        budget=D(250_000), names=(_name("toyota", "corolla"),), similar_bodies=("sedan",)
    ),
    "versa_or_rio": _criteria(
        budget=D(240_000),
        names=(_name("nissan", "versa"), _name("kia", "rio")),
        similar_bodies=("sedan",),
    ),
    "range": _criteria(budget=D(260_000), budget_min=D(200_000), bodies=("sedan",)),
    "cheap_manual": _criteria(uses=("cheap",), transmission="manual"),
    "family_seven_seats": _criteria(
        budget=D(500_000), bodies=("suv", "minivan"), uses=("family",), min_seats=7
    ),
    "recent_low_km": _criteria(budget=D(300_000), year_min=2020, km_max=30_000),
    "two_makes": _criteria(budget=D(400_000), names=(_name("mazda"), _name("honda"))),
    "nothing_affordable": _criteria(budget=D(100_000)),
    "unknown_model": _criteria(names=(_name("tesla", "model3"),), transmission="automatic"),
}
EXCLUSIONS = [
    (set(), ()),
    ({"A01", "A06", "A04", "A12", "ZZZ"}, ()),  # the top of several branches, and an unknown id
    ({"A02", "A14"}, ("toyota", "nissan")),
]


@pytest.mark.parametrize(("excluded", "banned"), EXCLUSIONS, ids=["none", "ids", "ids_makes"])
@pytest.mark.parametrize("limit", [1, 3, 6])
@pytest.mark.parametrize("criteria", list(CRITERIA.values()), ids=list(CRITERIA))
def test_ladder_fetch_picks_what_the_orm_ladder_picks(
    stock: None,
    criteria: Criteria,
    limit: int,
    excluded: set[str],
    banned: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    rungs = ladder_steps(criteria)
    focus = criteria_focus(criteria) if criteria.named else 0
    expected = _orm_ladder(rungs, limit=limit, excluded=excluded, focus=focus, banned=banned)

    def fetch() -> list[tuple[Any, ...]]:
        kept = set(excluded)
        cars = ladder_fetch(rungs, limit=limit, excluded=kept, focus=focus, banned_makes=banned)
        assert kept == excluded  # the caller's set is not changed
        return _values(cars)

    with django_assert_max_num_queries(2):  # the first rung, then the rest in one UNION
        together = fetch()
    monkeypatch.setattr(connection.features, UNION, False)
    assert together == fetch() == expected
    assert len({row[1] for row in together}) == len(together) <= limit
    assert not {row[1] for row in together} & excluded
    assert not {row[2].lower() for row in together} & set(banned)


@pytest.mark.parametrize("focus", [0, 1, 2, 3])
@pytest.mark.parametrize("union", [True, False])
def test_focus_stops_after_the_rungs_asked_for(
    stock: None, focus: int, union: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    rungs: list[Rung] = [
        ((Where(make_key="tesla"),), NEWEST_FIRST),  # nothing
        ((Where(model_key="versa"), Where(model_key="rio")), NEWEST_FIRST),  # A06, A09
        ((Where(make_key="mazda"),), CHEAPEST_FIRST),  # A11, A12
        ((Where(),), NEWEST_FIRST),
    ]
    monkeypatch.setattr(connection.features, UNION, union)
    found = ladder_fetch(rungs, limit=5, excluded=set(), focus=focus)
    expected = _orm_ladder(rungs, limit=5, excluded=set(), focus=focus, banned=())

    assert _values(found) == expected
    # focus 1: the first rung found nothing, so nothing stops the ladder.
    ids = {
        0: ["A06", "A09", "A11", "A12", "A16"],
        2: ["A06", "A09"],
        3: ["A06", "A09", "A11", "A12"],
    }
    assert [row[1] for row in expected] == ids.get(focus, ids[0])


@pytest.mark.parametrize("union", [True, False])
def test_names_alternate_and_a_car_is_picked_once(
    stock: None, union: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    rungs: list[Rung] = [
        (
            (Where(make_key="toyota"), Where(make_key="toyota"), Where(make_key="nissan")),
            NEWEST_FIRST,
        ),
        ((Where(make_key="toyota"),), CHEAPEST_FIRST),
    ]
    monkeypatch.setattr(connection.features, UNION, union)
    found = ladder_fetch(rungs, limit=7, excluded={"A04"}, focus=0)

    assert _values(found) == _orm_ladder(rungs, limit=7, excluded={"A04"}, focus=0, banned=())
    assert [car.stock_id for car in found] == ["A01", "A02", "A06", "A05", "A03", "A08"]


@pytest.mark.parametrize("seed", range(12))
def test_random_ladders_pick_what_the_orm_ladder_picks(
    stock: None, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seeded random ladders (many ties, overlapping filters): both paths and the ORM agree."""
    rng = random.Random(seed)
    ids = [row[0] for row in STOCK]

    def maybe(*values: Any) -> Any:  # most filters leave most fields unset
        return rng.choice([None, None, None, *values])

    def where() -> Where:
        return Where(
            price_over=maybe(D(160_000), D(250_000)),
            price_max=maybe(D(180_000), D(250_000), D(275_000), D(600_000)),
            bodies=tuple(rng.sample(["sedan", "suv", "minivan", "hatchback"], maybe(1, 2) or 0)),
            make_key=maybe("toyota", "nissan", "kia", "honda"),
            transmission=maybe("manual", "automatic"),
            year_min=maybe(2019, 2020),
            km_max=maybe(30_000, 60_000),
        )

    rungs: list[Rung] = [
        (tuple(where() for _ in range(rng.randint(1, 3))), rng.choice(ORDERS[:3]))
        for _ in range(rng.randint(2, 6))
    ]
    limit, focus = rng.randint(1, 6), rng.randint(0, 3)
    excluded, banned = set(rng.sample(ids, rng.randint(0, 4))), rng.choice(BANNED)
    expected = _orm_ladder(rungs, limit=limit, excluded=excluded, focus=focus, banned=banned)
    for union in (True, False):
        monkeypatch.setattr(connection.features, UNION, union)
        found = ladder_fetch(
            rungs, limit=limit, excluded=excluded, focus=focus, banned_makes=banned
        )
        assert _values(found) == expected, union


def test_limit_zero_and_no_rungs(stock: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Current behaviour: ``limit=0`` finds nothing (LIMIT 0), unless ids are excluded: each
    branch then reads ``len(excluded)`` rows and one car is picked before the limit is checked.
    An empty ladder fails: PostgreSQL is sent an empty statement, SQLite's path indexes an empty
    list. (``car_recommend`` clamps the limit to 1–10; ``ladder_steps`` always
    returns a rung.)"""
    rungs: list[Rung] = [((Where(),), NEWEST_FIRST), ((Where(),), CHEAPEST_FIRST)]
    assert ladder_fetch(rungs, limit=0, excluded=set()) == []
    assert [car.stock_id for car in ladder_fetch(rungs, limit=0, excluded={"ZZZ"})] == ["A16"]
    with pytest.raises(ProgrammingError, match="EMPTY_QUERY"):
        ladder_fetch([], limit=3, excluded=set())
    monkeypatch.setattr(connection.features, UNION, False)
    with pytest.raises(IndexError):
        ladder_fetch([], limit=3, excluded=set())
