"""Human handoff on WhatsApp: the bot goes silent, staff reply (24-hour rule), return to bot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from channels.models import WhatsAppInbound, WhatsAppOutbound
from channels.services import (
    outbound_group_send,
    staff_reply_send,
    staff_template_send,
)
from conversations.models import Conversation
from kavak.exceptions import ApplicationError
from leads.models import Lead
from tests.integration.channels.test_webhook import run_pending
from tests.support.fake_twilio import FakeTwilio
from tests.support.whatsapp import CUSTOMER, CUSTOMER_PHONE, WEBHOOK, new_sid, payload, post_signed

pytestmark = pytest.mark.django_db

TEMPLATE = "HX" + "c" * 32


def deliver(client: Client, body: str = "", name: str = "inbound_text") -> None:
    data = payload(name, MessageSid=new_sid())
    if body:
        data["Body"] = body
    assert post_signed(client, WEBHOOK, data).status_code == 200
    run_pending()


@pytest.fixture
def staff() -> object:
    user = get_user_model().objects.create_user(
        "vendedora", password="x" * 12, first_name="Ana", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Ventas"))
    return user


@pytest.fixture
def handed_off(whatsapp: FakeTwilio, client: Client) -> Conversation:
    deliver(client, "Hola")
    deliver(client, "quiero hablar con un asesor")
    conversation = Conversation.objects.get(channel="whatsapp", external_id=CUSTOMER_PHONE)
    assert conversation.status == "handoff"
    return conversation


def test_handoff_pauses_the_bot_and_later_messages_are_stored_silently(
    handed_off: Conversation, whatsapp: FakeTwilio, client: Client
) -> None:
    sent = len(whatsapp.created)
    assert "asesor" in whatsapp.bodies_to(CUSTOMER)[-1]
    assert Lead.objects.filter(conversation=handed_off, source="handoff").exists()
    deliver(client, "¿me pueden llamar hoy?")
    deliver(client, name="inbound_voice_note")
    deliver(client, name="inbound_location")
    assert len(whatsapp.created) == sent  # the bot stays silent, also for media
    texts = list(handed_off.messages.filter(direction="in").values_list("text", flat=True))
    assert texts[-3] == "¿me pueden llamar hoy?"
    assert texts[-2].startswith("[nota de voz: https://api.twilio.com/")
    assert texts[-1] == "[ubicación: Oficina]"
    assert not WhatsAppInbound.objects.filter(status="received").exists()


def test_staff_reply_inside_the_window_is_logged_and_sent(
    handed_off: Conversation, whatsapp: FakeTwilio, staff: object
) -> None:
    group = staff_reply_send(
        conversation_id=handed_off.pk, user_id=staff.pk, text="Hola, soy Ana de Kavak."
    )
    assert outbound_group_send(group=group) == 1
    assert whatsapp.bodies_to(CUSTOMER)[-1] == "Hola, soy Ana de Kavak."
    staff_message = handed_off.messages.get(direction="staff")
    assert staff_message.text == "Hola, soy Ana de Kavak."
    assert WhatsAppOutbound.objects.get(group=group).turn_id == staff_message.turn_id


def test_outside_the_window_only_the_approved_template_can_be_sent(
    handed_off: Conversation, whatsapp: FakeTwilio, staff: object
) -> None:
    WhatsAppInbound.objects.filter(phone=CUSTOMER_PHONE).update(
        received_at=timezone.now() - timedelta(hours=25)
    )
    with pytest.raises(ApplicationError, match="24 horas"):
        staff_reply_send(conversation_id=handed_off.pk, user_id=staff.pk, text="¿Sigues ahí?")
    with pytest.raises(ApplicationError, match="TWILIO_STAFF_TEMPLATE_CONTENT_SID"):
        staff_template_send(conversation_id=handed_off.pk, user_id=staff.pk, staff_name="Ana")
    with override_settings(TWILIO_STAFF_TEMPLATE_CONTENT_SID=TEMPLATE):
        group = staff_template_send(
            conversation_id=handed_off.pk, user_id=staff.pk, staff_name="Ana"
        )
    outbound_group_send(group=group)
    sent = whatsapp.created[-1]
    assert sent["content_sid"] == TEMPLATE
    assert sent["body"] == ""
    assert '"2": "Ana"' in sent["content_variables"]


def test_staff_cannot_write_to_customers_who_opted_out(
    handed_off: Conversation, whatsapp: FakeTwilio, client: Client, staff: object
) -> None:
    deliver(client, "baja")
    with pytest.raises(ApplicationError, match="BAJA"):
        staff_reply_send(conversation_id=handed_off.pk, user_id=staff.pk, text="Hola")


def test_return_to_bot_from_the_admin_makes_the_bot_answer_again(
    handed_off: Conversation, whatsapp: FakeTwilio, client: Client, staff: object
) -> None:
    # A salesperson works the customers of the leads assigned to them.
    Lead.objects.filter(conversation=handed_off).update(assigned_to=staff)
    staff_client = Client()
    staff_client.force_login(staff)
    url = reverse("admin:channels_whatsappconversation_reply", args=[handed_off.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert "El bot está en pausa" in page.content.decode()
    assert "Ventana de 24 horas abierta" in page.content.decode()
    response = staff_client.post(url, {"action": "reply", "text": "Te llamo en 5 minutos."})
    assert response.status_code == 302
    staff_part = WhatsAppOutbound.objects.get(kind="staff")
    outbound_group_send(group=staff_part.group)  # what the task enqueued on commit does
    response = staff_client.post(url, {"action": "return_to_bot"})
    assert response.status_code == 302
    handed_off.refresh_from_db()
    assert handed_off.status == "active"
    # The customer is told, in the same chat, that the bot has the conversation again; then
    # the handoff's one satisfaction question (tests/integration/channels/test_satisfaction.py).
    notice, question = WhatsAppOutbound.objects.filter(
        kind="notice", conversation=handed_off
    ).order_by("pk")
    assert "Ana te regresó con el asistente virtual" in notice.body
    assert "del 1 al 5" in question.body
    outbound_group_send(group=notice.group)
    assert whatsapp.bodies_to(CUSTOMER)[-1] == notice.body
    outbound_group_send(group=question.group)
    sent = len(whatsapp.created)
    deliver(client, "busco un auto familiar")
    assert len(whatsapp.created) == sent + 1


def test_admin_pages_render_and_say_when_only_a_template_is_allowed(
    handed_off: Conversation, whatsapp: FakeTwilio, staff: object, admin_client: Client
) -> None:
    WhatsAppInbound.objects.filter(phone=CUSTOMER_PHONE).update(
        received_at=timezone.now() - timedelta(days=2)
    )
    page = admin_client.get(
        reverse("admin:channels_whatsappconversation_reply", args=[handed_off.pk])
    )
    assert "Fuera de la ventana de 24 horas" in page.content.decode()
    assert "no hay una configurada" in page.content.decode()
    for name in (
        "whatsappconversation",
        "whatsappinbound",
        "whatsappoutbound",
        "whatsappcontact",
        "whatsappstatusevent",
    ):
        assert admin_client.get(reverse(f"admin:channels_{name}_changelist")).status_code == 200
    change = admin_client.get(
        reverse("admin:channels_whatsappconversation_change", args=[handed_off.pk])
    )
    assert change.status_code == 200
    assert "quiero hablar con un asesor" in change.content.decode()
    mine = admin_client.get(
        reverse("admin:channels_whatsappconversation_changelist") + "?asignadas=mias"
    )
    assert mine.status_code == 200
    # Sales staff may read and reply, but not delete or edit raw deliveries.
    assert staff.has_perm("channels.reply_whatsapp")
    assert not staff.has_perm("channels.delete_whatsappinbound")


def test_staff_without_the_reply_permission_cannot_post(
    handed_off: Conversation, whatsapp: FakeTwilio
) -> None:
    user = get_user_model().objects.create_user("lector", password="x" * 12, is_staff=True)
    user.user_permissions.add(
        *__import__(
            "django.contrib.auth.models", fromlist=["Permission"]
        ).Permission.objects.filter(codename__in=["view_whatsappconversation", "view_all_leads"])
    )
    reader = Client()
    reader.force_login(user)
    url = reverse("admin:channels_whatsappconversation_reply", args=[handed_off.pk])
    assert reader.get(url).status_code == 200
    assert reader.post(url, {"action": "return_to_bot"}).status_code == 403


def test_unanswered_whatsapp_handoff_gets_one_honest_message_in_the_chat(
    handed_off: Conversation, whatsapp: FakeTwilio
) -> None:
    from backoffice.handoff import handoff_sla_sweep

    Conversation.objects.filter(pk=handed_off.pk).update(
        handoff_at=timezone.now() - timedelta(days=15)
    )
    assert handoff_sla_sweep() == 1
    assert handoff_sla_sweep() == 0
    notice = WhatsAppOutbound.objects.get(kind="notice", conversation=handed_off)
    assert "asesor" in notice.body
    outbound_group_send(group=notice.group)
    assert whatsapp.bodies_to(CUSTOMER)[-1] == notice.body
