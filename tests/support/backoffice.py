"""Back-office test data: leads, conversations with a known message log, a logged-in client.

The staff users per role are fixtures (``tests/integration/backoffice/conftest.py``)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from conversations.models import Conversation, Message
from leads.models import Lead

FINANCING = {
    "price": "239999.00",
    "down_payment": "47999.80",
    "financed_amount": "191999.20",
    "annual_rate": "0.1000",
    "term_months": 48,
    "monthly_payment": "4869.59",
    "total_interest": "41740.12",
    "total_paid": "281739.12",
}
CAR = {
    "stock_id": "1003",
    "make": "Nissan",
    "model": "Versa",
    "year": 2020,
    "version": "1.6 ADVANCE AUTO",
    "price": "239999.00",
    "km": 30000,
}


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


_phones = iter(range(5500000001, 5599999999))


def make_lead(
    *,
    assigned_to: Any = None,
    name: str = "Cliente",
    phone: str | None = None,
    status: str = Lead.Status.NEW,
    conversation: Conversation | None = None,
    car: dict[str, Any] | None = None,
    financing: dict[str, Any] | None = None,
    **fields: Any,
) -> Lead:
    return Lead.objects.create(
        name=name,
        phone=phone if phone is not None else f"+52{next(_phones)}",
        status=status,
        channel=conversation.channel if conversation else "web",
        conversation=conversation,
        car_stock_id=(car or {}).get("stock_id", ""),
        car_snapshot=car if car is not None else dict(CAR),
        financing_snapshot=financing if financing is not None else dict(FINANCING),
        assigned_to=assigned_to,
        **fields,
    )


def make_conversation(
    *,
    turns: Sequence[tuple[str, str, dict[str, Any]]] = (),
    channel: str = "web",
    started_at: datetime | None = None,
    external_id: str = "",
    latencies: Sequence[float] = (),
) -> Conversation:
    """A conversation whose message log has one inbound + one outbound message per turn.

    ``turns`` are ``(customer text, step_after, understood)``; the agent's replies get the given
    latencies (ms) in order. Timestamps follow ``started_at`` one minute per turn.
    """
    started_at = started_at or timezone.now()
    conversation = Conversation.objects.create(
        channel=channel, external_id=external_id or uuid.uuid4().hex
    )
    step_before = "need"
    furthest = "need"
    order = ("need", "budget", "options", "financing", "lead_capture")
    for i, (text, step_after, understood) in enumerate(turns):
        at = started_at + timedelta(minutes=i)
        turn_id = uuid.uuid4().hex
        inbound = Message.objects.create(
            conversation=conversation,
            direction="in",
            text=text,
            turn_id=turn_id,
            step_before=step_before,
            step_after=step_after,
            understood=understood,
        )
        outbound = Message.objects.create(
            conversation=conversation,
            direction="out",
            text=f"respuesta a «{text}»",
            turn_id=turn_id,
            step_before=step_before,
            step_after=step_after,
            latency_ms=latencies[i] if i < len(latencies) else 10.0,
        )
        Message.objects.filter(pk__in=[inbound.pk, outbound.pk]).update(created_at=at)
        if step_after in order and order.index(step_after) > order.index(furthest):
            furthest = step_after
        step_before = step_after
    Conversation.objects.filter(pk=conversation.pk).update(
        started_at=started_at,
        last_message_at=started_at + timedelta(minutes=max(len(turns) - 1, 0)),
        step=step_before,
        furthest_step=furthest,
        status="handoff" if step_before == "handoff" else "active",
    )
    conversation.refresh_from_db()
    return conversation


# --- A known message log for the funnel dashboard ------------------------------------------------
LEAD = {"lead_captured": True}
FAQ_OK = {"faq": {"confident": True, "confidence": 0.9}}
FAQ_MISS = {"faq": {"confident": False, "confidence": 0.1}}


def _day(days_ago: int, hour: int = 12) -> datetime:
    today = timezone.localdate()
    return timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(hour)))


def seed_known_log(*, sales: Any, sales2: Any) -> dict[str, Any]:
    """Ten conversations in the period with a known furthest step, one before it.

    need      A B C D E F G H I M   10
    budget      B C D E F   H   M    7  (C gives car and budget at once: need → options)
    options       C D E F   H   M    6
    financing       D E F       M    4  (M declines the appointment: financing → done)
    lead              E F            2  (F leaves name, phone and time in one message)
    handoff               G H        2  (G at the first message, H after seeing options)
    """
    latency = itertools.count(10, 10)  # 24 agent replies in the period: 10, 20, … 240 ms

    def conv(turns: list[tuple[str, str, dict[str, Any]]], days_ago: int, **kw: Any) -> Any:
        return make_conversation(
            turns=turns,
            started_at=_day(days_ago),
            latencies=[next(latency) for _ in turns],
            **kw,
        )

    log = {
        "A": conv([("hola", "need", {})], 9),
        "B": conv([("quiero un sedán", "budget", {})], 8),
        "C": conv([("Corolla, tengo 300 mil", "options", {})], 7),
        "D": conv(
            [
                ("un Versa", "budget", {}),
                ("250 mil", "options", {}),
                ("el primero", "financing", {}),
                ("20 % de enganche", "financing", {}),
            ],
            6,
        ),
        "E": conv(
            [
                ("Versa de 250 mil", "options", {}),
                ("el 1", "financing", {}),
                ("sí, quiero cita", "lead_capture", {}),
                ("Ana", "lead_capture", {}),
                ("5512345678", "lead_capture", {}),
                ("mañana a las 10", "done", LEAD),
            ],
            5,
        ),
        "F": conv(
            [
                ("CR-V de 400 mil", "options", {}),
                ("quiero financiar", "financing", {}),
                ("soy Luis, 5511112222, mañana", "done", LEAD),
            ],
            4,
        ),
        "G": conv([("quiero un asesor", "handoff", {"handoff": "asked"})], 3, channel="whatsapp"),
        "H": conv([("Corolla 300 mil", "options", {}), ("mejor un asesor", "handoff", {})], 2),
        "I": conv([("¿tienen garantía?", "need", FAQ_OK), ("¿venden motos?", "need", FAQ_MISS)], 1),
        "M": conv(
            [
                ("Versa 250 mil", "options", {}),
                ("el 1", "financing", {}),
                ("no, gracias", "done", {}),
            ],
            0,
        ),
    }
    # Before the period: must not count anywhere (its slow reply would move p95).
    log["old"] = make_conversation(
        turns=[("¿venden motos?", "options", FAQ_MISS)], started_at=_day(20), latencies=[9999]
    )
    make_lead(assigned_to=sales, conversation=log["E"], status="contactado")
    make_lead(assigned_to=sales, conversation=log["F"])
    make_lead(assigned_to=sales2, conversation=log["H"], source="handoff")
    make_lead(conversation=log["G"], source="handoff")
    old = make_lead(assigned_to=sales2, conversation=log["old"])
    Lead.objects.filter(pk=old.pk).update(created_at=_day(20))
    return log
