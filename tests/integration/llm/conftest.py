"""LLM tests: the real ``openai`` SDK against a local Chat Completions server (the ``stub_model``
fixture of ``tests/conftest.py``, ``tests/support/stub_llm_server.py``)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.core.cache import cache

from tests.support.stub_llm_server import StubModel


@pytest.fixture(autouse=True)
def _own_redis_db(settings: Any) -> None:
    """The circuit's state must survive a second in Redis. ``tests/conftest.py`` empties the cache
    with FLUSHDB, which wipes every key of db 15, those of other test runs sharing the server
    included (seen here: the circuit closing by itself mid-test); these tests use db 12 and delete
    only their own prefix."""
    if "django_redis" not in settings.CACHES["default"]["BACKEND"]:
        return
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = settings.REDIS_URL.rsplit("/", 1)[0] + "/12"
    settings.CACHES = caches
    cache.delete_pattern("*")  # this run's KEY_PREFIX only


@pytest.fixture
def llm_on(settings: Any, stub_model: StubModel) -> StubModel:
    """LLM_ENABLED with every OpenAI setting pointing at the stub; short timeouts and cool-down."""
    settings.LLM_ENABLED = True
    settings.OPENAI_API_KEY = "sk-test-not-a-real-key"
    settings.OPENAI_BASE_URL = stub_model.url
    settings.OPENAI_MODEL = "stub-model"
    settings.OPENAI_MAX_TOKENS = 300
    settings.OPENAI_TEMPERATURE = 0.2
    settings.OPENAI_TIMEOUT_S = 0.5  # WhatsApp, per attempt
    settings.LLM_WHATSAPP_MAX_RETRIES = 2
    settings.LLM_WHATSAPP_BUDGET_S = 2.0
    settings.LLM_CHAT_TIMEOUT_S = 0.4
    settings.LLM_CHAT_BUDGET_S = 0.8
    settings.LLM_USES = ("faq", "slots", "smooth")
    settings.LLM_CIRCUIT_FAILURES = 3
    settings.LLM_CIRCUIT_WINDOW_S = 60.0
    settings.LLM_CIRCUIT_COOLDOWN_S = 0.4
    return stub_model
