"""OpenAiLlmClient: the real SDK against the local Chat Completions stub (no patching)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from conversations.llm import ports
from conversations.llm.openai_client import OpenAiLlmClient
from conversations.llm.ports import LlmCall, LlmError
from conversations.wiring import llm_client
from tests.support.stub_llm_server import StubModel


def _client(stub: StubModel, *, timeout_s: float = 0.5) -> OpenAiLlmClient:
    return OpenAiLlmClient(
        api_key="sk-test",
        model="stub-model",
        base_url=stub.url,
        timeout_s=timeout_s,
        max_tokens=123,
        temperature=0.3,
    )


def _call(*, timeout_s: float = 0.5, retries: int = 0, budget_s: float = 3.0, **kw: Any) -> LlmCall:
    return LlmCall(
        purpose="smooth",
        timeout_s=timeout_s,
        max_retries=retries,
        deadline=time.monotonic() + budget_s,
        **kw,
    )


def _complete(client: OpenAiLlmClient, call: LlmCall) -> str:
    return client.complete(system="sistema", user='{"tarea": "suavizar_respuesta", '
                           '"respuesta": "Hola."}', call=call)  # fmt: skip


def test_sends_model_tokens_temperature_and_returns_the_text(stub_model: StubModel) -> None:
    text = _complete(_client(stub_model), _call())
    assert text == "Claro. Hola."
    body = stub_model.requests[0]
    assert body["model"] == "stub-model"
    assert body["max_tokens"] == 123
    assert body["temperature"] == 0.3
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "response_format" not in body


def test_structured_output_sends_a_strict_json_schema(stub_model: StubModel) -> None:
    schema = {"type": "object", "properties": {}, "required": [], "additionalProperties": False}
    _complete(_client(stub_model), _call(json_schema=schema))
    sent = stub_model.requests[0]["response_format"]
    assert sent["type"] == "json_schema"
    assert sent["json_schema"]["strict"] is True
    assert sent["json_schema"]["schema"] == schema


def test_sdk_retries_are_off_and_the_client_timeout_is_set(stub_model: StubModel) -> None:
    """Our loop retries within the turn's deadline; the SDK's default timeout is 10 minutes."""
    client = _client(stub_model, timeout_s=0.7)
    assert client._client.max_retries == 0
    assert client._client.timeout == 0.7


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("429", ports.RATE_LIMITED),
        ("500", ports.SERVER_ERROR),
        ("malformed", ports.BAD_RESPONSE),
        ("timeout", ports.TIMEOUT),
    ],
)
def test_each_failure_is_an_llm_error_with_its_reason(
    stub_model: StubModel, mode: str, reason: str
) -> None:
    stub_model.mode = mode
    started = time.monotonic()
    with pytest.raises(LlmError) as err:
        _complete(_client(stub_model), _call(timeout_s=0.3, retries=0))
    assert err.value.reason == reason
    assert stub_model.calls == 1
    assert time.monotonic() - started < 2.0  # the stub sleeps 3 s on "timeout"


def test_429_and_500_are_retried_with_backoff_until_success(stub_model: StubModel) -> None:
    stub_model.script = ["429", "500"]
    text = _complete(_client(stub_model), _call(retries=2))
    assert text == "Claro. Hola."
    assert stub_model.calls == 3


def test_retries_stop_at_max_retries(stub_model: StubModel) -> None:
    stub_model.mode = "500"
    with pytest.raises(LlmError):
        _complete(_client(stub_model), _call(retries=2))
    assert stub_model.calls == 3


def test_client_errors_and_bad_bodies_are_not_retried(stub_model: StubModel) -> None:
    stub_model.mode = "malformed"
    with pytest.raises(LlmError):
        _complete(_client(stub_model), _call(retries=2))
    assert stub_model.calls == 1


def test_a_long_retry_after_is_not_waited_past_the_deadline(stub_model: StubModel) -> None:
    """The SDK would honour Retry-After up to two minutes; a turn's budget is seconds."""
    stub_model.mode = "429"
    stub_model.retry_after = "30"
    started = time.monotonic()
    with pytest.raises(LlmError) as err:
        _complete(_client(stub_model), _call(retries=5, budget_s=1.0))
    assert err.value.reason == ports.RATE_LIMITED
    assert stub_model.calls == 1  # gave up at once instead of hammering a throttled provider
    assert time.monotonic() - started < 1.0


def test_timeouts_never_run_past_the_deadline(stub_model: StubModel) -> None:
    stub_model.mode = "timeout"
    started = time.monotonic()
    with pytest.raises(LlmError):
        _complete(_client(stub_model), _call(timeout_s=0.4, retries=5, budget_s=1.0))
    elapsed = time.monotonic() - started
    assert elapsed < 1.8  # budget 1.0 s plus generous slack for a busy machine
    assert 1 <= stub_model.calls <= 3


def test_wiring_builds_the_openai_client_only_when_enabled(
    settings: Any, stub_model: StubModel
) -> None:
    settings.LLM_ENABLED = False
    assert llm_client().enabled is False
    settings.LLM_ENABLED = True
    settings.OPENAI_API_KEY = "sk-from-env"
    settings.OPENAI_BASE_URL = stub_model.url
    settings.OPENAI_TIMEOUT_S = 0.9
    client = llm_client()
    assert isinstance(client, OpenAiLlmClient)
    assert client._client.api_key == "sk-from-env"
    assert client._client.timeout == 0.9
    assert str(client._client.base_url).rstrip("/") == stub_model.url
