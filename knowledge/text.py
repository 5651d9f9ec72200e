"""Pure text processing for the knowledge base: no Django, no database.

The same normaliser runs on articles (index time) and on customers' messages (query time), so every
rule here (accent folding, WhatsApp slang, synonyms, stemming) is symmetric: "sede" in an article
and "sucursal" in a question end up as the same term.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import markdown as markdown_lib
import snowballstemmer

# --- Folding and tokenising -----------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z]+|\d+")
# Customers paste whole paragraphs; the first words carry the question.
MAX_QUERY_TOKENS = 40


def _wordlist(text: str) -> list[str]:
    return text.split()


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case and strip accents (á→a, ñ→n, ü→u): customers often type without them."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Multi-word expressions rewritten before tokenising (applied to folded text, both sides).
# Order matters: longer phrases first.
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"buen(?:os|as)? (?:dias|tardes|noches)|buen dia", " "),
    (
        r"prueba(?:s)? de manejo|test ?drive|manejarlo antes"
        r"|probar(?:lo|la)? (?:(?:el|la|un|una|mi) (?:auto|carro|coche|camioneta) )?"
        r"(?:antes de (?:comprar|comprarlo|comprarla)|en (?:mi |la )?casa|a domicilio)",
        " pruebamanejo ",
    ),
    # "¿Con cuánto de enganche…?" asks for the minimum down payment.
    (r"(?:con )?cuanto (?:de )?enganche|enganche de cuanto", " enganche minimo "),
    # Changing one's car ("cambiar mi carro", "tengo uno viejito y quiero cambiarlo") is a
    # trade-in; "cambiar el aceite" is not.
    (
        r"cambi(?:ar|o|an) (?:de |mi |el |tu )?(?:auto|carro|coche|camioneta)"
        r"|cambio de (?:auto|carro|coche|camioneta)|(?:quiero |queremos )?cambiarl[oa]\b",
        r" \g<0> acuenta ",
    ),
    (r"(?:buen|mal|excelente|perfecto) estado|(?:buenas|malas) condiciones", " condiciones "),
    (r"a cuenta|trade ?in|(?:como )?parte de(?:l)? pago", " acuenta "),
    (r"pago inicial", " enganche "),
    # "seguro" is both "safe" (our promise) and "insurance" (a topic no article covers).
    (
        r"seguros? (?:de|del|para (?:el|mi)) (?:auto|carro|coche|vehiculo)|aseguradora|poliza"
        r"|seguro de (?:danos|cobertura amplia)|cobertura amplia",
        " polizaseguro ",
    ),
    (r"kavak ?total", " kavaktotal "),
    (r"video ?llamada(?:s)?|videoconferencia", " videollamada "),
    (r"estado de mexico|edo\.? ?(?:de )?mex(?:ico)?\b|edomex", " edomex "),
    (r"ciudad de mexico|\bcd\.? ?mx\b|\bd\.?f\.?(?=\s|$)", " cdmx "),
    (
        r"no me (?:gusta|gusto|convence|convencio|late)|me arrepiento|arrepentirme"
        r"|no (?:quedo|quede) convencid[oa]|ya no (?:lo|la) quiero",
        " devolucion ",
    ),
    (r"\bsemi ?nuevos?\b", " seminuevo "),
    # "¿compran autos?" is about selling to Kavak, not buying from it.
    (
        r"compra(?:n|mos)? (?:mi |tu |su |tus |sus |los |el )?"
        r"(?:autos?|carros?|coches?|camionetas?)",
        " vender auto ",
    ),
    (
        r"(?:cuanto )?me (?:dan|das|pagan|pagarian|darian|ofrecen|ofreces|ofrecerian) por (?:mi|el)"
        r" \w+",
        " vender oferta ",
    ),
    (r"pasan por (?:mi|el) (?:auto|carro|coche|camioneta)", " recoger auto "),
    (r"cuantos (?:autos|carros|coches)(?: tienen| hay| manejan)?", " inventario "),
    (r"nuevo leon", " monterrey "),
    (r"de donde (?:es|son|eres|viene|vienen)\b", " nacio "),
    (r"descargar|instalar", " app "),
    (
        r"que (?:necesito|ocupo|piden|me piden|requiero|tengo que (?:llevar|presentar))\b",
        " requisitos ",
    ),
    (r"mas (?:tiempo de )?garantia", " extender garantia "),
    (r"(?:por|en) (?:video|videos)\b", " videollamada "),
    # Trust: "¿es de fiar?".
    (r"\bde fiar\b|\bfiables?\b", " confiable "),
    # Selling one's car in slang: "soltar mi coche".
    (r"soltar (?:mi |el |la )?(?:auto|carro|coche|camioneta|nave)", " vender auto "),
    # "¿cuánto tiempo tengo/me cubren…?" asks for a duration, not about time in general.
    (r"tiempo de (?:prueba|garantia)", " periodo "),
    (r"(?:desde|por) (?:el |mi |la )?(?:cel|celular|telefono|compu|computadora|casa)\b", " linea "),
    (r"sin salir de (?:mi |la |tu |su )?casa", " linea "),
    # Who Kavak is: "¿qué son?", "¿quiénes son ustedes?", "¿son una agencia o una empresa?".
    (
        r"(?:quien(?:es)?|que|q) (?:son|eres)(?: ustedes)?"
        r"(?:,? (?:una |un )?(?:agencia|empresa|startup|compania|lote))?\b"
        r"|(?:que|q) (?:hacen|ofrecen)(?: ustedes)?(?=\s*\??\s*$)|a que se dedican"
        r"|(?:que|q) es kavak\b"
        r"|(?:son|es) (?:una )?(?:agencia|empresa|startup|compania|marca)\b",
        " kavak empresa ",
    ),
    # Seeing cars in person means going to a branch.
    (r"(?:visitar(?:los|les)?|ir a ver(?:los)?|verlos|ir) en persona|en persona", " sucursal "),
    # Whose sale it is. Kavak selling ("los autos que venden", "antes de venderlos", "a la venta")
    # is about buying from Kavak; Kavak buying from the customer ("¿me lo compran?",
    # "comprármelo") is about selling to Kavak.
    (
        r"\bvenden\b|\bvendes\b|kavak vende\b|venderlos|venderlas"
        r"|antes de (?:vender|venderlo|venderla|ponerse a la venta)|a la venta",
        " comprar ",
    ),
    (r"comprarme(?:lo|la|los|las)?|me (?:lo |la )?compran|me (?:lo |la )?compren", " vender "),
    # The customer's car as the down payment, or "my car for another one": trade-in.
    (
        r"\bmi (?:auto|carro|coche|camioneta|nave|unidad)\b[^.?!]{0,40}"
        r"\b(?:enganche|por (?:otro|uno)|llevarme (?:otro|uno)|de pago)\b",
        r" \g<0> acuenta ",
    ),
    (r"una semana|siete dias", " 7 dias "),
    (r"fin(?:es)? de semana", " sabado domingo "),
    # Paying in instalments is financing.
    (
        r"a (?:\d+ )?meses|a plazos|en mensualidades|pagos (?:mensuales|chiquitos|fijos)",
        r" \g<0> financiamiento ",
    ),
    (r"play ?store|app ?store|google play", " playstore "),
    (r"mercado ?libre", " mercadolibre "),
    (
        r"(?:dar|dejar|entregar|dejarles|darles) (?:mi|el) (?:auto|carro|coche|camioneta)",
        r" \g<0> acuenta ",
    ),
)
# Places customers name around the cities with branches, folded → the metro area's term
# ("ecatepec" → "edomex"): the branches answer lists the area's branches (it reads the message
# itself, so the place still picks its branch). A place of the gazetteer is a known word, never
# one that counts against the articles; a place far from every branch stays an unknown word.
_AREAS: dict[str, tuple[str, ...]] = {
    "edomex": (
        "ecatepec", "naucalpan", "coacalco", "cuautitlan", "cuautitlan izcalli", "izcalli",
        "atizapan", "nezahualcoyotl", "neza", "chalco", "texcoco", "tecamac", "huixquilucan",
        "interlomas", "satelite", "ciudad satelite", "tultitlan", "nicolas romero",
    ),
    "cdmx": (
        "coyoacan", "tlalpan", "iztapalapa", "azcapotzalco", "xochimilco", "cuauhtemoc",
        "iztacalco", "cuajimalpa", "tlahuac", "condesa", "narvarte", "lindavista", "polanco",
        "napoles", "benito juarez", "miguel hidalgo", "alvaro obregon", "gustavo a madero",
    ),
    "monterrey": (
        "apodaca", "escobedo", "santa catarina", "san pedro garza garcia", "garza garcia",
        "san nicolas de los garza", "cumbres",
    ),
    "guadalajara": ("zapopan", "tlaquepaque", "tonala", "tlajomulco", "jalisco"),
    "puebla": ("cholula", "san andres cholula", "atlixco", "angelopolis"),
    "queretaro": ("corregidora", "juriquilla", "el marques"),
    "cuernavaca": ("jiutepec", "temixco", "morelos"),
}  # fmt: skip
PLACES: dict[str, str] = {place: area for area, places in _AREAS.items() for place in places}

# Names of places and businesses that are not Kavak's (cities without a branch, other companies).
# A question that names one of them and that no article mentions is about that other subject
# ("¿tienen sucursal en Mérida?", "¿a qué hora cierra el Oxxo?"): the ranker's ``foreign``
# feature. Car makes are apart: customers name them when selling or trading in their car, and
# only "la garantía *de Nissan*" (a make completing a Kavak word) is about the make.
FOREIGN_NAMES: frozenset[str] = frozenset(
    _wordlist(
        """
    tijuana mexicali ensenada merida cancun tulum leon toluca chihuahua juarez
    hermosillo veracruz xalapa oaxaca acapulco aguascalientes morelia saltillo torreon culiacan
    mazatlan tampico villahermosa pachuca durango zacatecas tuxtla campeche chetumal colima
    tepic tlaxcala celaya irapuato guanajuato vallarta reynosa matamoros laredo obregon potosi
    sinaloa sonora yucatan chiapas tabasco tamaulipas coahuila michoacan
    quintana roo california nayarit usa eua gringolandia china espana
    oxxo walmart costco liverpool amazon mercadolibre uber didi rappi bbva banorte santander
    banamex hsbc scotiabank coppel elektra telcel pemex cfe imss sat netflix spotify google
    metro metrobus aeropuerto estadio hospital iphone bitcoin
    banco bancos verificacion verificentro gobierno escuela universidad hipoteca vida gastos
    """
    )
)
_PLACES = (
    rf"\b({'|'.join(sorted(PLACES, key=len, reverse=True))})\b",
    lambda m: f" {PLACES[m.group(1)]} ",
)

_PHRASE_RES = tuple((re.compile(rf"\b(?:{pattern})\b"), repl) for pattern, repl in _PHRASES)
_PLACES_RE = re.compile(_PLACES[0])

# WhatsApp spelling → standard word (folded). Applied per token.
_SLANG: dict[str, str] = {
    "q": "que",
    "k": "que",
    "ke": "que",
    "xq": "porque",
    "pq": "porque",
    "xk": "porque",
    "porq": "porque",
    "x": "por",
    "d": "de",
    "tmb": "tambien",
    "tb": "tambien",
    "tbn": "tambien",
    "pa": "para",
    "cel": "celular",
    "info": "informacion",
    "mty": "monterrey",
    "gdl": "guadalajara",
    "qro": "queretaro",
    "pue": "puebla",
    "cuerna": "cuernavaca",
    "apps": "app",
    "kms": "km",
    "kilometros": "km",
    "kilometro": "km",
    "hrs": "horario",
    "hr": "horario",
    "docs": "documentos",
    "tel": "telefono",
    "wats": "whatsapp",
    "whats": "whatsapp",
    "ine": "identificacion",
    "ife": "identificacion",
    "anio": "ano",
    "anos": "ano",
    "anios": "ano",
    "pal": "para",
    "pls": "por favor",
    "xfavor": "por favor",
    "lana": "dinero",
    "varo": "dinero",
    "varos": "dinero",
    "feria": "dinero",
    "celu": "celular",
    "compu": "computadora",
    "online": "linea",
    "internet": "linea",
    "web": "linea",
    "digital": "linea",
    "carrito": "carro",
    "troca": "camioneta",
    "trocas": "camionetas",
    "mtto": "mantenimiento",
    "nl": "monterrey",
    "df": "cdmx",
    "chilangolandia": "cdmx",
    "sucu": "sucursal",
    "sucus": "sucursales",
    "cred": "credito",
    "insta": "instagram",
    "face": "facebook",
    "fb": "facebook",
    "automotriz": "auto",
    "automotor": "auto",
    "pagina": "catalogo",
    "paginas": "catalogo",
    "sitio": "catalogo",
    "contrato": "contrato",
}

STOP_WORDS: frozenset[str] = frozenset(
    _wordlist(
        """
        a al algo algun alguna algunas alguno algunos ante antes despues aqui asi aun cada como
        con contra
        cual cuales cualquier cuando cuanta cuantas cuanto cuantos de del desde dice dicen el ella
        ellas ello ellos en entonces entre era eran es esa esas ese eso esos esta estaba estan estar
        estas este esto estos estoy fue fueron ha habia han hasta hay he la las le les lo los mas me
        mi mis mucho muchos muy nada ni no nos nosotros o os otra otras otro otros para pero poco
        por
        porque pues que quien quienes se sea sean ser si sido sin sobre sois somos son soy su sus
        tal
        tambien te tiene tienen tengo ti tu tus un una unas uno unos usted ustedes va van vez y
        ya yo
        hola oye oiga buenas buenos gracias favor porfa porfis xfa plis pls please ok oki okey sale
        bueno bien ahi eh ah oigan disculpa disculpe perdon saludos bro wey guey amigo amiga joven
        seno senorita senor hey holi
        puedo puede pueden podria podrian quiero quisiera queria necesito ocupo saber haria hace
        tener tendria tenia estaria seria dar dame den digan dime doy damos cosa cosas tipo onda etc
        mismo misma verdad
        www http https com mx html
        """
    )
)

_stemmer = snowballstemmer.stemmer("spanish")


@functools.lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """Snowball Spanish stem of a folded word; numbers and short words are kept as they are."""
    if word.isdigit() or len(word) <= 3:
        return word
    return _stemmer.stemWord(word)


# Synonym groups (folded surface words). Every word of a group maps to the stem of its first word.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    (
        "garantia",
        "garantias",
        "cobertura",
        "coberturas",
        "garantizado",
        "garantizan",
        "cubre",
        "cubren",
        "cubrir",
    ),
    (
        "sucursal",
        "sucursales",
        "sede",
        "sedes",
        "agencia",
        "agencias",
        "ubicacion",
        "ubicaciones",
        "ubicados",
        "ubicadas",
        "tienda",
        "tiendas",
        "oficina",
        "oficinas",
        "local",
        "locales",
        "hub",
        "hubs",
        "lugar",
        "lugares",
    ),
    ("donde", "direccion", "direcciones", "domicilios"),
    ("enganche", "anticipo", "anticipos", "entrada"),
    (
        "auto",
        "autos",
        "carro",
        "carros",
        "coche",
        "coches",
        "vehiculo",
        "vehiculos",
        "automovil",
        "automoviles",
        "nave",
        "ranfla",
        "carcacha",
        "carcachita",
        "camioneta",
        "camionetas",
        "unidad",
        "unidades",
    ),
    ("seminuevo", "usado", "usados", "usada", "usadas"),
    ("vender", "vendo", "venta", "vendan", "vendes", "vendiera", "vendemos", "vende"),
    (
        "financiamiento",
        "credito",
        "creditos",
        "prestamo",
        "prestamos",
        "financiar",
        "financiado",
        "financiada",
        "financian",
        "financiera",
    ),
    ("documentos", "documento", "papeles", "papeleria", "requisitos", "requisito", "requieren"),
    ("inspeccion", "inspecciones", "revision", "revisan", "revisar", "chequeo", "checan", "checar"),
    ("certificacion", "certificado", "certificados", "certificada", "certifican", "certificar"),
    (
        "devolucion",
        "devoluciones",
        "devolver",
        "devuelven",
        "devuelvo",
        "regresar",
        "regresan",
        "regreso",
        "regresas",
        "reembolso",
        "reembolsan",
        "reembolsos",
        "cancelar",
        "cancelo",
        "cancelacion",
        "arrepentimiento",
    ),
    # Opening hours, and the days a branch opens.
    (
        "horario",
        "horarios",
        "hora",
        "horas",
        "abren",
        "abierto",
        "abiertos",
        "cierran",
        "sabado",
        "sabados",
        "domingo",
        "domingos",
        "festivos",
    ),
    ("app", "aplicacion", "aplicaciones", "playstore", "appstore", "ios"),
    ("tramites", "tramite", "gestoria", "papeleo"),
    ("mantenimiento", "mantenimientos", "afinacion", "afinaciones"),
    ("dias", "dia"),
    ("asesor", "asesores", "asesora", "agente", "ejecutivo", "vendedor", "humano", "persona"),
    ("domicilio", "casa"),
    ("precio", "precios", "costo", "costos", "cuesta", "cuestan", "cobran", "caro", "caros"),
    ("acuenta", "intercambio", "intercambiar", "intercambian", "intercambiarlo"),
    (
        "confiable",
        "confianza",
        "confiar",
        "confias",
        "fraude",
        "estafa",
        "estafan",
        "estafen",
        "estafado",
        "estafaron",
        "desconfianza",
        "desconfio",
        "pirata",
        "piratas",
        "legal",
        "legales",
        "legitima",
        "legitimo",
        "seria",
        "serio",
        "miedo",
        "transparente",
        "robar",
        "roban",
        "roben",
        "robo",
        "ratero",
        "rateros",
    ),
    ("recoger", "recogen", "recolectan"),
    ("inventario", "stock", "existencias"),
    (
        "pagar",
        "pago",
        "pagos",
        "pagan",
        "pagarian",
        "pagaran",
        "paguen",
        "depositan",
        "deposito",
        "depositar",
        "depositen",
        "transferencia",
    ),
    ("comprar", "compra", "compro", "adquirir"),
    ("elegir", "escoger", "escojer", "escoja", "elijo", "elija", "escogiera", "seleccionar"),
    ("extender", "extension", "ampliar", "ampliacion", "alargar", "extendida"),
    ("ciudades", "ciudad"),
    ("linea", "internet", "online", "digital"),
    ("dinero", "efectivo", "monto", "billete", "billetes"),
    ("minimo", "maximo", "limite", "tope"),
    ("inmediato", "inmediata", "inmediatamente", "instantaneo"),
    (
        "mexico",
        "mexicana",
        "mexicano",
        "mexicanas",
        "mexicanos",
        "extranjera",
        "extranjero",
        "gringa",
        "gringo",
        "nacionalidad",
        "pais",
    ),
    # Where and when Kavak began.
    ("nacio", "nacieron", "empezo", "empezaron", "surgio", "surgieron", "origen", "comenzo"),
    ("tecnologia", "tecnologica", "tecnologico", "startup", "startups", "tech", "fintech"),
    # Something wrong with the car: what the warranty is for (same group as "garantia"), and
    # who answers for it ("¿me responden?").
    (
        "garantia",
        "responden",
        "responder",
        "responsables",
        "falla",
        "fallas",
        "fallo",
        "fallan",
        "descompone",
        "descompuso",
        "descompuesto",
        "averia",
        "averias",
        "problema",
        "problemas",
        "desperfecto",
        "desperfectos",
    ),
    # The car's condition: what the inspection and the quality seal vouch for.
    (
        "malo",
        "mala",
        "malos",
        "chocado",
        "chocados",
        "chocada",
        "golpeado",
        "golpeados",
        "golpes",
        "danado",
        "madreado",
        "madreada",
        "madreados",
        "danados",
        "defectos",
        "defectuoso",
        "escondido",
        "escondidos",
        "oculto",
        "ocultos",
        "sorpresa",
        "sorpresas",
        "condiciones",
    ),
    ("manejarlo", "manejar", "manejando", "recorrer", "rodar", "circular"),
    ("prueba", "probar", "pruebo", "pruebe", "pruebas", "probando"),
    # Looking for a job at Kavak is no Kavak topic ("contrato" is kept whole above).
    (
        "empleo",
        "trabajo",
        "chamba",
        "vacante",
        "vacantes",
        "contratando",
        "contratan",
        "contratar",
        "contratacion",
    ),
    # Stem-changing verbs (o→ue, e→ie) that the stemmer leaves apart.
    (
        "aprobacion",
        "aprobar",
        "aprueban",
        "aprueba",
        "apruebe",
        "aprobado",
        "aprobada",
        "autorizan",
        "autorizar",
        "autoriza",
        "autorizado",
        "autorizacion",
    ),
    ("encargamos", "encargan", "encarga"),
)


# Common verbs, nouns and adjectives that say nothing about the topic, dropped like stop-words on
# both sides: "¿cómo funciona el crédito?" must not lose confidence because no article says
# "funciona", and "hoy" in an article must not make "¿cuánto está el dólar hoy?" look answerable.
# The family a long message brings in ("mi papá ya no maneja…") is context too.
WEAK_WORDS: frozenset[str] = frozenset(
    _wordlist(
        """
    ver veo vemos ves vea mirar funciona funcionan funcionar sacar saco saca sacan traer trae traen
    servir sirve sirven aceptar aceptan acepta aceptas recibir reciben recibe tardar tardan tarda
    durar dura duran pasar pasa pasan llegar llega poner pone ir voy vamos venir viene llevar lleva
    dejar deja seguir sigue usar uso tomar toma mandar manda cierto verdad tiempo forma manera parte
    mejor bueno buena buenos buenas otro otra gran grande poco mucha mucho todo toda
    todos todas siempre nunca ahora hoy luego pronto rapido aqui alla solo sola existe existen creo
    crees sabes sabe saben conoces explica explicas explicame dices decir pregunta preguntas duda
    dudas informacion quisiera gustaria puedes podrias deberia necesita necesitan haber hacer hacen
    haces hago manejan manejas ofrecen ofreces dan das tienes checo cual ayuda ayudan ayudas ayudar
    ayudame hoy encuentro encontrar encuentra encuentran pedir piden pide piden pido
    tan total vale cerca lejos queda quedan quedaria vivo vive vivimos nunca oido oi ningun
    ninguna lado lados exactamente mire mira fijate oye chance igual ademas aparte primero
    primera pregunto preguntar preguntarles saber sabia queria querer quiere quieren entonces
    alguien algun alguna acaban acabo etc anda andan ando estoy estamos esta estan onda neta
    realmente tambien normal celular telefono normales real reales entre diferencia
    llama llaman llamo llamas salio salen exacto cosa significa quiere
    empieza empiezan empiece comienza comienzan aplica aplican cuentame cuentenme platicame
    papa mama papas esposa esposo hijo hija hijos hijas hermano hermana bebe familia vecino
    vecina chamaco chamacos ninos funciones funcion
    """
    )
)


# Verbs that frame a question without naming its topic, in every conjugation (matched by stem):
# "si les dejo mi coche me lo toman…", "me interesa venderles…", "¿para qué me sirve bajar…?".
WEAK_VERBS: tuple[str, ...] = (
    "dejar",
    "tomar",
    "interesar",
    "necesitar",
    "ocupar",
    "saber",
    "poder",
    "decir",
    "pensar",
    "creer",
    "explicar",
    "platicar",
    "bajar",
    "quedar",
    "vivir",
    "estar",
    "andar",
    "tocar",
    "oir",
    "conocer",
    "gustar",
    "pasar",
    "mandar",
    "enviar",
    "compartir",
    "mostrar",
    "entrar",
    "decidir",
    "incluir",
    "hablar",
    "querer",
    "escribir",
)


def _build_synonyms() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for group in SYNONYM_GROUPS:
        canonical = stem(group[0])
        for word in group:
            mapping[stem(word)] = canonical
    return mapping


SYNONYMS: dict[str, str] = _build_synonyms()
WEAK_STEMS: frozenset[str] = frozenset(stem(v) for v in WEAK_VERBS) - {""}

# Words the fuzzy matcher may also correct to, even before any article uses them.
LEXICON_WORDS: frozenset[str] = frozenset(w for group in SYNONYM_GROUPS for w in group)


_PHONETIC = (
    (re.compile(r"c(?=[ei])"), "s"),
    (re.compile(r"qu(?=[ei])"), "k"),
    (re.compile(r"c(?!h)"), "k"),
    (re.compile(r"z"), "s"),
    (re.compile(r"v"), "b"),
    (re.compile(r"ll"), "y"),
    (re.compile(r"(?<!c)h"), ""),
    (re.compile(r"(.)\1+"), r"\1"),
)


def phonetic_key(word: str) -> str:
    """How a folded word sounds in Mexican Spanish: b/v, s/c/z, k/qu/c, ll/y and a silent h merge.

    Catches the commonest spelling slips ("bendo", "sertificado", "kabak") with no edit distance.
    """
    for pattern, repl in _PHONETIC:
        word = pattern.sub(repl, word)
    return word


# Function words as customers misspell them ("kiero", "ay", "nesesito", "ase"): a word that
# sounds like a stop-word or a weak word is one, not an unknown word that counts against every
# article. Sounds shared with a word of the lexicon or the slang list are left alone.
_STOP_SOUNDS: dict[str, int] = {}  # sound → length of the function word
for _word in sorted(STOP_WORDS | WEAK_WORDS):
    if len(_word) >= 2:
        _STOP_SOUNDS.setdefault(phonetic_key(_word), len(_word))
for _word in LEXICON_WORDS | set(_SLANG) | set(_SLANG.values()):
    _STOP_SOUNDS.pop(phonetic_key(_word), None)


@functools.lru_cache(maxsize=50_000)
def _misspelt_function_word(word: str) -> bool:
    """A slip of one letter or of spelling only: "bbva" does not sound like "va" once its
    doubled letters merge."""
    size = _STOP_SOUNDS.get(phonetic_key(word)) if not word.isdigit() else None
    return size is not None and abs(size - len(word)) <= 1


# Words whose Snowball stem collides with another word's: "sedán" → "sed", the stem of "sede".
_KEEP_WHOLE = {
    "sedan": "sedan",
    "sedanes": "sedan",
    "pasos": "pasos",
    "paso": "pasos",
    # "contrato" (the credit contract) and "contratando" (hiring) share the stem "contrat".
    "contrato": "contrato",
    "contratos": "contrato",
    # "casa" is "home" (a test drive at home); "casas" are houses, no Kavak topic.
    "casas": "casas",
}


def term_of(word: str) -> str:
    """The index term of one folded, non-stop word: its stem, then its synonym group."""
    if word in _KEEP_WHOLE:
        return _KEEP_WHOLE[word]
    stemmed = stem(word)
    return SYNONYMS.get(stemmed, stemmed)


# Pronouns glued to an infinitive: "probarlo" → "probar", "venderselo" → "vender".
_ENCLITIC = re.compile(
    r"^(\w{3,}(?:ar|er|ir))(?:me|te|se|nos)?(?:lo|la|los|las|le|les|me|te|nos)?$"
)


def _strip_enclitic(word: str) -> str:
    match = _ENCLITIC.match(word)
    return match.group(1) if match else word


def words(text: str, *, limit: int | None = None) -> list[str]:
    """Folded content words of ``text``: phrases rewritten, slang expanded, stop-words dropped."""
    folded = fold(text)
    for pattern, repl in _PHRASE_RES:
        folded = pattern.sub(repl, folded)
    folded = _PLACES_RE.sub(_PLACES[1], folded)
    out: list[str] = []
    for raw in _TOKEN.findall(folded):
        word = _strip_enclitic(_SLANG.get(raw, raw))
        if (
            word in STOP_WORDS
            or word in WEAK_WORDS
            or (len(word) > 3 and stem(word) in WEAK_STEMS)
            or (len(word) == 1 and not word.isdigit())
            or (word.endswith("mente") and len(word) > 7)  # adverbs: "exactamente", "realmente"
            or _misspelt_function_word(word)
        ):
            continue
        out.append(word)
        if limit is not None and len(out) >= limit:
            break
    return out


CAR_MAKES: frozenset[str] = frozenset(
    _wordlist(
        """
    nissan toyota honda mazda chevrolet chevy volkswagen vw ford kia hyundai bmw audi mercedes
    seat renault peugeot mitsubishi suzuki jeep dodge chrysler buick gmc fiat volvo tesla byd
    jac chirey subaru lexus infiniti acura cadillac lincoln porsche cupra baic omoda
    """
    )
)

_HEAD_COMPLEMENT = re.compile(
    r"\b([a-z]{4,}) (?:de|del|de la|de los|de las|en|en el|en la|para|para el|para la)"
    r" ([a-z]{4,})\b"
)


def head_complements(text: str) -> list[tuple[str, str]]:
    """(noun, complement) pairs of "X de/en/para Y" phrases, both content words (folded).

    Used to tell "el clima en Monterrey" (a question about the weather) from "garantía de
    fábrica" (a question about the warranty) when one of the two words is unknown.
    """
    folded = fold(text)
    for pattern, repl in _PHRASE_RES:
        folded = pattern.sub(repl, folded)
    pairs = []
    for match in _HEAD_COMPLEMENT.finditer(folded):
        before = folded[: match.start()].split()[-1:]
        if before and before[0].isdigit():
            continue  # a measure ("2 meses de comprarlo"), not a thing
        head, complement = (_strip_enclitic(_SLANG.get(w, w)) for w in match.groups())
        if all(
            w not in STOP_WORDS and w not in WEAK_WORDS and stem(w) not in WEAK_STEMS
            for w in (head, complement)
        ):
            pairs.append((head, complement))
    return pairs


def terms(text: str) -> list[str]:
    """Index terms of ``text`` in order (with repeats)."""
    return [term_of(w) for w in words(text)]


# Where a customer starts another thought: punctuation, "pero", "porque", "y", "o", "además"…
_CLAUSE_BREAK = re.compile(
    r"[?¿!¡.;,:\n]+|\b(?:pero|porque|aparte|ademas|tambien|de paso|y|e|tons|entonces)\b"
    r"|(?:^|\s)\d[).-](?=\s)"  # "1) … 2) …"
)
MAX_CLAUSES = 4


def clauses(text: str) -> list[tuple[str, list[str]]]:
    """Content words of each clause of ``text`` (only when there are two or more).

    A long WhatsApp message mixes context ("estoy buscando un carro para mi hija…") with the
    question ("…¿tienen garantía?"), and sometimes holds two questions. Each clause is scored on
    its own too, so the context does not drown the question and the second question is seen.
    """
    pieces = _CLAUSE_BREAK.split(fold(text)[:2000])
    separators = [m.group(0) for m in _CLAUSE_BREAK.finditer(fold(text)[:2000])] + [""]
    # A clause followed by "?" keeps it: it is a question even without a question word.
    parts = [
        (part.strip() + (" ?" if "?" in sep else ""), words(part))
        for part, sep in zip(pieces, separators, strict=False)
    ]
    parts = [p for p in parts if p[1]]
    if len(parts) < 2:
        return []
    # Keep the clauses with most content words (a question), in their original order.
    keep = sorted(sorted(range(len(parts)), key=lambda i: -len(parts[i][1]))[:MAX_CLAUSES])
    return [parts[i] for i in keep]


def normalize_question(text: str) -> str:
    """A stable key for "the same question": folded content words, in order, space-separated."""
    return " ".join(words(text, limit=MAX_QUERY_TOKENS))[:300]


# --- Markdown → plain WhatsApp text ---------------------------------------------------------------

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>]+)>")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPH = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_CODE = re.compile(r"`+([^`]*)`+")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])")
_BULLET = re.compile(r"^\s*[-*+]\s+")
_ORDERED = re.compile(r"^\s*(\d+)[.)]\s+")
_QUOTE = re.compile(r"^\s*>\s?")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _inline_to_text(line: str) -> str:
    line = _IMAGE.sub(r"\1", line)
    line = _LINK.sub(lambda m: _link_text(m.group(1), m.group(2)), line)
    line = _AUTOLINK.sub(lambda m: m.group(1).removeprefix("mailto:"), line)
    line = _HTML_TAG.sub("", line)
    line = _CODE.sub(r"\1", line)
    line = _BOLD.sub(r"\2", line)
    line = _EMPH.sub(r"\2", line)
    line = _ESCAPE.sub(r"\1", line)
    return html.unescape(line)


def _link_text(text: str, url: str) -> str:
    url = url.removeprefix("mailto:")
    bare = re.sub(r"^https?://(www\.)?", "", url).rstrip("/")
    if bare in (text, text.rstrip("/")) or url == text:
        return text
    return f"{text} ({url})"


def markdown_block_to_text(block: str) -> str:
    """One Markdown block (no headings) as WhatsApp-friendly text: "• " bullets, no link syntax."""
    lines: list[str] = []
    for raw in block.splitlines():
        if _RULE.match(raw) or _TABLE_SEP.match(raw):
            continue
        line = _QUOTE.sub("", raw)
        if line.strip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            line = " · ".join(c for c in cells if c)
            lines.append(_inline_to_text(line))
            continue
        if _BULLET.match(line):
            lines.append("• " + _inline_to_text(_BULLET.sub("", line)).strip())
        elif _ORDERED.match(line):
            lines.append(_ORDERED.sub(r"\1. ", line).strip())
            lines[-1] = _inline_to_text(lines[-1])
        elif lines and line.startswith(("  ", "\t")) and _is_list_line(lines[-1]):
            lines[-1] += " " + _inline_to_text(line.strip())  # continuation of a list item
        elif line.strip():
            text = _inline_to_text(line.strip())
            # Markdown soft line breaks inside a paragraph are spaces.
            if lines and not _is_list_line(lines[-1]):
                lines[-1] += " " + text
            else:
                lines.append(text)
    return "\n".join(re.sub(r"[ \t]{2,}", " ", line).strip() for line in lines if line.strip())


def _is_list_line(line: str) -> bool:
    return line.startswith("• ") or bool(re.match(r"^\d+\. ", line))


# --- Chunking -------------------------------------------------------------------------------------

# A chunk should answer one WhatsApp question: a section, split by paragraphs when it is long.
CHUNK_MAX_CHARS = 700
HEADING_WEIGHT = 2  # heading words count twice; title and tags once
# Golden questions staff attach to an article are indexed with the section that answers them
# (document expansion): customers' words that the article never uses ("¿me pagan al momento?")
# then still lead to it, and every golden question added from the unanswered queue teaches the
# index. A term counts at most this much from the questions, so they cannot outweigh the text.
QUESTION_TERM_CAP = 2


@dataclass(frozen=True)
class ChunkDraft:
    """One retrievable piece of an article, ready to be stored."""

    position: int
    heading: str
    text: str
    terms: dict[str, int]
    words: tuple[str, ...]
    length: int


def split_sections(body: str) -> list[tuple[list[str], list[str]]]:
    """Split Markdown into (heading path, blocks) sections; code fences are kept verbatim."""
    sections: list[tuple[list[str], list[str]]] = []
    path: list[tuple[int, str]] = []
    blocks: list[str] = []
    current: list[str] = []
    in_fence = False

    def flush_block() -> None:
        if current:
            blocks.append("\n".join(current))
            current.clear()

    def flush_section() -> None:
        flush_block()
        if blocks:
            sections.append(([text for _, text in path], list(blocks)))
            blocks.clear()

    for line in body.replace("\r\n", "\n").split("\n"):
        if line.strip().startswith("```"):
            in_fence = not in_fence
            continue
        heading = None if in_fence else _HEADING.match(line)
        if heading:
            flush_section()
            level = len(heading.group(1))
            path = [(lvl, text) for lvl, text in path if lvl < level]
            path.append((level, _inline_to_text(heading.group(2))))
        elif not line.strip() and not in_fence:
            flush_block()
        else:
            current.append(line)
    flush_section()
    return sections


def chunk_article(
    *, title: str, body: str, tags: list[str], questions: list[str] | tuple[str, ...] = ()
) -> list[ChunkDraft]:
    """Chunks of one article, by heading and then by paragraph groups of ≤ CHUNK_MAX_CHARS.

    ``questions`` (the article's golden questions) are added to the chunk that shares most terms
    with each of them (the first chunk on a tie).
    """
    drafts = _chunk_text(title=title, body=body, tags=tags)
    if not drafts or not questions:
        return drafts
    # Matched on each section's own heading (twice) and text: the title and tags are in every
    # section (and the introduction's heading is the title).
    own = [
        Counter(terms(d.text)) + Counter({t: 2 for t in terms(d.heading) if d.heading != title})
        for d in drafts
    ]
    extra: list[Counter[str]] = [Counter() for _ in drafts]
    extra_words: list[set[str]] = [set() for _ in drafts]
    for question in questions:
        q_words = words(question)
        q_terms = [term_of(w) for w in q_words]
        if not q_terms:
            continue
        best = max(
            range(len(drafts)),
            key=lambda i: (sum(min(own[i][t], 2) for t in set(q_terms)), -i),
        )
        extra[best].update(q_terms)
        extra_words[best].update(q_words)
    expanded: list[ChunkDraft] = []
    for draft, counts, new_words in zip(drafts, extra, extra_words, strict=True):
        terms_ = dict(draft.terms)
        for term, n in counts.items():
            terms_[term] = terms_.get(term, 0) + min(n, QUESTION_TERM_CAP)
        expanded.append(
            ChunkDraft(
                position=draft.position,
                heading=draft.heading,
                text=draft.text,
                terms=terms_,
                words=tuple(sorted(set(draft.words) | new_words)),
                length=sum(terms_.values()),
            )
        )
    return expanded


def _chunk_text(*, title: str, body: str, tags: list[str]) -> list[ChunkDraft]:
    drafts: list[ChunkDraft] = []
    title_terms = terms(title) + [t for tag in tags for t in terms(tag)]
    title_words = words(title) + [w for tag in tags for w in words(tag)]
    for heading_path, blocks in split_sections(body):
        heading = heading_path[-1] if heading_path else title
        texts = [t for t in (markdown_block_to_text(b) for b in blocks) if t]
        for group in _group_blocks(texts):
            text = "\n".join(group)
            # The intro has no heading of its own: the title is its heading (so a question that
            # only names the topic, "¿tienen app?", gets the intro rather than a sub-section).
            head_words = [w for h in heading_path or [title] for w in words(h)]
            body_words = words(text)
            counts = Counter(title_terms)
            for word in head_words:
                counts[term_of(word)] += HEADING_WEIGHT
            counts.update(term_of(w) for w in body_words)
            drafts.append(
                ChunkDraft(
                    position=len(drafts),
                    heading=heading[:200],
                    text=text,
                    terms=dict(counts),
                    words=tuple(sorted(set(title_words + head_words + body_words))),
                    length=sum(counts.values()),
                )
            )
    return drafts


def _group_blocks(texts: list[str]) -> list[list[str]]:
    groups: list[list[str]] = []
    size = 0
    for text in texts:
        if groups and size + len(text) <= CHUNK_MAX_CHARS:
            groups[-1].append(text)
            size += len(text) + 1
        else:
            groups.append([text])
            size = len(text)
    return groups


# --- Markdown preview (admin) ---------------------------------------------------------------------

_SAFE_HREF = re.compile(r"^(https?:|mailto:|tel:|/|#)", re.IGNORECASE)
_HREF = re.compile(r'(href|src)="([^"]*)"')


def markdown_to_safe_html(body: str) -> str:
    """Render Markdown for the admin preview. Raw HTML is shown as text and unsafe URLs dropped.

    Content staff are trusted, but article text ends up in other staff members' browsers: no raw
    HTML, no ``javascript:`` links.
    """
    rendered = markdown_lib.markdown(
        body.replace("<", "&lt;"), extensions=["extra", "sane_lists"], output_format="html"
    )
    return _HREF.sub(
        lambda m: (
            m.group(0) if _SAFE_HREF.match(html.unescape(m.group(2))) else f'{m.group(1)}="#"'
        ),
        rendered,
    )
