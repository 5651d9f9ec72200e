"""Retention and erasure of customers' personal data (issue 20, LFPDPPP).

Two entry points, both plain services (the Celery task and the admin action only call them):

- ``retention_anonymise_expired``: what is older than the RETENTION_* limits loses its personal
  data. Phone numbers become ``customer_hash`` (a keyed HMAC: the same phone always gives the
  same hash, so repeat customers still count once), names and message texts are removed, free-text
  fields are emptied. The rows stay, so every number of the funnel dashboard (conversations
  started, steps reached, leads, handoffs, latency) adds up as before. Work goes in batches of
  ``RETENTION_BATCH_SIZE`` ids, one short transaction each; rows another transaction holds
  (a turn in progress) are skipped and done on the next run (``SKIP LOCKED``). Re-runs are
  idempotent: anonymised rows are marked (``anonymized_at``) or no longer match.
- ``customer_erase``: one customer's data, now, whatever its age (a data-subject request), in one
  transaction, with an audit entry (``leads.DataErasure``) of who, when, which customer (hashed)
  and how many rows per table.

What is kept on purpose: conversation rows (channel, dates, steps, the chosen car), the message
log's steps, latency and the flags the dashboard counts (``understood.lead_captured``,
``understood.faq``), leads' status, car and financing snapshots and loss reason (business records
without a person once name and phone are gone), delivery statuses and timestamps.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from channels.models import WhatsAppContact, WhatsAppInbound, WhatsAppOutbound, WhatsAppStatusEvent
from conversations.models import Conversation, Message, SatisfactionAnswer
from kavak.exceptions import ApplicationError
from knowledge.models import UnansweredQuestion
from leads.models import Appointment, DataErasure, Lead, LeadEvent, LeadNotification

logger = logging.getLogger(__name__)

HASH_PREFIX = "~"  # no phone number, session id or WhatsApp address starts with it
# ``understood`` keys the anonymised message log keeps: flags and ids, never what the customer
# typed (slot values such as name and phone, the deterministic text an LLM reply replaced).
KEPT_UNDERSTOOD = (
    "lead_captured", "faq", "handoff", "reset", "declined", "changed_mind", "options",
    "car_question", "rule_question", "fuel", "llm", "llm_slots", "survey", "satisfaction",
    "closing",
)  # fmt: skip
ERASED_LOST_REASON = "Datos borrados a petición del cliente"
_PENDING_OUT = (
    WhatsAppOutbound.Status.PENDING,
    WhatsAppOutbound.Status.IN_FLIGHT,
    WhatsAppOutbound.Status.UNKNOWN,
)


# --- The hash -------------------------------------------------------------------------------------
def customer_hash(value: str) -> str:
    """``~`` + 15 base32 characters (75 bits) of HMAC-SHA256 keyed with RETENTION_HASH_KEY.

    16 characters: it fits every phone column (``max_length=16``). Values already hashed are
    returned as they are, so anonymising twice changes nothing.
    """
    if not value or value.startswith(HASH_PREFIX):
        return value
    digest = hmac.new(_hash_key(), value.encode(), hashlib.sha256).digest()
    return HASH_PREFIX + base64.b32encode(digest).decode("ascii")[:15].lower()


def _hash_key() -> bytes:
    if settings.RETENTION_HASH_KEY:
        return str(settings.RETENTION_HASH_KEY).encode()
    # Not the secret key itself: a key derived for this one purpose (as Django's salted_hmac).
    return hashlib.sha256(b"kavak.retention.customer_hash" + settings.SECRET_KEY.encode()).digest()


# --- Policy and result ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RetentionPolicy:
    """Days each kind of data keeps personal data (0 = kept) and the batch size."""

    transcript_days: int = 0
    delivery_days: int = 0
    closed_lead_days: int = 0
    batch_size: int = 500

    @classmethod
    def from_settings(cls) -> RetentionPolicy:
        return cls(
            transcript_days=settings.RETENTION_TRANSCRIPT_DAYS,
            delivery_days=settings.RETENTION_DELIVERY_DAYS,
            closed_lead_days=settings.RETENTION_CLOSED_LEAD_DAYS,
            batch_size=settings.RETENTION_BATCH_SIZE,
        )


@dataclass
class RetentionRun:
    """Rows changed per table (``app.model``) and whether every expired row was done."""

    rows: dict[str, int] = field(default_factory=dict)
    finished: bool = True

    def add(self, label: str, count: int) -> None:
        if count:
            self.rows[label] = self.rows.get(label, 0) + count

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _label(model: Any) -> str:
    return str(model._meta.label_lower)


# --- The nightly run ------------------------------------------------------------------------------
def retention_anonymise_expired(
    *,
    now: datetime,
    policy: RetentionPolicy | None = None,
    time_budget_s: float | None = None,
) -> RetentionRun:
    """Anonymise everything past its retention limit, in short batches.

    Stops between batches once ``time_budget_s`` is spent (``finished`` is then False and the
    caller runs it again); a run with nothing expired reads a few index pages. Writes one
    ``DataErasure`` entry (kind "retention", no actor) when it changed any row.
    """
    policy = policy or RetentionPolicy.from_settings()
    deadline = time.monotonic() + time_budget_s if time_budget_s is not None else None
    run = RetentionRun()
    for queryset, apply in _retention_steps(now=now, policy=policy):
        if not _in_batches(
            queryset, apply=apply, run=run, size=policy.batch_size, deadline=deadline
        ):
            run.finished = False
            break
    if run.total:
        DataErasure.objects.create(kind=DataErasure.Kind.RETENTION, created_at=now, rows=run.rows)
    logger.info(
        "retention_run rows=%s finished=%s",
        ",".join(f"{k}:{v}" for k, v in sorted(run.rows.items())) or "0",
        run.finished,
    )
    return run


def retention_expired_counts(
    *, now: datetime, policy: RetentionPolicy | None = None
) -> dict[str, int]:
    """What a run would anonymise now, per table (the rows it starts from; a conversation's
    messages and questions, and a lead's notes, come with it). Reads only."""
    policy = policy or RetentionPolicy.from_settings()
    return {
        _label(queryset.model): queryset.count()
        for queryset, _ in _retention_steps(now=now, policy=policy)
    }


_Step = tuple[QuerySet[Any], Callable[[list[int]], dict[str, int]]]


def _retention_steps(*, now: datetime, policy: RetentionPolicy) -> list[_Step]:
    steps: list[_Step] = []
    if policy.transcript_days:
        cutoff = now - timedelta(days=policy.transcript_days)
        steps += [
            (_expired_conversations(cutoff), lambda ids: _conversations_anonymise(ids, now=now)),
            (_expired_questions(cutoff), _questions_anonymise),
        ]
    if policy.delivery_days:
        cutoff = now - timedelta(days=policy.delivery_days)
        steps += [
            (_expired_inbound(cutoff), lambda ids: _inbound_anonymise(ids, now=now)),
            (_expired_outbound(cutoff), lambda ids: _outbound_anonymise(ids, now=now)),
            (_expired_status_events(cutoff), _status_events_delete),
            (_expired_contacts(cutoff), _contacts_anonymise),
        ]
    if policy.closed_lead_days:
        cutoff = now - timedelta(days=policy.closed_lead_days)
        steps.append((_expired_leads(cutoff), lambda ids: _leads_anonymise(ids, now=now)))
    return steps


def _in_batches(
    queryset: QuerySet[Any],
    *,
    apply: Callable[[list[int]], dict[str, int]],
    run: RetentionRun,
    size: int,
    deadline: float | None,
) -> bool:
    """Lock up to ``size`` candidate ids (skipping locked rows), change them, commit; repeat.

    Each batch is its own short transaction: no lock outlives one batch, and a failure loses at
    most the batch in progress (rolled back whole). ``apply`` must make the rows stop matching
    ``queryset``. Returns False when the deadline stopped it with candidates left.
    """
    while True:
        if deadline is not None and time.monotonic() > deadline:
            return False
        with transaction.atomic():
            ids = list(
                queryset.select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
                .values_list("pk", flat=True)[:size]
            )
            if not ids:
                return True
            for label, count in apply(ids).items():
                run.add(label, count)


def _open_lead(conversation_ref: str) -> Exists:
    return Exists(
        Lead.objects.filter(conversation_id=OuterRef(conversation_ref)).exclude(
            status__in=Lead.CLOSED_STATUSES
        )
    )


def _expired_conversations(cutoff: datetime) -> QuerySet[Conversation]:
    """Idle since the cutoff; the transcript of a lead still being worked stays until it closes."""
    return (
        Conversation.objects.filter(anonymized_at__isnull=True, started_at__lt=cutoff)
        .alias(last_at=Coalesce("last_message_at", "started_at"))
        .filter(last_at__lt=cutoff)
        .exclude(_open_lead("pk"))
    )


def _expired_questions(cutoff: datetime) -> QuerySet[UnansweredQuestion]:
    return UnansweredQuestion.objects.filter(last_seen_at__lt=cutoff).exclude(
        example=F("normalized"), conversation_ref=""
    )


def _expired_inbound(cutoff: datetime) -> QuerySet[WhatsAppInbound]:
    # "received" rows are still to be answered (the sweep would pick them up): never touched.
    return (
        WhatsAppInbound.objects.filter(anonymized_at__isnull=True, received_at__lt=cutoff)
        .exclude(status=WhatsAppInbound.Status.RECEIVED)
        .exclude(_open_lead("conversation_id"))
    )


def _expired_outbound(cutoff: datetime) -> QuerySet[WhatsAppOutbound]:
    # Parts still to be sent or confirmed are the sender's: never touched.
    return (
        WhatsAppOutbound.objects.filter(anonymized_at__isnull=True, created_at__lt=cutoff)
        .exclude(status__in=_PENDING_OUT)
        .exclude(_open_lead("conversation_id"))
    )


def _expired_status_events(cutoff: datetime) -> QuerySet[WhatsAppStatusEvent]:
    # The callbacks of a delivery that is kept (an open lead's) stay with it.
    kept = WhatsAppOutbound.objects.filter(
        provider_sid=OuterRef("provider_sid"), anonymized_at__isnull=True
    )
    return WhatsAppStatusEvent.objects.filter(received_at__lt=cutoff).exclude(Exists(kept))


def _expired_contacts(cutoff: datetime) -> QuerySet[WhatsAppContact]:
    open_lead = Lead.objects.filter(phone=OuterRef("phone")).exclude(
        status__in=Lead.CLOSED_STATUSES
    )
    return (
        WhatsAppContact.objects.exclude(phone__startswith=HASH_PREFIX)
        .alias(last_at=Coalesce("last_inbound_at", "created_at"))
        .filter(last_at__lt=cutoff)
        .exclude(Exists(open_lead))
    )


def _expired_leads(cutoff: datetime) -> QuerySet[Lead]:
    return Lead.objects.filter(
        anonymized_at__isnull=True,
        status__in=Lead.CLOSED_STATUSES,
        last_activity_at__lt=cutoff,
        updated_at__lt=cutoff,
    )


# --- What anonymising means, table by table (ids already locked by the caller) -------------------
def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _hashed(model: Any, rows: list[tuple[int, str]], *fields: str, **also: Any) -> int:
    """Set ``fields`` of each row (pk, value) to the value's hash, and ``also`` on all of them."""
    objs = []
    for pk, value in rows:
        obj = model(pk=pk)
        for name in fields:
            setattr(obj, name, customer_hash(value))
        for name, other in also.items():
            setattr(obj, name, other)
        objs.append(obj)
    return int(model.objects.bulk_update(objs, [*fields, *also], batch_size=1000))


def _conversations_anonymise(ids: list[int], *, now: datetime) -> dict[str, int]:
    """Session id hashed, state reduced to the chosen car, closed if it was open, messages
    emptied (text; ``understood`` down to ``KEPT_UNDERSTOOD``), and the unanswered questions it
    left lose their verbatim example."""
    rows = Conversation.objects.filter(pk__in=ids).values_list(
        "pk", "external_id", "state__slots__chosen"
    )
    objs = [
        Conversation(
            pk=pk,
            external_id=customer_hash(external_id),
            state={"slots": {"chosen": chosen}} if isinstance(chosen, dict) else {},
            anonymized_at=now,
        )
        for pk, external_id, chosen in rows
    ]
    conversations = Conversation.objects.bulk_update(
        objs, ["external_id", "state", "anonymized_at"], batch_size=1000
    )
    # The version bump invalidates any cached copy of the state (conversations/stores.py).
    Conversation.objects.filter(pk__in=ids).update(version=F("version") + 1)
    Conversation.objects.filter(pk__in=ids, closed_at__isnull=True).update(
        status=Conversation.Status.CLOSED, closed_at=now
    )
    messages = Message.objects.filter(conversation_id__in=ids)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_table(Message)} AS m SET text = '', "  # noqa: S608  # nosec B608
                "understood = COALESCE((SELECT jsonb_object_agg(e.key, e.value) "
                "FROM jsonb_each(m.understood) AS e WHERE e.key = ANY(%s)), '{}'::jsonb) "
                "WHERE m.conversation_id = ANY(%s)",
                [list(KEPT_UNDERSTOOD), ids],
            )
            message_count = cursor.rowcount
    else:  # SQLite of `make run`: the same, row by row
        kept = []
        for message in messages.only("pk", "understood"):
            understood = message.understood if isinstance(message.understood, dict) else {}
            message.understood = {k: v for k, v in understood.items() if k in KEPT_UNDERSTOOD}
            message.text = ""
            kept.append(message)
        message_count = Message.objects.bulk_update(kept, ["text", "understood"], batch_size=1000)
    # The score stays (the dashboard's average); the customer's own words go.
    comments = (
        SatisfactionAnswer.objects.filter(conversation_id__in=ids).exclude(comment="")
    ).update(comment="")
    questions = _questions_anonymise(
        list(
            UnansweredQuestion.objects.filter(
                conversation_ref__in=[str(pk) for pk in ids]
            ).values_list("pk", flat=True)
        )
    )
    return {
        _label(Conversation): conversations,
        _label(Message): message_count,
        _label(SatisfactionAnswer): comments,
        **questions,
    }


