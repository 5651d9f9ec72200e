"""Retention (nightly anonymisation) and a customer's erasure on request, on real PostgreSQL."""

from __future__ import annotations

import io
import threading
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from backoffice.anonymise import KEPT_UNDERSTOOD, customer_hash
from backoffice.dashboard import (
    DateRange,
    dashboard_daily,
    dashboard_funnel,
    dashboard_kb_fallback,
    dashboard_latency,
    dashboard_leads_by_agent,
)
from backoffice.erasure import ERASED_LOST_REASON, NothingToErase, customer_erase
from backoffice.retention import RetentionPolicy, retention_anonymise_expired
from channels.models import WhatsAppContact, WhatsAppInbound, WhatsAppOutbound, WhatsAppStatusEvent
from conversations.models import Conversation, Message
from knowledge.models import UnansweredQuestion
from leads.models import Appointment, DataErasure, Lead, LeadEvent
from tests.support.backoffice import login, make_conversation, make_lead, seed_known_log

POLICY = RetentionPolicy(transcript_days=30, delivery_days=30, closed_lead_days=30, batch_size=3)
LATER = timedelta(days=45)
PHONE = "+525512345678"


def _period() -> DateRange:
    today = timezone.localdate()
    return DateRange(first=today - timedelta(days=30), last=today)


def dashboard_numbers() -> dict[str, Any]:
    """Every number the funnel dashboard shows for the last 30 days."""
    period = _period()
    return {
        "funnel": [(s.key, s.conversations) for s in dashboard_funnel(period=period)],
        "whatsapp": [
            (s.key, s.conversations) for s in dashboard_funnel(period=period, channel="whatsapp")
        ],
        "fallback": dashboard_kb_fallback(period=period),
        "latency": dashboard_latency(period=period),
        "agents": [(a.name, a.by_status) for a in dashboard_leads_by_agent(period=period)],
        "daily": dashboard_daily(period=period),
    }


def whatsapp_deliveries(*, phone: str, conversation: Conversation | None, at: datetime) -> None:
    """What the channel stores for one exchange: contact, inbound, reply part, status callback."""
    sid = "SM" + uuid.uuid4().hex
    contact, _ = WhatsAppContact.objects.get_or_create(
        phone=phone,
        defaults={"wa_id": phone[1:], "profile_name": "Luis", "last_from": f"whatsapp:{phone}"},
    )
    WhatsAppContact.objects.filter(pk=contact.pk).update(created_at=at, last_inbound_at=at)
    WhatsAppInbound.objects.create(
        message_sid="SM" + uuid.uuid4().hex,
        from_address=f"whatsapp:{phone}",
        to_address="whatsapp:+14155238886",
        phone=phone,
        wa_id=phone[1:],
        profile_name="Luis",
        body="soy Luis, mi correo es luis@example.com",
        payload={"From": f"whatsapp:{phone}", "Body": "soy Luis"},
        status=WhatsAppInbound.Status.PROCESSED,
        conversation=conversation,
        received_at=at,
    )
    out = WhatsAppOutbound.objects.create(
        idempotency_key=uuid.uuid4().hex,
        group=uuid.uuid4().hex,
        to_address=f"whatsapp:{phone}",
        from_address="whatsapp:+14155238886",
        to_phone=phone,
        body="Gracias Luis, te llamamos mañana",
        conversation=conversation,
        status=WhatsAppOutbound.Status.DELIVERED,
        provider_sid=sid,
    )
    WhatsAppOutbound.objects.filter(pk=out.pk).update(created_at=at)
    WhatsAppStatusEvent.objects.create(
        provider_sid=sid, status="delivered", payload={"To": f"whatsapp:{phone}"}, received_at=at
    )


def _ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


