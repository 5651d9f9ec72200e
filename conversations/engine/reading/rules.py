"""Financing rules asked about: the terms, the rate or the minimum down payment ("¿qué plazos
manejan?", "¿cuánto es lo mínimo de enganche?"), answered from the configuration."""

from __future__ import annotations

import re

from conversations.engine import cues, lexicon
from conversations.engine.reading.text import _alternation, _has

_RULES = {topic: _alternation(words) for topic, words in lexicon.RULE_TOPICS.items()}
_UNSURE_DOWN = re.compile(
    r"\bno se (?:cuanto|que|si)\b.*\benganche\b|\benganche\b.*\bno se\b"
    r"|\bcuanto (?:me )?(?:recomienda\w*|sugiere\w*|conviene) (?:dar|poner|de enganche)\b"
)


_DOWN_ASKED = re.compile(
    r"\bcuant\w*\b.*\b(?:enganche|entrada)\b|\b(?:enganche|entrada)\b.*\bcuant"
)


def rule_topics(folded: str) -> tuple[str, ...]:
    """Every financing rule a question names, in the order said ("¿de enganche mínimo y a
    cuántos plazos?": the minimum and the terms)."""
    found = [(m.start(), topic) for topic, p in _RULES.items() if (m := p.search(folded))]
    return tuple(topic for _, topic in sorted(found))


def _rule_question(folded: str, *, question: bool) -> str | None:
    """A financing rule asked about: the terms, the rate or the minimum down payment."""
    if question:
        for topic, pattern in _RULES.items():
            if _has(folded, pattern):
                return topic
    if _UNSURE_DOWN.search(folded):
        return "min_down"  # "no sé cuánto dar de enganche": the rule helps to decide
    if (
        question
        and _DOWN_ASKED.search(folded)
        and not re.search(r"\d", folded)
        and not cues.wants_to_sell(folded)  # "¿cuánto me darían por mi versa para el enganche?"
    ):
        return "min_down"  # "¿cuánto tendría que dar de enganche?" (no amount of their own)
    return None
