"""The need in a message: seats, year, km, makes left out, an open need, the customer's own car."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from conversations.engine import lexicon, parsing
from conversations.engine.parsing import fold
from conversations.engine.ports import CarCatalog, NeedMatch
from conversations.engine.reading.text import (
    _alternation,
    _bare,
    _has,
)
from conversations.engine.state import Action, ConversationState

_YEAR = re.compile(r"(?<!\d)(19[89]\d|20[0-3]\d)(?!\d)")


_OWN_CAR = re.compile(
    r"\b(?:mis?|nuestr[oa]s?)\s+(?:carro|auto|coche|camioneta|troca|vehiculo|nave|carcacha|camion)"
    r"\w*(?:\s+(?:viej\w*|actual|usad\w*|de ahorita|\d{4}))?"
)
# The car the customer has, by its year or in a story ("tengo un aveo 2015 y lo quiero cambiar"
# without a year is ``_own_beside_wish``'s).
_OWN_NAMED = re.compile(
    # "quiero cambiar mi carro…, tengo un chevy 2010", "tengo un chevy 2010 y busco una suv": the
    # car they have, with its year, said after the change or beside what they look for.
    r"\b(?:tengo|tenemos|traigo|traemos|manejo|manejamos)\s+(?:un|una)\s+\w+"
    r"\s+(?:(?:del?|modelo)\s+)?(?:19[89]\d|20[0-3]\d)\b"
    # "el que tenemos es un tsuru del 2005", "la que traigo ahorita es una sentra": a story about
    # the car they have, told before what they want.
    r"|\b(?:el|la|lo) que (?:tengo|tenemos|traigo|traemos|manejo|manejamos|tiene|trae)"
    r"(?:\s+(?:ahorita|ahora|actualmente|hoy|hoy en dia))?\s+es\s+(?:un|una|el|la)\s+\w+"
    r"(?:\s+(?!(?:y|que|q|pero|para|pa)\b)\w+)?(?:\s+(?:(?:del?|modelo)\s+)?\d{4})?"
    # "¿puedo vender mi vento?", "quiero dar a cuenta mi aveo 2015": the car after "mi".
    r"|\b(?:vend\w*|cambi\w*|entreg\w*|dejar|dar|meter|ofrecer)\s+(?:a cuenta\s+)?mi\s+\w+"
    r"(?:\s+\d{4})?"
    # "tenemos 300 mil más el aveo": a car added to the money is the one they have.
    r"|\b(?:\d{1,3}(?:[.,]\d+)?\s*(?:mil|k)|\d{1,3}(?:,\d{3})+|\d{5,})"
    r"\s+(?:mas|ademas de|aparte de|y)\s+(?:el|la|mi|nuestro|nuestra)"
    r"\s+\w+(?:\s+\d{4})?"
    # "¿cuánto me darían por el sentra?": the car they would be paid for is theirs.
    r"|\b(?:dan|darian|dieran|pagan|pagarian|ofrecen|ofrecerian)\s+por\s+(?:el|la|mi|un|una)\s+\w+"
    r"(?:\s+\d{4})?"
)


_SEATS = re.compile(
    r"\b(?:(?:para|de)\s+)?(\d{1,2})\s*(?:pasajeros|personas|asientos|plazas|lugares|gentes?)\b"
    r"|\bsomos\s+(\d{1,2})\b|\bfamilia de\s+(\d{1,2})\b"
)
_THIRD_ROW = re.compile(r"\b(?:tercera fila|3 filas|tres filas|3a fila)\b")
_YEAR_MIN = re.compile(
    r"\b(?:del |de |modelo |minimo |min )?(20[0-3]\d|19[89]\d)\s*(?:para arriba|"
    r"en adelante|para ?a?delante|padelante|para ?a?lante|palante|de ahi para arriba|"
    r"o mas nuevo|o mas reciente|o mayor|o superior|hacia arriba|minimo|\+)"
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
# "¿tienen algo con menos km?", "¿no hay uno más nuevo?": other cars, better than those shown on
# that point (an indefinite "algo", "uno", "otro"; "el de menos km" asks which of them).
# Who the relative is about: "algo con menos km", "¿no tienes más nuevo?", "¿hay más nuevos?".
_RELATIVE_HEAD = (
    r"\b(?:algo|alguno|alguna|uno|una|otro|otra|otros|otras|opciones"
    r"|(?:tienes|tienen|tendras|tendran|hay|habra|muestrame|ensename|pasame|buscame)"
    r"(?:\s+(?:algo|alguno|alguna|uno|una|otro|otra))?)\s+"
)
_RELATIVE = {
    "fewer_km": re.compile(
        _RELATIVE_HEAD
        + r"(?:que tenga\s+|con\s+)?(?:menos|menor)\s+(?:km|kms|kilometr\w*|recorrido|uso)\b"
        # "muchos km, ¿tienes otro con menos?": the field said before the relative.
        r"|\b(?:km|kms|kilometr\w*|recorrido)\b.*"
        + _RELATIVE_HEAD
        + r"(?:que tenga\s+|con\s+)?menos\b(?!\s+(?:de\b|\d))"
    ),
    "newer": re.compile(
        _RELATIVE_HEAD + r"(?:que sea\s+)?"
        r"(?:mas nuev[oa]s?|mas reciente\w*|mas actual\w*|de modelo mas reciente)\b"
    ),
}
# A model year said with a model: "el versa 2020", "una cx5 modelo 2019".
_MODEL_YEAR = re.compile(r"\b(?:modelo\s+)?(20[0-3]\d|19[89]\d)\b(?!\s*(?:mil|k|km|pesos))")
# "¿y de otro año?", "no importa el año", "aunque sea más viejo": no year limit any more.
_ANY_YEAR = re.compile(
    r"\b(?:de )?otros? anos?\b|\bcualquier ano\b|\b(?:no importa|sin importar) el ano\b"
    r"|\bel ano (?:que sea|no importa|es lo de menos)\b|\b(?:aunque sea |algo )?mas (?:viej|antigu)"
)
_LOW_KM = re.compile(
    r"\b(?:poco|pocos|bajo|baj[oa] de) (?:kilometraje|km|kms|kilometros|recorrido|uso)\b"
    r"|\bcasi nuevo\b|\bcon (?:muy )?poco uso\b"
)


# A make the customer does not want: "que no sea nissan", "ninguno de chevrolet", "nada de
# kia", "excepto ford", "no quiero un vw". The words after the negation are matched as a car.
_NEGATED_CAR = re.compile(
    r"\b(?:(?:que )?no (?:sea|sean|quiero|me gusta\w*|me late\w*)|ningun[oa]?s?(?: de)?|nada de"
    r"|excepto|menos|fuera de|sin)\s+(?:(?:un|una|los|las|el|la|de|del)\s+)?(\w+(?:[ -]\w+)?)"
)
_SELL_CONTEXT = re.compile(
    r"\b(?:vend\w*|a cuenta|cambi\w*|mi (?:carro|auto|coche|camioneta)|tomen|reciben|compran"
    r"|me (?:dan|darian|dieran|pagan|pagarian|ofrecen|ofrecerian) por|darian por|cotiz\w*)\b"
)
_OWN_DESCRIBED = re.compile(
    r"^\s*(?:(?:pues|bueno|ok|si|mira|este|ah)\s+)*"
    r"(?:es|era|seria|tengo|traigo|el mio es|la mia es|mi (?:carro|auto|coche) es)\s+(?:un|una)\b"
)


_OWN_BY_YEAR = re.compile(
    r"^\s*(?:(?:pues|bueno|ok|si|mira|este|ah|es|tengo)\s+)*(?:(?:un|una|el|la|mi)\s+)?"
    r"(?=[a-z][\w -]*\b(?:20[0-3]\d|19[89]\d)\b)(?!(?:busco|quiero|necesito|ocupo)\b)"
)
_OWN_DESCRIBED_LATER = re.compile(
    # "…mi carro, es un jetta 2017", "vendo mi auto, un aveo 2015", "mi camioneta que es una
    # captiva": the car described after the one they sell or trade in.
    r"(?:(?:^|[,.;!?]\s*)(?:y\s+)?(?:(?:es|era|seria)\s+)?|\b(?:que|q)\s+(?:es|era)\s+)"
    r"(?:un|una)\s+(?!(?:suv|sedan|camioneta|pickup|hatchback)\b)"
)


# "tengo un tsuru pero busco algo más moderno", "quiero cambiar de carro, traigo un versa": a car
# the customer has, said beside a change or before what they want, is not the search.
_HAVE_A_CAR = re.compile(
    r"\b(?:tengo|tenemos|traigo|traemos|manejo|manejamos)\s+(?:un|una)\s+"
    r"(\w+(?:[ -](?!(?:y|que|q|pero|para|pa|en)\b)\w+)?)(?!\s+(?:en mente|en la mira|visto))"
)
_WISH_AFTER = re.compile(
    r"\b(?:busco|buscando|quiero|quisiera|queremos|necesito|ocupo|me interesa\w*|me gustaria)\b"
)
_CHANGE = re.compile(r"\b(?:cambi\w*|vend\w*|a cuenta|enganche|entreg\w*|renovar)\b")


def _own_beside_wish(need_text: str, catalog: CarCatalog) -> tuple[str, str | None]:
    """The need text without a car the customer has, named beside a change or before a wish,
    and that car when they change, sell or trade it in ("Nissan Versa 2015")."""
    own = None
    change = _CHANGE.search(need_text) is not None
    rest = need_text  # the matches' positions are in ``need_text``; the cuts are made in ``rest``
    for m in _HAVE_A_CAR.finditer(need_text):
        if not (change or _WISH_AFTER.search(need_text, m.end())):
            continue
        named = catalog.match_need(m.group(1), car_context=True)
        if (named.make or named.model) and not named.suggestion:
            year = _YEAR.match(need_text[m.end() :].lstrip(" ,"))
            if change and own is None:
                own = " ".join(x for x in (named.make, named.model, year and year.group(0)) if x)
            rest = rest.replace(m.group(0), " ")
    return rest, own


_ASKS_FOR = re.compile(r"\b(?:tienes|tienen|tiene|hay|habra|tendras|tendran|manejan|venden)\s+$")


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
        # "¿qué carros tienen?", "¿qué opciones hay?": the whole catalogue is the need.
        r"(?:que|q|k|cuales|cuantos) (?:carros|autos|coches|opciones|modelos|unidades|vehiculos)"
        r" (?:tienen|tienes|hay|manejan|manejas|venden|vendes|me ofreces|me ofrecen)",
        r"(?:que|q|k) (?:tienen|tienes|hay|me ofreces|me ofrecen|me puedes ofrecer|manejan)"
        r"(?: (?:disponibles?|en venta|ahorita|para mi|pa mi))?\W*$",
        r"lo que tengan", r"muestrame lo que tienes", r"ensename lo que tienes",
        # "¿qué/cuál me recomiendas?", "tú dime cuál", "el que tú me digas": their pick is ours.
        r"(?:que|q|k|cual|cuales|tu que) (?:me |nos )?(?:recomiend\w+|sugier\w+|aconsej\w+"
        r"|ofreces|conviene\w*)",
        r"(?:tu|usted) (?:dime|digame|me dices|decide\w*|escoge|elige)",
        r"(?:el|la|lo) que (?:tu|usted) (?:me )?(?:digas|diga|recomiendes|recomiende)",
    )
)  # fmt: skip


def _open_need(folded: str) -> bool:
    return _has(folded, _OPEN_NEED) or _bare(folded) in ("no se", "no lo se", "nose")


_OTHER_MAKE = re.compile(
    r"\b(?:otr[oa]s?|diferentes?|distint[oa]s?)\s+marcas?\b|\bde otro fabricante\b"
)


def _read_need(
    text: str, folded: str, no_phone_text: str, *, state: ConversationState, catalog: CarCatalog
) -> tuple[dict[str, Any], str]:
    """The need's fields of the reading, and the text without phones nor the makes left out."""
    pending = state.next_action
    # Need: the catalogue's disciplined matcher, on text without phone numbers.
    car_context = pending in (Action.ASK_NEED, Action.ASK_BUDGET, Action.CHOOSE_OPTION) or bool(
        parsing.find_amounts(no_phone_text)
    )
    # "mi camioneta vieja", "mi carro actual": the car the customer has, not the one they want.
    # "que no sea nissan", "ninguno de chevrolet": makes to leave out, never the search nor a
    # choice among the options shown.
    excluded_makes, no_phone_text = _excluded_makes(no_phone_text, catalog)
    if state.slots.options and _OTHER_MAKE.search(no_phone_text):
        # "¿no hay otra marca?": the makes shown are left out of the next search.
        excluded_makes += [c.make for c in state.slots.options if c.make not in excluded_makes]
    need_text = _NOT_DEAR.sub(" barato ", _OWN_NAMED.sub(" ", _OWN_CAR.sub(" ", no_phone_text)))
    need_text, had_car = _own_beside_wish(need_text, catalog)
    own_car, need_text = _own_car(need_text, no_phone_text, state=state, catalog=catalog)
    own_car = own_car or had_car
    need = (
        catalog.match_need(need_text, car_context=car_context) if _bare(need_text) else NeedMatch()
    )
    need = _gearbox_negated(need, need_text)
    alternatives: tuple[tuple[str | None, str | None], ...] = ()
    if (need.make or need.model) and _DISJUNCTION.search(need_text):
        need, alternatives = _alternatives(need, need_text, catalog)
    fuzzy = bool(need.suggestion)
    seats = _seats(no_phone_text)
    year_m = _YEAR_MIN.search(no_phone_text)
    year_min = int(year_m.group(1) or year_m.group(2)) if year_m else None
    if year_min is None and need.model and (listed := _MODEL_YEAR.search(need_text)):
        year_min = int(listed.group(1))  # "el versa 2020 que tienen publicado": that listing
    km_m = _KM_MAX.search(parsing.prepare_money_text(text))
    km_max = None
    if km_m:
        value = int(re.sub(r"\D", "", km_m.group(1)))
        km_max = value * 1000 if km_m.group(2) or value < 1000 else value
    elif _LOW_KM.search(folded):
        km_max = LOW_KM_MAX  # "con poco kilometraje": under 50,000 km, said in the reply
    open_need = _open_need(folded)
    fields = {
        "need": need,
        "open_need": open_need,
        "seats": seats,
        "year_min": year_min,
        "km_max": km_max,
        "any_year": year_min is None and _ANY_YEAR.search(folded) is not None,
        "excluded_makes": tuple(excluded_makes),
        "own_car": own_car,
        "fuzzy": fuzzy,
        "alternatives": alternatives,
        # "¿puedo cambiar mi camioneta por una más nueva?" trades the customer's car in.
        "better": None
        if _TRADE.search(folded)
        else next((k for k, p in _RELATIVE.items() if p.search(folded)), None),
    }
    return fields, no_phone_text


