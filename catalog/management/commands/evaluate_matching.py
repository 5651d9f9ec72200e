"""`manage.py evaluate_matching`: the typo-tolerance quality gate, on names from the catalogue."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.evaluation import DEFAULT_SEED, GATE
from catalog.selectors import catalog_matching_evaluate


class Command(BaseCommand):
    help = (
        "Genera un set de errores de escritura a partir del catálogo (borrados, letras "
        "cambiadas o dobles, acentos, errores fonéticos, palabras separadas o juntas) y mide "
        "precisión y recall del reconocimiento de marcas y modelos."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--per-kind", type=int, default=2, help="Variantes por nombre y tipo de error."
        )
        parser.add_argument(
            "--show-errors", type=int, default=0, help="Muestra hasta N fallos de cada grupo."
        )

    def handle(
        self, *args: Any, seed: int, per_kind: int, show_errors: int, **options: Any
    ) -> None:
        evaluation = catalog_matching_evaluate(seed=seed, per_kind=per_kind)
        if evaluation is None:
            raise CommandError(
                "El catálogo está vacío: carga autos primero (import_catalog o load_demo_data)."
            )
        self.stdout.write(f"Semilla {seed}; {evaluation.total_cases:,} casos.")
        for group in evaluation.groups:
            self.stdout.write(group.summary())
            for failure in group.failures[:show_errors]:
                self.stdout.write(f"    {failure}")
        self.stdout.write(
            f"Frases que no nombran auto: {evaluation.negatives}; con auto inventado: "
            f"{evaluation.invented}; con sugerencia «¿Quisiste decir…?»: {evaluation.suggested}."
        )
        failed = evaluation.gate_failures()
        if failed:
            raise CommandError("No pasa el umbral de calidad: " + "; ".join(failed))
        thresholds = ", ".join(
            f"{name}: precisión ≥ {p:.0%}" + (f", recall ≥ {r:.0%}" if r else "")
            for name, (p, r) in GATE.items()
        )
        self.stdout.write(f"Pasa el umbral de calidad ({thresholds}).")
