"""Read the whole customer message before deciding anything (NLU before policy).

``understand`` turns one message into a :class:`Reading`: every slot the message states (need,
seats, budget, monthly cap, down payment, term, cash, option choice, name, phone, contact time),
each decided by its cue words ("enganche", "al mes", "meses", "de contado"), and every intent it
carries (a question about Kavak or about a car shown, small talk, a refusal, a request for a
person, an appointment). The pending question only breaks ties between readings of a bare
number; a number no cue and no pending question explains is left *unplaced*, to be confirmed.

Pure: the catalogue and knowledge ports are read (never written), the clock comes in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from conversations.engine import lexicon, parsing
from conversations.engine.parsing import fold
from conversations.engine.ports import Branch, CarCatalog, KnowledgeBase, NeedMatch
from conversations.engine.state import Action, CarOption, ConversationState

_MAX_MONEY = Decimal("20000000")
_MIN_PRICE = Decimal("10000")


# --- the reading -----------------------------------------------------------------------------
@dataclass(frozen=True)
class CarQuestion:
    """A question about the cars shown: which one (None: all shown, or the chosen one)."""

    fields: tuple[str, ...]
    index: int | None = None
    rank: str | None = None  # "cual es el más nuevo?": answer with the car, do not choose it


@dataclass(frozen=True)
class Reading:
    text: str
    folded: str
    # need
    need: NeedMatch = field(default_factory=NeedMatch)
    open_need: bool = False
    seats: int | None = None
    year_min: int | None = None
    km_max: int | None = None
    cheaper: bool = False  # "están muy caras": cheaper options
    fuel: str | None = None  # electric / hybrid / diesel asked about (not in the catalogue data)
    # money, each from its own cue
    budget_max: Decimal | None = None
    budget_min: Decimal | None = None
    monthly: Decimal | None = None
    down_amount: Decimal | None = None
    down_ratio: Decimal | None = None
    down_minimum: bool = False
    down_none: bool = False
    cash: bool = False
    term: parsing.Term | None = None
    unplaced: Decimal | None = None  # a bare number to confirm ("72": months or thousands?)
    unplaced_roles: tuple[str, ...] = ()
    # the options shown
    choice: int | None = None
    choice_among: tuple[int, ...] = ()  # "el del 2018" when two shown are 2018: ask which
    show_again: bool = False
    other_options: bool = False
    car_question: CarQuestion | None = None
    # contact
    name: str | None = None
    phone: str | None = None
    contact_at: datetime | None = None
    contact_text: str | None = None
    branches: tuple[Branch, ...] = ()  # the branches of a city named in the message
    refuses_phone: bool = False
    # intents
    question: bool = False
    rule_question: str | None = None  # "¿qué plazos manejan?": terms, rate or min_down
    kavak_question: bool = False
    kavak_topic: bool = False  # names something the articles cover (garantía, sucursal…)
    off_topic: bool = False
    greeting: bool = False
    thanks: bool = False
    yes: bool = False
    no: bool = False
    only_yes: bool = False
    only_no: bool = False
    small_talk: bool = False
    human: bool = False
    reset: bool = False
    adversarial: bool = False
    discount: bool = False
    appointment: bool = False
    callback: bool = False
    decline: bool = False
    think_later: bool = False
    financing_interest: bool = False
    excluded_makes: tuple[str, ...] = ()  # "que no sea nissan"
    own_car: str | None = None  # "es un vento 2016" after asking how to sell or trade in
    total_asked: bool = False  # "¿cuánto pagaría en total?"
    bot_identity: bool = False  # "¿eres un robot?"
    frustrated: bool = False  # "ya me tienen harto, nadie me contesta"
    price_asked: bool = False  # "¿cuánto cuesta el jetta?", "¿en cuánto lo tienen?"
    monthly_asked: bool = False  # "¿cuánto sería mensual?", "¿cuánto pagaría al mes?"
    fuzzy: bool = False  # the need was only fuzzily matched (the LLM may double-check)

    @property
    def has_need(self) -> bool:
        return bool(self.need.found or self.open_need or self.seats or self.year_min or self.km_max)

    @property
    def has_money(self) -> bool:
        return any(
            v is not None
            for v in (
                self.budget_max,
                self.monthly,
                self.down_amount,
                self.down_ratio,
                self.term,
                self.unplaced,
            )
        ) or (self.down_minimum or self.down_none or self.cash)

    @property
    def has_contact(self) -> bool:
        return bool(self.name or self.phone or self.contact_at or self.contact_text)


# --- helpers --------------------------------------------------------------------------------------
def _alternation(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{'|'.join(f'(?:{p})' for p in patterns)})(?!\w)")


def _has(folded: str, pattern: re.Pattern[str]) -> bool:
    return pattern.search(folded) is not None


_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_EMOJI_ONLY = re.compile(r"^[\W_]*$", re.UNICODE)


@lru_cache(maxsize=1024)
def _bare(folded: str) -> str:
    """Folded text without punctuation or emoji, for whole-message comparisons."""
    return " ".join(_PUNCT.sub(" ", folded).split())


@lru_cache(maxsize=16)
def _only_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"(?:(?:{'|'.join(words)})\s*)+")


def _only(folded: str, words: tuple[str, ...], fillers: tuple[str, ...] = ()) -> bool:
    """Whether the message is made only of these words (and fillers), nothing else."""
    text = _bare(folded)
    if not text:
        return False
    return _only_pattern((*words, *fillers)).fullmatch(text) is not None


_DOWN = _alternation(lexicon.DOWN_CUES)
_GIVE = _alternation(lexicon.GIVE_CUES)
_MONTHLY = _alternation(lexicon.MONTHLY_CUES)
_PRICE = _alternation(lexicon.PRICE_CUES)
_PRICE_STRONG = _alternation(lexicon.PRICE_CUES[:14])  # presupuesto … hasta: not "tengo", "con"
_RATE = _alternation(lexicon.RATE_WORDS)
_CALLBACK = _alternation(lexicon.CALLBACK)
_APPOINTMENT = _alternation(lexicon.APPOINTMENT)
_THINK = _alternation(lexicon.THINK_LATER)
_DECLINE = _alternation(lexicon.DECLINE)
_FINANCING = _alternation(lexicon.FINANCING_INTEREST)
_BOT_IDENTITY = _alternation(lexicon.BOT_IDENTITY)
_FRUSTRATED = _alternation(lexicon.FRUSTRATED)
_SHOW_AGAIN = _alternation(lexicon.SHOW_AGAIN)
_REFUSE_PHONE = _alternation(lexicon.REFUSE_PHONE)
_OFF_TOPIC = _alternation(lexicon.OFF_TOPIC_HINTS)
_RULES = {topic: _alternation(words) for topic, words in lexicon.RULE_TOPICS.items()}
_WISH = re.compile(
    r"^[¡!\s]*(?:que|q)\s+(?:me|te|se|le|les|lo|la|nos|sea|sean|tenga|tengan|este|no|mejor)\b"
)
_YEAR = re.compile(r"(?<!\d)(19[89]\d|20[0-3]\d)(?!\d)")
_FUELS = {fuel: _alternation(words) for fuel, words in lexicon.FUEL_WORDS.items()}
_KAVAK_TOPIC = re.compile(
    r"\b(?:kavak|vend\w*|garant\w*|sucursal\w*|sede\w*|prueba|devol\w*|regres\w*|document\w*|"
    r"papeles|requisit\w*|credito|financ\w*|app|aplicacion|certific\w*|inspecc\w*|a cuenta|"
    r"seguro\w*|tramite\w*|ubicad\w*|direccion\w*|horario\w*|confiable|entrega\w*|domicilio|"
    r"cotiz\w*|mantenimiento|servicio\w*|placas|factura)\b"
)
_OWN_CAR = re.compile(
    r"\b(?:mis?|nuestr[oa]s?)\s+(?:carro|auto|coche|camioneta|troca|vehiculo|nave|carcacha|camion)"
    r"\w*(?:\s+(?:viej\w*|actual|usad\w*|de ahorita|\d{4}))?"
)
# The car the customer has, named by its model, when they say they want to change, sell or trade
# it: "tengo un aveo 2015 y lo quiero cambiar por una suv", "traigo una versa que quiero vender".
_OWN_NAMED = re.compile(
    r"\b(?:tengo|traigo|manejo)\s+(?:un|una)\s+\w+(?:\s+(?!(?:y|que|q|pero|para|pa)\b)\w+)?"
    r"(?=.*\b(?:cambi\w*|vend\w*|a cuenta|enganche|entreg\w*)\b)"
)
_TIME_HINT = re.compile(
    r"\b(?:manana|hoy|lunes|martes|miercoles|jueves|viernes|sabado|domingo|semana|las|la|tarde|"
    r"noche|temprano|mediodia|am|pm|hrs)\b|\d:\d"
)
_BOOKING_STEPS = (
    Action.OFFER_APPOINTMENT,
    Action.ASK_NAME,
    Action.ASK_PHONE,
    Action.ASK_CONTACT_TIME,
)
# A message that may name a place ("en Monterrey", "mejor la de Polanco", "sucursal Santa Fe").
_PLACE_WORD = re.compile(
    r"\ben (?!(?:la|el|los|las|lo|un|una|que|cuanto|breve|cuanto|efectivo|linea)\b)\w{3,}"
    r"|\b(?:la de|el de|sucursal\w*|cerca de|agencia|tienda)\b"
)
_WANTS = _alternation((r"tienen", r"tienes", r"hay", r"quiero", r"busco", r"manejan", r"venden"))
_CLAUSE_BREAK = re.compile(r"[,;!?¿¡\n]|\.(?!\d)|\s(?:y|pero|aunque|e|o sea)\s")
_PERCENT = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*(?:%|por ?ciento|porciento)")
_HALF = re.compile(r"\b(?:la )?mitad\b")
# The least down payment allowed, however it is said: "el mínimo", "con el enganche mínimo", "lo
# menos que se pueda", "lo más bajo posible".
_MINIMUM = re.compile(
    r"\b(?:el|lo|la) (?:minim[oa]|menos posible|mas baj[oa])\b|\benganche minimo\b"
    r"|\blo menos (?:que (?:se )?(?:pueda|puedo|puede|se pueda)|posible)\b|^(?:minimo|lo menos)$"
)
_NO_DOWN = re.compile(r"\b(?:sin|nada de|cero|0)\s+(?:de\s+)?enganche\b")
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
_SEATS = re.compile(
    r"\b(?:(?:para|de)\s+)?(\d{1,2})\s*(?:pasajeros|personas|asientos|plazas|lugares|gentes?)\b"
    r"|\bsomos\s+(\d{1,2})\b|\bfamilia de\s+(\d{1,2})\b"
)
_THIRD_ROW = re.compile(r"\b(?:tercera fila|3 filas|tres filas|3a fila)\b")
_YEAR_MIN = re.compile(
    r"\b(?:del |de |modelo |minimo |min )?(20[0-3]\d|19[89]\d)\s*(?:para arriba|pa arriba|"
    r"en adelante|o mas nuevo|o mas reciente|o mayor|o superior|hacia arriba|minimo|\+)"
    r"|\b(?:minimo|no menor a|no mas viejo que|desde el?|a partir del?)\s*(?:modelo\s*)?"
    r"(20[0-3]\d|19[89]\d)\b"
)
_KM_MAX = re.compile(
    r"\b(?:menos de|maximo|max|no mas de|hasta|debajo de los?)\s*(\d{1,3}(?:[,.]\d{3})*|\d+)\s*"
    r"(mil|k)?\s*(?:km|kms|kilometros|kilometraje)\b"
)
# "poco kilometraje", "pocos km", "casi nuevo": a car under this many km (each option shows its
# km; the customer can say another limit).
LOW_KM_MAX = 50_000
_LOW_KM = re.compile(
    r"\b(?:poco|pocos|bajo|baj[oa] de) (?:kilometraje|km|kms|kilometros|recorrido|uso)\b"
    r"|\bcasi nuevo\b|\bcon (?:muy )?poco uso\b"
)
# A price asked for: "¿cuánto cuesta?", "¿en cuánto lo tienen?", "precio del versa", "¿qué precio
# tiene?". Not a budget ("cuesta mucho" is no question about a price).
_PRICE_ASKED = re.compile(
    r"\b(?:cuanto|cuanta|q|que|en cuanto|a como)\s+(?:me\s+)?"
    r"(?:cuesta\w*|cuestan|sale|salen|vale|valen|esta|estan|lo dan|la dan|lo tienen|la tienen"
    r"|los tienen|las tienen|lo venden|la venden"
    r"|precio\w*|costo\w*)\b"
    r"|^(?:y\s+)?(?:el\s+)?(?:precio|precios|costo)\b"
    r"|\b(?:precio|costo)s?\s+(?:del?|de la|de los)\b"
    r"|\ben cuanto\b"
    # "vi un cx5 en su página, ¿sigue disponible?": the car itself is asked for.
    r"|\b(?:sigue|siguen|esta|estan) disponibles?\b|\b(?:todavia|aun) (?:lo|la|los|las) tienen\b"
)
# The monthly payment asked for, with no amount: "¿cuánto sería mensual?", "¿de cuánto son las
# mensualidades?", "¿cuánto pagaría al mes?".
_MONTHLY_ASKED = re.compile(
    r"\b(?:cuanto|cuanta|de cuanto|q|que)\b.*\b(?:mensual\w*|al mes|por mes|x mes|cada mes)\b"
    r"|\b(?:mensualidad\w*|mensual)\b.*\?"
)
_CHEAPER = re.compile(
    r"\b(?:muy|bien|algo|demasiado|medio)?\s*car[oa]s?\b(?!\s+(?:de|del|para))|\bmas barat\w*"
    r"|\bmas econom\w*|\bmenos car\w*|\bse me hace caro\b|\bfuera de mi presupuesto\b"
)


def _clause(prepared: str, start: int, end: int) -> tuple[str, int]:
    """The clause around ``prepared[start:end]`` and the offset where the clause starts."""
    left = 0
    for m in _CLAUSE_BREAK.finditer(prepared, 0, start):
        left = m.end()
    m = _CLAUSE_BREAK.search(prepared, end)
    right = m.start() if m else len(prepared)
    return prepared[left:right], left


def _nearest(pattern: re.Pattern[str], clause: str, start: int, end: int) -> int | None:
    """Distance from the number (at ``start:end`` of the clause) to the nearest cue, if any."""
    best = None
    for m in pattern.finditer(clause):
        if m.end() <= start:
            distance = start - m.end()
        elif m.start() >= end:
            distance = m.start() - end
        else:
            continue
        best = distance if best is None else min(best, distance)
    return best


def _role(clause: str, start: int, end: int, *, car_chosen: bool) -> str:
    """What the cue words around a number make it: monthly, down, price, or "" (no cue)."""
    return _cue_role(clause, start, end, car_chosen=car_chosen)


def _cue_role(clause: str, start: int, end: int, *, car_chosen: bool) -> str:
    """What the cue words around a number make it: monthly, down, price, or "" (no cue)."""
    strong = [
        (d, role)
        for role, pattern in (("monthly", _MONTHLY), ("down", _DOWN), ("price", _PRICE_STRONG))
        if (d := _nearest(pattern, clause, start, end)) is not None
    ]
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


# A make the customer does not want: "que no sea nissan", "ninguno de chevrolet", "nada de
# kia", "excepto ford", "no quiero un vw". The words after the negation are matched as a car.
_NEGATED_CAR = re.compile(
    r"\b(?:(?:que )?no (?:sea|sean|quiero|me gusta\w*|me late\w*)|ningun[oa]?s?(?: de)?|nada de"
    r"|excepto|menos|fuera de|sin)\s+(?:(?:un|una|los|las|el|la|de|del)\s+)?(\w+(?:[ -]\w+)?)"
)
_SELL_CONTEXT = re.compile(
    r"\b(?:vend\w*|a cuenta|cambi\w*|mi (?:carro|auto|coche|camioneta)|tomen|reciben|compran"
    r"|me dan por|cotiz\w*)\b"
)
_OWN_DESCRIBED = re.compile(
    r"^\s*(?:(?:pues|bueno|ok|si|mira|este|ah)\s+)*"
    r"(?:es|era|seria|tengo|traigo|el mio es|la mia es|mi (?:carro|auto|coche) es)\s+(?:un|una)\b"
)
_DISLIKED = re.compile(
    r"\b(?:muy|bien|demasiado|algo|medio)\s+car[oa]\b"
    r"|\bno me (?:gusta|gusto|late|convence|convencio)\b"
    r"|\b(?:otr[oa]s?|alguno|alguna)\s+(?:parecid[oa]s?|similar\w*|igual\w*|como es[ae])\b"
)
_WANTS_IT = re.compile(
    r"^(?:(?:si|ok|va|sale|pues|bueno|ya)\s+)*(?:lo|la) quiero\b|\bme (?:lo|la) llevo\b"
    r"|\b(?:lo|la) compro\b"
)
_CAPITALISED_NAME = re.compile(r"^[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+(?:\s+[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+){1,3}$")
_UNSURE_DOWN = re.compile(
    r"\bno se (?:cuanto|que|si)\b.*\benganche\b|\benganche\b.*\bno se\b"
    r"|\bcuanto (?:me )?(?:recomienda\w*|sugiere\w*|conviene) (?:dar|poner|de enganche)\b"
)
# English words Mexican customers mix in ("down payment 50k", "the first one", "call me"), read
# as the Spanish the rules know. Only these phrases; the rest of the message is left as written.
_SPANGLISH = tuple(
    (re.compile(rf"(?<!\w){english}(?!\w)", re.IGNORECASE), spanish)
    for english, spanish in (
        (r"down ?payment", "enganche"),
        (r"(?:the )?first one", "el primero"),
        (r"(?:the )?second one", "el segundo"),
        (r"(?:the )?third one", "el tercero"),
        (r"(?:the )?last one", "el ultimo"),
        (r"call me", "llamame"),
        (r"per month|a month|monthly", "al mes"),
        (r"months?", "meses"),
        (r"years?", "anos"),
        (r"cash", "de contado"),
    )
)


_SPANGLISH_HINTS = ("down", "one", "call", "month", "year", "cash")


def _spanglish(text: str) -> str:
    lowered = text.lower()
    if not any(word in lowered for word in _SPANGLISH_HINTS):
        return text
    for pattern, spanish in _SPANGLISH:
        text = pattern.sub(spanish, text)
    return text


_OWN_DESCRIBED_LATER = re.compile(
    r"(?:^|[,.;!?]\s*)(?:y\s+)?(?:es|era|seria)\s+(?:un|una)\s+"
    r"(?!(?:suv|sedan|camioneta|pickup|hatchback)\b)"
)
_TOTAL_ASKED = re.compile(
    r"\b(?:en total|total pagad\w*|costo total|pago total|cuanto (?:pagaria|pago|seria|saldria) "
    r"(?:en total|al final|todo)|cuanto (?:me )?sale (?:en total|al final|todo))\b"
)
_ASKS_FOR = re.compile(r"\b(?:tienes|tienen|tiene|hay|habra|tendras|tendran|manejan|venden)\s+$")
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


# --- money -------------------------------------------------------------------------------------
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


def _read_money(
    text: str,
    *,
    pending: Action,
    chosen: CarOption | None,
    terms: tuple[int, ...],
    names_car: bool,
    term_found: bool,
) -> _Money:
    prepared = parsing.prepare_money_text(text)
    money = _Money()
    expecting_down = pending == Action.ASK_DOWN_PAYMENT
    down_context = expecting_down or _has(prepared, _DOWN)
    for m in _PERCENT.finditer(prepared):
        clause, offset = _clause(prepared, m.start(), m.end())
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
    taken: list[tuple[int, int]] = []
    asks_monthly = _MONTHLY_ASKED.search(prepared) is not None
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
    for amount in parsing.find_amounts(text):
        if any(a <= amount.start < b for a, b in taken):
            continue
        if (
            not amount.explicit
            and amount.value < 20
            and _OPTION_REF.search(prepared[: amount.start])
        ):
            continue  # "por el 1", "la 2": an option, not money
        if (
            term_found
            and not amount.explicit
            and int(amount.value) in terms
            and _TERM_BEFORE.search(prepared[: amount.start])
        ):
            continue  # "100 mil de enganche a 48": the term read "a 48", it is no money
        clause, offset = _clause(prepared, amount.start, amount.end)
        role = _role(
            clause,
            amount.start - offset,
            amount.end - offset,
            car_chosen=chosen is not None and not names_car,
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
        value = amount.value
        if role == "monthly":
            value = value * 1000 if not amount.explicit and value < 100 else value
            if Decimal(500) <= value <= Decimal(200_000):
                money.monthly = value
            continue
        if role == "down":
            value = value * 1000 if not amount.explicit and value < 1000 else value
            if Decimal(1000) <= value <= _MAX_MONEY:
                money.down_amount = value
            continue
        if role == "price" or (not role and amount.explicit and chosen is None):
            if role == "" and expecting_down:
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
        )
    return money


def _place_bare(
    money: _Money,
    amount: parsing.Amount,
    *,
    pending: Action,
    chosen: CarOption | None,
    terms: tuple[int, ...],
    names_car: bool,
    term_found: bool,
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
    if pending == Action.ASK_BUDGET or names_car:
        money.budget_max, money.budget_min = thousands, None
        return
    if value >= 100:
        money.unplaced, money.unplaced_roles = thousands, ("price",)


# --- options -------------------------------------------------------------------------------------
_ORDINAL_WORDS = {
    # Ordinals as they are typed: "primer", "primero", "primeo"; "segundo", "segumdo", "segunfo";
    # "tercero", "tersero", "terser", "terzera", "tecero".
    0: (
        r"pr[iy]m[ea]?r[oa]?",
        r"primeo",
        r"1ro",
        r"1er[oa]?",
        r"1ra",
        r"1o",
        r"1a",
        r"(?:el|opcion) uno",
    ),
    1: (r"seg[uo][nm]?[dfst][oa]", r"2do", r"2da", r"2o", r"2a", r"(?:el|la|opcion) dos"),
    2: (
        r"te?r?[csxz]er[oa]?",
        r"tersr[oa]",
        r"3ro",
        r"3er[oa]?",
        r"3ra",
        r"3o",
        r"3a",
        r"(?:el|la|opcion) tres",
    ),
}
_ORDINAL_PATTERNS = {index: _alternation(words) for index, words in _ORDINAL_WORDS.items()}
_NOT_ORDINAL_AFTER = re.compile(r"^\s*(?:fila|vez|mano|dueno|duena|persona)\b")
_ARTICLE_DIGIT = re.compile(
    r"\b(?:el|la|lo|los|las|del|de la|al|a la|opcion|opc|numero|num|no\.?|#|auto|carro|coche)"
    r"\s*#?\s*([1-9])\b(?!\s*(?:mil|k|%|por|meses|mes|anos|ano|personas|pasajeros)\b)(?![.,]\d)"
)
_BARE_DIGIT = re.compile(
    r"^(?:(?:ok|va|sale|ya|pues|bueno|si)\s+)?([1-9])(?:\s+(?:porfa|por favor|plis|pls))?$"
)
_NUMBER_WORD = {"uno": 0, "una": 0, "dos": 1, "tres": 2}
_RANKS = {
    "newest": (r"mas nuevo", r"mas nueva", r"mas reciente", r"mas actual"),
    "cheapest": (
        r"mas barato", r"mas barata", r"mas economico", r"mas economica", r"menor precio",
        r"mas accesible",
    ),
    "lowest_km": (r"menos (?:km|kilometros|kilometraje|recorrido|kms)",),
    "priciest": (r"mas caro", r"mas cara"),
}  # fmt: skip
_RANK_PATTERNS = {rank: _alternation(words) for rank, words in _RANKS.items()}
# As a choice, a rank follows its article: "el más nuevo", "la más barata", "el de menos km";
# "¿lo cambian por uno más nuevo?" chooses nothing.
_RANK_CHOICES = {
    rank: _alternation(
        tuple(
            rf"(?:el|la|ese|esa|este|esta)\s+(?:de\s+|con\s+|que (?:sea|este|tenga|tiene)\s+)?{w}"
            for w in words
        )
    )
    for rank, words in _RANKS.items()
}
_LAST = _alternation((r"el ultimo", r"la ultima", r"ultimo", r"ultima"))
_ANY_ONE = re.compile(
    r"^(?:(?:pues|ok|va|no se|bueno)\s+)*(?:cualquiera|cualquier[ao]?|(?:el|la) que sea"
    r"|(?:el|la) que (?:me )?(?:recomiendes|recomiendas|sugieras|digas)|tu (?:escoge|elige|dime)"
    r"|escoge tu|elige tu|(?:el|la) que tu (?:digas|quieras))$"
)
_NOT_THIS = _alternation((r"no", r"otra", r"otro", r"ninguna", r"ninguno", r"pero"))
_THIS_ONE = _alternation((r"ese", r"esa", r"este", r"esta", r"ese mero", r"esa mera", r"ese carro"))


def _rank_index(rank: str, options: tuple[CarOption, ...]) -> int:
    def key(i: int) -> tuple[object, ...]:
        car = options[i]
        if rank == "newest":
            return (-car.year, car.km, car.price)
        if rank == "cheapest":
            return (car.price, -car.year)
        if rank == "lowest_km":
            return (car.km, -car.year)
        return (-car.price, -car.year)

    return min(range(len(options)), key=key)


def _option_index(
    folded: str, options: tuple[CarOption, ...], *, loose: bool, focus: int | None = None
) -> int | None:
    """Which option the text points at: stock id, "el 2", "la segunda", "el último", a model
    name unique among the options, "el más nuevo"; ``loose`` adds "2" and "ese" alone (the only
    option, or the one just asked about: ``focus``)."""
    n = len(options)
    for i, car in enumerate(options):
        if re.search(rf"(?<!\d){re.escape(car.stock_id)}(?!\d)", folded):
            return i
    m = _ARTICLE_DIGIT.search(folded)
    if m and 1 <= int(m.group(1)) <= n:
        return int(m.group(1)) - 1
    for index, pattern in _ORDINAL_PATTERNS.items():
        for found in pattern.finditer(folded):
            if index < n and not _NOT_ORDINAL_AFTER.match(folded[found.end() :]):
                return index
    if _has(folded, _LAST):
        return n - 1
    for rank, pattern in _RANK_CHOICES.items():
        if _has(folded, pattern):
            return _rank_index(rank, options)
    models = _same_model(folded, options)
    if len(models) == 1:
        return models[0]
    makes = [i for i, car in enumerate(options) if _names(folded, car.make)]
    if len(makes) == 1:
        return makes[0]
    if loose:
        bare = _bare(folded)
        m2 = _BARE_DIGIT.match(bare)
        if m2 and 1 <= int(m2.group(1)) <= n:
            return int(m2.group(1)) - 1
        if bare in _NUMBER_WORD and _NUMBER_WORD[bare] < n:
            return _NUMBER_WORD[bare]
        if _ANY_ONE.match(bare):
            return 0  # "cualquiera", "la que me recomiendes": the best fit, shown first
        this_one = _has(folded, _THIS_ONE) or bare in ("la quiero", "lo quiero")
        if n == 1 and this_one:
            return 0
        if focus is not None and focus < n and this_one and not _has(folded, _NOT_THIS):
            return focus
    return None


def _same_model(folded: str, options: tuple[CarOption, ...]) -> list[int]:
    """The options of the one model the text names ("una cx5": both CX-5 shown)."""
    models = [i for i, car in enumerate(options) if _names(folded, car.model)]
    return models if len({fold(options[i].model) for i in models}) == 1 else []


def _names(folded: str, name: str) -> bool:
    key = fold(name)
    if not key:
        return False
    compact = re.sub(r"[^a-z0-9]", "", key)
    if key not in folded and compact not in folded:
        return False  # the common case, without a regular expression
    if re.search(rf"(?<!\w){re.escape(key)}(?!\w)", folded):
        return True
    return (
        len(compact) >= 3 and re.search(rf"(?<!\w){re.escape(compact)}(?!\w)", folded) is not None
    )


# --- questions about the cars shown --------------------------------------------------------------
_FIELDS = {
    "km": (r"km", r"kms", r"kilometr\w*", r"recorrido", r"millaje", r"millas", r"rodado"),
    "year": (
        r"ano", r"anio", r"de que modelo", r"que modelo es", r"modelo es", r"que tan nuevo",
        r"antiguedad",
    ),
    "transmission": (
        r"automatic\w*", r"estandar", r"manual", r"transmision", r"de velocidades", r"caja",
    ),
    "price": (r"precio", r"cuesta", r"cuestan", r"cuanto vale", r"cuanto sale", r"en cuanto",
              r"cuanto es", r"cuanto(?=\W*$)"),
    "version": (r"version", r"motor", r"equipamiento", r"equipado", r"que trae", r"cilindros"),
    "seats": (r"pasajeros", r"asientos", r"plazas", r"lugares", r"cuantas personas", r"filas"),
    "carplay": (r"carplay", r"car play", r"android auto", r"apple car\w*"),
    "bluetooth": (r"bluetooth", r"blutu\w*", r"bluetu\w*"),
    "color": (r"color", r"colores"),
    "fuel": (r"gasolina", r"diesel", r"hibrido", r"electrico"),
    "owners": (r"duenos", r"dueno", r"choques", r"chocado", r"factura", r"historial"),
    "location": (
        r"en que sucursal", r"donde esta", r"donde se encuentra", r"donde lo tienen",
        r"donde la tienen", r"en que ciudad esta", r"donde lo puedo ver", r"donde la puedo ver",
    ),
    "photos": (r"fotos?", r"fotografias?", r"imagen\w*", r"videos?", r"verlo en foto"),
    # Equipment the catalogue does not list: answered honestly, never taken for a choice.
    "equipment": (
        r"camara\w*", r"sensor\w*", r"quemacocos", r"techo panoramico", r"pantalla\w*",
        r"navegador", r"gps", r"aire acondicionado", r"clima", r"rines", r"asientos de piel",
        r"vestiduras", r"piel", r"llave inteligente", r"arranque por boton", r"bolsas de aire",
        r"frenos abs", r"control crucero", r"crucero",
    ),
    # Fuel economy: the catalogue has no consumption figures (answered honestly).
    "consumption": (
        r"gasta\w*", r"consum\w*", r"rinde", r"rinden", r"rendimiento", r"rendidor\w*",
        r"km por litro", r"kilometros por litro", r"gasolina que gasta",
    ),
    # "las características de la opción 2": every fact the catalogue has.
    "details": (
        r"caracteristicas", r"detalles", r"especificaciones", r"ficha tecnica", r"ficha",
        r"mas informacion", r"mas info", r"info de", r"informacion de",
    ),
    "available": (
        r"disponible", r"sigue", r"siguen", r"todavia lo tienen", r"todavia la tienen",
        r"ya se vendio", r"lo tienen", r"la tienen", r"esta apartado", r"lo apartan",
    ),
}  # fmt: skip
_FIELD_PATTERNS = {name: _alternation(words) for name, words in _FIELDS.items()}
_CAR_PRONOUN = re.compile(
    r"\b(?:opcion|opciones|ese|esa|esos|esas|del (?:primero|segundo|tercero|ultimo))\b"
)
_DETAIL_FIELDS = ("price", "year", "km", "transmission", "version")
# What the catalogue cannot search by: its equipment and colour questions, and colour names.
_NOT_SEARCHABLE = _alternation(
    (
        *_FIELDS["equipment"], *_FIELDS["color"], r"roj[oa]", r"negr[oa]", r"blanc[oa]", r"gris",
        r"azul", r"plata",
    )
)  # fmt: skip


def names_unsearchable_detail(folded: str) -> bool:
    """A colour or a piece of equipment ("rojo con pantalla"): an advisor confirms those."""
    return _has(folded, _NOT_SEARCHABLE)


_QUESTION_WORD = re.compile(
    r"^(?:y\s+)?(?:cuanto|cuantos|cuanta|cuantas|que|q|k|cual|cuales|es|son|tiene|tienen|trae|"
    r"traen|de que|me dices|dime|sabes|como|esta|viene|tienes|hay)\b"
)
_INTERROGATIVE = re.compile(r"\b(?:de que|que tal|cuantos|cuantas|cuanto|cual|cuales|como es)\b")
_KB_TOPICS = _alternation(
    (
        r"prueba", r"garantia", r"devolver", r"devolucion", r"documentos", r"papeles",
        r"sucursal\w*", r"vender", r"venta de mi", r"a cuenta", r"seguro", r"tramite\w*", r"app",
        r"certific\w*", r"inspeccion", r"kavak", r"ustedes", r"manejar en",
    )
)  # fmt: skip


_COMPARE = re.compile(
    r"\b(?:diferencia\w*|compar\w*|cual (?:es|sale|esta|me conviene) (?:mejor|mas)|que tiene de"
    r" (?:diferente|mejor)|en que se (?:diferencian|parecen)|versus|vs)\b"
)
_COMPARED_FIELDS = ("price", "year", "km", "transmission")
# Which of the options shown is best for the customer: answered with the options side by side.
_RECOMMEND = re.compile(
    r"\bcual(?:es)?\b.*\b(?:me conviene\w*|conviene\w*|recomienda\w*|recomendarias|es mejor"
    r"|sale mejor|mejor opcion|elegirias|escogerias|agarrarias|te late mas|seria mejor"
    r"|mas segur[oa]|mas confiable|mas rendidor\w*|mas buen[oa]|vale mas la pena)\b"
    r"|\bque me recomienda\w*\b|\bcual (?:me )?recomienda\w*\b"
)
# "de esos", "de las opciones": the question is about the options shown (a long message about
# choosing a car in general, "¿alguien me asesora? no sé cuál me conviene", is for the articles).
_OF_THESE = re.compile(
    r"\b(?:de|entre) (?:esos|esas|estos|estas|ellos|ellas|las opciones|los \d)\b"
)
_ADVISOR = re.compile(r"\b(?:asesor\w*|asesorar\w*|ayud\w*)\b")
_SAFETY = re.compile(r"\b(?:segur[oa]s?|seguridad|bolsas? de aire|frenos|confiable)\b")
# ...of the options shown ("entre el 1 y el 2", "entre estos", "las dos"), not of buying here or
# elsewhere ("¿qué diferencia hay entre una agencia y ustedes?") nor "pagando la diferencia".
_COMPARED = re.compile(
    r"\b(?:el|la)\s+(?:[1-9]|uno|dos|tres|primer[oa]?|segund[oa]|tercer[oa]?)\b.*"
    r"\b(?:y|o|vs|contra)\s+(?:el|la)\s+(?:[1-9]|uno|dos|tres|primer[oa]?|segund[oa]|tercer[oa]?)\b"
    r"|\b(?:entre|de)\s+(?:ellos|ellas|estos|estas|esos|esas|las opciones|los autos que)\b"
    r"|\b(?:los|las)\s+(?:dos|tres)\b"
)


def _car_question(
    folded: str, options: tuple[CarOption, ...], chosen: CarOption | None, question: bool
) -> CarQuestion | None:
    bare = _bare(folded)
    asks = (
        question
        or _QUESTION_WORD.match(bare) is not None
        or _INTERROGATIVE.search(bare) is not None  # "y el 2 de qué año es"
    )
    if not asks or not (options or chosen):
        return None
    fields = tuple(name for name, pattern in _FIELD_PATTERNS.items() if _has(folded, pattern))
    if "details" in fields:
        rest = tuple(f for f in fields if f != "details")
        about_car = _option_index(folded, options, loose=False) is not None or _CAR_PRONOUN.search(
            folded
        )
        # "las características de la opción 2"; "más información del trámite" is no car question.
        fields = (
            (*_DETAIL_FIELDS, *(f for f in rest if f not in _DETAIL_FIELDS)) if about_car else rest
        )
    if options and _COMPARE.search(folded) and _COMPARED.search(folded):
        # "¿qué diferencia hay entre el 1 y el 2?": the options side by side, never a choice.
        return CarQuestion(fields=fields or _COMPARED_FIELDS, index=None)
    index = _option_index(folded, options, loose=False) if options else None
    if (
        options
        and len(options) > 1
        and index is None
        and _RECOMMEND.search(folded)
        and (_COMPARED.search(folded) or _OF_THESE.search(folded) or len(folded.split()) <= 7)
        and not _ADVISOR.search(folded)
    ):
        # "¿cuál me conviene más?", "¿cuál es el más seguro de esos?": the options side by side
        # from the catalogue data; what the catalogue lacks (safety) is said, never invented.
        extra = ("equipment",) if _SAFETY.search(folded) else ()
        return CarQuestion(fields=(*(fields or _COMPARED_FIELDS), *extra), index=None)
    rank = next((r for r, p in _RANK_PATTERNS.items() if _has(folded, p)), None)
    if rank and options and not fields and re.search(r"\bcual\b", folded):
        return CarQuestion(fields=(), index=_rank_index(rank, options), rank=rank)
    if not fields:
        return None
    if fields == ("seats",) and index is None and _seats(folded) is not None:
        return None  # "¿y de 5 pasajeros qué tengas?": a new search, not a question about these
    if index is None and (_has(folded, _KB_TOPICS) or _KAVAK_TOPIC.search(folded)):
        return None  # "¿cuántos km puedo manejar en la prueba?" is about Kavak
    if rank:
        index = None
    return CarQuestion(fields=fields, index=index)


# --- the entry point ------------------------------------------------------------------------------
def understand(
    text: str,
    state: ConversationState,
    *,
    catalog: CarCatalog,
    knowledge: KnowledgeBase,
    now: datetime,
    terms: tuple[int, ...] = parsing.ALLOWED_TERMS,
) -> Reading:
    """Everything one customer message says, each slot with the cue that decided it."""
    text = _spanglish(text.strip())
    folded = fold(text)
    if not text:
        return Reading(text=text, folded=folded)
    slots = state.slots
    pending = state.next_action
    options = slots.options
    chosen = slots.chosen
    question = parsing.is_question(text)
    if "?" not in text and (pending == Action.ASK_CONTACT_TIME or _WISH.match(folded)):
        question = False  # "cuando puedan", "que me llamen", "que sea automático": not questions
    rule_question = (
        next((topic for topic, pattern in _RULES.items() if _has(folded, pattern)), None)
        if question
        else None
    )
    if rule_question is None and _UNSURE_DOWN.search(folded):
        rule_question = "min_down"  # "no sé cuánto dar de enganche": the rule helps to decide
    phone = parsing.parse_phone(text)
    for car in options:  # a stock id chooses a car; it is not an amount
        if car.stock_id in text:
            text_money = text.replace(car.stock_id, " ")
            break
    else:
        text_money = text
    no_phone_text = parsing.strip_phones(folded)
    # Need: the catalogue's disciplined matcher, on text without phone numbers.
    car_context = pending in (Action.ASK_NEED, Action.ASK_BUDGET) or bool(
        parsing.find_amounts(no_phone_text)
    )
    # "mi camioneta vieja", "mi carro actual": the car the customer has, not the one they want.
    # "que no sea nissan", "ninguno de chevrolet": makes to leave out, never the search nor a
    # choice among the options shown.
    excluded_makes: list[str] = []
    for m in _NEGATED_CAR.finditer(no_phone_text):
        if _ASKS_FOR.search(no_phone_text[: m.start()]):
            continue  # "¿no tienes nada de BMW?" asks for BMW
        negated = catalog.match_need(m.group(1), car_context=True)
        if negated.make and not negated.suggestion:
            excluded_makes.append(negated.make)
            no_phone_text = no_phone_text.replace(m.group(0), " ")
    need_text = _OWN_NAMED.sub(" ", _OWN_CAR.sub(" ", no_phone_text))
    # "es un vento 2016" right after asking how to sell or trade in a car: the customer's car.
    own_car = None
    context = fold(state.faq_context or "")
    described = _OWN_DESCRIBED.match(need_text)
    if described is None and _SELL_CONTEXT.search(no_phone_text):
        # "¿cuánto me dan por mi carro? es un jetta 2017": the same message describes it.
        described = _OWN_DESCRIBED_LATER.search(need_text)
        context = context or no_phone_text
    if context and _SELL_CONTEXT.search(context) and described:
        own_text = need_text[described.start() :]
        own = catalog.match_need(own_text, car_context=True)
        if own.make or own.model:
            year = _YEAR.search(own_text)
            own_car = " ".join(x for x in (own.make, own.model, year and year.group(0)) if x)
            need_text = need_text[: described.start()]
    need = (
        catalog.match_need(need_text, car_context=car_context) if _bare(need_text) else NeedMatch()
    )
    fuzzy = bool(need.suggestion)
    seats = _seats(no_phone_text)
    year_m = _YEAR_MIN.search(no_phone_text)
    year_min = int(year_m.group(1) or year_m.group(2)) if year_m else None
    km_m = _KM_MAX.search(parsing.prepare_money_text(text))
    km_max = None
    if km_m:
        value = int(re.sub(r"\D", "", km_m.group(1)))
        km_max = value * 1000 if km_m.group(2) or value < 1000 else value
    elif _LOW_KM.search(folded):
        km_max = LOW_KM_MAX  # "con poco kilometraje": under 50,000 km, said in the reply
    open_need = _open_need(folded)
    term = parsing.parse_term(no_phone_text, expecting=pending == Action.ASK_TERM)
    if term is None:
        m = re.search(r"\bplazo\s*(?:de\s*)?(\d{1,2})\b(?!\s*(?:mil|k))", no_phone_text)
        if m:
            term = parsing.parse_term(f"{m.group(1)} meses")
    if term is None and pending != Action.ASK_TERM:
        m = re.search(r"\ba\s+(36|48|60|72)\b(?!\s*(?:mil|k|pesos|%))", no_phone_text)
        if m:
            term = parsing.Term(months=int(m.group(1)))
    names_car = bool(need.make or need.model or need.body_type)
    money = _read_money(
        text_money if rule_question != "min_down" else "",
        pending=pending,
        chosen=chosen,
        terms=terms,
        names_car=names_car,
        term_found=term is not None and term.months is not None,
    )
    cash = parsing.wants_cash(text)
    # Options: a choice, a question about them, show them again, other ones.
    car_question = None if rule_question else _car_question(folded, options, chosen, question)
    choice = None
    # "ok, esa" after asking about another option than the one chosen: that one instead.
    refocus = (
        chosen is not None
        and slots.focus is not None
        and slots.focus < len(options)
        and options[slots.focus].stock_id != chosen.stock_id
        and _has(folded, _THIS_ONE)
    )
    if (
        options
        and car_question is None
        and (chosen is None or refocus or _rechoice(folded, pending))
    ):
        loose = pending == Action.CHOOSE_OPTION or refocus
        choice = _option_index(no_phone_text, options, loose=loose, focus=slots.focus)
        if choice is not None and chosen is None and question and not loose:
            choice = None
    choice_among: tuple[int, ...] = ()
    if options and choice is None and chosen is None and car_question is None:
        years = {int(y) for y in _YEAR.findall(folded)}
        models = _same_model(no_phone_text, options)
        among = tuple(i for i, car in enumerate(options) if car.year in years)
        if models and among:
            among = tuple(i for i in among if i in models) or among  # "la cx5 2018"
        elif models:
            among = tuple(models)  # "una cx5" with two shown: which one?
        if len(among) == 1:
            choice = among[0]
        elif len(among) > 1:
            choice_among = among
        elif len(options) > 1 and _WANTS_IT.search(folded) and not _has(folded, _NOT_THIS):
            choice_among = tuple(range(len(options)))  # "lo quiero": which of them?
    if choice is not None and _DISLIKED.search(folded):
        # "el 3 está muy caro, ¿tienes otro parecido?", "la 2 no me gustó": no choice.
        choice = None
    show_again = bool(options) and _has(folded, _SHOW_AGAIN) and choice is None
    other = parsing.wants_other_options(text) and not money.budget_max and choice is None
    # Contact data.
    expecting_name = pending == Action.ASK_NAME
    name = parsing.parse_name(text, expecting=expecting_name and not names_car and not question)
    if name is None and phone and not names_car and not question:
        # "Mario Pérez 33 1122 3344": a name written with the phone is the name, at any step.
        rest = parsing.strip_phones(text)
        if _CAPITALISED_NAME.match(rest.strip(" ,.-")):
            name = parsing.parse_name(rest, expecting=True)
    # Most messages name no day or hour: the time parsers run only when one may be there.
    timed = _TIME_HINT.search(folded) is not None
    contact_at = parsing.parse_contact_time(text, now=now) if timed else None
    if contact_at is not None:
        contact_text = parsing.contact_phrase(text) or _contact_text(text)
    else:
        contact_text = _contact_text(text) if pending == Action.ASK_CONTACT_TIME else None
    appointment = _has(folded, _APPOINTMENT)
    # Branches matter only when booking (asking the knowledge base costs a scan of its cities).
    booking = appointment or (
        (slots.wants_appointment or pending in _BOOKING_STEPS) and _PLACE_WORD.search(folded)
    )
    branches = knowledge.branches_in(text) if booking else ()
    fuel = next((f for f, p in _FUELS.items() if _has(folded, p)), None)
    yes_no = parsing.parse_yes_no(text)
    # The knowledge base's own check costs more than this whole reading: only for a message that
    # asks something or names a Kavak topic.
    kavak_topic = _KAVAK_TOPIC.search(folded) is not None
    kavak_question = bool((question or kavak_topic) and knowledge.looks_like_question(text))
    return Reading(
        text=text,
        folded=folded,
        need=need,
        open_need=open_need,
        seats=seats,
        year_min=year_min,
        km_max=km_max,
        cheaper=(bool(options) or pending == Action.ASK_BUDGET)
        and _CHEAPER.search(folded) is not None
        and choice is None,
        fuel=fuel if question or _has(folded, _WANTS) else None,
        **vars(money),
        cash=cash,
        term=term,
        choice=choice,
        choice_among=choice_among,
        show_again=show_again,
        other_options=other,
        car_question=car_question,
        name=name,
        phone=phone,
        contact_at=contact_at,
        contact_text=contact_text,
        branches=tuple(branches),
        refuses_phone=_has(folded, _REFUSE_PHONE),
        question=question,
        rule_question=rule_question,
        kavak_question=kavak_question and rule_question is None,
        kavak_topic=kavak_topic,
        off_topic=_has(folded, _OFF_TOPIC),
        greeting=parsing.is_greeting(text),
        thanks=parsing.is_thanks(text),
        yes=yes_no is True,
        no=yes_no is False,
        only_yes=_only(folded, parsing._YES, _FILLERS),
        only_no=_only(folded, parsing._NO, _FILLERS),
        small_talk=_small_talk(folded),
        human=parsing.wants_human(text),
        reset=parsing.wants_reset(text),
        adversarial=parsing.is_adversarial(text),
        discount=parsing.wants_discount(text),
        appointment=appointment,
        callback=_has(folded, _CALLBACK),
        decline=_has(folded, _DECLINE),
        think_later=_has(folded, _THINK),
        financing_interest=_has(folded, _FINANCING),
        excluded_makes=tuple(excluded_makes),
        own_car=own_car,
        total_asked=_TOTAL_ASKED.search(folded) is not None,
        bot_identity=_has(folded, _BOT_IDENTITY),
        frustrated=_has(folded, _FRUSTRATED),
        price_asked=_PRICE_ASKED.search(folded) is not None,
        monthly_asked=_MONTHLY_ASKED.search(folded) is not None and not money.monthly,
        fuzzy=fuzzy,
    )


_FILLERS = (
    r"porfa", r"por favor", r"gracias", r"pues", r"entonces", r"de acuerdo", r"adelante",
    r"asi", r"esta bien", r"bueno", r"ok", r"va", r"dale", r"claro", r"que si", r"yes",
)  # fmt: skip


def _small_talk(folded: str) -> bool:
    bare = _bare(folded)
    if not bare:
        return bool(folded) and _EMOJI_ONLY.match(folded) is not None
    return _only(folded, lexicon.SMALL_TALK)


def _rechoice(folded: str, pending: Action) -> bool:
    """After a choice, "mejor el 3" changes it (only while the financing is being worked out)."""
    if pending not in (
        Action.CHOOSE_OPTION,
        Action.ASK_DOWN_PAYMENT,
        Action.ASK_TERM,
        Action.OFFER_APPOINTMENT,
    ):
        return False
    return bool(
        re.search(r"\b(?:mejor|cambia\w*|prefiero|en vez|mas bien|ahora)\b", folded)
        # "¿y con la 2 cuánto sería?", "y la 3?": the same plan for another option shown.
        or re.search(r"^(?:y|o)\s+(?:con\s+|para\s+)?(?:el|la)\s+(?:[1-9]|otr[oa])\b", folded)
    )


def _seats(folded: str) -> int | None:
    text = parsing._replace_number_words(folded)
    m = _SEATS.search(text)
    if m:
        n = int(next(g for g in m.groups() if g))
        return n if 2 <= n <= 15 else None
    if _THIRD_ROW.search(text):
        return 7
    return None


_OPEN_NEED = _alternation(
    (
        r"lo que sea", r"cualquiera", r"cualquier", r"me da igual", r"el que sea", r"la que sea",
        r"lo que me recomiendes", r"recomiendame", r"no importa", r"no tengo preferencia",
        r"lo que haya", r"lo que tengas", r"lo que me alcance", r"que me alcance",
    )
)  # fmt: skip


def _open_need(folded: str) -> bool:
    return _has(folded, _OPEN_NEED) or _bare(folded) in ("no se", "no lo se", "nose")


_TRAILING_LINK = re.compile(
    r"[\s,;]*(?:(?:o|y|si no|sino|o si no|o bien)\s+)?(?:marcame |llamame |marquen |llamen )?"
    r"(?:al|a mi|mi|el|a este|a)?\s*(?:cel|celular|numero|tel|telefono)?\s*$",
    re.IGNORECASE,
)


def _contact_text(text: str) -> str:
    """The contact-time phrase, without a phone number and what follows it ("mañana a las 11,
    o al 81 1234 5678 si no contesto" → "mañana a las 11")."""
    m = parsing._PHONE_RE.search(text)
    if m and len(re.sub(r"\D", "", m.group(0))) >= 10:
        before = text[: m.start()]
        text = _TRAILING_LINK.sub("", before) if before.strip() else text[m.end() :]
    return re.sub(r"\s+", " ", text).strip(" ,.;")[:200]
