"""Lead replies: the customer's name and phone, the lead and the appointment registered, the
branch offered, and the handoff to an advisor within a turn."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from conversations.engine.ports import Branch
from conversations.engine.replies_words import _join
from conversations.engine.state import CarOption

WEEKDAYS_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def name_changed(name: str) -> str:
    return f"Anotado: a nombre de {name}."


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


def branch_offer(branches: Sequence[Branch], *, listed: bool = False) -> str:
    """``listed``: the customer asked which branches there are, and the answer lists them all
    (so the offer does not name them again)."""
    first = branches[0]
    address = first.address.rstrip(".")
    if len(branches) == 1:
        return f"Te anoto en *{first.name}*: {address}."
    if listed:
        return f"Te anoto en *{first.name}*; si prefieres otra de {first.city}, dímelo."
    others = ", ".join(f"*{b.name}*" for b in branches[1:])
    return (
        f"En {first.city} tenemos {len(branches)} sucursales. Te anoto en *{first.name}* "
        f"({address}); si prefieres {others}, dímelo."
    )


def appointment_declined() -> str:
    return "Sin problema. Aquí estaré si quieres retomar la compra o ver otras opciones."


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


def noted_contact(items: Sequence[str], *, when: str | None = None) -> str:
    """ "Anoté tu celular.", "Anoté el horario: el lunes." (the time as the customer said it)."""
    return f"Anoté {_join(list(items))}" + (f": {when}." if when else ".")
