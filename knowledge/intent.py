"""A cheap, pure hint: is a customer's message an FAQ about Kavak or part of the buying flow?

Weighted keywords on the same normalised terms the index uses (so typos of accents, slang and
synonyms behave the same). FAQ topics push one way; amounts, years, car makes and models and
"busco/quiero un…" push the other. No I/O, about 20 µs a message.
"""

from __future__ import annotations

import re

import spanish
from knowledge import text as kb_text
from knowledge.lexicon import CAR_MAKES, FOREIGN_NAMES

# FAQ topics by folded word; every word is reduced to its index term, so inflections match too.
_FAQ_WORDS: dict[str, float] = {
    "garantia": 2,
    "sucursal": 2,
    "donde": 2,
    "horario": 2,
    "vender": 2,
    "acuenta": 2,
    "documentos": 2,
    "comprobante": 2,
    "identificacion": 2,
    "pasaporte": 2,
    "inspeccion": 2,
    "certificacion": 2,
    "devolucion": 2,
    "app": 2,
    "tramites": 2,
    "mantenimiento": 2,
    "kavaktotal": 2,
    "pruebamanejo": 2,
    "videollamada": 2,
    "periodo": 2,
    "extender": 2,
    "tasa": 2,
    "cotizar": 2,
    "cotizacion": 2,
    "confiable": 2,
    "unicornio": 2,
    "catalogo": 1,
    "kavak": 1,
    "proceso": 1,
    "pasos": 1,
    "funciona": 1,
    "asesor": 1,
    "financiamiento": 1,
    "aprobacion": 1,
    "ingresos": 1,
    "entrega": 1,
    "domicilio": 1,
    "online": 2,
    "linea": 2,
    "consignacion": 2,
    "empresa": 1,
    "seguro": 1,
}
_FAQ_TERMS: dict[str, float] = {kb_text.term_of(w): weight for w, weight in _FAQ_WORDS.items()}

_FLOW_WORDS: dict[str, float] = {
    "busco": 2,
    "buscando": 2,
    "presupuesto": 2,
    "mensualidad": 1,
    "mensualidades": 1,
    "meses": 1,
    "modelo": 1,
    "version": 1,
    "automatico": 1,
    "estandar": 1,
    "kilometraje": 1,
    "color": 1,
    "sedan": 1,
    "hatchback": 1,
    "suv": 1,
    "pickup": 1,
}
_FLOW_TERMS: dict[str, float] = {kb_text.term_of(w): weight for w, weight in _FLOW_WORDS.items()}

# Car makes and models customers name (also never "corrected" into an article word: "sentra" is
# no misspelt "Sentura", the branch).
CAR_NAMES = frozenset(
    [
        "nissan",
        "toyota",
        "honda",
        "mazda",
        "chevrolet",
        "chevy",
        "volkswagen",
        "vw",
        "ford",
        "kia",
        "hyundai",
        "bmw",
        "audi",
        "mercedes",
        "benz",
        "seat",
        "renault",
        "peugeot",
        "mitsubishi",
        "suzuki",
        "jeep",
        "dodge",
        "ram",
        "chrysler",
        "buick",
        "gmc",
        "fiat",
        "mini",
        "volvo",
        "tesla",
        "byd",
        "mg",
        "jac",
        "chirey",
        "subaru",
        "lexus",
        "infiniti",
        "acura",
        "cadillac",
        "lincoln",
        "porsche",
        "cupra",
        "baic",
        "omoda",
        "corolla",
        "versa",
        "sentra",
        "march",
        "aveo",
        "jetta",
        "vento",
        "tsuru",
        "civic",
        "crv",
        "rav4",
        "cx5",
        "cx3",
        "cx30",
        "mazda2",
        "mazda3",
        "yaris",
        "spark",
        "beat",
        "onix",
        "tiguan",
        "taos",
        "golf",
        "polo",
        "virtus",
        "rio",
        "forte",
        "sportage",
        "seltos",
        "soul",
        "accent",
        "elantra",
        "tucson",
        "creta",
        "kicks",
        "xtrail",
        "hilux",
        "tacoma",
        "camry",
        "prius",
        "fit",
        "hrv",
        "city",
        "accord",
        "pilot",
        "odyssey",
        "sienna",
        "ibiza",
        "leon",
        "arona",
        "ateca",
        "duster",
        "kwid",
        "captur",
        "koleos",
        "outlander",
        "mirage",
        "swift",
        "vitara",
        "ertiga",
        "wrangler",
        "compass",
        "cherokee",
        "renegade",
        "journey",
        "attitude",
        "ranger",
        "ecosport",
        "figo",
        "fiesta",
        "focus",
        "mustang",
        "escape",
        "explorer",
        "lobo",
        "cruze",
        "trax",
        "tracker",
        "equinox",
        "silverado",
        "tornado",
        "frontier",
        "np300",
        "altima",
        "navara",
        "tsuru",
        "a3",
        "a4",
        "q3",
        "q5",
        "x1",
        "x3",
        "x5",
        "serie",
        "clase",
        "sonic",
        "cavalier",
        "captiva",
        "groove",
        "t-cross",
        "tcross",
        "nivus",
        "saveiro",
        "amarok",
        "crafter",
    ]
)
# The models alone: a model names the customer's own car in a selling or trade-in question, a
# make may name another business ("la garantía de Nissan").
CAR_MODELS = CAR_NAMES - CAR_MAKES


