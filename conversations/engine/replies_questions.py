"""The questions the agent asks, each in several wordings so the same one is never sent a third
time (``question(action, times_asked)``), and the same question after a misunderstanding or an
aside ("Retomando: ...")."""

from __future__ import annotations

from conversations.engine.state import Action

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


def not_understood(action: Action, times_asked: int = 0) -> str:
    return "Perdón, no te entendí. " + question(action, times_asked)


def resume(action: Action, times_asked: int = 0, *, appointment: bool = False) -> str:
    return "Retomando: " + question(action, times_asked, appointment=appointment)
