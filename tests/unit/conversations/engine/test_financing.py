"""Financing math: French amortisation, Decimal, cents."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conversations.engine.financing import (
    amortization_table,
    down_payment_for_monthly,
    financing_plan,
    max_price_for_monthly,
    monthly_payment,
)

RATE = Decimal("0.10")


def test_monthly_payment_matches_the_french_formula_to_the_cent() -> None:
    # P = 270,000, r = 0.10/12, n = 48 → M = P·r / (1 − (1 + r)^−48) = 6,847.90 (computed by hand).
    assert monthly_payment(
        principal=Decimal("270000"), annual_rate=RATE, term_months=48
    ) == Decimal("6847.90")


@pytest.mark.parametrize("term", [36, 48, 60, 72])
def test_plan_totals_are_consistent_for_every_term(term: int) -> None:
    plan = financing_plan(
        price=Decimal("300000"), down_payment=Decimal("30000"), annual_rate=RATE, term_months=term
    )
    assert plan.financed_amount == Decimal("270000.00")
    assert plan.total_paid == plan.monthly_payment * term
    assert plan.total_interest == plan.total_paid - plan.financed_amount
    assert plan.monthly_payment.as_tuple().exponent == -2


def test_longer_terms_lower_the_payment_and_raise_the_interest() -> None:
    plans = [
        financing_plan(
            price=Decimal("300000"), down_payment=Decimal("60000"), annual_rate=RATE, term_months=t
        )
        for t in (36, 48, 60, 72)
    ]
    payments = [p.monthly_payment for p in plans]
    interests = [p.total_interest for p in plans]
    assert payments == sorted(payments, reverse=True)
    assert interests == sorted(interests)


def test_amortization_table_closes_the_balance_exactly() -> None:
    plan = financing_plan(
        price=Decimal("289999"), down_payment=Decimal("58000"), annual_rate=RATE, term_months=48
    )
    rows = amortization_table(plan)
    assert len(rows) == 48
    assert rows[-1].balance == Decimal("0.00")
    assert sum(r.principal for r in rows) == plan.financed_amount
    assert abs(sum(r.payment for r in rows) - plan.total_paid) <= Decimal("0.50")
    assert all(r.payment == r.interest + r.principal for r in rows)
    assert rows[0].interest == Decimal("1933.33")  # 231,999 × 0.10 / 12


def test_max_price_for_monthly_is_the_inverse_of_the_payment() -> None:
    price = max_price_for_monthly(
        monthly=Decimal("8000"), annual_rate=RATE, term_months=72, min_down_ratio=Decimal("0.10")
    )
    plan = financing_plan(
        price=price, down_payment=price * Decimal("0.10"), annual_rate=RATE, term_months=72
    )
    assert plan.monthly_payment <= Decimal("8000.00")
    assert plan.monthly_payment >= Decimal("7999.00")


@pytest.mark.parametrize("term", [36, 48, 60, 72])
def test_the_down_payment_for_a_monthly_payment_keeps_it_within_that_payment(term: int) -> None:
    price, monthly, rate = Decimal("425999"), Decimal("8000"), Decimal("0.10")
    down = down_payment_for_monthly(
        price=price, monthly=monthly, annual_rate=rate, term_months=term,
        min_down_ratio=Decimal("0.10"),
    )  # fmt: skip
    assert down >= price * Decimal("0.10")
    plan = financing_plan(price=price, down_payment=down, annual_rate=rate, term_months=term)
    assert plan.monthly_payment <= monthly
    if down > price * Decimal("0.10"):  # above the minimum: the payment is as close as a peso gets
        assert monthly - plan.monthly_payment < Decimal("0.05")