# Unknown words among Spanish's most frequent ones ("atrás", "semana", "rápido", "hoy") are
# mostly the frame of a question; a rarer one ("tenencia", "corralón", "laptops") is its topic.
FREQUENT_WORDS = 500
FREQUENT_WEIGHT = 0.5


def _frequent_words() -> frozenset[str]:
    return spanish.frequent_folded_words(count=FREQUENT_WORDS, min_length=3)


def unknown_weight(word: str, *, framed: bool = False) -> float:
    """How much an unknown word counts against every article: a number or a car model weighs
    half ("traigo un jetta 2015" names the customer's car: the context of a selling or trade-in
    question more than its topic), and so does one of Spanish's most frequent words."""
    if word.isdigit() or word in CAR_MODELS:
        return 0.5
    # A place or business no article names ("seguros de vida", "banco") is a topic, however
    # frequent the word.
    if word in FOREIGN_NAMES:
        return 1.0
    return FREQUENT_WEIGHT if framed and word in _frequent_words() else 1.0


_MONEY = re.compile(
    r"\$\s?\d|\d\s?(?:mil|k|lucas|varos|pesos|mxn)\b|\d{2,3}[,.]\d{3}|\b\d{5,}\b", re.IGNORECASE
)
_YEAR = re.compile(r"\b(?:19[89]\d|20[0-3]\d)\b")
_QUESTION_START = re.compile(
    r"^\s*¿?\s*(?:como|que|cual|cuales|donde|cuando|cuanto|cuantos|cuantas|tienen|hay|puedo|"
    r"se puede|aceptan|dan|manejan|ofrecen|hacen|es|son|me dan|me pueden|ustedes)\b"
)
_FLOW_START = re.compile(r"^\s*(?:busco|quiero (?:un|una|el|la)|me interesa|ando buscando)\b")


# --- Catalogue and financing questions (the engine answers them from its data, not the articles) --

