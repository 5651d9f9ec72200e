"""Every Spanish sentence the deterministic agent says; figures come only from the caller."""

from __future__ import annotations

from decimal import Decimal

from conversations.engine.financing import FinancingPlan
from conversations.engine.state import Action, CarOption

BODY_TYPE_ES = {
    "sedan": "sedán",
    "hatchback": "hatchback",
    "suv": "SUV",
    "pickup": "pickup",
    "minivan": "minivan",
    "coupe": "coupé",
    "convertible": "convertible",
    "van": "van",
    "wagon": "station wagon",
}
USES_ES = {
    "family": "para la familia",
    "city": "para la ciudad",
    "cargo": "para carga",
    "cheap": "económico",
    "offroad": "para terracería",
}


def mxn(value: Decimal) -> str:
    return f"${value:,.2f}"


def km(value: int) -> str:
    return f"{value:,} km"


def greeting() -> str:
    return (
        "¡Hola! Soy el asistente virtual de Kavak 🚗. Te ayudo a encontrar tu próximo auto "
        "seminuevo y a simular tu financiamiento."
    )


def welcome_back(name: str | None) -> str:
    who = f", {name}" if name else ""
    return f"¡Qué gusto verte de nuevo{who}! Empecemos una nueva búsqueda."


QUESTIONS: dict[Action, str] = {
    Action.ASK_NEED: (
        "¿Qué tipo de auto buscas? Por ejemplo: un SUV familiar, un sedán para la ciudad, "
        "una pickup para carga, o una marca y modelo en particular."
    ),
    Action.ASK_BUDGET: (
        "¿Cuál es tu presupuesto aproximado? Puede ser el precio total (por ejemplo, 300 mil) "
        "o lo que puedes pagar al mes (por ejemplo, 8 mil al mes)."
    ),
    Action.CHOOSE_OPTION: (
        "¿Cuál te interesa? Dime el número de la opción (por ejemplo, «la 2») o el modelo."
    ),
    Action.ASK_DOWN_PAYMENT: (
        "¿Cuánto te gustaría dar de enganche? Puede ser un monto (por ejemplo, 60 mil) o un "
        "porcentaje (mínimo 10% del precio)."
    ),
    Action.ASK_TERM: "¿A qué plazo lo quieres? Manejamos 36, 48, 60 y 72 meses (3 a 6 años).",
    Action.OFFER_APPOINTMENT: (
        "¿Te gustaría agendar una cita para verlo o que un asesor te contacte para continuar?"
    ),
    Action.ASK_NAME: "¡Perfecto! ¿A nombre de quién registro tus datos?",
    Action.ASK_PHONE: "¿A qué número de celular (10 dígitos) te puede contactar un asesor?",
    Action.ASK_CONTACT_TIME: (
        "¿En qué día y horario prefieres que te contactemos? Por ejemplo: «mañana en la tarde» "
        "o «el lunes a las 10»."
    ),
    Action.OFFER_HELP: "¿Hay algo más en lo que te pueda ayudar?",
    Action.HANDOFF_TO_HUMAN: "Un asesor de Kavak continuará la conversación contigo en breve.",
    Action.ANSWER_FAQ: "¿Te puedo ayudar con algo más?",
    Action.CONFIRM_SUGGESTION: "",
}


def question(action: Action) -> str:
    return QUESTIONS[action]


def need_summary(
    *,
    body_type: str | None,
    uses: tuple[str, ...],
    make: str | None,
    model: str | None,
    transmission: str | None,
) -> str:
    parts: list[str] = []
    if make or model:
        parts.append(" ".join(p for p in (make, model) if p))
    elif body_type:
        parts.append(BODY_TYPE_ES.get(body_type, body_type))
    else:
        parts.append("auto")
    if body_type and (make or model):
        parts.append(f"({BODY_TYPE_ES.get(body_type, body_type)})")
    if transmission:
        parts.append("automático" if transmission == "automatic" else "estándar")
    parts.extend(USES_ES[u] for u in uses if u in USES_ES)
    return " ".join(parts)


def budget_ack(*, max_price: Decimal, min_price: Decimal | None) -> str:
    if min_price:
        return f"Anotado: presupuesto entre {mxn(min_price)} y {mxn(max_price)}."
    return f"Anotado: presupuesto de hasta {mxn(max_price)}."


def monthly_budget_ack(*, monthly: Decimal, max_price: Decimal, term: int, rate: Decimal) -> str:
    return (
        f"Con {mxn(monthly)} al mes, a {term} meses con una tasa anual de {rate * 100:.0f}% y el "
        f"enganche mínimo de 10%, podrías comprar un auto de hasta {mxn(max_price)} "
        "(es una estimación)."
    )


