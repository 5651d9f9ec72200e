"""Writes to the catalogue: CSV import (command, admin upload, demo data) and reclassification."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from catalog.derivation import body_type_from_version, transmission_from_version
from catalog.importing import MAX_ISSUES, ImportIssue, InventoryRow, parse_inventory
from catalog.matching import compact_key
from catalog.models import BodyType, Car, CarModelReference, CatalogAlias, CatalogImport
from catalog.selectors import catalog_vocabulary_invalidate
from kavak.exceptions import ApplicationError

logger = logging.getLogger(__name__)

DEMO_CATALOG_PATH = Path(__file__).resolve().parent / "data" / "demo_catalog.csv"
_CHUNK = 2_000
_IMPORT_LOCK = 7_305_001  # arbitrary, constant advisory-lock key for catalogue imports
_SEATS = re.compile(r"\b(\d{1,2})\s*PASAJEROS\b")
_IMPORTED_FIELDS = (
    "make", "model", "year", "version", "price", "km", "bluetooth", "carplay", "length_mm",
    "width_mm", "height_mm", "body_type", "transmission", "seats", "available", "make_key",
    "model_key",
)  # fmt: skip


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, with ``dry_run``, would do). Nothing is written when ``errors``."""

    dry_run: bool = False
    replace: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    errors: tuple[ImportIssue, ...] = ()
    warnings: tuple[ImportIssue, ...] = ()
    skipped: bool = False  # the demo catalogue was already loaded

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        """The report as staff read it, in the command output and in the admin upload page."""
        if self.skipped:
            return ["El catálogo de demostración ya estaba cargado; no hubo cambios."]
        if self.errors:
            count = len(self.errors)
            what = "línea con error" if count == 1 else "líneas con error"
            lines = [f"El archivo tiene {count} {what}; no se importó nada."]
            lines.extend(str(e) for e in self.errors[:MAX_ISSUES])
            if count > MAX_ISSUES:
                lines.append(f"… y {count - MAX_ISSUES:,} errores más.")
            return lines
        lines = []
        if self.dry_run:
            lines.append("Simulación: no se guardó nada. Esto es lo que haría la importación:")
        lines.append(
            f"{self.rows:,} autos en el archivo: {self.created:,} nuevos, "
            f"{self.updated:,} actualizados, {self.unchanged:,} sin cambios."
        )
        if self.replace:
            lines.append(
                f"{self.deactivated:,} autos que no vienen en el archivo quedaron como no "
                "disponibles (no se borra ninguno)."
            )
        lines.extend(f"Aviso: {w}" for w in self.warnings[:MAX_ISSUES])
        return lines


def catalog_import_csv(
    *,
    file: IO[bytes] | bytes,
    dry_run: bool,
    replace: bool,
    source: str = CatalogImport.Source.COMMAND,
    filename: str = "",
    user: Any = None,
) -> ImportReport:
    """Upsert the cars of an inventory CSV by ``stock_id``, all or nothing.

    Business rules:
    - One transaction. If any row is bad (missing price, text in year, negative km, duplicate
      stock_id, wrong header, wrong encoding...) nothing is imported and every bad line is
      reported with its number and reason.
    - Cars in the file become available; with ``replace`` the available cars absent from the
      file are marked unavailable. Cars are never deleted: leads point at them.
    - Body type comes from the make/model reference table (overridden by a body word in the
      version); transmission from the version tokens. When neither says anything, a value staff
      set by hand is kept rather than reset to unknown.
    - ``dry_run`` runs the whole import and rolls it back, so the counts are exact.
    """
    data = file if isinstance(file, bytes) else file.read()
    rows, issues = parse_inventory(data, max_year=timezone.localdate().year + 1)
    if issues:
        return ImportReport(dry_run=dry_run, replace=replace, rows=len(rows), errors=tuple(issues))

    with transaction.atomic():
        _serialize_imports()
        report = _apply(rows, replace=replace, dry_run=dry_run)
        if dry_run:
            transaction.set_rollback(True)
        else:
            CatalogImport.objects.create(
                source=source,
                filename=filename[:255],
                sha256=hashlib.sha256(data).hexdigest(),
                replace=replace,
                rows=report.rows,
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
                deactivated=report.deactivated,
                user=user if getattr(user, "pk", None) else None,
            )
            catalog_vocabulary_invalidate()
    logger.info(
        "catalog_import source=%s dry_run=%s replace=%s rows=%s created=%s updated=%s "
        "unchanged=%s deactivated=%s",
        source, dry_run, replace, report.rows, report.created, report.updated,
        report.unchanged, report.deactivated,
    )  # fmt: skip
    return report


