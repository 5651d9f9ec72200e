"""Human handoff on /chat and the web chat: a salesperson answers from the admin, the customer's
client gets it in ``staff_messages`` and from the messages endpoints; return to the bot; the
handoff's one honest message when nobody answers in time."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework_api_key.models import APIKey

from backoffice.handoff import handoff_sla_sweep
from conversations.models import Conversation, Message
from conversations.staff import conversation_handoff_notice, handoff_waiting_queryset
from leads.models import Lead
from tests.support.backoffice import login

pytestmark = pytest.mark.django_db

MX = ZoneInfo("America/Mexico_City")
SESSION = "cliente-api-1"


@pytest.fixture
def api_key() -> str:
    _, key = APIKey.objects.create_key(name="tests")
    return key


def chat(client: Client, key: str, message: str, session: str = SESSION) -> dict:
    response = client.post(
        "/chat",
        data=json.dumps({"session_id": session, "message": message}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200, response.content
    return response.json()


def messages(client: Client, key: str, after: int = 0, session: str = SESSION):
    return client.get(
        f"/chat/{session}/messages", {"after": after}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )


def test_chat_handoff_answered_from_the_admin_arrives_in_staff_messages_and_the_endpoint(
    client: Client, api_key: str, sales: object, sales2: object
) -> None:
    first = chat(client, api_key, "quiero hablar con un asesor, mi cel es 55 1234 5678")
    assert first["step"] == "handoff"
    assert first["bot_paused"] is True
    assert first["staff_messages"] == []
    lead = Lead.objects.get(phone="+525512345678")
    conversation = Conversation.objects.get(channel="api", external_id=SESSION)
    # Round-robin gives the lead to one of the two salespeople; the other cannot answer it.
    owner = lead.assigned_to
    other = sales2 if owner == sales else sales
    reply_url = f"/admin/conversations/conversation/{conversation.pk}/responder/"
    assert login(other).get(reply_url).status_code == 404

    owner_client = login(owner)
    page = owner_client.get(reply_url)
    assert page.status_code == 200
    assert "Nadie le ha respondido todavía" in page.content.decode()
    response = owner_client.post(reply_url, {"action": "reply", "text": "Hola, soy *Ana*."})
    assert response.status_code == 302

    polled = messages(client, api_key)
    assert polled.status_code == 200
    body = polled.json()
    assert body["bot_paused"] is True
    [staff] = body["messages"]
    assert staff["kind"] == "staff"
    assert staff["author"] == owner.first_name
    assert staff["text"] == "Hola, soy *Ana*."
    assert staff["at"]
    assert messages(client, api_key, after=staff["id"]).json()["messages"] == []

    second = chat(client, api_key, "gracias, ¿me puede llamar?")
    assert [m["id"] for m in second["staff_messages"]] == [staff["id"]]
    assert second["reply"] == ""  # a person answered: the bot no longer acknowledges
    assert chat(client, api_key, "ok")["staff_messages"] == []

    owner_client.post(reply_url, {"action": "return_to_bot"})
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.ACTIVE
    # Back to the bot, then the handoff's one satisfaction question (test_satisfaction_turns).
    notice, question = messages(client, api_key, after=staff["id"]).json()["messages"]
    assert notice["kind"] == question["kind"] == "notice"
    assert "asistente virtual" in notice["text"]
    assert owner.first_name in notice["text"]
    assert "del 1 al 5" in question["text"]
    third = chat(client, api_key, "busco un auto")
    assert third["bot_paused"] is False
    assert [m["kind"] for m in third["staff_messages"]] == ["notice", "notice"]
    assert third["reply"]


def test_messages_endpoint_needs_a_key_and_an_open_conversation(
    client: Client, api_key: str
) -> None:
    assert client.get(f"/chat/{SESSION}/messages").status_code == 401
    missing = messages(client, api_key)
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    chat(client, api_key, "hola")
    assert messages(client, api_key, after=-1).status_code == 400


def test_a_salesperson_writing_takes_the_conversation_from_the_bot(
    client: Client, api_key: str, sales: object
) -> None:
    chat(client, api_key, "hola")
    conversation = Conversation.objects.get(channel="api", external_id=SESSION)
    Lead.objects.create(channel="api", conversation=conversation, assigned_to=sales, phone="")
    login(sales).post(
        f"/admin/conversations/conversation/{conversation.pk}/responder/",
        {"action": "reply", "text": "Te ayudo yo"},
    )
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.HANDOFF
    assert conversation.handoff_at is not None
    assert chat(client, api_key, "va")["bot_paused"] is True


@override_settings(BUSINESS_HOURS="mon-fri 09:00-19:00", HANDOFF_SLA_MINUTES=15)
def test_unanswered_handoff_gets_one_honest_message_after_the_sla(
    client: Client, api_key: str
) -> None:
    chat(client, api_key, "quiero un asesor")
    conversation = Conversation.objects.get(channel="api", external_id=SESSION)
    handoff = datetime(2026, 11, 30, 10, 0, tzinfo=MX)  # a Monday, inside business hours
    Conversation.objects.filter(pk=conversation.pk).update(handoff_at=handoff)
    conversation.refresh_from_db()

    early = datetime(2026, 11, 30, 10, 10, tzinfo=MX)
    assert conversation_handoff_notice(conversation_id=conversation.pk, now=early) is None
    assert not handoff_waiting_queryset(now=early).exists()

    late = datetime(2026, 11, 30, 10, 20, tzinfo=MX)
    assert list(handoff_waiting_queryset(now=late)) == [conversation]
    assert handoff_sla_sweep(now=late) == 1
    assert handoff_sla_sweep(now=late) == 0  # one message per handoff, not one per sweep
    [notice] = Message.objects.filter(conversation=conversation, direction="notice")
    assert "Perdón por la espera" in notice.text
    assert "hasta las 19:00" in notice.text
    assert messages(client, api_key).json()["messages"][0]["text"] == notice.text


@override_settings(BUSINESS_HOURS="mon-fri 09:00-19:00", HANDOFF_SLA_MINUTES=15)
def test_handoff_outside_business_hours_says_when_an_advisor_will_write(
    client: Client, api_key: str
) -> None:
    chat(client, api_key, "quiero un asesor")
    conversation = Conversation.objects.get(channel="api", external_id=SESSION)
    friday_night = datetime(2026, 12, 4, 22, 0, tzinfo=MX)
    Conversation.objects.filter(pk=conversation.pk).update(handoff_at=friday_night)
    notice = conversation_handoff_notice(
        conversation_id=conversation.pk, now=datetime(2026, 12, 4, 22, 1, tzinfo=MX)
    )
    assert notice is not None
    assert "fuera de ese horario" in notice.text
    assert "el lunes 7 a las 9:00" in notice.text
    assert "lunes a viernes de 9:00 a 19:00" in notice.text
    # Still not overdue for the back office: no business minute went by yet.
    assert not handoff_waiting_queryset(now=datetime(2026, 12, 5, 12, 0, tzinfo=MX)).exists()


def test_web_chat_keeps_its_session_in_the_browser_and_polls_staff_messages(
    client: Client, sales: object
) -> None:
    first = client.post(
        "/web/chat",
        data=json.dumps({"message": "quiero hablar con un asesor"}),
        content_type="application/json",
    ).json()
    session = first["session_id"]
    assert len(session) >= 20
    conversation = Conversation.objects.get(channel="web", external_id=session)
    Lead.objects.create(channel="web", conversation=conversation, assigned_to=sales, phone="")
    login(sales).post(
        f"/admin/conversations/conversation/{conversation.pk}/responder/",
        {"action": "reply", "text": "Hola, soy Ana"},
    )
    polled = client.get("/web/chat/messages", {"session_id": session, "after": 0}).json()
    assert [(m["author"], m["text"]) for m in polled["messages"]] == [("Ana", "Hola, soy Ana")]
    history = client.get("/web/chat/history", {"session_id": session}).json()
    assert [m["kind"] for m in history["messages"]] == ["in", "out", "staff"]
    assert history["bot_paused"] is True
    assert client.get("/web/chat/history", {"session_id": "corto"}).status_code == 400


def test_web_chat_csv_link_downloads_the_plan(client: Client) -> None:
    response = client.get(
        "/web/chat/amortizacion.csv",
        {"price": "300000", "down_payment": "60000", "term_months": "48"},
    )
    assert response.status_code == 200
    lines = response.content.decode().strip().splitlines()
    assert lines[0] == "mes,pago,interes,capital,saldo"
    assert len(lines) == 49


def test_overdue_handoff_is_flagged_in_the_lead_list_and_on_the_dashboard(
    client: Client, api_key: str, sales: object, supervisor: object
) -> None:
    chat(client, api_key, "quiero un asesor, mi cel es 55 8765 4321")
    conversation = Conversation.objects.get(channel="api", external_id=SESSION)
    lead = Lead.objects.get(phone="+525587654321")
    assert lead.assigned_to == sales
    listing = login(sales).get("/admin/leads/lead/").content.decode()
    assert "Espera asesor" not in listing  # just asked: not overdue yet

    # Long enough ago to be past the SLA whatever the business hours of the day the test runs.
    Conversation.objects.filter(pk=conversation.pk).update(
        handoff_at=timezone.now() - timedelta(days=15)
    )
    listing = login(sales).get("/admin/leads/lead/").content.decode()
    assert "⚠ Espera asesor desde" in listing
    assert f"/admin/conversations/conversation/{conversation.pk}/responder/" in listing
    only_waiting = login(sales).get("/admin/leads/lead/", {"esperando": "si"}).content.decode()
    assert "+525587654321" in only_waiting
    dashboard = login(supervisor).get("/admin/backoffice/funneldashboard/").content.decode()
    assert 'id="handoffs-waiting" data-count="1"' in dashboard

    # Answered: no longer waiting.
    login(sales).post(
        f"/admin/conversations/conversation/{conversation.pk}/responder/",
        {"action": "reply", "text": "Ya te atiendo"},
    )
    assert "Espera asesor" not in login(sales).get("/admin/leads/lead/").content.decode()
    dashboard = login(supervisor).get("/admin/backoffice/funneldashboard/").content.decode()
    assert 'id="handoffs-waiting" data-count="0"' in dashboard
