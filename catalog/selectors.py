"""Reads from the catalogue: text matching, recommendations and single-car look-ups.

The public read API of the app. The vocabulary and its matching live in ``catalog.vocabulary``;
the recommendation ladder in ``catalog.ladder`` (its rungs), ``catalog.sql`` (their SQL) and
``catalog.wording`` (reasons and notes). Other apps import from here.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Max, Min, Q

from catalog.ladder import (
    Recommendation,
    RecommendedCar,
    criteria_focus,
    criteria_read,
    ladder_steps,
)
from catalog.matching import compact_key
from catalog.models import Car
from catalog.sql import ladder_fetch
from catalog.vocabulary import (
    TextMatch,
    catalog_match_text,
    catalog_matching_evaluate,
    catalog_vocabulary,
    catalog_vocabulary_invalidate,
)
from catalog.wording import recommendation_note, recommended_car

__all__ = [
    "Recommendation",
    "RecommendedCar",
    "TextMatch",
    "car_count_by_fuel",
    "car_get_available",
    "car_recommend",
    "catalog_match_text",
    "catalog_matching_evaluate",
    "catalog_vocabulary",
    "catalog_vocabulary_invalidate",
]


def car_recommend(
    *,
    budget: Decimal | None = None,
    body_type: str | None = None,
    make: str | None = None,
    model: str | None = None,
    transmission: str | None = None,
    uses: tuple[str, ...] = (),
    limit: int = 3,
    exclude_stock_ids: tuple[str, ...] = (),
    min_seats: int | None = None,
    year_min: int | None = None,
    km_max: int | None = None,
    exclude_makes: tuple[str, ...] = (),
    budget_min: Decimal | None = None,
    alternatives: tuple[tuple[str | None, str | None], ...] = (),
) -> Recommendation:
    """Up to ``limit`` available cars ranked by fit, each with a one-line Spanish reason.

    Business rules:
    - Only available cars, with their real prices.
    - What the customer named comes first and alone: when they name a make, a model or a body
      type and such cars exist within budget (or up to 10% over it), only those are shown; a
      salesperson asked for a pickup shows the pickup, not a sedan to fill the list.
    - ``min_seats`` ("somos 6", "7 pasajeros"), ``year_min`` ("2020 para arriba") and ``km_max``
      ("con menos de 50 mil km") are requirements like the body type; the alternatives after
      the named cars may relax them, and say so.
    - Ranking: cars meeting every criterion first (newest, then fewest km, then cheapest; with
      the "cheap" use, cheapest first). Then, in this order, the closest alternatives: other
      models of the same make, the same kind of car from another make, the same car up to 10%
      over budget (closest price first), another transmission, another body type within
      budget, and finally the cheapest cars over budget. A 10% stretch keeps what the customer
      asked for, which we judged closer than a different kind of car.
    - Every car carries ``fit`` and a reason naming how it differs; ``note`` explains in one
      Spanish sentence why alternatives are shown. The answer is never empty without a note.
    - Each step is a bounded, indexed query (LIMIT ≤ 3): no full scans into Python. The first
      step runs alone; the alternatives, when needed, run together in one round trip.
    - ``exclude_makes`` ("que no sea Nissan") are never shown, at any step.
    - ``budget_min`` is the floor of a range ("entre 200 y 300 mil"): the cars asked for are
      priced within it. When none is, the floor is the first thing relaxed (the same cars just
      below it, closest price first), and the note says there is nothing inside the range.
    - ``alternatives`` are more (make, model) pairs, any of which will do like ``make``/``model``
      ("un Rio o un Versa", "Mazda o Honda"). Each rung takes a car of each name in turn, so
      the answer shows every name that has cars before a second car of any.
    """
    limit = max(1, min(limit, 10))
    criteria = criteria_read(
        budget=budget,
        body_type=body_type,
        make=make,
        model=model,
        transmission=transmission,
        uses=uses,
        min_seats=min_seats,
        year_min=year_min,
        km_max=km_max,
        budget_min=budget_min,
        alternatives=alternatives,
    )
    vocabulary = catalog_vocabulary()
    banned = tuple(sorted({key for m in exclude_makes if (key := vocabulary.resolve_make(m))}))
    picked = ladder_fetch(
        ladder_steps(criteria),
        limit=limit,
        excluded=set(exclude_stock_ids),
        focus=criteria_focus(criteria) if criteria.named else 0,
        banned_makes=banned,
    )
    cars = tuple(recommended_car(car, criteria) for car in picked)
    exact = bool(cars) and all(c.fit == "match" for c in cars)
    kind_from = None
    if criteria.stated_body and criteria.budget and cars and cars[0].fit == "other_body_type":
        # "una pickup de 300 mil" with none near it: what the cheapest of them costs is said.
        cheapest = car_price_range(body_type=body_type)
        # Only a price over the budget explains it ("8 pasajeros 2018" finds none for another
        # reason than the price).
        kind_from = cheapest[0] if cheapest and cheapest[0] > criteria.budget else None
    note = recommendation_note(criteria, cars, exclude_stock_ids, kind_from=kind_from)
    return Recommendation(cars=cars, exact=exact, note=note)


# How versions say their fuel (the inventory has no fuel column; gasoline is the default).
FUEL_VERSION_WORDS = {
    "electric": ("ELECTRIC", "ELÉCTRIC", "E-TRON", " EV ", " EV"),
    "hybrid": ("HYBRID", "HÍBRIDO", "HIBRIDO", " HEV", "PHEV"),
    "diesel": ("DIESEL", "DIÉSEL", "TDI", "CRDI", " DCI"),
}


def car_count_by_fuel(*, fuel: str) -> int:
    """Available cars whose version names this fuel ("electric", "hybrid", "diesel")."""
    words = FUEL_VERSION_WORDS.get(fuel, ())
    if not words:
        return 0
    condition = Q()
    for word in words:
        condition |= (
            Q(version__icontains=word.strip())
            if not word.startswith(" ")
            else Q(version__iendswith=word) | Q(version__icontains=word + " ")
        )
    return Car.objects.filter(condition, available=True).count()


def car_count(
    *,
    body_type: str | None = None,
    make: str | None = None,
    transmission: str | None = None,
    model: str | None = None,
) -> int:
    """Available cars of this kind, make, model and transmission (None: any): "¿tienen
    automáticos?", "¿hay versa?"."""
    cars = Car.objects.filter(available=True)
    if body_type:
        cars = cars.filter(body_type=body_type)
    if make:
        cars = cars.filter(make_key=compact_key(make))
    if model:
        cars = cars.filter(model_key=compact_key(model))
    if transmission:
        cars = cars.filter(transmission=transmission)
    return cars.count()


def car_price_range(*, body_type: str | None = None) -> tuple[Decimal, Decimal] | None:
    """The cheapest and the dearest available car (of a kind): "¿qué precios manejan?"."""
    cars = Car.objects.filter(available=True)
    if body_type:
        cars = cars.filter(body_type=body_type)
    prices = cars.aggregate(low=Min("price"), high=Max("price"))
    if prices["low"] is None or prices["high"] is None:
        return None
    return prices["low"], prices["high"]


def car_get_available(*, stock_id: str) -> Car | None:
    """The car with this stock id if it is still available (a lead may outlive the car)."""
    return Car.objects.filter(stock_id=stock_id, available=True).first()