# A gearbox said with a negation: "no sé manejar estándar", "que no sea automático", "nada de
# estándar": the other one is wanted.
_NEGATED_GEARBOX = re.compile(
    r"\b(?:no|ni|nada de|sin)\s+(?:(?:se|sea|sean|quiero|me gusta\w*|manejo|manejar|puedo|se"
    r"|sabe|de)\s+){0,3}(?:(?:un|una|el|la|los|las)\s+)?(estandar|manual\w*|standard|std"
    r"|automatic[oa]s?)\b"
)
_OTHER_GEARBOX = {"manual": "automatic", "automatic": "manual"}


def _gearbox_negated(need: NeedMatch, need_text: str) -> NeedMatch:
    """The gearbox the matcher read, unless the customer said it with a negation."""
    if need.transmission is None:
        return need
    m = _NEGATED_GEARBOX.search(fold(need_text))
    if m is None:
        return need
    negated = "automatic" if m.group(1).startswith("automatic") else "manual"
    if negated != need.transmission:
        return need  # "no estándar, automático": the other one was named too
    return dataclasses.replace(need, transmission=_OTHER_GEARBOX[negated])


_TRADE = re.compile(r"\bcambi\w*\b.*\bmi\b|\bmi\b.*\bcambi\w*|\ba cuenta\b")


