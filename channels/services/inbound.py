"""Intake exactly once and turns in arrival order.

``inbound_message_receive`` (webhook): Redis claim, ``INSERT … ON CONFLICT DO NOTHING`` on the
``MessageSid``, enqueue the turn. Milliseconds; no turn, no Twilio call.

``inbound_message_process`` (Celery): under the customer's row lock, the pending messages are
answered as one turn, the reply parts are written ``pending`` and the messages marked processed,
all in one transaction; then the parts are sent (``channels.services.outbound``). A redelivered or
concurrent task finds the messages processed, runs no second turn and only finishes the sending.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from channels import replies
from channels.formatting import is_opt_in, is_opt_out, message_split
from channels.messages import InboundMessage
from channels.models import WhatsAppContact, WhatsAppInbound, WhatsAppOutbound
from channels.selectors import (
    whatsapp_conversation_paused,
    whatsapp_inbound_heard,
    whatsapp_inbound_text,
)
from channels.services.outbound import (
    Status,
    outbound_group_answer_in_twiml,
    outbound_group_rephrase,
    outbound_group_schedule,
    outbound_group_send,
    outbound_parts_create,
)
from channels.services.voice import DISABLED as VOICE_DISABLED
from channels.services.voice import voice_note_media, voice_notes_transcribe
from channels.wiring import intake_guard
from conversations.models import Conversation, Message
from conversations.services import (
    TurnOutcome,
    conversation_slots_suggest,
    conversation_turn_handle,
    conversation_turn_rephrase,
    conversation_uses_llm,
)
from kavak import metrics
from kavak.exceptions import TransientError
from kavak.logging import log_context
from kavak.rows import insert_unless_conflict

if TYPE_CHECKING:
    from conversations.llm.services import LlmBudget

logger = logging.getLogger(__name__)

CHANNEL = Conversation.Channel.WHATSAPP
# Synchronous mode answers inside Twilio's webhook call: the LLM gets the inline (/chat) budget.
SYNC_LLM_CHANNEL = "whatsapp_sync"
InStatus = WhatsAppInbound.Status


@dataclass(frozen=True)
class ReceiveResult:
    duplicate: bool
    inbound_id: int | None = None
    throttled: bool = False
    reply_parts: tuple[str, ...] = ()  # synchronous mode only: the TwiML answer


def _enqueue_process(inbound_id: int, countdown: float) -> None:
    from channels.tasks import inbound_message_process as inbound_message_process_task

    try:
        inbound_message_process_task.apply_async(
            (inbound_id,),
            countdown=countdown or None,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
        )
    except Exception:
        # The message is stored: the customer's next message or the sweep picks it up.
        logger.exception("whatsapp_enqueue_failed inbound_id=%s", inbound_id)


def _insert_once(row: WhatsAppInbound) -> int | None:
    """``INSERT … ON CONFLICT (message_sid) DO NOTHING RETURNING id``; None for a duplicate.

    One statement in autocommit: no transaction to open, no exception to unwind, and the unique
    constraint decides between concurrent copies on any number of instances.
    """
    return insert_unless_conflict(row, conflict_on=("message_sid",))


def inbound_message_receive(
    *, message: InboundMessage, now: datetime | None = None, reply_inline: bool = True
) -> ReceiveResult:
    """Store one provider delivery exactly once and schedule its turn after the commit.

    Business rules: a copy of a message already stored (same ``MessageSid`` or Meta message id,
    also arriving at the same moment on another instance) is acknowledged and does nothing else;
    above ``WHATSAPP_RATE_LIMIT_MESSAGES`` per window a customer's messages are stored but not
    answered, and the first one over the limit triggers one polite notice. In synchronous mode the
    turn runs here and the reply comes back for the TwiML answer (``reply_inline``), or, for a
    provider without inline answers (Meta), is sent through its API before returning.
    """
    now = now or timezone.now()
    guard = intake_guard()
    claim = guard.claim(message_sid=message.message_sid, phone=message.phone)
    if claim.done_before:
        metrics.WEBHOOK_DUPLICATES_TOTAL.labels(layer="redis").inc()
        logger.info("whatsapp_duplicate source=redis message_sid=%s", message.message_sid)
        return ReceiveResult(duplicate=True)
    limit = settings.WHATSAPP_RATE_LIMIT_MESSAGES
    over = bool(limit and claim.count is not None and claim.count > limit)
    notice = bool(over and claim.count == limit + 1)
    sync = settings.WHATSAPP_MODE == "sync"
    inbound = WhatsAppInbound(
        message_sid=message.message_sid,
        account_sid=message.account_sid,
        messaging_service_sid=message.messaging_service_sid,
        from_address=message.from_address,
        to_address=message.to_address,
        phone=message.phone,
        wa_id=message.wa_id,
        profile_name=message.profile_name,
        body=message.body,
        kind=message.kind,
        media=[{"url": m.url, "content_type": m.content_type} for m in message.media],
        location=message.location,
        payload=message.payload,
        status=InStatus.THROTTLED if over else InStatus.RECEIVED,
        rate_notice=notice,
        received_at=now,
    )
    inbound.pk = _insert_once(inbound)
    if inbound.pk is None:
        guard.mark_done(message_sid=message.message_sid)
        metrics.WEBHOOK_DUPLICATES_TOTAL.labels(layer="db").inc()
        logger.info("whatsapp_duplicate source=db message_sid=%s", message.message_sid)
        return ReceiveResult(duplicate=True)
    if not sync and (not over or notice):
        countdown = 0.0 if over else settings.WHATSAPP_BURST_WINDOW_S
        # Autocommit: the row is already committed, so this runs now (deferred inside a block).
        transaction.on_commit(partial(_enqueue_process, inbound.pk, countdown))
    guard.mark_done(message_sid=message.message_sid)
    if over:
        metrics.RATE_LIMITED_SENDERS_TOTAL.inc()
        logger.warning(
            "whatsapp_rate_limited count=%s limit=%s window_s=%s notice=%s",
            claim.count,
            limit,
            settings.WHATSAPP_RATE_LIMIT_WINDOW_S,
            notice,
            extra={"phone": message.phone},
        )
    logger.info(
        "whatsapp_inbound_stored inbound_id=%s kind=%s message_sid=%s",
        inbound.pk,
        message.kind,
        message.message_sid,
    )
    parts: tuple[str, ...] = ()
    if sync and (not over or notice) and reply_inline:
        group = inbound_message_process(inbound_id=inbound.pk, deliver=False, now=now)
        parts = outbound_group_answer_in_twiml(group=group)
    elif sync and (not over or notice):
        try:
            inbound_message_process(inbound_id=inbound.pk, deliver=True, now=now)
        except TransientError as exc:  # the reply is stored pending: the sweep sends it
            logger.warning("whatsapp_sync_send_deferred inbound_id=%s error=%s", inbound.pk, exc)
    return ReceiveResult(duplicate=False, inbound_id=inbound.pk, throttled=over, reply_parts=parts)


def _contact_for(inbound: WhatsAppInbound) -> WhatsAppContact:
    contact, _ = WhatsAppContact.objects.get_or_create(
        phone=inbound.phone,
        defaults={
            "wa_id": inbound.wa_id,
            "profile_name": inbound.profile_name,
            "last_from": inbound.from_address,
            "last_to": inbound.to_address,
        },
    )
    return contact


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


def _mark(batch: list[WhatsAppInbound], *, status: str, now: datetime, **fields: Any) -> None:
    WhatsAppInbound.objects.filter(pk__in=[m.pk for m in batch]).update(
        status=status, processed_at=now, **fields
    )


def _notice(
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
    _mark(batch, status=status, now=now, reply_group=group)
    return group


@dataclass(frozen=True)
class _Answered:
    """What processing a message did: the reply group, and the turn when this call ran it."""

    group: str
    outcome: TurnOutcome | None = None
    text: str = ""
    llm_budget: LlmBudget | None = None  # the turn's LLM budget, when the LLM is on


@dataclass(frozen=True)
class _LlmPlan:
    """The optional LLM's part of a WhatsApp turn, prepared before the customer's lock is taken:
    one time budget for the whole turn, and slot suggestions for the text about to be answered."""

    budget: LlmBudget
    text: str
    suggested: dict[str, Any]


def _turn_text(bodies: list[str]) -> str:
    return "\n".join(b.strip() for b in bodies if b.strip())


def _llm_plan(
    *, inbound: WhatsAppInbound, now: datetime, window_s: float, deliver: bool
) -> _LlmPlan | None:
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
        return _LlmPlan(budget=budget, text="", suggested={})
    newest_pk, newest_at = pending[-1].pk, pending[-1].received_at
    if window_s > 0 and newest_pk != inbound.pk and newest_at + timedelta(seconds=window_s) > now:
        return _LlmPlan(budget=budget, text="", suggested={})  # deferred to the newest message
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
    return _LlmPlan(budget=budget, text=text, suggested=suggested)


def _answer_batch(
    *,
    contact: WhatsAppContact,
    batch: list[WhatsAppInbound],
    now: datetime,
    plan: _LlmPlan | None = None,
) -> _Answered:
    """Answer the customer's pending messages (arrival order) as one turn.

    Precondition: called inside ``transaction.atomic()`` holding the contact's row lock.
    """
    last = batch[-1]
    if contact.opted_out_at is None and any(is_opt_out(m.body) for m in batch):
        contact.opted_out_at = now
        contact.save(update_fields=["opted_out_at", "updated_at"])
        logger.info("whatsapp_opted_out", extra={"phone": contact.phone})
        return _Answered(
            _notice(
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
            _mark(batch, status=InStatus.OPTED_OUT, now=now)
            return _Answered("")
        contact.opted_out_at = None
        contact.save(update_fields=["opted_out_at", "updated_at"])
        logger.info("whatsapp_opted_in", extra={"phone": contact.phone})
        return _Answered(
            _notice(
                batch, name="optin", body=replies.opted_in(), now=now, status=InStatus.PROCESSED
            )
        )
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
        return _Answered(_notice(batch, name=name, body=body, now=now, status=InStatus.PROCESSED))
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
    parts = message_split(outcome.reply)
    group = f"turn-{outcome.turn_id}" if parts else ""
    if parts:
        _outbound_rows(
            group=group,
            bodies=parts,
            kind=WhatsAppOutbound.Kind.REPLY,
            last=last,
            conversation_id=outcome.conversation_id,
            turn_id=outcome.turn_id,
        )
    _mark(
        batch,
        status=InStatus.PROCESSED,
        now=now,
        conversation_id=outcome.conversation_id,
        turn_id=outcome.turn_id,
        reply_group=group,
    )
    budget = plan.budget if plan is not None else None
    return _Answered(group, outcome=outcome, text=text, llm_budget=budget)


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


def _handle(*, inbound_id: int, now: datetime, window_s: float, deliver: bool) -> _Answered:
    inbound = WhatsAppInbound.objects.filter(pk=inbound_id).first()
    if inbound is None:
        logger.warning("whatsapp_inbound_missing inbound_id=%s", inbound_id)
        return _Answered("")
    if inbound.reply_group or not (inbound.status == InStatus.RECEIVED or inbound.rate_notice):
        return _Answered(inbound.reply_group)
    contact = _contact_for(inbound)
    plan = None
    if inbound.status == InStatus.RECEIVED:
        # Voice notes first: their text is what the slot suggestions and the turn read.
        voice_notes_transcribe(phone=inbound.phone, now=now)
        plan = _llm_plan(inbound=inbound, now=now, window_s=window_s, deliver=deliver)
    with transaction.atomic():
        # The customer's lock: their messages are handled one batch at a time, in arrival order,
        # on whichever worker gets here first; the others wait here and then find nothing to do.
        contact = WhatsAppContact.objects.select_for_update().get(pk=contact.pk)
        inbound.refresh_from_db()
        if inbound.reply_group:
            return _Answered(inbound.reply_group)
        if inbound.status == InStatus.THROTTLED and inbound.rate_notice:
            return _Answered(
                _notice(
                    [inbound],
                    name="ratelimit",
                    body=replies.rate_limited(),
                    now=now,
                    status=InStatus.THROTTLED,
                )
            )
        if inbound.status != InStatus.RECEIVED:
            return _Answered("")
        pending = list(
            WhatsAppInbound.objects.filter(phone=inbound.phone, status=InStatus.RECEIVED).order_by(
                "received_at", "id"
            )
        )
        newest = pending[-1]
        if (
            window_s > 0
            and newest.pk != inbound.pk
            and newest.received_at + timedelta(seconds=window_s) > now
        ):
            # The customer is still typing: the newest message's task answers the whole burst.
            logger.info("whatsapp_burst_deferred inbound_id=%s newest_id=%s", inbound.pk, newest.pk)
            return _Answered("")
        untried = [m for m in pending if not m.transcription_status and voice_note_media(m)]
        if untried:
            # A voice note arrived after this task transcribed: its own task (already enqueued,
            # or the sweep's) transcribes it and answers the whole batch, as for a burst.
            logger.info(
                "whatsapp_voice_note_deferred inbound_id=%s voice_id=%s", inbound.pk, untried[0].pk
            )
            return _Answered("")
        contact.last_inbound_at = max(m.received_at for m in pending)
        contact.last_from = newest.from_address
        contact.last_to = newest.to_address
        contact.wa_id = newest.wa_id or contact.wa_id
        contact.profile_name = newest.profile_name or contact.profile_name
        contact.save(
            update_fields=[
                "last_inbound_at",
                "last_from",
                "last_to",
                "wa_id",
                "profile_name",
                "updated_at",
            ]
        )
        return _answer_batch(contact=contact, batch=pending, now=now, plan=plan)


def inbound_message_process(
    *, inbound_id: int, deliver: bool = True, now: datetime | None = None
) -> str:
    """Run the turn for a stored message (with the rest of its burst) and send the reply.

    Exactly once: the turn, the reply rows and the "processed" mark commit together under the
    customer's row lock, so a redelivered or concurrent task never runs a second turn; it only
    finishes sending what is still pending. Returns the reply group ("" when nothing to send).

    With the LLM on, its work happens outside the lock and within one budget for the turn: slot
    suggestions before, then the committed reply is reworded (``outbound_group_rephrase``) while
    none of its parts has left; any failure sends the deterministic reply.
    """
    now = now or timezone.now()
    window_s = settings.WHATSAPP_BURST_WINDOW_S if deliver else 0.0
    with log_context(channel=CHANNEL):
        answered = _handle(inbound_id=inbound_id, now=now, window_s=window_s, deliver=deliver)
        if answered.group:
            _llm_rephrase(answered)
        if answered.group and deliver:
            outbound_group_send(group=answered.group)
    return answered.group


def _llm_rephrase(answered: _Answered) -> None:
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


def whatsapp_pending_sweep(*, older_than_s: int = 120, now: datetime | None = None) -> int:
    """Re-enqueue work whose task was lost (broker down at enqueue time): stale pending messages
    and unsent reply parts. Safe to run any time: processing and sends are idempotent."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=older_than_s)
    newest_per_phone: dict[str, int] = {}
    for phone, inbound_id in (
        WhatsAppInbound.objects.filter(status=InStatus.RECEIVED, received_at__lt=cutoff)
        .order_by("received_at", "id")
        .values_list("phone", "pk")
    ):
        newest_per_phone[phone] = inbound_id
    count = 0
    for inbound_id in newest_per_phone.values():
        transaction.on_commit(partial(_enqueue_process, inbound_id, 0.0))
        count += 1
    groups = (
        WhatsAppOutbound.objects.filter(
            status__in=[Status.PENDING, Status.IN_FLIGHT, Status.UNKNOWN],
            created_at__lt=cutoff,
            created_at__gte=now - timedelta(days=1),
        )
        .values_list("group", flat=True)
        .distinct()
    )
    for group in groups:
        outbound_group_schedule(group=group)
        count += 1
    if count:
        logger.warning("whatsapp_sweep_requeued count=%s", count)
    return count


def inbound_message_fail(*, inbound_id: int, reason: str) -> int:
    """Give up on a message that cannot be processed (a bug, retries exhausted).

    The whole batch it belonged to (the customer's pending messages up to it) is marked failed:
    left pending, every later message would be batched with it and fail the same way, silencing
    the customer for good. Staff see them in the admin (status "Error al procesar").
    """
    inbound = WhatsAppInbound.objects.filter(pk=inbound_id).first()
    if inbound is None:
        return 0
    count = WhatsAppInbound.objects.filter(
        phone=inbound.phone, status=InStatus.RECEIVED, received_at__lte=inbound.received_at
    ).update(status=InStatus.FAILED, processed_at=timezone.now())
    if count:
        logger.error(
            "whatsapp_inbound_failed inbound_id=%s messages=%s reason=%s",
            inbound_id,
            count,
            reason[:200],
        )
    return count
