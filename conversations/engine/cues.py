"""Cue words of a message's intents: yes and no, greetings, questions, thanks, a person, a new
search, a visit, cash, other options, haggling and discounts, attempts to break the rules."""

from __future__ import annotations

import re
from collections.abc import Callable

from conversations.engine.parsing import _has_any, fold

# --- Yes / no, greetings, intents ---------------------------------------------------------------
_YES = (
    r"si",
    r"sip",
    r"simon",
    r"claro",
    r"va",
    r"sale",
    r"ok",
    r"okay",
    r"okey",
    r"dale",
    r"de acuerdo",
    r"me parece",
    r"por supuesto",
    r"correcto",
    r"afirmativo",
    r"orale",
    r"esta bien",
    r"perfecto",
    r"me interesa",
    r"si por favor",
    r"andale",
    r"eso",
    r"exacto",
    r"me late",
    r"vale",
    r"👍+",
)
_NO = (
    r"no",
    r"nel",
    r"nop",
    r"nope",
    r"para nada",
    r"todavia no",
    r"ahorita no",
    r"aun no",
    r"no gracias",
    r"mejor no",
    r"negativo",
    r"paso",
)


# Yes and no words used as something else: "¿cuánto sale?", "me va a llamar", "¿y si le doy
# 100?" (a condition), "no muy caro" (an adjective negated).
_NOT_AN_ANSWER = re.compile(
    r"\b(?:cuanto|en cuanto|a como|me|te|se|le|lo|la|nos|les)\s+(?:sale|salen|va)\b"
    r"|\b(?:sale|salen|va)\s+(?:en|a|al|de|para|por|con|incluid\w*|junto|aparte|extra)\b"
    r"|\b(?:y|pero|o|que tal|aunque|como)\s+si\b"
    # "¿a cuántos meses me conviene si quiero pagar menos?": "si" after another word, before a
    # verb, is "if".
    r"|\b(?!(?:ok|okay|va|sale|claro|pues|bueno|ah|ya|dale|orale|que|q|este|eso)\b)[a-z]+\s+si"
    r"\s+(?:quiero|quisiera|queremos|le|les|lo|la|me|nos|doy|damos|pago|pagamos|tengo|tenemos"
    r"|puedo|podemos|pudiera|fuera|es|son|hay|tuviera|diera|pongo|meto|elijo|escojo|compro)\b"
    r"|\bno\s+(?:muy|tan|tanto|demasiado)?\s*(?:car[oa]s?|grandes?|viej[oa]s?|chic[oa]s?)\b"
)


def parse_yes_no(text: str) -> bool | None:
    folded = _NOT_AN_ANSWER.sub(" ", fold(text)).strip(" .!¡?¿,")
    no = _has_any(folded, _NO)
    yes = _has_any(folded, _YES)
    if no and not re.match(r"^(si|claro)\b", folded):
        return False
    if yes:
        return True
    return None


def is_greeting(text: str) -> bool:
    return _has_any(
        fold(text),
        (
            r"hola",
            r"buen[oa]s",
            r"buenos dias",
            r"buenas tardes",
            r"buenas noches",
            r"hey",
            r"saludos",
            r"(?:que|q|k|ke) (?:onda|pedo|pex)",
            r"(?:que|q|k|ke) tal",
            r"(?:quiubo|quihubo|que hubo|q hubo|kiubo|quiubole)",
            r"holi\w*",
            r"buen dia",
            r"wenas",
        ),
    )


# Words a message often opens with before what it says: "ok y…", "oye, …", "va pues…".
LEAD_IN = (
    r"(?:(?:ok|va|sale|vale|oye|oiga|oigan|bueno|pues|y|entonces|ah|mmm|mm|ey|disculpa|perdon"
    r"|una pregunta|pregunta|ya|aja|orale|hola|buenas|buen dia|buenas tardes|gracias|perfecto)"
    r"[\W_]*\s+)*"
)
_QUESTION_START = re.compile(
    rf"^{LEAD_IN}(?:que|como|cuando|donde|quien|quienes|cual|cuales|cuanto|cuanta|cuantos|cuantas"
    r"|por que|puedo|pueden|tienen|tienes|hay|me ayudas|sabes"
    # An indirect question: "quiero saber si puedo sacarlo a crédito", "tengo una duda: …".
    r"|(?:quiero|quisiera|queria|me gustaria|necesito|ocupo) saber|tengo una (?:duda|pregunta))\b"
)


