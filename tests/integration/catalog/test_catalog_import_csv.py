"""catalog_import_csv / catalog_load_demo: all-or-nothing upsert by stock_id, on PostgreSQL."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from catalog.models import Car, CarModelReference, CatalogImport
from catalog.services import catalog_import_csv, catalog_load_demo
from tests.support.catalog import HEADER, csv_file

GOOD_ROW = "111,1000,250000.0,Toyota,Corolla,2020,1.8 LE AUTO,Sí,4650.0,1776.0,1475.0,Sí"


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def _write(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER.split(","), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.mark.django_db
def test_sample_catalogue_imports_cleanly_with_derived_fields(demo_csv: bytes) -> None:
    report = catalog_import_csv(file=demo_csv, dry_run=False, replace=False)

    assert report.ok
    assert (report.rows, report.created, report.updated, report.unchanged) == (100, 100, 0, 0)
    assert report.warnings == ()  # every sample model has a reference row
    assert Car.objects.count() == 100
    assert not Car.objects.filter(body_type="unknown").exists()
    touareg = Car.objects.get(stock_id="243587")
    assert touareg.price == Decimal("461999.00")
    assert (touareg.length_mm, touareg.width_mm, touareg.height_mm) == (4801, 1940, 1709)
    assert touareg.bluetooth is True
    assert touareg.carplay is False
    assert (touareg.body_type, touareg.transmission) == ("suv", "automatic")
    assert Car.objects.get(stock_id="322165").width_mm is None  # empty dimension
    # Version tokens override the reference: this Mazda 3 is a hatchback.
    assert Car.objects.get(stock_id="323431").body_type == "hatchback"
    assert Car.objects.get(stock_id="315464").body_type == "sedan"
    # Canonical spelling from the reference table ("FORTE" in the file).
    assert Car.objects.get(stock_id="317114").model == "Forte"
    assert Car.objects.get(stock_id="317114").transmission == "manual"
    assert CatalogImport.objects.get().created == 100
    assert report.lines() == ["100 autos en el archivo: 100 nuevos, 0 actualizados, 0 sin cambios."]


@pytest.mark.django_db
def test_reimport_is_idempotent(demo_csv: bytes) -> None:
    catalog_import_csv(file=demo_csv, dry_run=False, replace=False)
    before = dict(Car.objects.values_list("stock_id", "updated_at"))

    report = catalog_import_csv(file=demo_csv, dry_run=False, replace=False)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 100)
    assert dict(Car.objects.values_list("stock_id", "updated_at")) == before


@pytest.mark.django_db
def test_changed_rows_are_updated_by_stock_id(demo_csv: bytes) -> None:
    catalog_import_csv(file=demo_csv, dry_run=False, replace=False)
    rows = _rows(demo_csv)
    rows[0]["price"] = "449999.0"
    rows[1]["km"] = "110000"

    report = catalog_import_csv(file=_write(rows), dry_run=False, replace=False)

    assert (report.created, report.updated, report.unchanged) == (0, 2, 98)
    assert Car.objects.get(stock_id=rows[0]["stock_id"]).price == Decimal("449999.00")
    assert Car.objects.get(stock_id=rows[1]["stock_id"]).km == 110_000


@pytest.mark.django_db
def test_replace_marks_absent_cars_unavailable_and_never_deletes(demo_csv: bytes) -> None:
    catalog_import_csv(file=demo_csv, dry_run=False, replace=False)
    rows = _rows(demo_csv)
    gone = {rows[0]["stock_id"], rows[1]["stock_id"]}

    report = catalog_import_csv(file=_write(rows[2:]), dry_run=False, replace=True)

    assert report.deactivated == 2
    assert Car.objects.count() == 100
    assert set(Car.objects.filter(available=False).values_list("stock_id", flat=True)) == gone
    assert "2 autos que no vienen en el archivo quedaron como no disponibles" in report.lines()[1]

    back = catalog_import_csv(file=demo_csv, dry_run=False, replace=True)

    assert (back.updated, back.deactivated) == (2, 0)
    assert not Car.objects.filter(available=False).exists()


@pytest.mark.django_db
def test_without_replace_absent_cars_stay_available(demo_csv: bytes) -> None:
    catalog_import_csv(file=demo_csv, dry_run=False, replace=False)

    catalog_import_csv(file=csv_file(GOOD_ROW), dry_run=False, replace=False)

    assert Car.objects.filter(available=True).count() == 101


@pytest.mark.django_db
def test_dry_run_counts_exactly_and_writes_nothing(demo_csv: bytes) -> None:
    report = catalog_import_csv(file=demo_csv, dry_run=True, replace=True)

    assert (report.created, report.dry_run) == (100, True)
    assert report.lines()[0].startswith("Simulación: no se guardó nada")
    assert Car.objects.count() == 0
    assert CatalogImport.objects.count() == 0


BROKEN_FILES = {
    "missing price": (
        csv_file(GOOD_ROW, "112,1000,,Toyota,Corolla,2020,LE,Sí,,,,"),
        ["Línea 3: precio (price) vacío."],
    ),
    "text in year": (
        csv_file("113,1000,250000,Toyota,Corolla,dos mil,LE,Sí,,,,", GOOD_ROW),
        ["Línea 2: año (year) no es un número ('dos mil')."],
    ),
    "negative km": (
        csv_file(GOOD_ROW, "114,-10,250000,Toyota,Corolla,2020,LE,,,,,"),
        ["Línea 3: km negativo (-10)."],
    ),
    "duplicate stock_id": (
        csv_file(GOOD_ROW, GOOD_ROW.replace("1000", "2000", 1)),
        ["Línea 3: stock_id 111 repetido (ya está en la línea 2)."],
    ),
    "wrong header": (
        csv_file(GOOD_ROW, header=HEADER.replace("price", "precio")),
        [
            "Línea 1: encabezado inválido: faltan columnas: price; columnas desconocidas: "
            f"precio. Se espera: {HEADER}."
        ],
    ),
    "wrong encoding": (
        csv_file(GOOD_ROW).decode().encode("latin-1"),
        ["Línea 2: no está en UTF-8 (byte 0xed); guarda el archivo como «CSV UTF-8»."],
    ),
    "wrong column count": (
        csv_file(GOOD_ROW, "115,1000,250000,Toyota,Corolla,2020"),
        ["Línea 3: tiene 6 columnas; se esperaban 12."],
    ),
    "empty file": (b"", ["Línea 1: el archivo está vacío."]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BROKEN_FILES, ids=list(BROKEN_FILES))
def test_broken_file_imports_nothing_and_explains_every_bad_line(
    case: str, demo_csv: bytes
) -> None:
    catalog_import_csv(file=demo_csv, dry_run=False, replace=False)
    prices = dict(Car.objects.values_list("stock_id", "price"))
    data, expected = BROKEN_FILES[case]

    report = catalog_import_csv(file=data, dry_run=False, replace=True)

    assert not report.ok
    assert [str(e) for e in report.errors] == expected
    assert report.lines()[0].endswith("no se importó nada.")
    assert report.lines()[1:] == expected
    assert dict(Car.objects.values_list("stock_id", "price")) == prices  # untouched
    assert not Car.objects.filter(available=False).exists()  # --replace did not run
    assert CatalogImport.objects.count() == 1


@pytest.mark.django_db
def test_every_bad_row_is_reported_in_one_pass() -> None:
    data = csv_file(
        GOOD_ROW,
        "200,abc,0,Toyota,,2020,LE,tal vez,,,,",
        "201,1000,250000,Toyota,Corolla,1800,LE,,99999,,,",
        "bad id!,1000,250000,Toyota,Corolla,2020,LE,,,,,",
    )

    report = catalog_import_csv(file=data, dry_run=False, replace=False)

    assert [e.line for e in report.errors] == [3, 4, 5]
    assert report.errors[0].message == (
        "km no es un número ('abc'); precio (price) debe ser mayor que cero (0); "
        "modelo (model) vacío; bluetooth debe ser «Sí» o vacío ('tal vez')."
    )
    assert "año (year) fuera de rango (1800" in report.errors[1].message
    assert "largo fuera de rango (99999 mm)" in report.errors[1].message
    assert report.errors[2].message.startswith("stock_id inválido ('bad id!')")
    assert Car.objects.count() == 0


@pytest.mark.django_db
def test_excel_style_values_are_accepted() -> None:
    data = "\ufeff" + HEADER + "\r\n" + '111,"77,400","$461,999.00",VW,Jetta,2018,MT,si,,,,\r\n'

    report = catalog_import_csv(file=data.encode(), dry_run=False, replace=False)

    assert report.ok, report.lines()
    car = Car.objects.get(stock_id="111")
    assert (car.km, car.price, car.make, car.transmission) == (
        77_400,
        Decimal("461999.00"),
        "Volkswagen",  # make alias from the alias table
        "manual",
    )


@pytest.mark.django_db
def test_unknown_model_is_imported_as_unknown_with_a_warning() -> None:
    data = csv_file("300,1000,250000,Foton,Tunland,2021,2.8 DIESEL,,,,,")

    report = catalog_import_csv(file=data, dry_run=False, replace=False)

    assert report.ok
    assert [str(w) for w in report.warnings] == [
        "Línea 2: Foton Tunland no está en la tabla de referencia: carrocería «sin clasificar» "
        "hasta que alguien la agregue."
    ]
    assert Car.objects.get(stock_id="300").body_type == "unknown"


@pytest.mark.django_db
def test_reimport_keeps_a_body_type_staff_fixed_by_hand() -> None:
    data = csv_file("300,1000,250000,Foton,Tunland,2021,2.8 DIESEL,,,,,")
    catalog_import_csv(file=data, dry_run=False, replace=False)
    Car.objects.filter(stock_id="300").update(body_type="pickup", transmission="manual")

    report = catalog_import_csv(file=data, dry_run=False, replace=False)

    assert report.unchanged == 1
    car = Car.objects.get(stock_id="300")
    assert (car.body_type, car.transmission) == ("pickup", "manual")


@pytest.mark.django_db
def test_reference_row_default_transmission_fills_versions_without_tokens() -> None:
    data = csv_file("301,1000,250000,Honda,CR-V,2017,2.4 EX,Sí,,,,")

    catalog_import_csv(file=data, dry_run=False, replace=False)

    car = Car.objects.get(stock_id="301")
    assert (car.body_type, car.transmission, car.seats) == ("suv", "automatic", 5)
    assert CarModelReference.objects.get(make="Honda", model="CR-V").default_transmission == (
        "automatic"
    )


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_a_single_query_the_second_time(
    django_assert_num_queries: object,
) -> None:
    first = catalog_load_demo()
    assert first.created == 100

    with django_assert_num_queries(1):  # type: ignore[operator]
        second = catalog_load_demo()

    assert second.skipped
    assert second.lines() == ["El catálogo de demostración ya estaba cargado; no hubo cambios."]
    assert Car.objects.count() == 100