def car_line(index: int, car: CarOption) -> str:
    line = f"{index}. *{car.title}* {car.version} — *{mxn(car.price)}*, {km(car.km)}"
    if car.reason:
        line += f". {car.reason}"
    return line


def options_intro(*, exact: bool, note: str | None, count: int) -> str:
    if note:
        return note
    if exact:
        return (
            "Estas son las opciones que mejor se ajustan:" if count > 1 else "Encontré esta opción:"
        )
    return "No encontré algo exacto, pero estas opciones se acercan:"


def options_block(cars: tuple[CarOption, ...]) -> str:
    return "\n".join(car_line(i, c) for i, c in enumerate(cars, start=1))


def no_cars() -> str:
    return (
        "Por ahora no tengo autos disponibles con esas características en el catálogo. "
        "¿Quieres ajustar el presupuesto o el tipo de auto? También te puede ayudar un asesor."
    )


def chosen_ack(car: CarOption) -> str:
    return f"¡Buena elección! El *{car.title}* {car.version} cuesta *{mxn(car.price)}*."


def plan_block(plan: FinancingPlan) -> str:
    return (
        f"Simulación a *{plan.term_months} meses* con enganche de {mxn(plan.down_payment)}:\n"
        f"• Mensualidad: *{mxn(plan.monthly_payment)}*\n"
        f"• Monto financiado: {mxn(plan.financed_amount)}\n"
        f"• Intereses totales: {mxn(plan.total_interest)}\n"
        f"• Total pagado (sin enganche): {mxn(plan.total_paid)}\n"
        f"Tasa anual fija de {plan.annual_rate * 100:.0f}%."
    )


def comparison_block(plans: list[FinancingPlan]) -> str:
    rows = [f"• {p.term_months} meses: {mxn(p.monthly_payment)} al mes" for p in plans]
    return "Comparativo de plazos con el mismo enganche:\n" + "\n".join(rows)


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


def invalid_phone() -> str:
    return (
        "Ese número no parece un celular de México válido. Escríbelo a 10 dígitos, por ejemplo: "
        "55 1234 5678 (también acepto +52)."
    )


def invalid_name() -> str:
    return "No alcancé a entender tu nombre. ¿Me lo escribes, por favor? Por ejemplo: Ana López."


def lead_done(*, name: str | None, when: str | None) -> str:
    who = f", {name}" if name else ""
    slot = f" ({when})" if when else ""
    return (
        f"¡Listo{who}! Registré tus datos y un asesor de Kavak te contactará en el horario que "
        f"indicaste{slot}. ¿Hay algo más en lo que te pueda ayudar?"
    )


def appointment_declined() -> str:
    return "Sin problema. Aquí estaré si quieres retomar la compra o ver otras opciones."


def handoff(*, has_phone: bool) -> str:
    if has_phone:
        return (
            "Claro, te comunico con un asesor de Kavak. En breve te escribirá por este medio. "
            "Mientras tanto, el asistente quedará en pausa."
        )
    return (
        "Claro, te comunico con un asesor de Kavak. Si me compartes tu celular a 10 dígitos, "
        "te contactará más rápido."
    )


def handoff_waiting() -> str:
    return "Tu conversación está con un asesor de Kavak; te responderá en breve."


def gave_up() -> str:
    return (
        "Perdón, no logro entenderte bien. Para no hacerte perder tiempo, te comunico con un "
        "asesor de Kavak."
    )


def reset() -> str:
    return "Listo, empecemos de nuevo."


def not_understood(action: Action) -> str:
    return "Perdón, no te entendí. " + question(action)


def adversarial() -> str:
    return (
        "Entiendo 🙂, pero no puedo regalar autos ni cambiar precios: los precios son los del "
        "catálogo de Kavak y las condiciones de financiamiento son fijas."
    )


def discount() -> str:
    return (
        "Los precios que te comparto son los del catálogo y no puedo ofrecer descuentos ni "
        "promociones que no estén confirmadas. Un asesor puede revisar tu caso si lo deseas."
    )


def suggestion(candidate: str) -> str:
    return f"¿Quisiste decir *{candidate}*?"


def choose_first() -> str:
    return "Primero elijamos un auto para poder simular el financiamiento."


def faq_unavailable() -> str:
    return (
        "No tengo ese dato confirmado; lo consulto con un asesor para no darte información "
        "incorrecta."
    )


def resume(action: Action) -> str:
    return "Retomando: " + question(action)


def thanks() -> str:
    return "¡Con gusto!"
