"""Give a staff member a TOTP device for the admin's second factor and print its otpauth:// URL.

The URL goes into the staff member's authenticator app (paste it, or turn it into a QR code with
any QR tool); the device is confirmed at once. ``--reset`` replaces existing devices (lost phone).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Crea el segundo factor (TOTP) de un usuario del admin e imprime su URL otpauth://."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--reset", action="store_true", help="reemplaza los dispositivos")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.is_staff:
            raise CommandError(f"No existe un usuario del admin llamado {options['username']!r}.")
        devices = TOTPDevice.objects.devices_for_user(user, confirmed=None)
        if devices.exists() and not options["reset"]:
            raise CommandError("Ese usuario ya tiene segundo factor; usa --reset para cambiarlo.")
        devices.delete()
        device = TOTPDevice.objects.create(user=user, name="Autenticador", confirmed=True)
        self.stdout.write(
            "Agrega esta cuenta en tu app de autenticación (Google Authenticator, 1Password…):\n"
        )
        self.stdout.write(device.config_url)
