"""`manage.py import_catalog FILE.csv [--dry-run] [--replace]`: the all-or-nothing import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.models import CatalogImport
from catalog.services import catalog_import_csv


class Command(BaseCommand):
    help = (
        "Importa el inventario desde un CSV (upsert por stock_id). Si alguna fila tiene errores "
        "no importa nada y lista cada línea con su problema."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Archivo CSV en UTF-8.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Valida y cuenta, sin guardar nada."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Marca como no disponibles los autos que no vienen en el archivo.",
        )

    def handle(self, *args: Any, file: Path, dry_run: bool, replace: bool, **options: Any) -> None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"No se pudo leer {file}: {exc.strerror}.") from exc
        report = catalog_import_csv(
            file=data,
            dry_run=dry_run,
            replace=replace,
            source=CatalogImport.Source.COMMAND,
            filename=file.name,
        )
        if not report.ok:
            for line in report.lines()[1:]:
                self.stderr.write(line)
            raise CommandError(report.lines()[0])
        for line in report.lines():
            self.stdout.write(line)
