"""Small talk and closing: the greeting, who the agent is, thanks and goodbyes, what it will not do
(gifts, discounts, other topics), a soft close, and the satisfaction (CSAT) question."""

from __future__ import annotations

from conversations.engine.state import CarOption


def greeting() -> str:
    return (
        "¡Hola! Soy el asistente virtual de Kavak 🚗. Te ayudo a encontrar tu próximo auto "
        "seminuevo y a simular tu financiamiento."
    )


def welcome_back(name: str | None) -> str:
    who = f", {name}" if name else ""
    return f"¡Qué gusto verte de nuevo{who}! Empecemos una nueva búsqueda."


def who_am_i() -> str:
    return (
        "Soy el asistente virtual de Kavak: un programa, no una persona. Te ayudo a encontrar "
        "auto y a simular tu financiamiento; si prefieres hablar con un asesor, dime «asesor»."
    )


def language_answer() -> str:
    return (
        "Te atiendo en español 🙂, aunque entiendo mensajes sencillos en inglés (I understand "
        "simple English). Si prefieres que un asesor te atienda, dime «asesor»."
    )


def sorry_offer_person() -> str:
    return (
        "Lamento mucho la molestia. Si quieres, te comunico ahora con un asesor de Kavak "
        "(escribe «asesor»); mientras, aquí sigo para ayudarte."
    )


def after_sale_person() -> str:
    """A customer who bought already and has a problem with the car: a person reviews it."""
    return (
        "Lamento lo que pasó con tu auto. Para revisar tu caso te comunico con un asesor de Kavak "
        "(escribe «asesor»); mientras, aquí sigo para ayudarte."
    )


def soft_close(
    car: CarOption | None,
    *,
    name: str | None = None,
    plan: bool = True,
    data_asked: bool = True,
    thanked: bool = False,
) -> str:
    """``plan``: a financing simulation was shown (it stays in the chat to review);
    ``data_asked``: the name or phone was being asked (and is not registered); ``thanked``: the
    customer closed with thanks ("ok gracias"), not with a no."""
    who = f", {name}" if name else ""
    what = f"el *{car.title}*" if car else "el auto"
    if not plan:
        registered = ", no registro tus datos" if data_asked else ""
        return (
            f"Sin problema{who}{registered}. Si más adelante quieres ver {what}, "
            "simular tu financiamiento o que te llame un asesor, solo escríbeme."
        )
    opening = f"¡Con gusto{who}!" if thanked else f"Sin problema{who}."
    return (
        f"{opening} Te dejo la simulación aquí para que la revises con calma. Si más "
        f"adelante quieres ver {what}, ajustar el enganche o el plazo, o que te llame un asesor, "
        "solo escríbeme."
    )


def take_your_time() -> str:
    return "Claro, tómate tu tiempo. Aquí estaré cuando quieras seguir."


def reset() -> str:
    return "Listo, empecemos de nuevo."


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


def goodbye(*, shown: bool) -> str:
    kept = "guardo lo que vimos; cuando quieras retomar, solo escríbeme"
    return f"¡Gracias por escribir! Aquí {kept if shown else 'estaré cuando quieras'}. 🚗"


def thanks() -> str:
    return "¡Con gusto!"


def still_here() -> str:
    return "¡Aquí sigo! 🙂"


def info_prices(prices: bool = True) -> str:
    """ "precios", "cotización", or only "información" asked before anything else."""
    if not prices:
        return "¡Con gusto te doy información! Cuéntame qué auto buscas y te muestro opciones."
    return "¡Con gusto te doy precios! Dependen del auto, así que cuéntame qué buscas."


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
