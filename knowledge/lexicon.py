"""The word lists of the knowledge base's normaliser, folded (no accents, lower case): phrases
rewritten before tokenising, places and foreign names, WhatsApp slang, stop-words, car makes.

Pure data, read by ``knowledge.text`` (and the ranker): no Django, no database.
"""

from __future__ import annotations


def wordlist(text: str) -> list[str]:
    return text.split()


# Mexican cities and states with no Kavak branch, folded → as written to the customer. A
# question about Kavak's presence there ("¿tienen sucursal en Mérida?", "¿hay Kavak en Cancún?")
# is answered from the branches article (no branch there; the cities that have one), not
# declined; any other question naming one ("el clima en Mérida") is about another subject
# (``FOREIGN_NAMES``). Names shared with a place that has a branch ("Nuevo León", "Benito
# Juárez", "Álvaro Obregón", "Puerta La Victoria") are left out or guarded by the rule below.
OTHER_CITIES: dict[str, str] = {
    "tijuana": "Tijuana", "mexicali": "Mexicali", "ensenada": "Ensenada",
    "merida": "Mérida", "cancun": "Cancún", "tulum": "Tulum",
    "playa del carmen": "Playa del Carmen",
    "leon": "León", "toluca": "Toluca", "chihuahua": "Chihuahua", "ciudad juarez": "Ciudad Juárez",
    "juarez": "Juárez", "hermosillo": "Hermosillo", "veracruz": "Veracruz", "xalapa": "Xalapa",
    "oaxaca": "Oaxaca", "acapulco": "Acapulco", "aguascalientes": "Aguascalientes",
    "morelia": "Morelia", "saltillo": "Saltillo", "torreon": "Torreón", "culiacan": "Culiacán",
    "mazatlan": "Mazatlán", "tampico": "Tampico", "villahermosa": "Villahermosa",
    "pachuca": "Pachuca", "durango": "Durango", "zacatecas": "Zacatecas",
    "tuxtla": "Tuxtla Gutiérrez", "tuxtla gutierrez": "Tuxtla Gutiérrez",
    "campeche": "Campeche", "chetumal": "Chetumal", "colima": "Colima", "tepic": "Tepic",
    "tlaxcala": "Tlaxcala", "celaya": "Celaya", "irapuato": "Irapuato",
    "guanajuato": "Guanajuato", "puerto vallarta": "Puerto Vallarta", "vallarta": "Puerto Vallarta",
    "reynosa": "Reynosa", "matamoros": "Matamoros", "nuevo laredo": "Nuevo Laredo",
    "laredo": "Nuevo Laredo", "ciudad obregon": "Ciudad Obregón", "los cabos": "Los Cabos",
    "san luis potosi": "San Luis Potosí", "potosi": "San Luis Potosí", "sinaloa": "Sinaloa",
    "sonora": "Sonora", "yucatan": "Yucatán", "chiapas": "Chiapas", "tabasco": "Tabasco",
    "tamaulipas": "Tamaulipas", "coahuila": "Coahuila", "michoacan": "Michoacán",
    "quintana roo": "Quintana Roo", "baja california": "Baja California", "nayarit": "Nayarit",
    "hidalgo": "Hidalgo", "zihuatanejo": "Zihuatanejo", "uruapan": "Uruapan",
    "los mochis": "Los Mochis", "monclova": "Monclova", "cuautla": "Cuautla",
}  # fmt: skip
_CITY_NAMES = "|".join(sorted(OTHER_CITIES, key=len, reverse=True))
# Words that ask where Kavak is: a branch noun (the "sucursal" synonyms), Kavak, "ustedes".
_PRESENCE = (
    r"sucursal(?:es)?|sedes?|agencias?|oficinas?|tiendas?|locales|kavak|ustedes|uds"
    r"|estan|llegan|tienen (?:algo|alguna?|algun[oa]?|presencia)"
)
# A city of the list, not part of a place with a branch (or a car: the Seat León).
OTHER_CITY_PATTERN = rf"(?<!nuevo )(?<!seat )(?<!benito )(?<!alvaro )(?:{_CITY_NAMES})"

# A city with no branch, in a question about where Kavak is ("¿tienen sucursal en Mérida?", "¿y en
# Veracruz no hay Kavak?"): a question for the branch directory (``OTHER_CITIES``). The last
# phrase rule; the unanswered-questions queue groups questions without it (its key keeps the city).
PRESENCE_PHRASE: tuple[str, str] = (
    rf"(\b(?:{_PRESENCE})\b[^.?!]{{0,30}}?\b(?:en|por|de) (?:el |la )?){OTHER_CITY_PATTERN}\b"
    rf"|\b{OTHER_CITY_PATTERN}\b(?=[^.?!]{{0,50}}\b(?:{_PRESENCE})\b)",
    r"\1 sucursal ",
)

