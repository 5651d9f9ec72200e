"""Admin hardening: lockout on username + address (behind the ALB too), sessions, audit trail;
and lead assignment inside a real conversation turn."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory, override_settings

from backoffice.security import client_ip_address
from conversations.engine.policy import EngineDeps
from conversations.services import conversation_turn_handle
from leads.models import Lead, LeadEvent, SalesAgent
from leads.roles import CONTENT, SALES, SUPERVISION
from leads.services import lead_notify_sales
from tests.support.fakes import FakeKnowledge, InMemoryCarCatalog

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"


def _attempt(client: Client, password: str, **headers: str) -> Any:
    return client.post(
        LOGIN, {"username": "ana", "password": password, "next": "/admin/"}, **headers
    )


def test_repeated_failed_logins_lock_that_username_from_that_address(sales: Any) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, "wrong").status_code == 200  # the login form again
    locked = _attempt(client, "wrong")
    assert locked.status_code == 429
    assert "Acceso bloqueado temporalmente" in locked.content.decode()
    # Even the right password is refused now, from that address…
    assert _attempt(client, "pw-123456").status_code == 429
    # …but the same person from another address, or another user here, can still log in.
    assert _attempt(Client(REMOTE_ADDR="198.51.100.9"), "pw-123456").status_code == 302
    assert AccessAttempt.objects.filter(username="ana", ip_address="203.0.113.7").exists()


@override_settings(AXES_IPWARE_PROXY_COUNT=1)
def test_behind_the_alb_the_lockout_uses_the_address_the_balancer_saw(sales: Any) -> None:
    alb = {"REMOTE_ADDR": "10.0.1.20"}  # every request comes from the balancer
    attacker = Client(**alb)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        # A forged left-most entry does not help: the ALB appends the real address.
        _attempt(attacker, "wrong", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert (
        _attempt(attacker, "pw-123456", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7").status_code
        == 429
    )
    colleague = Client(**alb)
    ok = _attempt(colleague, "pw-123456", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert ok.status_code == 302  # not locked out by the attacker's failures


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "10.0.0.1"),
        (1, "1.2.3.4", "1.2.3.4"),
        (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),
        (2, "6.6.6.6, 1.2.3.4, 10.0.0.9", "1.2.3.4"),
        (2, "1.2.3.4", "10.0.0.1"),  # shorter than the proxy chain: not through the balancer
        (1, "", "10.0.0.1"),
    ],
)
def test_client_ip_counts_trusted_proxies_from_the_right(
    count: int, forwarded: str, expected: str
) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(AXES_IPWARE_PROXY_COUNT=count):
        assert client_ip_address(request) == expected


def test_staff_sessions_are_short_http_only_and_same_site() -> None:
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_admin_path_is_configurable() -> None:
    assert settings.ADMIN_URL == "admin/"  # DJANGO_ADMIN_URL; tests/integration covers the env


def test_status_changes_are_in_the_admin_history_and_the_lead_activity(sales: Any) -> None:
    from tests.support.backoffice import login, make_lead

    lead = make_lead(assigned_to=sales)
    login(sales).post(
        f"/admin/leads/lead/{lead.pk}/change/",
        {
            "notifications-TOTAL_FORMS": "0",
            "notifications-INITIAL_FORMS": "0",
            "status": "cita_agendada",
            "new_note": "Cita el sábado",
        },
    )
    entry = LogEntry.objects.get(object_id=str(lead.pk))
    assert entry.user == sales
    assert LeadEvent.objects.filter(lead=lead, author=sales).count() == 2


# --- Assignment inside a real turn ------------------------------------------------------------
def _turn(text: str, session: str) -> Any:
    deps = EngineDeps(catalog=InMemoryCarCatalog(), knowledge=FakeKnowledge())
    return conversation_turn_handle(channel="api", external_id=session, text=text, deps=deps)


def test_a_lead_captured_in_a_conversation_is_assigned_and_notifies_its_salesperson(
    make_staff: Any,
) -> None:
    ana = make_staff("ana", SALES, agent=True)
    for text in ("Versa 250 mil", "el 1", "20%", "48 meses", "sí", "Ana López", "55 1234 5678"):
        _turn(text, "turn-lead")
    outcome = _turn("mañana en la tarde", "turn-lead")
    lead = Lead.objects.get(pk=outcome.lead.id)
    assert lead.assigned_to == ana
    assert SalesAgent.objects.get(user=ana).last_assigned_at is not None
    assert lead_notify_sales(lead_id=lead.pk, reason="lead_captured") is True
    assert mail.outbox[-1].to == [ana.email]


# --- Development users --------------------------------------------------------------------------
@override_settings(DEBUG=True)
def test_ensure_dev_staff_creates_one_user_per_role_with_printed_passwords() -> None:
    out = io.StringIO()
    call_command("ensure_dev_staff", stdout=out)
    text = out.getvalue()
    creds = dict(re.findall(r"Usuario: (\S+)\s+Contraseña: (\S+)", text))
    assert set(creds) == {"ventas", "ventas2", "supervision", "contenido"}
    users = get_user_model().objects
    for username, role in (
        ("ventas", SALES),
        ("ventas2", SALES),
        ("supervision", SUPERVISION),
        ("contenido", CONTENT),
    ):
        user = users.get(username=username)
        assert user.check_password(creds[username])
        assert user.is_staff
        assert not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [role]
    assert set(SalesAgent.objects.values_list("user__username", flat=True)) == {
        "ventas",
        "ventas2",
    }
    again = io.StringIO()
    call_command("ensure_dev_staff", stdout=again)
    assert "Contraseña" not in again.getvalue()
    reset = io.StringIO()
    call_command("ensure_dev_staff", "--reset", stdout=reset)
    new = dict(re.findall(r"Usuario: (\S+)\s+Contraseña: (\S+)", reset.getvalue()))
    assert new["ventas"] != creds["ventas"]
    assert users.get(username="ventas").check_password(new["ventas"])


def test_ensure_dev_staff_refuses_outside_debug() -> None:
    with pytest.raises(CommandError, match="solo se usa en desarrollo"):
        call_command("ensure_dev_staff")
