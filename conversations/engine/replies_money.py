"""Money replies: the budget, down payment and term said back, the monthly payment of each option,
the financing simulation and its comparisons, cash purchases and an ambiguous amount."""

from __future__ import annotations

from decimal import Decimal

from conversations.engine.financing import FinancingPlan
from conversations.engine.replies_words import mxn, mxn_cents
from conversations.engine.state import CarOption


def budget_ack(*, max_price: Decimal, min_price: Decimal | None) -> str:
    if min_price:
        return f"Anotado: presupuesto entre {mxn(min_price)} y {mxn(max_price)}."
    return f"Anotado: presupuesto de hasta {mxn(max_price)}."


def monthly_budget_ack(
    *,
    monthly: Decimal,
    max_price: Decimal,
    term: int,
    rate: Decimal,
    down_payment: Decimal | None = None,
) -> str:
    if down_payment:
        return (
            f"Con {mxn(monthly)} al mes y {mxn(down_payment)} de enganche, a {term} meses con una "
            f"tasa anual de {rate * 100:.0f}%, te alcanza para un auto de hasta {mxn(max_price)} "
            "(es una estimación)."
        )
    return (
        f"Con {mxn(monthly)} al mes, a {term} meses con una tasa anual de {rate * 100:.0f}% y el "
        f"enganche mínimo de 10%, podrías comprar un auto de hasta {mxn(max_price)} "
        "(es una estimación)."
    )


def down_payment_ack(*, amount: Decimal | None, ratio: Decimal | None) -> str:
    if ratio is not None:
        return f"Anotado: enganche de {ratio * 100:.0f}%."
    assert amount is not None  # noqa: S101 - one of the two is given
    return f"Anotado: enganche de {mxn(amount)}."


def term_ack(months: int) -> str:
    return f"Anotado: plazo de {months} meses."


def term_kept(months: int) -> str:
    """The term of the plan shown, said again ("va, a 5 años")."""
    return f"Perfecto, queda a {months} meses."


def monthly_by_option(
    rows: list[tuple[int, CarOption, Decimal, Decimal]],
    *,
    term: int,
    rate: Decimal,
    min_ratio: Decimal | None,
) -> str:
    """Each option's monthly payment before a choice: with the down payment given, or with the
    least (``min_ratio``) when none was given."""
    lines = [
        f"{i}. *{car.title}*: {mxn(monthly)} al mes (enganche de {mxn(down)})"
        for i, car, down, monthly in rows
    ]
    return (
        (
            f"Con el enganche mínimo ({min_ratio * 100:.0f}%) y a {term} meses"
            if min_ratio is not None
            else f"Con tu enganche y a {term} meses"
        )
        + f", las mensualidades quedarían así (estimación, tasa anual fija de {rate * 100:.0f}%):\n"
        + "\n".join(lines)
        + "\n\nCon más enganche o a otro plazo cambia; elige una y te hago la simulación exacta."
    )


def own_car_noted(car: str) -> str:
    return (
        f"Anotado: tu {car}. Su precio final se define en la inspección, y ese monto puede "
        "ser tu enganche."
    )


def plan_block(plan: FinancingPlan, *, ratio: Decimal | None = None) -> str:
    """The plan; ``ratio``: the share of the price the customer gave as the down payment."""
    share = f" ({ratio * 100:.0f}%)" if ratio is not None else ""
    return (
        f"Simulación a *{plan.term_months} meses* con enganche de "
        f"{mxn(plan.down_payment)}{share}:\n"
        f"• Mensualidad: *{mxn_cents(plan.monthly_payment)}*\n"
        f"• Monto financiado: {mxn_cents(plan.financed_amount)}\n"
        f"• Intereses totales: {mxn_cents(plan.total_interest)}\n"
        f"• Total pagado (sin enganche): {mxn_cents(plan.total_paid)}\n"
        f"Tasa anual fija de {plan.annual_rate * 100:.0f}%."
    )


def total_answer(plan: FinancingPlan) -> str:
    total = plan.down_payment + plan.total_paid
    return (
        f"En total pagarías {mxn_cents(total)}: {mxn_cents(plan.down_payment)} de enganche más "
        f"{plan.term_months} mensualidades de {mxn_cents(plan.monthly_payment)} "
        f"({mxn_cents(plan.total_interest)} de intereses). Es una estimación sujeta a aprobación "
        "de crédito."
    )


def totals_by_term(plans: list[FinancingPlan]) -> str:
    """ "¿Cuánto pagaría en total?" before a term is chosen: the total of every term."""
    down = plans[0].down_payment
    rows = [
        f"• {p.term_months} meses: {mxn_cents(p.down_payment + p.total_paid)} "
        f"({mxn_cents(p.monthly_payment)} al mes)"
        for p in plans
    ]
    return (
        f"En total pagarías, con tu enganche de {mxn_cents(down)} incluido:\n"
        + "\n".join(rows)
        + "\nA menor plazo, menos intereses. Es una estimación sujeta a aprobación de crédito."
    )


