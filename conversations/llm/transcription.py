"""Voice notes to text: the transcriber chosen by settings, behind the circuit breaker.

``llm_transcribe`` never raises: it returns the text or the reason there is none, and the
channel answers with the polite "please write" reply. The breaker is its own (``transcription``),
with the chat model's thresholds: audio the provider cannot read must not switch off the chat
model, and a chat outage must not refuse audio that still transcribes (and vice versa both open
within seconds when OpenAI as a whole is down).
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from conversations.llm.circuit import CircuitBreaker
from conversations.llm.null import NullTranscriber
from conversations.llm.ports import DISABLED, EMPTY, TRANSPORT_FAILURES, LlmError, Transcriber

logger = logging.getLogger(__name__)

USE = "transcribe"
OK = "ok"


@dataclass(frozen=True)
class TranscriptionResult:
    """``text`` when ``reason`` is ``ok``; otherwise ``reason`` says why there is none."""

    text: str
    reason: str

    @property
    def ok(self) -> bool:
        return self.reason == OK


@functools.cache
def transcriber() -> Transcriber:
    """OpenAI when the LLM and voice notes are on, else the null object."""
    if settings.LLM_ENABLED and settings.VOICE_NOTES_ENABLED:
        from conversations.llm.openai_client import OpenAiTranscriber

        return OpenAiTranscriber.from_settings()
    return NullTranscriber()


@functools.cache
def transcription_circuit() -> CircuitBreaker:
    return CircuitBreaker.from_settings(name="transcription")


def llm_transcription_enabled() -> bool:
    return transcriber().enabled


def llm_transcribe(
    *, audio: bytes, filename: str, content_type: str, deadline: float
) -> TranscriptionResult:
    """Transcribe one voice note within ``deadline`` (``time.monotonic()``).

    Precondition: called outside any transaction (a network call of seconds).
    """
    from kavak.metrics import LLM_CALLS_TOTAL, LLM_SECONDS

    client = transcriber()
    if not client.enabled:
        return _fallback(DISABLED)
    circuit = transcription_circuit()
    if not circuit.allow():
        return _fallback("circuit_open")
    started = time.perf_counter()
    try:
        text = client.transcribe(
            audio=audio, filename=filename, content_type=content_type, deadline=deadline
        )
    except LlmError as exc:
        if exc.reason in TRANSPORT_FAILURES:
            circuit.record_failure()
        else:
            circuit.record_success()
        return _fallback(exc.reason)
    finally:
        LLM_SECONDS.labels(use=USE).observe(time.perf_counter() - started)
    circuit.record_success()
    if not text:
        return _fallback(EMPTY)  # silence, or noise the model would not put into words
    LLM_CALLS_TOTAL.labels(use=USE, outcome=OK).inc()
    return TranscriptionResult(text=text, reason=OK)


def _fallback(reason: str) -> TranscriptionResult:
    from kavak.metrics import LLM_CALLS_TOTAL

    LLM_CALLS_TOTAL.labels(use=USE, outcome=reason).inc()
    logger.info("llm_fallback reason=%s use=%s", reason, USE)
    return TranscriptionResult(text="", reason=reason)


@receiver(setting_changed)
def _reset_transcription_wiring(**_: Any) -> None:
    """override_settings in tests rebuilds the adapters."""
    transcriber.cache_clear()
    transcription_circuit.cache_clear()