def catalog_load_demo() -> ImportReport:
    """Load the demo catalogue shipped with the product (``catalog/data/demo_catalog.csv``).

    Runs on every ``make run``: when this exact file was already imported it is a no-op (one
    query), so staff edits made afterwards are not overwritten on restart.
    """
    data = DEMO_CATALOG_PATH.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if CatalogImport.objects.filter(source=CatalogImport.Source.DEMO, sha256=digest).exists():
        return ImportReport(skipped=True)
    report = catalog_import_csv(
        file=data,
        dry_run=False,
        replace=False,
        source=CatalogImport.Source.DEMO,
        filename=DEMO_CATALOG_PATH.name,
    )
    if not report.ok:
        raise ApplicationError(
            "El catálogo de demostración tiene errores.",
            extra={"errors": [str(e) for e in report.errors]},
        )
    return report


def car_model_reference_apply(*, reference: CarModelReference) -> int:
    """Apply a (new or edited) reference row to the cars of that make and model.

    This is how staff fix cars imported as ``unknown``: add or correct the reference row and
    every car of that make/model is reclassified. Returns how many cars changed.
    """
    cars = Car.objects.filter(make_key=reference.make_key, model_key=reference.model_key)
    return car_reclassify(cars=cars)


def car_reclassify(*, cars: QuerySet[Car]) -> int:
    """Derive body type, seats and transmission again for ``cars``; returns how many changed."""
    references = _references()
    changed: list[Car] = []
    now = timezone.now()
    for car in cars.iterator(chunk_size=_CHUNK):
        derived = _derived(car.make_key, car.model_key, car.version, references, existing=car)
        if any(getattr(car, name) != value for name, value in derived.items()):
            for name, value in derived.items():
                setattr(car, name, value)
            car.updated_at = now
            changed.append(car)
    Car.objects.bulk_update(
        changed, ["body_type", "seats", "transmission", "updated_at"], batch_size=_CHUNK
    )
    if changed:
        catalog_vocabulary_invalidate()
    return len(changed)


def car_set_available(*, cars: QuerySet[Car], available: bool) -> int:
    """Mark cars available or not (staff action). Cars are never deleted: leads point at them."""
    count = cars.exclude(available=available).update(available=available, updated_at=timezone.now())
    if count:
        catalog_vocabulary_invalidate()
    return count


