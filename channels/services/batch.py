"""One turn for a customer's pending WhatsApp messages, and the optional LLM's part around it.

``answer_batch`` runs under the customer's row lock (``inbound._handle`` takes it): consent
(opt-out, opt-in), messages the agent cannot read, then the conversation turn; the reply parts
are written ``pending`` and the messages marked, in the same transaction. ``llm_plan`` (slot
suggestions) runs before the lock and ``llm_rephrase`` after the commit: no network call under
a row lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from channels import replies
from channels.formatting import is_opt_in, is_opt_out
from channels.models import WhatsAppContact, WhatsAppInbound, WhatsAppOutbound
from channels.selectors import (
    whatsapp_conversation_paused,
    whatsapp_inbound_heard,
    whatsapp_inbound_text,
)
from channels.services.outbound import (
    outbound_group_rephrase,
    outbound_parts_create,
    outbound_reply_parts,
)
from channels.services.voice import DISABLED as VOICE_DISABLED
from channels.services.voice import voice_note_media
from conversations.models import Conversation, Message
from conversations.services import (
    TurnOutcome,
    conversation_slots_suggest,
    conversation_turn_handle,
    conversation_turn_rephrase,
    conversation_uses_llm,
)

if TYPE_CHECKING:
    from conversations.llm.services import LlmBudget

logger = logging.getLogger(__name__)

CHANNEL = Conversation.Channel.WHATSAPP
# Synchronous mode answers inside Twilio's webhook call: the LLM gets the inline (/chat) budget.
SYNC_LLM_CHANNEL = "whatsapp_sync"
InStatus = WhatsAppInbound.Status


def _outbound_rows(
    *, group: str, bodies: list[str], kind: str, last: WhatsAppInbound, **fields: Any
) -> None:
    """The answer's parts, addressed back to the sender of ``last`` (the batch's newest message)."""
    outbound_parts_create(
        group=group,
        bodies=bodies,
        kind=kind,
        to_address=last.from_address,
        from_address=last.to_address,
        to_phone=last.phone,
        **fields,
    )


def mark(batch: list[WhatsAppInbound], *, status: str, now: datetime, **fields: Any) -> None:
    WhatsAppInbound.objects.filter(pk__in=[m.pk for m in batch]).update(
        status=status, processed_at=now, **fields
    )


def notice(
    batch: list[WhatsAppInbound],
    *,
    name: str,
    body: str,
    now: datetime,
    status: str,
    bypass: bool = False,
) -> str:
    last = batch[-1]
    group = f"{name}-{last.pk}"
    _outbound_rows(
        group=group,
        bodies=[body],
        kind=WhatsAppOutbound.Kind.NOTICE,
        last=last,
        bypass_opt_out=bypass,
    )
    mark(batch, status=status, now=now, reply_group=group)
    return group


@dataclass(frozen=True)
class Answered:
    """What processing a message did: the reply group, and the turn when this call ran it."""

    group: str
    outcome: TurnOutcome | None = None
    text: str = ""
    llm_budget: LlmBudget | None = None  # the turn's LLM budget, when the LLM is on


@dataclass(frozen=True)
class LlmPlan:
    """The optional LLM's part of a WhatsApp turn, prepared before the customer's lock is taken:
    one time budget for the whole turn, and slot suggestions for the text about to be answered."""

    budget: LlmBudget
    text: str
    suggested: dict[str, Any]


def _turn_text(bodies: list[str]) -> str:
    return "\n".join(b.strip() for b in bodies if b.strip())


def llm_plan(
    *, inbound: WhatsAppInbound, now: datetime, window_s: float, deliver: bool
) -> LlmPlan | None:
    """Ask the LLM for slot suggestions outside any transaction (no network under a row lock).

    It reads the customer's pending messages without the lock: if the locked turn ends up
    answering a different text (a message arrived in between), the suggestions are dropped and
    the turn is deterministic; a wasted call at worst.
    """
    from conversations.llm.services import llm_turn_budget
    from conversations.wiring import llm_client

    if not llm_client().enabled:
        return None
    if not conversation_uses_llm(channel=CHANNEL, external_id=inbound.phone, now=now):
        return None  # the rollout's group without the model: deterministic turn and reply
    budget = llm_turn_budget(
        channel=CHANNEL if deliver else SYNC_LLM_CHANNEL, conversation=f"{CHANNEL}:{inbound.phone}"
    )
    pending = list(
        WhatsAppInbound.objects.filter(phone=inbound.phone, status=InStatus.RECEIVED)
        .order_by("received_at", "id")
        .only("pk", "body", "transcription", "received_at")
    )
    if not pending or any(is_opt_out(m.body) for m in pending):
        return LlmPlan(budget=budget, text="", suggested={})
    newest_pk, newest_at = pending[-1].pk, pending[-1].received_at
    if window_s > 0 and newest_pk != inbound.pk and newest_at + timedelta(seconds=window_s) > now:
        return LlmPlan(budget=budget, text="", suggested={})  # deferred to the newest message
    text = _turn_text([whatsapp_inbound_heard(m) for m in pending])
    suggested: dict[str, Any] = {}
    if text:
        try:
            suggested = conversation_slots_suggest(
                channel=CHANNEL,
                external_id=inbound.phone,
                text=text,
                customer_phone=inbound.phone,
                budget=budget,
                now=now,
            )
        except Exception:  # the optional model must never cost the customer their answer
            logger.exception("whatsapp_llm_step_failed step=slots")
    return LlmPlan(budget=budget, text=text, suggested=suggested)


def _consent_answer(
    *, contact: WhatsAppContact, batch: list[WhatsAppInbound], now: datetime
) -> Answered | None:
    """Opting out, opting back in, or staying out: the batch's answer, or None to run the turn.

    Precondition: as ``answer_batch`` (inside its transaction, holding the contact's row lock).
    """
    if contact.opted_out_at is None and any(is_opt_out(m.body) for m in batch):
        contact.opted_out_at = now
        contact.save(update_fields=["opted_out_at", "updated_at"])
        logger.info("whatsapp_opted_out", extra={"phone": contact.phone})
        return Answered(
            notice(
                batch,
                name="optout",
                body=replies.opted_out(),
                now=now,
                status=InStatus.OPTED_OUT,
                bypass=True,
            )
        )
    if contact.opted_out_at is not None:
        if not any(is_opt_in(m.body) for m in batch):
            mark(batch, status=InStatus.OPTED_OUT, now=now)
            return Answered("")
        contact.opted_out_at = None
        contact.save(update_fields=["opted_out_at", "updated_at"])
        logger.info("whatsapp_opted_in", extra={"phone": contact.phone})
        return Answered(
            notice(batch, name="optin", body=replies.opted_in(), now=now, status=InStatus.PROCESSED)
        )
    return None


def answer_batch(
    *,
    contact: WhatsAppContact,
    batch: list[WhatsAppInbound],
    now: datetime,
    plan: LlmPlan | None = None,
) -> Answered:
    """Answer the customer's pending messages (arrival order) as one turn.

    Precondition: called inside ``transaction.atomic()`` holding the contact's row lock.
    """
    consent = _consent_answer(contact=contact, batch=batch, now=now)
    if consent is not None:
        return consent
    last = batch[-1]
    paused = whatsapp_conversation_paused(phone=contact.phone)
    text = _turn_text([whatsapp_inbound_heard(m) for m in batch])
    if not text and not paused:
        notes = [m for m in batch if voice_note_media(m) is not None]
        if notes:  # one request to write, whether the LLM is off or transcribing failed
            can_listen = any(m.transcription_status != VOICE_DISABLED for m in notes)
            body = replies.voice_note_unheard(can_listen=can_listen)
            name = "voicenote"
        else:
            body, name = replies.text_only(), "textonly"
        return Answered(notice(batch, name=name, body=body, now=now, status=InStatus.PROCESSED))
    if paused:
        text = "\n".join(whatsapp_inbound_text(m) for m in batch)
    llm_slots = None
    if plan is not None:  # suggestions only for the very text they were asked for
        llm_slots = plan.suggested if plan.text == text else {}
    outcome = conversation_turn_handle(
        channel=CHANNEL,
        external_id=contact.phone,
        text=text,
        customer_phone=contact.phone,
        provider_message_id=last.message_sid,
        now=now,
        llm_slots=llm_slots,
        # Opted-out customers never reach a turn (above); said here so the rule is explicit.
        survey_allowed=contact.opted_out_at is None,
    )
    if not paused:
        _log_as_received(batch, outcome=outcome, text=text)
    # The satisfaction question asked in this turn leaves as its own part, with options to tap.
    parts, question = outbound_reply_parts(
        outcome.reply, survey=bool(outcome.understood.get("survey"))
    )
    group = f"turn-{outcome.turn_id}" if parts or question else ""
    if group:
        _outbound_rows(
            group=group,
            bodies=parts,
            kind=WhatsAppOutbound.Kind.REPLY,
            last=last,
            conversation_id=outcome.conversation_id,
            turn_id=outcome.turn_id,
            question=question,
        )
    mark(
        batch,
        status=InStatus.PROCESSED,
        now=now,
        conversation_id=outcome.conversation_id,
        turn_id=outcome.turn_id,
        reply_group=group,
    )
    budget = plan.budget if plan is not None else None
    return Answered(group, outcome=outcome, text=text, llm_budget=budget)


def _log_as_received(batch: list[WhatsAppInbound], *, outcome: TurnOutcome, text: str) -> None:
    """The turn answered what the customer said (a voice note's text, an image's caption); the
    log keeps what they sent: the transcription marked as a voice note, and a placeholder with
    the stored reference for a file the agent cannot read.

    Precondition: inside the turn's transaction (the log row and this edit commit together).
    """
    logged = "\n".join(whatsapp_inbound_text(m) for m in batch)
    if logged != text:
        Message.objects.filter(
            conversation_id=outcome.conversation_id,
            turn_id=outcome.turn_id,
            direction=Message.Direction.INBOUND,
        ).update(text=logged)


def llm_rephrase(answered: Answered) -> None:
    """Reword the reply of the turn this call ran, when the LLM is on (a budget was taken)."""
    outcome, budget = answered.outcome, answered.llm_budget
    if outcome is None or budget is None:
        return
    try:
        rephrased = conversation_turn_rephrase(outcome=outcome, text=answered.text, budget=budget)
        if rephrased.understood.get("llm"):
            outbound_group_rephrase(
                group=answered.group, outcome=rephrased, deterministic=outcome.reply
            )
    except Exception:  # a bug or a time limit here: the stored deterministic reply is sent
        logger.exception("whatsapp_llm_step_failed step=rephrase")
