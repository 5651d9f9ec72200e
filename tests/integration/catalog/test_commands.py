"""manage.py import_catalog and evaluate_matching: thin interfaces over the services."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from catalog.models import Car, CatalogImport
from catalog.services import DEMO_CATALOG_PATH
from tests.support import ROOT
from tests.support.catalog import csv_file


@pytest.mark.django_db
def test_import_catalog_imports_and_prints_the_report() -> None:
    out = io.StringIO()

    call_command("import_catalog", str(DEMO_CATALOG_PATH), stdout=out)

    assert out.getvalue() == "100 autos en el archivo: 100 nuevos, 0 actualizados, 0 sin cambios.\n"
    assert CatalogImport.objects.get().source == "command"


@pytest.mark.django_db
def test_import_catalog_dry_run_and_replace(tmp_path: Path) -> None:
    call_command("import_catalog", str(DEMO_CATALOG_PATH), stdout=io.StringIO())
    smaller = tmp_path / "one.csv"
    smaller.write_bytes(csv_file("305016,29377,313999.0,Toyota,Corolla,2020,1.8 LE AUTO,Sí,,,,Sí"))
    out = io.StringIO()

    call_command("import_catalog", str(smaller), "--dry-run", "--replace", stdout=out)
    assert Car.objects.filter(available=True).count() == 100
    assert "99 autos que no vienen en el archivo" in out.getvalue()

    call_command("import_catalog", str(smaller), "--replace", stdout=io.StringIO())
    assert Car.objects.filter(available=True).count() == 1
    assert Car.objects.count() == 100


@pytest.mark.django_db
def test_import_catalog_fails_with_every_bad_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_file("1,1000,,Toyota,Corolla,2020,LE,,,,,", "2,-1,1,Toyota,Corolla,2020,LE,,,,,")
    )
    err = io.StringIO()

    with pytest.raises(
        CommandError, match=r"El archivo tiene 2 líneas con error; no se importó nada\."
    ):
        call_command("import_catalog", str(bad), stderr=err)

    assert err.getvalue().splitlines() == [
        "Línea 2: precio (price) vacío.",
        "Línea 3: km negativo (-1).",
    ]
    assert Car.objects.count() == 0


@pytest.mark.django_db
def test_import_catalog_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No se pudo leer"):
        call_command("import_catalog", str(tmp_path / "nope.csv"))


@pytest.mark.django_db(transaction=True)
def test_import_catalog_exits_non_zero_on_a_broken_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"stock_id;km;price\n1;2;3\n")
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kavak.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "import_catalog", str(bad)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 1
    assert "Línea 1: encabezado inválido" in result.stderr
    assert "(¿el separador es «;»? usa comas)" in result.stderr
    assert "no se importó nada" in result.stderr


@pytest.mark.django_db
def test_evaluate_matching_needs_a_catalogue() -> None:
    with pytest.raises(CommandError, match="El catálogo está vacío"):
        call_command("evaluate_matching", stdout=io.StringIO())


@pytest.mark.usefixtures("demo_catalog")
def test_evaluate_matching_prints_precision_and_recall_and_passes() -> None:
    out = io.StringIO()

    call_command("evaluate_matching", "--show-errors", "2", stdout=out)

    text = out.getvalue()
    assert "nombres de 4+ caracteres:" in text
    assert "nombres cortos (≤ 3):" in text
    assert "precisión" in text
    assert "recall" in text
    assert text.rstrip().splitlines()[-1].startswith("Pasa el umbral de calidad")
