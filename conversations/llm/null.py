"""``NullLlm``: the LLM switched off (``LLM_ENABLED=false``, the default)."""

from __future__ import annotations

from conversations.llm.ports import DISABLED, LlmCall, LlmError


class NullLlm:
    """Never answers; the shell sees ``enabled=False`` and does no LLM work at all."""

    enabled = False

    def complete(self, *, system: str, user: str, call: LlmCall) -> str:
        raise LlmError(DISABLED)