# --- The nightly run ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_customer_hash_is_keyed_stable_and_fits_a_phone_column(settings: Any) -> None:
    token = customer_hash(PHONE)
    assert token == customer_hash(PHONE)
    assert token.startswith("~")
    assert len(token) == 16
    assert customer_hash(token) == token  # hashing twice changes nothing
    assert customer_hash("") == ""
    assert customer_hash("+525511112222") != token
    settings.RETENTION_HASH_KEY = "another-key"
    assert customer_hash(PHONE) != token


@pytest.mark.django_db
def test_expired_data_is_anonymised_and_the_dashboard_adds_up_the_same(
    sales: Any, sales2: Any
) -> None:
    log = seed_known_log(sales=sales, sales2=sales2)
    # E sold and F lost: closed, their transcripts may go. H and G keep open leads.
    Lead.objects.filter(conversation=log["E"]).update(status=Lead.Status.SOLD)
    Lead.objects.filter(conversation=log["F"]).update(
        status=Lead.Status.LOST, lost_reason="Compró en otra agencia"
    )
    Lead.objects.filter(conversation__in=[log["E"], log["F"]]).update(
        last_activity_at=_ago(1), name="Luis Pérez", preferred_contact_time="mañana a las 10"
    )
    Conversation.objects.filter(pk=log["F"].pk).update(
        state={"slots": {"name": "Luis", "phone": PHONE, "chosen": {"stock_id": "1003"}}}
    )
    Message.objects.filter(conversation=log["F"], direction="in").update(
        understood={"name": "Luis", "phone": PHONE, "lead_captured": True, "deterministic": "x"}
    )
    UnansweredQuestion.objects.create(
        normalized="venden moto",
        example="¿venden motos? soy Luis",
        conversation_ref=str(log["I"].pk),
        last_seen_at=_ago(1),
    )
    Lead.objects.filter(conversation=log["G"]).update(phone=PHONE)
    whatsapp_deliveries(phone=PHONE, conversation=log["G"], at=_ago(3))
    whatsapp_deliveries(phone="+525511112222", conversation=None, at=_ago(3))
    before = dashboard_numbers()

    run = retention_anonymise_expired(now=timezone.now() + LATER, policy=POLICY)

    assert run.finished
    assert dashboard_numbers() == before
    kept = {log["G"].pk, log["H"].pk, log["old"].pk}  # open leads: still being worked
    for conversation in Conversation.objects.all():
        if conversation.pk in kept:
            assert conversation.anonymized_at is None
            continue
        assert conversation.anonymized_at is not None, conversation
        assert conversation.external_id.startswith("~")
        assert conversation.status == Conversation.Status.CLOSED
        assert set(conversation.state) <= {"slots"}
        assert not Message.objects.filter(conversation=conversation).exclude(text="").exists()
    assert Conversation.objects.get(pk=log["F"].pk).state == {
        "slots": {"chosen": {"stock_id": "1003"}}
    }
    understood = Message.objects.filter(conversation=log["F"], direction="in").last().understood
    assert understood == {"lead_captured": True}
    assert set(understood) <= set(KEPT_UNDERSTOOD)
    assert Message.objects.filter(conversation=log["H"]).exclude(text="").exists()
    question = UnansweredQuestion.objects.get()
    assert (question.example, question.conversation_ref) == ("venden moto", "")
    # Closed leads: no name, no phone, no contact time; the business record stays.
    for lead in Lead.objects.filter(conversation__in=[log["E"], log["F"]]):
        assert (lead.name, lead.preferred_contact_time) == ("", "")
        assert lead.phone.startswith("~")
        assert lead.anonymized_at is not None
        assert lead.car_snapshot
    assert Lead.objects.get(conversation=log["F"]).lost_reason == "Compró en otra agencia"
    assert Lead.objects.get(conversation=log["H"]).anonymized_at is None
    # Deliveries: G's belong to an open lead and stay; the other customer's are anonymised.
    assert WhatsAppInbound.objects.get(conversation=log["G"]).body
    other = WhatsAppInbound.objects.get(conversation=None)
    assert (other.body, other.profile_name, other.payload) == ("", "", {})
    assert other.phone == other.from_address == customer_hash("+525511112222")
    assert WhatsAppOutbound.objects.get(conversation=None).body == ""
    assert WhatsAppStatusEvent.objects.count() == 1  # G's callback stays with its delivery
    assert WhatsAppContact.objects.filter(phone=customer_hash("+525511112222")).exists()
    assert WhatsAppContact.objects.filter(phone=PHONE).exists()  # open lead: still reachable
    # The audit of the run.
    entry = DataErasure.objects.get()
    assert entry.kind == DataErasure.Kind.RETENTION
    assert entry.actor is None
    assert entry.rows == run.rows
    assert run.rows["conversations.conversation"] == 8
    assert run.rows["leads.lead"] == 2  # E and F
    assert entry.total_rows == run.total

    again = retention_anonymise_expired(now=timezone.now() + LATER, policy=POLICY)
    assert again.rows == {}
    assert again.finished
    assert DataErasure.objects.count() == 1
    assert dashboard_numbers() == before


