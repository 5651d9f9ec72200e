"""Reads from the catalogue: text matching, recommendations and single-car look-ups.

``catalog_match_text`` runs on every chat turn, so the compiled vocabulary is cached in process
memory. A version token in the Django cache (Redis in production) tells every process when to
rebuild it; writers call :func:`catalog_vocabulary_invalidate` (imports explicitly, admin edits
through the post_save signals in ``catalog.signals``).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q

from catalog.evaluation import Evaluation, evaluate, generate_cases
from catalog.matching import TextMatch, Vocabulary, build_vocabulary, compact_key
from catalog.models import BodyType, Car, CarModelReference, CatalogAlias, Transmission
from kavak.rows import column_name, instances_from_rows

__all__ = [
    "Recommendation",
    "RecommendedCar",
    "TextMatch",
    "car_get_available",
    "car_recommend",
    "catalog_match_text",
    "catalog_matching_evaluate",
    "catalog_vocabulary",
    "catalog_vocabulary_invalidate",
]

logger = logging.getLogger(__name__)

_VERSION_KEY = "catalog:vocabulary:version"
_MAX_TEXT = 600  # characters read per message: bounds the cost of a pasted wall of text
_lock = threading.Lock()
_cached: tuple[str | None, Vocabulary] | None = None
# The shared version token is re-read at most every CATALOG_VOCABULARY_RECHECK_S per process (a
# Redis round trip per chat turn otherwise); this process sees its own edits immediately.
_checked: tuple[float, str | None] | None = None


# --- vocabulary cache ----------------------------------------------------------------------------
def _version_token() -> str | None:
    global _checked
    now = time.monotonic()
    checked = _checked
    recheck = settings.CATALOG_VOCABULARY_RECHECK_S
    if checked is not None and now - checked[0] < recheck:
        return checked[1]
    token = _read_version_token()
    _checked = (now, token)
    return token


def _read_version_token() -> str | None:
    try:
        token = cache.get(_VERSION_KEY)
        if token is None:
            cache.add(_VERSION_KEY, uuid.uuid4().hex, timeout=None)
            token = cache.get(_VERSION_KEY)
    except Exception:  # the cache is down: keep serving the vocabulary this process has
        logger.warning("catalog_vocabulary_version_unavailable", exc_info=True)
        return None
    return cast("str | None", token)


def catalog_vocabulary() -> Vocabulary:
    """The compiled vocabulary (names, aliases, body/use words), rebuilt when it changed."""
    global _cached
    token = _version_token()
    cached = _cached
    if cached is not None and (token is None or cached[0] == token):
        return cached[1]
    with _lock:
        cached = _cached  # another thread may have rebuilt it while we waited
        if cached is not None and cached[0] == token and token is not None:
            return cached[1]
        vocabulary = build_vocabulary(
            references=CarModelReference.objects.values_list("make", "model", "body_type", "seats"),
            cars=Car.objects.order_by().values_list("make", "model").distinct(),
            aliases=CatalogAlias.objects.values_list("alias", "make", "model"),
        )
        _cached = (token, vocabulary)
    return vocabulary


def catalog_vocabulary_invalidate() -> None:
    """Forget the vocabulary here now, and in every process once the transaction commits."""
    global _cached, _checked
    _cached = None
    _checked = None

    def bump() -> None:
        global _checked
        _checked = None
        try:
            cache.set(_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        except Exception:
            logger.warning("catalog_vocabulary_bump_failed", exc_info=True)

    transaction.on_commit(bump)


def catalog_match_text(*, text: str, car_context: bool = False) -> TextMatch:
    """Make, model, body type, uses and transmission named in a customer's message.

    Tolerant to typos, accents, case and spacing ("toyta corola", "nisan versa", "mazda3", "crv",
    "volks wagen"). Names of 3 characters or fewer match only exactly or through an alias, and
    names that are ordinary words ("uno", "rio") only next to their make. A near miss comes back
    as ``suggestion`` ("¿Quisiste decir Toyota Corolla?") instead of a guess.
    """
    return catalog_vocabulary().match(text[:_MAX_TEXT], car_context=car_context)


def catalog_matching_evaluate(*, seed: int, per_kind: int) -> Evaluation | None:
    """Score the matcher on a typo test set generated from the cars in stock (None: no cars)."""
    pairs = list(
        Car.objects.filter(available=True).order_by().values_list("make", "model").distinct()
    )
    if not pairs:
        return None
    vocabulary = catalog_vocabulary()
    cases = generate_cases(pairs=pairs, seed=seed, per_kind=per_kind)
    return evaluate(cases, vocabulary.match)


# --- recommendations ----------------------------------------------------------------------------
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
    # "match" | "over_budget" | "other_body_type" | "other_model" | "other_make" |
    # "other_transmission" | "fewer_seats"
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
}


def _in_sentence(label: str) -> str:
    """A choice label inside a sentence: "Sedán" → "sedán"; acronyms ("SUV") stay as they are."""
    return label if label.isupper() else label.lower()


# Mid-sentence forms of the models' choice labels (the admin shows the capitalised ones).
_BODY_LABELS = {
    value: _in_sentence(str(label))
    for value, label in BodyType.choices
    if value != BodyType.UNKNOWN
}
_TRANSMISSION_LABELS = {
    value: _in_sentence(str(label))
    for value, label in Transmission.choices
    if value != Transmission.UNKNOWN
}
_USE_LABELS = {
    "family": "para la familia",
    "city": "para la ciudad",
    "cargo": "para carga",
    "cheap": "económicos",
    "offroad": "para terracería",
}


@dataclass(frozen=True)
class _Where:
    """The filter of one rung of the ladder, on available cars (``None``/empty: no condition)."""

    price_max: Decimal | None = None  # price <= price_max
    price_over: Decimal | None = None  # price > price_over
    bodies: tuple[str, ...] = ()
    make_key: str | None = None
    model_key: str | None = None
    transmission: str | None = None
    min_seats: int | None = None
    year_min: int | None = None
    km_max: int | None = None


_Step = tuple[_Where, tuple[str, ...]]  # (filter, ORDER BY) of one rung of the ladder
_NEWEST_FIRST = ("-year", "km", "price", "stock_id")
_CHEAPEST_FIRST = ("price", "-year", "km", "stock_id")


@dataclass(frozen=True)
class _Criteria:
    budget: Decimal | None
    bodies: tuple[str, ...]  # stated body type, or the ones the uses imply
    similar_bodies: tuple[str, ...]  # bodies, else the requested model's body type
    make_key: str | None
    make_label: str | None
    model_key: str | None
    model_label: str | None
    transmission: str | None
    uses: tuple[str, ...]
    min_seats: int | None = None
    year_min: int | None = None
    km_max: int | None = None

    @property
    def named(self) -> bool:
        """The customer named a make, a model, a body type or a number of passengers: show
        only that when it exists."""
        return bool(
            self.make_key
            or self.model_key
            or self.stated_body
            or self.min_seats
            or self.year_min
            or self.km_max
        )

    stated_body: bool = False


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
    """
    limit = max(1, min(limit, 10))
    criteria = _criteria(
        budget=budget,
        body_type=body_type,
        make=make,
        model=model,
        transmission=transmission,
        uses=uses,
        min_seats=min_seats,
        year_min=year_min,
        km_max=km_max,
    )
    vocabulary = catalog_vocabulary()
    banned = tuple(sorted({key for m in exclude_makes if (key := vocabulary.resolve_make(m))}))
    picked = _fetch(
        _ladder(criteria),
        limit=limit,
        excluded=set(exclude_stock_ids),
        focus=_focus(criteria) if criteria.named else 0,
        banned_makes=banned,
    )
    cars = tuple(_recommended(car, criteria) for car in picked)
    exact = bool(cars) and all(c.fit == "match" for c in cars)
    return Recommendation(cars=cars, exact=exact, note=_note(criteria, cars, exclude_stock_ids))


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


