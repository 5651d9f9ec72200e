"""Questions about the cars shown: which fields, which option, side by side or a rank."""

from __future__ import annotations

import re
from dataclasses import dataclass

from conversations.engine.cues import _IF_NOT_LIKED, LEAD_IN
from conversations.engine.reading.need import (
    _ANY_YEAR,
    _RELATIVE,
    _seats,
)
from conversations.engine.reading.options import (
    _DISLIKED,
    _RANK_CHOICES,
    _RANK_PATTERNS,
    _names,
    _option_index,
    _options_named,
    _rank_index,
)
from conversations.engine.reading.text import (
    _alternation,
    _bare,
    _has,
)
from conversations.engine.state import CarOption


@dataclass(frozen=True)
class CarQuestion:
    """A question about the cars shown: which one (None: all shown, or the chosen one)."""

    fields: tuple[str, ...]
    index: int | None = None
    rank: str | None = None  # "cual es el más nuevo?": answer with the car, do not choose it
    recommend: bool = False  # "¿cuál me recomiendas?": side by side, and the best fit named
    among: tuple[int, ...] = ()  # "¿el onix o el rio, cuál es mejor?": only those (0-based)


# "¿y de qué año es?" right after a question about one option: the same option (a plural verb,
# "¿y de qué año son?", asks about all of them).
_FOLLOW_UP = re.compile(
    r"^(?:y|e)\s+(?!.*\b(?:son|tienen|traen|cuestan|estan|vienen|todos|todas|cada)\b)"
    r"(?:\S+\s+){0,5}\S+\W*$"
)
# "¿y la 2?", "y el tercero?": the question just asked about one option, now about another.
_ELLIPTICAL = re.compile(
    r"^(?:y|e)\s+(?:(?:que tal|como es|como esta)\s+)?(?:el|la)\s+"
    r"(?:[1-9]|primer[oa]?|segund[oa]|tercer[oa]?|ultim[oa]|otr[oa])\W*$"
)


