"""Sends exactly once: claim a part before Twilio is called, reconcile what is ambiguous, in order.

Rules: a part is claimed (``pending`` → ``in_flight``) before the API call, so two workers never
send it; retries only after connection errors, 429 and 5xx; an ambiguous outcome (a timeout after
the request left, a worker killed mid-call) is reconciled against Twilio's message list and resent
only when verified absent, never blindly; an earlier answer to the same customer still on its way
holds later ones back; opted-out numbers get nothing.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from channels.formatting import message_split
from channels.messages import Choice, Choices, OutboundRequest, SendError
from channels.models import WhatsAppOutbound, WhatsAppStatusEvent
from channels.phones import phone_normalise, whatsapp_address
from channels.ports import OutboundSender
from channels.selectors import whatsapp_contact_opted_out
from channels.services.statuses import Status, outbound_mark_accepted
from channels.wiring import outbound_sender, whatsapp_default_address, whatsapp_template
from conversations.satisfaction import (
    SATISFACTION_BUTTON,
    SATISFACTION_OPTIONS,
    satisfaction_question_split,
)
from kavak import metrics
from kavak.exceptions import TransientError

if TYPE_CHECKING:
    from conversations.services import TurnOutcome

logger = logging.getLogger(__name__)

# Statuses after which a part is never sent again.
_FINAL = frozenset(
    {
        Status.QUEUED,
        Status.SENT,
        Status.DELIVERED,
        Status.READ,
        Status.UNDELIVERED,
        Status.FAILED,
        Status.SUPPRESSED,
        Status.TWIML,
    }
)
# An earlier answer to the same customer still on its way holds later ones back (order), but only
# for a while: a message stuck for longer must not silence the conversation.
_ORDER_HOLD = timedelta(minutes=10)


class SendLater(TransientError):
    """A part cannot be sent right now; the task retries after ``countdown`` seconds."""

    def __init__(self, message: str, *, countdown: float) -> None:
        super().__init__(message)
        self.countdown = countdown


def _ambiguity_wait(sender: OutboundSender) -> timedelta:
    """How long an unconfirmed send may still be in flight at the provider before we reconcile."""
    return timedelta(seconds=sender.reconcile_after_s)


def _status_callback_url() -> str:
    base = settings.PUBLIC_BASE_URL
    return f"{base}/channels/whatsapp/status" if base else ""


def _request(row: WhatsAppOutbound) -> OutboundRequest:
    return OutboundRequest(
        to=row.to_address,
        from_=row.from_address,
        body=row.body,
        content_sid=row.content_sid,
        content_variables=row.content_variables,
        status_callback=_status_callback_url(),
        key=row.idempotency_key,
        choices=Choices.from_json(row.choices),
    )


def _reconcile_from_status_events(row: WhatsAppOutbound) -> bool:
    """A status webhook that echoed this part's key (Meta) proves the provider accepted it."""
    events = (
        WhatsAppStatusEvent.objects.filter(callback_key=row.idempotency_key)
        .exclude(provider_sid="")
        .order_by("received_at")
    )
    for event in events:
        if WhatsAppOutbound.objects.filter(provider_sid=event.provider_sid).exists():
            continue
        try:
            outbound_mark_accepted(
                row=row, sid=event.provider_sid, provider_status="accepted", now=timezone.now()
            )
        except IntegrityError:
            continue
        logger.warning("whatsapp_send_reconciled outcome=found_status outbound_id=%s", row.pk)
        return True
    return False


def _reconcile(*, row: WhatsAppOutbound, sender: OutboundSender) -> bool:
    """Did the provider accept this part although we never saw its answer? Record it if so."""
    if _reconcile_from_status_events(row):
        return True
    since = (row.attempt_started_at or timezone.now()) - timedelta(seconds=5)
    try:
        records = sender.recent(to=row.to_address, from_=row.from_address, since=since)
    except SendError as exc:
        raise SendLater(f"reconcile failed: {exc}", countdown=5.0) from exc
    sids = [r.sid for r in records]
    known = set(
        WhatsAppOutbound.objects.filter(provider_sid__in=sids).values_list(
            "provider_sid", flat=True
        )
    )
    for record in sorted(records, key=lambda r: r.created_at or since):
        if record.sid in known or not record.sid:
            continue
        if row.content_sid or record.body == row.body:
            try:
                outbound_mark_accepted(
                    row=row, sid=record.sid, provider_status=record.status, now=timezone.now()
                )
            except IntegrityError:
                continue
            logger.warning("whatsapp_send_reconciled outcome=found outbound_id=%s", row.pk)
            return True
    return False


