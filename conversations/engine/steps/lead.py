"""Lead capture: the contact data the message gives, and the questions for what is missing."""

from __future__ import annotations

from datetime import datetime

from conversations.engine import contact_time, replies, satisfaction
from conversations.engine.state import Action, Step
from conversations.engine.turn import NotifySales, TurnResult, UpsertLead
from conversations.engine.turn_builder import LEAD_ACTIONS, Turn


def take_contact(turn: Turn, *, any_time: bool) -> list[str]:
    """Record the name, phone, preferred time and branch the message gives; what was noted."""
    r = turn.reading
    s = turn.slots
    noted: list[str] = []
    other_phone = None
    if r.phone and r.phone != s.phone:
        # A second number next to the contact time is an alternative, not a replacement.
        if s.phone and turn.pending != Action.ASK_PHONE and r.contact_at is not None:
            other_phone = r.phone
        else:
            turn.set_slots(phone=r.phone)
            noted.append("tu celular")
    if r.name and r.name != s.name:
        if s.name and turn.pending not in LEAD_ACTIONS:
            turn.say(replies.name_changed(r.name))  # "mejor a nombre de mi esposa, Laura"
        turn.set_slots(name=r.name)
        noted.append("tu nombre")
    wants_contact = r.appointment or r.callback or s.wants_appointment or s.wants_callback
    timing = (
        any_time
        or turn.pending == Action.ASK_CONTACT_TIME
        or (
            turn.pending == Action.OFFER_APPOINTMENT
            and (r.yes or wants_contact or (r.contact_at is not None and not r.no))
        )
        or (wants_contact and turn.pending not in (Action.ASK_NAME, Action.ASK_PHONE))
        or (turn.pending in (Action.ASK_NAME, Action.ASK_PHONE) and bool(r.name or r.phone))
        # The time said while the name or phone is asked ("después de las 5") is kept; a
        # phone's digits are never read as an hour (``parse_contact_time`` strips them).
        or (turn.pending in (Action.ASK_NAME, Action.ASK_PHONE) and wants_contact)
    )
    if r.contact_at is not None and timing:
        when = r.contact_text or r.text
        at = r.contact_at
        if s.contact_at and s.contact_time and not contact_time.names_day(r.text):
            # "el sábado", then "10 am": the hour of the day already said.
            day = datetime.fromisoformat(s.contact_at)
            at = day.replace(hour=at.hour, minute=at.minute)
            when = f"{s.contact_time} {when}"
        if other_phone:
            when = f"{when} · otro número: {other_phone}"
        turn.set_slots(contact_time=when[:200], contact_at=at.isoformat())
        noted.append("el horario")
    offered = turn.pending == Action.OFFER_APPOINTMENT and not r.no
    if r.branches and (r.appointment or s.wants_appointment or any_time or offered):
        first = r.branches[0]
        turn.set_slots(branch=first.name, branch_city=first.city, branch_address=first.address)
        if not any_time:
            turn.say(replies.branch_offer(r.branches))
            turn.branch_offer = (len(turn.parts) - 1, r.branches)
            turn.changed.add("contact")  # "en cdmx" while the name is asked: a branch, no name
    if noted:
        turn.changed.add("contact")
    return noted


def advance_lead(turn: Turn) -> TurnResult:
    s = turn.slots
    # The name is asked twice at most: a customer who answers with the phone and the time
    # instead is not asked a third time (a loop); the advisor calls the number without it.
    if not s.name and not (s.phone and turn.state.times_asked(Action.ASK_NAME.value) >= 2):
        return turn.ask(Action.ASK_NAME)
    if not s.phone:
        return turn.ask(Action.ASK_PHONE)
    if not s.contact_time:
        return turn.ask(Action.ASK_CONTACT_TIME)
    if not s.lead_captured:
        return capture(turn)
    return turn.ask(Action.OFFER_HELP, step=Step.DONE)


def capture(turn: Turn) -> TurnResult:
    s = turn.slots
    turn.set_slots(lead_captured=True, lead_recorded=True)
    turn.understood["closing"] = satisfaction.LEAD
    appointment = s.wants_appointment and not s.wants_callback
    source = "appointment" if appointment else "lead_capture"
    turn.effects.extend([UpsertLead(source=source), NotifySales(reason="lead_captured")])
    at = datetime.fromisoformat(s.contact_at) if s.contact_at else None
    if appointment:
        turn.say(
            replies.appointment_done(
                name=s.name, at=at, branch=s.branch, address=s.branch_address, car=s.chosen
            )
        )
        return turn.ask(Action.OFFER_HELP, step=Step.DONE)
    when = at.strftime("%d/%m %H:%M") if at else (s.contact_time or None)
    turn.say(replies.lead_done(name=s.name, when=when))
    return turn.result(Action.OFFER_HELP, step=Step.DONE, ask=False)
