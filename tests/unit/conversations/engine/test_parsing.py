"""es-MX parsers: money, down payment, term, choices, yes/no, contact data."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from conversations.engine import contact_time, cues, parsing
from conversations.engine.turn import DEFAULT_TERMS

MX = ZoneInfo("America/Mexico_City")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tengo 300 mil", Decimal("300000")),
        ("300k", Decimal("300000")),
        ("300 K", Decimal("300000")),
        ("$300,000", Decimal("300000")),
        ("300,000.00 pesos", Decimal("300000.00")),
        ("medio millón", Decimal("500000")),
        ("1.2 millones", Decimal("1200000")),
        ("1,2 millones", Decimal("1200000")),
        ("un millón", Decimal("1000000")),
        ("trescientos mil", Decimal("300000")),
        ("doscientos cincuenta mil pesos", Decimal("250000")),
        ("hasta 450000", Decimal("450000")),
        ("busco un Corolla automático, tengo 300 mil", Decimal("300000")),
    ],
)
def test_parse_budget_reads_total_amounts_in_mexican_formats(text: str, expected: Decimal) -> None:
    budget = parsing.parse_budget(text)
    assert budget is not None
    assert budget.max_price == expected
    assert budget.monthly is None


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("entre 200 y 250 mil", Decimal("200000"), Decimal("250000")),
        ("de 200 a 300 mil", Decimal("200000"), Decimal("300000")),
        ("entre 200k y 250k", Decimal("200000"), Decimal("250000")),
    ],
)
def test_parse_budget_reads_ranges_when_unit_is_only_on_the_second_number(
    text: str, low: Decimal, high: Decimal
) -> None:
    budget = parsing.parse_budget(text)
    assert budget == parsing.Budget(max_price=high, min_price=low)


@pytest.mark.parametrize(
    ("text", "monthly"),
    [
        ("puedo pagar 8 mil al mes", Decimal("8000")),
        ("mensualidades de 7,500", Decimal("7500")),
        ("unos 6k mensuales", Decimal("6000")),
    ],
)
def test_parse_budget_reads_monthly_budgets(text: str, monthly: Decimal) -> None:
    budget = parsing.parse_budget(text)
    assert budget is not None
    assert budget.monthly == monthly
    assert budget.max_price is None


@pytest.mark.parametrize(
    "text",
    [
        "un Corolla 2018",
        "con menos de 50 mil km",
        "a 48 meses",
        "el 20%",
        "hola",
        "quiero un auto",
        "300",  # a bare number is not money unless the agent asked for the budget
    ],
)
def test_parse_budget_ignores_years_km_terms_and_bare_numbers(text: str) -> None:
    assert parsing.parse_budget(text) is None


def test_parse_budget_reads_bare_number_as_thousands_when_expecting_budget() -> None:
    assert parsing.parse_budget("300", expecting=True) == parsing.Budget(
        max_price=Decimal("300000")
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20%", parsing.DownPayment(ratio=Decimal("0.2"))),
        ("el 15 por ciento", parsing.DownPayment(ratio=Decimal("0.15"))),
        ("enganche de 60 mil", parsing.DownPayment(amount=Decimal("60000"))),
        ("60k", parsing.DownPayment(amount=Decimal("60000"))),
        ("el mínimo", parsing.DownPayment(minimum=True)),
        ("sin enganche", parsing.DownPayment(none=True)),
        ("80", parsing.DownPayment(amount=Decimal("80000"))),
    ],
)
def test_parse_down_payment_reads_percent_amount_minimum(
    text: str, expected: parsing.DownPayment
) -> None:
    assert parsing.parse_down_payment(text, expecting=True) == expected


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("4 años", 48),
        ("48 meses", 48),
        ("a 5", 60),
        ("el más largo", 72),
        ("el mas corto", 36),
        ("a seis años", 72),
        ("72", 72),
        ("3", 36),
        ("ok 36", 36),  # a word before the term alone
        ("ah ok, va 48", 48),
        ("mejor 60 porfa", 60),
    ],
)
def test_parse_term_understands_years_months_and_extremes(text: str, months: int) -> None:
    term = parsing.parse_term(text, terms=DEFAULT_TERMS, expecting=True)
    assert term is not None
    assert term.months == months


@pytest.mark.parametrize("text", ["2 años", "10 años", "24 meses", "a 8", "84 meses"])
def test_parse_term_flags_terms_outside_3_to_6_years(text: str) -> None:
    term = parsing.parse_term(text, terms=DEFAULT_TERMS, expecting=True)
    assert term is not None
    assert term.invalid


OPTIONS = [
    ("243587", "Volkswagen", "Touareg"),
    ("229702", "Toyota", "Corolla"),
    ("1", "Nissan", "Versa"),
]


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("el segundo", 1),
        ("la opción 2", 1),
        ("opcion 3", 2),
        ("el primero", 0),
        ("el Corolla", 1),
        ("me gusta el versa", 2),
        ("243587", 0),
        ("el último", 2),
        ("2", 1),
    ],
)
def test_parse_option_choice_by_ordinal_name_or_stock_id(text: str, index: int) -> None:
    assert parsing.parse_option_choice(text, options=OPTIONS) == index


@pytest.mark.parametrize("text", ["no sé", "ninguno", "el quinto", "quiero ver más"])
def test_parse_option_choice_returns_none_when_unclear(text: str) -> None:
    assert parsing.parse_option_choice(text, options=OPTIONS) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sí", True),
        ("Si, claro", True),
        ("va", True),
        ("sale", True),
        ("órale", True),
        ("no", False),
        ("no gracias", False),
        ("nel", False),
        ("ahorita no", False),
        ("sigue", None),  # "si" inside "sigue" is not a yes
        ("el Versa", None),
        ("visita", None),
    ],
)
def test_parse_yes_no_uses_word_boundaries(text: str, expected: bool | None) -> None:
    assert cues.parse_yes_no(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5512345678", "+525512345678"),
        ("55 1234 5678", "+525512345678"),
        ("55-1234-5678", "+525512345678"),
        ("+52 55 1234 5678", "+525512345678"),
        ("+52 1 55 1234 5678", "+525512345678"),
        ("521 55 1234 5678", "+525512345678"),
        ("(81) 8123-4567", "+528181234567"),
        ("mi cel es 33.1234.5678", "+523312345678"),
        ("mi numero es cinco cinco uno dos tres cuatro cinco seis siete ocho", "+525512345678"),
        ("ochenta y uno veinte treinta cuarenta y cinco sesenta y siete", "+528120304567"),
    ],
)
def test_parse_phone_normalises_mexican_numbers_to_e164(text: str, expected: str) -> None:
    assert parsing.parse_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    ["12345", "555-1234", "+1 415 523 8886", "0000000000", "abc", "tengo tres hijos y dos perros"],
)
def test_parse_phone_rejects_non_mexican_or_short_numbers(text: str) -> None:
    assert parsing.parse_phone(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Me llamo Ana López", "Ana López"),
        ("soy juan", "Juan"),
        ("María Fernanda", "María Fernanda"),
    ],
)
def test_parse_name_when_asked(text: str, expected: str) -> None:
    assert parsing.parse_name(text, expecting=True) == expected


@pytest.mark.parametrize("text", ["sí", "5512345678", "no sé, lo que sea 123", ""])
def test_parse_name_rejects_non_names(text: str) -> None:
    assert parsing.parse_name(text, expecting=True) is None


NOW = datetime(2026, 11, 24, 9, 0, tzinfo=MX)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mañana en la tarde", datetime(2026, 11, 25, 16, 0, tzinfo=MX)),
        ("el lunes a las 10", datetime(2026, 11, 30, 10, 0, tzinfo=MX)),
        ("hoy a las 5", datetime(2026, 11, 24, 17, 0, tzinfo=MX)),
        ("el viernes en la mañana", datetime(2026, 11, 27, 10, 0, tzinfo=MX)),
        ("mañana a las 9:30 am", datetime(2026, 11, 25, 9, 30, tzinfo=MX)),
        ("mañana a medio día", datetime(2026, 11, 25, 12, 0, tzinfo=MX)),
        ("el jueves al medio-dia", datetime(2026, 11, 26, 12, 0, tzinfo=MX)),
        # An hour without "a las": with its am/pm, as hh:mm, or right after the day.
        ("mañana 4pm", datetime(2026, 11, 25, 16, 0, tzinfo=MX)),
        ("el sabado 11am", datetime(2026, 11, 28, 11, 0, tzinfo=MX)),
        ("hoy 17:30", datetime(2026, 11, 24, 17, 30, tzinfo=MX)),
        ("mañana 2 de la tarde", datetime(2026, 11, 25, 14, 0, tzinfo=MX)),
        ("mañana 8", datetime(2026, 11, 25, 8, 0, tzinfo=MX)),
        ("el lunes 15 de diciembre", datetime(2026, 11, 30, 10, 0, tzinfo=MX)),  # a date, no hour
        # The weekend is the coming Saturday.
        ("este fin de semana", datetime(2026, 11, 28, 10, 0, tzinfo=MX)),
        ("el finde a las 12", datetime(2026, 11, 28, 12, 0, tzinfo=MX)),
        ("puedo pasar este fin?", datetime(2026, 11, 28, 10, 0, tzinfo=MX)),
    ],
)
def test_parse_contact_time_resolves_relative_slots(text: str, expected: datetime) -> None:
    assert contact_time.parse_contact_time(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["cuando puedan", "a fin de mes", "este fin de mes", "por fin"])
def test_parse_contact_time_returns_none_when_no_time_in_text(text: str) -> None:
    assert contact_time.parse_contact_time(text, now=NOW) is None


@pytest.mark.parametrize(
    ("text", "human", "reset"),
    [
        ("quiero hablar con un asesor", True, False),
        ("pásame con una persona real", True, False),
        ("asesor", True, False),
        ("empezar de nuevo", False, True),
        ("quiero reiniciar", False, True),
        ("busco un auto para mi familia", False, False),
    ],
)
def test_global_intents(text: str, human: bool, reset: bool) -> None:
    assert cues.wants_human(text) is human
    assert cues.wants_reset(text) is reset


def test_me_yamo_as_typed_names_the_customer() -> None:
    from conversations.engine.parsing import parse_name

    assert parse_name("me yamo Karla Ruiz") == "Karla Ruiz"
    assert parse_name("no me yamo Ana") is None
