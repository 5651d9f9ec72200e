from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from leads.models import Lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client) -> Client:
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-123456")
    client.force_login(user)
    return client


def _lead(**fin: object) -> Lead:
    return Lead.objects.create(
        name="Ana",
        phone="+525512345678",
        channel="api",
        financing_snapshot=fin,
        car_snapshot={"stock_id": "1", "make": "Nissan", "model": "Versa"},
    )


def test_staff_download_the_amortization_csv_of_a_lead(staff_client: Client) -> None:
    lead = _lead(price="239999.00", down_payment="47999.80", annual_rate="0.1000", term_months=48)
    page = staff_client.get(f"/admin/leads/lead/{lead.pk}/change/")
    assert page.status_code == 200
    assert "Descargar CSV" in page.content.decode()
    response = staff_client.get(f"/admin/leads/lead/{lead.pk}/amortizacion.csv")
    assert response.status_code == 200
    lines = response.content.decode().strip().splitlines()
    assert lines[0] == "mes,pago,interes,capital,saldo"
    assert len(lines) == 49
    assert lines[-1].endswith(",0.00")


def test_amortization_csv_is_404_without_a_plan(staff_client: Client) -> None:
    lead = _lead(cash_purchase=True, price="239999.00")
    assert staff_client.get(f"/admin/leads/lead/{lead.pk}/amortizacion.csv").status_code == 404


def test_anonymous_users_are_sent_to_login(client: Client) -> None:
    lead = _lead(price="239999.00", down_payment="47999.80", annual_rate="0.1000", term_months=48)
    response = client.get(f"/admin/leads/lead/{lead.pk}/amortizacion.csv")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
