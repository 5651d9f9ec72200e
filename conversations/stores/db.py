"""The PostgreSQL state store (the truth), with an optional Redis cache of the state.

``locked()`` holds a row lock (``SELECT … FOR UPDATE`` inside a transaction) until the turn is
saved, so two messages for the same session at the same moment are processed one after the other
and no update is lost. On PostgreSQL the lock and the turn's write are plain SQL
(``conversations/sql.py``); elsewhere (SQLite, ``make run``) the ORM does the same.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet

from conversations.engine.state import ConversationState, state_from_dict, state_to_dict
from conversations.models import Conversation, Message
from conversations.ports import MessageRecord, OpenConversation, Session
from conversations.satisfaction import satisfaction_answer_record
from conversations.sql import (
    ConversationRow,
    conversation_open_lock,
    conversation_turn_write,
)
from conversations.staff import (
    ClientMessage,
    conversation_staff_messages_since_last_turn,
    handoff_answered,
)
from conversations.stores.lifecycle import idle_limit, returning_state
from kavak.rows import insert_unless_conflict

logger = logging.getLogger(__name__)


class DbStateStore:
    """Conversation rows in the database; the cache (when enabled) only saves reading the state.

    ``STATE_CACHE`` is not a port of its own: Django's ``CACHES`` already is the swappable part,
    and the flag only decides whether this adapter reads the state through it (cache-aside keyed
    by the conversation's version, so a stale entry is never used).
    """

    def __init__(self, *, use_cache: bool) -> None:
        self.use_cache = use_cache

    @staticmethod
    def _cache_key(conversation_id: int) -> str:
        return f"conv-state:{conversation_id}"

    def _cached_state(self, conversation_id: int, version: int) -> dict[str, Any] | None:
        if not self.use_cache:
            return None
        try:
            cached = cache.get(self._cache_key(conversation_id))
        except Exception:
            logger.warning("state_cache_unavailable op=get", exc_info=True)
            return None
        if cached and cached.get("version") == version:
            return cast("dict[str, Any] | None", cached["state"])
        return None

    def _cache_put(self, conversation_id: int, version: int, state: dict[str, Any]) -> None:
        if not self.use_cache:
            return
        try:
            cache.set(
                self._cache_key(conversation_id),
                {"version": version, "state": state},
                timeout=settings.STATE_CACHE_TTL_SECONDS,
            )
        except Exception:
            logger.warning("state_cache_unavailable op=set", exc_info=True)

    def _lock_open(self, channel: str, external_id: str) -> ConversationRow | None:
        """Lock the open conversation row (and read its state unless the cache will supply it)."""
        if connection.vendor == "postgresql":
            return conversation_open_lock(
                channel=channel, external_id=external_id, with_state=not self.use_cache
            )
        conv = (
            Conversation.objects.select_for_update()
            .filter(channel=channel, external_id=external_id, closed_at__isnull=True)
            .only("id", "status", "version", "last_message_at", "state", "handoff_at")
            .first()
        )
        if conv is None:
            return None
        return ConversationRow(
            conv.pk, conv.status, conv.version, conv.last_message_at, conv.state, conv.handoff_at
        )

    def _create(self, channel: str, external_id: str, state: ConversationState) -> ConversationRow:
        """Create the open conversation, or lock the one a concurrent turn just created.

        ``INSERT … ON CONFLICT DO NOTHING`` (the one-open-conversation-per-session constraint is
        the table's only unique key besides the id): no savepoint round trips; a concurrent
        creator's row is waited for and then locked instead. The LLM rollout group is fixed here.
        """
        from conversations.wiring import llm_rollout_group

        bucket, uses_llm = llm_rollout_group(channel=channel, external_id=external_id)
        conv = Conversation(
            channel=channel,
            external_id=external_id,
            state=state_to_dict(state),
            step=state.step.value,
            furthest_step=state.furthest_step.value,
            llm_bucket=bucket,
            uses_llm=uses_llm,
        )
        if insert_unless_conflict(conv) is not None:
            return ConversationRow(
                conv.pk, conv.status, conv.version, conv.last_message_at, conv.state
            )
        row = self._lock_open(channel, external_id)
        if row is None:  # pragma: no cover - the conflicting row is committed and open
            raise IntegrityError("open conversation vanished during creation")
        return row

    @contextlib.contextmanager
    def locked(self, *, channel: str, external_id: str, now: datetime) -> Iterator[Session]:
        with transaction.atomic():
            conv = self._lock_open(channel, external_id)
            returning = False
            created = False
            if (
                conv is not None
                and conv.last_message_at
                and now - conv.last_message_at > (idle_limit())
            ):
                previous = state_from_dict(self._load_state(conv))
                Conversation.objects.filter(pk=conv.id).update(
                    closed_at=now, status=Conversation.Status.CLOSED
                )
                conv = self._create(channel, external_id, returning_state(previous))
                returning = True
            if conv is None:
                conv = self._create(channel, external_id, ConversationState())
                created = True
            state_data = conv.state if conv.state is not None else self._load_state(conv)
            yield Session(
                conversation_id=conv.id,
                channel=channel,
                external_id=external_id,
                state=state_from_dict(state_data),
                status=conv.status,
                version=conv.version,
                returning=returning,
                created=created,
                handoff_at=conv.handoff_at,
                row_id=conv.id,
            )

    def _load_state(self, conv: ConversationRow) -> dict[str, Any]:
        if conv.state is not None:
            return conv.state
        cached = self._cached_state(conv.id, conv.version)
        if cached is not None:
            return cached
        return Conversation.objects.values_list("state", flat=True).get(pk=conv.id)  # type: ignore[no-any-return]

    def save(
        self,
        session: Session,
        *,
        state: ConversationState,
        status: str,
        messages: list[MessageRecord],
        now: datetime,
    ) -> None:
        """Persist the turn. Precondition: called inside ``locked()`` for this session."""
        data = state_to_dict(state)
        handoff = status == Conversation.Status.HANDOFF and session.status != status
        new_version = session.version + 1
        if self.use_cache:
            transaction.on_commit(
                lambda: self._cache_put(session.conversation_id, new_version, data)
            )
        if connection.vendor == "postgresql":
            conversation_turn_write(
                conversation_id=session.conversation_id,
                state=data,
                step=state.step.value,
                furthest_step=state.furthest_step.value,
                status=status,
                handoff=handoff,
                messages=messages,
                now=now,
            )
            return
        fields: dict[str, Any] = {
            "state": data,
            "step": state.step.value,
            "furthest_step": state.furthest_step.value,
            "status": status,
            "version": F("version") + 1,
            "last_message_at": now,
        }
        if handoff:
            fields["handoff_at"] = now
        Conversation.objects.filter(pk=session.conversation_id).update(**fields)
        Message.objects.bulk_create(
            Message(conversation_id=session.conversation_id, **m.__dict__) for m in messages
        )

    def set_status(self, *, conversation_id: int, status: str) -> None:
        Conversation.objects.filter(pk=conversation_id).update(status=status)

    @staticmethod
    def _open(channel: str, external_id: str) -> QuerySet[Conversation]:
        return Conversation.objects.filter(
            channel=channel, external_id=external_id, closed_at__isnull=True
        )

    def open_conversation(self, *, channel: str, external_id: str) -> OpenConversation | None:
        row = self._open(channel, external_id).values_list("id", "state", "status").first()
        if row is None:
            return None
        return OpenConversation(
            conversation_id=row[0], state=state_from_dict(row[1]), status=row[2]
        )

    def llm_group(self, *, channel: str, external_id: str, now: datetime) -> bool | None:
        row = self._open(channel, external_id).values_list("uses_llm", "last_message_at").first()
        if row is None or row[0] is None:  # None: a conversation older than the rollout
            return None
        if row[1] and now - row[1] > idle_limit():
            return None
        return bool(row[0])

    def messages(self, *, conversation_id: int) -> list[MessageRecord]:
        rows = Message.objects.filter(conversation_id=conversation_id).order_by("id")
        return [
            MessageRecord(
                direction=m.direction,
                text=m.text,
                turn_id=m.turn_id,
                step_before=m.step_before,
                step_after=m.step_after,
                next_action=m.next_action,
                understood=m.understood,
                latency_ms=m.latency_ms,
                provider_message_id=m.provider_message_id,
            )
            for m in rows
        ]

    def reply_rephrased(
        self, *, conversation_id: int, turn_id: str, text: str, understood: dict[str, object]
    ) -> None:
        Message.objects.filter(
            conversation_id=conversation_id,
            turn_id=turn_id,
            direction=Message.Direction.OUTBOUND,
        ).update(text=text, understood=understood)

    def staff_messages_since_last_turn(self, session: Session) -> tuple[ClientMessage, ...]:
        return tuple(
            conversation_staff_messages_since_last_turn(conversation_id=session.conversation_id)
        )

    def handoff_answered(self, session: Session) -> bool:
        return handoff_answered(
            conversation_id=session.conversation_id, handoff_at=session.handoff_at
        )

    def keeps_satisfaction(self) -> bool:
        return True

    def satisfaction_record(
        self, session: Session, *, score: int, comment: str, now: datetime
    ) -> None:
        satisfaction_answer_record(
            conversation_id=session.conversation_id,
            channel=session.channel,
            score=score,
            comment=comment,
            handed_off=session.handoff_at is not None,
            now=now,
        )