@pytest.mark.django_db
def test_nothing_expires_inside_the_limits_and_zero_keeps_everything() -> None:
    conversation = make_conversation(turns=[("hola, soy Luis", "need", {})], started_at=_ago(20))
    whatsapp_deliveries(phone=PHONE, conversation=conversation, at=_ago(20))
    run = retention_anonymise_expired(now=timezone.now(), policy=POLICY)
    assert run.rows == {}
    run = retention_anonymise_expired(now=timezone.now() + LATER, policy=RetentionPolicy())
    assert run.rows == {}
    assert Message.objects.filter(text="hola, soy Luis").exists()
    assert not DataErasure.objects.exists()


@pytest.mark.django_db
def test_recent_activity_keeps_an_old_conversation_and_pending_work_is_never_touched() -> None:
    ongoing = make_conversation(turns=[("hola", "need", {})], started_at=_ago(40))
    Conversation.objects.filter(pk=ongoing.pk).update(last_message_at=_ago(2))
    WhatsAppInbound.objects.create(
        message_sid="SM-pending",
        from_address=f"whatsapp:{PHONE}",
        to_address="whatsapp:+14155238886",
        phone=PHONE,
        body="¿sigue disponible?",
        received_at=_ago(40),
    )
    pending = WhatsAppOutbound.objects.create(
        idempotency_key="k-pending",
        group="g-pending",
        to_address=f"whatsapp:{PHONE}",
        from_address="whatsapp:+14155238886",
        to_phone=PHONE,
        body="Sí, sigue disponible",
    )
    WhatsAppOutbound.objects.filter(pk=pending.pk).update(created_at=_ago(40))

    run = retention_anonymise_expired(now=timezone.now(), policy=POLICY)

    assert "conversations.conversation" not in run.rows
    assert WhatsAppInbound.objects.get().body == "¿sigue disponible?"
    assert WhatsAppOutbound.objects.get().body == "Sí, sigue disponible"


