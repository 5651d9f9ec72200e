"""The recommendation ladder: what the customer asked for, and the rungs that relax it in order.

``car_recommend`` (``catalog.selectors``) reads the request into :class:`Criteria`, builds the
rungs here, runs them through ``catalog.sql`` and words the answer with ``catalog.wording``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from catalog.matching import Vocabulary, compact_key
from catalog.models import BodyType, Transmission
from catalog.sql import Rung, Where
from catalog.vocabulary import catalog_vocabulary
from spanish import fold

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecommendedCar:
    stock_id: str
    make: str
    model: str
    year: int
    version: str
    price: Decimal
    km: int
    body_type: str
    transmission: str
    seats: int | None
    bluetooth: bool
    carplay: bool
    # "match" | "over_budget" | "other_body_type" | "other_model" | "other_make" | "other_drive" |
    # "other_transmission" | "fewer_seats" | "older" | "more_km" | "below_range"
    fit: str
    reason: str  # one Spanish line usable in a reply


@dataclass(frozen=True)
class Recommendation:
    cars: tuple[RecommendedCar, ...]  # 1–3 available cars (empty only when none is available)
    exact: bool  # every car satisfies every stated criterion
    note: str | None  # Spanish explanation whenever alternatives are shown


OVER_BUDGET_RATIO = Decimal("1.10")
USE_BODY_TYPES = {
    "family": ("suv", "minivan"),
    "city": ("hatchback", "sedan"),
    "cargo": ("pickup",),
    "offroad": ("pickup", "suv"),
    "all_wheel": ("pickup", "suv"),
}
NEWEST_FIRST = ("-year", "km", "price", "stock_id")
CHEAPEST_FIRST = ("price", "-year", "km", "stock_id")
CLOSEST_BELOW_FIRST = ("-price", "-year", "km", "stock_id")


@dataclass(frozen=True)
class Name:
    """A make and/or model the customer named, as catalogue keys and as words for the note."""

    make_key: str | None
    make_label: str | None
    model_key: str | None
    model_label: str | None

    @property
    def label(self) -> str:
        """Its words in a note: "Toyota Corolla", "Mazda", "Corolla" (no known make)."""
        if self.model_label:
            # "Mazda 3" already says its make ("Mazda Mazda 3" would say it twice).
            named = self.make_label and not fold(self.model_label).startswith(fold(self.make_label))
            return f"{self.make_label} {self.model_label}" if named else self.model_label
        return self.make_label or ""


@dataclass(frozen=True)
class Criteria:
    budget: Decimal | None
    bodies: tuple[str, ...]  # stated body type, or the ones the uses imply
    similar_bodies: tuple[str, ...]  # bodies, else the requested models' body types
    # The makes/models named, any of which will do ("un Rio o un Versa"); the first is the one
    # the customer said first.
    names: tuple[Name, ...]
    transmission: str | None
    uses: tuple[str, ...]
    min_seats: int | None = None
    year_min: int | None = None
    km_max: int | None = None
    budget_min: Decimal | None = None  # the floor of a range ("entre 200 y 300 mil")

    @property
    def named(self) -> bool:
        """The customer named a make, a model, a body type or a number of passengers: show
        only that when it exists."""
        return bool(
            self.names or self.stated_body or self.min_seats or self.year_min or self.km_max
        )

    @property
    def any_model(self) -> bool:
        """A model was named (then the uses do not narrow the body type)."""
        return any(n.model_key for n in self.names)

    stated_body: bool = False


def criteria_focus(c: Criteria) -> int:
    """How many rungs of the ladder are what the customer named (the cars asked for: within the
    range, below its floor, and up to 10% over budget)."""
    return 1 + bool(c.budget_min) + bool(c.budget)


def criteria_read(
    *,
    budget: Decimal | None,
    body_type: str | None,
    make: str | None,
    model: str | None,
    transmission: str | None,
    uses: tuple[str, ...],
    min_seats: int | None = None,
    year_min: int | None = None,
    km_max: int | None = None,
    budget_min: Decimal | None = None,
    alternatives: tuple[tuple[str | None, str | None], ...] = (),
) -> Criteria:
    """The request in the catalogue's terms: names resolved to keys, uses to body types."""
    vocabulary = catalog_vocabulary()
    stated_body = _body_code(body_type, vocabulary)
    names: dict[tuple[str | None, str | None], Name] = {}
    for pair in ((make, model), *alternatives):
        name = _name(*pair, vocabulary=vocabulary)
        if name is not None:
            names.setdefault((name.make_key, name.model_key), name)  # "un Versa o un Versa"
    bodies: tuple[str, ...] = (stated_body,) if stated_body else ()
    if not bodies and not any(n.model_key for n in names.values()):
        bodies = tuple(dict.fromkeys(b for u in uses for b in USE_BODY_TYPES.get(u, ())))
    similar = bodies
    if not similar:
        infos = (vocabulary.info(n.make_key, n.model_key) for n in names.values() if n.model_key)
        similar = tuple(
            dict.fromkeys(i.body_type for i in infos if i and i.body_type != BodyType.UNKNOWN)
        )
    budget = budget if budget and budget > 0 else None
    # A floor at or above the budget is no range (a misreading): the budget alone stands.
    floor = (
        budget_min
        if budget_min and budget_min > 0 and (not budget or budget_min < budget)
        else None
    )
    return Criteria(
        budget=budget,
        bodies=bodies,
        similar_bodies=similar,
        names=tuple(names.values()),
        transmission=_transmission_code(transmission, vocabulary),
        uses=tuple(uses),
        min_seats=min_seats if min_seats and min_seats > 5 else None,
        year_min=year_min,
        km_max=km_max,
        budget_min=floor,
        stated_body=stated_body is not None,
    )