def car_get_available(*, stock_id: str) -> Car | None:
    """The car with this stock id if it is still available (a lead may outlive the car)."""
    return Car.objects.filter(stock_id=stock_id, available=True).first()


# --- internals -----------------------------------------------------------------------------------
def _focus(c: _Criteria) -> int:
    """How many rungs of the ladder are what the customer named (the cars asked for, within
    budget and up to 10% over it)."""
    return 2 if c.budget else 1


def _criteria(
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
) -> _Criteria:
    vocabulary = catalog_vocabulary()
    stated_body = _body_code(body_type, vocabulary)
    make_key = vocabulary.resolve_make(make) if make else None
    model_key = model_label = None
    if model:
        make_key, model_key = vocabulary.resolve_model(model, make_key=make_key)
        known = vocabulary.models_by_key.get(model_key, [])
        model_label = next((t.value for t in known if t.key == model_key), model.strip())
    # Canonical names for the note ("VW" → "Volkswagen"); unknown names as the customer said.
    make_label = vocabulary.make_by_key.get(make_key or "") or (make.strip() if make else None)
    bodies: tuple[str, ...] = (stated_body,) if stated_body else ()
    if not bodies and not model_key:
        bodies = tuple(dict.fromkeys(b for u in uses for b in USE_BODY_TYPES.get(u, ())))
    similar = bodies
    if not similar and model_key:
        info = vocabulary.info(make_key, model_key)
        if info and info.body_type != BodyType.UNKNOWN:
            similar = (info.body_type,)
    return _Criteria(
        budget=budget if budget and budget > 0 else None,
        bodies=bodies,
        similar_bodies=similar,
        make_key=make_key or None,
        make_label=make_label,
        model_key=model_key or None,
        model_label=model_label,
        transmission=_transmission_code(transmission, vocabulary),
        uses=tuple(uses),
        min_seats=min_seats if min_seats and min_seats > 5 else None,
        year_min=year_min,
        km_max=km_max,
        stated_body=stated_body is not None,
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


def _ladder(c: _Criteria) -> list[_Step]:
    """The queries to run, best fit first; later ones only fill what earlier ones left."""
    order = _CHEAPEST_FIRST if "cheap" in c.uses else _NEWEST_FIRST
    budget = c.budget
    required = _Where(
        price_max=budget,
        transmission=c.transmission,
        min_seats=c.min_seats,
        year_min=c.year_min,
        km_max=c.km_max,
    )
    wanted = replace(required, bodies=c.bodies, make_key=c.make_key, model_key=c.model_key)
    similar = replace(required, bodies=c.similar_bodies)

    def stretched(where: _Where) -> _Where:  # up to 10% over budget
        assert budget is not None  # noqa: S101 - only called with a budget
        return replace(where, price_over=budget, price_max=budget * OVER_BUDGET_RATIO)

    steps: list[_Step] = [(wanted, order)]
    if budget:
        # The very car asked for, up to 10% over budget, beats another one within it: a
        # customer who asks for a Corolla wants to hear about the Corolla first.
        steps.append((stretched(wanted), _CHEAPEST_FIRST))
    if c.min_seats:
        steps.append((replace(wanted, bodies=(), min_seats=c.min_seats), order))
    if c.model_key and c.make_key:
        steps.append((replace(wanted, model_key=None), order))  # other models of the make
    if (c.make_key or c.model_key) and c.similar_bodies:
        steps.append((similar, order))  # same kind of car, other make
    if budget:
        steps.append((stretched(wanted), _CHEAPEST_FIRST))
        if c.make_key or c.model_key:
            steps.append((stretched(similar), _CHEAPEST_FIRST))
    if c.transmission:
        steps.append((replace(wanted, transmission=None), order))
    steps.append((_Where(price_max=budget, transmission=c.transmission), order))
    if budget:
        steps.append((_Where(price_max=budget), order))
        over = _Where(price_over=budget, bodies=c.similar_bodies)
        steps.append((replace(over, make_key=c.make_key, model_key=c.model_key), _CHEAPEST_FIRST))
        steps.append((_Where(price_over=budget), _CHEAPEST_FIRST))
    else:
        steps.append((_Where(), order))
    unique: list[_Step] = []
    for step in steps:
        if step not in unique:
            unique.append(step)
    return unique


# The columns a recommendation reads (ranking, reasons and the answer), in the model's field order
# (``Model.from_db`` maps a partial row by that order).
_CAR_FIELDS = (
    "id",
    "stock_id",
    "make",
    "model",
    "year",
    "version",
    "price",
    "km",
    "bluetooth",
    "carplay",
    "body_type",
    "transmission",
    "seats",
    "make_key",
    "model_key",
)


def _select(
    where: _Where,
    order: tuple[str, ...],
    limit: int,
    *,
    step: int | None = None,
    banned: tuple[str, ...] = (),
) -> tuple[str, list[Any]]:
    """``SELECT … LIMIT`` of one rung, in plain SQL: a chat turn that shows options runs it, and
    compiling the equivalent ORM query cost more than running it. The indexes in
    ``Car.Meta.indexes`` serve these filters and orders."""
    meta, quote = Car._meta, connection.ops.quote_name

    def column(name: str) -> str:
        return quote(column_name(meta, name))

    def price(value: Decimal) -> Any:
        return meta.get_field("price").get_db_prep_value(value, connection)

    clauses, params = [f"{column('available')} = %s"], [cast(Any, True)]
    if where.price_over is not None:
        clauses.append(f"{column('price')} > %s")
        params.append(price(where.price_over))
    if where.price_max is not None:
        clauses.append(f"{column('price')} <= %s")
        params.append(price(where.price_max))
    if where.bodies:
        clauses.append(f"{column('body_type')} IN ({', '.join(['%s'] * len(where.bodies))})")
        params.extend(where.bodies)
    for name in ("make_key", "model_key", "transmission"):
        value = getattr(where, name)
        if value:
            clauses.append(f"{column(name)} = %s")
            params.append(value)
    if banned:
        clauses.append(f"{column('make_key')} NOT IN ({', '.join(['%s'] * len(banned))})")
        params.extend(banned)
    if where.min_seats:
        clauses.append(f"{column('seats')} >= %s")
        params.append(where.min_seats)
    if where.year_min:
        clauses.append(f"{column('year')} >= %s")
        params.append(where.year_min)
    if where.km_max:
        clauses.append(f"{column('km')} <= %s")
        params.append(where.km_max)
    ordering = ", ".join(
        f"{column(f[1:])} DESC" if f.startswith("-") else f"{column(f)} ASC" for f in order
    )
    tag = "" if step is None else f"{int(step)} AS ladder_step, "  # which rung, in a UNION
    sql = (
        f"SELECT {tag}{', '.join(column(f) for f in _CAR_FIELDS)} "  # noqa: S608  # nosec B608
        f"FROM {quote(meta.db_table)} WHERE {' AND '.join(clauses)} "
        f"ORDER BY {ordering} LIMIT {int(limit)}"
    )
    return sql, params


def _cars(sql: str, params: list[Any]) -> list[Car]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return instances_from_rows(Car, _CAR_FIELDS, cursor.fetchall())


def _fetch(
    steps: list[_Step],
    *,
    limit: int,
    excluded: set[str],
    focus: int = 0,
    banned_makes: tuple[str, ...] = (),
) -> list[Car]:
    """Run the ladder: the first step alone (it fills the answer most of the time), then every
    remaining step in ONE round trip (a UNION ALL of LIMIT-ed, index-ordered branches).

    Equivalent to running the steps one by one: each branch returns its top ``limit + seen``
    cars, and at most ``seen`` of them can already be picked or excluded. SQLite (``make run``)
    cannot order inside a UNION, so there the steps run one by one. ``focus``: once the first
    ``focus`` steps found anything, the later ones (alternatives) are not used.
    """

    # Excluded cars are skipped in Python: fetching len(seen) extra rows per step is cheaper
    # than a NOT IN per branch, and at most len(seen) of a step's rows are repeats.
    (where, order), rest = steps[0], steps[1:]
    picked: list[Car] = []
    seen = set(excluded)

    def take(cars: Iterable[Car]) -> bool:
        for car in cars:
            if car.stock_id not in seen:
                picked.append(car)
                seen.add(car.stock_id)
                if len(picked) >= limit:
                    return True
        return False

    def done(number: int) -> bool:
        """After step ``number`` (0-based): the focus steps found cars, skip the alternatives."""
        return bool(picked) and number + 1 == focus

    if take(_cars(*_select(where, order, limit + len(seen), banned=banned_makes))):
        return picked
    if not rest or done(0):
        return picked
    fetch = limit + len(seen)
    if not connection.features.supports_slicing_ordering_in_compound:
        for number, (where, order) in enumerate(rest, start=1):
            if take(_cars(*_select(where, order, limit + len(seen), banned=banned_makes))):
                break
            if done(number):
                break
        return picked
    branches, params = [], []
    for number, (where, order) in enumerate(rest):
        sql, branch_params = _select(where, order, fetch, step=number, banned=banned_makes)
        branches.append(f"({sql})")
        params.extend(branch_params)
    rows: dict[int, list[Car]] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), params)
        results = cursor.fetchall()
    for step, car in zip(
        (row[0] for row in results),
        instances_from_rows(Car, _CAR_FIELDS, (row[1:] for row in results)),
        strict=True,
    ):
        rows.setdefault(step, []).append(car)
    for number, (_, order) in enumerate(rest):
        if take(sorted(rows.get(number, []), key=_sort_key(order))) or done(number + 1):
            break
    return picked