def _earlier_unsent(row: WhatsAppOutbound, now: datetime) -> bool:
    return (
        WhatsAppOutbound.objects.filter(
            to_phone=row.to_phone,
            pk__lt=row.pk,
            status__in=[Status.PENDING, Status.IN_FLIGHT, Status.UNKNOWN],
            created_at__gte=now - _ORDER_HOLD,
        )
        .exclude(group=row.group)
        .exists()
    )


def _earlier_unsent_after_wait(row: WhatsAppOutbound, wait_s: float = 1.0) -> bool:
    """The common case is an earlier reply whose API call is finishing right now: wait a moment
    here instead of handing the task back to the broker."""
    deadline = time.monotonic() + wait_s
    while _earlier_unsent(row, timezone.now()):
        if time.monotonic() >= deadline:
            return True
        time.sleep(0.025)
    return False


def _backoff(attempts: int) -> float:
    return min(30.0, 0.5 * 2.0 ** max(attempts - 1, 0)) + random.uniform(0, 0.25)  # noqa: S311


def _send_one(*, pk: int) -> bool:
    """Send one part at most once. Returns True when this call got it accepted by the provider
    (the one of the business number the part is sent from)."""
    row = WhatsAppOutbound.objects.filter(pk=pk).first()
    if row is None:  # a trailing part dropped by ``outbound_group_rephrase``
        return False
    sender = outbound_sender(row.from_address)
    now = timezone.now()
    if row.status in _FINAL:
        return False
    if row.status in (Status.IN_FLIGHT, Status.UNKNOWN):
        started = row.attempt_started_at or now
        remaining = (started + _ambiguity_wait(sender) - now).total_seconds()
        if remaining > 0:
            raise SendLater(f"outbound {pk} in flight", countdown=remaining + 0.1)
        if _reconcile(row=row, sender=sender):
            return False
        # Verified absent from Twilio: sending now is not a blind resend.
        if not WhatsAppOutbound.objects.filter(
            pk=pk, status=row.status, attempt_started_at=row.attempt_started_at
        ).update(status=Status.PENDING):
            raise SendLater(f"outbound {pk} changed while reconciling", countdown=0.2)
        logger.warning("whatsapp_send_reconciled outcome=absent_resending outbound_id=%s", pk)
        row.refresh_from_db()
    if not row.bypass_opt_out and whatsapp_contact_opted_out(phone=row.to_phone):
        WhatsAppOutbound.objects.filter(pk=pk, status=Status.PENDING).update(
            status=Status.SUPPRESSED
        )
        logger.info("whatsapp_send_suppressed reason=opted_out outbound_id=%s", pk)
        return False
    if _earlier_unsent_after_wait(row):
        raise SendLater(f"outbound {pk} waits for an earlier message", countdown=0.3)
    # ``body``: the text read above is the text sent, even if the reply was just reworded.
    claimed = WhatsAppOutbound.objects.filter(pk=pk, status=Status.PENDING, body=row.body).update(
        status=Status.IN_FLIGHT, attempt_started_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        raise SendLater(f"outbound {pk} claimed elsewhere", countdown=0.5)
    attempts = row.attempts + 1
    try:
        result = sender.send(_request(row))
    except SendError as exc:
        mine = WhatsAppOutbound.objects.filter(pk=pk, status=Status.IN_FLIGHT)
        if exc.ambiguous:
            mine.update(status=Status.UNKNOWN, last_error=str(exc)[:300])
            logger.warning("whatsapp_send_ambiguous outbound_id=%s error=%s", pk, exc)
            wait_s = _ambiguity_wait(sender).total_seconds()
            raise SendLater(str(exc), countdown=wait_s + 0.1) from exc
        if exc.retryable and attempts < settings.WHATSAPP_SEND_MAX_ATTEMPTS:
            mine.update(status=Status.PENDING, last_error=str(exc)[:300], error_code=exc.code)
            logger.warning(
                "whatsapp_send_retry outbound_id=%s attempt=%s error=%s", pk, attempts, exc
            )
            raise SendLater(str(exc), countdown=_backoff(attempts)) from exc
        mine.update(status=Status.FAILED, last_error=str(exc)[:300], error_code=exc.code)
        metrics.OUTBOUND_STATUS_TOTAL.labels(status="failed").inc()
        logger.error("whatsapp_send_failed outbound_id=%s code=%s error=%s", pk, exc.code, exc)
        return False
    outbound_mark_accepted(
        row=row, sid=result.sid, provider_status=result.status, now=timezone.now()
    )
    metrics.OUTBOUND_STATUS_TOTAL.labels(status="accepted").inc()
    logger.info("whatsapp_sent outbound_id=%s kind=%s seq=%s", pk, row.kind, row.seq)
    return True


def outbound_parts_create(
    *,
    group: str,
    bodies: list[str],
    kind: str,
    to_address: str,
    from_address: str,
    to_phone: str,
    question: tuple[str, Choices] | None = None,
    **fields: Any,
) -> None:
    """Store the parts of one answer as ``pending`` rows, keyed ``{group}:{seq}`` (sent once).

    ``question``: a last part with options to tap (its text, and the options); the adapter of
    the number it leaves from shows them as its provider can. On Twilio that takes the approved
    template configured for the question's purpose, stored on the row like any template.
    """
    rows = [
        WhatsAppOutbound(
            idempotency_key=f"{group}:{seq}",
            group=group,
            seq=seq,
            kind=kind,
            to_address=to_address,
            from_address=from_address,
            to_phone=to_phone,
            body=body,
            **fields,
        )
        for seq, body in enumerate(bodies)
    ]
    if question is not None:
        text, choices = question
        rows.append(
            WhatsAppOutbound(
                idempotency_key=f"{group}:{len(rows)}",
                group=group,
                seq=len(rows),
                kind=kind,
                to_address=to_address,
                from_address=from_address,
                to_phone=to_phone,
                body=text,
                choices=choices.to_json(),
                content_sid=whatsapp_template(
                    purpose=choices.purpose, business_address=from_address
                ),
                **{k: v for k, v in fields.items() if k not in ("content_sid", "choices")},
            )
        )
    WhatsAppOutbound.objects.bulk_create(rows)


def outbound_reply_parts(
    text: str, *, survey: bool
) -> tuple[list[str], tuple[str, Choices] | None]:
    """The parts of an answer to store: its text split to WhatsApp's size and, when the
    conversation just asked the satisfaction question (``survey``) and the text ends with it, the
    question apart as a last part with the 1-5 options to tap."""
    split = satisfaction_question_split(text) if survey else None
    if split is None:
        return message_split(text), None
    before, question = split
    choices = Choices(
        purpose="csat",
        button=SATISFACTION_BUTTON,
        options=tuple(Choice(answer=a, title=t) for a, t in SATISFACTION_OPTIONS),
    )
    return message_split(before), (question, choices)


def outbound_group_send(*, group: str) -> int:
    """Send the parts of one answer in order, each at most once. Returns how many went out now.

    Rules: a part is claimed before Twilio is called; retries only after connection errors, 429
    and 5xx; an ambiguous outcome (timeout after the request left, a worker killed mid-call) is
    reconciled against Twilio's message list and resent only when verified absent; an earlier
    answer to the same customer still on its way holds this one back; opted-out numbers get
    nothing. Raises ``SendLater`` when the task must come back.
    """
    sent = 0
    for pk in (
        WhatsAppOutbound.objects.filter(group=group).order_by("seq").values_list("pk", flat=True)
    ):
        sent += _send_one(pk=pk)
    return sent


def outbound_group_rephrase(*, group: str, outcome: TurnOutcome, deterministic: str) -> bool:
    """Replace a committed reply that has not started to leave by its LLM wording.

    Rules: only while every part of the group is still ``pending`` (locked here, so no sender can
    claim one meanwhile); the parts keep their rows (ids, hence their order against the
    customer's later replies); a wording that needs more parts than the deterministic reply is
    refused. The message log is updated in the same transaction. Returns True when replaced.
    """
    from conversations.llm.services import llm_fallback
    from conversations.services import conversation_rephrase_record

    use = str(outcome.understood.get("llm") or "rephrase")
    reply = outcome.reply
    with transaction.atomic():
        rows = list(
            WhatsAppOutbound.objects.select_for_update().filter(group=group).order_by("seq")
        )
        if not rows or any(r.status != Status.PENDING for r in rows):
            llm_fallback(use=use, reason="reply_already_sending")
            return False
        # A question with options (the CSAT one) is its own last part and keeps its text: the
        # wording replaces the parts before it, and only if it kept the question word for word.
        question = [r for r in rows if r.choices]
        if question:
            ending = question[-1].body
            if not reply.strip().endswith(ending):
                llm_fallback(use=use, reason="question_reworded")
                return False
            reply = reply.strip()[: -len(ending)]
            rows = [r for r in rows if not r.choices]
        parts = message_split(reply)
        if not parts or len(parts) > len(rows):
            llm_fallback(use=use, reason="too_many_parts")
            return False
        for row, body in zip(rows, parts, strict=False):
            row.body = body
        WhatsAppOutbound.objects.bulk_update(rows[: len(parts)], ["body"])
        WhatsAppOutbound.objects.filter(pk__in=[r.pk for r in rows[len(parts) :]]).delete()
        conversation_rephrase_record(outcome=outcome, deterministic=deterministic)
    logger.info("whatsapp_reply_rephrased group=%s use=%s parts=%s", group, use, len(parts))
    return True


def outbound_group_abandon(*, group: str, reason: str) -> int:
    """Retries exhausted: parts never handed to Twilio are marked failed (staff see them)."""
    count = WhatsAppOutbound.objects.filter(group=group, status=Status.PENDING).update(
        status=Status.FAILED, last_error=reason[:300]
    )
    if count:
        logger.error("whatsapp_send_abandoned group=%s parts=%s reason=%s", group, count, reason)
    return count


def _enqueue_send(group: str) -> None:
    from channels.tasks import outbound_group_send as outbound_group_send_task

    try:
        outbound_group_send_task.delay(group)
    except Exception:
        # The rows are stored as pending: the sweep (or the customer's next turn) sends them.
        logger.exception("whatsapp_enqueue_failed group=%s", group)


def outbound_group_schedule(*, group: str) -> None:
    """Enqueue the send of ``group`` once the current transaction commits (now in autocommit)."""
    transaction.on_commit(partial(_enqueue_send, group))


def outbound_group_answer_in_twiml(*, group: str) -> tuple[str, ...]:
    """Synchronous mode: the reply parts go back in the webhook response instead of the API."""
    if not group:
        return ()
    rows = list(WhatsAppOutbound.objects.filter(group=group, status=Status.PENDING).order_by("seq"))
    allowed = [
        r for r in rows if r.bypass_opt_out or not whatsapp_contact_opted_out(phone=r.to_phone)
    ]
    WhatsAppOutbound.objects.filter(pk__in=[r.pk for r in allowed]).update(
        status=Status.TWIML, sent_at=timezone.now()
    )
    return tuple(r.body for r in allowed)


def template_message_send(
    *, key: str, to_phone: str, content_sid: str, variables: dict[str, str]
) -> str:
    """Send an approved template once per ``key`` (sales notifications); returns its status.

    Raises ``TransientError`` when it must be retried (the caller's task retries it).
    """
    phone = phone_normalise(to_phone)
    group = f"tpl-{key}"
    WhatsAppOutbound.objects.get_or_create(
        idempotency_key=f"{group}:0",
        defaults={
            "group": group,
            "seq": 0,
            "kind": WhatsAppOutbound.Kind.SALES,
            "to_address": whatsapp_address(phone),
            "from_address": whatsapp_default_address(),
            "to_phone": phone,
            "content_sid": content_sid,
            "content_variables": variables,
        },
    )
    outbound_group_send(group=group)
    return WhatsAppOutbound.objects.values_list("status", flat=True).get(
        idempotency_key=f"{group}:0"
    )
