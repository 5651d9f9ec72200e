"""The recommendation ladder's SQL: one ``SELECT … LIMIT`` per rung, and the ladder run in at most
two round trips.

Plain SQL on purpose: a chat turn that shows options runs these, and compiling the equivalent ORM
queries cost more than running them. The indexes in ``Car.Meta.indexes`` serve these filters and
orders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db import connection

from catalog.models import Car
from kavak.rows import column_name, instances_from_rows


@dataclass(frozen=True)
class Where:
    """The filter of one rung of the ladder, on available cars (``None``/empty: no condition)."""

    price_max: Decimal | None = None  # price <= price_max
    price_over: Decimal | None = None  # price > price_over
    price_min: Decimal | None = None  # price >= price_min
    bodies: tuple[str, ...] = ()
    make_key: str | None = None
    model_key: str | None = None
    transmission: str | None = None
    min_seats: int | None = None
    year_min: int | None = None
    km_max: int | None = None
    all_wheel: bool = False  # the version names its drive: "4WD", "AWD", "4X4"…


# How a version names all-wheel drive (the catalogue has no drive column).
ALL_WHEEL_TOKENS = ("4WD", "AWD", "4X4", "4MATIC", "QUATTRO", "XDRIVE", "ALLGRIP", "4MOTION")


def all_wheel(version: str) -> bool:
    """Whether the version names all-wheel drive (what the SQL filter matches, in Python)."""
    upper = version.upper()
    return any(token in upper for token in ALL_WHEEL_TOKENS)


# One rung of the ladder: its filters (one per make/model named; their cars alternate) and their
# ORDER BY.
Rung = tuple[tuple[Where, ...], tuple[str, ...]]

# The columns a recommendation reads (ranking, reasons and the answer), in the model's field order
# (``Model.from_db`` maps a partial row by that order).
CAR_FIELDS = (
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


def rung_select(
    where: Where,
    order: tuple[str, ...],
    limit: int,
    *,
    step: int | None = None,
    banned: tuple[str, ...] = (),
) -> tuple[str, list[Any]]:
    """``SELECT … LIMIT`` of one rung (``step``: its number as a first column, in a UNION)."""
    meta, quote = Car._meta, connection.ops.quote_name

    def column(name: str) -> str:
        return quote(column_name(meta, name))

    def price(value: Decimal) -> Any:
        return meta.get_field("price").get_db_prep_value(value, connection)

    clauses, params = [f"{column('available')} = %s"], [cast(Any, True)]
    if where.price_over is not None:
        clauses.append(f"{column('price')} > %s")
        params.append(price(where.price_over))
    if where.price_min is not None:
        clauses.append(f"{column('price')} >= %s")
        params.append(price(where.price_min))
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
    if where.all_wheel:
        alike = " OR ".join([f"UPPER({column('version')}) LIKE %s"] * len(ALL_WHEEL_TOKENS))
        clauses.append(f"({alike})")
        params.extend(f"%{token}%" for token in ALL_WHEEL_TOKENS)
    ordering = ", ".join(
        f"{column(f[1:])} DESC" if f.startswith("-") else f"{column(f)} ASC" for f in order
    )
    tag = "" if step is None else f"{int(step)} AS ladder_step, "  # which rung, in a UNION
    sql = (
        f"SELECT {tag}{', '.join(column(f) for f in CAR_FIELDS)} "  # noqa: S608  # nosec B608
        f"FROM {quote(meta.db_table)} WHERE {' AND '.join(clauses)} "
        f"ORDER BY {ordering} LIMIT {int(limit)}"
    )
    return sql, params


def _run(rungs: list[Rung], fetch: int, banned: tuple[str, ...]) -> list[list[list[Car]]]:
    """The top ``fetch`` cars of every filter of ``rungs`` (per rung, per filter): a UNION ALL
    of LIMIT-ed, index-ordered branches in one round trip, or one SELECT per filter where the
    database cannot order inside a UNION (SQLite, ``make run``)."""
    branches = [(r, where, order) for r, (wheres, order) in enumerate(rungs) for where in wheres]
    found: list[list[list[Car]]] = [[] for _ in rungs]
    if len(branches) == 1 or not connection.features.supports_slicing_ordering_in_compound:
        for r, where, order in branches:
            sql, params = rung_select(where, order, fetch, banned=banned)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                found[r].append(instances_from_rows(Car, CAR_FIELDS, cursor.fetchall()))
        return found
    selects, params = [], []
    for number, (_, where, order) in enumerate(branches):
        sql, branch_params = rung_select(where, order, fetch, step=number, banned=banned)
        selects.append(f"({sql})")
        params.extend(branch_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        results = cursor.fetchall()
    rows: dict[int, list[Car]] = {}
    for number, car in zip(
        (row[0] for row in results),
        instances_from_rows(Car, CAR_FIELDS, (row[1:] for row in results)),
        strict=True,
    ):
        rows.setdefault(number, []).append(car)
    for number, (r, _, order) in enumerate(branches):
        # A UNION does not keep each branch's order.
        found[r].append(sorted(rows.get(number, []), key=_sort_key(order)))
    return found


def ladder_fetch(
    rungs: list[Rung],
    *,
    limit: int,
    excluded: set[str],
    focus: int = 0,
    banned_makes: tuple[str, ...] = (),
) -> list[Car]:
    """Run the ladder: the first rung alone (it fills the answer most of the time), then every
    remaining rung in ONE round trip (a UNION ALL of LIMIT-ed, index-ordered branches).

    Equivalent to running the rungs one by one: each branch returns its top ``limit + seen``
    cars, and every one of them skipped as already picked or excluded is in ``seen`` or one
    of at most ``limit`` picks. SQLite (``make run``) cannot order inside a UNION, so there the
    rungs run one by one. ``focus``: once the first ``focus`` rungs found anything, the later
    ones (alternatives) are not used.
    """

    # Excluded cars are skipped in Python: fetching len(seen) extra rows per branch is cheaper
    # than a NOT IN per branch.
    picked: list[Car] = []
    seen = set(excluded)

    def take(parts: list[list[Car]]) -> bool:
        """Pick from a rung's filters in turn, one new car each per round."""
        queues = [iter(part) for part in parts]
        while queues:
            for queue in list(queues):
                car = next((car for car in queue if car.stock_id not in seen), None)
                if car is None:
                    queues.remove(queue)
                    continue
                picked.append(car)
                seen.add(car.stock_id)
                if len(picked) >= limit:
                    return True
        return False

    def done(number: int) -> bool:
        """After rung ``number`` (0-based): the focus rungs found cars, skip the alternatives."""
        return bool(picked) and number + 1 == focus

    if take(_run(rungs[:1], limit + len(seen), banned_makes)[0]) or done(0):
        return picked
    rest = rungs[1:]
    if not connection.features.supports_slicing_ordering_in_compound:
        for number, rung in enumerate(rest, start=1):  # one rung at a time: fewer rows read
            if take(_run([rung], limit + len(seen), banned_makes)[0]) or done(number):
                break
        return picked
    if rest:
        for number, parts in enumerate(_run(rest, limit + len(seen), banned_makes), start=1):
            if take(parts) or done(number):
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
