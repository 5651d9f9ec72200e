"""A turn's writes, applied: the engine returns them as data (effects), the shell applies them here.

Inside the turn's transaction and under the conversation's lock (``StateStore.locked``): the lead
upsert, the knowledge base's unanswered question, the satisfaction answer, the handoff status; the
sales notification is the lead store's, enqueued on commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from conversations.engine.financing import financing_plan
from conversations.engine.policy import (
    NotifySales,
    PauseBot,
    RecordKbMiss,
    RecordSatisfaction,
    TurnResult,
    UpsertLead,
)
from conversations.engine.state import CarOption, ConversationState
from conversations.models import Conversation
from conversations.ports import Session, StateStore
from leads.ports import AppointmentData, LeadData, LeadStore, LeadView


@dataclass(frozen=True)
class AppliedEffects:
    lead: LeadView | None  # the lead this turn created or updated
    status: str  # the conversation's status after the turn (handoff when the bot was paused)


def turn_effects_apply(
    *,
    result: TurnResult,
    session: Session,
    store: StateStore,
    leads: LeadStore,
    channel: str,
    rate: Decimal,
    now: datetime,
) -> AppliedEffects:
    """Apply a bot turn's effects; sales are notified only about a lead this turn wrote.

    Precondition: called inside ``store.locked(...)`` for ``session`` (the turn's transaction).
    """
    status = session.status
    lead_view: LeadView | None = None
    for effect in result.effects:
        if isinstance(effect, UpsertLead):
            lead_view = leads.upsert(
                data=lead_data(source=effect.source, session=session, state=result.state, rate=rate)
            )
        elif isinstance(effect, PauseBot):
            status = Conversation.Status.HANDOFF
        elif isinstance(effect, RecordKbMiss):
            _record_kb_miss(
                question=effect.question,
                confidence=effect.confidence,
                channel=channel,
                ref=str(session.conversation_id),
            )
        elif isinstance(effect, RecordSatisfaction):
            store.satisfaction_record(session, score=effect.score, comment=effect.comment, now=now)
    for effect in result.effects:
        if isinstance(effect, NotifySales) and lead_view is not None:
            leads.notify_sales(lead_id=lead_view.id, reason=effect.reason)
    return AppliedEffects(lead=lead_view, status=status)


def _financing_snapshot(state: ConversationState, config_rate: Decimal) -> dict[str, Any]:
    s = state.slots
    if s.chosen is None:
        return {}
    if s.cash_purchase:
        return {"cash_purchase": True, "price": f"{s.chosen.price:.2f}"}
    if s.down_payment is None or s.term_months is None:
        return {}
    return financing_plan(
        price=s.chosen.price,
        down_payment=s.down_payment,
        annual_rate=config_rate,
        term_months=s.term_months,
    ).as_dict()


def _car_snapshot(car: CarOption | None) -> dict[str, object]:
    if car is None:
        return {}
    return {
        "stock_id": car.stock_id,
        "make": car.make,
        "model": car.model,
        "year": car.year,
        "version": car.version,
        "price": f"{car.price:.2f}",
        "km": car.km,
    }


def lead_data(
    *, source: str, session: Session, state: ConversationState, rate: Decimal
) -> LeadData:
    s = state.slots
    contact_at = datetime.fromisoformat(s.contact_at) if s.contact_at else None
    appointment = None
    if source == "appointment":
        appointment = AppointmentData(
            scheduled_at=contact_at,
            requested=s.contact_time or "",
            branch=s.branch or "",
            branch_city=s.branch_city or "",
            branch_address=s.branch_address or "",
        )
    return LeadData(
        source=source,
        channel=session.channel,
        conversation_id=session.row_id,
        name=s.name or "",
        phone=s.phone or "",
        preferred_contact_time=s.contact_time or "",
        preferred_contact_at=contact_at,
        car_stock_id=s.chosen.stock_id if s.chosen else "",
        car_snapshot=_car_snapshot(s.chosen),
        financing_snapshot=_financing_snapshot(state, rate),
        appointment=appointment,
    )


def _record_kb_miss(*, question: str, confidence: float, channel: str, ref: str) -> None:
    try:
        from knowledge.services import knowledge_question_record
    except ImportError:  # pragma: no cover - the knowledge app always ships it
        return
    knowledge_question_record(
        question=question, confidence=confidence, channel=channel, conversation_ref=ref
    )
