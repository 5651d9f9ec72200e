"""Contact data in a message: the contact-time phrase, booking cues, a capitalised name."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from conversations.engine import contact_time, lexicon, parsing
from conversations.engine.ports import KnowledgeBase
from conversations.engine.reading.text import (
    _alternation,
    _has,
)
from conversations.engine.state import Action, ConversationState

_APPOINTMENT = _alternation(lexicon.APPOINTMENT)
# The next step asked for, and nothing else: "¿cómo seguimos?", "¿qué sigue?", "¿y ahora qué?".
_NEXT_STEP = re.compile(
    r"\b(?:como (?:le )?(?:seguimos|continuamos|procedemos|hacemos|le hacemos|sigue|seguiria)"
    r"|que (?:sigue|procede|hacemos|seguiria)|(?:el )?siguientes? pasos?|y ahora que"
    r"|que (?:tengo|hay) que hacer)\W*$"
)


def asks_next_step(folded: str) -> bool:
    """ "¿cómo le hacemos?", "¿qué sigue?": the next step asked for, and nothing else."""
    return _NEXT_STEP.search(folded) is not None


_REFUSE_PHONE = _alternation(lexicon.REFUSE_PHONE)


_TIME_HINT = re.compile(
    r"\b(?:manana|hoy|lunes|martes|miercoles|jueves|viernes|sabado|domingo|semana|las|la|tarde|"
    r"noche|temprano|mediodia|am|pm|hrs)\b|\d:\d"
)
_BARE_HOUR = re.compile(r"^(?:[1-9]|1\d|2[0-3])(?::[0-5]\d)?\s*(?:am|pm|hrs|h)?$")
_BOOKING_STEPS = (
    Action.OFFER_APPOINTMENT,
    Action.ASK_NAME,
    Action.ASK_PHONE,
    Action.ASK_CONTACT_TIME,
)
# A message that may name a place ("en Monterrey", "mejor la de Polanco", "sucursal Santa Fe").
_PLACE_WORD = re.compile(
    r"\ben (?!(?:la|el|los|las|lo|un|una|que|cuanto|breve|cuanto|efectivo|linea)\b)\w{3,}"
    r"|\b(?:la de|el de|sucursal\w*|cerca de|agencia|tienda)\b"
)


# "Mario Pérez", "Pedro" (one word too: written with the phone, parse_name still vets it).
_CAPITALISED_NAME = re.compile(r"^[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+(?:\s+[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+){0,3}$")


_TRAILING_LINK = re.compile(
    r"[\s,;]*(?:(?:o|y|si no|sino|o si no|o bien)\s+)?(?:marcame |llamame |marquen |llamen )?"
    r"(?:al|a mi|mi|el|a este|a)?\s*(?:cel|celular|numero|tel|telefono)?\s*$",
    re.IGNORECASE,
)


def _contact_text(text: str) -> str:
    """The contact-time phrase, without a phone number and what follows it ("mañana a las 11,
    o al 81 1234 5678 si no contesto" → "mañana a las 11")."""
    m = parsing._PHONE_RE.search(text)
    if m and len(re.sub(r"\D", "", m.group(0))) >= 10:
        before = text[: m.start()]
        text = _TRAILING_LINK.sub("", before) if before.strip() else text[m.end() :]
    return re.sub(r"\s+", " ", text).strip(" ,.;")[:200]


def _read_contact(
    text: str,
    folded: str,
    *,
    state: ConversationState,
    phone: str | None,
    names_car: bool,
    question: bool,
    now: datetime,
    knowledge: KnowledgeBase,
) -> dict[str, Any]:
    """The name, phone, contact time and branches the message gives, and a visit asked for."""
    slots = state.slots
    pending = state.next_action
    expecting_name = pending == Action.ASK_NAME
    name = parsing.parse_name(text, expecting=expecting_name and not names_car and not question)
    if name is None and phone and not names_car and not question:
        # "Mario Pérez 33 1122 3344": a name written with the phone is the name, at any step.
        rest = parsing.strip_phones(text)
        if _CAPITALISED_NAME.match(rest.strip(" ,.-")):
            name = parsing.parse_name(rest, expecting=True)
    # Most messages name no day or hour: the time parsers run only when one may be there.
    timed = _TIME_HINT.search(folded) is not None
    if not timed and slots.contact_at and pending in _BOOKING_STEPS and _BARE_HOUR.match(folded):
        # "el sábado" … "11": the hour of the day already said (a bare number while booking).
        text = f"a las {folded}"
        timed = True
    contact_at = contact_time.parse_contact_time(text, now=now) if timed else None
    contact_text: str | None
    if contact_at is not None:
        contact_text = contact_time.contact_phrase(text) or _contact_text(text)
    else:
        contact_text = _contact_text(text) if pending == Action.ASK_CONTACT_TIME else None
    # "¿cómo seguimos?" once a car is chosen (or the visit offered): the next step is the visit.
    next_step = (slots.chosen is not None or pending == Action.OFFER_APPOINTMENT) and (
        asks_next_step(folded)
    )
    appointment = _has(folded, _APPOINTMENT) or next_step
    # Branches matter only when booking (asking the knowledge base costs a scan of its cities).
    booking = appointment or (
        (slots.wants_appointment or pending in _BOOKING_STEPS) and _PLACE_WORD.search(folded)
    )
    branches = knowledge.branches_in(text) if booking else ()
    return {
        "name": name,
        "phone": phone,
        "contact_at": contact_at,
        "contact_text": contact_text,
        "branches": tuple(branches),
        "refuses_phone": _has(folded, _REFUSE_PHONE),
        "appointment": appointment,
    }
