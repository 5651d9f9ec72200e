"""Headless Chromium (the Debian package) driven by Playwright against pytest-django's live server.

Chromium comes from ``scripts/ensure_chromium.sh`` (``/usr/bin/chromium``, or ``CHROMIUM_PATH``);
``playwright install`` is never used. A missing browser fails the run, it is never skipped.
Screenshots of every page go to ``tests/artifacts/`` (git-ignored).

The browser tests use the database through real transactions (``transaction=True``): the live
server answers from another thread. Such tests flush the database when they end, so each one
seeds what it needs (roles, catalogue references, demo data) instead of trusting the migrations'
data to still be there.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling hosts this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
PASSWORD = "una-clave-de-prueba-123"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/ensure_chromium.sh")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls our fixtures make
    # here are plain synchronous code, so Django's "called from async context" guard must step
    # aside while the browser is up (the live server answers from its own thread).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def csp_violations(tab: Any) -> list[str]:
    """Collect what the page's Content-Security-Policy blocked (Chromium reports each on the
    console): a page that needs something the policy refuses is broken for customers too."""
    blocked: list[str] = []

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(f"{tab.url}: {message.text}")

    tab.on("console", on_console)
    return blocked


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url,
        locale="es-MX",
        timezone_id="America/Mexico_City",
        viewport={"width": 1366, "height": 900},
        accept_downloads=True,
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    blocked = csp_violations(tab)
    yield tab
    context.close()
    assert blocked == [], "the Content-Security-Policy blocked part of a page"


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot as a test artefact."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def roles(transactional_db: None) -> None:
    """The staff groups with their permissions (a previous transactional test may have flushed)."""
    from leads.roles import roles_sync

    roles_sync()


@pytest.fixture
def demo_data(transactional_db: None) -> None:
    """Catalogue references (normally seeded by a migration), the demo catalogue and articles."""
    from django.apps import apps
    from django.core.management import call_command

    from catalog.selectors import catalog_vocabulary_invalidate

    seed = importlib.import_module("catalog.migrations.0002_seed_references_and_aliases")
    seed.seed(apps, None)
    call_command("load_demo_data", verbosity=0)
    catalog_vocabulary_invalidate()


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """Through the real login form (django-axes watches it)."""
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
