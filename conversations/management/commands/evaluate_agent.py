"""Run the scenario pack through the agent and print a scorecard; exit 1 under the thresholds."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from conversations.apis import render_outcome
from conversations.evaluation import scenario_load_all, scenario_run, scorecard
from conversations.services import conversation_turn_handle

THRESHOLDS = {
    "flow_completion": 0.95,
    "slot_accuracy": 0.95,
    "financing_exactness": 1.0,
    "fallback_correctness": 0.95,
}


class Command(BaseCommand):
    help = "Evalúa al agente con los escenarios (YAML) e imprime la tarjeta de resultados."

    def add_arguments(self, parser: Any) -> None:
        for name, default in THRESHOLDS.items():
            parser.add_argument(f"--min-{name.replace('_', '-')}", type=float, default=default)
        parser.add_argument("--verbose-failures", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        scenarios = scenario_load_all()

        def send(session_id: str, message: str) -> dict[str, Any]:
            outcome = conversation_turn_handle(channel="api", external_id=session_id, text=message)
            return render_outcome(outcome)

        # Everything the evaluation writes (conversations, leads) is rolled back; nothing is sent.
        with transaction.atomic():
            reports = [scenario_run(s, send=send, channel="api") for s in scenarios]
            transaction.set_rollback(True)
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
        for report in reports:
            if not report.ok:
                self.stdout.write(f"✗ {report.scenario.name}")
                if options["verbose_failures"]:
                    for failure in report.failures():
                        self.stdout.write(f"    {failure}")
        if failed:
            raise CommandError("Por debajo del umbral: " + ", ".join(failed))
