"""WhatsApp message rules: the 1,600-character limit and the opt-out/opt-in words."""

from __future__ import annotations

import re

from spanish import fold

# Twilio rejects WhatsApp bodies over 1,600 characters (error 21617).
MAX_BODY_CHARS = 1600

_SENTENCE_END = re.compile(r"[.!?…](?=\s)")
# Exact messages only (after folding): "¿el precio baja?" must never unsubscribe anybody.
OPT_OUT_WORDS = frozenset(
    {
        "baja",
        "stop",
        "alto",
        "unsubscribe",
        "dar de baja",
        "darme de baja",
        "dame de baja",
        "denme de baja",
        "no me escriban",
        "ya no me escriban",
    }
)
OPT_IN_WORDS = frozenset({"alta", "start", "darme de alta", "dame de alta", "reanudar"})


def _fold(text: str) -> str:
    """Folded, punctuation as spaces, one space between words: "¡Baja!" → "baja". Letters
    outside a-z and the underscore stay (a word with them is no opt-out word)."""
    return " ".join(re.sub(r"[^\w\s]", " ", fold(text)).split())


def is_opt_out(text: str) -> bool:
    """The whole message is an unsubscribe word ("baja", "STOP", "Alto.")."""
    return _fold(text) in OPT_OUT_WORDS


def is_opt_in(text: str) -> bool:
    return _fold(text) in OPT_IN_WORDS


def _cut_position(window: str, limit: int) -> int:
    """Where to cut ``window`` (len > limit): paragraph, sentence, line, word, or hard cut."""
    head = window[: limit + 1]
    paragraph = head.rfind("\n\n")
    if paragraph >= limit // 2:
        return paragraph
    sentences = [m.end() for m in _SENTENCE_END.finditer(head) if m.end() <= limit]
    if sentences and sentences[-1] >= limit // 4:
        return sentences[-1]
    for sep in ("\n", " "):
        pos = head.rfind(sep)
        if pos > 0:
            return pos
    return limit


def message_split(text: str, *, limit: int = MAX_BODY_CHARS) -> list[str]:
    """Split a reply into WhatsApp messages of at most ``limit`` characters, in order.

    Cuts prefer paragraph breaks, then sentence ends, then line breaks, then spaces, so figures in
    ``*bold*`` and sentences stay whole; a single word longer than the limit is cut hard.
    """
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        cut = _cut_position(text, limit)
        part = text[:cut].rstrip()
        if part:
            parts.append(part)
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts
