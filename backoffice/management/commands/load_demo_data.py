"""Load the demo data the product ships with (idempotent: safe on every `make run`)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Carga los datos de demostración (grupos de staff, catálogo, artículos)."

    def handle(self, *args: Any, **options: Any) -> None:
        from catalog.services import catalog_load_demo
        from knowledge.services import knowledge_load_demo

        started = time.perf_counter()
        groups = ", ".join(Group.objects.order_by("name").values_list("name", flat=True))
        self.stdout.write(f"Grupos de staff: {groups or '(ninguno)'}")
        report = catalog_load_demo()
        self.stdout.write("Catálogo: " + " ".join(report.lines()))
        created = knowledge_load_demo()
        self.stdout.write(
            f"Base de conocimiento: {len(created)} artículo(s) nuevo(s)"
            if created
            else "Base de conocimiento: sin cambios"
        )
        self.stdout.write(f"Datos de demostración listos en {time.perf_counter() - started:.1f} s")
