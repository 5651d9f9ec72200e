"""The imperative shell of a conversation turn: lock, decide, save, apply effects after commit.

``conversation_turn_handle`` is the single entry point for every channel (``/chat``, the web demo,
the terminal, WhatsApp). No network I/O happens inside the transaction: the engine only reads the
catalogue and the knowledge base (database reads); notifications are enqueued on commit.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from conversations.engine import replies
from conversations.engine.policy import (
    EngineDeps,
    Inbound,
    RecordSatisfaction,
    TurnResult,
    UpsertLead,
    decide,
    decide_paused,
)
from conversations.engine.state import FUNNEL_ORDER, Action, ConversationState, Step
from conversations.models import Conversation
from conversations.ports import Session, StateStore
from conversations.satisfaction import satisfaction_enabled
from conversations.staff import ClientMessage
from conversations.turn_effects import lead_data, turn_effects_apply
from conversations.turn_llm import (
    conversation_llm_budget,
    conversation_rephrase_record,
    conversation_slots_suggest,
    conversation_turn_rephrase,
    conversation_turn_rewrite,
    conversation_uses_llm,
)
from conversations.turn_messages import turn_messages
from conversations.turn_outcome import Appointment, TurnOutcome
from conversations.wiring import engine_config, engine_deps, lead_store, state_store
from kavak import metrics
from kavak.logging import log_context
from leads.ports import LeadStore, LeadView

# The channels and the tests import a turn's outcome and its optional-LLM steps from here, the
# turn's entry point; they live in their own modules (``__all__`` makes the re-export explicit).
__all__ = [
    "Appointment",
    "TurnOutcome",
    "conversation_rephrase_record",
    "conversation_return_to_bot",
    "conversation_slots_suggest",
    "conversation_turn_handle",
    "conversation_turn_rephrase",
    "conversation_turn_rewrite",
    "conversation_uses_llm",
    "conversation_warm_up",
]

logger = logging.getLogger(__name__)


def _appointment(state: ConversationState) -> Appointment | None:
    s = state.slots
    if not (s.lead_captured and s.wants_appointment and not s.wants_callback):
        return None
    return Appointment(
        at=datetime.fromisoformat(s.contact_at) if s.contact_at else None,
        requested=s.contact_time or "",
        branch=s.branch or "",
        city=s.branch_city or "",
        address=s.branch_address or "",
        car=s.chosen,
    )


def conversation_turn_handle(
    *,
    channel: str,
    external_id: str,
    text: str,
    customer_phone: str | None = None,
    provider_message_id: str = "",
    deps: EngineDeps | None = None,
    now: datetime | None = None,
    llm_slots: Mapping[str, Any] | None = None,
    survey_allowed: bool = True,
) -> TurnOutcome:
    """Handle one customer message on any channel and return the agent's answer.

    Turns of one session are serialised by the state store's lock; the whole turn (state, message
    log, lead) commits atomically, and sales notifications are enqueued only after the commit.

    ``llm_slots``: a caller that runs the turn inside its own transaction (the WhatsApp task holds
    the customer's row lock) does the LLM steps itself around it, ``conversation_slots_suggest``
    before and ``conversation_turn_rewrite`` after its commit, and passes the suggestions here;
    the turn then calls no model.

    ``survey_allowed``: the channel may ask this customer the satisfaction question (WhatsApp:
    the customer did not opt out); CSAT_ENABLED and a stored conversation are required too.
    """
    deps = deps or engine_deps()
    now = now or timezone.now()
    turn_id = uuid.uuid4().hex
    started = time.perf_counter()
    with log_context(session_id=external_id, turn_id=turn_id, channel=channel):
        llm_budget = (
            None
            if llm_slots is not None
            else conversation_llm_budget(channel=channel, external_id=external_id)
        )
        suggested: dict[str, Any] = dict(llm_slots or {})
        if llm_budget is not None:
            suggested = conversation_slots_suggest(
                channel=channel,
                external_id=external_id,
                text=text,
                customer_phone=customer_phone,
                deps=deps,
                now=now,
                budget=llm_budget,
            )
        outcome = _turn(
            channel=channel,
            external_id=external_id,
            text=text,
            customer_phone=customer_phone,
            provider_message_id=provider_message_id,
            deps=deps,
            now=now,
            turn_id=turn_id,
            started=started,
            suggested=suggested,
            survey_allowed=survey_allowed,
        )
        elapsed = time.perf_counter() - started
        _observe(outcome, channel=channel, seconds=elapsed)
        logger.info(
            "turn_handled step=%s next_action=%s latency_ms=%.1f",
            outcome.step,
            outcome.next_action,
            elapsed * 1000,
        )
        if llm_budget is not None:  # issue 5: after the commit
            outcome = conversation_turn_rewrite(outcome=outcome, text=text, budget=llm_budget)
    return outcome


def _observe(outcome: TurnOutcome, *, channel: str, seconds: float) -> None:
    metrics.TURN_SECONDS.labels(channel=channel).observe(seconds)
    metrics.NEXT_ACTION_TOTAL.labels(next_action=outcome.next_action).inc()
    for step in outcome.reached:
        metrics.FUNNEL_STEP_TOTAL.labels(step=step).inc()
    faq = outcome.understood.get("faq")
    if isinstance(faq, dict):
        outcome_label = "confident" if faq.get("confident") else "fallback"
        metrics.KB_ANSWERS_TOTAL.labels(outcome=outcome_label).inc()
        metrics.KB_CONFIDENCE.observe(float(faq.get("confidence") or 0.0))


def _reached(
    session: Session, before: ConversationState, after: ConversationState, status: str
) -> tuple[str, ...]:
    steps: list[str] = ["need"] if session.created or session.returning else []
    start = FUNNEL_ORDER.index(before.furthest_step)
    steps += [
        s.value for s in FUNNEL_ORDER[start + 1 : FUNNEL_ORDER.index(after.furthest_step) + 1]
    ]
    if after.slots.lead_captured and not before.slots.lead_captured:
        steps.append("lead")
    if status == Conversation.Status.HANDOFF and session.status != status:
        steps.append("handoff")
    return tuple(steps)


def _turn(
    *,
    channel: str,
    external_id: str,
    text: str,
    customer_phone: str | None,
    provider_message_id: str,
    deps: EngineDeps,
    now: datetime,
    turn_id: str,
    started: float,
    suggested: dict[str, Any],
    survey_allowed: bool = True,
) -> TurnOutcome:
    """Lock the session's conversation, then a paused turn (a person has it) or a bot turn."""
    store = state_store()
    leads = lead_store()
    config = engine_config(now=now)
    with store.locked(channel=channel, external_id=external_id, now=now) as session:
        staff = _staff_since_last_turn(store, session)
        if session.status == Conversation.Status.HANDOFF:
            inbound = Inbound(text=text, channel=channel, customer_phone=customer_phone)
            return _paused_turn(
                session,
                store,
                text,
                provider_message_id,
                turn_id,
                now,
                leads,
                decide_paused(session.state, inbound, deps, config),
                rate=config.annual_rate,
                staff=staff,
            )
        survey = survey_allowed and store.keeps_satisfaction() and satisfaction_enabled()
        inbound = Inbound(
            text=text,
            channel=channel,
            customer_phone=customer_phone,
            suggested=suggested,
            survey=survey,
        )
        return _bot_turn(
            session,
            store,
            leads,
            inbound=inbound,
            result=decide(session.state, inbound, deps, config),
            rate=config.annual_rate,
            provider_message_id=provider_message_id,
            turn_id=turn_id,
            started=started,
            now=now,
            staff=staff,
        )


def _bot_turn(
    session: Session,
    store: StateStore,
    leads: LeadStore,
    *,
    inbound: Inbound,
    result: TurnResult,
    rate: Decimal,
    provider_message_id: str,
    turn_id: str,
    started: float,
    now: datetime,
    staff: tuple[ClientMessage, ...],
) -> TurnOutcome:
    """The bot answered: apply the effects, save the state and both messages (under the lock)."""
    step_before = session.state.step.value
    reply = result.reply
    if session.returning:
        reply = replies.welcome_back(result.state.slots.name) + "\n\n" + reply
    applied = turn_effects_apply(
        result=result,
        session=session,
        store=store,
        leads=leads,
        channel=inbound.channel,
        rate=rate,
        now=now,
    )
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    store.save(
        session,
        state=result.state,
        status=applied.status,
        messages=turn_messages(
            text=inbound.text,
            reply=reply,
            turn_id=turn_id,
            step_before=step_before,
            step_after=result.state.step.value,
            next_action=result.state.next_action.value,
            understood=result.understood,
            provider_message_id=provider_message_id,
            latency_ms=latency_ms,
        ),
        now=now,
    )
    lead_view = applied.lead
    if lead_view is None and result.state.slots.lead_recorded:
        # Only conversations that produced a lead pay for this read.
        lead_view = _conversation_lead(leads, session)
    return TurnOutcome(
        conversation_id=session.conversation_id,
        session_id=session.external_id,
        turn_id=turn_id,
        reply=reply,
        step=result.state.step.value,
        next_action=result.state.next_action.value,
        cars=result.cars,
        financing=result.financing,
        lead=lead_view,
        sources=result.sources,
        bot_paused=applied.status == Conversation.Status.HANDOFF,
        understood=result.understood,
        reached=_reached(session, session.state, result.state, applied.status),
        appointment=_appointment(result.state),
        staff_messages=staff,
    )


def _conversation_lead(leads: LeadStore, session: Session) -> LeadView | None:
    """Leads point at the conversation's row: one that lives only in process memory has none."""
    if session.row_id is None:
        return None
    return leads.for_conversation(conversation_id=session.row_id)


def _staff_since_last_turn(store: StateStore, session: Session) -> tuple[ClientMessage, ...]:
    """Only conversations a person ever took pay for this read (one indexed query)."""
    if session.handoff_at is None or session.created:
        return ()
    return store.staff_messages_since_last_turn(session)


def _paused_turn(
    session: Session,
    store: StateStore,
    text: str,
    provider_message_id: str,
    turn_id: str,
    now: datetime,
    leads: LeadStore,
    result: TurnResult,
    *,
    rate: Decimal,
    staff: tuple[ClientMessage, ...] = (),
) -> TurnOutcome:
    """A person has the conversation: store the message and the contact data it gives.

    The lead gets any phone, name or time the customer adds. On WhatsApp the bot stays silent (a
    person answers in that same chat; the data shows in the lead). On the web chat and the API
    it says what it noted, or acknowledges without repeating the same line, until a person has
    answered in this handoff: from then on the person answers there too, and the bot only speaks
    to confirm contact data it noted.
    """
    noted = any(isinstance(e, UpsertLead) for e in result.effects)
    for effect in result.effects:
        if isinstance(effect, RecordSatisfaction):
            store.satisfaction_record(session, score=effect.score, comment=effect.comment, now=now)
    reply = "" if session.channel == Conversation.Channel.WHATSAPP else result.reply
    if reply and not noted and store.handoff_answered(session):
        reply = ""
    lead_view = None
    if noted:
        lead_view = leads.upsert(
            data=lead_data(source="handoff", session=session, state=result.state, rate=rate)
        )
    messages = turn_messages(
        text=text,
        reply=reply or None,
        turn_id=turn_id,
        step_before=Step.HANDOFF.value,
        step_after=Step.HANDOFF.value,
        next_action=Action.HANDOFF_TO_HUMAN.value,
        understood=result.understood,
        provider_message_id=provider_message_id,
    )
    store.save(session, state=result.state, status=session.status, messages=messages, now=now)
    return TurnOutcome(
        conversation_id=session.conversation_id,
        session_id=session.external_id,
        turn_id=turn_id,
        reply=reply,
        step=Step.HANDOFF.value,
        next_action=Action.HANDOFF_TO_HUMAN.value,
        lead=lead_view or _conversation_lead(leads, session),
        bot_paused=True,
        appointment=_appointment(result.state),
        staff_messages=staff,
    )


def conversation_return_to_bot(*, conversation_id: int) -> None:
    """Staff hand the conversation back: the bot answers again from where the flow was."""
    state_store().set_status(conversation_id=conversation_id, status=Conversation.Status.ACTIVE)


def conversation_warm_up() -> None:
    """Build, before the first customer, what a fresh process would build during its first turns.

    Called by gunicorn's ``post_worker_init`` and by Celery's ``worker_init`` (channels/apps.py):
    the Spanish word lists, the catalogue vocabulary and the knowledge index (one dry engine
    reading of two messages, nothing written), the model client. A fresh thread-pool worker's
    first 64 turns otherwise waited seconds for them. Failures (the database not reachable yet)
    are logged and left to the first turn, as before; the connection is closed at the end so a
    forking Celery parent leaves nothing open to its children.
    """
    from django.db import connections

    from catalog.lexicon import is_common
    from conversations.engine.lexicon import frequent_words
    from conversations.wiring import llm_client

    started = time.perf_counter()
    is_common("a")
    frequent_words()
    try:
        deps, config = engine_deps(), engine_config(now=timezone.now())
        for text in ("hola, busco un sedán automático de 300 mil", "¿tienen garantía?"):
            decide(ConversationState(), Inbound(text=text, channel="api"), deps, config)
        llm_client()
    except Exception:
        logger.warning("warm_up_incomplete", exc_info=True)
    finally:
        connections.close_all()
    logger.info("warm_up_done seconds=%.2f", time.perf_counter() - started)