# "un rio o un versa", "mazda, honda o kia", "el jetta y el vento": several names, any will do.
# Between two names: "un rio o un versa", "versa, aveo", "un versa pero también el aveo".
_DISJUNCTION = re.compile(r"\s(?:o|u|y|y/o|or|pero|tambien|ademas|ni)\s|,|/|\.(?!\d)")
# "no muy caro", "que no sea tan caro": cheap, said the other way round.
_NOT_DEAR = re.compile(
    r"\bno (?:sea )?(?:muy |tan |tanto |demasiado )?(?:car[oa]s?|costos[oa]s?)\b"
)


def _alternatives(
    need: NeedMatch, need_text: str, catalog: CarCatalog
) -> tuple[NeedMatch, tuple[tuple[str | None, str | None], ...]]:
    """The first name said is the search; every other one an alternative (in the order said)."""
    names: list[tuple[str | None, str | None]] = []
    for part in _DISJUNCTION.split(need_text):
        if not _bare(part):
            continue
        m = catalog.match_need(part, car_context=True)
        name = (m.make, m.model)
        if (m.make or m.model) and not m.suggestion and name not in names:
            names.append(name)
    if len(names) < 2:
        return need, ()
    first = names[0]
    return dataclasses.replace(need, make=first[0], model=first[1]), tuple(names[1:])


