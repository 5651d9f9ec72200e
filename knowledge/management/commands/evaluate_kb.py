"""Quality gate of the knowledge base: hit@1, MRR and fallback precision/recall.

Golden questions come from the database (the ones staff attach to published articles); the
out-of-domain set ships in ``knowledge/data/out_of_domain.yaml``. Exits non-zero under the
thresholds, so CI (and the test suite) fail when an edit or a code change makes the agent answer
worse.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from knowledge import index as kb_index
from knowledge import selectors, services


class Command(BaseCommand):
    help = "Evalúa la base de conocimiento (hit@1, MRR, precisión y exhaustividad del fallback)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--min-hit-at-1", type=float, default=0.9)
        parser.add_argument("--min-fallback-precision", type=float, default=0.95)
        parser.add_argument(
            "--min-fallback-recall",
            type=float,
            default=0.9,
            help="Share of out-of-domain questions that must get the fallback.",
        )
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Load the demo articles first (idempotent), e.g. on a fresh database.",
        )
        parser.add_argument("--verbose-questions", action="store_true", help="List every question.")
        parser.add_argument(
            "--calibrate",
            action="store_true",
            help="Fit the confidence model on these questions and print the weights.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["demo"]:
            services.knowledge_load_demo()
        report = selectors.knowledge_evaluate()
        if not report.golden:
            raise CommandError(
                "No hay preguntas de control en artículos publicados: agrégalas en el admin "
                "o carga los artículos de demostración (--demo)."
            )
        self._print_report(report, verbose=options["verbose_questions"])
        if options["calibrate"]:
            self._calibrate(report)
        failures = []
        if report.hit_at_1 < options["min_hit_at_1"]:
            failures.append(f"hit@1 {report.hit_at_1:.3f} < {options['min_hit_at_1']}")
        if report.fallback_precision < options["min_fallback_precision"]:
            failures.append(
                f"precisión del fallback {report.fallback_precision:.3f} "
                f"< {options['min_fallback_precision']}"
            )
        if report.fallback_recall < options["min_fallback_recall"]:
            failures.append(
                f"exhaustividad del fallback {report.fallback_recall:.3f} "
                f"< {options['min_fallback_recall']}"
            )
        if failures:
            raise CommandError("Calidad por debajo del umbral: " + "; ".join(failures))
        self.stdout.write(self.style.SUCCESS("OK: la base de conocimiento pasa los umbrales."))

    def _print_report(self, report: selectors.EvaluationReport, *, verbose: bool) -> None:
        out = self.stdout.write
        out(
            f"Preguntas de control: {len(report.golden)} · fuera de dominio: "
            f"{len(report.out_of_domain)} · umbral de confianza: {report.threshold:.2f}"
        )
        out(f"hit@1                     {report.hit_at_1:.3f}")
        out(f"MRR@5                     {report.mrr:.3f}")
        out(f"precisión del fallback    {report.fallback_precision:.3f}")
        out(f"exhaustividad fallback    {report.fallback_recall:.3f}")
        out(f"respuestas equivocadas    {len(report.wrong_answers)}")
        for q in (*report.golden, *report.out_of_domain):
            if verbose or not q.passed:
                mark = "ok " if q.passed else "XX "
                expected = q.expected_slug or "(fallback)"
                got = q.top_slug if q.confident else f"(fallback; mejor: {q.top_slug or '—'})"
                out(
                    f"  {mark}{q.question!r}: esperado {expected}, obtuvo {got}, "
                    f"confianza {q.confidence:.2f}"
                )

    def _calibrate(self, report: selectors.EvaluationReport) -> None:
        snap = selectors.knowledge_index()
        samples = []
        for q in (*report.golden, *report.out_of_domain):
            results = snap.search(snap.analyze(q.question), limit=1)
            features = (
                results[0].features
                if results
                else {"coverage": 0.0, "specificity": 0.0, "margin": 0.0, "multi": 0.0}
            )
            samples.append((features, bool(q.expected_slug) and q.rank == 1))
        weights = kb_index.fit_calibration(samples)
        self.stdout.write(f"Pesos ajustados (knowledge/index.py CALIBRATION): {weights}")
        positives = sum(label for _, label in samples)
        for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
            answered = [
                label
                for features, label in samples
                if kb_index.calibrated_confidence(features, weights) >= threshold
            ]
            self.stdout.write(
                f"  umbral {threshold:.1f}: responde {sum(answered)}/{positives} correctas, "
                f"{len(answered) - sum(answered)}/{len(samples) - positives} que debía rechazar"
            )
