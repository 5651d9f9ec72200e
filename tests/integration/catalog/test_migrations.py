"""Seeded reference/alias tables and staff permissions (data migrations)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from catalog.models import CatalogAlias
from catalog.selectors import catalog_match_text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("alias", "make", "model"),
    [
        ("VW", "Volkswagen", ""),
        ("Chevy", "Chevrolet", ""),
        ("Mercedes", "Mercedes Benz", ""),
        ("Mercedez", "Mercedes Benz", ""),
        ("Benz", "Mercedes Benz", ""),
        ("Jeta", "Volkswagen", "Jetta"),
        ("Bocho", "Volkswagen", "Beetle"),
    ],
)
def test_aliases_are_seeded(alias: str, make: str, model: str) -> None:
    row = CatalogAlias.objects.get(alias=alias)

    assert (row.make, row.model) == (make, model)
    found = catalog_match_text(text=alias)
    assert (found.make, found.model or "") == (make, model)


@pytest.mark.django_db
def test_staff_groups_get_catalogue_permissions() -> None:
    def codenames(group: str) -> set[str]:
        return set(Group.objects.get(name=group).permissions.values_list("codename", flat=True))

    assert {"add_car", "change_car", "change_carmodelreference", "add_catalogalias"} <= codenames(
        "Contenido"
    )
    assert "view_car" in codenames("Ventas")
    assert "change_car" not in codenames("Ventas")
    assert "view_catalogimport" in codenames("Supervisión")
