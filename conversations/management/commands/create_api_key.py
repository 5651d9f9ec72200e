"""Create an API key for POST /chat; the key is printed once and stored hashed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rest_framework_api_key.models import APIKey


class Command(BaseCommand):
    help = "Crea una clave de API para /chat (se muestra una sola vez; se guarda cifrada)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name", help="Nombre del cliente de la API")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        name = name.strip()
        if not name or len(name) > 50:
            raise CommandError("El nombre debe tener entre 1 y 50 caracteres.")
        if APIKey.objects.filter(name=name, revoked=False).exists():
            raise CommandError(
                f"Ya existe una clave activa llamada {name!r}; revócala en el admin."
            )
        _, key = APIKey.objects.create_key(name=name)
        self.stdout.write(f"Clave para {name!r} (guárdala, no se volverá a mostrar):")
        self.stdout.write(key)
