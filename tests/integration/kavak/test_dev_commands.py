from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import override_settings


@pytest.mark.django_db
def test_staff_groups_exist_after_migrations() -> None:
    names = set(Group.objects.values_list("name", flat=True))
    assert {"Ventas", "Supervisión", "Contenido"} <= names


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_ensure_dev_admin_prints_random_password_once_and_it_works() -> None:
    out = io.StringIO()
    call_command("ensure_dev_admin", stdout=out)
    password = re.search(r"Contraseña: (\S+)", out.getvalue()).group(1)
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser
    assert user.check_password(password)

    again = io.StringIO()
    call_command("ensure_dev_admin", stdout=again)
    assert "Contraseña:" not in again.getvalue()
    assert password not in again.getvalue()


@pytest.mark.django_db
def test_ensure_dev_admin_refuses_outside_debug() -> None:
    with pytest.raises(CommandError):
        call_command("ensure_dev_admin")
