"""``OpenAiLlmClient`` (the ``LlmClient`` port, Chat Completions) and ``OpenAiTranscriber`` (the
``Transcriber`` port, audio transcriptions) on the official ``openai`` SDK, its only importers.

Works with any OpenAI-compatible server (``OPENAI_BASE_URL``). The API key comes only from the
environment (``OPENAI_API_KEY``, read by the settings module); nothing else configures it.

Retries are ours, not the SDK's (``max_retries=0`` on the client, deliberately): the SDK's loop
honours ``Retry-After`` for up to two minutes, which would blow a chat turn's budget of a couple of
seconds. Our loop retries 429/5xx/timeouts/connection errors with exponential back-off and jitter,
obeys ``Retry-After`` (giving up at once when it does not fit), and never runs past the turn's
deadline.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any, NotRequired, TypedDict, Unpack

import openai
from django.conf import settings

from conversations.llm.ports import (
    BAD_RESPONSE,
    CLIENT_ERROR,
    CONNECTION,
    EMPTY,
    RATE_LIMITED,
    RETRYABLE,
    SERVER_ERROR,
    TIMEOUT,
    TRUNCATED,
    UNEXPECTED,
    LlmCall,
    LlmError,
)

logger = logging.getLogger(__name__)

# Below this much time left an attempt cannot succeed; better to answer deterministically now.
_MIN_ATTEMPT_S = 0.15
_BACKOFF_BASE_S = 0.25
_BACKOFF_MAX_S = 4.0


class _SdkOptions(TypedDict):
    """The constructor arguments both adapters take for their SDK client."""

    api_key: str
    model: str
    base_url: str | None
    timeout_s: float
    sleep: NotRequired[Callable[[float], None]]


class _SdkAdapter:
    """What both adapters hold: the model's name, the sleep of the retry loop and an SDK client
    whose own retries are off (``max_retries=0``: the retries are ours)."""

    enabled = True

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None,
        timeout_s: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.model = model
        self._sleep = sleep
        # timeout: the SDK default is 10 minutes; every call also passes its own, shorter one.
        self._client = openai.OpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=0
        )


class OpenAiLlmClient(_SdkAdapter):
    """Chat Completions through the ``openai`` SDK, with per-call timeouts and bounded retries."""

    def __init__(self, *, max_tokens: int, temperature: float, **sdk: Unpack[_SdkOptions]) -> None:
        super().__init__(**sdk)
        self.max_tokens = max_tokens
        self.temperature = temperature

    @classmethod
    def from_settings(cls) -> OpenAiLlmClient:
        return cls(
            api_key=settings.OPENAI_API_KEY,
            model=settings.OPENAI_MODEL,
            base_url=settings.OPENAI_BASE_URL,
            timeout_s=settings.OPENAI_TIMEOUT_S,
            max_tokens=settings.OPENAI_MAX_TOKENS,
            temperature=settings.OPENAI_TEMPERATURE,
        )

    def complete(self, *, system: str, user: str, call: LlmCall) -> str:
        return _retrying(
            lambda remaining: self._once(system=system, user=user, call=call, timeout_s=remaining),
            purpose=call.purpose,
            max_retries=call.max_retries,
            deadline=call.deadline,
            sleep=self._sleep,
        )

    def _once(self, *, system: str, user: str, call: LlmCall, timeout_s: float) -> str:
        extra: dict[str, Any] = {}
        if call.json_schema is not None:
            extra["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": call.purpose, "schema": call.json_schema, "strict": True},
            }
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": system},
                    {"role": "user", "content": user},
                ],
                max_tokens=self.max_tokens,
                temperature=self.temperature,
                timeout=min(call.timeout_s, timeout_s),
                **extra,
            )
        except Exception as exc:
            raise _llm_error(exc) from exc
        _count_tokens(response, purpose=call.purpose)
        return _text_of(response)

    @staticmethod
    def _backoff(attempt: int, exc: LlmError) -> float:
        # A provider's Retry-After is obeyed; when it does not fit the deadline the loop gives up.
        if exc.retry_after is not None and exc.retry_after >= 0:
            return exc.retry_after
        jitter = random.uniform(0, _BACKOFF_BASE_S)  # noqa: S311 - not cryptographic
        return min(_BACKOFF_BASE_S * 2.0**attempt + jitter, _BACKOFF_MAX_S)


def _llm_error(exc: Exception) -> LlmError:
    """The port's error for whatever the SDK raised (the port promises ``LlmError`` only: a
    customer never waits on an SDK surprise)."""
    if isinstance(exc, openai.APITimeoutError):  # before APIConnectionError: it is a subclass
        return LlmError(TIMEOUT)
    if isinstance(exc, openai.APIConnectionError):
        return LlmError(CONNECTION, type(exc).__name__)
    if isinstance(exc, openai.RateLimitError):
        return LlmError(RATE_LIMITED, retry_after=_retry_after(exc))
    if isinstance(exc, openai.APIStatusError):
        reason = SERVER_ERROR if exc.status_code >= 500 else CLIENT_ERROR
        return LlmError(reason, f"status={exc.status_code}")
    if isinstance(exc, (openai.APIResponseValidationError, ValueError)):
        # The body was not JSON (JSONDecodeError is a ValueError) or not the expected object.
        return LlmError(BAD_RESPONSE, type(exc).__name__)
    return LlmError(UNEXPECTED, type(exc).__name__)


def _retrying(
    attempt_fn: Callable[[float], str],
    *,
    purpose: str,
    max_retries: int,
    deadline: float,
    sleep: Callable[[float], None],
) -> str:
    """Run ``attempt_fn(seconds_left)`` until it succeeds, a failure is not retryable, the
    retries are used up or the next attempt would end after ``deadline``."""
    attempt = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining < _MIN_ATTEMPT_S:
            raise LlmError(TIMEOUT, "no time left in the budget")
        try:
            return attempt_fn(remaining)
        except LlmError as exc:
            if exc.reason not in RETRYABLE or attempt >= max_retries:
                raise
            delay = OpenAiLlmClient._backoff(attempt, exc)
            if time.monotonic() + delay + _MIN_ATTEMPT_S > deadline:
                raise
            logger.info(
                "llm_retry purpose=%s reason=%s attempt=%s delay_s=%.2f",
                purpose,
                exc.reason,
                attempt + 1,
                delay,
            )
            sleep(delay)
            attempt += 1


class OpenAiTranscriber(_SdkAdapter):
    """Voice notes to text through the SDK's ``audio.transcriptions.create`` (multipart upload),
    with the chat client's conventions: our own bounded retries, a per-attempt timeout, a hard
    deadline, and ``LlmError`` as the only exception."""

    def __init__(self, *, language: str, max_retries: int, **sdk: Unpack[_SdkOptions]) -> None:
        super().__init__(**sdk)
        self.language = language
        self.timeout_s = sdk["timeout_s"]
        self.max_retries = max_retries

    @classmethod
    def from_settings(cls) -> OpenAiTranscriber:
        return cls(
            api_key=settings.OPENAI_API_KEY,
            model=settings.OPENAI_TRANSCRIPTION_MODEL,
            base_url=settings.OPENAI_BASE_URL,
            language=settings.OPENAI_TRANSCRIPTION_LANGUAGE,
            timeout_s=settings.OPENAI_TRANSCRIPTION_TIMEOUT_S,
            max_retries=settings.OPENAI_TRANSCRIPTION_MAX_RETRIES,
        )

    def transcribe(self, *, audio: bytes, filename: str, content_type: str, deadline: float) -> str:
        def attempt(remaining: float) -> str:
            try:
                response = self._client.audio.transcriptions.create(
                    file=(filename, audio, content_type),
                    model=self.model,
                    language=self.language,
                    response_format="json",
                    timeout=min(self.timeout_s, remaining),
                )
            except Exception as exc:
                raise _llm_error(exc) from exc
            text = getattr(response, "text", None)
            if not isinstance(text, str):
                raise LlmError(BAD_RESPONSE, "no text")
            return text.strip()

        return _retrying(
            attempt,
            purpose="transcribe",
            max_retries=self.max_retries,
            deadline=deadline,
            sleep=self._sleep,
        )


def _retry_after(exc: openai.APIStatusError) -> float | None:
    headers = getattr(exc.response, "headers", None) or {}
    for header, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(header)
        if value is None:
            continue
        try:
            return float(value) / divisor
        except ValueError:
            return None
    return None


def _count_tokens(response: Any, *, purpose: str) -> None:
    """Tokens the provider billed for this call (``usage``), by use: the cost report's input."""
    from kavak.metrics import LLM_TOKENS_TOTAL

    usage = getattr(response, "usage", None)
    for kind in ("prompt", "completion"):
        count = getattr(usage, f"{kind}_tokens", None)
        if isinstance(count, int) and count > 0:
            LLM_TOKENS_TOTAL.labels(use=purpose, kind=kind).inc(count)


def _text_of(response: Any) -> str:
    choices = getattr(response, "choices", None)
    if not choices:
        raise LlmError(BAD_RESPONSE, "no choices")
    choice = choices[0]
    message = getattr(choice, "message", None)
    content = getattr(message, "content", None)
    if getattr(choice, "finish_reason", None) == "length":
        raise LlmError(TRUNCATED)
    if not isinstance(content, str) or not content.strip():
        raise LlmError(EMPTY)
    return content.strip()