_KAVAK_TOPIC = re.compile(
    r"\b(?:kavak|vend\w*|garant\w*|sucursal\w*|sede\w*|prueba|devol\w*|regres\w*|document\w*|"
    r"papeles|requisit\w*|credito|financ\w*|app|aplicacion|certific\w*|inspecc\w*|a cuenta|"
    # "el seguro", "seguros de auto"; not "algo seguro", "un carro más seguro" (safe).
    r"(?<!algo )(?<!auto )(?<!carro )(?<!coche )(?<!muy )(?<!mas )(?<!sea )(?<!bien )seguro\w*|"
    r"tramite\w*|ubicad\w*|direccion\w*|horario\w*|confiable|entrega\w*|domicilio|"
    # "¿hacen envíos a Mérida?", "¿me lo envían?": delivering the car is Kavak's service.
    r"envio\w*|envian|enviar\w*|envias|"
    # "cotizar mi carro" is selling it; "cotizar un auto" is buying one (the catalogue's).
    r"cotiz\w*(?!\s+(?:un|una|el|la|algun|alguna|unos|unas)\b)|mantenimiento|servicio\w*|placas|"
    r"factura|"
    # A car bought here that fails is a warranty question: "tiene una falla", "se descompuso".
    r"falla\w*|descompu\w*|averi\w*|"
    # "¿como cuánto me darían?" after "quiero vender mi carro": the sale of their car.
    r"darian|pagarian|ofrecerian)\b"
)


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
              r"cuanto es", r"cuanto(?=\W*$)",
              # Asked back in the past tense: "¿cuánto era?", "¿en cuánto estaba?" (not of the
              # plan: "¿cuánto era la mensualidad?" is the plan's figure).
              r"(?:cuanto|a como) (?:era|eran|estaba|estaban|costaba|costaban|salia|valia)"
              r"(?!.*\b(?:mensual\w*|enganche|pago\w*|interes\w*|plazo\w*|al mes)\b)"),
    "version": (r"version", r"motor", r"equipamiento", r"equipado", r"que trae", r"cilindros"),
    "seats": (r"pasajeros", r"asientos", r"plazas", r"lugares", r"cuantas personas", r"filas?"),
    "carplay": (r"carplay", r"car play", r"android auto", r"apple car\w*"),
    "bluetooth": (r"bluetooth", r"blutu\w*", r"bluetu\w*"),
    "color": (
        r"color", r"colores",
        # "¿hay en blanco?", "¿lo tienen en rojo?": a colour asked of the car shown.
        r"(?:en|de color)\s+(?:blanc|negr|roj|gris|azul|plat|verde|amarill|cafe|beige|dorad|vino"
        r"|arena|guind)\w*",
    ),
    "fuel": (r"gasolina", r"diesel", r"hibrido", r"electrico"),
    "owners": (
        r"duen[oa]s?", r"choques?", r"chocad[oa]s?", r"factura\w*", r"historial", r"accidente\w*",
        r"siniestr\w*", r"golpead[oa]s?", r"golpes",
    ),
    "location": (
        r"en que sucursal", r"donde esta", r"donde se encuentra", r"donde lo tienen",
        r"donde la tienen", r"en que ciudad esta", r"donde lo puedo ver", r"donde la puedo ver",
    ),
    "photos": (
        r"fotos?", r"fotografias?", r"imagen\w*", r"videos?", r"verlo en foto",
        r"link", r"liga", r"enlace", r"url", r"pagina del (?:auto|carro|coche)",
    ),
    # Equipment the catalogue does not list: answered honestly, never taken for a choice.
    "equipment": (
        r"camara\w*", r"sensor\w*", r"quemacocos", r"techo panoramico", r"pantalla\w*",
        r"navegador", r"gps", r"aire acondicionado", r"aire", r"a/?c", r"clima", r"rines",
        r"asientos de piel", r"vestiduras", r"piel", r"llave inteligente", r"arranque por boton",
        r"bolsas de aire", r"frenos abs", r"control crucero", r"crucero",
    ),
    # Comfort and room: the catalogue has no such data (answered honestly).
    "comfort": (r"comod\w*", r"confort\w*", r"espacios[oa]", r"amplitud", r"silencios[oa]"),
    # Fuel economy: the catalogue has no consumption figures (answered honestly).
    "consumption": (
        r"gasta\w*", r"consum\w*", r"rinde", r"rinden", r"rendimiento", r"rendidor\w*",
        r"km por litro", r"kilometros por litro", r"gasolina que gasta",
    ),
    # Room and power: the catalogue has neither (answered honestly, never off topic).
    "capacity": (
        r"cajuela\w*", r"maletero", r"espacio", r"espaciosa\w*", r"capacidad", r"mas carga",
        r"carga mas", r"aguanta\w*", r"potencia", r"potente", r"caballos", r"hp", r"torque",
    ),
    # Drive: the catalogue has it only where the version names it ("4WD", "AWD", "4X4").
    "traction": (
        r"4x4", r"4 x 4", r"4x2", r"awd", r"4wd", r"2wd", r"traccion\w*", r"doble traccion",
        r"todo terreno", r"todoterreno",
    ),
    # "las características de la opción 2": every fact the catalogue has.
    "details": (
        r"caracteristicas", r"detalles", r"especificaciones", r"ficha tecnica", r"ficha",
        r"mas informacion", r"mas info", r"info de", r"informacion de",
        r"(?:que|q|k|ke) tal (?:esta|es|se ve|anda|sale)", r"como (?:esta|se ve|anda)",
        # "q onda con el 3, ¿está bueno?", "¿vale la pena el 2?": how it is, not taking it.
        r"(?:que|q|k|ke) onda con (?:el|la|los|las)", r"(?:esta|es|sale|anda) buen[oa]",
        r"vale la pena",
        # "la 1 q tal?": how that option is (an option, then "qué tal" and nothing more)
        r"(?:el|la|opcion)\s+(?:\d|primer\w*|segund\w*|tercer\w*|ultim\w*)\s+"
        r"(?:que|q|k|ke) tal\W*$",
    ),
    "available": (
        r"disponible", r"sigue", r"siguen", r"todavia lo tienen", r"todavia la tienen",
        r"ya se vendio", r"lo tienen", r"la tienen", r"esta apartad[oa]", r"(?<!me )lo apartan",
        r"(?:lo|la) (?:apartaron|vendieron|reservaron)", r"(?:ya )?(?:esta )?vendid[oa]",
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
    rf"^{LEAD_IN}(?:cuanto|cuantos|cuanta|cuantas|que|cual|cuales|es|son|tiene|tienen|trae|"
    r"traen|de que|me dices|dime|sabes|como|esta|viene|tienes|hay)\b"
)
# An interrogative anywhere: "y el 2 de qué año es", "la segunda qué motor tiene".
_INTERROGATIVE = re.compile(
    r"\b(?:de que|que tal|cuantos|cuantas|cuanto|cual|cuales|como es"
    r"|que (?:ano|anio|modelo|motor|version|transmision|caja|kilometraje|km|kms|color|traccion"
    r"|equipo|equipamiento|tipo))\b"
)
_KB_TOPICS = _alternation(
    (
        r"prueba", r"garantia", r"devolver", r"devolucion", r"documentos", r"papeles",
        r"sucursal\w*", r"vender", r"venta de mi", r"a cuenta", r"seguro", r"tramite\w*", r"app",
        r"certific\w*", r"inspeccion", r"kavak", r"ustedes", r"manejar en",
    )
)  # fmt: skip


