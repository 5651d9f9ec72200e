"""Every Spanish sentence the deterministic agent says; figures come only from the caller.

WhatsApp-sized and spoken like a salesperson: money in prose without centavos unless they matter
(a monthly payment), no repeated make ("Mazda 3", not "Mazda Mazda 3"), and every question has
other wordings so the same one is never sent a third time (``question(action, times_asked)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from conversations.engine.financing import FinancingPlan
from conversations.engine.ports import Branch
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
WEEKDAYS_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
FUEL_ES = {"electric": "eléctricos", "hybrid": "híbridos", "diesel": "diésel"}


def mxn(value: Decimal) -> str:
    """Money in prose: "$236,999" for whole pesos, "$4,123.45" when the centavos matter."""
    if value == value.to_integral_value():
        return f"${value:,.0f}"
    return f"${value:,.2f}"


def mxn_cents(value: Decimal) -> str:
    """Money in a financing table: always with centavos, so the figures line up and add up."""
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


# Each question in three wordings: the first time, again with examples, and a third time with
# quick choices or a person offered (a good salesperson never repeats the same line).
QUESTION_VARIANTS: dict[Action, tuple[str, ...]] = {
    Action.ASK_NEED: (
        "¿Qué tipo de auto buscas? Por ejemplo: un SUV familiar, un sedán para la ciudad, "
        "una pickup para carga, o una marca y modelo en particular.",
        "¿Qué auto tienes en mente? Puede ser un tipo (SUV, sedán, hatchback, pickup, minivan), "
        "una marca o un modelo, o para qué lo usarías (familia, ciudad, trabajo).",
        "Para mostrarte opciones dime, por ejemplo: *SUV*, *sedán*, *hatchback*, *pickup* o una "
        "marca como *Nissan* o *Mazda*. Si prefieres, te comunico con un asesor.",
    ),
    Action.ASK_BUDGET: (
        "¿Cuál es tu presupuesto aproximado? Puede ser el precio total (por ejemplo, 300 mil) "
        "o lo que puedes pagar al mes (por ejemplo, 8 mil al mes).",
        "¿Hasta cuánto sería tu presupuesto? Me basta un monto («250 mil») o una mensualidad "
        "(«5 mil al mes»).",
        "Para no mostrarte autos fuera de tu alcance, ¿me das un monto aproximado? Por ejemplo: "
        "200 mil, 300 mil o 400 mil. También puedo pasarte con un asesor.",
    ),
    Action.CHOOSE_OPTION: (
        "¿Cuál te interesa? Dime el número de la opción (por ejemplo, «la 2») o el modelo.",
        "¿Alguna te late? Dime el número, pregúntame por cualquiera (km, año, transmisión) o "
        "pide «otras opciones».",
        "Puedes elegir con el número de la opción, pedirme otras opciones o cambiar el "
        "presupuesto. ¿O prefieres que te atienda un asesor?",
    ),
    Action.ASK_DOWN_PAYMENT: (
        "¿Cuánto te gustaría dar de enganche? Puede ser un monto (por ejemplo, 60 mil) o un "
        "porcentaje (mínimo 10% del precio).",
        "¿Cuánto darías de enganche? Un monto («50 mil») o un porcentaje («20%»); el mínimo es "
        "10%.",
        "Si todavía no lo tienes claro, dime «el mínimo» y simulo con 10% del precio. ¿O qué "
        "monto de enganche prefieres?",
    ),
    Action.ASK_TERM: (
        "¿A qué plazo lo quieres? Manejamos 36, 48, 60 y 72 meses (3 a 6 años).",
        "¿A cuántos meses lo quieres: 36, 48, 60 o 72?",
        "Elige un plazo: *36*, *48*, *60* o *72* meses. Si quieres, te muestro el comparativo de "
        "los cuatro: dime «compara».",
    ),
    Action.OFFER_APPOINTMENT: (
        "¿Te gustaría agendar una cita para verlo o que un asesor te contacte para continuar?",
        "¿Quieres ir a verlo a una sucursal, o prefieres que un asesor te llame?",
        "Cuando gustes, puedo agendarte una cita o pedir que un asesor te llame. ¿Qué prefieres?",
    ),
    Action.ASK_NAME: (
        "¡Perfecto! ¿A nombre de quién registro tus datos?",
        "¿Me compartes tu nombre, por favor?",
        "Solo necesito un nombre para registrar tus datos (por ejemplo, «Ana López»). "
        "¿Cómo te llamas?",
    ),
    Action.ASK_PHONE: (
        "¿A qué número de celular (10 dígitos) te puede contactar un asesor?",
        "¿Me pasas tu celular a 10 dígitos?",
        "Para que el asesor te contacte necesito un celular (por ejemplo, 55 1234 5678). Si "
        "prefieres no darlo, podemos seguir por aquí. ¿Me lo compartes?",
    ),
    Action.ASK_CONTACT_TIME: (
        "¿En qué día y horario prefieres que te contactemos? Por ejemplo: «mañana en la tarde» "
        "o «el lunes a las 10».",
        "¿Qué día y a qué hora te queda mejor?",
        "Dime un día y una hora (por ejemplo, «el sábado a las 11») o «cuando puedan». "
        "¿Cuándo te queda?",
    ),
    Action.OFFER_HELP: (
        "¿Hay algo más en lo que te pueda ayudar?",
        "¿Te ayudo con algo más?",
        "Aquí sigo si necesitas algo más. 🙂",
    ),
    Action.HANDOFF_TO_HUMAN: (
        "Un asesor de Kavak continuará la conversación contigo en breve.",
        "Un asesor de Kavak te atenderá en breve.",
        "En breve te escribe un asesor de Kavak.",
    ),
    Action.ANSWER_FAQ: (
        "¿Te puedo ayudar con algo más?",
        "¿Algo más que quieras saber?",
        "Si quieres, también te ayudo a buscar auto o a simular tu crédito.",
    ),
    Action.CONFIRM_SUGGESTION: ("",),
}
QUESTIONS: dict[Action, str] = {action: texts[0] for action, texts in QUESTION_VARIANTS.items()}
APPOINTMENT_TIME_VARIANTS = (
    "¿Qué día y a qué hora te gustaría ir a verlo? Por ejemplo: «el sábado a las 11».",
    "¿Qué día y hora te acomodan para la cita?",
    "Dime un día y una hora para la cita (por ejemplo, «mañana a las 12»). ¿Cuándo te queda?",
)


def question(action: Action, times_asked: int = 0, *, appointment: bool = False) -> str:
    """The question for ``action``, worded by how many times it was already asked."""
    variants: tuple[str, ...]
    if appointment and action == Action.ASK_CONTACT_TIME:
        variants = APPOINTMENT_TIME_VARIANTS
    else:
        variants = QUESTION_VARIANTS[action]
    return variants[times_asked % len(variants)]


def need_ack(summary: str, *, name: str | None = None) -> str:
    who = f", {name}" if name else ""
    return f"¡Va{who}! Te busco {summary}."


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


def _transmission(car: CarOption) -> str:
    return {"automatic": "automático", "manual": "estándar"}.get(car.transmission, "")


def car_line(index: int, car: CarOption) -> str:
    details = [km(car.km)]
    if _transmission(car):
        details.append(_transmission(car))
    if car.seats and car.seats >= 7:
        details.append(f"{car.seats} pasajeros")
    line = f"{index}. *{car.title}* {car.version} — *{mxn(car.price)}*, {', '.join(details)}"
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


def options_again() -> str:
    return "Claro, estas son las opciones que te mostré:"


def no_cars() -> str:
    return (
        "Por ahora no tengo autos disponibles con esas características en el catálogo. "
        "¿Quieres ajustar el presupuesto o el tipo de auto? También te puede ayudar un asesor."
    )


def choice_kept(car: CarOption) -> str:
    return f"¡Va, seguimos con el *{car.title}*!"


def chosen_ack(car: CarOption, *, name: str | None = None) -> str:
    who = f", {name}" if name else ""
    return f"¡Buena elección{who}! El *{car.title}* {car.version} cuesta *{mxn(car.price)}*."


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


def name_changed(name: str) -> str:
    return f"Anotado: a nombre de {name}."


def who_am_i() -> str:
    return (
        "Soy el asistente virtual de Kavak: un programa, no una persona. Te ayudo a encontrar "
        "auto y a simular tu financiamiento; si prefieres hablar con un asesor, dime «asesor»."
    )


def sorry_offer_person() -> str:
    return (
        "Lamento mucho la molestia. Si quieres, te comunico ahora con un asesor de Kavak "
        "(escribe «asesor»); mientras, aquí sigo para ayudarte."
    )


def own_car_noted(car: str) -> str:
    return (
        f"Anotado: tu {car}. Su precio final se define en la inspección, y ese monto puede "
        "ser tu enganche."
    )


def need_refines() -> str:
    return (
        "Si me dices qué tipo de auto buscas (SUV, sedán, hatchback, pickup) o una marca, "
        "afino las opciones."
    )


def budget_refines() -> str:
    return "Si me dices tu presupuesto (o cuánto quieres pagar al mes), afino las opciones."


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " y " + items[-1]


# --- financing -----------------------------------------------------------------------------------
def plan_block(plan: FinancingPlan) -> str:
    return (
        f"Simulación a *{plan.term_months} meses* con enganche de {mxn(plan.down_payment)}:\n"
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


# --- contact data --------------------------------------------------------------------------------
def invalid_phone() -> str:
    return (
        "Ese número no parece un celular de México válido. Escríbelo a 10 dígitos, por ejemplo: "
        "55 1234 5678 (también acepto +52)."
    )


def invalid_name() -> str:
    return "No alcancé a entender tu nombre. ¿Me lo escribes, por favor? Por ejemplo: Ana López."


def phone_refused() -> str:
    return (
        "Sin problema, no es obligatorio. Podemos seguir por aquí: el asesor te responderá en "
        "este mismo chat. Si prefieres, también puedes visitarnos en cualquier sucursal."
    )


def phone_noted(phone: str) -> str:
    return f"Anoté tu celular ({phone})."


def _when(at: datetime) -> str:
    return f"el {WEEKDAYS_ES[at.weekday()]} {at:%d/%m} a las {at:%H:%M}"


def lead_done(*, name: str | None, when: str | None) -> str:
    who = f", {name}" if name else ""
    slot = f"en el horario que indicaste ({when})" if when else "pronto"
    return (
        f"¡Listo{who}! Registré tus datos y un asesor de Kavak te contactará {slot}. "
        "¿Hay algo más en lo que te pueda ayudar?"
    )


def appointment_done(
    *, name: str | None, at: datetime | None, branch: str | None, address: str | None,
    car: CarOption | None,
) -> str:  # fmt: skip
    who = f", {name}" if name else ""
    when = f" {_when(at)}" if at else ""
    where = f" en *{branch}*" + (f" ({address.rstrip('.')})" if address else "") if branch else ""
    what = f" para ver el *{car.title}*" if car else ""
    tail = (
        "Un asesor de Kavak te contactará para confirmarla."
        if branch
        else "Un asesor de Kavak te contactará para confirmarla y darte la sucursal más cercana."
    )
    return f"¡Listo{who}! Registré tus datos y te agendé una cita{when}{where}{what}. {tail}"


def branch_offer(branches: Sequence[Branch]) -> str:
    first = branches[0]
    address = first.address.rstrip(".")
    if len(branches) == 1:
        return f"Te anoto en *{first.name}*: {address}."
    others = ", ".join(f"*{b.name}*" for b in branches[1:])
    return (
        f"En {first.city} tenemos {len(branches)} sucursales. Te anoto en *{first.name}* "
        f"({address}); si prefieres {others}, dímelo."
    )


def appointment_declined() -> str:
    return "Sin problema. Aquí estaré si quieres retomar la compra o ver otras opciones."


def soft_close(
    car: CarOption | None, *, name: str | None = None, plan: bool = True, data_asked: bool = True
) -> str:
    """``plan``: a financing simulation was shown (it stays in the chat to review);
    ``data_asked``: the name or phone was being asked (and is not registered)."""
    who = f", {name}" if name else ""
    what = f"el *{car.title}*" if car else "el auto"
    if not plan:
        registered = ", no registro tus datos" if data_asked else ""
        return (
            f"Sin problema{who}{registered}. Si más adelante quieres ver {what}, "
            "simular tu financiamiento o que te llame un asesor, solo escríbeme."
        )
    return (
        f"Sin problema{who}. Te dejo la simulación aquí para que la revises con calma. Si más "
        f"adelante quieres ver {what}, ajustar el enganche o el plazo, o que te llame un asesor, "
        "solo escríbeme."
    )


def take_your_time() -> str:
    return "Claro, tómate tu tiempo. Aquí estaré cuando quieras seguir."


# --- handoff -------------------------------------------------------------------------------------
def handoff(*, has_phone: bool, advisors_back: str | None = None) -> str:
    """``advisors_back``: when advisors are back ("mañana a las 9:00"), outside business hours."""
    if advisors_back:
        head = (
            "Claro, te comunico con un asesor de Kavak. Ahora estamos fuera de horario: te "
            f"escribirá {advisors_back} por este medio."
        )
        ask = "" if has_phone else " Si me compartes tu celular a 10 dígitos, te puede llamar."
        return head + ask
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


HANDOFF_ACKS = (
    "Tu conversación está con un asesor de Kavak; te responderá en breve.",
    "Recibido 👍. Se lo dejo al asesor en la conversación.",
    "Anotado; el asesor lo verá al abrir tu conversación.",
)


def handoff_ack(times: int, *, advisors_back: str | None = None) -> str:
    if advisors_back and times % len(HANDOFF_ACKS) == 0:
        return f"Tu conversación está con un asesor de Kavak; te escribirá {advisors_back}."
    return HANDOFF_ACKS[times % len(HANDOFF_ACKS)]


def handoff_noted(items: Sequence[str], *, name: str | None) -> str:
    who = f", {name}" if name else ""
    return f"Gracias{who}. Anoté {_join(list(items))} para el asesor; te contactará en breve."


def gave_up() -> str:
    return (
        "Perdón, no logro entenderte bien. Para no hacerte perder tiempo, te comunico con un "
        "asesor de Kavak."
    )


# --- other turns ---------------------------------------------------------------------------------
def reset() -> str:
    return "Listo, empecemos de nuevo."


def not_understood(action: Action, times_asked: int = 0) -> str:
    return "Perdón, no te entendí. " + question(action, times_asked)


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


def off_topic() -> str:
    return (
        "Eso no es algo en lo que pueda ayudarte 😅. Yo te ayudo a encontrar tu auto seminuevo "
        "en Kavak y a simular tu financiamiento."
    )


def resume(action: Action, times_asked: int = 0, *, appointment: bool = False) -> str:
    return "Retomando: " + question(action, times_asked, appointment=appointment)


def goodbye(*, shown: bool) -> str:
    kept = "guardo lo que vimos; cuando quieras retomar, solo escríbeme"
    return f"¡Gracias por escribir! Aquí {kept if shown else 'estaré cuando quieras'}. 🚗"


def thanks() -> str:
    return "¡Con gusto!"


def still_here() -> str:
    return "¡Aquí sigo! 🙂"


def info_prices() -> str:
    return "¡Con gusto te doy precios! Dependen del auto, así que cuéntame qué buscas."


def noted_contact(items: Sequence[str]) -> str:
    return f"Anoté {_join(list(items))}."


def need_details(*, equipment: bool) -> str:
    """A car wanted without a kind we can search by ("un carro rojo con pantalla")."""
    if equipment:
        return (
            "¡Claro! El color y el equipamiento los confirma un asesor con el auto ya elegido; "
            "para buscarlo necesito el tipo de auto o la marca."
        )
    return "¡Claro, te ayudo a encontrarlo!"


# --- Satisfaction (CSAT) --------------------------------------------------------------------------
def satisfaction_question(*, after_handoff: bool = False) -> str:
    """The one CSAT question; the options are in the text (WhatsApp shows them as written)."""
    lead = "Antes de que sigas: " if after_handoff else "Una última cosa: "
    return (
        f"{lead}del 1 al 5, ¿qué tan bien te atendimos? "
        "(1 = muy mal, 5 = excelente). Si quieres, agrega un comentario en el mismo mensaje."
    )


def satisfaction_thanks(score: int, *, comment: bool = False) -> str:
    if score >= 4:
        return "¡Muchas gracias por tu calificación! Nos da mucho gusto haberte ayudado. 🙌"
    if comment:
        return (
            "Gracias por tu calificación y por contarnos qué pasó. Lo vamos a revisar para "
            "atenderte mejor."
        )
    return (
        "Gracias por tu calificación. Lamentamos no haberte atendido como merecías; lo vamos a "
        "revisar para mejorar."
    )
