"""Every Spanish sentence the deterministic agent says; figures come only from the caller.

WhatsApp-sized and spoken like a salesperson: money in prose without centavos unless they matter
(a monthly payment), no repeated make ("Mazda 3", not "Mazda Mazda 3"), and every question has
other wordings so the same one is never sent a third time (``question(action, times_asked)``).

This module holds the replies about the search and the options shown; the rest live beside it by
subject and are re-exported here (``__all__``), so every caller writes ``replies.X``:
``replies_words`` (money, kilometres, catalogue words), ``replies_questions`` (the questions and
their wordings), ``replies_money`` (budget, down payment, financing), ``replies_lead`` (contact
data, appointment, handoff) and ``replies_talk`` (small talk, closing, satisfaction). The cars'
facts and the financing rules are ``replies_cars``; the shell's handoff messages are
``replies_handoff``.
"""

from __future__ import annotations

from conversations.engine.replies_lead import (
    HANDOFF_ACKS,
    WEEKDAYS_ES,
    _when,
    appointment_declined,
    appointment_done,
    branch_offer,
    gave_up,
    handoff,
    handoff_ack,
    handoff_noted,
    handoff_waiting,
    invalid_name,
    invalid_phone,
    lead_done,
    name_changed,
    noted_contact,
    phone_noted,
    phone_refused,
)
from conversations.engine.replies_money import (
    budget_ack,
    cash_ack,
    cash_offer,
    choose_first,
    comparison_block,
    confirm_amount,
    down_payment_ack,
    down_payment_too_low,
    estimate_disclaimer,
    income_noted,
    invalid_term,
    minimum_down_comparison,
    monthly_budget_ack,
    monthly_by_option,
    own_car_noted,
    plan_block,
    price_plans,
    term_ack,
    term_advice,
    total_answer,
    totals_by_term,
)
from conversations.engine.replies_questions import (
    APPOINTMENT_TIME_VARIANTS,
    QUESTION_VARIANTS,
    QUESTIONS,
    not_understood,
    question,
    resume,
)
from conversations.engine.replies_talk import (
    adversarial,
    after_sale_person,
    discount,
    faq_unavailable,
    goodbye,
    greeting,
    info_prices,
    language_answer,
    off_topic,
    reset,
    satisfaction_question,
    satisfaction_thanks,
    soft_close,
    sorry_offer_person,
    still_here,
    suggestion,
    take_your_time,
    thanks,
    welcome_back,
    who_am_i,
)
from conversations.engine.replies_words import (
    BODY_TYPE_ES,
    FUEL_ES,
    USES_ES,
    _join,
    _transmission,
    km,
    mxn,
    mxn_cents,
)
from conversations.engine.state import CarOption

# The names of the sibling modules, so ``replies.X`` keeps working (and the private helpers
# ``replies_cars`` imports from here).
__all__ = [
    "APPOINTMENT_TIME_VARIANTS",
    "BODY_TYPE_ES",
    "FUEL_ES",
    "HANDOFF_ACKS",
    "QUESTIONS",
    "QUESTION_VARIANTS",
    "USES_ES",
    "WEEKDAYS_ES",
    "_join",
    "_transmission",
    "_when",
    "adversarial",
    "after_sale_person",
    "appointment_declined",
    "appointment_done",
    "branch_offer",
    "budget_ack",
    "budget_refines",
    "car_line",
    "cash_ack",
    "cash_offer",
    "choice_kept",
    "choose_first",
    "chosen_ack",
    "comparison_block",
    "confirm_amount",
    "details_by_advisor",
    "discount",
    "down_payment_ack",
    "down_payment_too_low",
    "estimate_disclaimer",
    "faq_unavailable",
    "gave_up",
    "goodbye",
    "greeting",
    "handoff",
    "handoff_ack",
    "handoff_noted",
    "handoff_waiting",
    "income_noted",
    "info_prices",
    "invalid_name",
    "invalid_phone",
    "invalid_term",
    "km",
    "language_answer",
    "lead_done",
    "minimum_down_comparison",
    "monthly_budget_ack",
    "monthly_by_option",
    "mxn",
    "mxn_cents",
    "name_changed",
    "need_ack",
    "need_details",
    "need_refines",
    "no_cars",
    "not_understood",
    "noted_contact",
    "off_topic",
    "options_again",
    "options_block",
    "options_intro",
    "own_car_noted",
    "phone_noted",
    "phone_refused",
    "plan_block",
    "price_plans",
    "question",
    "reset",
    "resume",
    "satisfaction_question",
    "satisfaction_thanks",
    "soft_close",
    "sorry_offer_person",
    "still_here",
    "suggestion",
    "take_your_time",
    "term_ack",
    "term_advice",
    "thanks",
    "total_answer",
    "totals_by_term",
    "welcome_back",
    "who_am_i",
]


def need_ack(summary: str, *, name: str | None = None) -> str:
    who = f", {name}" if name else ""
    return f"¡Va{who}! Te busco {summary}."


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


def need_refines() -> str:
    return (
        "Si me dices qué tipo de auto buscas (SUV, sedán, hatchback, pickup) o una marca, "
        "afino las opciones."
    )


def budget_refines() -> str:
    return "Si me dices tu presupuesto (o cuánto quieres pagar al mes), afino las opciones."


def details_by_advisor() -> str:
    """A colour or equipment asked of a car before any was shown ("¿lo tienen en rojo?")."""
    return (
        "El color y el equipamiento no vienen en el catálogo: un asesor te los confirma con el "
        "auto ya elegido."
    )


def need_details(*, equipment: bool) -> str:
    """A car wanted without a kind we can search by ("un carro rojo con pantalla")."""
    if equipment:
        return (
            "¡Claro! El color y el equipamiento los confirma un asesor con el auto ya elegido; "
            "para buscarlo necesito el tipo de auto o la marca."
        )
    return "¡Claro, te ayudo a encontrarlo!"
