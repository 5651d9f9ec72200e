"""The LLM settings from the environment, in a fresh interpreter: the key and the server come only
from env vars, and a bad value stops start-up naming the variable."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support import ROOT

BUILD_CLIENT = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "from conversations.wiring import llm_client; c = llm_client(); "
    "print(json.dumps({'type': type(c).__name__, 'key': c._client.api_key, "
    "'base_url': str(c._client.base_url), 'timeout': c._client.timeout, "
    "'retries': c._client.max_retries, 'uses': list(s.LLM_USES)}))"
)


def _run(env: dict[str, str], code: str = BUILD_CLIENT) -> subprocess.CompletedProcess[str]:
    clean = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(ROOT)),
        "DJANGO_SETTINGS_MODULE": "kavak.settings.local",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_openai_client_is_configured_from_the_environment_only() -> None:
    result = _run(
        {
            "LLM_ENABLED": "true",
            "OPENAI_API_KEY": "sk-env-only",
            "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
            "OPENAI_TIMEOUT_S": "3",
            "LLM_USES": "faq,smooth",
        }
    )
    assert result.returncode == 0, result.stderr
    built = json.loads(result.stdout.strip().splitlines()[-1])
    assert built == {
        "type": "OpenAiLlmClient",
        "key": "sk-env-only",
        "base_url": "http://127.0.0.1:9/v1/",
        "timeout": 3.0,
        "retries": 0,
        "uses": ["faq", "smooth"],
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LLM_USES": "faq,poems"}, "LLM_USES='faq,poems'"),
        ({"LLM_CHAT_TIMEOUT_S": "5", "LLM_CHAT_BUDGET_S": "2"}, "LLM_CHAT_TIMEOUT_S"),
        ({"LLM_WHATSAPP_BUDGET_S": "40"}, "LLM_WHATSAPP_BUDGET_S"),
        ({"OPENAI_TIMEOUT_S": "0"}, "OPENAI_TIMEOUT_S must be positive"),
        ({"LLM_ROLLOUT_PERCENT": "150"}, "LLM_ROLLOUT_PERCENT must be between 0 and 100"),
    ],
)
def test_a_bad_llm_setting_stops_start_up(env: dict[str, str], message: str) -> None:
    result = _run(env, "import django; django.setup()")
    assert result.returncode != 0
    assert message in result.stderr
