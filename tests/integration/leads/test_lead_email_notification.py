"""The sales email (issue 18): marked sent only once the backend accepted it, really off when
LEAD_EMAIL_NOTIFICATIONS=false, and never written to the logs (it carries the customer's phone)."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings

from kavak.exceptions import TransientError
from leads.models import Lead, LeadNotification
from leads.services import lead_notify_pending, lead_notify_sales

pytestmark = pytest.mark.django_db

PHONE = "+525587654321"


class AcceptsNothingBackend(BaseEmailBackend):
    """A backend that returns without error but delivered nothing (Django's contract: the count
    of messages sent), as an SMTP connection opened with fail_silently or a throttled API does."""

    def send_messages(self, email_messages: object) -> int:
        return 0


@pytest.fixture
def lead() -> Lead:
    return Lead.objects.create(name="Mariana Ruiz", phone=PHONE, channel="whatsapp")


def test_a_notification_is_not_marked_sent_when_the_backend_accepted_nothing(lead: Lead) -> None:
    backend = f"{__name__}.AcceptsNothingBackend"
    with override_settings(EMAIL_BACKEND=backend), pytest.raises(TransientError):
        lead_notify_sales(lead_id=lead.pk, reason="lead_captured")
    notification = LeadNotification.objects.get(lead=lead, channel="email")
    assert notification.sent_at is None
    assert notification.attempts == 1
    assert "0 of 1" in notification.last_error
    lead.refresh_from_db()
    assert lead.notified_at is None
    # The sweep finds it again, and the next attempt on a working backend sends it once.
    assert lead_notify_pending(older_than_s=-60) == [(lead.pk, "lead_captured")]
    assert lead_notify_sales(lead_id=lead.pk, reason="lead_captured") is True
    assert len(mail.outbox) == 1
    assert LeadNotification.objects.get(lead=lead, channel="email").attempts == 2


@override_settings(LEAD_EMAIL_NOTIFICATIONS=False)
def test_turned_off_nothing_is_sent_recorded_or_swept_again(lead: Lead) -> None:
    assert lead_notify_sales(lead_id=lead.pk, reason="lead_captured") is False
    assert mail.outbox == []
    assert not LeadNotification.objects.filter(channel="email").exists()
    assert lead_notify_pending(older_than_s=-60) == []


def test_the_email_body_never_reaches_the_logs(
    lead: Lead, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        with (
            override_settings(EMAIL_BACKEND=f"{__name__}.AcceptsNothingBackend"),
            pytest.raises(TransientError),
        ):
            lead_notify_sales(lead_id=lead.pk, reason="lead_captured")
        assert lead_notify_sales(lead_id=lead.pk, reason="lead_captured") is True
    body = mail.outbox[0].body
    assert PHONE in body
    logged = "\n".join(
        [r.getMessage() for r in caplog.records] + [str(r.__dict__) for r in caplog.records]
    )
    assert "8765" not in logged
    for line in body.splitlines():
        assert line not in logged
