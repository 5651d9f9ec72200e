"""Replies the shell sends about a human handoff outside a turn (never decided by the engine):
the conversation back with the assistant, and the wait outside the advisors' hours."""

from __future__ import annotations


def back_to_bot(staff_name: str | None) -> str:
    who = f"{staff_name} te regresó" if staff_name else "Te regreso"
    return (
        f"{who} con el asistente virtual de Kavak 🤖. Puedes seguir donde nos quedamos o "
        "escribir «empezar de nuevo». Si necesitas a una persona otra vez, pide un asesor."
    )


def handoff_delayed(*, open_until: str | None, next_open: str, hours: str) -> str:
    """The one honest message of a handoff nobody answered in time (or outside business hours).

    ``open_until``: closing time today when advisors are working now ("19:00"), else None;
    ``next_open``: when they are back ("mañana a las 9:00"); ``hours``: the business hours.
    """
    if open_until:
        return (
            "Perdón por la espera 🙏. Nuestros asesores siguen ocupados y todavía no han podido "
            "tomar tu conversación; te escribirá el primero que se libere (hoy atendemos hasta "
            f"las {open_until}). Tus mensajes quedan guardados aquí para él."
        )
    return (
        f"Nuestros asesores atienden {hours}. Ahora estamos fuera de ese horario: un asesor te "
        f"escribirá {next_open}. Tus mensajes quedan guardados aquí para él."
    )
