"""Run the retention anonymisation now (what the nightly beat task does), or show what it would do.

``--dry-run`` only counts the expired rows per table. Without it the run goes to the end here,
in the same short batches as the task (a long backlog just takes longer).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from backoffice.retention import (
    RetentionPolicy,
    retention_anonymise_expired,
    retention_expired_counts,
)


class Command(BaseCommand):
    help = "Anonimiza los datos personales vencidos (RETENTION_*); --dry-run solo cuenta."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="solo cuenta, no cambia nada")

    def handle(self, *args: Any, **options: Any) -> None:
        policy = RetentionPolicy.from_settings()
        self.stdout.write(
            f"Conservación (días, 0 = sin límite): conversaciones {policy.transcript_days}, "
            f"WhatsApp {policy.delivery_days}, leads cerrados {policy.closed_lead_days}."
        )
        now = timezone.now()
        if options["dry_run"]:
            counts = retention_expired_counts(now=now, policy=policy)
            for label, count in counts.items():
                self.stdout.write(f"  {label}: {count} por anonimizar")
            if not counts:
                self.stdout.write("  Nada que anonimizar con estos plazos.")
            return
        run = retention_anonymise_expired(now=now, policy=policy)
        for label, count in sorted(run.rows.items()):
            self.stdout.write(f"  {label}: {count} filas anonimizadas")
        self.stdout.write(f"Listo: {run.total} filas.")
