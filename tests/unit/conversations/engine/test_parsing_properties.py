"""Property tests: the Spanish parsers never raise and never return negative or absurd values."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations.engine import contact_time, cues, parsing
from conversations.engine.turn import DEFAULT_TERMS

# Text that looks like what customers type: digits, separators, units, Spanish words and noise.
_TOKENS = st.sampled_from(
    [
        "mil", "k", "millones", "millón", "medio", "$", "%", "por ciento", "al mes", "mensual",
        "enganche", "años", "meses", "a", "el", "la", "segundo", "opción", "entre", "y", "de",
        "pesos", ",", ".", "-", "+52", "1", "55", "(55)", "sí", "no", "km", "2019", "¿", "?",
        "trescientos", "cincuenta", "mínimo", "contado", "último", "lunes", "mañana", "tarde",
    ]
)  # fmt: skip
_NUMBERS = st.integers(min_value=-(10**12), max_value=10**12).map(str)
_PIECES = st.one_of(_TOKENS, _NUMBERS, st.text(max_size=12))
TEXT = st.lists(_PIECES, max_size=12).map(" ".join)
MAX = Decimal("20000000")
PROPS = settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)


@PROPS
@given(TEXT, st.booleans())
def test_budget_is_none_or_positive_and_bounded(text: str, expecting: bool) -> None:
    budget = parsing.parse_budget(text, expecting=expecting)
    if budget is None:
        return
    values = [v for v in (budget.max_price, budget.min_price, budget.monthly) if v is not None]
    assert values
    assert all(Decimal(0) <= v <= MAX for v in values)
    if budget.min_price is not None and budget.max_price is not None:
        assert budget.min_price <= budget.max_price


@PROPS
@given(TEXT, st.booleans())
def test_down_payment_is_none_or_sane(text: str, expecting: bool) -> None:
    dp = parsing.parse_down_payment(text, expecting=expecting)
    if dp is None:
        return
    if dp.ratio is not None:
        assert Decimal(0) <= dp.ratio <= Decimal(1)
    if dp.amount is not None:
        assert Decimal(0) < dp.amount <= MAX


@PROPS
@given(TEXT, st.booleans())
def test_term_is_none_invalid_or_an_allowed_term(text: str, expecting: bool) -> None:
    term = parsing.parse_term(text, terms=DEFAULT_TERMS, expecting=expecting)
    if term is None or term.invalid or term.compare:
        return
    assert term.months in DEFAULT_TERMS


@PROPS
@given(TEXT, st.integers(min_value=0, max_value=5))
def test_option_choice_is_none_or_a_valid_index(text: str, count: int) -> None:
    options = [(str(1000 + i), "Nissan", f"Modelo{i}") for i in range(count)]
    index = parsing.parse_option_choice(text, options=options)
    assert index is None or 0 <= index < count


@PROPS
@given(TEXT)
def test_phone_is_none_or_e164_mexican(text: str) -> None:
    phone = parsing.parse_phone(text)
    assert phone is None or (phone.startswith("+52") and len(phone) == 13 and phone[1:].isdigit())


@PROPS
@given(TEXT)
def test_name_contact_time_and_intents_never_raise(text: str) -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("America/Mexico_City"))
    name = parsing.parse_name(text, expecting=True)
    assert name is None or 1 <= len(name) <= 60
    when = contact_time.parse_contact_time(text, now=now)
    assert when is None or when >= now.replace(hour=0, minute=0)
    for check in (
        cues.parse_yes_no,
        cues.wants_human,
        cues.wants_reset,
        cues.is_adversarial,
        cues.is_question,
    ):
        check(text)
