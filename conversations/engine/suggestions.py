"""Slots the optional LLM suggests, checked against the customer's message (issue 15)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from conversations.engine import parsing, replies
from conversations.engine.ports import CarCatalog
from conversations.engine.state import CarOption
from conversations.engine.turn import EngineConfig

# --- LLM-suggested slots -----------------------------------------------------------------------
# With the optional LLM, an extraction call reads slots and the intent on every turn the engine was
# unsure about (nothing placed, a fuzzy match, a bare number). The values are never applied as
# they come: each one must pass a type and range check *and be in the customer's message* (a
# number written in it, a name typed in it, a car the catalogue knows), then it is written as a
# plain phrase ("presupuesto de 300000 pesos", "a 48 meses") and the turn is decided again on it,
# so the engine's own parsers, the matcher and the financing rules decide what is accepted, exactly
# as if the customer had typed it. When the engine read a slot itself, its reading wins.

_SUGGESTED_BUDGET = (Decimal(10_000), Decimal(20_000_000))
_SUGGESTED_MONTHLY = (Decimal(500), Decimal(500_000))
_SUGGESTED_NAME = re.compile(r"[A-Za-zÀ-ÿ0-9][A-Za-zÀ-ÿ0-9 .\-]{0,29}")
_TRANSMISSION_ES = {"automatic": "automático", "manual": "estándar"}
_HUMAN_WORDS = re.compile(
    r"\b(?:asesor\w*|humano|persona|alguien|agente|ejecutiv\w*|vendedor\w*)\b"
)


def _whole(value: Any, low: Decimal, high: Decimal) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    amount = Decimal(value)
    return amount if low <= amount <= high else None


def _name(value: Any) -> str | None:
    if isinstance(value, str) and _SUGGESTED_NAME.fullmatch(value.strip()):
        return value.strip()
    return None


def _numbers_in(text: str) -> set[Decimal]:
    """Every amount the message could mean: its numbers as written, in thousands, in millions."""
    found: set[Decimal] = set()
    prepared = parsing.prepare_money_text(text)
    for raw in re.findall(parsing._NUM, prepared):
        value = parsing._to_decimal(raw)
        if value is not None:
            found.update({value, value * 1000, value * 1_000_000})
    found.update(a.value for a in parsing.find_amounts(text))
    return found


def _car_phrases(
    suggested: Mapping[str, Any], catalog: CarCatalog | None
) -> tuple[list[str], list[str]]:
    """The car suggested (a make or model the catalogue knows, a body type, a transmission) as
    phrases, and their keys."""
    parts: list[str] = []
    used: list[str] = []
    names = [(k, _name(suggested.get(k))) for k in ("make", "model")]
    if any(n for _, n in names) and catalog is not None:
        named = " ".join(n for _, n in names if n)
        match = catalog.match_need(named, car_context=True)
        if match.model or match.make:  # a car the catalogue knows, not one the model invented
            parts.append(named)
            used += [k for k, n in names if n]
    body = suggested.get("body_type")
    if isinstance(body, str) and body in replies.BODY_TYPE_ES:
        parts.append(replies.BODY_TYPE_ES[body])
        used.append("body_type")
    transmission = suggested.get("transmission")
    if isinstance(transmission, str) and transmission in _TRANSMISSION_ES:
        parts.append(_TRANSMISSION_ES[transmission])
        used.append("transmission")
    return parts, used


def _money_phrases(
    suggested: Mapping[str, Any], numbers: set[Decimal]
) -> tuple[list[str], list[str]]:
    """The budget (a range, a top or a monthly payment) and the down payment suggested, each only
    when its amount is in the message (``numbers``), as phrases, and their keys."""
    parts: list[str] = []
    used: list[str] = []

    def said(amount: Decimal | None) -> Decimal | None:
        return amount if amount is not None and amount in numbers else None

    high = said(_whole(suggested.get("budget_max"), *_SUGGESTED_BUDGET))
    low = said(_whole(suggested.get("budget_min"), *_SUGGESTED_BUDGET))
    monthly = said(_whole(suggested.get("monthly_budget"), *_SUGGESTED_MONTHLY))
    if high is not None and low is not None and low < high:
        parts.append(f"presupuesto entre {low} y {high} pesos")
        used += ["budget_min", "budget_max"]
    elif high is not None:
        parts.append(f"presupuesto de {high} pesos")
        used.append("budget_max")
    elif monthly is not None:
        parts.append(f"puedo pagar {monthly} pesos al mes")
        used.append("monthly_budget")
    percent = said(_whole(suggested.get("down_payment_percent"), Decimal(1), Decimal(99)))
    amount = said(
        _whole(suggested.get("down_payment_amount"), Decimal(1_000), _SUGGESTED_BUDGET[1])
    )
    if percent is not None:
        parts.append(f"enganche del {percent}%")
        used.append("down_payment_percent")
    elif amount is not None and high is None and monthly is None:
        # One amount per phrase: a down payment next to a budget could be read as a range.
        parts.append(f"enganche de {amount} pesos")
        used.append("down_payment_amount")
    return parts, used


def suggested_phrase(
    suggested: Mapping[str, Any],
    config: EngineConfig,
    *,
    text: str = "",
    catalog: CarCatalog | None = None,
    options: tuple[CarOption, ...] = (),
) -> tuple[str, tuple[str, ...]]:
    """The suggestions that pass their checks against ``text``, as one phrase, and their keys."""
    folded = parsing.fold(text)
    numbers = _numbers_in(text)
    parts, used = _car_phrases(suggested, catalog)
    money, money_keys = _money_phrases(suggested, numbers)
    parts += money
    used += money_keys
    term = _whole(suggested.get("term_months"), Decimal(1), Decimal(120))
    if term is not None and int(term) in config.terms and numbers & {term, term // 12}:
        parts.append(f"a {term} meses")
        used.append("term_months")
    option = _whole(suggested.get("option"), Decimal(1), Decimal(len(options)))
    if option is not None and (option in numbers or _ordinal_said(int(option), folded)):
        parts.append(f"la opción {option}")
        used.append("option")
    person = _name(suggested.get("name"))
    if person and parsing.fold(person) in folded:
        parts.append(f"me llamo {person}")
        used.append("name")
    phone = suggested.get("phone")
    if (
        isinstance(phone, str)
        and parsing.parse_phone(phone)
        and (parsing.parse_phone(phone) == parsing.parse_phone(text))
    ):
        parts.append(f"mi cel es {phone}")
        used.append("phone")
    intent = suggested.get("intent")
    if not parts and intent == "human" and _HUMAN_WORDS.search(folded):
        parts.append("quiero hablar con un asesor")
        used.append("intent")
    elif not parts and intent == "small_talk":
        parts.append("ok")
        used.append("intent")
    return ", ".join(parts), tuple(used)


_ORDINAL_WORDS = {
    1: ("primer", "1ro", "1er", "uno"),
    2: ("segund", "2do", "dos"),
    3: ("tercer", "3ro", "tres"),
}


def _ordinal_said(option: int, folded: str) -> bool:
    return any(word in folded for word in _ORDINAL_WORDS.get(option, ()))


# Slots the engine read itself: a suggestion never overrides them.
OWN_READING = {
    "make": ("make", "model"),
    "model": ("make", "model"),
    "budget_max": ("budget_max", "monthly_budget"),
    "budget_min": ("budget_max", "monthly_budget"),
    "monthly_budget": ("monthly_budget", "budget_max"),
    "down_payment_percent": ("down_payment", "down_payment_ratio"),
    "down_payment_amount": ("down_payment", "down_payment_ratio"),
    "term_months": ("term_months",),
    "option": ("chosen",),
    "name": ("name",),
    "phone": ("phone",),
    "body_type": ("body_type",),
    "transmission": ("transmission",),
}