@pytest.mark.django_db
def test_a_run_out_of_time_says_so_and_the_next_one_finishes() -> None:
    for _ in range(4):
        make_conversation(turns=[("hola", "need", {})], started_at=_ago(40))
    run = retention_anonymise_expired(now=timezone.now(), policy=POLICY, time_budget_s=0)
    assert not run.finished
    assert run.rows == {}
    run = retention_anonymise_expired(now=timezone.now(), policy=POLICY, time_budget_s=60)
    assert run.finished
    assert run.rows["conversations.conversation"] == 4  # in batches of 3
    assert not Conversation.objects.filter(anonymized_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_rows_a_turn_holds_are_skipped_not_waited_for() -> None:
    """Short transactions with SKIP LOCKED: a conversation locked by a turn in progress does not
    stall the run; it is anonymised on the next one."""
    busy = make_conversation(turns=[("hola", "need", {})], started_at=_ago(40))
    free = make_conversation(turns=[("hola", "need", {})], started_at=_ago(40))
    locked, release, done = threading.Event(), threading.Event(), threading.Event()

    def turn() -> None:
        try:
            with transaction.atomic():
                Conversation.objects.select_for_update().get(pk=busy.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=turn)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        run = retention_anonymise_expired(now=timezone.now(), policy=POLICY, time_budget_s=20)
    finally:
        release.set()
        thread.join(timeout=30)
    assert run.finished
    assert run.rows["conversations.conversation"] == 1
    assert Conversation.objects.get(pk=free.pk).anonymized_at is not None
    assert Conversation.objects.get(pk=busy.pk).anonymized_at is None
    retention_anonymise_expired(now=timezone.now(), policy=POLICY)
    assert Conversation.objects.get(pk=busy.pk).anonymized_at is not None


# --- One customer, on request ---------------------------------------------------------------------
@pytest.mark.django_db
def test_erasing_a_customer_removes_their_data_everywhere_and_keeps_the_counts(
    sales: Any, sales2: Any, supervisor: Any
) -> None:
    log = seed_known_log(sales=sales, sales2=sales2)
    conversation = log["G"]  # WhatsApp, handed to a person, open lead
    Conversation.objects.filter(pk=conversation.pk).update(external_id=PHONE)
    lead = Lead.objects.get(conversation=conversation)
    Lead.objects.filter(pk=lead.pk).update(phone=PHONE, name="Luis Pérez")
    LeadEvent.objects.create(lead=lead, kind=LeadEvent.Kind.NOTE, text="Luis vive en Coyoacán")
    earlier = make_conversation(turns=[("soy Luis", "need", {"name": "Luis"})], channel="web")
    LeadEvent.objects.create(
        lead=lead,
        kind=LeadEvent.Kind.CONVERSATION,
        data={"from": earlier.pk, "to": conversation.pk, "channel": "whatsapp"},
    )
    Appointment.objects.create(lead=lead, conversation=conversation, requested="mañana a las 5")
    whatsapp_deliveries(phone=PHONE, conversation=conversation, at=_ago(1))
    whatsapp_deliveries(phone="+525511112222", conversation=None, at=_ago(1))
    someone_else = Lead.objects.get(conversation=log["H"])
    before = dashboard_numbers()

    entry = customer_erase(actor=supervisor, lead_ids=[lead.pk], reference="ARCO-2026-17")

    assert (entry.kind, entry.actor, entry.actor_username) == ("request", supervisor, "sofia")
    assert entry.customer_hash == customer_hash(PHONE)
    assert entry.reference == "ARCO-2026-17"
    assert entry.rows == {
        "leads.lead": 1,
        "leads.leadevent": 1,
        "leads.appointment": 1,
        "conversations.conversation": 2,
        "conversations.message": 4,
        "channels.whatsappinbound": 1,
        "channels.whatsappoutbound": 1,
        "channels.whatsappstatusevent": 1,
        "channels.whatsappcontact": 1,
    }
    lead.refresh_from_db()
    assert (lead.name, lead.phone) == ("", customer_hash(PHONE))
    assert (lead.status, lead.lost_reason) == (Lead.Status.LOST, ERASED_LOST_REASON)
    closing = LeadEvent.objects.get(lead=lead, kind=LeadEvent.Kind.STATUS)
    assert (closing.author, closing.to_status) == (supervisor, Lead.Status.LOST)
    assert not LeadEvent.objects.filter(lead=lead).exclude(text="").exists()
    appointment = Appointment.objects.get(lead=lead)
    assert (appointment.status, appointment.requested) == (Appointment.Status.CANCELLED, "")
    for pk in (conversation.pk, earlier.pk):
        conv = Conversation.objects.get(pk=pk)
        assert conv.anonymized_at is not None
        assert conv.external_id.startswith("~")
        assert not Message.objects.filter(conversation=conv).exclude(text="").exists()
    assert not WhatsAppInbound.objects.filter(phone=PHONE).exists()
    assert not WhatsAppOutbound.objects.filter(to_phone=PHONE).exists()
    assert not WhatsAppContact.objects.filter(phone=PHONE).exists()
    assert WhatsAppContact.objects.filter(phone="+525511112222").exists()
    assert Lead.objects.get(pk=someone_else.pk).name == "Cliente"
    # Conversations, steps, leads per salesperson: the same totals (one lead moved to "lost").
    after = dashboard_numbers()
    for key in ("funnel", "whatsapp", "fallback", "latency", "daily"):
        assert after[key] == before[key], key

    def totals(numbers: dict[str, Any]) -> dict[str, int]:
        return {name: sum(by.values()) for name, by in numbers["agents"]}

    assert totals(after) == totals(before)
    unassigned = dict(after["agents"])["Sin asignar"]
    assert unassigned["perdido"] == dict(before["agents"])["Sin asignar"]["perdido"] + 1


@pytest.mark.django_db
def test_erasing_by_phone_finds_a_whatsapp_customer_without_a_lead(supervisor: Any) -> None:
    conversation = make_conversation(
        turns=[("hola", "need", {})], channel="whatsapp", external_id=PHONE
    )
    Conversation.objects.filter(pk=conversation.pk).update(status="active")
    whatsapp_deliveries(phone=PHONE, conversation=conversation, at=_ago(0))
    WhatsAppInbound.objects.create(
        message_sid="SM-unanswered",
        from_address=f"whatsapp:{PHONE}",
        to_address="whatsapp:+14155238886",
        phone=PHONE,
        body="¿y el precio?",
        received_at=_ago(0),
    )
    WhatsAppOutbound.objects.create(
        idempotency_key="k-unsent",
        group="g-unsent",
        to_address=f"whatsapp:{PHONE}",
        from_address="whatsapp:+14155238886",
        to_phone=PHONE,
        body="El precio es…",
    )

    entry = customer_erase(actor=supervisor, phone=PHONE)

    assert entry.rows["conversations.conversation"] == 1
    conversation.refresh_from_db()
    assert (conversation.status, conversation.closed_at is not None) == ("closed", True)
    unanswered = WhatsAppInbound.objects.get(message_sid="SM-unanswered")
    assert (unanswered.status, unanswered.body) == (WhatsAppInbound.Status.OPTED_OUT, "")
    unsent = WhatsAppOutbound.objects.get(idempotency_key="k-unsent")
    assert (unsent.status, unsent.body) == (WhatsAppOutbound.Status.SUPPRESSED, "")
    # Erasing again finds nothing more and says so.
    assert customer_erase(actor=supervisor, phone=PHONE).rows == {}
    with pytest.raises(NothingToErase):
        customer_erase(actor=supervisor, phone="  ")


# --- The back office ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_supervisor_erases_a_customer_from_the_leads_list_after_confirming(
    supervisor: Any, sales: Any
) -> None:
    conversation = make_conversation(turns=[("soy Luis", "need", {})], channel="web")
    lead = make_lead(name="Luis Pérez", phone=PHONE, conversation=conversation, assigned_to=sales)
    client = login(supervisor)
    url = reverse("admin:leads_lead_changelist")
    assert "Borrar datos del cliente…" in client.get(url).content.decode()
    selected = {"action": "erase_customer", ACTION_CHECKBOX_NAME: [lead.pk]}

    confirm = client.post(url, selected)
    assert confirm.status_code == 200
    assert "Luis Pérez" in confirm.content.decode()
    unconfirmed = client.post(url, {**selected, "confirmar": "1", "referencia": "ARCO-9"})
    assert unconfirmed.status_code == 200  # the box must be ticked
    assert Lead.objects.get(pk=lead.pk).name == "Luis Pérez"

    done = client.post(
        url, {**selected, "confirmar": "1", "referencia": "ARCO-9", "confirmo": "on"}, follow=True
    )

    assert done.status_code == 200
    assert "Datos personales borrados de 1 cliente(s)" in done.content.decode()
    assert Lead.objects.get(pk=lead.pk).name == ""
    entry = DataErasure.objects.get()
    assert (entry.actor, entry.reference, entry.customer_hash) == (
        supervisor,
        "ARCO-9",
        customer_hash(PHONE),
    )
    audit = client.get(reverse("admin:leads_dataerasure_changelist"))
    assert audit.status_code == 200
    assert "ARCO-9" in audit.content.decode()
    found = client.get(reverse("admin:leads_dataerasure_changelist"), {"q": "55 1234 5678"})
    assert "ARCO-9" in found.content.decode()  # a phone number finds its erasures by hash
    detail = client.get(reverse("admin:leads_dataerasure_change", args=[entry.pk]))
    assert detail.status_code == 200
    assert "mensajes" in detail.content.decode()