_TAKES = re.compile(r"\b(?:dame|damela|damelo|quiero|me (?:la|lo) llevo|me quedo|va|ok)\b")
_COMPARE = re.compile(
    r"\b(?:diferencia\w*|compar\w*|cual (?:es|sale|esta|me conviene) (?:mejor|mas)|que tiene de"
    r" (?:diferente|mejor)|en que se (?:diferencian|parecen)|versus|vs)\b"
)
_COMPARED_FIELDS = ("price", "year", "km", "transmission")
# Which of the options shown is best for the customer: answered with the options side by side.
_RECOMMEND = re.compile(
    r"\bcual(?:es)?\b.*\b(?:me conviene\w*|conviene\w*|recomienda\w*|recomendarias|es mejor"
    r"|esta mejor|sale mejor|mejor opcion|elegirias|escogerias|agarrarias|te late mas|seria mejor"
    r"|mas segur[oa]|mas confiable|mas rendidor\w*|mas buen[oa]|vale mas la pena"
    r"|mas comod[oa]|mas espacios[oa]|mas ampli[oa]|mas bonit[oa]|mas facil de manejar)\b"
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


def _rank_question(
    folded: str, options: tuple[CarOption, ...], fields: tuple[str, ...], rank: str | None
) -> CarQuestion | None:
    """ "¿Cuál tiene menos km?", "¿la más barata cuánto es?", "¿y la más cara?": the option of
    that rank, asked about, not chosen ("dame la más barata" chooses it)."""
    # The field named is the rank's own ("menos km" is the km), so still a rank question.
    own = {"newest": "year", "cheapest": "price", "priciest": "price", "lowest_km": "km"}
    if rank is None or not options or not set(fields) <= {own.get(rank)}:
        return None
    asked_about = re.search(r"\bcual\b", folded) or (
        _has(folded, _RANK_CHOICES[rank]) and not _TAKES.search(folded)
    )
    return (
        CarQuestion(fields=(), index=_rank_index(rank, options), rank=rank) if asked_about else None
    )


def _car_question(
    folded: str,
    options: tuple[CarOption, ...],
    chosen: CarOption | None,
    question: bool,
    focus_fields: tuple[str, ...] = (),
    focus: int | None = None,
) -> CarQuestion | None:
    if focus_fields and options and chosen is None and _ELLIPTICAL.match(folded):
        index = _option_index(folded, options, loose=False)
        if index is not None:
            return CarQuestion(fields=focus_fields, index=index)
    if not (options or chosen) or not _asks_of_these(folded, question):
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
    # Two or more options named, by number or by model: "¿el onix o el rio, cuál es mejor?"
    named = _options_named(folded, options) or tuple(
        i for i, car in enumerate(options) if _names(folded, car.model)
    )
    among = named if len(named) > 1 else ()
    if options and _COMPARE.search(folded) and (_COMPARED.search(folded) or among):
        # "¿qué diferencia hay entre el 1 y el 2?": the options side by side, never a choice.
        recommend = not fields and _RECOMMEND.search(folded) is not None
        return CarQuestion(
            fields=fields or _COMPARED_FIELDS, index=None, recommend=recommend, among=among
        )
    if among and _RECOMMEND.search(folded) and not _ADVISOR.search(folded):
        return CarQuestion(
            fields=fields or _COMPARED_FIELDS, index=None, recommend=not fields, among=among
        )
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
        return CarQuestion(
            fields=(*(fields or _COMPARED_FIELDS), *extra), index=None, recommend=not fields
        )
    rank = next((r for r, p in _RANK_PATTERNS.items() if _has(folded, p)), None)
    ranked = _rank_question(folded, options, fields, rank)
    if ranked is not None:
        return ranked
    if not fields:
        return None
    if fields == ("seats",) and index is None and _seats_searched(folded):
        return None  # "¿y de 5 pasajeros qué tengas?": a new search, not a question about these
    kavak = _has(folded, _KB_TOPICS) or _KAVAK_TOPIC.search(folded)
    if index is None and kavak and "location" not in fields:
        return None  # "¿cuántos km puedo manejar en la prueba?" is about Kavak
    if rank and not _has(folded, _RANK_CHOICES[rank]):
        index = None  # "¿y más barato?" is no option; "¿la más barata tiene…?" is one
    elif index is None and focus is not None and chosen is None and _FOLLOW_UP.match(folded):
        index = focus if focus < len(options) else None  # "¿y de qué año es?": the same one
    among = () if index is not None else _those_asked(folded, options, chosen, named)
    return CarQuestion(fields=fields, index=index, among=among)


def _asks_of_these(folded: str, question: bool) -> bool:
    """Whether the message asks something (of the cars shown, if any is named); "¿algo con menos
    km?", "¿y de otro año?" ask for other cars, not about these."""
    bare = _bare(folded)
    asks = (
        question
        or _QUESTION_WORD.match(bare) is not None
        or _INTERROGATIVE.search(bare) is not None  # "y el 2 de qué año es"
        or _has(folded, _FIELD_PATTERNS["details"])  # "más info del 1" asks, it does not choose
        or _has(folded, _FIELD_PATTERNS["photos"])  # "mándame fotos de la 2"
    )
    others = _ANY_YEAR.search(folded) or any(p.search(folded) for p in _RELATIVE.values())
    return asks and not others


def _those_asked(
    folded: str, options: tuple[CarOption, ...], chosen: CarOption | None, named: tuple[int, ...]
) -> tuple[int, ...]:
    """Some of the options, not all: "¿la cx5 de qué año es?" with two CX-5 shown (those two);
    "¿y la otra en cuánto estaba?" after choosing (the options not chosen)."""
    if 0 < len(named) < len(options):
        return named
    if chosen is not None and _OTHER_ONES.search(folded):
        return tuple(i for i, car in enumerate(options) if car.stock_id != chosen.stock_id)
    return ()


_OTHER_ONES = re.compile(r"\b(?:la|el|las|los) otr[oa]s?\b")


# "de 7 pasajeros", "¿hay con tercera fila?", "algo para 8": seats asked of the catalogue; "¿todas
# tienen 3 filas?", "¿tiene tercera fila?" ask about the cars shown.
_SEATS_SEARCH = re.compile(
    r"\b(?:de|para|con) (?:\d{1,2}|tercera|3|tres)\b|\b(?:hay|tengas|tienes|manejan|manejas|busco"
    r"|quiero|necesito|algo|alguna?|alguno|otra|otro|otras|otros|mas)\b"
)


def _seats_searched(folded: str) -> bool:
    return _seats(folded) is not None and _SEATS_SEARCH.search(folded) is not None


# A choice in words: "me interesa la 2, ¿tiene garantía?" chooses; "¿la 2 tiene garantía?" asks.
_CHOOSES = re.compile(
    r"\b(?:quiero|me interesa|me gusta|me late|me quedo|me llevo|escojo|elijo|prefiero|compro)\b"
)


# "¿hay otro versa más barato?": more cars of that kind, cheaper; none of those shown.
_ANOTHER_CHEAPER = re.compile(
    r"\b(?:otr[oa]s?|algo|alguna?|alguno|hay)\b.*\bmas (?:barat|econom|accesible)\w*"
)


def _not_a_choice(folded: str, *, question: bool) -> bool:
    """An option named in a message that does not choose it: "el 3 está muy caro, ¿tienes otro
    parecido?", "la 2 no me gustó", or a question about Kavak that names it ("¿el primero tiene
    garantía?": the warranty is asked, nothing is chosen)."""
    if _DISLIKED.search(_IF_NOT_LIKED.sub(" ", folded)):  # "si no me gusta…" is a condition
        return True
    if any(p.search(folded) for p in _RELATIVE.values()) or _ANOTHER_CHEAPER.search(folded):
        return True  # "me gusta la 1 pero está muy rodada, ¿hay otra con menos km?": others
    return question and _KAVAK_TOPIC.search(folded) is not None and not _CHOOSES.search(folded)