def _sort_key(order: tuple[str, ...]) -> Callable[[Car], tuple[Any, ...]]:
    """The SQL ``order`` as a Python key (a UNION does not keep each branch's order)."""

    def key(car: Car) -> tuple[Any, ...]:
        values: list[Any] = []
        for field in order:
            if field.startswith("-"):
                values.append(-getattr(car, field[1:]))  # descending fields are numeric
            else:
                values.append(getattr(car, field))
        return tuple(values)

    return key


def _mismatches(car: Car, c: _Criteria) -> list[str]:
    found = []
    if c.budget and car.price > c.budget:
        found.append("over_budget")
    if c.bodies and car.body_type not in c.bodies:
        found.append("other_body_type")
    if c.make_key and car.make_key != c.make_key:
        found.append("other_make")
    elif c.model_key and car.model_key != c.model_key:
        found.append("other_model")
    if c.transmission and car.transmission != c.transmission:
        found.append("other_transmission")
    if c.min_seats and (car.seats or 0) < c.min_seats:
        found.append("fewer_seats")
    if c.year_min and car.year < c.year_min:
        found.append("older")
    if c.km_max and car.km > c.km_max:
        found.append("more_km")
    return found


def _money(amount: Decimal) -> str:
    return f"${amount:,.0f}"


