"""The rows the migrations write (staff groups, catalogue references) are back after a
transactional test empties the database (tests/conftest.py), so a test that runs next on the same
worker finds them. pytest-django runs transactional tests before tests without a database mark, so
in one process the second test below always runs after the first."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from pytest_django import DjangoDbBlocker

from catalog.models import CarModelReference


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_sees_the_migration_rows() -> None:
    assert Group.objects.exists()
    Group.objects.create(name="Solo de esta prueba")  # committed, then emptied with the rest


def test_after_it_the_migration_rows_are_back_and_its_own_are_gone(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> None:
    # No database mark (it would wrap this test in a transaction of its own); the test database
    # is asked for, since on a worker of its own this may be the first test that needs it.
    with django_db_blocker.unblock():
        assert {"Ventas", "Supervisión", "Contenido"} <= set(
            Group.objects.values_list("name", flat=True)
        )
        assert not Group.objects.filter(name="Solo de esta prueba").exists()
        assert CarModelReference.objects.exists()