def _name(make: str | None, model: str | None, *, vocabulary: Vocabulary) -> Name | None:
    """A named make and/or model as keys ("corolla" brings its make, Toyota)."""
    make_key = vocabulary.resolve_make(make) if make else None
    model_key = model_label = None
    if model:
        make_key, model_key = vocabulary.resolve_model(model, make_key=make_key)
        known = vocabulary.models_by_key.get(model_key, [])
        model_label = next((t.value for t in known if t.key == model_key), model.strip())
    if not make_key and not model_key:
        return None
    # Canonical names for the note ("VW" → "Volkswagen"); unknown names as the customer said.
    make_label = vocabulary.make_by_key.get(make_key or "") or (make.strip() if make else None)
    return Name(
        make_key=make_key or None,
        make_label=make_label,
        model_key=model_key or None,
        model_label=model_label,
    )


def _body_code(value: str | None, vocabulary: Vocabulary) -> str | None:
    if not value:
        return None
    key = compact_key(value)
    if key in BodyType.values and key != BodyType.UNKNOWN:
        return key
    for term in vocabulary.exact.get(key, ()):
        if term.kind == "body":
            return term.value
    logger.warning("car_recommend_unknown_body_type value=%s", value)
    return None


def _transmission_code(value: str | None, vocabulary: Vocabulary) -> str | None:
    if not value:
        return None
    key = compact_key(value)
    if key in (Transmission.AUTOMATIC, Transmission.MANUAL):
        return key
    for term in vocabulary.exact.get(key, ()):
        if term.kind == "transmission":
            return term.value
    return None


def ladder_steps(c: Criteria) -> list[Rung]:
    """The queries to run, best fit first; later ones only fill what earlier ones left.

    A rung that names makes or models has one filter per name ("un Rio o un Versa"), whose cars
    alternate in the answer: each name gets a car before any gets a second.
    """
    order = CHEAPEST_FIRST if "cheap" in c.uses else NEWEST_FIRST
    budget = c.budget
    required = Where(
        price_max=budget,
        all_wheel="all_wheel" in c.uses,
        transmission=c.transmission,
        min_seats=c.min_seats,
        year_min=c.year_min,
        km_max=c.km_max,
    )

    def each_name(where: Where) -> tuple[Where, ...]:
        if not c.names:
            return (where,)
        return tuple(replace(where, make_key=n.make_key, model_key=n.model_key) for n in c.names)

    def each(wheres: tuple[Where, ...], **changes: Any) -> tuple[Where, ...]:
        return tuple(dict.fromkeys(replace(w, **changes) for w in wheres))

    wanted = each_name(replace(required, bodies=c.bodies))
    similar = (replace(required, bodies=c.similar_bodies),)

    def stretched(wheres: tuple[Where, ...]) -> tuple[Where, ...]:  # up to 10% over budget
        assert budget is not None  # noqa: S101 - only called with a budget
        return each(wheres, price_over=budget, price_max=budget * OVER_BUDGET_RATIO)

    steps: list[Rung] = [(wanted, order)]
    if c.budget_min:
        # A range's floor is the first thing to give: the car asked for a little cheaper than
        # the range is closer to the request than another car, or one over budget.
        steps = [
            (each(wanted, price_min=c.budget_min), order),
            (each(wanted, price_max=c.budget_min), CLOSEST_BELOW_FIRST),
        ]
    if budget:
        # The very car asked for, up to 10% over budget, beats another one within it: a
        # customer who asks for a Corolla wants to hear about the Corolla first.
        steps.append((stretched(wanted), CHEAPEST_FIRST))
    if c.min_seats:
        steps.append((each(wanted, bodies=(), min_seats=c.min_seats), order))
        if c.year_min or c.km_max:
            # Eight seats is a need, "2018 para arriba" a wish: the year and km give first.
            steps.append((each(wanted, year_min=None, km_max=None), order))
            steps.append((each(wanted, bodies=(), year_min=None, km_max=None), order))
    makes = tuple(w for w in wanted if w.model_key and w.make_key)
    if makes and c.similar_bodies:
        # A Tahoe asked, none in stock: the make's other SUVs before its sedans.
        steps.append((each(makes, model_key=None, bodies=c.similar_bodies), order))
    if makes:
        steps.append((each(makes, model_key=None), order))  # other models of the makes
    if c.names and c.similar_bodies:
        steps.append((similar, order))  # same kind of car, other make
    if budget:
        steps.append((stretched(wanted), CHEAPEST_FIRST))
        if c.names:
            steps.append((stretched(similar), CHEAPEST_FIRST))
    if "all_wheel" in c.uses:
        steps.append((each(wanted, all_wheel=False), order))  # 4x4 is the first thing to give
    if c.transmission:
        steps.append((each(wanted, transmission=None), order))
    steps.append(((Where(price_max=budget, transmission=c.transmission),), order))
    if budget:
        steps.append(((Where(price_max=budget),), order))
        over = Where(price_over=budget, bodies=c.similar_bodies)
        steps.append((each_name(over), CHEAPEST_FIRST))
        steps.append(((Where(price_over=budget),), CHEAPEST_FIRST))
    else:
        steps.append(((Where(),), order))
    unique: list[Rung] = []
    for step in steps:
        if step not in unique:
            unique.append(step)
    return unique
