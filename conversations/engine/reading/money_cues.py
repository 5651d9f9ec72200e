"""The cue words of money: what the words around an amount make it (monthly, down payment,
price, income), read clause by clause (UNDERSTANDING.md §2)."""

from __future__ import annotations

import re
from decimal import Decimal

from conversations.engine import lexicon, parsing
from conversations.engine.reading.text import _alternation, _has

_MAX_MONEY = Decimal("20000000")
_MIN_PRICE = Decimal("10000")
# Under this, an amount answering the budget question is no car's price (a monthly payment).
_LEAST_CAR = Decimal("50000")


_DOWN = _alternation(lexicon.DOWN_CUES)
_GIVE = _alternation(lexicon.GIVE_CUES)
_MONTHLY = _alternation(lexicon.MONTHLY_CUES)
_PRICE = _alternation(lexicon.PRICE_CUES)
# presupuesto … hasta, and "súbele a 350": not "tengo", "con"
_PRICE_STRONG = _alternation((*lexicon.PRICE_CUES[:14], r"sub[eio]\w*"))
_RATE = _alternation(lexicon.RATE_WORDS)
# What the customer earns is neither a budget nor a monthly payment: "gano 15 mil al mes".
_INCOME = _alternation(
    (
        r"gano", r"ganamos", r"sueldo", r"salario", r"ingreso\w*", r"cobro", r"me pagan",
        r"percibo", r"mi quincena", r"gana", r"ganando",
    )
)  # fmt: skip


_CLAUSE_BREAK = re.compile(r"[,;!?¿¡\n]|\.(?!\d)|\s(?:y|pero|aunque|e|o sea)\s")
_PERCENT = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*(?:%|por ?ciento|porciento)")
_HALF = re.compile(r"\b(?:la )?mitad\b")
# The least down payment allowed, however it is said: "el mínimo", "con el enganche mínimo", "lo
# menos que se pueda", "lo más bajo posible".
_MINIMUM = re.compile(
    r"\b(?:el|lo|la) (?:minim[oa]|menos posible|mas baj[oa])\b|\benganche minimo\b"
    r"|\blo menos (?:que (?:se )?(?:pueda|puedo|puede|se pueda)|posible)\b|^(?:minimo|lo menos)$"
)
_NO_DOWN = re.compile(
    r"\b(?:sin|nada de|cero|0)\s+(?:de\s+)?enganche\b"
    # "no tengo para enganche", "no traigo lana pal enganche"
    r"|\bno (?:tengo|traigo|cuento con|tendria|junto)\s+(?:(?:nada|dinero|lana|varo|para|pa|pal|de"
    r"|el|mucho)\s+)*enganche\b"
)
# "nada", "no tengo", "no": no down payment when it is asked; "no me gustó" is something else.
_NOTHING = re.compile(
    r"^(?:nada|cero|no tengo|no traigo|no cuento|sin|ninguno"
    r"|no(?=\s*$|\s+(?:tengo|traigo|nada|cuento|hay|doy|puedo dar)\b))\b"
)
_RANGE = re.compile(
    rf"(?:entre|de)\s+\$?\s*({parsing._NUM})\s*(mil|k)?\s*(?:y|a|-)\s*\$?\s*({parsing._NUM})\s*"
    r"(mil|k|millones)?"
)
_DE_BEFORE = re.compile(r"\bde\s*\$?\s*$")
_OPTION_REF = re.compile(r"\b(?:el|la|los|las|del|al|opcion|numero|num|#)\s*$")


# The monthly payment asked for, with no amount: "¿cuánto sería mensual?", "¿de cuánto son las
# mensualidades?", "¿cuánto pagaría al mes?".
_MONTHLY_ASKED = re.compile(
    r"\b(?:cuanto|cuanta|de cuanto|q|que)\b.*\b(?:mensual\w*|al mes|por mes|x mes|cada mes)\b"
    r"|\b(?:mensualidad\w*|mensual)\b.*\?"
    # "¿cuánto me quedaría con 90 de enganche?": what a plan leaves to pay each month.
    r"|\bcuanto (?:me |le |nos )?(?:quedaria|quedarian|queda|quedan)\b"
)


def _clause(prepared: str, start: int, end: int) -> tuple[str, int]:
    """The clause around ``prepared[start:end]`` and the offset where the clause starts."""
    left = 0
    for m in _CLAUSE_BREAK.finditer(prepared, 0, start):
        left = m.end()
    after = _CLAUSE_BREAK.search(prepared, end)
    right = after.start() if after else len(prepared)
    return prepared[left:right], left


_OTHER_NUMBER = re.compile(r"\d{2,}")


def _nearest(pattern: re.Pattern[str], clause: str, start: int, end: int) -> int | None:
    """Distance from the number (at ``start:end`` of the clause) to the nearest cue, if any.

    A cue with another number between it and this one is that number's: in "un versa de 270
    con 40 mil de enganche", "enganche" says what 40 mil is, not 270."""
    best = None
    for m in pattern.finditer(clause):
        if m.end() <= start:
            distance = start - m.end()
            between = clause[m.end() : start]
        elif m.start() >= end:
            distance = m.start() - end
            between = clause[end : m.start()]
        else:
            continue
        if _OTHER_NUMBER.search(between):
            continue
        best = distance if best is None else min(best, distance)
    return best


