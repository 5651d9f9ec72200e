"""Money in a message, each amount placed by its cue: budget, monthly cap, down payment.

A bare number no cue explains is placed by the pending question when it can only mean what
it asks, else left *unplaced*, to be confirmed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from conversations.engine import cues, lexicon, parsing
from conversations.engine.reading.text import (
    _alternation,
    _bare,
    _has,
)
from conversations.engine.state import Action, CarOption
from spanish import fold

_MAX_MONEY = Decimal("20000000")
_MIN_PRICE = Decimal("10000")


_DOWN = _alternation(lexicon.DOWN_CUES)
_GIVE = _alternation(lexicon.GIVE_CUES)
_MONTHLY = _alternation(lexicon.MONTHLY_CUES)
_PRICE = _alternation(lexicon.PRICE_CUES)
# presupuesto … hasta, and "súbele a 350": not "tengo", "con"
_PRICE_STRONG = _alternation((*lexicon.PRICE_CUES[:14], r"sub[ei]\w*"))
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


@dataclass
class _Money:
    budget_max: Decimal | None = None
    budget_min: Decimal | None = None
    monthly: Decimal | None = None
    down_amount: Decimal | None = None
    down_ratio: Decimal | None = None
    down_minimum: bool = False
    down_none: bool = False
    unplaced: Decimal | None = None
    unplaced_roles: tuple[str, ...] = ()
    budget_unknown: bool = False  # "no sé cuánto gastar", "tú dime" when the budget is asked


def _read_money(
    text: str,
    *,
    pending: Action,
    chosen: CarOption | None,
    terms: tuple[int, ...],
    names_car: bool,
    term_found: bool,
    budget: Decimal | None = None,
) -> _Money:
    prepared = parsing.prepare_money_text(text)
    money = _Money()
    _read_amounts(
        text,
        prepared,
        money,
        pending=pending,
        chosen=chosen,
        terms=terms,
        names_car=names_car,
        term_found=term_found,
        budget=budget,
    )
    if not (money.budget_max or money.monthly):
        money.budget_unknown = cues.budget_unknown(
            fold(text), budget_asked=pending == Action.ASK_BUDGET
        )
    return money


def _read_amounts(
    text: str,
    prepared: str,
    money: _Money,
    *,
    pending: Action,
    chosen: CarOption | None,
    terms: tuple[int, ...],
    names_car: bool,
    term_found: bool,
    budget: Decimal | None,
) -> None:
    expecting_down = pending == Action.ASK_DOWN_PAYMENT
    _read_down_words(prepared, money, expecting_down=expecting_down)
    asks_monthly = _MONTHLY_ASKED.search(prepared) is not None
    taken = _read_range(prepared, money)
    amounts = parsing.find_amounts(text)
    corrects = _corrections(prepared, amounts)
    for i, amount in enumerate(amounts):
        if any(a <= amount.start < b for a, b in taken) or i in corrects.values():
            continue
        if len(amounts) > 1 and _NEGATED_AMOUNT.search(prepared[: amount.start]):
            continue  # "eran 90 de enganche, no 80": the other amount is meant
        if _option_or_term(prepared, amount, terms=terms, term_found=term_found):
            continue
        role = _amount_role(
            prepared,
            amounts[corrects.get(i, i)],  # "300, digo 260": the corrected amount's cue
            car_chosen=chosen is not None and not names_car,
            asks_monthly=asks_monthly,
        )
        value = amount.value
        if role == "income":
            continue  # what they earn: no budget, no monthly payment
        if role == "monthly":
            value = value * 1000 if not amount.explicit and value < 100 else value
            if Decimal(500) <= value <= Decimal(200_000):
                money.monthly = value
            continue
        if role == "price" and term_found and _down_with_the_term(prepared, amount, budget):
            role = "down"
        if (role == "down" or (not role and expecting_down)) and _share(prepared, amount):
            money.down_ratio = value / 100  # "puedo dar el 20": a share ("el 20 mil" is not said)
            continue
        if role == "down":
            value = value * 1000 if not amount.explicit and value < 1000 else value
            if Decimal(1000) <= value <= _MAX_MONEY:
                money.down_amount = value
            continue
        if role == "price" or (not role and amount.explicit and chosen is None):
            if role == "" and (
                expecting_down
                or (_far_below(value, budget, pending) and not _NEW_BUDGET.search(prepared))
            ):
                # "va 35k" with cars of about 280 mil shown: a down payment, not a new budget.
                money.down_amount = value
                continue
            value = value * 1000 if not amount.explicit and 20 <= value < 10000 else value
            if _MIN_PRICE <= value <= _MAX_MONEY:
                money.budget_max, money.budget_min = value, None
            continue
        # No cue: the pending question decides when the number can only mean what it asks.
        _place_bare(
            money,
            amount,
            pending=pending,
            chosen=chosen,
            terms=terms,
            names_car=names_car,
            term_found=term_found,
            budget=budget,
        )


# "dar el 20", "con el 30 de enganche": a bare number after "el" is a share of the price.
_ARTICLE_SHARE = re.compile(r"\bel\s*$")


def _option_or_term(
    prepared: str, amount: parsing.Amount, *, terms: tuple[int, ...], term_found: bool
) -> bool:
    """A bare small number that names an option ("por el 1", "la 2") or that the term already
    read ("100 mil de enganche a 48", "a 3" years): no money."""
    before = prepared[: amount.start]
    if amount.explicit:
        return False
    if amount.value < 20 and _OPTION_REF.search(before):
        return True
    return (
        term_found
        and (int(amount.value) in terms or amount.value <= 12)
        and _TERM_BEFORE.search(before) is not None
    )


def _share(prepared: str, amount: parsing.Amount) -> bool:
    """A bare whole number from 10 to 90 right after "el": a percentage of the price."""
    value = amount.value
    return (
        not amount.explicit
        and 10 <= value <= 90
        and value == int(value)
        and _ARTICLE_SHARE.search(prepared[: amount.start]) is not None
    )


_WITH_BEFORE = re.compile(r"\bcon\s*(?:unos|como|\$)?\s*$")


def _down_with_the_term(prepared: str, amount: parsing.Amount, budget: Decimal | None) -> bool:
    """ "¿y a 48 meses con 30 mil?": said with a term, "con" and an amount below the budget is
    the down payment of that plan."""
    if not _WITH_BEFORE.search(prepared[: amount.start]):
        return False
    value = amount.value
    thousands = value * 1000 if not amount.explicit and value < 1000 else value
    return budget is None or thousands < budget


# "mejor 80 mil", "bájale a 150": the budget corrected, however far below.
_NEW_BUDGET = re.compile(r"\b(?:mejor|digo|perdon|corrijo|bajale|menos|hasta|maximo|max)\b")


def _far_below(value: Decimal, budget: Decimal | None, pending: Action) -> bool:
    """An amount without a cue under a third of the budget while options are shown."""
    return pending == Action.CHOOSE_OPTION and budget is not None and value * 3 < budget


# Between an amount and the next, a self-correction: "300, digo 260", "de 200, no perdón de 250",
# "30 mil, no, mejor dicho 45 mil". The first is dropped and the second takes its role.
_CORRECTION = re.compile(
    r"^\W*(?:no\W+)?(?:(?:perdon|disculpa|digo|mejor dicho|quise decir|corrijo|me equivoque"
    r"|bueno|mejor|o sea|no)\W+)+(?:(?:de|como|unos|en|a|son|es)\W+)?$"
)


_NEGATED_AMOUNT = re.compile(
    r"(?:^|[\s,])(?:no|y no|en vez de|en lugar de)\s+(?:eran?\s+|son\s+|es\s+)?\$?\s*$"
)


def _corrections(prepared: str, amounts: list[parsing.Amount]) -> dict[int, int]:
    """Index of each correcting amount → index of the amount it corrects."""
    return {
        i + 1: i
        for i in range(len(amounts) - 1)
        if _CORRECTION.match(prepared[amounts[i].end : amounts[i + 1].start] + " ")
    }


def _read_down_words(prepared: str, money: _Money, *, expecting_down: bool) -> None:
    """The down payment said without an amount: a percentage, half, the minimum, none."""
    down_context = expecting_down or _has(prepared, _DOWN)
    for m in _PERCENT.finditer(prepared):
        clause, _offset = _clause(prepared, m.start(), m.end())
        if _has(clause, _RATE):
            continue  # "la tasa del 10%": the rate, not a down payment
        ratio = Decimal(m.group(1).replace(",", ".")) / 100
        if 0 < ratio <= 1:
            money.down_ratio = ratio
    if money.down_ratio is None and down_context and _HALF.search(prepared):
        money.down_ratio = Decimal("0.5")
    if down_context and _MINIMUM.search(prepared):
        money.down_minimum = True
    if _NO_DOWN.search(prepared) or (expecting_down and _NOTHING.search(_bare(prepared))):
        money.down_none = True


def _read_range(prepared: str, money: _Money) -> list[tuple[int, int]]:
    """A price range ("entre 200 y 300 mil"): the budget, and the span it takes."""
    taken: list[tuple[int, int]] = []
    range_m = _RANGE.search(prepared)
    if range_m:
        low, high = parsing._to_decimal(range_m.group(1)), parsing._to_decimal(range_m.group(3))
        factor = {None: 1, "mil": 1000, "k": 1000, "millones": 1_000_000}
        if low is not None and high is not None:
            low *= factor[range_m.group(2) or range_m.group(4)]
            high *= factor[range_m.group(4)]
            if high < 1000:
                low, high = low * 1000, high * 1000
            low, high = sorted((low, high))
            if _MIN_PRICE <= high <= _MAX_MONEY:
                money.budget_max, money.budget_min = high, low or None
                taken.append(range_m.span())
    return taken


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


def _place_bare(
    money: _Money,
    amount: parsing.Amount,
    *,
    pending: Action,
    chosen: CarOption | None,
    terms: tuple[int, ...],
    names_car: bool,
    term_found: bool,
    budget: Decimal | None = None,
) -> None:
    value = amount.value
    if amount.explicit:
        # Money after a car was chosen, with no cue: a new down payment below its price.
        if chosen is not None and value < chosen.price:
            money.down_amount = value
        elif chosen is not None:
            money.unplaced, money.unplaced_roles = value, ("price",)
        return
    if term_found and int(value) in terms:
        return  # the term already read this number ("a 48")
    thousands = value * 1000
    if pending == Action.ASK_DOWN_PAYMENT and value < 1000:
        money.down_amount = thousands
        return
    if pending == Action.ASK_TERM:
        if value >= 100:
            money.unplaced, money.unplaced_roles = thousands, ("down",)
        return
    if value < 20:
        return  # "el 2", "3 opciones": not money
    if int(value) in terms and not names_car:
        # "72" when asked for the budget: 72 months or 72 mil? Confirm, never guess.
        money.unplaced, money.unplaced_roles = value, ("term", "price")
        return
    if value >= 10000:
        return
    if _far_below(thousands, budget, pending):
        money.down_amount = thousands  # "entonces 40" with cars of about 250 mil shown
        return
    if pending == Action.ASK_BUDGET or names_car:
        money.budget_max, money.budget_min = thousands, None
        return
    if value >= 100:
        money.unplaced, money.unplaced_roles = thousands, ("price",)
