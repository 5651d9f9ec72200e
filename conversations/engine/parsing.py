"""Understanding Mexican Spanish without an LLM: money, down payment, term, choice, contact data.

Every parser is total: it returns None (or an empty result) for text it does not understand
and never raises. Matching uses word boundaries on accent-folded text, so "Versa" is not
"ver" and the "si" inside "sigue" is not a yes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from conversations.engine import lexicon
from spanish import blank_dictated_phones, dictated_digits, fold_message, replace_number_words

# --- Normalisation ------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lowercase, strip accents (keep ñ as n), collapse whitespace and stretched letters
    (``spanish.fold_message``, cached there: one turn folds the same message in several parsers)."""
    return fold_message(text)


@lru_cache(maxsize=1024)
def _any_word(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled alternation: a pattern matches as a whole word (``(?<!\\w)…(?!\\w)``)."""
    return re.compile(rf"(?<!\w)(?:{'|'.join(f'(?:{p})' for p in patterns)})(?!\w)")


def _has_any(folded: str, patterns: tuple[str, ...]) -> bool:
    return _any_word(patterns).search(folded) is not None


# --- Spanish number words: ``spanish.numbers`` (the engine's reading, ``replace_number_words``) --
_replace_number_words = replace_number_words


# --- Money --------------------------------------------------------------------------------------
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d+)?"
# "lucas", "varos", "bolas" after a plain number are thousands in Mexican speech ("300 varos" is
# 300 mil); before "mil" they only say "pesos" ("400 varos mil").
_AMOUNT_RE = re.compile(
    rf"(?P<cur>\$\s*)?(?P<num>{_NUM})\s*"
    r"(?P<unit>millones|millon|mill|mil|k|m|lucas|luca|varos|baros|bolas)?(?!\w)"
    r"(?P<pesos>\s*(?:pesos|mxn|varos|baros|lucas|bolas)(?!\w))?"
)
# Words that make the number before them a term ("48 meses", "36 mses", "4 anios"), not money.
_TERM_WORDS = r"anios|anio|anos|ano|meses|mes|mses|meces|mesess|mensualidades|pagos"
_NOT_MONEY_AFTER = re.compile(
    r"^\s*(?:%|por ?ciento|km|kms|kilometros|kilometro|mil km|mil kilometros|a[nñ]os"
    rf"|(?:{_TERM_WORDS})\b)"
)
_MONTHLY_RE = re.compile(
    r"(al mes|mensual|mensuales|mensualidad|mensualidades|por mes|cada mes|x mes|de renta)"
)


_SLANG_THOUSANDS = ("lucas", "luca", "varos", "baros", "bolas")
_MULTIPLIERS: dict[str | None, int] = {
    None: 1,
    "k": 1000,
    "mil": 1000,
    "mill": 1_000_000,
    "millon": 1_000_000,
    "millones": 1_000_000,
    "m": 1_000_000,
    **dict.fromkeys(_SLANG_THOUSANDS, 1000),
}


@dataclass(frozen=True)
class Amount:
    value: Decimal
    explicit: bool  # had a currency sign, a unit (mil, k, millones) or a thousands separator
    start: int
    end: int


def _to_decimal(num: str) -> Decimal | None:
    raw = num
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?", raw):
        raw = raw.replace(",", "")
    elif re.fullmatch(r"\d+,\d{1,2}", raw):
        raw = raw.replace(",", ".")  # "1,2 millones"
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):
        raw = raw.replace(".", "")  # "300.000" written European-style
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None


_PHONE_RE = re.compile(r"(?<![\w$])\+?\d[\d \t().\-]{8,20}\d(?![\w%])")


def strip_phones(folded: str) -> str:
    """``folded`` with every phone-like run of 10+ digits, or dictated in words, blanked out
    (same length)."""

    def blank(m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group(0))
        return " " * len(m.group(0)) if len(digits) >= 10 else m.group(0)

    return blank_dictated_phones(_PHONE_RE.sub(blank, folded))


def _compound(m: re.Match[str]) -> str:
    """ "4 mil 500" → "4500 pesos": thousands followed by a hundreds figure (an explicit sum)."""
    return f"{int(m.group(1)) * 1000 + int(m.group(2))} pesos"


@lru_cache(maxsize=2048)
def prepare_money_text(text: str) -> str:
    """Folded text with spoken amounts as digits and phone numbers blanked out."""
    folded = strip_phones(fold(text))
    folded = re.sub(r"\bmedio millon\b", "500000", folded)
    folded = re.sub(r"\b(?:un )?cuarto de millon\b", "250000", folded)
    folded = re.sub(r"\b(un )?millon y medio\b", "1500000", folded)
    folded = re.sub(
        r"\bun millon (\d{1,3})\b(?! ?mil)",
        lambda m: str(1_000_000 + int(m.group(1)) * 1000),
        folded,
    )
    folded = re.sub(r"\bun millon\b", "1000000", folded)
    folded = re.sub(r"(\d)\s+(mil|k)\b", r"\1 \2", folded)
    folded = re.sub(r"\b(\d{1,3}) (\d{3})\b(?! ?mil)", r"\1\2", folded)  # "300 000"
    folded = _replace_number_words(folded)
    # "4 mil 500", "cuatro mil quinientos" (after the words became digits)
    return re.sub(r"(?<![\d.,])(\d{1,3}) mil (\d00)\b(?! ?(?:mil|k)\b)", _compound, folded)


def find_amounts(text: str) -> list[Amount]:
    """Every money-like amount in ``text`` (years, km, percentages and terms excluded)."""
    prepared = prepare_money_text(text)
    amounts: list[Amount] = []
    for m in _AMOUNT_RE.finditer(prepared):
        if m.start() > 0 and (prepared[m.start() - 1].isalnum() or prepared[m.start() - 1] in "-"):
            continue
        value = _to_decimal(m.group("num"))
        if value is None:
            continue
        unit = m.group("unit")
        after = prepared[m.end() :]
        if unit in (None, "k", "mil", "m") and _NOT_MONEY_AFTER.match(
            after if unit else prepared[m.end("num") :]
        ):
            continue
        if unit == "m" and not m.group("cur"):
            continue  # "3 m" is ambiguous (metres, months)
        if unit in _SLANG_THOUSANDS and after.lstrip().startswith("mil"):
            unit = "mil"  # "400 varos mil"
        multiplier = _MULTIPLIERS[unit]
        value *= multiplier
        explicit = bool(
            m.group("cur") or unit or m.group("pesos") or "," in m.group("num") or value >= 10000
        )
        if not explicit and 1990 <= value <= 2035 and "." not in m.group("num"):
            continue  # a model year, not money
        amounts.append(Amount(value=value, explicit=explicit, start=m.start(), end=m.end()))
    return amounts


@dataclass(frozen=True)
class Budget:
    max_price: Decimal | None = None
    min_price: Decimal | None = None
    monthly: Decimal | None = None


_MAX_REASONABLE = Decimal("20000000")


def parse_budget(text: str, *, expecting: bool = False) -> Budget | None:
    """A total budget, a range ("entre 200 y 250 mil") or a monthly budget ("8 mil al mes").

    With ``expecting`` (the agent just asked for the budget) a bare number like "300" is read as
    thousands of pesos, as Mexican customers say it.
    """
    prepared = prepare_money_text(text)
    # A unit after the second number of a range applies to the first: "entre 200 y 250 mil".
    range_m = re.search(
        rf"(?:entre|de)\s+\$?\s*({_NUM})\s*(mil|k)?\s*(?:y|a|-)\s*\$?\s*({_NUM})\s*"
        r"(mil|k|millones)?",
        prepared,
    )
    if range_m:
        low, high = _to_decimal(range_m.group(1)), _to_decimal(range_m.group(3))
        unit_high = range_m.group(4)
        unit_low = range_m.group(2) or unit_high
        factor = {None: 1, "mil": 1000, "k": 1000, "millones": 1_000_000}
        if low is not None and high is not None:
            low *= factor[unit_low]
            high *= factor[unit_high]
            if expecting or unit_high or high >= 10000:
                if high < 1000 and expecting:
                    low, high = low * 1000, high * 1000
                low, high = sorted((low, high))
                if 0 < high <= _MAX_REASONABLE and low >= 0:
                    return Budget(max_price=high, min_price=low or None)
    amounts = find_amounts(text)
    if not amounts:
        return None
    best = max(amounts, key=lambda a: (a.explicit, a.value))
    value = best.value
    if not best.explicit:
        if not expecting:
            return None
        if value < 20:
            return None
        if value < 10000:
            value *= 1000  # "tengo 300" → $300,000
    if _MONTHLY_RE.search(prepared):
        if 500 <= value <= 200_000:
            return Budget(monthly=value)
        return None
    if value < 10000 or value > _MAX_REASONABLE:
        return None
    return Budget(max_price=value)


# --- Down payment -------------------------------------------------------------------------------
@dataclass(frozen=True)
class DownPayment:
    amount: Decimal | None = None
    ratio: Decimal | None = None  # 0.20 for "20%"
    minimum: bool = False
    none: bool = False


def parse_down_payment(text: str, *, expecting: bool = False) -> DownPayment | None:
    folded = prepare_money_text(text)
    pct = re.search(r"(\d{1,3}(?:[.,]\d+)?)\s*(?:%|por ?ciento|porciento)", folded)
    if pct:
        ratio = Decimal(pct.group(1).replace(",", ".")) / 100
        if 0 <= ratio <= 1:
            return DownPayment(ratio=ratio)
        return None
    if _has_any(folded, (r"el minimo", r"lo minimo", r"minimo", r"el menor")):
        return DownPayment(minimum=True)
    if _has_any(folded, (r"sin enganche", r"nada de enganche", r"cero enganche", r"0 enganche")):
        return DownPayment(none=True)
    if expecting and _has_any(folded, (r"nada", r"cero", r"sin", r"no tengo")):
        return DownPayment(none=True)
    mentions = _has_any(folded, (r"enganche", r"anticipo", r"inicial", r"dar de entrada", r"pie"))
    if not (expecting or mentions):
        return None
    amounts = find_amounts(text)
    if not amounts:
        return None
    best = max(amounts, key=lambda a: (a.explicit, a.value))
    value = best.value
    if not best.explicit and value < 10000:
        value *= 1000  # "60" as an answer to "¿cuánto de enganche?" → $60,000
    if value <= 0 or value > _MAX_REASONABLE:
        return None
    return DownPayment(amount=value)


# --- Term ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    months: (
        int | None
    )  # None with ``invalid`` set when the customer asked for a term we don't offer
    invalid: bool = False
    compare: bool = False


_TERM_UNITS = _TERM_WORDS + "|m"  # and "48m" (as money, "m" would need a currency sign)
# Units that name a term only with a term offered ("3 m", "2 pagos" are no term at all).
_LOOSE_TERM_UNITS = ("m", "pagos", "mensualidades")


# Words before a term given alone: "ok 36", "va, 48", "mejor 60", "pues a 72".
_TERM_LEAD_IN = (
    r"(?:(?:ok|oki|okey|va|sale|vale|bueno|pues|entonces|ah|ya|mejor|dale|si|perfecto|listo"
    r"|este|orale)\W+)*"
)


# Years that are no term: an age or a time ago ("tengo 25 años", "hace 3 años", "llevo 2 años
# manejando", "mi hijo de 18 años").
_NO_TERM_YEARS = re.compile(
    r"\b(?:tengo|tiene|tienes|tenemos|tienen|cumpl\w*|hace|llevo|lleva|llevamos|edad de)"
    r"\s+\d{1,3}\s*anos?\b|\bde\s+(?:[1-9]\d)\s*anos?\b"
)


def parse_term(text: str, *, terms: tuple[int, ...], expecting: bool = False) -> Term | None:
    """The term named, if one of ``terms`` (the engine's config); another is an invalid term."""
    folded = _replace_number_words(fold(text))
    if _has_any(folded, (r"el mas largo", r"lo mas largo", r"mas largo", r"maximo plazo")):
        return Term(months=72)
    if _has_any(folded, (r"el mas corto", r"lo mas corto", r"mas corto", r"minimo plazo")):
        return Term(months=36)
    if _has_any(folded, (r"compara\w*", r"todos los plazos", r"todas las opciones")):
        return Term(months=None, compare=True)
    m = re.search(rf"(\d{{1,3}})\s*({_TERM_UNITS})\b", _NO_TERM_YEARS.sub(" ", folded))
    if m:
        n = int(m.group(1))
        months = n * 12 if m.group(2).startswith("an") else n
        if months in terms:
            return Term(months=months)
        if m.group(2) not in _LOOSE_TERM_UNITS:
            return Term(months=None, invalid=True)
    if expecting:
        bare = re.fullmatch(
            rf"{_TERM_LEAD_IN}(?:a |en |de )?(\d{{1,2}})(?: porfa| por favor)?\W*", folded
        )
        m2 = bare or re.search(r"\ba (\d{1,2})\b", folded)
        if m2:
            n = int(m2.group(1))
            if n in terms:
                return Term(months=n)
            if 1 <= n <= 12:
                return Term(months=n * 12) if n * 12 in terms else Term(None, invalid=True)
            return Term(months=None, invalid=True)
    return None


# --- Option choice ------------------------------------------------------------------------------
_ORDINALS = {
    1: (r"primer[oa]?", r"1ro", r"1er[oa]?", r"1ra", r"uno", r"una"),
    2: (r"segund[oa]", r"2do", r"2da", r"dos"),
    3: (r"tercer[oa]?", r"3ro", r"3er[oa]?", r"3ra", r"tres"),
}


def parse_option_choice(
    text: str, *, options: list[tuple[str, str, str]], expecting: bool = True
) -> int | None:
    """Index (0-based) of the option the customer chose.

    ``options`` are (stock_id, make, model) in display order. Understands ordinals ("el segundo",
    "la opción 2", "el 3"), "el último", the model or make name, and the stock id.
    """
    if not options:
        return None
    folded = fold(text)
    for i, (stock_id, _make, _model) in enumerate(options):
        if re.search(rf"(?<!\d){re.escape(stock_id)}(?!\d)", folded):
            return i
    m = re.search(r"(?:opcion|numero|num|no\.?|#)\s*(\d)\b", folded)
    if m and 1 <= int(m.group(1)) <= len(options):
        return int(m.group(1)) - 1
    for n, words in _ORDINALS.items():
        if n <= len(options) and _has_any(
            folded, tuple(rf"(?:el|la|lo|opcion) {w}" for w in words)
        ):
            return n - 1
    if _has_any(folded, (r"el ultimo", r"la ultima", r"ultimo", r"ultima")):
        return len(options) - 1
    matches = [
        i
        for i, (_s, _make, model) in enumerate(options)
        if model and _has_any(folded, (re.escape(fold(model)),))
    ]
    if matches and len({fold(options[i][2]) for i in matches}) == 1:
        return matches[0]
    makes = [
        i for i, (_s, make, _m) in enumerate(options) if _has_any(folded, (re.escape(fold(make)),))
    ]
    if len(makes) == 1:
        return makes[0]
    if expecting:
        bare = re.fullmatch(r"(?:el |la |opcion )?(\d)(?: porfa| por favor)?", folded)
        if bare and 1 <= int(bare.group(1)) <= len(options):
            return int(bare.group(1)) - 1
        for n, words in _ORDINALS.items():
            if n <= len(options) and re.fullmatch(rf"(?:{'|'.join(words)})", folded):
                return n - 1
    return None


# --- Contact data -------------------------------------------------------------------------------
def parse_phone(text: str) -> str | None:
    """Mexican phone → E.164 ``+52XXXXXXXXXX``; None when it is not a valid Mexican number.

    Accepts 10 digits, +52, 52, the old mobile prefix 1 (+52 1 …) and 044/045, with spaces, dashes,
    dots and parentheses.
    """
    candidates = re.findall(r"\+?[\d][\d\s().\-]{6,22}\d", text)
    if not candidates:
        # Dictated in words: "cinco cinco, doce treinta y cuatro…"
        candidates = [dictated_digits(fold(text))]
    for raw in candidates:
        digits = re.sub(r"\D", "", raw)
        if len(digits) == 13 and digits.startswith("521"):
            digits = digits[3:]
        elif len(digits) == 12 and digits.startswith("52"):
            digits = digits[2:]
        elif len(digits) == 13 and digits[:3] in ("044", "045"):
            digits = digits[3:]
        if len(digits) == 10 and digits[0] != "0" and len(set(digits)) > 1:
            return f"+52{digits}"
    return None


_NAME_PREFIX = re.compile(
    r"^(?:me (?:ll|y)amo|mi nombre es|soy|habla|con|es|el nombre es|a nombre de|de)\s+",
    re.IGNORECASE,
)
_NAMED = re.compile(
    # "me llamo", and "me yamo" as it is often typed
    r"(?:^|\b)(?P<cue>me (?:ll|y)amo|mi nombre es|el nombre es|a nombre de|soy|habla)\s+"
    r"(?P<rest>.+)",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"^(?:de\s+)?mi\s+(?:espos[oa]|herman[oa]|hij[oa]|mam[aá]|pap[aá]|novi[oa]|pareja|suegr[oa]"
    r"|señora|senora|marido|mujer|tí[oa]|ti[oa]|prim[oa])\s*,?\s*(?:que se llama\s+)?",
    re.IGNORECASE,
)
# A name ends at punctuation, a digit or a word that starts another part of the message.
_NAME_END = re.compile(
    r"[\d,.;:!?¿¡()/\n@#]|\s+(?:y|e|pero|mi|tel|telefono|teléfono|cel|celular|numero|número|"
    r"whats|whatsapp|busco|quiero|ando|necesito|me|para|con|por|porque|que|q|ocupo|tengo|"
    r"traigo|estoy|vivo|desde)\b",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ'\-]+")


def _name_words(candidate: str) -> list[str]:
    """The leading words of ``candidate`` that can be a person's name (at most four)."""
    words: list[str] = []
    for word in candidate.split()[:4]:
        key = fold(word)
        if not _NAME_WORD.fullmatch(word) or key in lexicon.NOT_NAMES:
            break
        ordinary = key in lexicon.frequent_words() and key not in lexicon.GIVEN_NAMES
        surname = bool(words) and key.endswith("ez")  # "hernandez", "lopez", "perez"
        if ordinary and not surname and not word[:1].isupper():
            break
        words.append(word)
    return words


def parse_name(text: str, *, expecting: bool = False) -> str | None:
    """A person's name from "me llamo Ana López", "soy Fernanda, busco…" or, when asked for it,
    the answer itself ("Roberto Díaz, 81 2345 6789"). "soy de León" or "soy nuevo" are not names:
    after "soy", an ordinary Spanish word counts only as a given name ("soy Rosa") or written
    with a capital."""
    cleaned = text.strip().strip(".!¡¿?,")
    if re.search(r"\bno (?:me (?:ll|y)amo|soy)\b", cleaned, re.IGNORECASE):
        return None  # "no me llamo Rosa", "no soy Juan"
    m = _NAMED.search(cleaned)
    if m:
        # "a nombre de mi esposa, Laura Díaz": the relative's name, not "mi esposa".
        candidate = _RELATIVE.sub("", m.group("rest"))
    elif expecting:
        candidate = _NAME_PREFIX.sub("", cleaned)
    else:
        return None
    candidate = _NAME_END.split(candidate, maxsplit=1)[0].strip()
    if not candidate or len(candidate) > 60:
        return None
    words = _name_words(candidate)
    if not words:
        return None
    return " ".join(w[:1].upper() + w[1:] for w in words)