# Phrases rewritten before tokenising (regular expressions on folded text, both sides), after
# the direction reader (``knowledge.direction``). Order matters: longer phrases first.
PHRASES: tuple[tuple[str, str], ...] = (
    (r"buen(?:os|as)? (?:dias|tardes|noches)|buen dia", " "),
    (
        r"prueba(?:s)? de manejo|test ?drive"
        # Driving it before deciding whether to *keep* it is the trial period (it is bought).
        r"|manejarlo antes(?! de (?:decidir )?(?:si )?(?:me lo quedo|quedarmelo))"
        # Driving it before paying is a test drive ("manejar antes de decidir" is the trial).
        r"|manejar(?:lo|la)? antes de (?:comprar|pagar)\w*"
        r"|probar(?:lo|la)? (?:(?:el|la|un|una|mi) (?:auto|carro|coche|camioneta) )?"
        r"(?:antes de (?:comprar|comprarlo|comprarla)|en (?:mi |la )?casa|a domicilio)",
        " pruebamanejo ",
    ),
    # "Luego luego", "de volada": right away (a selling offer's immediate payment).
    (r"luego luego|de volada|al momento|al instante", " inmediato "),
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
        r"|seguro de (?:danos|cobertura amplia)|cobertura amplia"
        # "¿y el seguro va incluido?", "¿incluye seguro?": the noun (after an article or a verb
        # of having), never "es seguro comprar" nor "algo seguro".
        r"|(?:el|un|del|al|con|sin|su|incluye\w*|incluid[oa]s?|tiene\w*|trae\w*|dan)"
        r" seguros?\b",
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
        # Whatever article names the car: "¿cuánto me darían por un versa 2017?".
        r"(?:cuanto )?me (?:dan|das|pagan|pagarian|darian|ofrecen|ofreces|ofrecerian) por"
        r" (?:mi|el|la|un|una|este|esta|ese|esa) \w+",
        " vender oferta ",
    ),
    (r"pasan por (?:mi|el) (?:auto|carro|coche|camioneta)", " recoger auto "),
    # The papers of the customer's car (or papers with its paperwork) are its paperwork
    # (trámites, in the app), not the documents a credit asks for.
    (
        r"(?:papeles|papeleria|documentos)(?: y (?:tramites|papeleo))?"
        r" (?:de|del) (?:mi |el |la |mis |su )?(?:auto|carro|coche|camioneta|vehiculo)"
        r"|(?:papeles|papeleria|documentos) y (?:tramites|papeleo)"
        r"|(?:tramites|papeleo) y (?:papeles|papeleria|documentos)",
        " tramites ",
    ),
    # The car brought to the customer is the online purchase's delivery, not a branch.
    (
        r"(?:me|nos) (?:lo|la) (?:pueden |podrian )?(?:(?:mand|envi|llev|entreg)"
        r"(?:an|en|ar|arian)|tra(?:en|er|igan|erian))\b|(?:entrega|envio) a domicilio",
        " domicilio linea ",
    ),
    # Backing out of a purchase: "si me echo para atrás".
    (r"(?:me )?(?:echo|eche|echar(?:me)?|hecho) (?:para|pa|pa') atras", " devolucion "),
    (r"cuantos (?:autos|carros|coches)(?: tienen| hay| manejan)?", " inventario "),
    (r"nuevo leon", " monterrey "),
    # The country asked is the nationality ("empresa mexicana"), not the history section's
    # "país" (where it operates).
    (r"de (?:que|cual) pais (?:es|son|eres)\b|\bes (?:una empresa )?extranjera\b", " mexicana "),
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
    # The rewrite keeps the topic: "¿cuánto tiempo de garantía traen?" is about the warranty.
    (r"tiempo de prueba", " periodo prueba "),
    (r"tiempo de garantia", " garantia "),
    (r"(?:desde|por) (?:el |mi |la )?(?:cel|celular|telefono|compu|computadora|casa)\b", " linea "),
    (r"sin salir de (?:mi |la |tu |su )?casa", " linea "),
    # Buying far from a branch, or without going to one, is the online purchase: "¿se puede
    # comprar sin ir a ninguna sucursal?", "vivo lejos de cualquier sucursal", "no hay sucursal
    # aquí", "vivo en otro estado".
    (
        r"sin (?:ir|pasar|acudir|visitar|ir fisicamente) (?:a |por )?"
        r"(?:la |una |ninguna |alguna |sus |las )?(?:sucursal(?:es)?|agencias?|sedes?|tiendas?)"
        r"|lejos de (?:cualquier |alguna |una |la |las |sus )?(?:sucursal(?:es)?|agencias?|sedes?)"
        r"|no (?:hay|tienen) (?:ninguna |una )?(?:sucursal(?:es)?|agencias?|sedes?)"
        r" (?:por )?(?:aca|aqui|cerca|en mi ciudad)"
        r"|(?:vivo|estoy|soy|vivimos|estamos) (?:en|de) otr[oa] (?:estado|ciudad)",
        " linea ",
    ),
    # Who Kavak is: "¿qué son?", "¿quiénes son ustedes?", "¿son una agencia o una empresa?".
    (
        r"(?:quien(?:es)?|que|q) (?:son|eres)(?: ustedes)?"
        r"(?:,? (?:una |un )?(?:agencia|empresa|startup|compania|lote))?\b"
        r"|(?:que|q) (?:hacen|ofrecen)(?: ustedes)?(?=\s*\??\s*$)|a que se dedican"
        r"|(?:que|q) es kavak\b|(?:de|en) (?:que|q) (?:se trata|consiste)n? (?:kavak|ustedes)\b"
        r"|(?:son|es) (?:una )?(?:agencia|empresa|startup|compania|marca)\b",
        " kavak empresa ",
    ),
    # Seeing cars in person means going to a branch.
    (r"(?:visitar(?:los|les)?|ir a ver(?:los)?|verlos|ir) en persona|en persona", " sucursal "),
    # Whose sale it is, where the person of the verb does not say (``knowledge.direction``
    # reads the rest): "¿vendes autos?" to Kavak, "los revisan antes de venderlos".
    (r"\bvendes\b|venderlos|venderlas|ponerse a la venta", " comprar "),
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
    # The same, said as an idiom whose words no article uses: "¿dan facilidades de pago?".
    (
        r"facilidades de pago|(?:pagar\w*|pagos?) (?:poco a poco|en abonos|en partes)",
        " pagos financiamiento ",
    ),
    # Paying a credit off early: a subject of its own (no article states it), not "pago" of a
    # sale nor the price: "¿si pago antes de tiempo me cobran?", "¿puedo liquidar antes?".
    (
        r"\b(?:pag\w*|liquid\w*|abon\w*)(?: (?:el|mi) credito| la deuda| todo| el resto)?"
        r" (?:antes de tiempo|anticipad\w*|por adelantado|antes(?= *(?:\?|se puede|$)))"
        r"|\badelant\w* (?:pagos?|mensualidades|abonos?)\b|\bliquidar (?:el |mi )?credito\b"
        r"|\bpagos? anticipados?\b|\bprepag\w*",
        " prepago ",
    ),
    (r"play ?store|app ?store|google play", " playstore "),
    (r"mercado ?libre", " mercadolibre "),
    (
        r"(?:dar|dejar|entregar|dejarles|darles) (?:mi|el) (?:auto|carro|coche|camioneta)",
        r" \g<0> acuenta ",
    ),
    # Wanting one of Kavak's cars is buying: "¿cuál es el proceso si quiero uno de sus autos?",
    # "si me quiero llevar uno de sus carros".
    (
        r"(?:quiero|quisiera|llevar(?:me)?|comprar(?:les)?|adquirir|me interesa) (?:uno|una)"
        r" de (?:sus|tus) (?:autos|carros|coches|camionetas|unidades)",
        " comprar auto ",
    ),
    # Where a warranty comes from qualifies it, the topic is the warranty: "¿garantía de fábrica
    # o de ustedes?", "garantía de agencia".
    (
        r"garantias? (?:de (?:fabrica|planta|agencia|la marca|origen)|original)",
        " garantia ",
    ),
    # Leaving one's car and paying the difference for another is a trade-in: "se los dejo y me
    # llevo otro pagando la diferencia", "yo les completo la diferencia".
    (
        r"(?:pag\w*|complet\w*|pongo|poner|cubr\w*|abon\w*) (?:yo )?(?:la )?diferencia"
        r"|(?:me llevo|llevarme) (?:otro|otra)\b",
        r" \g<0> acuenta ",
    ),
    PRESENCE_PHRASE,
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
    wordlist(
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
    buro placas tenencia refrendo
    """
    )
)

# WhatsApp spelling → standard word (folded). Applied per token.
SLANG: dict[str, str] = {
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
    "ap": "app",
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
    wordlist(
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
        aca alla alli
        bueno bien ahi eh ah oigan disculpa disculpe perdon saludos bro wey guey amigo amiga joven
        seno senorita senor hey holi
        puedo puede pueden podria podrian quiero quisiera queria necesito ocupo saber haria hace
        tener tendria tenia estaria seria dar dame den digan dime doy damos cosa cosas tipo onda etc
        mismo misma verdad
        www http https com mx html
        """
    )
)

CAR_MAKES: frozenset[str] = frozenset(
    wordlist(
        """
    nissan toyota honda mazda chevrolet chevy volkswagen vw ford kia hyundai bmw audi mercedes
    seat renault peugeot mitsubishi suzuki jeep dodge chrysler buick gmc fiat volvo tesla byd
    jac chirey subaru lexus infiniti acura cadillac lincoln porsche cupra baic omoda
    """
    )
)
