"""The optional LLM around one turn: slot suggestions before its transaction, rewording after it.

The model is called only outside any transaction: slot suggestions before the turn's transaction,
the reply rewrite after it commits. A caller that is itself inside a transaction (the WhatsApp
turn task holds the customer's row lock) gets the deterministic turn; it may call
``conversation_turn_rewrite`` after its own commit. The calls to the model themselves (budgets,
prompts, guardrail, fallbacks) are ``conversations.llm``'s; this module decides when a turn makes
them and applies their answers to the turn. ``conversations.services`` re-exports its public names.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from conversations.engine.policy import EngineDeps, Inbound, decide
from conversations.engine.state import ConversationState
from conversations.models import Conversation
from conversations.turn_outcome import TurnOutcome
from conversations.wiring import engine_config, engine_deps, state_store

if TYPE_CHECKING:
    from conversations.llm.services import LlmBudget


def conversation_uses_llm(*, channel: str, external_id: str, now: datetime | None = None) -> bool:
    """May this session's next turn use the model (LLM_ENABLED and its rollout group)?

    The group recorded on the open conversation when it started; a session without one (first
    message, or idle long enough to start a new conversation, or one older than the rollout)
    gets the group its new conversation will record. Read outside the turn's lock: the group of
    a conversation never changes.
    """
    from conversations.wiring import llm_client, llm_rollout_group

    if not llm_client().enabled:
        return False
    recorded = state_store().llm_group(
        channel=channel, external_id=external_id, now=now or timezone.now()
    )
    if recorded is not None:
        return recorded
    return llm_rollout_group(channel=channel, external_id=external_id)[1]


def conversation_llm_budget(*, channel: str, external_id: str) -> LlmBudget | None:
    """The model's budget for this session's next turn, or None: the deterministic turn alone."""
    from conversations.llm.services import llm_fallback, llm_turn_budget
    from conversations.wiring import llm_client

    if not llm_client().enabled:
        return None
    if not conversation_uses_llm(channel=channel, external_id=external_id):
        return None  # the rollout's group without the model: the deterministic agent alone
    if transaction.get_connection().in_atomic_block:
        llm_fallback(use="turn", reason="in_transaction")
        return None
    return llm_turn_budget(channel=channel, conversation=f"{channel}:{external_id}")


def conversation_slots_suggest(
    *,
    channel: str,
    external_id: str,
    text: str,
    customer_phone: str | None,
    budget: LlmBudget,
    now: datetime | None = None,
    deps: EngineDeps | None = None,
) -> dict[str, Any]:
    """Slot suggestions from the LLM for a turn about to run (``{}`` when not needed or failed).

    Precondition: called outside any transaction (it waits on the network). The model is asked
    only when the engine alone is unsure: it understood nothing, matched a car only fuzzily, or
    read a number it would have to confirm.

    A dry run of the pure engine on an unlocked snapshot of the state tells; a stale snapshot only
    costs or saves one call, since the locked turn decides again and the engine ignores the
    suggestions unless it is lost there too.
    """
    from conversations.llm.services import SLOTS, llm_extract_slots, llm_use_enabled

    if not text.strip() or not llm_use_enabled(SLOTS):
        return {}
    state = ConversationState()
    current = state_store().open_conversation(channel=channel, external_id=external_id)
    if current is not None and current.status == Conversation.Status.HANDOFF:
        return {}
    if current is not None:
        state = current.state
    inbound = Inbound(text=text, channel=channel, customer_phone=customer_phone)
    config = engine_config(now=now or timezone.now())
    dry = decide(state, inbound, deps or engine_deps(), config)
    if not (dry.lost or dry.unsure):
        return {}
    return llm_extract_slots(text=text, state=state, budget=budget) or {}


def conversation_turn_rephrase(
    *, outcome: TurnOutcome, text: str, budget: LlmBudget
) -> TurnOutcome:
    """The outcome with the LLM's wording of its reply (FAQ phrasing or smoothing); stores nothing.

    Precondition: called outside any transaction (it waits on the network). On any failure the
    outcome comes back with the deterministic reply and ``understood["llm"] = None``.
    """
    from conversations.llm.services import llm_reply_rewrite

    if not outcome.reply or outcome.bot_paused:
        return outcome
    faq = outcome.understood.get("faq") or {}
    rewrite = llm_reply_rewrite(
        reply=outcome.reply,
        question=text,
        faq_confident=bool(faq.get("confident")),
        cars=outcome.cars,
        financing=outcome.financing,
        budget=budget,
    )
    if rewrite is None or rewrite.text == outcome.reply:
        return dataclasses.replace(outcome, understood={**outcome.understood, "llm": None})
    return dataclasses.replace(
        outcome, reply=rewrite.text, understood={**outcome.understood, "llm": rewrite.use}
    )


def conversation_rephrase_record(*, outcome: TurnOutcome, deterministic: str) -> None:
    """Store the reply actually sent for a rephrased turn, keeping the deterministic one."""
    if not outcome.understood.get("llm"):
        return
    state_store().reply_rephrased(
        conversation_id=outcome.conversation_id,
        turn_id=outcome.turn_id,
        text=outcome.reply,
        understood={"llm": outcome.understood["llm"], "deterministic": deterministic},
    )


def conversation_turn_rewrite(*, outcome: TurnOutcome, text: str, budget: LlmBudget) -> TurnOutcome:
    """Let the LLM phrase the FAQ answer or smooth the reply of a committed turn, and store it.

    Precondition: called outside any transaction (it waits on the network). The stored outbound
    message gets the new text and keeps the deterministic one in ``understood``; on any failure
    the outcome comes back with the deterministic reply.
    """
    rephrased = conversation_turn_rephrase(outcome=outcome, text=text, budget=budget)
    conversation_rephrase_record(outcome=rephrased, deterministic=outcome.reply)
    return rephrased