# A later clause that asks without a question mark: "ese mero, cuánto de enganche mínimo"
# (only the words that cannot start a statement: "que sea", "como 200 mil" can).
_CLAUSE_QUESTION = re.compile(r"[,;.]\s*(?:y\s+)?(?:cuant[oa]s?|cual|cuales|donde)\b")


def is_question(text: str) -> bool:
    """A question by punctuation, by its first word after the lead-in words ("qué…", "ok y
    cuánto…", "oye, ¿tienen…"), or by a later clause's ("ese, cuánto de enganche")."""
    stripped = text.strip()
    folded = fold(stripped)
    return (
        "?" in stripped
        or bool(_QUESTION_START.match(folded.lstrip("¿¡ ")))
        or bool(_CLAUSE_QUESTION.search(folded))
    )


def is_goodbye(text: str) -> bool:
    """ "bye", "adiós", "nos vemos": the customer leaves ("buenas noches" greets as often)."""
    return _has_any(
        fold(text),
        (
            r"adios", r"bye", r"bai", r"bay", r"chao", r"chau", r"hasta luego", r"hasta pronto",
            r"hasta la proxima", r"nos vemos", r"me despido", r"cuidate", r"nos hablamos",
        ),
    )  # fmt: skip


def is_thanks(text: str) -> bool:
    return _has_any(fold(text), (r"gracias", r"muchas gracias", r"mil gracias", r"te agradezco"))


def wants_human(text: str) -> bool:
    folded = fold(text)
    who = r"(?:asesor|asesora|humano|persona|agente|ejecutiv[oa]|vendedor|vendedora|alguien)"
    return bool(
        re.search(
            rf"\b(?:hablar|platicar|comunicar|contactar|pasar|pasame|comunicame|quiero|"
            rf"necesito|con)\b.*\b{who}\b",
            folded,
        )
        or re.search(
            rf"\b(?:un|una|el|la|al|a un)\s+{who}\s*(?:real|humano|por favor|porfa)?\b$", folded
        )
        or folded in ("asesor", "humano", "agente", "un asesor", "persona real")
    )


def wants_reset(text: str) -> bool:
    return _has_any(
        fold(text),
        (
            r"(?:empezar|empecemos|empezamos|comenzar|comencemos|iniciar|iniciemos)"
            r" (?:de nuevo|otra vez|desde cero|desde el principio)",
            r"(?:volver|volvamos|vuelve|vuelvo) a (?:empezar|comenzar|iniciar)",
            r"reiniciar",
            r"reinicia",
            r"reset",
            r"desde cero",
            r"desde el principio",
            r"(?:borra|borrar|olvida|olvidalo|olvidate de) todo",
            r"borron y cuenta nueva",
            r"nueva busqueda",
            r"otra busqueda",
        ),
    )


def wants_cash(text: str) -> bool:
    return _has_any(
        fold(text),
        (
            # "contado" is only ever the way to pay here: "mejor contado", "pago contado"
            r"contado",
            r"en efectivo",
            # "efectivo" alone or after a word of choice ("mejor efectivo"), or "cash"
            r"^\W*(?:(?:mejor|prefiero|pago|pagaria|seria|no|nah|nel|ok|va|pues)\W+)*efectivo\b",
            r"^\W*cash\W*$",
            r"(?:lo|la) pago (?:todo|completo|de una)",
            r"pago de una (?:vez|sola exhibicion)",
            r"(?:una|1) sola exhibicion",
            r"pago completo",
            r"sin financiamiento",
            r"sin credito",
            r"cash",
        ),
    )


