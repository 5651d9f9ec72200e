"""Which of the options shown a message points at: "el 2", "la segunda", "el más nuevo"…"""

from __future__ import annotations

import re
from decimal import Decimal

from conversations.engine.cues import _YES
from conversations.engine.parsing import fold
from conversations.engine.reading.need import _YEAR
from conversations.engine.reading.text import (
    _alternation,
    _bare,
    _has,
    _only,
)
from conversations.engine.state import Action, CarOption
from spanish import compact_key

_DISLIKED = re.compile(
    r"\b(?:muy|bien|demasiado|algo|medio)\s+car[oa]\b"
    r"|\bno me (?:gusta|gusto|late|convence|convencio)\b"
    r"|\b(?:otr[oa]s?|alguno|alguna)\s+(?:parecid[oa]s?|similar\w*|igual\w*|como es[ae])\b"
)
_WANTS_IT = re.compile(
    r"^(?:(?:si|ok|va|sale|pues|bueno|ya)\s+)*(?:lo|la) (?:quiero|kiero)\b|\bme (?:lo|la) llevo\b"
    r"|\b(?:lo|la) compro\b|\bme (?:lo|la) quedo\b|\bme quedo con (?:ese|esa|este|esta|el|la)\b"
    # "apártalo", "me lo apartas", "lo aparto": reserving what is shown is taking it.
    r"|\bapart(?:a|e|alo|ala|amelo|amela|enmelo|enmela|emelo|emela)\b"
    # ("¿ya lo apartaron?", "¿está apartado?" ask whether it is still there).
    r"|\b(?:me )?(?:lo|la) (?:apart|reserv)(?!aron|ado|ada)\w+\b|\breserv(?:alo|ala|amelo|amela)\b"
    # "me interesa", "me late" said of what is shown ("me interesa un jetta" names a need).
    r"|^(?:(?:si|ok|va|sale|pues|bueno|ya)\s+)*me (?:interesa|gusta|late|convence)\b"
    r"(?!\s+(?:un|una|algo|alguno|alguna|el|la|los|las|mas|otr[oa]s?|que (?:sea|tenga|traiga))\b)"
)


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
        r"(?:el|opcion|numero) uno",
    ),
    1: (r"seg[uo][nm]?[dfst][oa]", r"2do", r"2da", r"2o", r"2a", r"(?:el|la|opcion|numero) dos"),
    2: (
        r"te?r?[csxz]er[oa]?",
        r"tersr[oa]",
        r"3ro",
        r"3er[oa]?",
        r"3ra",
        r"3o",
        r"3a",
        r"(?:el|la|opcion|numero) tres",
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
# Positions in the list as shown: "el de en medio", "la penúltima", "el de hasta arriba".
_POSITIONS = {
    "middle": _alternation(
        (r"(?:el|la|ese|esa) (?:de (?:en ?)?|del )medio", r"(?:el|la) de (?:la )?mitad")
    ),
    "second_last": _alternation((r"penultim[oa]",)),
    "top": _alternation((r"(?:el|la) (?:de )?(?:hasta )?arriba", r"(?:el|la) de mero arriba")),
    "bottom": _alternation((r"(?:el|la) (?:de )?(?:hasta )?abajo", r"(?:el|la) de mero abajo")),
}
_ANY_ONE = re.compile(
    r"^(?:(?:pues|ok|va|no se|bueno)\s+)*(?:cualquiera|cualquier[ao]?|(?:el|la) que sea"
    r"|(?:el|la) que (?:me )?(?:recomiendes|recomiendas|sugieras|digas)|tu (?:escoge|elige|dime)"
    r"|escoge tu|elige tu|(?:el|la) que tu (?:digas|quieras))$"
)
_NOT_THIS = _alternation((r"no", r"otra", r"otro", r"ninguna", r"ninguno", r"pero"))
_THIS_ONE = _alternation((r"ese", r"esa", r"este", r"esta", r"ese mero", r"esa mera", r"ese carro"))


# "ok ese", "va, esa me late": a car pointed at, and nothing that says which.
_JUST_THIS_ONE = re.compile(
    r"^(?:(?:ok|oki|va|sale|si|bueno|pues|entonces|orale|dale|perfecto)\W*\s*)*"
    r"(?:ese|esa|este|esta)(?: (?:me (?:late|gusta|interesa|quedo)|quiero|mero|mera))?\W*$"
)
_THUMBS_UP = re.compile(r"^\s*(?:👍\s*)+$")


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
    if m and int(m.group(1)) > n:
        return None  # "el 3 está padre" with one option shown: no option 3 (never "ésta")
    for index, pattern in _ORDINAL_PATTERNS.items():
        for found in pattern.finditer(folded):
            if index < n and not _NOT_ORDINAL_AFTER.match(folded[found.end() :]):
                return index
    if _has(folded, _LAST):
        return n - 1
    position = _position(folded, n)
    if position is None:
        position = _price_index(folded, options)
    if position is not None:
        return position
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
        this_one = _has(folded, _THIS_ONE) or _WANTS_IT.search(bare) is not None
        if n == 1 and (this_one or _only(folded, _YES) or _THUMBS_UP.match(folded)):
            return 0  # "ese", "lo quiero", "simón" with one option shown
        if focus is not None and focus < n and this_one and not _has(folded, _NOT_THIS):
            return focus
    return None


# "la de 385", "el que cuesta 362 mil", "ese de $249,999": an option by its price.
_BY_PRICE = re.compile(
    r"\b(?:el|la|ese|esa|este|esta)\s+(?:de|del precio de|que (?:cuesta|sale en|vale|esta en))\s+"
    r"\$?\s*(\d{1,3}(?:,\d{3})+|\d{2,7})(?:\.\d{1,2})?\s*(mil|k)?\b(?!\s*(?:km|kms|kilometros|%))"
)


def _price_index(folded: str, options: tuple[CarOption, ...]) -> int | None:
    """The one option whose price is the amount named (in thousands or in full)."""
    m = _BY_PRICE.search(folded)
    if not m or not options:
        return None
    value = Decimal(m.group(1).replace(",", ""))
    if m.group(2) or value < 1000:
        value *= 1000
    near = [i for i, car in enumerate(options) if abs(car.price - value) < 1000 + value / 200]
    return near[0] if len(near) == 1 else None


def _position(folded: str, n: int) -> int | None:
    """An option by its place in the list; "en medio" only when one is in the middle."""
    found = [name for name, pattern in _POSITIONS.items() if _has(folded, pattern)]
    if len(found) != 1:
        return None
    index = {"middle": n // 2 if n % 2 else None, "second_last": n - 2, "top": 0, "bottom": n - 1}[
        found[0]
    ]
    return index if index is not None and 0 <= index < n and n > 1 else None


def _options_named(folded: str, options: tuple[CarOption, ...]) -> tuple[int, ...]:
    """Every option the text names by number or ordinal ("el 1 y el 3", "la primera o la
    segunda"), in order, each once."""
    n = len(options)
    found = [
        (m.start(), int(m.group(1)) - 1)
        for m in _ARTICLE_DIGIT.finditer(folded)
        if 1 <= int(m.group(1)) <= n
    ]
    for index, pattern in _ORDINAL_PATTERNS.items():
        found += [
            (m.start(), index)
            for m in pattern.finditer(folded)
            if index < n and not _NOT_ORDINAL_AFTER.match(folded[m.end() :])
        ]
    named: list[int] = []
    for _, index in sorted(found):
        if index not in named:
            named.append(index)
    return tuple(named)


def _same_model(folded: str, options: tuple[CarOption, ...]) -> list[int]:
    """The options of the one model the text names ("una cx5": both CX-5 shown)."""
    models = [i for i, car in enumerate(options) if _names(folded, car.model)]
    return models if len({fold(options[i].model) for i in models}) == 1 else []


def _names(folded: str, name: str) -> bool:
    key = fold(name)
    if not key:
        return False
    compact = compact_key(key, folded=True)
    if key not in folded and compact not in folded:
        return False  # the common case, without a regular expression
    if re.search(rf"(?<!\w){re.escape(key)}(?!\w)", folded):
        return True
    return (
        len(compact) >= 3 and re.search(rf"(?<!\w){re.escape(compact)}(?!\w)", folded) is not None
    )


def _wanted_again(
    folded: str, options: tuple[CarOption, ...], chosen: CarOption | None
) -> int | None:
    """ "ok lo quiero" about the car already chosen: that one again (confirmed, on we go)."""
    if chosen is None or not _WANTS_IT.search(folded):
        return None
    return next((i for i, car in enumerate(options) if car.stock_id == chosen.stock_id), None)


def _by_year_or_model(
    folded: str, no_phone_text: str, options: tuple[CarOption, ...]
) -> tuple[int | None, tuple[int, ...]]:
    """An option by its year or model ("el del 2018", "la cx5"): the one, or which of several."""
    years = {int(y) for y in _YEAR.findall(folded)}
    models = _same_model(no_phone_text, options)
    among = tuple(i for i, car in enumerate(options) if car.year in years)
    if models and among:
        among = tuple(i for i in among if i in models) or among  # "la cx5 2018"
    elif models:
        among = tuple(models)  # "una cx5" with two shown: which one?
    if len(among) == 1:
        return among[0], ()
    if len(among) > 1:
        return None, among
    wants = _WANTS_IT.search(folded) or _JUST_THIS_ONE.match(folded)
    if len(options) > 1 and wants and not _has(folded, _NOT_THIS):
        return None, tuple(range(len(options)))  # "lo quiero", "ok ese": which of them?
    return None, ()


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
        re.search(r"\b(?:mejor|cambia\w*|prefiero|en vez|mas bien|ahora|me quedo con)\b", folded)
        # "¿y con la 2 cuánto sería?", "y la 3?": the same plan for another option shown.
        or re.search(r"^(?:y|o)\s+(?:con\s+|para\s+)?(?:el|la)\s+(?:[1-9]|otr[oa])\b", folded)
        # "bueno, la 1", "sí el 2": an option named alone (the same one confirms it).
        or _CHOICE_ALONE.match(folded) is not None
    )


