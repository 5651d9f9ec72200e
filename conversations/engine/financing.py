"""Financing simulation: French (constant-payment) amortisation with Decimal money in MXN.

M = P·r / (1 − (1 + r)^−n) with r = annual_rate / 12. Amounts are rounded to cents (half up).
The quote's total paid is M × n; the amortisation table adjusts the last payment by the cents
needed to close the balance at exactly zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FinancingPlan:
    price: Decimal
    down_payment: Decimal
    financed_amount: Decimal
    annual_rate: Decimal
    term_months: int
    monthly_payment: Decimal
    total_interest: Decimal
    total_paid: Decimal

    def as_dict(self) -> dict[str, str | int]:
        return {
            "price": f"{self.price:.2f}",
            "down_payment": f"{self.down_payment:.2f}",
            "financed_amount": f"{self.financed_amount:.2f}",
            "annual_rate": f"{self.annual_rate:.4f}",
            "term_months": self.term_months,
            "monthly_payment": f"{self.monthly_payment:.2f}",
            "total_interest": f"{self.total_interest:.2f}",
            "total_paid": f"{self.total_paid:.2f}",
        }


@dataclass(frozen=True)
class AmortizationRow:
    month: int
    payment: Decimal
    interest: Decimal
    principal: Decimal
    balance: Decimal


def monthly_payment(*, principal: Decimal, annual_rate: Decimal, term_months: int) -> Decimal:
    if term_months <= 0:
        raise ValueError("term_months must be positive")
    if principal <= 0:
        return Decimal("0.00")
    with localcontext() as ctx:
        ctx.prec = 40
        r = Decimal(annual_rate) / 12
        if r == 0:
            return money(principal / term_months)
        payment = principal * r / (1 - (1 + r) ** -term_months)
    return money(payment)


def financing_plan(
    *, price: Decimal, down_payment: Decimal, annual_rate: Decimal, term_months: int
) -> FinancingPlan:
    price = money(price)
    down_payment = money(down_payment)
    financed = money(price - down_payment)
    payment = monthly_payment(principal=financed, annual_rate=annual_rate, term_months=term_months)
    total_paid = money(payment * term_months)
    return FinancingPlan(
        price=price,
        down_payment=down_payment,
        financed_amount=financed,
        annual_rate=Decimal(annual_rate),
        term_months=term_months,
        monthly_payment=payment,
        total_interest=money(total_paid - financed),
        total_paid=total_paid,
    )


def amortization_table(plan: FinancingPlan) -> list[AmortizationRow]:
    rows: list[AmortizationRow] = []
    balance = plan.financed_amount
    r = plan.annual_rate / 12
    for month in range(1, plan.term_months + 1):
        interest = money(balance * r)
        payment = plan.monthly_payment
        principal = money(payment - interest)
        if month == plan.term_months or principal > balance:
            principal = balance
            payment = money(principal + interest)
        balance = money(balance - principal)
        rows.append(AmortizationRow(month, payment, interest, principal, balance))
        if balance == 0:
            break
    return rows


def max_price_for_monthly(
    *, monthly: Decimal, annual_rate: Decimal, term_months: int, min_down_ratio: Decimal
) -> Decimal:
    """The highest car price whose financing fits ``monthly`` with the minimum down payment.

    financed = M·(1 − (1 + r)^−n) / r and financed = price·(1 − min_down_ratio).
    """
    with localcontext() as ctx:
        ctx.prec = 40
        r = Decimal(annual_rate) / 12
        financed = monthly * term_months if r == 0 else monthly * (1 - (1 + r) ** -term_months) / r
        price = financed / (1 - min_down_ratio)
    return price.quantize(Decimal("1"), rounding="ROUND_DOWN")


def down_payment_for_monthly(
    *,
    price: Decimal,
    monthly: Decimal,
    annual_rate: Decimal,
    term_months: int,
    min_down_ratio: Decimal,
) -> Decimal:
    """The down payment that leaves ``monthly`` as the instalment over ``term_months`` (never
    under the minimum): price − M·(1 − (1 + r)^−n) / r."""
    financed = max_price_for_monthly(
        monthly=monthly, annual_rate=annual_rate, term_months=term_months, min_down_ratio=Decimal(0)
    )
    return money(max(price - financed, price * min_down_ratio))
