"""Benchmark ``car_recommend`` on 1k, 10k and 100k realistic cars in PostgreSQL.

``make bench-catalog`` runs it. It uses its own database (``kavak_bench`` on the server of
DATABASE_URL), never the test or development database: it creates it, migrates it, grows the
catalogue with bulk_create, runs a fixed set of customer queries at each size and prints
p50/p95 in milliseconds. The database is dropped at the end unless ``--keep`` is given.

Target (catalogue issue): p95 ≤ 20 ms at 100k cars, and 10k → 100k growth well under 10×.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH_DB = "kavak_bench"
SIZES = (1_000, 10_000, 100_000)
TARGET_P95_MS = 20.0


def _bench_database_url() -> tuple[str, str]:
    """(bench URL, maintenance URL) on the same server as DATABASE_URL."""
    base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kavak_test"))
    if base.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("bench_catalog needs PostgreSQL (DATABASE_URL=postgres://...).")
    return (
        urlunsplit(base._replace(path=f"/{BENCH_DB}")),
        urlunsplit(base._replace(path="/postgres")),
    )


BENCH_URL, MAINTENANCE_URL = _bench_database_url()
os.environ["DATABASE_URL"] = BENCH_URL  # before Django reads its settings
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kavak.settings.test")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")


def _maintenance(sql: str) -> None:
    import psycopg

    conninfo = MAINTENANCE_URL.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql)


def _create_database() -> None:
    import psycopg

    conninfo = MAINTENANCE_URL.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (BENCH_DB,))
        if exists.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


_create_database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from catalog.derivation import transmission_from_version  # noqa: E402
from catalog.matching import compact_key  # noqa: E402
from catalog.models import Car, CarModelReference  # noqa: E402
from catalog.selectors import car_recommend, catalog_vocabulary_invalidate  # noqa: E402

PREMIUM = {"Audi", "BMW", "Infiniti", "Land Rover", "Lincoln", "Mercedes Benz", "Mini", "Volvo"}
NEW_PRICE_BY_BODY = {
    "hatchback": 280_000,
    "sedan": 360_000,
    "suv": 520_000,
    "pickup": 560_000,
    "minivan": 600_000,
    "coupe": 750_000,
    "convertible": 850_000,
    "wagon": 420_000,
    "unknown": 400_000,
}
YEAR_WEIGHTS = (1, 1, 2, 2, 3, 4, 5, 6, 7, 7, 7, 6, 5, 4, 3)  # 2010 … 2024
VERSIONS_AUTOMATIC = ("1.6 SENSE AUTO", "2.0 LX AT", "1.5 ADVANCE CVT", "2.0 SPORT DCT", "2.5 TA")
VERSIONS_MANUAL = ("1.6 SENSE MT", "1.6 STD", "2.0 LX TM")

# What customers ask, as the conversation engine passes it (fixed across sizes).
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("presupuesto 250k", {"budget": Decimal(250_000)}),
    ("SUV hasta 300k", {"budget": Decimal(300_000), "body_type": "suv"}),
    (
        "SUV automática hasta 400k",
        {"budget": Decimal(400_000), "body_type": "suv", "transmission": "automatic"},
    ),
    (
        "sedán manual hasta 200k",
        {"budget": Decimal(200_000), "body_type": "sedan", "transmission": "manual"},
    ),
    (
        "Toyota Corolla hasta 350k",
        {"make": "Toyota", "model": "Corolla", "budget": Decimal(350_000)},
    ),
    ("Nissan hasta 300k", {"make": "Nissan", "budget": Decimal(300_000)}),
    ("Mazda CX-5 sin presupuesto", {"make": "Mazda", "model": "CX-5"}),
    ("familiar hasta 450k", {"uses": ("family",), "budget": Decimal(450_000)}),
    ("económico para la ciudad", {"uses": ("cheap", "city")}),
    ("para carga hasta 500k", {"uses": ("cargo",), "budget": Decimal(500_000)}),
    ("SUV hasta 90k (alternativas)", {"budget": Decimal(90_000), "body_type": "suv"}),
    (
        "modelo inexistente hasta 600k",
        {"make": "Tesla", "model": "Model 3", "budget": Decimal(600_000)},
    ),
    ("hasta 50k (nada alcanza)", {"budget": Decimal(50_000)}),
    (
        "Corolla manual hasta 90k",
        {"make": "Toyota", "model": "Corolla", "budget": Decimal(90_000), "transmission": "manual"},
    ),
    (
        "todo el escalón de alternativas",
        {
            "make": "Mercedes Benz",
            "model": "Clase E",
            "body_type": "convertible",
            "transmission": "manual",
            "budget": Decimal(55_000),
        },
    ),
    ("convertible hasta 300k", {"budget": Decimal(300_000), "body_type": "convertible"}),
    (
        "pickup manual hasta 250k",
        {"budget": Decimal(250_000), "body_type": "pickup", "transmission": "manual"},
    ),
    ("sin criterios", {}),
]


def _generate(rng: random.Random, start: int, count: int, references: list[Any]) -> list[Car]:
    """Realistic used cars: popular models more often, price from body, brand, age and km."""
    cars = []
    weights = [3 if r.body_type in ("sedan", "suv", "hatchback") else 1 for r in references]
    for number in range(start, start + count):
        ref = rng.choices(references, weights=weights)[0]
        year = rng.choices(range(2010, 2025), weights=YEAR_WEIGHTS)[0]
        age = 2025 - year
        km = max(500, int(age * rng.gauss(16_000, 5_000)))
        new_price = NEW_PRICE_BY_BODY[ref.body_type] * (1.8 if ref.make in PREMIUM else 1.0)
        used = new_price * (0.87**age) * max(0.6, 1 - km / 600_000) * rng.uniform(0.85, 1.15)
        automatic = rng.random() < 0.85
        version = rng.choice(VERSIONS_AUTOMATIC if automatic else VERSIONS_MANUAL)
        cars.append(
            Car(
                stock_id=f"B{number:07d}",
                make=ref.make,
                model=ref.model,
                year=year,
                version=version,
                price=Decimal(
                    max(60_000 + rng.randrange(0, 40_000, 1_000), int(round(used, -3)) - 1)
                ),
                km=km,
                bluetooth=rng.random() < 0.8,
                carplay=rng.random() < 0.4,
                body_type=ref.body_type,
                transmission=transmission_from_version(version),
                seats=ref.seats,
                available=rng.random() < 0.92,
                make_key=compact_key(ref.make),
                model_key=compact_key(ref.model),
            )
        )
    return cars


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _measure(repetitions: int) -> tuple[list[float], dict[str, list[float]]]:
    everything: list[float] = []
    per_query: dict[str, list[float]] = {name: [] for name, _ in QUERIES}
    for _name, kwargs in QUERIES:  # warm-up: plans, vocabulary, connection
        car_recommend(**kwargs)
    for _ in range(repetitions):
        for name, kwargs in QUERIES:
            start = time.perf_counter()
            recommendation = car_recommend(**kwargs)
            elapsed = (time.perf_counter() - start) * 1000
            assert recommendation.cars, name  # noqa: S101 - a benchmark sanity check
            everything.append(elapsed)
            per_query[name].append(elapsed)
    return everything, per_query


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=25)
    parser.add_argument("--keep", action="store_true", help=f"Keep the {BENCH_DB} database.")
    parser.add_argument("--explain", action="store_true", help="Print plans at the last size.")
    args = parser.parse_args()

    print(f"Base de datos de benchmark: {BENCH_DB} (se crea y migra; no es la de pruebas)")
    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE catalog_car RESTART IDENTITY")
    references = list(CarModelReference.objects.order_by("make", "model"))
    rng = random.Random(20_240_603)  # reproducible data
    results: dict[int, tuple[float, float]] = {}
    total = 0
    print(f"{len(QUERIES)} consultas fijas × {args.repetitions} repeticiones por tamaño\n")
    print(f"{'autos':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}   consulta más lenta (p95)")
    try:
        for size in SIZES:
            started = time.perf_counter()
            for batch_start in range(total, size, 5_000):
                batch = _generate(rng, batch_start, min(5_000, size - batch_start), references)
                Car.objects.bulk_create(batch, batch_size=5_000)
            total = size
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE catalog_car")
            catalog_vocabulary_invalidate()  # bulk_create sends no signals
            load_s = time.perf_counter() - started
            timings, per_query = _measure(args.repetitions)
            p50, p95 = _percentile(timings, 50), _percentile(timings, 95)
            slowest = max(per_query, key=lambda q: _percentile(per_query[q], 95))
            results[size] = (p50, p95)
            print(
                f"{size:>8,} {p50:>8.2f} {p95:>8.2f} {max(timings):>8.2f}   {slowest} "
                f"({_percentile(per_query[slowest], 95):.2f} ms)   [carga {load_s:.1f} s]"
            )
        print(f"\np50/p95 por consulta a {SIZES[-1]:,} autos (ms):")
        for name, values in per_query.items():
            p50_q, p95_q = _percentile(values, 50), _percentile(values, 95)
            print(f"   {p50_q:6.2f} {p95_q:6.2f}  {name}")
        if args.explain:
            _explain()
    finally:
        connection.close()
        if not args.keep:
            _maintenance(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')

    growth = results[SIZES[2]][1] / results[SIZES[1]][1]
    p95_max = results[SIZES[2]][1]
    print(
        f"\np95 a {SIZES[2]:,} autos: {p95_max:.2f} ms (objetivo ≤ {TARGET_P95_MS:.0f} ms); "
        f"crecimiento del p95 de {SIZES[1]:,} a {SIZES[2]:,}: {growth:.2f}× (objetivo < 10×)."
    )
    if p95_max > TARGET_P95_MS or growth >= 10:
        sys.exit("No cumple el objetivo de rendimiento.")


def _explain() -> None:
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    for name, kwargs in QUERIES:
        with CaptureQueriesContext(conn) as captured:
            car_recommend(**kwargs)
        print(f"\n== {name}: {len(captured.captured_queries)} consultas")
        for query in captured.captured_queries:
            if "catalog_car" not in query["sql"] or "DISTINCT" in query["sql"]:
                continue
            with conn.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + query["sql"])
                plan = [row[0] for row in cursor.fetchall()]
            print(
                "   "
                + " | ".join(line.strip() for line in plan if "Index" in line or "Scan" in line)
            )


if __name__ == "__main__":
    main()
