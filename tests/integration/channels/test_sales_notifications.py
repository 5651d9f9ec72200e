"""Sales notification by WhatsApp template: once per lead and reason, retried on failure."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from channels.models import WhatsAppOutbound
from kavak.exceptions import TransientError
from leads.models import Lead, LeadNotification, SalesAgent
from leads.services import lead_notify_sales_whatsapp, lead_notify_sales_whatsapp_schedule
from tests.support.fake_twilio import FakeTwilio

pytestmark = pytest.mark.django_db

TEMPLATE = "HX" + "a" * 32


@pytest.fixture
def lead() -> Lead:
    user = get_user_model().objects.create_user("ventas1", password="x" * 12, first_name="Luis")
    SalesAgent.objects.create(user=user, whatsapp_number="+525587654321")
    return Lead.objects.create(
        name="Mariana",
        phone="+525512345678",
        channel="whatsapp",
        assigned_to=user,
        car_snapshot={"make": "Toyota", "model": "Corolla", "year": 2019},
    )


def test_the_salesperson_gets_the_template_exactly_once(whatsapp: FakeTwilio, lead: Lead) -> None:
    with override_settings(TWILIO_SALES_TEMPLATE_CONTENT_SID=TEMPLATE):
        assert lead_notify_sales_whatsapp(lead_id=lead.pk, reason="handoff") is True
        assert lead_notify_sales_whatsapp(lead_id=lead.pk, reason="handoff") is False
        assert lead_notify_sales_whatsapp(lead_id=lead.pk, reason="lead_captured") is True
    assert len(whatsapp.created) == 2
    sent = whatsapp.created[0]
    assert sent["to"] == "whatsapp:+525587654321"
    assert sent["from"] == "whatsapp:+14155238886"
    assert sent["content_sid"] == TEMPLATE
    assert "Toyota Corolla 2019" in sent["content_variables"]
    notification = LeadNotification.objects.get(lead=lead, reason="handoff", channel="whatsapp")
    assert notification.sent_at is not None
    assert WhatsAppOutbound.objects.filter(kind="sales").count() == 2


def test_a_failed_attempt_is_retried_and_still_sends_once(whatsapp: FakeTwilio, lead: Lead) -> None:
    whatsapp.script("500")
    with override_settings(TWILIO_SALES_TEMPLATE_CONTENT_SID=TEMPLATE):
        with pytest.raises(TransientError):
            lead_notify_sales_whatsapp(lead_id=lead.pk, reason="handoff")
        notification = LeadNotification.objects.get(channel="whatsapp")
        assert notification.sent_at is None
        assert notification.last_error
        assert lead_notify_sales_whatsapp(lead_id=lead.pk, reason="handoff") is True
    assert len(whatsapp.created) == 1
    assert LeadNotification.objects.get(channel="whatsapp").attempts == 2


def test_nothing_is_sent_without_template_or_salesperson_number(
    whatsapp: FakeTwilio, lead: Lead, django_capture_on_commit_callbacks: object
) -> None:
    assert lead_notify_sales_whatsapp(lead_id=lead.pk, reason="handoff") is False
    assert lead_notify_sales_whatsapp_schedule(lead_id=lead.pk, reason="handoff") is False
    SalesAgent.objects.update(whatsapp_number="55-12")
    with override_settings(TWILIO_SALES_TEMPLATE_CONTENT_SID=TEMPLATE):
        assert lead_notify_sales_whatsapp(lead_id=lead.pk, reason="handoff") is False
    assert LeadNotification.objects.get(channel="whatsapp").last_error
    SalesAgent.objects.update(whatsapp_number="")
    with override_settings(TWILIO_SALES_TEMPLATE_CONTENT_SID=TEMPLATE):
        assert lead_notify_sales_whatsapp(lead_id=lead.pk, reason="handoff") is False
        with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
            assert lead_notify_sales_whatsapp_schedule(lead_id=lead.pk, reason="handoff")
        assert len(callbacks) == 1
    assert whatsapp.requests == []


def test_with_only_a_meta_number_the_salesperson_gets_the_meta_template(
    fake_graph: object, fake_twilio: FakeTwilio, lead: Lead
) -> None:
    from channels.providers import providers_parse
    from tests.support.whatsapp import META_NUMBER, META_PHONE_NUMBER_ID, meta_settings

    meta_only = f"{META_NUMBER}=meta:{META_PHONE_NUMBER_ID}"
    overrides = meta_settings(
        fake_graph,
        fake_twilio,
        WHATSAPP_PROVIDERS=meta_only,
        WHATSAPP_ROUTES=providers_parse(meta_only),
        TWILIO_WHATSAPP_NUMBER="",
        TWILIO_SALES_TEMPLATE_CONTENT_SID=TEMPLATE,  # Twilio's: not used for a Meta number
    )
    with override_settings(**overrides):
        assert lead_notify_sales_whatsapp(lead_id=lead.pk, reason="handoff") is False
        with override_settings(META_SALES_TEMPLATE="kavak_aviso_ventas:es_MX"):
            assert lead_notify_sales_whatsapp(lead_id=lead.pk, reason="handoff") is True
            assert lead_notify_sales_whatsapp(lead_id=lead.pk, reason="handoff") is False
    assert fake_twilio.created == []
    (sent,) = fake_graph.created  # type: ignore[attr-defined]
    assert sent["to"] == "525587654321"
    assert sent["from"] == META_PHONE_NUMBER_ID
    assert sent["template"]["name"] == "kavak_aviso_ventas"
    parameters = [p["text"] for p in sent["template"]["components"][0]["parameters"]]
    assert parameters[0] == "Mariana"
    assert parameters[3] == "Toyota Corolla 2019"
    row = WhatsAppOutbound.objects.get(kind="sales")
    assert row.from_address == "whatsapp:" + META_NUMBER
    assert row.content_sid == "kavak_aviso_ventas:es_MX"