def term_advice(plans: list[FinancingPlan], monthly_cap: Decimal | None) -> str:
    """ "¿A cuántos meses me conviene?": every term's payment and interest, and the shortest term
    within the monthly payment the customer said (the least interest they can afford)."""
    rows = "\n".join(
        f"• {p.term_months} meses: {mxn_cents(p.monthly_payment)} al mes "
        f"({mxn_cents(p.total_interest)} de intereses)"
        for p in plans
    )
    if monthly_cap is None:
        advice = (
            "A menor plazo pagas menos intereses; a mayor plazo, la mensualidad baja. Si me dices "
            "cuánto quieres pagar al mes, te digo qué plazo te queda."
        )
    elif fitting := [p for p in plans if p.monthly_payment <= monthly_cap]:
        best = fitting[0]
        advice = (
            f"Con tu mensualidad de hasta {mxn(monthly_cap)}, te conviene "
            f"*{best.term_months} meses*: es el plazo más corto que te queda, y a menor plazo "
            "menos intereses."
        )
    else:
        advice = (
            f"Con este enganche ningún plazo baja de {mxn(monthly_cap)} al mes; con más "
            "enganche baja la mensualidad."
        )
    return f"{rows}\n{advice}"


def comparison_block(plans: list[FinancingPlan]) -> str:
    rows = [f"• {p.term_months} meses: {mxn_cents(p.monthly_payment)} al mes" for p in plans]
    return "Comparativo de plazos con el mismo enganche:\n" + "\n".join(rows)


def minimum_down_comparison(minimum: Decimal, plans: list[FinancingPlan]) -> str:
    rows = [f"• {p.term_months} meses: {mxn_cents(p.monthly_payment)} al mes" for p in plans]
    return (
        f"Con el enganche mínimo ({mxn_cents(minimum)}) tu mensualidad sería:\n"
        + "\n".join(rows)
        + "\nCon más enganche, baja."
    )


def price_plans(price: Decimal, plans: list[FinancingPlan], *, minimum: bool) -> str:
    """ "¿Cuánto pagaría al mes por un carro de 200 mil?": every term's payment for that price."""
    down = plans[0].down_payment
    which = " (el mínimo)" if minimum else ""
    rows = "\n".join(
        f"• {p.term_months} meses: {mxn_cents(p.monthly_payment)} al mes" for p in plans
    )
    return (
        f"Por un auto de *{mxn(price)}* con enganche de {mxn_cents(down)}{which}, la mensualidad "
        f"quedaría así (tasa anual fija de {plans[0].annual_rate * 100:.0f}%):\n{rows}\n"
        "Es una estimación sujeta a aprobación de crédito; con más enganche baja."
    )


def income_noted(income: Decimal) -> str:
    return (
        f"Gracias. Con un ingreso de {mxn(income)} al mes, ¿cuánto te gustaría pagar de "
        "mensualidad? Por ejemplo, 5 mil o 7 mil al mes; con eso calculo hasta cuánto te alcanza "
        "(la aprobación del crédito la define Kavak con tu solicitud)."
    )


def estimate_disclaimer() -> str:
    return (
        "Es una estimación sujeta a aprobación de crédito; no incluye comisiones, seguros ni "
        "promociones."
    )


def down_payment_too_low(*, minimum: Decimal, price: Decimal) -> str:
    return (
        f"El enganche mínimo es de 10% del precio: {mxn(minimum)} para este auto de "
        f"{mxn(price)}. ¿Cuánto te gustaría dar (igual o mayor al mínimo)?"
    )


def cash_offer(*, price: Decimal) -> str:
    return (
        f"Con ese enganche cubres el precio completo ({mxn(price)}), así que puedes comprarlo "
        "de contado, sin financiamiento."
    )


def cash_ack(car: CarOption) -> str:
    return f"Perfecto, compra de contado del *{car.title}* por *{mxn(car.price)}*."


def invalid_term() -> str:
    return "Los plazos disponibles son de 36, 48, 60 o 72 meses (de 3 a 6 años). ¿Cuál prefieres?"


def confirm_amount(value: Decimal, roles: tuple[str, ...]) -> str:
    """Ask what a bare number is instead of guessing it."""
    if roles == ("term", "price"):
        return (
            f"¿Te refieres a un plazo de {value:.0f} meses o a un presupuesto de "
            f"{mxn(value * 1000)}?"
        )
    if roles == ("down",):
        return f"¿{mxn(value)} sería tu enganche?"
    return f"¿Quieres que busque con un presupuesto de hasta {mxn(value)}?"


def choose_first() -> str:
    return "Primero elijamos un auto para poder simular el financiamiento."