# Haggling over a car shown ("¿me lo dejas en 250?", "¿me lo puedes dejar más barato?"): the
# price is the catalogue's, never a cheaper search nor a new budget.
_HAGGLE = (
    r"(?:me|nos) (?:lo|la) (?:puedes |podrias |pueden |podrian |puede |podria )?"
    r"(?:dejar|dejas|dejan|deja|das|dan|da|vendes|venden|vende)\b(?! de)",
    r"dejarmel[oa]",
    r"dejarnosl[oa]",
    r"me hace\w* (?:un )?(?:precio|descuento)",
    r"precio especial",
    r"ultimo precio",
    r"menos precio",
    r"(?:mejorar|mejoran|mejoras|bajar|bajan|bajas|baja) (?:el|su|tu) precio",
)
# ...unless it is about the plan: "¿me lo dan a 72 meses?", "¿me lo dejan con 10% de enganche?".
_PLAN_WORDS = re.compile(
    r"\b(?:mes|meses|anos|ano|plazos?|credito|financ\w*|mensual\w*|enganche|contado|%)(?!\w)"
)


# "¿algo parecido?", "otro similar", "una como esa": the same kind of car, any make.
_SIMILAR = re.compile(
    # "algo parecido", "algo más barato parecido", "uno más nuevo similar".
    r"\b(?:algo|otr[oa]s?|alguno|alguna|uno|una|algun)\s+(?:mas\s+\w+\s+(?:y\s+)?|mas\s+)?"
    r"(?:parecid[oa]s?|similar(?:es)?"
    r"|por el estilo|del estilo|del mismo tipo)\b|\b(?:uno|una|algo) como (?:ese|esa|este|esta)\b"
)


# "¿qué precios manejan?", "¿cuánto cuesta un carro con ustedes?", "¿desde cuánto tienen?": the
# catalogue's range asked, with no car in mind yet.
_PRICES = re.compile(
    r"\b(?:que|de que) precios\b|\brangos? de precios?\b|\bdesde cuanto\b"
    r"|\bcuanto (?:cuesta|cuestan|sale|salen|valen?) (?:un|una|los|las|sus) (?:carro|auto|coche"
    r"|camioneta|vehiculo)s?\b(?! (?:de|del|como|que|tipo)\b)"
    r"|\bprecios? (?:de|que manejan en) (?:sus|los) (?:carros|autos|coches|camionetas)\b"
    # "¿cuánto cuesta el carro más caro que tienen?": the top (or bottom) of the range.
    r"|\b(?:el|la) (?:(?:carro|auto|coche|camioneta) )?mas (?:car[oa]|barat[oa]|economic[oa])"
    r" (?:que|q) (?:tienen|tengan|manejan|hay|venden)\b"
)


# Selling one's car to Kavak: "quiero vender mi carro", "¿cuánto me darían?", "¿me lo compran?".
_SELL = re.compile(
    r"\b(?:vender|vendo|venderles|venderlo|venderla|venta de) (?:mi|mis|nuestr[oa]|el|la|un|una)\b"
    r"|\bcuanto (?:me|nos) (?:darian|dan|pagarian|pagan|ofrecen|ofrecerian)\b"
    r"|\b(?:me|nos) (?:lo|la) compra\w*"
    # "traigo una versa que quiero vender", "tengo un aveo, lo quiero vender": the car said first.
    r"|\b(?:que|q|lo|la) (?:quiero|quisiera|queremos|me gustaria|pienso|planeo|busco|necesito)"
    r" vender(?:lo|la)?\b"
)


# The language asked about: "do you speak english?", "¿hablan inglés?", "can we talk in english".
_LANGUAGE = re.compile(
    r"\b(?:do you speak|speak english|talk in english|in english please|english please"
    r"|habl\w* (?:en )?ingles|en ingles (?:por favor|porfa|plis|please))\b"
)


def asks_language(folded: str) -> bool:
    return _LANGUAGE.search(folded) is not None


def wants_to_sell(folded: str) -> bool:
    return _SELL.search(folded) is not None


# Trading the customer's car in: "cambiar mi versa 2015 por algo más nuevo", "¿me toman mi carro
# como enganche?".
_TRADE_IN = re.compile(
    r"\bcambi\w* (?:mi|mis) (?:\w+ ){0,2}?(?:(?:del? |modelo )?\d{4} )?por\b"
    r"|\bmi (?:carro|auto|coche|camioneta|nave)\b.*\bcomo (?:parte del? )?enganche\b"
    # "¿cuánto me darían por mi versa para el enganche?": paid for theirs, as the down payment.
    r"|\bpor (?:mi|el|la) \w+\b.*\b(?:como|para el|pal|de) (?:parte del? )?enganche\b"
)


