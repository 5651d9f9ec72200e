"""What anonymising a customer's personal data means, table by table (issue 20, LFPDPPP).

Shared by the nightly retention run (``backoffice/retention.py``) and a customer's erasure on
request (``backoffice/erasure.py``): each function takes ids its caller has already locked and
returns the rows it changed per table (``app.model``). Phone numbers become ``customer_hash`` (a
keyed HMAC: the same phone always gives the same hash, so repeat customers still count once),
names and message texts are removed, free-text fields are emptied.

What is kept on purpose: conversation rows (channel, dates, steps, the chosen car), the message
log's steps, latency and the flags the dashboard counts (``understood.lead_captured``,
``understood.faq``), leads' status, car and financing snapshots and loss reason (business records
without a person once name and phone are gone), delivery statuses and timestamps.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F

from backoffice import sql
from channels.models import WhatsAppContact, WhatsAppInbound, WhatsAppOutbound, WhatsAppStatusEvent
from conversations.models import Conversation, Message, SatisfactionAnswer
from knowledge.models import UnansweredQuestion
from leads.models import Appointment, Lead, LeadEvent, LeadNotification

HASH_PREFIX = "~"  # no phone number, session id or WhatsApp address starts with it
# ``understood`` keys the anonymised message log keeps: flags and ids, never what the customer
# typed (slot values such as name and phone, the deterministic text an LLM reply replaced).
KEPT_UNDERSTOOD = (
    "lead_captured", "faq", "handoff", "reset", "declined", "changed_mind", "options",
    "car_question", "rule_question", "fuel", "llm", "llm_slots", "survey", "satisfaction",
    "closing",
)  # fmt: skip


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


def label(model: Any) -> str:
    """The table's name in a run's or an erasure's rows (``app.model``)."""
    return str(model._meta.label_lower)


# --- What anonymising means, table by table (ids already locked by the caller) -------------------
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


def conversations_anonymise(ids: list[int], *, now: datetime) -> dict[str, int]:
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
    # The version bump invalidates any cached copy of the state (conversations/stores/db.py).
    Conversation.objects.filter(pk__in=ids).update(version=F("version") + 1)
    Conversation.objects.filter(pk__in=ids, closed_at__isnull=True).update(
        status=Conversation.Status.CLOSED, closed_at=now
    )
    if connection.vendor == "postgresql":
        message_count = sql.messages_anonymise(conversation_ids=ids, kept_keys=KEPT_UNDERSTOOD)
    else:  # SQLite of `make run`: the same, row by row
        message_count = messages_anonymise_rows(ids)
    # The score stays (the dashboard's average); the customer's own words go.
    comments = (
        SatisfactionAnswer.objects.filter(conversation_id__in=ids).exclude(comment="")
    ).update(comment="")
    questions = questions_anonymise(
        list(
            UnansweredQuestion.objects.filter(
                conversation_ref__in=[str(pk) for pk in ids]
            ).values_list("pk", flat=True)
        )
    )
    return {
        label(Conversation): conversations,
        label(Message): message_count,
        label(SatisfactionAnswer): comments,
        **questions,
    }


def messages_anonymise_rows(conversation_ids: list[int]) -> int:
    """``backoffice.sql.messages_anonymise`` with the ORM, message by message (any database):
    text emptied, ``understood`` down to ``KEPT_UNDERSTOOD``. Returns the messages changed."""
    kept = []
    messages = Message.objects.filter(conversation_id__in=conversation_ids)
    for message in messages.only("pk", "understood"):
        understood = message.understood if isinstance(message.understood, dict) else {}
        message.understood = {k: v for k, v in understood.items() if k in KEPT_UNDERSTOOD}
        message.text = ""
        kept.append(message)
    return int(Message.objects.bulk_update(kept, ["text", "understood"], batch_size=1000))


def questions_anonymise(ids: list[int]) -> dict[str, int]:
    """The queue keeps the question's normalised terms (what content staff write articles
    from), not the customer's own words or the conversation they came from."""
    count = UnansweredQuestion.objects.filter(pk__in=ids).update(
        example=F("normalized"), conversation_ref=""
    )
    return {label(UnansweredQuestion): count}


def inbound_anonymise(ids: list[int], *, now: datetime) -> dict[str, int]:
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
    return {label(WhatsAppInbound): count}


def outbound_anonymise(ids: list[int], *, now: datetime) -> dict[str, int]:
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
    return {label(WhatsAppOutbound): count}


def status_events_delete(ids: list[int]) -> dict[str, int]:
    """Twilio's callbacks carry both numbers; the delivery row keeps the resulting status."""
    count, _ = WhatsAppStatusEvent.objects.filter(pk__in=ids).delete()
    return {label(WhatsAppStatusEvent): count}


def contacts_anonymise(ids: list[int]) -> dict[str, int]:
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
    return {label(WhatsAppContact): count + len(twins)}


def leads_anonymise(ids: list[int], *, now: datetime) -> dict[str, int]:
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
        label(Lead): leads,
        label(LeadEvent): events,
        label(Appointment): appointments,
        f"{label(WhatsAppOutbound)}:ventas": templates,
    }
