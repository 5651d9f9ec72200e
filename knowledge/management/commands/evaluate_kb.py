"""Quality gate of the knowledge base, on twelve question sets read through the live path.

- golden: the questions staff attach to published articles and the shipped out-of-domain list
  (training data: a regression check);
- development, development-3 … development-8: customer wording used to tune and calibrate
  (``knowledge/data/eval``; development-5 was untuned until round 6, development-6 until
  round 7, development-7 until round 8, development-8 until round 9);
- held-out: customer wording of rounds 1-2 (read often since: no longer clean);
- held-out-3, held-out-4, held-out-5: customer wording never used to change anything (each
  written before its round changed the code): the generalisation figures. Their questions
  (and the older held-out's) are listed only with ``--list-held-out``.

Exits non-zero under any threshold, so CI (and the test suite) fail when an edit or a code change
makes the agent answer worse.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from knowledge import evaluation, services

SET_LABELS = {
    "golden": "control",
    "development": "desarrollo",
    "development3": "desarrollo-3",
    "development4": "desarrollo-4",
    "development5": "desarrollo-5",
    "development6": "desarrollo-6",
    "development7": "desarrollo-7",
    "development8": "desarrollo-8",
    "heldout": "reservado",
    "heldout3": "reservado-3",
    "heldout4": "reservado-4",
    "heldout5": "reservado-5",
}


class Command(BaseCommand):
    help = (
        "Evalúa la base de conocimiento con las preguntas de control, el conjunto de desarrollo "
        "y el reservado (hit@1, hechos, fallback)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--min-hit-at-1", type=float, default=0.95, help="Golden questions (hit@1)."
        )
        parser.add_argument(
            "--min-customer-hit-at-1",
            type=float,
            default=0.95,
            help="Development and held-out customer questions (hit@1).",
        )
        parser.add_argument("--min-fallback-precision", type=float, default=0.95)
        parser.add_argument(
            "--min-decline-rate",
            type=float,
            default=0.95,
            help="Share of out-of-domain (and catalogue) questions that must get the fallback.",
        )
        parser.add_argument(
            "--min-facts",
            type=float,
            default=0.9,
            help="Customer questions: share of answers holding the facts asked for.",
        )
        parser.add_argument(
            "--sets",
            default="golden," + ",".join(evaluation.SETS),
            help="Comma-separated: golden, " + ", ".join(evaluation.SETS) + ".",
        )
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Load the demo articles first (idempotent), e.g. on a fresh database.",
        )
        parser.add_argument("--verbose-questions", action="store_true", help="List every question.")
        parser.add_argument(
            "--list-held-out",
            action="store_true",
            help=(
                "Also list the held-out sets' failing (or, with --verbose-questions, all) "
                "questions. Reading them turns a held-out set into a development one."
            ),
        )
        parser.add_argument(
            "--calibrate",
            action="store_true",
            help=(
                "Fit the ranker and the confidence model on the development sets (never a "
                "held-out one) and print them, to be pasted into knowledge/ranking.py."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["demo"]:
            services.knowledge_load_demo()
        if options["calibrate"]:
            self._calibrate()
            return
        names = tuple(n.strip() for n in options["sets"].split(",") if n.strip())
        unknown = set(names) - set(SET_LABELS)
        if unknown:
            raise CommandError(f"Conjuntos desconocidos: {', '.join(sorted(unknown))}")
        reports = evaluation.knowledge_evaluate_sets(names=names)
        if "golden" in names and not reports[names.index("golden")].in_domain:
            raise CommandError(
                "No hay preguntas de control en artículos publicados: agrégalas en el admin "
                "o carga los artículos de demostración (--demo)."
            )
        self._print_table(reports)
        failures: list[str] = []
        for report in reports:
            if report.name not in evaluation.HELD_OUT_SETS or options["list_held_out"]:
                self._print_failures(report, verbose=options["verbose_questions"])
            failures.extend(self._check(report, options))
        if failures:
            raise CommandError("Calidad por debajo del umbral: " + "; ".join(failures))
        self.stdout.write(self.style.SUCCESS("OK: la base de conocimiento pasa los umbrales."))

    def _calibrate(self) -> None:
        result = evaluation.knowledge_calibrate(names=evaluation.DEVELOPMENT_SETS)
        out = self.stdout.write
        out(
            "umbral  hit@1  prec.fb  rechazo   peor  bajan   (desarrollo + fuera de dominio de "
            "control; peor: la barra más baja de un solo conjunto; bajan: barras de un conjunto "
            "por debajo de los modelos en uso)"
        )
        for tau, hit, precision, decline, worst, below in result.table:
            mark = " <" if tau == result.threshold else ""
            out(
                f"{tau:6.3f} {hit:6.3f} {precision:8.3f} {decline:8.3f} {worst:6.3f} {below:5d}"
                f"{mark}"
            )
        out(f"RANKER: dict[str, float] = {result.ranker!r}")
        out(f"CONFIDENCE: dict[str, float] = {result.confidence!r}")

    def _check(self, report: evaluation.SetReport, options: dict[str, Any]) -> list[str]:
        label = SET_LABELS[report.name]
        golden = report.name == "golden"
        bars = [
            (
                "hit@1",
                report.hit_at_1,
                options["min_hit_at_1"] if golden else options["min_customer_hit_at_1"],
            ),
            (
                "precisión del fallback",
                report.fallback_precision,
                options["min_fallback_precision"],
            ),
            ("rechazo fuera de dominio", report.decline_rate, options["min_decline_rate"]),
        ]
        if not golden:
            bars.append(("hechos", report.facts, options["min_facts"]))
        return [f"{label}: {name} {value:.3f} < {bar}" for name, value, bar in bars if value < bar]

    def _print_table(self, reports: list[evaluation.SetReport]) -> None:
        out = self.stdout.write
        out(
            f"{'conjunto':<13}{'preg.':>6}{'rech.':>6}{'hit@1':>7}{'top-1':>7}{'MRR':>7}"
            f"{'hechos':>8}{'2 preg.':>8}{'rechazo':>9}{'prec.fb':>8}{'catál.':>8}"
            f"{'equiv.':>7}"
        )
        for r in reports:
            out(
                f"{SET_LABELS[r.name]:<13}{len(r.in_domain):>6}{len(r.declined):>6}"
                f"{r.hit_at_1:>7.3f}{r.top_1:>7.3f}{r.mrr:>7.3f}{r.facts:>8.3f}"
                f"{r.second_question:>8.3f}{r.decline_rate:>9.3f}{r.fallback_precision:>8.3f}"
                f"{r.catalogue_not_claimed:>8.3f}{len(r.wrong_answers):>7}"
            )
        out(
            "hit@1: respondida con confianza desde el artículo correcto · top-1: el mejor "
            "artículo es el correcto · hechos: la respuesta trae lo que se preguntó · 2 preg.: "
            "mensajes con dos preguntas, ambas atendidas · rechazo: fuera de dominio y catálogo "
            "con fallback · prec.fb: de los fallbacks, los que debían serlo · catál.: preguntas "
            "de catálogo que el detector de FAQ deja al flujo de compra · equiv.: respondidas "
            "con otro artículo"
        )

    def _print_failures(self, report: evaluation.SetReport, *, verbose: bool) -> None:
        items = (*report.in_domain, *report.declined) if verbose else report.failures
        if not items:
            return
        self.stdout.write(f"\n[{SET_LABELS[report.name]}]")
        for q in items:
            mark = "ok " if q.passed else "XX "
            expected = q.expected or f"(fallback, {q.kind})"
            got = q.top if q.confident else "(fallback)"
            notes = []
            if q.facts_ok is False:
                notes.append("faltan hechos")
            if q.second_ok is False:
                notes.append("2ª pregunta sin atender")
            if q.kind == "catalogue" and q.claimed:
                notes.append("el detector de FAQ la reclama")
            extra = f" [{', '.join(notes)}]" if notes else ""
            self.stdout.write(
                f"  {mark}{q.question!r}: esperado {expected}, obtuvo {got}, "
                f"confianza {q.confidence:.2f}{extra}"
            )