_CHOICE_ALONE = re.compile(
    r"^(?:(?:ok|okey|bueno|si|va|sale|pues|ya|entonces|dale|orale|simon)\W*\s*)*"
    r"(?:con\s+)?(?:el|la|opcion)\s+(?:[1-9]|primer[oa]?|segund[oa]|tercer[oa]?|ultim[oa])"
    r"(?:\W+(?:entonces|pues|porfa|por favor))?\W*$"
)


# An option named as the subject of a question: "¿el primero tiene garantía?", "la 2 tiene
# seguro?". The articles are asked about "el auto": they know no option numbers.
_OPTION_REF = re.compile(
    r"\b(?:el|la)\s+(?:opcion\s+)?#?\s*(?:[1-9]|primer[oa]?|segund[oa]|tercer[oa]?|ultim[oa])\b"
    r"(?!\s*(?:mil|k|%|meses|mes|anos|ano)\b)"
    # "¿la más barata tiene garantía?": an option by its rank.
    r"|\b(?:el|la|ese|esa)\s+(?:de\s+)?(?:mas|menos)\s+(?:barat[oa]|car[oa]|nuev[oa]|econom\w+"
    r"|km|kms|kilometr\w*|recorrido)\b"
)


def option_refs_as_car(folded: str) -> str:
    """The question with the options it names said as "el auto", for the articles."""
    return _OPTION_REF.sub("el auto", folded)
