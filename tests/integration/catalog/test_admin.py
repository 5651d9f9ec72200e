"""Admin for content staff: car filters and search, the CSV upload, reference and alias tables."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from catalog.models import Car, CarModelReference, CatalogImport
from tests.support.catalog import csv_file

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:catalog_car_changelist")
UPLOAD = reverse("admin:catalog_car_import")


def _stock_ids(html: str) -> set[str]:
    return set(re.findall(r'class="field-stock_id"><a href="[^"]+">([^<]+)</a>', html))


@pytest.mark.usefixtures("demo_catalog")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("body_type__exact=pickup", {"324711"}),
        ("transmission__exact=manual&make=KIA", {"317114", "303734"}),
        ("make=Toyota&year=2018", {"308634", "179859"}),
        (
            "precio=hasta-200k&body_type__exact=hatchback",
            {"306004", "303912", "291733", "306689", "312395", "299917"},
        ),
        ("precio=mas-500k&make=BMW", {"160422", "302304", "122762"}),
        ("q=305016", {"305016"}),
        ("q=corolla", {"305016"}),
        ("available__exact=0", set()),
    ],
)
def test_car_changelist_filters_and_search(
    admin_client: Client, query: str, expected: set[str]
) -> None:
    response = admin_client.get(f"{CHANGELIST}?{query}")

    assert response.status_code == 200
    assert _stock_ids(response.content.decode()) == expected


@pytest.mark.usefixtures("demo_catalog")
def test_changelist_shows_filters_and_the_upload_button(admin_client: Client) -> None:
    html = admin_client.get(CHANGELIST).content.decode()

    for label in ("carrocería", "transmisión", "marca", "año", "rango de precio", "disponible"):
        assert f"Por {label}" in html or label in html
    assert "Sin clasificar" in html
    assert UPLOAD in html


def test_unknown_models_show_up_for_staff_and_a_reference_row_fixes_them(
    admin_client: Client,
) -> None:
    upload = SimpleUploadedFile("inv.csv", csv_file("300,1000,250000,Foton,Tunland,2021,2.8,,,,,"))
    admin_client.post(UPLOAD, {"file": upload, "dry_run": ""})
    unknown = admin_client.get(f"{CHANGELIST}?body_type__exact=unknown").content.decode()
    assert _stock_ids(unknown) == {"300"}

    response = admin_client.post(
        reverse("admin:catalog_carmodelreference_add"),
        {"make": "FOTON", "model": "tunland", "body_type": "pickup", "seats": "5",
         "default_transmission": "manual"},
        follow=True,
    )  # fmt: skip

    assert response.status_code == 200
    assert "1 autos reclasificados" in response.content.decode()
    car = Car.objects.get(stock_id="300")
    assert (car.body_type, car.transmission) == ("pickup", "manual")


def test_duplicate_reference_row_is_a_form_error(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:catalog_carmodelreference_add"),
        {"make": "toyota", "model": "COROLLA", "body_type": "sedan", "seats": "5",
         "default_transmission": "unknown"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "Ya existe una referencia para esa marca y modelo." in response.content.decode()


def test_upload_imports_and_shows_the_report(admin_client: Client, demo_csv: bytes) -> None:
    page = admin_client.get(UPLOAD)
    assert page.status_code == 200
    assert "Importar inventario (CSV)" in page.content.decode()

    response = admin_client.post(
        UPLOAD, {"file": SimpleUploadedFile("demo.csv", demo_csv), "dry_run": ""}
    )

    html = response.content.decode()
    assert "100 autos en el archivo: 100 nuevos, 0 actualizados, 0 sin cambios." in html
    assert Car.objects.count() == 100
    log = CatalogImport.objects.get()
    assert (log.source, log.filename, log.user.username) == ("admin", "demo.csv", "admin")


def test_upload_dry_run_saves_nothing(admin_client: Client, demo_csv: bytes) -> None:
    response = admin_client.post(
        UPLOAD, {"file": SimpleUploadedFile("demo.csv", demo_csv), "dry_run": "on"}
    )

    assert "Simulación: no se guardó nada" in response.content.decode()
    assert Car.objects.count() == 0


def test_broken_upload_lists_every_bad_line_and_imports_nothing(admin_client: Client) -> None:
    data = csv_file(
        "1,1000,,Toyota,Corolla,2020,LE,,,,,",
        "2,-5,200000,Toyota,Corolla,dos mil,LE,,,,,",
    )

    response = admin_client.post(UPLOAD, {"file": SimpleUploadedFile("bad.csv", data)})

    html = response.content.decode()
    assert "El archivo tiene 2 líneas con error; no se importó nada." in html
    assert "Línea 2: precio (price) vacío." in html
    assert "Línea 3: km negativo (-5); año (year) no es un número (&#x27;dos mil&#x27;)." in html
    assert Car.objects.count() == 0


def test_upload_and_changelist_need_catalogue_permissions(client: Client) -> None:
    user = get_user_model().objects.create_user("ventas", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Ventas"))
    client.force_login(user)

    assert client.get(CHANGELIST).status_code == 200  # Ventas reads the catalogue
    assert client.get(UPLOAD).status_code == 403

    editor = get_user_model().objects.create_user("contenido", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Contenido"))
    client.force_login(editor)
    assert client.get(UPLOAD).status_code == 200


@pytest.mark.usefixtures("demo_catalog")
def test_cars_cannot_be_deleted_only_marked_unavailable(admin_client: Client) -> None:
    car = Car.objects.get(stock_id="305016")
    assert admin_client.get(reverse("admin:catalog_car_delete", args=[car.pk])).status_code == 403

    response = admin_client.post(
        CHANGELIST, {"action": "mark_unavailable", "_selected_action": [car.pk]}, follow=True
    )

    assert "1 autos marcados como no disponibles." in response.content.decode()
    car.refresh_from_db()
    assert car.available is False


@pytest.mark.usefixtures("demo_catalog")
def test_editing_a_car_recomputes_its_lookup_keys(admin_client: Client) -> None:
    car = Car.objects.get(stock_id="305016")
    response = admin_client.get(reverse("admin:catalog_car_change", args=[car.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(make="Toyota", model="Corolla Cross", body_type="suv")

    saved = admin_client.post(reverse("admin:catalog_car_change", args=[car.pk]), data)

    assert saved.status_code == 302
    car.refresh_from_db()
    assert (car.model_key, car.body_type) == ("corollacross", "suv")


@pytest.mark.usefixtures("demo_catalog")
@pytest.mark.parametrize(
    "name", ["catalog_carmodelreference", "catalog_catalogalias", "catalog_catalogimport"]
)
def test_other_catalogue_admin_pages_load(admin_client: Client, name: str) -> None:
    response = admin_client.get(reverse(f"admin:{name}_changelist") + "?q=toyota")

    assert response.status_code == 200


def test_reference_table_covers_every_model_of_the_demo_catalogue(demo_csv: bytes) -> None:
    from catalog.importing import parse_inventory
    from catalog.matching import compact_key

    rows, _ = parse_inventory(demo_csv, max_year=2100)
    seeded = set(CarModelReference.objects.values_list("make_key", "model_key"))

    assert {(compact_key(r.make), compact_key(r.model)) for r in rows} <= seeded


def test_duplicate_alias_is_a_form_error(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:catalog_catalogalias_add"),
        {"alias": "v-w", "make": "Volkswagen", "model": ""},
    )

    assert response.status_code == 200
    assert "Ese alias ya existe" in response.content.decode()


@pytest.mark.usefixtures("demo_catalog")
def test_reclassify_action_applies_the_reference_table(admin_client: Client) -> None:
    CarModelReference.objects.filter(make="Toyota", model="Yaris").update(body_type="sedan")
    yaris = Car.objects.get(stock_id="297031")
    assert yaris.body_type == "hatchback"

    response = admin_client.post(
        CHANGELIST, {"action": "reclassify", "_selected_action": [yaris.pk]}, follow=True
    )

    assert "1 autos reclasificados." in response.content.decode()
    yaris.refresh_from_db()
    assert yaris.body_type == "sedan"
