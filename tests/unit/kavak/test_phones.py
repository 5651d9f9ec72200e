"""Phone numbers replaced whole in text staff read; ordinary numbers left alone."""

from __future__ import annotations

import pytest

from kavak.phones import PHONE_PLACEHOLDER, mask_phone_numbers


@pytest.mark.parametrize(
    "phone",
    [
        "55 8765 4321",
        "5587654321",
        "55-8765-4321",
        "55.8765.4321",
        "(55) 8765 4321",
        "+52 1 55 8765 4321",
        "+525587654321",
        "+52 55 8765 4321",
        "8765 4321",
        "87654321",
        "55 87 65 43 21",
        "044 55 8765 4321",
    ],
)
def test_phone_numbers_are_replaced_whole(phone: str) -> None:
    masked = mask_phone_numbers(f"llámenme al {phone}, gracias")
    assert masked == f"llámenme al {PHONE_PLACEHOLDER}, gracias"


@pytest.mark.parametrize(
    "text",
    [
        "¿tienen un Jetta 2020 por 300 mil?",
        "a 72 meses con 20% de enganche",
        "mi presupuesto es $350,000",
        "busco modelos 2019 2020 o 2021",
        "la cita del 2024-05-10 a las 10:30",
        "un auto de 1.250.000",
        "con 45000 km",
        "SM0123456789abcdef0123456789abcdef",
    ],
)
def test_ordinary_numbers_stay_readable(text: str) -> None:
    assert mask_phone_numbers(text) == text


def test_two_numbers_in_one_message_are_both_replaced() -> None:
    text = "casa 55 1234 5678 o cel 55 8765 4321"
    assert mask_phone_numbers(text) == f"casa {PHONE_PLACEHOLDER} o cel {PHONE_PLACEHOLDER}"