def _questions_anonymise(ids: list[int]) -> dict[str, int]:
    """The queue keeps the question's normalised terms (what content staff write articles
    from), not the customer's own words or the conversation they came from."""
    count = UnansweredQuestion.objects.filter(pk__in=ids).update(
        example=F("normalized"), conversation_ref=""
    )
    return {_label(UnansweredQuestion): count}


def _inbound_anonymise(ids: list[int], *, now: datetime) -> dict[str, int]:
    rows = list(WhatsAppInbound.objects.filter(pk__in=ids).values_list("pk", "phone"))
    count = _hashed(
        WhatsAppInbound,
        rows,
        "phone",
        "from_address",
        wa_id="",
        profile_name="",
        body="",
        transcription="",
        media=[],
        location={},
        payload={},
        anonymized_at=now,
    )
    return {_label(WhatsAppInbound): count}


def _outbound_anonymise(ids: list[int], *, now: datetime) -> dict[str, int]:
    rows = list(WhatsAppOutbound.objects.filter(pk__in=ids).values_list("pk", "to_phone"))
    count = _hashed(
        WhatsAppOutbound,
        rows,
        "to_phone",
        "to_address",
        body="",
        content_variables={},
        anonymized_at=now,
    )
    return {_label(WhatsAppOutbound): count}


