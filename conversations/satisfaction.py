"""Customer satisfaction (CSAT): storing answers and asking after a handoff (the shell's side).

The engine decides when the question is part of a turn's reply and reads the answer
(``conversations/engine/satisfaction.py``); this module applies what it returns
(``RecordSatisfaction``) and asks the question outside a turn, when staff give a handed-off
conversation back to the bot. Both run under the conversation's row lock, so the question is asked
at most once per conversation (``ConversationState.survey``) and one answer is stored.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from conversations.engine import replies
from conversations.engine import satisfaction as survey
from conversations.engine.state import evolve, state_from_dict, state_to_dict
from conversations.models import Conversation, Message, SatisfactionAnswer
from kavak.rows import insert_unless_conflict

logger = logging.getLogger(__name__)


def satisfaction_enabled() -> bool:
    return bool(settings.CSAT_ENABLED)


# The scale as options a channel may show to tap (WhatsApp: a list), best first. A tap reads as
# the customer typing the score, which ``read_answer`` takes like any other answer.
SATISFACTION_BUTTON = "Calificar"
SATISFACTION_OPTIONS: tuple[tuple[str, str], ...] = (
    ("5", "5 - Excelente"),
    ("4", "4 - Bien"),
    ("3", "3 - Regular"),
    ("2", "2 - Mal"),
    ("1", "1 - Muy mal"),
)


def satisfaction_question_split(text: str) -> tuple[str, str] | None:
    """``(before, question)`` when ``text`` ends with the satisfaction question (a turn's reply
    with the question appended, or the notice after a handoff); None otherwise.

    Lets a channel send the question as its own message with options to tap while the text
    stays the engine's (the question is not reworded here).
    """
    text = (text or "").strip()
    for question in (
        replies.satisfaction_question(),
        replies.satisfaction_question(after_handoff=True),
    ):
        if text.endswith(question):
            return text[: -len(question)].strip(), question
    return None


def _salesperson_id(*, conversation_id: int) -> int | None:
    """Who attended a handed-off conversation: the last staff member who wrote in it, else the
    salesperson its lead is assigned to."""
    from leads.models import Lead

    author = (
        Message.objects.filter(
            conversation_id=conversation_id,
            direction=Message.Direction.STAFF,
            author__isnull=False,
        )
        .order_by("-pk")
        .values_list("author_id", flat=True)
        .first()
    )
    if author is not None:
        return author
    return (
        Lead.objects.filter(conversation_id=conversation_id, assigned_to__isnull=False)
        .order_by("-pk")
        .values_list("assigned_to_id", flat=True)
        .first()
    )


def satisfaction_answer_record(
    *,
    conversation_id: int,
    channel: str,
    score: int,
    comment: str,
    handed_off: bool,
    now: datetime | None = None,
) -> SatisfactionAnswer | None:
    """Store the customer's answer (one per conversation; a second one is ignored).

    Precondition: called during the turn, holding the conversation's row lock.
    """
    if not 1 <= score <= 5:  # the engine only reads 1-5; the check constraint is the backstop
        raise ValueError(f"score out of range: {score}")
    answer = SatisfactionAnswer(
        conversation_id=conversation_id,
        score=score,
        comment=comment[: survey.COMMENT_MAX_CHARS],
        channel=channel,
        handed_off=handed_off,
        salesperson_id=_salesperson_id(conversation_id=conversation_id) if handed_off else None,
        created_at=now or timezone.now(),
    )
    if insert_unless_conflict(answer, conflict_on=("conversation",)) is None:
        logger.info("satisfaction_duplicate conversation_id=%s", conversation_id)
        return None
    logger.info(
        "satisfaction_recorded conversation_id=%s channel=%s score=%s has_comment=%s",
        conversation_id,
        channel,
        score,
        bool(comment),
    )
    return answer


def satisfaction_ask_after_handoff(
    *, conversation_id: int, now: datetime | None = None
) -> Message | None:
    """Ask the satisfaction question of a conversation staff just gave back to the bot.

    Returns the notice row (the customer's client shows it; WhatsApp also sends it through the
    outbound send task), or None: CSAT off, the conversation still with a person or closed,
    never handed off, or the question already asked in it. The caller checks that the customer
    may be written to (WhatsApp: not opted out, inside the 24-hour window).

    Exactly once: the question is claimed in the conversation's state under its row lock, in
    the transaction that logs the notice; the state's version moves so a cached copy is not used.
    """
    if not satisfaction_enabled():
        return None
    now = now or timezone.now()
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update()
            .filter(pk=conversation_id)
            .only("id", "status", "state", "step", "closed_at", "handoff_at")
            .first()
        )
        if (
            conversation is None
            or conversation.status != Conversation.Status.ACTIVE
            or conversation.closed_at is not None
            or conversation.handoff_at is None
        ):
            return None
        state = state_from_dict(conversation.state)
        if state.survey:
            return None
        Conversation.objects.filter(pk=conversation_id).update(
            state=state_to_dict(evolve(state, survey=survey.ASKED)),
            version=F("version") + 1,
            updated_at=now,
        )
        notice = Message.objects.create(
            conversation=conversation,
            direction=Message.Direction.NOTICE,
            text=replies.satisfaction_question(after_handoff=True),
            turn_id=uuid.uuid4().hex,
            step_before=conversation.step,
            step_after=conversation.step,
            understood={"survey": survey.HANDOFF_CLOSED},
        )
    logger.info("satisfaction_asked conversation_id=%s moment=handoff_closed", conversation_id)
    return notice
