"""Content-Security-Policy: the web chat and the back office get a nonce-based policy (no
'unsafe-inline' scripts), their inline blocks carry the response's nonce, the API docs are left
out. The browser tests (tests/browser) check that nothing on those pages is blocked."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def _nonce(header: str, directive: str) -> str:
    found = [v for v in _directives(header)[directive] if v.startswith("'nonce-")]
    assert len(found) == 1, header
    return found[0][len("'nonce-") : -1]


def test_the_web_chat_page_has_a_nonce_policy_and_its_inline_blocks_carry_the_nonce(
    client: Client,
) -> None:
    response = client.get("/")
    header = response["Content-Security-Policy"]
    directives = _directives(header)
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    nonce = _nonce(header, "script-src")
    assert _nonce(header, "style-src") == nonce
    html = response.content.decode()
    inline = re.findall(r"<(script|style)(\s[^>]*)?>", html)
    assert inline, "the page has inline blocks"
    for tag, attrs in inline:
        if "src=" not in (attrs or ""):
            assert f'nonce="{nonce}"' in attrs, (tag, attrs)


def test_each_response_gets_its_own_nonce(client: Client) -> None:
    first = _nonce(client.get("/")["Content-Security-Policy"], "script-src")
    second = _nonce(client.get("/")["Content-Security-Policy"], "script-src")
    assert first != second


def test_the_admin_has_the_policy_too(client: Client) -> None:
    response = client.get(f"/{settings.ADMIN_URL}login/")
    assert response.status_code == 200
    directives = _directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in directives["script-src"]


def test_our_admin_pages_put_the_nonce_on_their_inline_style(client: Client) -> None:
    admin = get_user_model().objects.create_superuser("csp-admin", "a@example.com", "x-123456789")
    client.force_login(admin)
    response = client.get(f"/{settings.ADMIN_URL}knowledge/article/add/")
    assert response.status_code == 200
    nonce = _nonce(response["Content-Security-Policy"], "style-src")
    html = response.content.decode()
    assert f'<style nonce="{nonce}">' in html
    assert f'<script nonce="{nonce}">' in html
    assert "<script>" not in html
    assert "<style>" not in html


def test_the_api_docs_are_left_out(client: Client) -> None:
    assert "Content-Security-Policy" not in client.get("/api/docs/")
    assert "Content-Security-Policy" not in client.get("/api/redoc/")


def test_the_hash_allowed_for_djangos_change_list_style_matches_the_installed_django() -> None:
    template = Path(django.__file__).parent / "contrib/admin/templates/admin/change_list.html"
    styles = re.findall(r"<style>(.*?)</style>", template.read_text(), re.DOTALL)
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert f"'sha256-{digest}'" in directives["style-src"]
