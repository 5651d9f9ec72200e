"""The lead notifier port: leads send through whatever the composition root installed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from channels.lead_notifier import WhatsAppLeadNotifier
from leads.models import Lead, LeadNotification, SalesAgent
from leads.ports import LeadNotifier, NullLeadNotifier
from leads.services import lead_notify_sales_whatsapp, lead_notify_sales_whatsapp_enabled
from leads.wiring import lead_notifier, lead_notifier_install

pytestmark = pytest.mark.django_db


class RecordingLeadNotifier:
    """A fake of the port: records what it was asked to send, answers ``status``."""

    def __init__(self, *, status: str = "queued") -> None:
        self.status = status
        self.sent: list[dict[str, object]] = []

    def enabled(self) -> bool:
        return True

    def send(self, *, key: str, to_phone: str, variables: dict[str, str]) -> str:
        self.sent.append({"key": key, "to_phone": to_phone, "variables": variables})
        return self.status


@pytest.fixture
def installed() -> Iterator[RecordingLeadNotifier]:
    fake = RecordingLeadNotifier()
    previous = lead_notifier_install(lambda: fake)
    yield fake
    lead_notifier_install(previous)


@pytest.fixture
def lead() -> Lead:
    user = get_user_model().objects.create_user("ventas1", password="x" * 12)
    SalesAgent.objects.create(user=user, whatsapp_number="+525587654321")
    return Lead.objects.create(name="Mariana", phone="+525512345678", assigned_to=user)


def test_the_channels_app_installs_whatsapp_when_the_channel_is_on() -> None:
    with override_settings(WHATSAPP_ENABLED=True):
        assert isinstance(lead_notifier(), WhatsAppLeadNotifier)
    with override_settings(WHATSAPP_ENABLED=False):
        assert isinstance(lead_notifier(), NullLeadNotifier)
        assert lead_notify_sales_whatsapp_enabled() is False


def test_the_service_sends_once_through_the_installed_notifier(
    installed: RecordingLeadNotifier, lead: Lead
) -> None:
    assert lead_notify_sales_whatsapp(lead_id=lead.pk, reason="handoff") is True
    assert lead_notify_sales_whatsapp(lead_id=lead.pk, reason="handoff") is False
    assert installed.sent == [
        {
            "key": f"lead-{lead.pk}-handoff",
            "to_phone": "+525587654321",
            "variables": {
                "1": "Mariana",
                "2": "pidió un asesor",
                "3": "+525512345678",
                "4": "-",
                "5": str(lead.pk),
            },
        }
    ]
    assert LeadNotification.objects.get(channel="whatsapp").sent_at is not None


def test_a_failed_delivery_is_recorded_not_marked_sent(
    installed: RecordingLeadNotifier, lead: Lead
) -> None:
    installed.status = "failed"
    assert lead_notify_sales_whatsapp(lead_id=lead.pk, reason="lead_captured") is False
    notification = LeadNotification.objects.get(channel="whatsapp")
    assert notification.sent_at is None
    assert notification.last_error == "whatsapp failed"


def test_the_null_notifier_satisfies_the_port() -> None:
    notifier: LeadNotifier = NullLeadNotifier()
    assert notifier.enabled() is False
    assert notifier.send(key="k", to_phone="+525587654321", variables={}) == "suppressed"
