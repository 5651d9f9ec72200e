"""Fixed Spanish vocabulary for matching customer text (pure data, no Django).

Make/model names and their aliases are data (reference table, alias table, the cars in stock);
what lives here is the closed vocabulary the code itself interprets: body types, uses and
transmissions, plus the word lists that keep ordinary Spanish from being read as car names.
All keys are already normalised (lower case, no accents).
"""

from __future__ import annotations

from spanish import frequent_folded_words

# Customer words → body type (values are catalog.models.BodyType values).
BODY_WORDS: dict[str, str] = {
    "sedan": "sedan",
    "sedanes": "sedan",
    "hatchback": "hatchback",
    "hatchbacks": "hatchback",
    "hatch": "hatchback",
    "suv": "suv",
    "suvs": "suv",
    "camioneta": "suv",
    "camionetas": "suv",
    "camionetita": "suv",
    "crossover": "suv",
    "todoterreno": "suv",
    "todo terreno": "suv",
    "pickup": "pickup",
    "pick up": "pickup",
    "pickups": "pickup",
    "troca": "pickup",
    "trocas": "pickup",
    "doble cabina": "pickup",
    "minivan": "minivan",
    "mini van": "minivan",
    "minivans": "minivan",
    # A van said with what marks it as a noun ("van" alone is the verb: "¿cuándo van?"; "vans"
    # alone is one slip from "bnas", "buenas" as typed).
    "una van": "minivan",
    "tipo van": "minivan",
    "estilo van": "minivan",
    "camioneta van": "minivan",
    "camioneta tipo van": "minivan",
    "coupe": "coupe",
    "cupe": "coupe",
    # Sporty cars are the coupés ("suv deportiva" stays an SUV: the first body said wins).
    "deportivo": "coupe",
    "deportiva": "coupe",
    "deportivos": "coupe",
    "deportivas": "coupe",
    # A body told by its doors: four are a sedan, two a coupé, five a hatchback.
    "4 puertas": "sedan",
    "cuatro puertas": "sedan",
    "2 puertas": "coupe",
    "dos puertas": "coupe",
    "5 puertas": "hatchback",
    "cinco puertas": "hatchback",
    "convertible": "convertible",
    "convertibles": "convertible",
    "descapotable": "convertible",
    "cabrio": "convertible",
    "cabriolet": "convertible",
    "station wagon": "wagon",
    "guayin": "wagon",
}

# Customer words → use. family/city/cargo/cheap are what the recommender understands.
USE_WORDS: dict[str, str] = {
    "familiar": "family",
    "familia": "family",
    "familias": "family",
    "hijos": "family",
    "ninos": "family",
    "chicos": "family",
    "bebe": "family",
    "7 pasajeros": "family",
    "siete pasajeros": "family",
    "tercera fila": "family",
    "3 filas": "family",
    "tres filas": "family",
    "espacioso": "family",
    "espaciosa": "family",
    "amplio": "family",
    "amplia": "family",
    "ciudad": "city",
    "urbano": "city",
    "urbana": "city",
    "trafico": "city",
    "compacto": "city",
    "compacta": "city",
    "chico": "city",
    "chica": "city",
    "chiquito": "city",
    "pequeno": "city",
    "pequena": "city",
    # Fuel economy: the small cars of the city use.
    "ahorrador": "city",
    "ahorradora": "city",
    "rendidor": "city",
    "rendidora": "city",
    "gaste poco": "city",
    "gasta poco": "city",
    "consuma poco": "city",
    "consume poco": "city",
    "bajo consumo": "city",
    "que rinda": "city",
    "no gaste tanta gasolina": "city",
    "no gaste mucha gasolina": "city",
    "no gaste gasolina": "city",
    "no consuma tanta gasolina": "city",
    "no consuma mucha gasolina": "city",
    "gaste menos gasolina": "city",
    "poca gasolina": "city",
    "ahorre gasolina": "city",
    "ahorrar gasolina": "city",
    "ahorro de gasolina": "city",
    "rinda la gasolina": "city",
    "buen rendimiento": "city",
    "carga": "cargo",
    "cargar": "cargo",
    "mercancia": "cargo",
    "herramientas": "cargo",
    "fletes": "cargo",
    "economico": "cheap",
    "economica": "cheap",
    "economicos": "cheap",
    "economicas": "cheap",
    "barato": "cheap",
    "barata": "cheap",
    "baratos": "cheap",
    "baratas": "cheap",
    "accesible": "cheap",
    "bajo precio": "cheap",
    # Drive asked by name: only cars whose version says so ("4WD", "AWD"…) fit first.
    "4x4": "all_wheel",
    "4 x 4": "all_wheel",
    "4wd": "all_wheel",
    "awd": "all_wheel",
    "doble traccion": "all_wheel",
    "traccion integral": "all_wheel",
    "traccion en las 4": "all_wheel",
    "traccion 4x4": "all_wheel",
    "terraceria": "offroad",
    "rancho": "offroad",
    "brecha": "offroad",
    "campo traviesa": "offroad",
}