def _status_events_delete(ids: list[int]) -> dict[str, int]:
    """Twilio's callbacks carry both numbers; the delivery row keeps the resulting status."""
    count, _ = WhatsAppStatusEvent.objects.filter(pk__in=ids).delete()
    return {_label(WhatsAppStatusEvent): count}


def _contacts_anonymise(ids: list[int]) -> dict[str, int]:
    """Phone hashed, WhatsApp id and profile name removed. A customer who came back after an
    earlier anonymisation already has a hashed twin (the phone is unique): this row is then
    deleted instead (nothing refers to contacts)."""
    rows = list(WhatsAppContact.objects.filter(pk__in=ids).values_list("pk", "phone"))
    tokens = {pk: customer_hash(phone) for pk, phone in rows}
    taken = set(
        WhatsAppContact.objects.filter(phone__in=tokens.values()).values_list("phone", flat=True)
    )
    twins = [pk for pk, token in tokens.items() if token in taken]
    WhatsAppContact.objects.filter(pk__in=twins).delete()
    keep = [(pk, phone) for pk, phone in rows if pk not in twins]
    count = _hashed(WhatsAppContact, keep, "phone", wa_id="", profile_name="", last_from="")
    return {_label(WhatsAppContact): count + len(twins)}


def _leads_anonymise(ids: list[int], *, now: datetime) -> dict[str, int]:
    """Name and contact time removed, phone hashed; the notes of its activity log, what the
    customer asked for an appointment and the sales WhatsApp template's variables emptied."""
    rows = list(Lead.objects.filter(pk__in=ids).values_list("pk", "phone"))
    leads = _hashed(
        Lead,
        rows,
        "phone",
        name="",
        preferred_contact_time="",
        preferred_contact_at=None,
        anonymized_at=now,
    )
    events = LeadEvent.objects.filter(lead_id__in=ids).exclude(text="").update(text="")
    appointments = (
        Appointment.objects.filter(lead_id__in=ids).exclude(requested="").update(requested="")
    )
    groups = [
        f"tpl-lead-{lead_id}-{reason}"
        for lead_id, reason in LeadNotification.objects.filter(
            lead_id__in=ids, channel=LeadNotification.Channel.WHATSAPP
        ).values_list("lead_id", "reason")
    ]
    templates = (
        WhatsAppOutbound.objects.filter(group__in=groups)
        .exclude(content_variables={}, body="")
        .update(content_variables={}, body="")
        if groups
        else 0
    )
    return {
        _label(Lead): leads,
        _label(LeadEvent): events,
        _label(Appointment): appointments,
        f"{_label(WhatsAppOutbound)}:ventas": templates,
    }


