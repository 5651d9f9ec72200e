"""The term of a financing plan in a message: months, years, or "a 5" in years after a plan."""

from __future__ import annotations

import re

from conversations.engine import parsing
from conversations.engine.state import Action, ConversationState


def _read_term(
    no_phone_text: str, state: ConversationState, terms: tuple[int, ...]
) -> parsing.Term | None:
    """The term: "48 meses", "plazo de 48", "a 48" (the last one not when the term is asked),
    and "a 5" (years) once a plan is shown."""
    pending = state.next_action
    # "a 5" in years: after a plan, or while financing is worked out ("ah ok, entonces a 3" after
    # hearing the terms are 3 to 6 years).
    # A term already said ("¿y si lo hago a 4?" after the options' payments at 3 years) counts too.
    plan_shown = state.slots.term_months is not None or (
        pending == Action.ASK_DOWN_PAYMENT and state.slots.chosen is not None
    )
    term = parsing.parse_term(no_phone_text, terms=terms, expecting=pending == Action.ASK_TERM)
    if term is None and "terms" in state.told:
        # "72" (or "a 72") right after hearing the terms: that term, not 72 mil.
        m = re.fullmatch(r"\W*(?:a |en |de )?(\d{2})(?: meses)?\W*", no_phone_text)
        if m and int(m.group(1)) in terms:
            term = parsing.Term(months=int(m.group(1)))
    if term is None:
        m = re.search(r"\bplazo\s*(?:de\s*)?(\d{1,2})\b(?!\s*(?:mil|k))", no_phone_text)
        if m:
            term = parsing.parse_term(f"{m.group(1)} meses", terms=terms)
    if term is None and pending != Action.ASK_TERM:
        m = re.search(r"\ba\s+(36|48|60|72)\b(?!\s*(?:mil|k|pesos|%))", no_phone_text)
        if m:
            term = parsing.Term(months=int(m.group(1)))
    if term is None and plan_shown:
        # "¿y si mejor a 5?" after a plan: the other term, in years (3 to 6).
        m = re.search(
            r"\ba\s+([1-9])\b(?!\s*(?:mil|k|pesos|%|personas|pasajeros|puertas))", no_phone_text
        )
        if m:
            term = parsing.parse_term(f"{m.group(1)} anos", terms=terms)
    return term