# "que no sea china", "nada coreano", "ningún carro japonés", "sin chinos": a country's makes.
_NEGATED_ORIGIN = re.compile(
    r"\b(?:(?:que )?no (?:sea|sean|quiero|me gusta\w*)|ningun[oa]?s?|nada|sin|excepto|menos)"
    r"(?:\s+(?:un|una|los|las|de|del|marca|marcas|carro|carros|auto|autos|coche|coches"
    r"|camioneta|camionetas|algo))*\s+(" + "|".join(lexicon.MAKES_BY_ORIGIN) + r")\w*"
)


def _excluded_makes(no_phone_text: str, catalog: CarCatalog) -> tuple[list[str], str]:
    """The makes the customer does not want, and the text without them."""
    excluded_makes: list[str] = []
    for m in _NEGATED_ORIGIN.finditer(no_phone_text):
        origin = next(o for o in lexicon.MAKES_BY_ORIGIN if re.fullmatch(o, m.group(1)))
        excluded_makes += list(lexicon.MAKES_BY_ORIGIN[origin])
        no_phone_text = no_phone_text.replace(m.group(0), " ")
    for m in _NEGATED_CAR.finditer(no_phone_text):
        if _ASKS_FOR.search(no_phone_text[: m.start()]):
            continue  # "¿no tienes nada de BMW?" asks for BMW
        negated = catalog.match_need(m.group(1), car_context=True)
        if negated.make and not negated.suggestion:
            excluded_makes.append(negated.make)
            no_phone_text = no_phone_text.replace(m.group(0), " ")
    return excluded_makes, no_phone_text


def _own_car(
    need_text: str, no_phone_text: str, *, state: ConversationState, catalog: CarCatalog
) -> tuple[str | None, str]:
    """The customer's own car described beside a sale or trade-in, and the need text without it."""
    # "es un vento 2016" right after asking how to sell or trade in a car: the customer's car.
    own_car = None
    context = fold(state.faq_context or "")
    described = _OWN_DESCRIBED.match(need_text)
    if described is None and state.slots.selling and not state.slots.has_need:
        # "un sentra 2017" right after "quiero vender mi carro": the car to sell, by its year.
        described = _OWN_BY_YEAR.match(need_text)
        context = context or "vender"
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
    return own_car, need_text
