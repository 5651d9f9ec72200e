"""Run the scenario packs through the agent and print scorecards; exit 1 under the thresholds.

Two packs: the golden scenarios (``conversations/scenarios/*.yaml``, strict contract rules) and
the realistic pack (``conversations/scenarios/realistic``: conversations written as customers
write on WhatsApp), reported as its development and held-out parts side by side.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from conversations.apis.outputs import render_outcome
from conversations.evaluation import (
    PACK_PARTS,
    QUIET_PARTS,
    PackScore,
    pack_score,
    scenario_load_all,
    scenario_load_pack,
    scenario_run,
    scorecard,
)
from conversations.services import conversation_turn_handle

THRESHOLDS = {
    "flow_completion": 0.95,
    "slot_accuracy": 0.95,
    "financing_exactness": 1.0,
    "fallback_correctness": 0.95,
}
# Targets of the held-out part of the realistic pack (issue 15).
HELDOUT_TARGETS = {"understood": 0.95, "loops": 0, "lost_slots": 0, "unstated_cars": 0}


class Command(BaseCommand):
    help = "Evalúa al agente con los escenarios (YAML) e imprime la tarjeta de resultados."

    def add_arguments(self, parser: Any) -> None:
        for name, default in THRESHOLDS.items():
            parser.add_argument(f"--min-{name.replace('_', '-')}", type=float, default=default)
        parser.add_argument("--verbose-failures", action="store_true")
        parser.add_argument(
            "--pack",
            choices=["golden", *PACK_PARTS, "all"],
            default="all",
            help="Qué escenarios correr (por defecto, todos).",
        )
        parser.add_argument(
            "--list-held-out",
            action="store_true",
            help=(
                "También lista las conversaciones reservadas-2 que fallan "
                "(leerlas las vuelve de desarrollo)."
            ),
        )
        parser.add_argument(
            "--gate-heldout",
            action="store_true",
            help="Falla si la parte held-out no alcanza sus metas.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        pack = options["pack"]

        def send(session_id: str, message: str) -> dict[str, Any]:
            outcome = conversation_turn_handle(channel="api", external_id=session_id, text=message)
            return render_outcome(outcome)

        failed: list[str] = []
        # Everything the evaluation writes (conversations, leads) is rolled back; nothing is sent.
        with transaction.atomic():
            if pack in ("golden", "all"):
                failed += self._golden(send, options)
            for part in PACK_PARTS:
                if pack in (part, "all"):
                    reports = [
                        scenario_run(s, send=send, channel="api", realistic=True)
                        for s in scenario_load_pack(part)
                    ]
                    score = pack_score(reports)
                    quiet = part in QUIET_PARTS and not options["list_held_out"]
                    self._print_pack(
                        part, score, [] if quiet else reports, options["verbose_failures"]
                    )
                    if part == "heldout" and options["gate_heldout"]:
                        failed += _missed_targets(score)
            transaction.set_rollback(True)
        if failed:
            raise CommandError("Por debajo del umbral: " + ", ".join(failed))

    def _golden(self, send: Any, options: dict[str, Any]) -> list[str]:
        reports = [scenario_run(s, send=send, channel="api") for s in scenario_load_all()]
        card = scorecard(reports)
        self.stdout.write(f"Escenarios: {card.scenarios}  aprobados: {card.passed}")
        self.stdout.write(f"turn_accuracy        {card.turn_accuracy:.3f}")
        failed = []
        for name in THRESHOLDS:
            value = getattr(card, name)
            limit = options[f"min_{name}"]
            mark = "OK " if value >= limit else "BAJO"
            self.stdout.write(f"{name:<20} {value:.3f}  (mínimo {limit:.2f}) {mark}")
            if value < limit:
                failed.append(name)
        self._print_failures(reports, options["verbose_failures"])
        return failed

    def _print_pack(self, part: str, score: PackScore, reports: list[Any], verbose: bool) -> None:
        self.stdout.write(
            f"Paquete realista [{part}]: {score.conversations} conversaciones, {score.turns} turnos"
        )
        self.stdout.write(
            f"  turnos entendidos    {score.understood_rate:.3f} ({score.understood}/{score.turns})"
        )
        self.stdout.write(f"  completadas          {score.completed}/{score.conversations}")
        self.stdout.write(f"  bucles               {score.loops}")
        self.stdout.write(f"  slots perdidos       {score.lost_slots}")
        self.stdout.write(f"  autos no mencionados {score.unstated_cars}")
        self._print_failures(reports, verbose)

    def _print_failures(self, reports: list[Any], verbose: bool) -> None:
        for report in reports:
            if not report.ok:
                self.stdout.write(f"✗ {report.scenario.name}")
                if verbose:
                    for failure in report.failures():
                        self.stdout.write(f"    {failure}")


def _missed_targets(score: PackScore) -> list[str]:
    missed = []
    if score.understood_rate < HELDOUT_TARGETS["understood"]:
        missed.append("heldout_understood")
    for name in ("loops", "lost_slots", "unstated_cars"):
        if getattr(score, name) > HELDOUT_TARGETS[name]:
            missed.append(f"heldout_{name}")
    return missed