def wants_trade_in(folded: str) -> bool:
    return _TRADE_IN.search(folded) is not None


def asks_prices(folded: str) -> bool:
    return _PRICES.search(folded) is not None


def wants_similar(folded: str) -> bool:
    return _SIMILAR.search(folded) is not None


def haggles(text: str) -> bool:
    folded = fold(text)
    return _has_any(folded, _HAGGLE) and not _PLAN_WORDS.search(folded)


_MORE_OPTIONS = (
    r"(?:tienes|tienen|tendras|tendran|hay|habra|no hay|muestrame|ensename|pasame|mandame|dame"
    r"|quiero ver|puedo ver) (?:otr[oa]s|mas)(?: (?:opciones|autos|carros|coches|modelos))?"
    r"(?=\W*$)",
    r"^(?:y )?(?:otr[oa]s|mas opciones)(?=\W*$)",
    # "¿hay algo más?", "¿qué más tienes?", "¿no hay nada más?": anything else than those shown
    # ("nada más" alone is "only": "nada más viendo").
    r"(?:tienes|tienen|hay|habra|no hay|muestrame|ensename) (?:algo|alguna?|alguno|nada) mas"
    r"(?: (?:opciones|autos|carros|coches|modelos))?(?=\W*$)",
    r"(?:que|q|k) mas (?:tienes|tienen|hay|manejan|me ofreces|me puedes ofrecer)(?=\W*$)",
    r"^(?:y )?algo mas(?=\W*$)",
)


# "¿y si no me gusta, lo puedo regresar?": a condition (the returns question), not a rejection.
_IF_NOT_LIKED = re.compile(
    r"\bsi (?:no me|me llega a no|al final no me) (?:gust\w*|convenc\w*|late)\b"
)


def wants_other_options(text: str) -> bool:
    folded = _IF_NOT_LIKED.sub(" ", fold(text))
    if haggles(folded):
        return False
    return _has_any(folded, _MORE_OPTIONS) or _has_any(
        folded,
        (
            r"otras opciones",
            r"otra opcion",
            r"otros? modelos?",
            r"ver otros",
            r"ver otras",
            r"mas opciones",
            r"ninguno",
            r"ninguna",
            r"no me gusta\w*",
            r"algo mas barato",
            r"mas barato",
            r"mas economico",
            r"no me gusto",
            r"no me convence\w*",
            r"otro parecido",
            r"otra parecida",
            r"otros parecidos",
            r"otras parecidas",
            r"algo parecido",
            r"algo similar",
            r"otro similar",
            r"otra similar",
        ),
    )


def is_adversarial(text: str) -> bool:
    """Requests to break the rules: free cars, invented discounts, instructions to the bot."""
    return _has_any(
        fold(text),
        (
            r"gratis",
            r"regalad[oa]",
            r"regalame",
            r"regalo",
            r"sin pagar",
            r"de a gratis",
            r"ignora (?:tus|las|todas)\w*",
            r"olvida tus instrucciones",
            r"eres un(?!\s+(?:robot|bot|humano|persona|asistente|agente|chatbot|programa))",
            r"descuento del \d+",
            r"precio de \$?1\b",
            r"a \$?1 peso",
            r"un peso",
            r"prompt",
            r"system prompt",
        ),
    )


def wants_discount(text: str) -> bool:
    folded = fold(text)
    return haggles(folded) or _has_any(
        folded, (r"descuento", r"rebaja", r"mas barato el", r"negociar", r"regatear")
    )


