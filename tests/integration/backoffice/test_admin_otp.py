"""The admin's second factor (django-otp TOTP): off in tests by default, on in production.

These tests turn ADMIN_OTP_REQUIRED on: a password alone no longer opens the admin, a valid TOTP
code of the user's own confirmed device does, and a session that skipped the code sees no page.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from leads.roles import SALES

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"


def _login(client: Client, **extra: str) -> Any:
    data = {"username": "ana", "password": "pw-123456", "next": "/admin/", **extra}
    return client.post(LOGIN, data)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_the_test_settings_leave_the_second_factor_off_and_production_turns_it_on() -> None:
    assert settings.ADMIN_OTP_REQUIRED is False
    production = (settings.BASE_DIR / "kavak" / "settings" / "production.py").read_text()
    assert 'ADMIN_OTP_REQUIRED = env.bool("ADMIN_OTP_REQUIRED", default=True)' in production
    assert "django_otp.middleware.OTPMiddleware" in settings.MIDDLEWARE
    auth = settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert settings.MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") == auth + 1


@override_settings(ADMIN_OTP_REQUIRED=True)
def test_a_password_alone_is_refused_when_the_second_factor_is_required(sales: Any) -> None:
    client = Client()
    response = _login(client)
    assert response.status_code == 200  # the login form again, with an error
    assert response.context["form"].errors
    assert client.get("/admin/").status_code == 302  # still sent to the login


@override_settings(ADMIN_OTP_REQUIRED=True)
def test_a_user_without_a_device_cannot_log_in_even_with_a_code(sales: Any) -> None:
    response = _login(Client(), otp_token="123456")
    assert response.status_code == 200
    assert response.context["form"].errors


@override_settings(ADMIN_OTP_REQUIRED=True)
def test_password_and_a_valid_code_open_the_admin(sales: Any) -> None:
    device = TOTPDevice.objects.create(user=sales, name="Autenticador", confirmed=True)
    client = Client()
    response = _login(client, otp_device=device.persistent_id, otp_token=_code(device))
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert client.get("/admin/").status_code == 200


@override_settings(ADMIN_OTP_REQUIRED=True)
def test_a_wrong_code_is_refused(sales: Any) -> None:
    device = TOTPDevice.objects.create(user=sales, name="Autenticador", confirmed=True)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = _login(Client(), otp_device=device.persistent_id, otp_token=wrong)
    assert response.status_code == 200
    assert response.context["form"].errors


@override_settings(ADMIN_OTP_REQUIRED=True)
def test_a_session_that_skipped_the_code_sees_no_admin_page(sales: Any) -> None:
    client = Client()
    client.force_login(sales)  # password-level session, never verified
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/leads/lead/").status_code == 302
    with override_settings(ADMIN_OTP_REQUIRED=False):
        assert client.get("/admin/").status_code == 200


def test_enrol_prints_an_otpauth_url_once_and_reset_replaces_the_device(make_staff: Any) -> None:
    make_staff("bruno", SALES)
    out = io.StringIO()
    call_command("admin_otp_enroll", "bruno", stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    first = TOTPDevice.objects.get(user__username="bruno")
    assert first.confirmed
    with pytest.raises(CommandError, match="ya tiene segundo factor"):
        call_command("admin_otp_enroll", "bruno", stdout=io.StringIO())
    call_command("admin_otp_enroll", "bruno", "--reset", stdout=io.StringIO())
    assert list(TOTPDevice.objects.filter(user__username="bruno")) != [first]
    assert TOTPDevice.objects.filter(user__username="bruno").count() == 1
    with pytest.raises(CommandError, match="No existe"):
        call_command("admin_otp_enroll", "nadie", stdout=io.StringIO())