# --- One customer, on request ---------------------------------------------------------------------
class NothingToErase(ApplicationError):
    """Neither a phone number nor a lead was given."""


def customer_erase(
    *,
    actor: Any,
    phone: str = "",
    lead_ids: Sequence[int] = (),
    reference: str = "",
    now: datetime | None = None,
) -> DataErasure:
    """Erase one customer's personal data now, whatever its age (a data-subject request).

    The customer is their phone number (normalised, as every table stores it) and/or the leads
    given. Found through them: their leads (by phone), the conversations of those leads (also the
    earlier ones a returning customer had), WhatsApp conversations, deliveries and contact of the
    number. Each is anonymised as the retention run would; in addition, open leads are closed
    as lost (``ERASED_LOST_REASON``, in their activity log under ``actor``), open appointments
    cancelled, open conversations closed, replies not yet sent suppressed and messages not yet
    answered dropped. One transaction: everything or nothing. Locks follow the turns' order
    (WhatsApp contact, conversation, lead), so a turn in progress is waited for, not deadlocked.
    """
    now = now or timezone.now()
    phones = {phone.strip()} - {""}
    leads = list(Lead.objects.filter(Q(pk__in=list(lead_ids)) | Q(phone__in=phones)))
    if not phones and not leads:
        raise NothingToErase("Indica un teléfono o un lead.")
    phones |= {lead.phone for lead in leads if lead.phone}
    run = RetentionRun()
    with transaction.atomic():
        list(WhatsAppContact.objects.select_for_update().filter(phone__in=phones).order_by("pk"))
        customer_conversation_ids = _customer_conversations(phones=phones, leads=leads)
        conversation_ids = list(
            Conversation.objects.select_for_update()
            .filter(pk__in=customer_conversation_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        locked_leads = list(
            Lead.objects.select_for_update()
            .filter(Q(pk__in=[lead.pk for lead in leads]) | Q(phone__in=phones))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        cache_keys = [f"conv-state:{pk}" for pk in conversation_ids] + [
            f"llm-calls:{channel}:{external_id}"
            for channel, external_id in Conversation.objects.filter(
                pk__in=conversation_ids
            ).values_list("channel", "external_id")
        ]
        _leads_close(locked_leads, actor=actor, now=now)
        for label, count in _leads_anonymise(locked_leads, now=now).items():
            run.add(label, count)
        for label, count in _conversations_anonymise(conversation_ids, now=now).items():
            run.add(label, count)
        inbound = WhatsAppInbound.objects.filter(
            Q(phone__in=phones) | Q(conversation_id__in=conversation_ids)
        )
        inbound.filter(status=WhatsAppInbound.Status.RECEIVED).update(
            status=WhatsAppInbound.Status.OPTED_OUT, processed_at=now
        )
        for label, count in _inbound_anonymise(
            list(inbound.values_list("pk", flat=True)), now=now
        ).items():
            run.add(label, count)
        outbound = WhatsAppOutbound.objects.filter(
            Q(to_phone__in=phones) | Q(conversation_id__in=conversation_ids)
        )
        outbound.filter(status=WhatsAppOutbound.Status.PENDING).update(
            status=WhatsAppOutbound.Status.SUPPRESSED
        )
        outbound_ids = list(outbound.values_list("pk", flat=True))
        sids = list(
            WhatsAppOutbound.objects.filter(
                pk__in=outbound_ids, provider_sid__isnull=False
            ).values_list("provider_sid", flat=True)
        )
        for label, count in _outbound_anonymise(outbound_ids, now=now).items():
            run.add(label, count)
        events = WhatsAppStatusEvent.objects.filter(provider_sid__in=sids)
        for label, count in _status_events_delete(
            list(events.values_list("pk", flat=True))
        ).items():
            run.add(label, count)
        contacts = list(
            WhatsAppContact.objects.filter(phone__in=phones).values_list("pk", flat=True)
        )
        for label, count in _contacts_anonymise(contacts).items():
            run.add(label, count)
        first = sorted(phones)[0] if phones else f"lead:{min(locked_leads)}"
        entry = DataErasure.objects.create(
            kind=DataErasure.Kind.REQUEST,
            created_at=now,
            actor=actor,
            actor_username=actor.get_username() if actor is not None else "",
            customer_hash=customer_hash(first),
            reference=reference.strip()[:120],
            rows=run.rows,
        )
        transaction.on_commit(lambda: _cache_forget(cache_keys))
    logger.info(
        "customer_erased erasure_id=%s customer=%s rows=%s",
        entry.pk,
        entry.customer_hash,
        run.total,
    )
    return entry


def _customer_conversations(*, phones: set[str], leads: Iterable[Lead]) -> set[int]:
    leads = list(leads)
    ids = {lead.conversation_id for lead in leads if lead.conversation_id}
    for data in LeadEvent.objects.filter(
        lead__in=leads, kind=LeadEvent.Kind.CONVERSATION
    ).values_list("data", flat=True):
        ids |= {int(v) for k in ("from", "to") if str(v := (data or {}).get(k) or "").isdigit()}
    if phones:
        ids |= set(
            Conversation.objects.filter(
                channel__in=Conversation.Channel.values, external_id__in=phones
            ).values_list("pk", flat=True)
        )
        ids |= set(
            WhatsAppInbound.objects.filter(phone__in=phones, conversation_id__isnull=False)
            .values_list("conversation_id", flat=True)
            .distinct()
        )
    return ids


def _leads_close(lead_ids: list[int], *, actor: Any, now: datetime) -> None:
    """Open leads of an erased customer cannot be worked any more: lost, with the reason."""
    open_leads = list(
        Lead.objects.filter(pk__in=lead_ids)
        .exclude(status__in=Lead.CLOSED_STATUSES)
        .values_list("pk", "status")
    )
    if not open_leads:
        return
    Lead.objects.filter(pk__in=[pk for pk, _ in open_leads]).update(
        status=Lead.Status.LOST, lost_reason=ERASED_LOST_REASON, last_activity_at=now
    )
    LeadEvent.objects.bulk_create(
        LeadEvent(
            lead_id=pk,
            kind=LeadEvent.Kind.STATUS,
            author=actor,
            from_status=status,
            to_status=Lead.Status.LOST,
            created_at=now,
        )
        for pk, status in open_leads
    )
    Appointment.objects.filter(lead_id__in=lead_ids, status__in=Appointment.OPEN_STATUSES).update(
        status=Appointment.Status.CANCELLED
    )


def _cache_forget(keys: list[str]) -> None:
    """The state cache and the LLM call counter also name the customer (Redis, short-lived)."""
    try:
        cache.delete_many(keys)
    except Exception:  # the keys expire anyway (hours); the erasure itself is committed
        logger.warning("customer_erase_cache_unavailable keys=%s", len(keys), exc_info=True)
