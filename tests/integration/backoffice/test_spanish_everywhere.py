"""Every admin page each role can open reads in Spanish: no English UI phrase, no raw code.

The walk starts at the admin index and follows every link inside the admin (lists, detail pages,
filters, custom pages) up to a page budget, as Ventas, Supervisión, Contenido and a superuser.
The visible text (no tags, scripts or styles) is checked against a list of English phrases the
admin and its third-party apps print, and against the engine's step/action codes.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urldefrag, urlparse

import pytest
from axes.models import AccessAttempt, AccessLog
from django.test import Client
from django.utils import timezone
from rest_framework_api_key.models import APIKey

from conversations.models import Message
from knowledge.models import Article, GoldenQuestion, UnansweredQuestion
from leads.models import Appointment, LeadEvent, LeadNotification
from leads.roles import CONTENT, SALES, SUPERVISION
from tests.support.backoffice import login, make_conversation, make_lead

pytestmark = pytest.mark.django_db

ENGLISH = [
    "Add", "Change", "Delete", "Can add", "Can change", "Can view", "Can delete", "Save and",
    "History", "View site", "Log out", "Filter",
    "Search", "Select all", "Action", "Home", "Authentication", "Groups", "Users",
    "API key", "API Key", "Access attempt", "Access failure", "Access log", "access attempt",
    "Prefix", "Created", "Expires", "Revoked", "Django", "Welcome", "Recent actions",
    "Page not found", "Forbidden", "Show all", "Today", "Any date", "Past 7 days",
    "This month", "This year", "Username", "Password", "Permissions", "Unknown",
    "Attempt Time", "IP Address", "User Agent", "Path", "Logout", "Status", "Name",
    "Has expired", "Not set", "Locked Out", "Meta Data", "Form Data", "Yes", "None",
    "Go", "Run", "items", "selected", "Clear", "Apply", "Submit", "Back", "Next",
]  # fmt: skip
RAW_CODES = [
    "need", "budget", "options", "financing", "lead_capture", "handoff", "done",
    "ask_need", "ask_budget", "choose_option", "confirm_suggestion", "ask_down_payment",
    "ask_term", "offer_appointment", "ask_name", "ask_phone", "ask_contact_time", "offer_help",
    "answer_faq", "handoff_to_human", "lead_captured", "api", "web", "whatsapp", "cli",
    "appointment", "solicitada", "en_financiamiento", "cita_agendada",
]  # fmt: skip
_ENGLISH_RE = re.compile(r"(?<![\w/.-])(" + "|".join(map(re.escape, ENGLISH)) + r")(?![\w])")
_CODES_RE = re.compile(r"(?<![\w/.@-])(" + "|".join(RAW_CODES) + r")(?![\w/.-])")
MAX_PAGES = 160


def visible_text(page: str) -> str:
    body = re.sub(r"(?is)<(script|style|svg|template)\b.*?</\1>", " ", page)
    body = re.sub(r"(?s)<!--.*?-->", " ", body)
    body = re.sub(r"(?s)<[^>]+>", " ", body)
    # "Chat web" is the web channel's label; alone, "web" is its raw code.
    return re.sub(r"\s+", " ", html.unescape(body)).replace("Chat web", "Chat-web")


def _links(page: str, base: str) -> list[str]:
    out = []
    for href in re.findall(r'href="([^"]+)"', page):
        href = html.unescape(href)
        href, _ = urldefrag(href)
        if href.startswith("?"):
            href = base + href
        parsed = urlparse(href)
        if parsed.netloc or not parsed.path.startswith("/admin/"):
            continue
        if any(part in parsed.path for part in ("/logout", "/delete/", ".csv", "/exportar")):
            continue
        if "export" in (parsed.query or ""):
            continue
        out.append(href)
    return out


def walk(client: Client) -> dict[str, str]:
    """Every admin page reachable from the index (GET only), as ``{url: visible text}``."""
    seen: dict[str, str] = {}
    queue = ["/admin/", "/admin/no-existe/"]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        if response.status_code in (301, 302):
            seen[url] = ""
            queue.append(response["Location"])
            continue
        content = response.content.decode()
        seen[url] = visible_text(content)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            queue.extend(link for link in _links(content, url.split("?")[0]) if link not in seen)
    return seen


@pytest.fixture
def world(make_staff: Any) -> dict[str, Any]:
    ana = make_staff("ana", SALES, agent=True, first_name="Ana")
    make_staff("sofia", SUPERVISION, first_name="Sofía")
    make_staff("carlos", CONTENT, first_name="Carlos")
    make_staff("root", superuser=True)
    web = make_conversation(
        turns=[("Versa de 250 mil", "options", {}), ("quiero un asesor", "handoff", {})]
    )
    api = make_conversation(
        channel="api", turns=[("Corolla", "budget", {}), ("300 mil", "done", {})]
    )
    wa = make_conversation(
        channel="whatsapp", external_id="+525511110000", turns=[("hola", "need", {})]
    )
    Message.objects.create(conversation=web, direction="staff", text="Hola, soy *Ana*", author=ana)
    lead = make_lead(assigned_to=ana, conversation=web, source="lead_capture")
    make_lead(assigned_to=ana, conversation=api, source="appointment")
    handed = make_lead(assigned_to=ana, conversation=wa, source="handoff")
    LeadNotification.objects.create(lead=handed, reason="handoff", channel="email")
    LeadEvent.objects.create(
        lead=lead, kind="conversation", text="Cambió: teléfono.",
        data={"from": api.pk, "to": web.pk, "channel": "web", "changed": ["phone"]},
    )  # fmt: skip
    Appointment.objects.create(
        lead=lead, conversation=web, scheduled_at=timezone.now() + timedelta(days=1),
        requested="mañana a las 11", branch="Kavak Santa Fe", branch_city="CDMX",
    )  # fmt: skip
    article = Article.objects.create(
        title="Garantía", slug="garantia", body="## Garantía\n\nTres meses.", status="published"
    )
    GoldenQuestion.objects.create(article=article, question="¿tienen garantía?")
    UnansweredQuestion.objects.create(
        normalized="venden motos",
        example="¿venden motos?",
        channel="web",
        conversation_ref="1",
        last_seen_at=timezone.now(),
    )
    APIKey.objects.create_key(name="cliente de prueba")
    AccessAttempt.objects.create(
        username="ana", ip_address="10.0.0.1", user_agent="pytest", http_accept="*/*",
        path_info="/admin/login/", get_data="", post_data="", failures_since_start=1,
    )  # fmt: skip
    AccessLog.objects.create(
        username="ana", ip_address="10.0.0.1", user_agent="pytest", http_accept="*/*",
        path_info="/admin/login/",
    )  # fmt: skip
    return {"ana": ana}


@pytest.mark.parametrize("username", ["ana", "sofia", "carlos", "root"])
def test_every_admin_page_reads_in_spanish_for_each_role(
    username: str, world: dict[str, Any]
) -> None:
    from django.contrib.auth import get_user_model

    pages = walk(login(get_user_model().objects.get(username=username)))
    assert len(pages) > 8
    problems = []
    for url, text in pages.items():
        for match in _ENGLISH_RE.finditer(text):
            problems.append(f"{url}: English {match.group(0)!r} in …{_around(text, match)}…")
        for match in _CODES_RE.finditer(text):
            problems.append(f"{url}: raw code {match.group(0)!r} in …{_around(text, match)}…")
    assert problems == []


def _around(text: str, match: re.Match[str]) -> str:
    return text[max(0, match.start() - 40) : match.end() + 40]


def test_the_walk_catches_english_and_raw_codes() -> None:
    """The checker itself: these would fail the walk."""
    text = visible_text("<p>Add lead</p><td>lead_capture</td><script>Delete</script>")
    assert [m.group(0) for m in _ENGLISH_RE.finditer(text)] == ["Add"]
    assert [m.group(0) for m in _CODES_RE.finditer(text)] == ["lead_capture"]
    spanish = visible_text("<p>Agregar lead · Datos de contacto · /api/docs/ · API</p>")
    assert not _ENGLISH_RE.search(spanish)
    assert not _CODES_RE.search(spanish)


def test_403_and_404_are_spanish_pages_in_the_back_office_style(world: dict[str, Any]) -> None:
    from django.contrib.auth import get_user_model

    editor = login(get_user_model().objects.get(username="carlos"))
    forbidden = editor.get("/admin/leads/lead/")
    assert forbidden.status_code == 403
    assert 'data-status="403"' in forbidden.content.decode()
    assert "No tienes permiso para ver esta página" in forbidden.content.decode()
    missing = editor.get("/admin/no-existe/")
    assert missing.status_code == 404
    assert "No encontramos esta página" in missing.content.decode()
    assert "Kavak · Agente de ventas" in missing.content.decode()
