"""`manage.py evaluate_agent` gates CI with its scorecard thresholds, and writes nothing."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import call_command

from catalog.services import catalog_load_demo
from conversations.models import Conversation
from knowledge.services import knowledge_load_demo
from leads.models import Lead

pytestmark = pytest.mark.django_db


def test_evaluate_agent_meets_the_ci_thresholds_and_rolls_back() -> None:
    catalog_load_demo()
    knowledge_load_demo()
    out = io.StringIO()
    call_command("evaluate_agent", "--verbose-failures", stdout=out)
    text = out.getvalue()
    assert "financing_exactness  1.000" in text
    assert "BAJO" not in text
    assert Conversation.objects.count() == 0
    assert Lead.objects.count() == 0


def test_evaluate_agent_fails_when_the_catalogue_is_missing() -> None:
    knowledge_load_demo()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Por debajo del umbral"):
        call_command("evaluate_agent", stdout=io.StringIO())


def test_terminal_chat_talks_to_the_same_service(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog_load_demo()
    monkeypatch.setattr(sys, "stdin", io.StringIO("busco un Versa de 270 mil\nel 1\nsalir\n"))
    out = io.StringIO()
    call_command("chat", "--session", "cli-test", stdout=out)
    text = out.getvalue()
    assert "[options → choose_option]" in text
    assert "[financing → ask_down_payment]" in text
    assert Conversation.objects.get(channel="cli", external_id="cli-test").version == 2


def test_load_demo_data_is_idempotent() -> None:
    first, second = io.StringIO(), io.StringIO()
    call_command("load_demo_data", stdout=first)
    call_command("load_demo_data", stdout=second)
    assert "100 autos" in first.getvalue()
    assert "ya estaba cargado" in second.getvalue()
    assert "sin cambios" in second.getvalue()