# --- internals -----------------------------------------------------------------------------------
def _apply(rows: list[InventoryRow], *, replace: bool, dry_run: bool) -> ImportReport:
    references = _references()
    make_aliases = dict(
        CatalogAlias.objects.filter(model="").values_list("alias_key", "make").iterator()
    )
    existing: dict[str, Car] = {}
    stock_ids = [row.stock_id for row in rows]
    for chunk in _chunks(stock_ids, _CHUNK):
        existing.update(Car.objects.in_bulk(chunk, field_name="stock_id"))

    now = timezone.now()
    to_create: list[Car] = []
    to_update: list[Car] = []
    unchanged = 0
    warned: set[tuple[str, str]] = set()
    warnings: list[ImportIssue] = []
    for row in rows:
        values = _car_values(row, references, make_aliases, existing.get(row.stock_id))
        keys = (values["make_key"], values["model_key"])
        if keys not in references and keys not in warned:
            warned.add(keys)
            warnings.append(
                ImportIssue(
                    row.line,
                    f"{values['make']} {values['model']} no está en la tabla de referencia: "
                    "carrocería «sin clasificar» hasta que alguien la agregue.",
                )
            )
        car = existing.get(row.stock_id)
        if car is None:
            to_create.append(Car(stock_id=row.stock_id, **values))
            continue
        if all(getattr(car, name) == value for name, value in values.items()):
            unchanged += 1
            continue
        for name, value in values.items():
            setattr(car, name, value)
        car.updated_at = now
        to_update.append(car)

    Car.objects.bulk_create(to_create, batch_size=_CHUNK)
    Car.objects.bulk_update(to_update, [*_IMPORTED_FIELDS, "updated_at"], batch_size=_CHUNK)
    deactivated = _deactivate_absent(set(stock_ids), now=now) if replace else 0
    return ImportReport(
        dry_run=dry_run,
        replace=replace,
        rows=len(rows),
        created=len(to_create),
        updated=len(to_update),
        unchanged=unchanged,
        deactivated=deactivated,
        warnings=tuple(warnings),
    )


def _serialize_imports() -> None:
    """Two imports at once (admin upload + command) would race on new stock_ids and on
    --replace; on PostgreSQL a transaction-level advisory lock makes them take turns."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK])


def _deactivate_absent(present: set[str], *, now: Any) -> int:
    # Compared in Python: an `exclude(stock_id__in=...)` with 100k ids exceeds PostgreSQL's
    # 65,535 bind parameters.
    absent = [
        pk
        for pk, stock_id in Car.objects.filter(available=True).values_list("pk", "stock_id")
        if stock_id not in present
    ]
    for chunk in _chunks(absent, _CHUNK):
        Car.objects.filter(pk__in=chunk).update(available=False, updated_at=now)
    return len(absent)


def _references() -> dict[tuple[str, str], CarModelReference]:
    return {(r.make_key, r.model_key): r for r in CarModelReference.objects.all()}


def _car_values(
    row: InventoryRow,
    references: dict[tuple[str, str], CarModelReference],
    make_aliases: dict[str, str],
    existing: Car | None,
) -> dict[str, Any]:
    make = make_aliases.get(compact_key(row.make), row.make)  # "VW" in the file → Volkswagen
    make_key, model_key = compact_key(make), compact_key(row.model)
    reference = references.get((make_key, model_key))
    values: dict[str, Any] = {
        "make": reference.make if reference else make,
        "model": reference.model if reference else row.model,
        "year": row.year,
        "version": row.version,
        "price": row.price,
        "km": row.km,
        "bluetooth": row.bluetooth,
        "carplay": row.carplay,
        "length_mm": row.length_mm,
        "width_mm": row.width_mm,
        "height_mm": row.height_mm,
        "available": True,
        "make_key": make_key,
        "model_key": model_key,
    }
    values.update(_derived(make_key, model_key, row.version, references, existing=existing))
    return values


def _derived(
    make_key: str,
    model_key: str,
    version: str,
    references: dict[tuple[str, str], CarModelReference],
    *,
    existing: Car | None,
) -> dict[str, Any]:
    reference = references.get((make_key, model_key))
    body = body_type_from_version(
        version, default=reference.body_type if reference else BodyType.UNKNOWN
    )
    transmission = transmission_from_version(version)
    if transmission == "unknown" and reference is not None:
        transmission = reference.default_transmission
    seats_in_version = _SEATS.search(version.upper())
    seats = (
        int(seats_in_version.group(1))
        if seats_in_version
        else (reference.seats if reference else None)
    )
    if existing is not None:  # keep what staff set by hand when the data says nothing
        if body == BodyType.UNKNOWN:
            body = existing.body_type
        if transmission == "unknown":
            transmission = existing.transmission
        if seats is None:
            seats = existing.seats
    return {"body_type": body, "transmission": transmission, "seats": seats}


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