# An option the agent showed: "el 3", "el segundo", "el primero que me mandaste", "de la lista".
_OPTION_REF = re.compile(
    r"\b(?:el|la|del|al) (?:[1-9]|uno|dos|tres|primer[oa]?|segund[oa]|tercer[oa]?|ultim[oa])\b"
    r"(?! (?:dias|dia|meses|mes|anos|ano|km|kilometros|mil|semanas?|de (?:mis|tus)"
    # "es la primera vez que compro", "de segunda mano": an ordinal that is no option (the
    # engine's reading excludes the same words).
    r"|vez|veces|ocasion|fila|mano|dueno|duena|persona))"
    r"|\bde la lista\b|\bque me (?:mandaste|enviaste|pasaste|mostraste|ensenaste)\b"
)
# Paying cash for a car is a financing answer (no plan needed), not an article.
_CASH_PURCHASE = re.compile(
    r"\b(?:pagar|pago|pagarlo|pagarla|pagaria|liquidar|liquido|comprar|compro|comprarlo)\b"
    r"[^.?!]{0,25}\b(?:de contado|en efectivo|de una (?:vez|sola exhibicion)|cash)\b"
    r"|\bsin (?:credito|financiamiento)\b|\bno (?:quiero|necesito|ocupo) "
    r"(?:credito|financiamiento)\b"
)
# A car compared with the rest of the inventory ("el más nuevo que tienen", "el carro más barato"),
# or a monthly payment to compute ("¿cuánto pagaría al mes?", "¿de cuánto sería la
# mensualidad?"): the catalogue and the financing rules answer them.
_CATALOGUE_PHRASE = re.compile(
    r"\b(?:el|la|los|las|lo) (?:(?:carro|auto|coche|camioneta)s? )?mas (?:nuevo|nueva|nuevos"
    r"|nuevas|reciente|barato|barata|baratos|economico|economica|economicos|caro|cara|grande|chico|chica)\b"
    r"|\bcuanto (?:pagaria|pago|pagaremos|quedaria|saldria|seria|sale|queda)\b[^.?!]{0,20}"
    r"\b(?:al mes|mensual|mensuales|por mes|cada mes)\b"
    r"|\b(?:cuanto|de cuanto) (?:seria|quedaria|sale|saldria|queda|es) (?:la |mi )?mensualidad"
)
# A car just shown, named by a demonstrative and asked about: "¿y ese cuántos km tiene?", "esa de
# qué año es" (no Kavak topic in the message: that is checked first).
_SHOWN_CAR = re.compile(
    r"^\s*¿?\s*(?:y |oye |e )?(?:ese|esa|este|aquel|aquella)\s+(?:cuant\w*|de (?:que|q)|que|q"
    r"|tiene|trae|es de|en cuanto)\b"
)
# What a car is like: the catalogue's filters and specs.
_CAR_ATTRIBUTES = frozenset(
    [
        "electrico",
        "electricos",
        "electrica",
        "electricas",
        "hibrido",
        "hibridos",
        "hibrida",
        "hibridas",
        "automatico",
        "automaticos",
        "automatica",
        "automaticas",
        "estandar",
        "manual",
        "manuales",
        "pasajeros",
        "quemacocos",
        "carplay",
        "android",
        "rines",
        "asientos",
        "piel",
        "turbo",
        "cilindros",
        "4x4",
        "awd",
        "diesel",
        "color",
        "colores",
        "rojo",
        "roja",
        "rojos",
        "blanco",
        "blanca",
        "negro",
        "negra",
        "gris",
        "azul",
        "plata",
        "plateado",
        "suv",
        "suvs",
        "sedan",
        "sedanes",
        "pickup",
        "pickups",
        "hatchback",
        "hatch",
        "minivan",
        "camionetota",
        # Kinds of car, in the plural: "¿qué camionetas tienen?" asks for the inventory ("vender
        # mi camioneta" has its topic, "busco una camioneta que no vi" asks a service).
        "camionetas",
        "trocas",
        "economico",
        "economicos",
        "economica",
        "kilometraje",
        "disponible",
        "disponibles",
    ]
)
# Topics only the articles answer: with one of these the message is about Kavak, whatever car it
# names ("¿el corolla tiene garantía?", "¿cuánto me dan por mi aveo 2016?").
_ANCHORS = frozenset(term for term, weight in _FAQ_TERMS.items() if weight >= 2) - {
    kb_text.term_of("donde")
}


def looks_like_catalogue_question(message: str) -> bool:
    """True when the message asks about cars, prices or paying cash: the engine's catalogue and
    financing rules answer it, not the articles ("¿tienen autos eléctricos?", "¿tienen algo
    automático de menos de 200 mil?", "¿puedo pagar de contado?", "¿cuántos km tiene el 3?")."""
    folded = kb_text.fold(message)
    words = kb_text.words(message, limit=kb_text.MAX_QUERY_TOKENS)
    terms = {kb_text.term_of(w) for w in words}
    selling = kb_text.term_of("vender") in terms or kb_text.term_of("acuenta") in terms
    if _OPTION_REF.search(folded):
        return True
    if (_CASH_PURCHASE.search(folded) or _CATALOGUE_PHRASE.search(folded)) and not selling:
        return True
    if terms & _ANCHORS:
        return False
    if _SHOWN_CAR.search(folded):
        return True
    # A place's name is no car: the Leon of "Nuevo León" is not the Seat.
    raw = set(re.findall(r"[a-z0-9]+", kb_text.places_named(message)))
    return bool(raw & _CAR_ATTRIBUTES or raw & CAR_NAMES or _MONEY.search(folded))


def looks_like_kavak_faq(message: str) -> bool:
    """True when the message asks about Kavak itself (warranty, sites, selling, documents…)."""
    if looks_like_catalogue_question(message):
        return False
    folded = kb_text.fold(message)
    faq = 0.0
    flow = 0.0
    seen: set[str] = set()
    for word in kb_text.words(message, limit=kb_text.MAX_QUERY_TOKENS):
        term = kb_text.term_of(word)
        if term in seen:
            continue
        seen.add(term)
        faq += _FAQ_TERMS.get(term, 0)
        flow += _FLOW_TERMS.get(term, 0)
        if word in CAR_NAMES:
            flow += 1.5
    # Selling or trading in names the customer's own car ("¿cuánto me dan por mi aveo 2016?").
    selling = bool(seen & {kb_text.term_of("vender"), kb_text.term_of("acuenta")})
    if selling:
        flow = 0.0
    flow += 2 * len(_MONEY.findall(folded)) + (0 if selling else len(_YEAR.findall(folded)))
    if _FLOW_START.match(folded):
        flow += 1
    if faq and ("?" in message or _QUESTION_START.match(folded)):
        faq += 1
    return faq >= 2 and faq > flow
