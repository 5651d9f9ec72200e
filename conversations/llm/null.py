"""``NullLlm`` and ``NullTranscriber``: the LLM switched off (``LLM_ENABLED=false``)."""

from __future__ import annotations

from conversations.llm.ports import DISABLED, LlmCall, LlmError


class NullLlm:
    """Never answers; the shell sees ``enabled=False`` and does no LLM work at all."""

    enabled = False

    def complete(self, *, system: str, user: str, call: LlmCall) -> str:
        raise LlmError(DISABLED)


class NullTranscriber:
    """Never transcribes: voice notes get the polite "please write" reply."""

    enabled = False

    def transcribe(self, *, audio: bytes, filename: str, content_type: str, deadline: float) -> str:
        raise LlmError(DISABLED)
