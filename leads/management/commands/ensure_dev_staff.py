"""Create one development user per staff role, with random passwords printed only at creation."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from leads.models import SalesAgent
from leads.roles import CONTENT, SALES, SUPERVISION

# username, first name, last name, group, is a salesperson (receives leads)
DEV_STAFF = (
    ("ventas", "Ana", "López", SALES, True),
    ("ventas2", "Bruno", "Díaz", SALES, True),
    ("supervision", "Sofía", "Ruiz", SUPERVISION, False),
    ("contenido", "Carlos", "Méndez", CONTENT, False),
)


class Command(BaseCommand):
    help = (
        "Crea un usuario de desarrollo por rol (Ventas ×2, Supervisión, Contenido) con "
        "contraseñas aleatorias (solo con DEBUG)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--reset", action="store_true", help="Genera contraseñas nuevas.")

    def handle(self, *args: Any, reset: bool, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("ensure_dev_staff solo se usa en desarrollo (DJANGO_DEBUG=true).")
        groups = {group.name: group for group in Group.objects.all()}
        missing = {role for *_, role, _ in DEV_STAFF} - set(groups)
        if missing:
            raise CommandError(f"Faltan los grupos {sorted(missing)}: corre `manage.py migrate`.")
        user_model = get_user_model()
        printed: list[tuple[str, str, str]] = []
        with transaction.atomic():
            for username, first, last, role, sells in DEV_STAFF:
                user = user_model.objects.filter(username=username).first()
                if user is not None and not reset:
                    continue
                password = secrets.token_urlsafe(12)
                if user is None:
                    user = user_model.objects.create_user(
                        username=username,
                        email=f"{username}@example.com",
                        password=password,
                        first_name=first,
                        last_name=last,
                        is_staff=True,
                    )
                else:
                    user.set_password(password)
                    user.save(update_fields=["password"])
                user.groups.add(groups[role])
                if sells:
                    SalesAgent.objects.get_or_create(user=user, defaults={"capacity": 30})
                printed.append((role, username, password))
        if not printed:
            self.stdout.write(
                "Usuarios de staff de desarrollo ya existen (ventas, ventas2, supervision, "
                "contenido); `ensure_dev_staff --reset` genera contraseñas nuevas."
            )
            return
        line = self.style.SUCCESS("=" * 60)
        self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(f"  Back office: http://127.0.0.1:8000/{settings.ADMIN_URL}")
        )
        for role, username, password in printed:
            self.stdout.write(
                self.style.SUCCESS(f"  {role:<12} Usuario: {username:<12} Contraseña: {password}")
            )
        self.stdout.write(self.style.SUCCESS("  (se muestran solo esta vez)"))
        self.stdout.write(line)
