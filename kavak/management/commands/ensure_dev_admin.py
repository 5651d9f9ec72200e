"""Create the development superuser once, with a random password printed only that time."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Crea el usuario 'admin' de desarrollo con una contraseña aleatoria (solo con DEBUG)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--reset", action="store_true", help="Genera una contraseña nueva.")

    def handle(self, *args: Any, username: str, reset: bool, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("ensure_dev_admin solo se usa en desarrollo (DJANGO_DEBUG=true).")
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is not None and not reset:
            self.stdout.write(
                f"Usuario '{username}' ya existe (su contraseña se mostró al crearlo; "
                "`make reset-admin` genera otra)."
            )
            return
        password = secrets.token_urlsafe(12)
        if user is None:
            user_model.objects.create_superuser(
                username=username, email=f"{username}@example.com", password=password
            )
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        self.stdout.write(self.style.SUCCESS("=" * 60))
        self.stdout.write(
            self.style.SUCCESS(f"  Admin: http://127.0.0.1:8000/{settings.ADMIN_URL}")
        )
        self.stdout.write(self.style.SUCCESS(f"  Usuario: {username}   Contraseña: {password}"))
        self.stdout.write(self.style.SUCCESS("  (se muestra solo esta vez)"))
        self.stdout.write(self.style.SUCCESS("=" * 60))
