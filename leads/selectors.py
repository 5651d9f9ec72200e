"""Lead reads."""

from __future__ import annotations

from decimal import Decimal

from conversations.engine.financing import AmortizationRow, amortization_table, financing_plan
from leads.models import Lead


def lead_amortization(*, lead: Lead) -> list[AmortizationRow]:
    """The amortisation table of the plan the customer saw (empty for cash or no plan)."""
    fin = lead.financing_snapshot or {}
    if not fin.get("term_months") or fin.get("cash_purchase"):
        return []
    plan = financing_plan(
        price=Decimal(fin["price"]),
        down_payment=Decimal(fin["down_payment"]),
        annual_rate=Decimal(fin["annual_rate"]),
        term_months=int(fin["term_months"]),
    )
    return amortization_table(plan)