def _recommended(car: Car, c: _Criteria) -> RecommendedCar:
    mismatches = _mismatches(car, c)
    clauses = []
    for mismatch in mismatches:
        if mismatch == "over_budget" and c.budget:
            clauses.append(f"{_money(car.price - c.budget)} arriba de tu presupuesto")
        elif mismatch == "other_body_type":
            wanted = " ni ".join(_BODY_LABELS.get(b, b) for b in c.bodies)
            clauses.append(f"es {_BODY_LABELS.get(car.body_type, 'otro tipo')}, no {wanted}")
        elif mismatch == "other_make":
            clauses.append(f"otra marca ({car.make})")
        elif mismatch == "other_model":
            clauses.append(f"otro modelo de {car.make}")
        elif mismatch == "other_transmission":
            actual = _TRANSMISSION_LABELS.get(car.transmission)
            wanted = _TRANSMISSION_LABELS.get(c.transmission or "", "")
            clauses.append(f"es {actual}, no {wanted}" if actual else "transmisión por confirmar")
        elif mismatch == "fewer_seats":
            clauses.append(f"es para {car.seats or 5} pasajeros")
        elif mismatch == "older":
            clauses.append(f"es {car.year}")
        elif mismatch == "more_km":
            clauses.append(f"tiene {car.km:,} km")
    if clauses and c.budget and "over_budget" not in mismatches:
        clauses.append("dentro de tu presupuesto")
    # A match needs no reason: the reply already lists year, km, transmission and seats. An
    # alternative says in what it differs from what was asked.
    reason = ", ".join(clauses)
    return RecommendedCar(
        stock_id=car.stock_id,
        make=car.make,
        model=car.model,
        year=car.year,
        version=car.version,
        price=car.price,
        km=car.km,
        body_type=car.body_type,
        transmission=car.transmission,
        seats=car.seats,
        bluetooth=car.bluetooth,
        carplay=car.carplay,
        fit=mismatches[0] if mismatches else "match",
        reason=reason[:1].upper() + reason[1:],
    )