# --- A budget the customer cannot or will not give ----------------------------------------------
# Said on its own: "no sé cuánto gastar", "no tengo presupuesto".
_NO_BUDGET = re.compile(
    r"\bno (?:se|sabria|tengo idea de?|estoy segur[oa] de) (?:de )?(?:hasta )?(?:cuanto|que tanto)"
    r" (?:me |le |nos )?(?:pueda |podria |puedo |puede |pueden )?"
    r"(?:gastar|invertir|pagar|tengo|dar|destinar|alcanz\w*)\b"
    r"|\bno tengo (?:un |ningun )?(?:presupuesto|monto)(?: fijo| definido)?\b"
    r"|\bsin presupuesto\b|\bpresupuesto abierto\b"
    # No cap: "el presupuesto es lo de menos", "no importa el precio", "sin límite".
    r"|\b(?:el )?(?:presupuesto|dinero|precio|costo|lana) (?:es lo de menos"
    r"|no (?:es problema|importa|hay problema))\b"
    r"|\bno (?:importa|hay bronca con|me importa) (?:el|lo) "
    r"(?:presupuesto|precio|costo|dinero|que cueste)\b|\b(?:sin|no tengo|no hay) limite\b"
    r"|\blo que cueste\b"
)
# Only as the answer to the budget question: "tú dime", "¿qué me recomiendas?", "ni idea".
_NO_BUDGET_ANSWER = re.compile(
    r"^(?:(?:pues|m+|hm+|este|la verdad|ay|uy)\W*\s*)*(?:no se|nose|ni idea|no tengo idea|tu dime"
    r"|lo que sea|cualquiera|no importa|lo que haya|el que sea"
    r"|(?:que|q|k) me recomiendas(?: tu)?|recomiendame(?: tu)?|lo que (?:me )?recomiendes"
    r"|depende(?: del? (?:carro|auto|precio))?|no estoy segur[oa]|no lo he pensado)\W*$"
)


def budget_unknown(folded: str, *, budget_asked: bool) -> bool:
    """The customer does not know (or will not say) how much to spend."""
    if _NO_BUDGET.search(folded):
        return True
    return budget_asked and _NO_BUDGET_ANSWER.match(folded) is not None


# "¿tienen automáticos?", "hola, ¿hay camionetas?": whether there are cars of a kind.
_HAVE = (
    r"(?:tienen|tienes|tiene|hay|manejan|manejas|venden|vendes|cuentan con|tendran|tendras|habra)"
)
_EXISTS = re.compile(
    r"^(?:\W*(?:y|e|oye|oiga|oigan|hola|buenas(?: tardes| noches)?|buenos dias|buen dia|ok|pues"
    r"|una pregunta|disculpa|entonces|no)\W*)*"
    rf"{_HAVE}\b"
)


# A car seen somewhere, or one in particular: "vi un cx5 2019 en su página", "el versa 2020".
_LISTING = re.compile(
    # "quisiera cotizar una honda crv 2017": a quote of a model and year is of that listing.
    r"\b(?:vi|vimos|publicad\w*|anunci\w*|pagina|sitio|web|app|marketplace|sigue disponible"
    r"|cotiz\w*|siguen disponibles|(?:todavia|aun) (?:lo|la) tienen)\b"
    r"|\b(?:el|la|ese|esa|este|esta)\s+[a-z][\w-]*(?:\s+[a-z0-9][\w-]*)?\s+(?:modelo\s+)?"
    r"(?:20[0-3]\d|19[89]\d)\b"
)


# "¿y qué modelos?", "¿cuáles tienen?": the cars of the kind in mind, asked to be listed.
_WHICH_MODELS = re.compile(
    r"^\W*(?:(?:y|ok|va|oye|ah)\W+)*(?:que|cuales|cual)\s+(?:modelos|opciones|versiones|tienen"
    r"|hay|manejan)(?:\s+(?:tienen|hay|manejan|tienes))?\W*$"
)


def asks_which_models(folded: str) -> bool:
    return _WHICH_MODELS.match(folded) is not None


def names_a_listing(folded: str) -> bool:
    return _LISTING.search(folded) is not None


def asks_exists(folded: str) -> bool:
    return _EXISTS.match(folded) is not None


# The thing asked for in "¿tienen el tiida?": one word after the verb and an article.
_ASKED_THING = re.compile(
    rf"\b{_HAVE}\s+(?:el|la|los|las|un|una|algun|alguna)"
    r"\s+([a-z][a-z0-9-]{2,})\W*$"
)


def unknown_name_asked(folded: str, *, known_word: Callable[[str], bool]) -> str | None:
    """ "¿tienen el tiida?" with a name no list knows: the name (the catalogue has none of it)."""
    if not _EXISTS.match(folded):
        return None
    m = _ASKED_THING.search(folded)
    if m is None or known_word(m.group(1)):
        return None
    return m.group(1)