TRANSMISSION_WORDS: dict[str, str] = {
    "automatico": "automatic",
    "automatica": "automatic",
    "automaticos": "automatic",
    "automaticas": "automatic",
    "automatic": "automatic",
    "cvt": "automatic",
    "tiptronic": "automatic",
    "manual": "manual",
    "manuales": "manual",
    "estandar": "manual",
    "standard": "manual",
    "std": "manual",
}

# Model names that are also ordinary Spanish words or Mexican places ("vivo en Durango", "cerca
# del río", "quiero uno"): they name a car only next to their make ("Dodge Durango", "Kia Rio").
AMBIGUOUS_NAMES: frozenset[str] = frozenset(
    {
        "rio", "uno", "gol", "ka", "hs", "up", "one", "fit", "avanza", "durango", "leon",
        "toledo", "tucson", "escape", "fiesta", "lobo", "city", "beat", "soul", "edge", "neon",
        "colorado", "tornado", "santafe", "pilot", "note", "logan",
    }
)  # fmt: skip


def _wordlist(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Places of several words whose last word is also a model ("Nuevo León", "Santa Fe"): never a
# car, even in a message about cars.
MULTIWORD_PLACES: frozenset[str] = frozenset(
    {
        "nuevo leon", "san luis potosi", "baja california", "quintana roo", "santa fe",
        "san pedro", "ciudad juarez", "estado de mexico", "ciudad de mexico", "leon guanajuato",
        "tuxtla gutierrez", "puerto vallarta", "playa del carmen", "los cabos", "la paz",
        "ciudad obregon", "nuevo laredo", "garza garcia", "las torres", "punto sur",
    }
)  # fmt: skip


# Frequent words in Spanish sales chats. A span containing one is never fuzzy-matched, so
# "venta" is not read as "Vento", "que onda" as "Honda" or "algo" as "Argo".
COMMON_WORDS: frozenset[str] = _wordlist(
    """
    a al algo alguien algun alguna algunas alguno algunos alla alli ahi aqui aca asi aun aunque
    ante antes apenas bien bueno buena buenos buenas buen cada casi como con contra cual cuales
    cuando cuanto cuanta cuantos cuantas de del desde donde dos durante e el ella ellas ellos
    en entre era eres es esa esas ese eso esos esta estas este esto estos estoy estan estamos
    fue fui ha han has hay he hasta la las le les lo los mas me mi mis mucho mucha muchos
    muchas muy nada nadie ni no nos nosotros nuestro nuestra o otra otro otras otros para pero
    poco poca pocos pocas por porque pues que quien quienes se sea sean seas ser si sin sino
    sobre solo son su sus tal tambien tan tanto te ti tiene tienen tienes tengo todo toda todos
    todas tu tus un una unas uno unos usted ustedes va van vas voy y ya yo x q k xq pq porfa
    plis pls ok hola holi dias tardes noches gracias saludos adios bye hey oye oiga disculpa
    wenas wenos weno wena ola olis holis quiubo kiubo kiero kisiera xfa xfavor bno wno
    hi hello have has do does you your the an of for with like want need looking one first
    second third last please thanks yes about any some
    perdon favor quiero quisiera queria busco buscando buscar necesito necesitamos ocupo
    ocupamos interesa interesado interesada gustaria gusta gusto ver verlo verla veo vi ves
    vemos venir vengo vienes ir vamos puedo puede pueden podria podrian quieres saber sabes
    dime decir dice dicen digo mande mandas manda mandar mandame envia enviar envio pasa pasar
    paso pasame info informacion detalles datos precio precios costo costos cuesta cuestan
    valor pago pagos pagar pague mensual mensualidad mensualidades enganche credito
    financiamiento financiar plazo plazos meses mes anos ano anio tasa interes contado efectivo
    tarjeta banco presupuesto dinero pesos peso mil miles millon varo lana baro barato caro
    cara caros venta ventas vendo vende venden vender vendes compra compras comprar compro
    compre compran auto autos carro carros coche coches vehiculo vehiculos unidad unidades
    modelo modelos marca marcas version versiones motor llantas rines color colores blanco
    negro rojo gris azul plata kilometraje kilometros km kms usado usados seminuevo seminuevos
    nuevo nueva nuevos nuevas disponible disponibles hoy manana ayer ahora ahorita luego
    despues tarde temprano semana fin horas hora hs min minutos cita agendar agenda visita
    visitar sucursal tienda lugar direccion ubicacion cerca lejos zona norte sur centro oriente
    poniente ciudad casa trabajo rio mar playa lago monte campo calle colonia estado pais
    mexico cdmx fijo fija tras trae traes traer traigo entra entrar entro sentar sentado marcha
    marchas onda ondas audio radio pantalla camara camaras sensor sensores ultima ultimo
    ultimas ultimos clase clases serie series alta alto baja bajo media medio mediano mediana
    grande grandes meta metas jefa jefe toca tocar carta cartas cargo cargos fuerte fuertes
    suerte lento lenta viento vente pollo pelo palo patio pasillo pasado manuel maria jose juan
    luis carlos pedro ana sofia daniel volvi volvio volver vuelvo vuelve regreso regresar
    merced mercado explorar compas compa compadre cautiva captura capturar corona infinito
    territorio virtud pulso piloto acento sorteo aviador caballero renegado patriota veras vera
    paris mire mirar miren crema honra hondo movi fiar fiado hija hijo ave aves reno dia noche
    similar economia sistema sistemas seguro seguros garantia documentos papeles factura
    tenencia verificacion placas llaves prueba manejo manejar cambio cambiar cambios entrega
    entregar recibir recibo cuenta cuentas mano segunda primera bonito bonita bonitos bonitas
    excelente perfecto perfecta claro listo lista vale sale hacer hace hago hice tener tenia
    tuve estar estaba estuve hablar hablo llamar llamo llama escribir escribo mensaje mensajes
    numero telefono celular whatsapp correo nombre apellido vez quizas segura mejor peor igual
    bastante demasiado camino caminos carretera viaje viajes avenida
    neta netas chido chida padrisimo chingon chingona cuate cuates carnal carnala morra morro
    chamba chambear jale simon nel orale andale aguas mero mera orita chale nomas pos pus pa pal
    subo subes subimos subele subirle subiendo bajas bajamos bajale bajarle pongo pones ponle
    ponerle meto metes mete metele meterle
    """
)


# Mexican states, big cities and the company's own name: "vivo en Durango", "soy de León",
# "kavak es confiable?" are never a car (a place that is also a model, such as Durango or León,
# counts only next to its make; see AMBIGUOUS_NAMES). Keys are normalised; multi-word places
# contribute each word.
PLACE_NAMES: frozenset[str] = _wordlist(
    """
    aguascalientes baja california sur campeche chiapas chihuahua coahuila colima durango
    guanajuato guerrero hidalgo jalisco michoacan morelos nayarit nuevo leon oaxaca puebla
    queretaro quintana roo san luis potosi sinaloa sonora tabasco tamaulipas tlaxcala veracruz
    yucatan zacatecas edomex cdmx df ciudad de mexico monterrey guadalajara tijuana juarez
    merida cancun acapulco toluca torreon saltillo hermosillo culiacan mazatlan mexicali
    morelia celaya irapuato salamanca tlalnepantla naucalpan ecatepec nezahualcoyotl zapopan
    tlaquepaque tonala apodaca escobedo guadalupe pedro garza garcia cuernavaca pachuca tepic
    xalapa coatzacoalcos orizaba cordoba villahermosa tuxtla gutierrez tapachula oaxaca
    ensenada rosarito nogales obregon navojoa ahome mochis reynosa matamoros nuevo laredo
    tampico madero victoria zacatecas fresnillo tehuacan atlixco cholula coacalco polanco
    satelite pedregal coyoacan tlalpan iztapalapa azcapotzalco xochimilco santa fe
    queretaro qro mty gdl pue slp ags gto
    kavak kavac cavak
    """
)


def _frequent_spanish() -> frozenset[str]:
    """The 5,000 most frequent Spanish words (wordfreq), normalised like matcher keys; built once
    per process by ``spanish.frequent``.

    Letters and two-letter tokens are model codes far more often than words here ("CR V",
    "Clase C"); the Spanish ones that matter are in COMMON_WORDS."""
    return frequent_folded_words(min_length=3)


def is_ordinary_word(word: str) -> bool:
    """True for ordinary Spanish words (the chat list and the 5,000 most frequent words)."""
    return word in COMMON_WORDS or word in _frequent_spanish()


def is_common(word: str) -> bool:
    """True for ordinary Spanish words, places and the company's name: never a fuzzy car name."""
    return word in PLACE_NAMES or is_ordinary_word(word)