def _wanted(c: _Criteria) -> str:
    """What the customer asked for, as a Spanish noun phrase ("SUV Toyota RAV4 automática")."""
    parts = []
    if c.bodies and len(c.bodies) == 1 and c.bodies[0] in _BODY_LABELS and not c.model_key:
        parts.append(_BODY_LABELS[c.bodies[0]])
    if c.model_label:
        parts.append(f"{c.make_label} {c.model_label}" if c.make_label else c.model_label)
    elif c.make_label:
        parts.append(c.make_label)
    if not parts:
        parts.append("autos")
    if c.transmission:
        parts.append(_TRANSMISSION_LABELS[c.transmission])
    if c.min_seats:
        parts.append(f"para {c.min_seats} o más pasajeros")
    if c.year_min:
        parts.append(f"{c.year_min} o más nuevos")
    if c.km_max:
        parts.append(f"con hasta {c.km_max:,} km")
    parts.extend(_USE_LABELS[u] for u in c.uses if u in _USE_LABELS and not c.min_seats)
    return " ".join(parts)


def _note(c: _Criteria, cars: tuple[RecommendedCar, ...], excluded: tuple[str, ...]) -> str | None:
    if not cars:
        if excluded:
            return "Ya te mostré todas las opciones disponibles que tengo para lo que buscas."
        return "Por ahora no tengo autos disponibles en el catálogo."
    matches = sum(1 for car in cars if car.fit == "match")
    if matches == len(cars):
        return None
    within = f" dentro de {_money(c.budget)}" if c.budget else " disponibles"
    wanted = _wanted(c)
    if matches:
        head = (
            f"Solo encontré {matches} {'opción' if matches == 1 else 'opciones'} de {wanted}"
            f"{within}"
        )
    else:
        head = f"No encontré {wanted}{within}"
    fits = [car.fit for car in cars if car.fit != "match"]
    first = fits[0]
    if first == "over_budget" and c.budget:
        over = [car for car in cars if car.fit == "over_budget"]
        close = [car for car in over if car.price <= c.budget * OVER_BUDGET_RATIO]
        if len(close) == len(over):
            tail = "estas opciones están hasta 10% arriba de tu presupuesto"
        elif close:
            tail = "te muestro opciones hasta 10% arriba de tu presupuesto y otras más caras"
        else:
            tail = f"lo más cercano que tengo cuesta {_money(min(car.price for car in over))}"
    elif first == "other_model":
        tail = f"te muestro otros modelos de {c.make_label or 'la marca'}"
    elif first == "other_make":
        tail = "te muestro opciones parecidas de otras marcas"
    elif first == "other_transmission":
        tail = "te muestro opciones con otra transmisión"
    elif first == "fewer_seats":
        tail = "te muestro las opciones más cercanas, con menos pasajeros"
    elif first in ("older", "more_km"):
        tail = "te muestro las más cercanas (cada una dice en qué cambia)"
    elif c.budget:
        tail = "te muestro otras opciones que sí entran en tu presupuesto"
    else:
        tail = "te muestro otras opciones disponibles"
    if len(set(fits)) > 1:
        tail += " (cada una dice en qué cambia)"
    return f"{head}; {tail}."