# "un carro de 250 mil", "una camioneta como de 300": the amount is the car's price, whatever
# cue is further off ("¿cuánto me queda la mensualidad de un carro de 250 mil?").
_CAR_OF = re.compile(
    r"\b(?:carro|carrito|auto|coche|camioneta|vehiculo|troca|sedan|suv|pickup)s?\s+"
    r"(?:de|de unos|de como|como de|de hasta|que cueste|que valga)\s*\$?\s*$"
)


def _cue_role(clause: str, start: int, end: int, *, car_chosen: bool) -> str:
    """What the cue words around a number make it: monthly, down, price, income, or "" (no
    cue)."""
    if _CAR_OF.search(clause[:start]):
        return "price"
    strong = [
        (d, role)
        for role, pattern in (("monthly", _MONTHLY), ("down", _DOWN), ("price", _PRICE_STRONG))
        if (d := _nearest(pattern, clause, start, end)) is not None
    ]
    income = _nearest(_INCOME, clause, start, end)
    # "mi sueldo es de 18 mil al mes": "al mes" says how often they earn it.
    if income is not None and all(role == "monthly" or income <= d for d, role in strong):
        return "income"
    if strong:
        return min(strong)[1]
    if _nearest(_GIVE, clause, start, end) is not None:
        return "down"
    # "tengo", "como", "con" say price before a car is chosen; after it, money is a down payment
    # unless a strong price cue says otherwise.
    weak_price = _nearest(_PRICE, clause, start, end) is not None or bool(
        _DE_BEFORE.search(clause[:start])
    )
    if weak_price and not car_chosen:
        return "price"
    return ""


_TERM_BEFORE = re.compile(r"\b(?:a|en|plazo de|plazo)\s*$")
_SENTENCE_END = re.compile(r"[.?!\n]")


def _carried_role(prepared: str, clause_start: int) -> str:
    """The cue of an earlier clause still waiting for its number: "pal enganche no tengo mucho,
    como 25 mil" (the amount's own clause has no cue, or only a weak one like "como")."""
    before = prepared[:clause_start]
    ends = list(_SENTENCE_END.finditer(before))
    sentence = before[ends[-1].end() :] if ends else before
    clauses = [c for c in _CLAUSE_BREAK.split(sentence) if c and c.strip()]
    for previous in reversed(clauses):
        if re.search(r"\d", previous):
            return ""  # that clause has its own number: its cue is taken
        for role, pattern in (("monthly", _MONTHLY), ("down", _DOWN), ("price", _PRICE_STRONG)):
            if _has(previous, pattern):
                return role
    return ""


def _amount_role(
    prepared: str, amount: parsing.Amount, *, car_chosen: bool, asks_monthly: bool
) -> str:
    """What the cues around an amount (or an earlier clause's) make it: monthly, down, price,
    or "" (no cue)."""
    clause, offset = _clause(prepared, amount.start, amount.end)
    role = _cue_role(
        clause,
        amount.start - offset,
        amount.end - offset,
        car_chosen=car_chosen,
    )
    if (
        role == "monthly"
        and asks_monthly
        and _nearest(_GIVE, clause, amount.start - offset, amount.end - offset) is not None
    ):
        role = "down"  # "¿cuánto quedaría la mensualidad si damos 80 mil?"
    if not role or (
        role == "price"
        and _nearest(_PRICE_STRONG, clause, amount.start - offset, amount.end - offset) is None
    ):
        role = _carried_role(prepared, offset) or role
    if (
        role != "monthly"
        and _TERM_ASKED.search(prepared)
        and _PAY_BEFORE.search(clause[: amount.start - offset])
        and _nearest(_DOWN, clause, amount.start - offset, amount.end - offset) is None
    ):
        role = "monthly"  # "¿a cuántos meses, si quiero pagar menos de 6 mil?": each month
    return role


# The term asked ("¿a cuántos meses…?", "¿qué plazo…?"), and paying said right before an amount:
# what is paid then is the monthly payment, not the down payment nor the price.
_TERM_ASKED = re.compile(
    r"\b(?:(?:a|en|de) cuant[oa]s? (?:meses|anos|plazos)|que plazo|cual plazo|cuanto tiempo)\b"
)
_PAY_BEFORE = re.compile(
    r"\b(?:pag(?:ar|o|ue|uemos|aria|ariamos|ando)|qued(?:ar|e|en|aria|arian|ara|a)"
    r"|sal(?:e|en|ga|gan|dria|drian))\b(?:\s+(?!de enganche)\w+){0,3}\s*\$?\s*$"
)


_HAVE = re.compile(r"\b(?:tengo|traigo|cuento con|tenemos|junte|ahorre)\b")


def _monthly_for_the_budget(prepared: str, amount: parsing.Amount, role: str) -> bool:
    """An amount under any car's price, said with thousands and at most a weak price cue."""
    if not amount.explicit or amount.value >= _LEAST_CAR or role not in ("", "price"):
        return False
    clause, offset = _clause(prepared, amount.start, amount.end)
    start, end = amount.start - offset, amount.end - offset
    return _nearest(_PRICE_STRONG, clause, start, end) is None and not _HAVE.search(clause)
