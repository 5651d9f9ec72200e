"""What the chat endpoints answer: the output serializers (the OpenAPI schema) and the renderers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from conversations.services import TurnOutcome


class CarOutput(serializers.Serializer[Any]):
    stock_id = serializers.CharField()
    make = serializers.CharField()
    model = serializers.CharField()
    year = serializers.IntegerField()
    version = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    km = serializers.IntegerField()
    body_type = serializers.CharField(help_text="sedan, hatchback, suv, pickup, minivan…")
    transmission = serializers.CharField(help_text="automatic, manual o vacío si no se sabe")
    seats = serializers.IntegerField(allow_null=True)


class AppointmentCarOutput(serializers.Serializer[Any]):
    stock_id = serializers.CharField()
    title = serializers.CharField()


class AppointmentOutput(serializers.Serializer[Any]):
    date = serializers.DateField(allow_null=True, help_text="null: el cliente no dio una fecha")
    time = serializers.CharField(allow_null=True, help_text="HH:MM, hora de México")
    weekday = serializers.CharField(allow_null=True)
    requested = serializers.CharField(help_text="Lo que escribió el cliente")
    branch = serializers.CharField(allow_null=True)
    city = serializers.CharField(allow_null=True)
    address = serializers.CharField(allow_null=True)
    car = AppointmentCarOutput(allow_null=True)


class FinancingOutput(serializers.Serializer[Any]):
    price = serializers.CharField()
    down_payment = serializers.CharField()
    financed_amount = serializers.CharField()
    annual_rate = serializers.CharField()
    term_months = serializers.IntegerField()
    monthly_payment = serializers.CharField()
    total_interest = serializers.CharField()
    total_paid = serializers.CharField()


class LeadOutput(serializers.Serializer[Any]):
    name = serializers.CharField()
    phone = serializers.CharField()
    preferred_contact_time = serializers.CharField()
    status = serializers.CharField()


class SourceOutput(serializers.Serializer[Any]):
    article = serializers.CharField()
    title = serializers.CharField()
    score = serializers.FloatField()


class StaffMessageOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="Creciente: pásalo como `after` para pedir lo nuevo")
    kind = serializers.ChoiceField(
        choices=["staff", "notice"],
        help_text="staff: escribió un asesor; notice: aviso (regreso al bot, espera de asesor)",
    )
    author = serializers.CharField(allow_null=True, help_text="Nombre (de pila) del asesor")
    text = serializers.CharField()
    at = serializers.DateTimeField()


class ChatOutput(serializers.Serializer[Any]):
    session_id = serializers.CharField()
    turn_id = serializers.CharField()
    reply = serializers.CharField(allow_blank=True)
    step = serializers.CharField()
    next_action = serializers.CharField()
    cars = CarOutput(many=True)
    financing = FinancingOutput(allow_null=True)
    lead = LeadOutput(allow_null=True)
    sources = SourceOutput(many=True)
    appointment = AppointmentOutput(allow_null=True)
    staff_messages = StaffMessageOutput(
        many=True, help_text="Mensajes de asesores y avisos desde el mensaje anterior del cliente"
    )
    bot_paused = serializers.BooleanField(help_text="true mientras un asesor tiene la conversación")


class MessagesOutput(serializers.Serializer[Any]):
    session_id = serializers.CharField()
    bot_paused = serializers.BooleanField()
    messages = StaffMessageOutput(many=True)


def render_outcome(outcome: TurnOutcome) -> dict[str, Any]:
    lead = outcome.lead
    return {
        "session_id": outcome.session_id,
        "turn_id": outcome.turn_id,
        "reply": outcome.reply,
        "step": outcome.step,
        "next_action": outcome.next_action,
        "cars": [
            {
                "stock_id": c.stock_id,
                "make": c.make,
                "model": c.model,
                "year": c.year,
                "version": c.version,
                "price": f"{c.price:.2f}",
                "km": c.km,
                "body_type": c.body_type,
                "transmission": c.transmission,
                "seats": c.seats,
            }
            for c in outcome.cars
        ],
        "financing": outcome.financing.as_dict() if outcome.financing else None,
        "lead": (
            {
                "name": lead.name,
                "phone": lead.phone,
                "preferred_contact_time": lead.preferred_contact_time,
                "status": lead.status,
            }
            if lead
            else None
        ),
        "sources": [
            {"article": s.article, "title": s.title, "score": s.score} for s in outcome.sources
        ],
        "appointment": _render_appointment(outcome.appointment),
        "staff_messages": [m.as_dict() for m in outcome.staff_messages],
        "bot_paused": outcome.bot_paused,
    }


_WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def _render_appointment(appointment: Any) -> dict[str, Any] | None:
    if appointment is None:
        return None
    at = appointment.at
    car = appointment.car
    return {
        "date": at.date().isoformat() if at else None,
        "time": f"{at:%H:%M}" if at else None,
        "weekday": _WEEKDAYS[at.weekday()] if at else None,
        "requested": appointment.requested,
        "branch": appointment.branch or None,
        "city": appointment.city or None,
        "address": appointment.address or None,
        "car": {"stock_id": car.stock_id, "title": car.title} if car else None,
    }


ERROR_SCHEMA = inline_serializer(
    "Error",
    fields={
        "error": serializers.CharField(),
        "message": serializers.CharField(),
        "request_id": serializers.CharField(required=False),
    },
)
