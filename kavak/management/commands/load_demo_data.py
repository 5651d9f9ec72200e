"""Load the demo data the product ships with (idempotent: safe on every `make run`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Carga los datos de demostración (grupos de staff, catálogo, artículos)."

    def handle(self, *args: Any, **options: Any) -> None:
        groups = ", ".join(Group.objects.order_by("name").values_list("name", flat=True))
        self.stdout.write(f"Grupos de staff: {groups or '(ninguno)'}")