@pytest.mark.django_db
def test_salespeople_cannot_erase(sales: Any) -> None:
    lead = make_lead(name="Luis Pérez", phone=PHONE, assigned_to=sales)
    client = login(sales)
    url = reverse("admin:leads_lead_changelist")
    assert "erase_customer" not in client.get(url).content.decode()
    client.post(
        url,
        {
            "action": "erase_customer",
            ACTION_CHECKBOX_NAME: [lead.pk],
            "confirmar": "1",
            "confirmo": "on",
        },
    )
    assert Lead.objects.get(pk=lead.pk).name == "Luis Pérez"
    assert client.get(reverse("admin:leads_dataerasure_erase")).status_code == 403
    assert (
        client.post(reverse("admin:leads_dataerasure_erase"), {"telefono": PHONE}).status_code
        == 403
    )
    assert client.get(reverse("admin:leads_dataerasure_changelist")).status_code == 403
    assert not DataErasure.objects.exists()


@pytest.mark.django_db
def test_a_supervisor_erases_a_whatsapp_customer_by_phone(supervisor: Any) -> None:
    conversation = make_conversation(
        turns=[("hola", "need", {})], channel="whatsapp", external_id=PHONE
    )
    whatsapp_deliveries(phone=PHONE, conversation=conversation, at=_ago(0))
    client = login(supervisor)
    url = reverse("admin:leads_dataerasure_erase")
    assert (
        "Borrar datos de un cliente por teléfono"
        in client.get(reverse("admin:leads_dataerasure_changelist")).content.decode()
    )
    assert client.get(url).status_code == 200
    bad = client.post(url, {"telefono": "123", "confirmo": "on"})
    assert "No es un número de teléfono válido." in bad.content.decode()

    done = client.post(url, {"telefono": "+52 1 55 1234 5678", "confirmo": "on"})

    entry = DataErasure.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("admin:leads_dataerasure_change", args=[entry.pk])
    assert entry.rows["channels.whatsappinbound"] == 1
    assert not WhatsAppContact.objects.filter(phone=PHONE).exists()
    assert Conversation.objects.get(pk=conversation.pk).external_id == customer_hash(PHONE)
    page = client.get(reverse("admin:conversations_conversation_change", args=[conversation.pk]))
    assert page.status_code == 200
    assert "Datos personales borrados el" in page.content.decode()


@pytest.mark.django_db
def test_the_command_counts_with_dry_run_then_anonymises(settings: Any) -> None:
    settings.RETENTION_TRANSCRIPT_DAYS = 30
    make_conversation(turns=[("soy Luis", "need", {})], started_at=_ago(40))
    make_conversation(turns=[("soy Ana", "need", {})], started_at=_ago(5))
    out = io.StringIO()
    call_command("retention_anonymise", "--dry-run", stdout=out)
    assert "conversations.conversation: 1 por anonimizar" in out.getvalue()
    assert not Conversation.objects.filter(anonymized_at__isnull=False).exists()
    out = io.StringIO()
    call_command("retention_anonymise", stdout=out)
    assert "conversations.message: 2 filas anonimizadas" in out.getvalue()
    assert Conversation.objects.filter(anonymized_at__isnull=False).count() == 1
