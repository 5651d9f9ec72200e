"""Word lists the engine reads customer text with (pure data; keys are accent-folded, lower case).

Cue words decide what a number is (UNDERSTANDING.md §2); the other lists name the intents a turn
can carry besides its slots. They are classes of wording, not sentences: each entry is a word or a
short phrase matched on word boundaries anywhere in the message.
"""

from __future__ import annotations

from spanish import frequent_folded_words

# --- cue words: what a number is --------------------------------------------------------------
DOWN_CUES = (
    r"enganche", r"engache", r"enganches", r"de entrada", r"pago inicial", r"anticipo",
    r"inicial", r"dar de entrada", r"a cuenta", r"pie",
)  # fmt: skip
# Weaker: a verb of giving money, read as a down payment only when no stronger cue is near.
GIVE_CUES = (
    r"doy", r"daria", r"dar", r"pongo", r"pondria", r"poner", r"aporto", r"aportaria",
    r"adelanto", r"adelantar", r"juntar", r"junte", r"juntado", r"ahorrado",
    r"damos", r"dariamos", r"ponemos", r"pondriamos", r"diera", r"dieramos", r"pusiera",
    r"le doy", r"le pongo", r"les doy", r"doy de",
)  # fmt: skip
MONTHLY_CUES = (
    r"al mes", r"mensual", r"mensuales", r"mensualidad", r"mensualidades", r"por mes",
    r"cada mes", r"x mes", r"xmes", r"de renta", r"mes a mes", r"mensualmente", r"pagos de",
    r"abonos de", r"quincenal", r"a la quincena",
)  # fmt: skip
PRICE_CUES = (
    r"presupuesto", r"presupueto", r"presupuesta", r"budget", r"precio", r"cueste", r"cuesta",
    r"valga", r"que no pase de", r"no mas de", r"maximo", r"max", r"tope", r"hasta",
    r"menos de", r"alrededor de", r"tengo", r"traigo", r"cuento con", r"ando en", r"como",
    r"unos", r"unas", r"aprox", r"aproximadamente", r"sub[eio]\w*", r"con",
)  # fmt: skip
RATE_WORDS = (r"tasa", r"interes", r"intereses", r"cat")

# --- intents ------------------------------------------------------------------------------------
CALLBACK = (
    r"que me llamen", r"que me llame", r"que me marquen", r"que me marque", r"me llamen",
    r"me llame", r"me marquen", r"me marque", r"llamenme", r"llamame", r"marquenme",
    r"marcame", r"que me contacten", r"que me contacte", r"me contacten", r"me contacte",
    r"contactenme", r"contactame", r"que me hablen", r"que me hable", r"me hablen",
    r"una llamada", r"por telefono", r"que me escriban", r"que me escriba",
    # Any form of call / dial / talk / contact after "me" with a modal ("¿me pueden marcar
    # mañana?", "me podrías llamar", "me van a hablar"), and the enclitic forms ("marcarme").
    # "me llamo Jorge" is a name, not a call: only these endings are calls.
    r"me (?:(?:pueden|puedes|puede|podrian|podrias|podra|pudieran|pudieras|van a|vas a|va a)"
    r" )?(?:llamar|llaman|llamas|marcar|marcan|marcas|hablar|hablan|contactar|contactan|escribir)",
    r"(?:llamar|marcar|hablar|contactar)me", r"regresen la llamada", r"devuelvan la llamada",
    # "¿me mandas la info por whats?": an advisor sends it, to the number they leave.
    r"(?:mand|envi|pas)\w*\b.{0,25}\bpor (?:whats\w*|wats\w*|wsp|wa|correo|mail|e-?mail)",
    # Reserving a car ("¿cómo lo aparto?") is done with an advisor: a call back about the car.
    r"apart(?:ar|o|en|a|an|as|amos|arlo|arla|armelo|armela|enlo|enla)",
    r"(?:reservar|separar)(?:lo|la|melo|mela)?", r"lo (?:reservo|separo)", r"la (?:reservo|separo)",
)  # fmt: skip
APPOINTMENT = (
    r"citas?", r"agend\w*", r"visitar", r"visitarlos",
    r"ir a verlo", r"ir a verla", r"ir a verlos", r"verlo en persona", r"verla en persona",
    r"prueba de manejo", r"probarlo", r"probarla", r"manejarlo", r"manejarla", r"quiero verlo",
    r"quiero verla", r"puedo verlo", r"puedo verla", r"pasar a verlo", r"pasar a verla",
    # "me gustaría verla", "quisiera verlo", "nos gustaría conocerla": a wish to see it.
    r"(?:me|nos) (?:gustaria|encantaria|interesa|late) (?:ir a )?(?:verl[oa]s?|conocerl[oa]s?"
    r"|checarl[oa]s?|probarl[oa]s?)",
    r"(?:quisiera|quisieramos|queremos|quiero|ocupo) (?:ir a )?(?:verl[oa]s?|checarl[oa]s?)",
    r"ir a la sucursal", r"ir a su sucursal", r"ir a la agencia", r"ir a ver\w*",
    # "¿la puedo ver este fin?", "¿lo podemos ir a ver?": the pronoun before the verb.
    r"(?:lo|la|los|las) (?:puedo|podemos|podria|podriamos|quiero|queremos) (?:ir a )?"
    r"(?:ver|checar|probar)",
    r"pasar a ver\w*", r"verlo en vivo", r"verla en vivo", r"conocerlo", r"conocerla",
    # A visit asked as a question: cuando puedo ir, podemos pasar el sabado; never ir pagando.
    r"(?:puedo|podemos|podria|podriamos) (?:ir|pasar)\b(?! (?:pagando|abonando|dando|juntando))",
)  # fmt: skip
# Questions about the financing rules themselves, answered from the engine's configuration.
RULE_TOPICS = {
    "terms": (r"plazos?", r"a cuantos meses", r"cuantos meses", r"cuantos anos", r"meses manejan"),
    "rate": (r"tasa", r"interes", r"intereses", r"cat"),
    # "¿cuánto es lo máximo que puedo financiar?", "¿de cuánto me dan el crédito?": the price
    # less the least down payment.
    "max_financed": (
        r"(?:lo )?maximo (?:que )?(?:(?:me )?(?:pueden|puedo|podria|podrian|se puede) )?"
        r"(?:financiar|financian|prestar|prestan)",
        r"(?:monto|cantidad) maxim[oa] (?:a|de|del|para) (?:financiar|financiamiento|credito)",
        r"(?:cuanto|de cuanto|hasta cuanto) (?:me )?(?:pueden |podrian )?(?:financian|financiarian"
        r"|prestan|prestarian|dan de credito|darian de credito)",
        # "¿de cuánto me pueden dar el crédito como máximo?": the most and a credit word.
        r"cuanto\b.*\b(?:credito|financ\w*|prest\w*)\b.*\b(?:como )?maxim[oa]",
    ),
    "min_down": (
        r"minimo de enganche", r"enganche minimo", r"lo minimo de enganche",
        r"sin enganche", r"cuanto de enganche", r"cuanto es de enganche", r"enganche de cuanto",
        # "no tengo pa enganche, ¿cuánto es lo menos?": the least, with the down payment named.
        # "de enganche, ¿cuánto tengo que dar mínimo?": the least and the down payment, any order.
        r"(?:enganche|entrada)\b.*\b(?:lo menos|minim[oa])",
        r"(?:lo menos|minim[oa])\b.*\b(?:enganche|entrada)",
        # "¿cuánto es lo mínimo que debo dar?", "¿cuánto hay que dar de entrada?"
        r"lo (?:menos|minimo) (?:que )?(?:debo|tengo que|hay que|necesito|se puede|puedo)"
        r" (?:dar|poner|dejar)", r"(?:dar|poner|dejar|pagar) de entrada",
        # "¿cuánto es lo mínimo que doy?": the least, with a verb of giving.
        r"(?:lo )?minimo (?:que )?(?:doy|daria|pongo|pondria|dejo|dejaria|pago|pagaria|ocupo"
        r"|necesito|tengo que dar|debo dar)",
    ),
}  # fmt: skip
THINK_LATER = (
    r"lo voy a pensar", r"la voy a pensar", r"dejame pensarlo", r"dejame pensarla",
    r"dejame pensar", r"lo pienso", r"lo pensare", r"lo checo", r"lo reviso", r"luego te digo",
    r"luego te aviso", r"despues te escribo", r"luego te escribo", r"te aviso", r"lo platico",
    r"lo consulto", r"dejame ver", r"dejame checar", r"mas tarde te escribo",
    r"luego lo vemos", r"todavia lo estoy pensando",
)  # fmt: skip
DECLINE = (
    r"no gracias", r"no, gracias", r"por ahora no", r"ahorita no", r"de momento no",
    r"por el momento no", r"no por ahora", r"asi esta bien", r"nada mas", r"solo eso",
    r"solo queria saber", r"solo estoy viendo", r"solo viendo", r"no me interesa",
    r"ya no me interesa", r"mejor no", r"olvidalo", r"olvidenlo", r"ya no quiero",
    r"cancela\w*", r"dejalo asi", r"solo estaba viendo", r"nada mas (?:estoy|estaba) viendo",
    r"solo (?:estoy|estaba) checando", r"solo (?:preguntaba|cotizaba|estoy cotizando)",
    r"nada mas (?:preguntaba|cotizaba)",
)  # fmt: skip
# Who is answering ("¿eres un robot?", "¿con quién hablo?"): said plainly, with a person offered.
BOT_IDENTITY = (
    r"eres (?:un |una )?(?:robot|bot|chatbot|humano|persona|maquina|real|ia)",
    r"con quien (?:hablo|tengo el gusto)", r"quien (?:eres|me atiende|me esta atendiendo)",
    r"hablo con (?:una persona|un humano|alguien real|un robot|un bot|una maquina)",
    r"es un (?:bot|robot)", r"eres inteligencia artificial",
)  # fmt: skip
# A customer who is upset: an apology and a person offered, never ignored.
FRUSTRATED = (
    r"hart[oa]s?", r"nadie me (?:contesta|contesto|responde|respondio|atiende|atendio|hace caso"
    r"|pela|llama|llamo|marca|marco|escribe|escribio)",
    r"(?:pesimo|mal|malisimo|terrible) servicio", r"no me resuelven", r"que mala onda",
    # How the customer feels, in any form: "estoy molesto", "ando bien enojada", "qué coraje".
    r"(?:muy |bien |super )?(?:molest[oa]s?|enojad[oa]s?|encabronad[oa]s?|frustrad[oa]s?"
    r"|decepcionad[oa]s?|indignad[oa]s?)", r"que (?:molest\w*|coraje)", r"queja\w*", r"reclamo\w*",
    r"me tienen esperando", r"no me (?:han|ha) (?:llamado|contestado|marcado|respondido|atendido)",
    r"ya (?:les|te) (?:escribi|marque|llame) (?:varias|muchas)",
)  # fmt: skip
# A customer who already bought, with a problem: "lo compré con ustedes y se descompuso".
AFTER_SALE = (
    r"(?:lo|la) (?:compre|compramos|adquiri) (?:con|en|a) (?:ustedes|kavak)",
    r"(?:compre|compramos) (?:mi|un|una|el|la) \w+(?: \w+)? (?:con|en|a) (?:ustedes|kavak)",
    r"ya soy cliente", r"soy cliente de kavak",
    r"(?:se (?:me )?|me )(?:descompuso|descompuesto|fallo|averio|quedo tirad[oa])",
    r"(?:tiene|trae|salio con) (?:una )?(?:falla|fallas|problema|problemas)",
)  # fmt: skip
# A make's country said instead of the make ("que no sea china", "nada coreano"): the makes of
# that origin, as the catalogue names them (a make not in stock is simply never found).
MAKES_BY_ORIGIN = {
    r"chin": (
        "JAC", "MG", "Chirey", "BAIC", "JMC", "Changan", "GWM", "Haval", "Omoda", "BYD", "Geely",
        "Foton", "GAC", "Jetour",
    ),
    r"corean": ("KIA", "Hyundai"),
    r"japones": (
        "Toyota", "Nissan", "Honda", "Mazda", "Mitsubishi", "Suzuki", "Subaru", "Infiniti", "Acura",
        "Lexus",
    ),
    r"aleman": ("Volkswagen", "Audi", "BMW", "Mercedes Benz", "Porsche"),
    r"(?:american|gring|estadounidense)": (
        "Chevrolet", "Ford", "Dodge", "Jeep", "RAM", "Lincoln", "GMC", "Cadillac", "Buick",
        "Chrysler", "Tesla",
    ),
    r"frances": ("Renault", "Peugeot", "Citroen"),
    r"italian": ("Fiat", "Alfa Romeo"),
}  # fmt: skip
FINANCING_INTEREST = (
    r"financiamiento", r"financiar", r"financiado", r"financiada", r"a credito", r"credito",
    r"a meses", r"en mensualidades", r"en pagos", r"plan de pagos",
)  # fmt: skip
SHOW_AGAIN = (
    r"otra vez las opciones", r"otra vez los", r"otra vez las", r"de nuevo las opciones",
    r"las opciones de nuevo", r"volver a mandar", r"volver a ver", r"vuelve a mandar",
    r"vuelveme a mandar", r"mandame otra vez", r"repite", r"repiteme", r"repetir", r"cuales eran",
    r"que opciones eran", r"ver las opciones", r"las opciones", r"ensename las opciones",
    r"muestrame las opciones", r"mandame las opciones",
    r"regres\w* a las (?:primeras )?opciones", r"las primeras opciones", r"las de antes",
    r"las opciones anteriores", r"los de antes", r"las que me mandaste", r"los que me mandaste",
)  # fmt: skip
REFUSE_PHONE = (
    r"no quiero dar mi (?:numero|cel|celular|telefono)", r"no te voy a dar mi \w+",
    r"no doy mi \w+", r"prefiero no dar\w*", r"no tengo (?:cel|celular|telefono|numero)",
    r"sin (?:numero|telefono|cel)", r"no quiero que me llamen", r"no me llamen",
    r"no quiero dar datos", r"no doy datos", r"no les voy a dar",
)  # fmt: skip
SMALL_TALK = (
    r"ok", r"oki", r"okey", r"okay", r"va", r"vale", r"sale", r"bueno", r"aja", r"ajam",
    r"mmm+", r"hmm+", r"jaja\w*", r"jeje\w*", r"jiji\w*", r"xd", r"ah", r"oh", r"ya", r"aha",
    r"entiendo", r"entendido", r"orale", r"chido", r"padre", r"genial", r"excelente",
    r"perfecto", r"super", r"listo", r"sigues ahi", r"estas ahi", r"hay alguien", r"me oyes",
    r"hola", r"holi", r"holis", r"info", r"informacion", r"mas info", r"precios", r"precio",
    r"cotizacion", r"quiero informacion", r"me das informacion", r"me pasas info", r"oye",
    r"oiga", r"disculpa", r"perdon", r"un momento", r"un segundo", r"espera", r"esperame",
    r"ahorita", r"ahorita te digo", r"que tal", r"buen dia", r"buenos dias", r"buenas tardes",
    r"buenas noches", r"buenas", r"saludos", r"que onda", r"q onda", r"como estas", r"todo bien",
    r"gracias", r"muchas gracias", r"mil gracias", r"si", r"no", r"claro", r"eso",
)  # fmt: skip
OFF_TOPIC_HINTS = (
    r"futbol", r"partido", r"america", r"chivas", r"mundial", r"dolar", r"clima", r"lluvia",
    r"politica", r"presidente", r"eleccion\w*", r"receta", r"pelicula", r"musica", r"cancion",
    r"chiste", r"novia", r"novio", r"horoscopo", r"loteria", r"bitcoin",
)  # fmt: skip

# Fuels the catalogue could carry; the versions say it when they do ("HYBRID", "EV").
FUEL_WORDS = {
    "electric": (r"electric\w*", r"electrico\w*", r"electrica\w*", r"ev", r"cero emisiones"),
    "hybrid": (r"hibrid\w*", r"hybrid\w*", r"hev", r"phev"),
    "diesel": (r"diesel", r"disel", r"tdi"),
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- names --------------------------------------------------------------------------------------
# Given names that are also frequent Spanish words ("Rosa", "Luz", "Paz"): "soy rosa" is a name.
GIVEN_NAMES: frozenset[str] = _words(
    """
    maria jose juan luis carlos jorge miguel jesus antonio francisco alejandro pedro manuel
    ricardo fernando roberto javier eduardo daniel sergio mario raul arturo rafael alberto
    enrique hector oscar david jaime martin victor hugo ivan diego andres pablo gerardo armando
    alfredo ramon rodrigo gustavo adrian ernesto salvador cesar guillermo alfonso ignacio emilio
    felipe santiago sebastian mateo nicolas samuel gabriel angel cristian christian omar marco
    marcos abraham benjamin tomas lorenzo rogelio ruben agustin esteban julio isaac elias ana
    rosa laura patricia guadalupe lupita carmen veronica adriana gabriela claudia monica
    alejandra sandra leticia silvia martha marta teresa elena isabel beatriz lucia sofia valeria
    fernanda daniela paola andrea karla carla mariana diana liliana alicia cristina margarita
    josefina susana araceli norma yolanda irma elizabeth angelica ximena regina camila natalia
    renata valentina victoria luz paz cruz rocio pilar esperanza dolores mercedes consuelo
    gloria lourdes catalina julia clara ines eva sara raquel ruth nancy karen brenda erika
    jessica vanessa ivonne miriam aurora estela blanca paty pepe tono lalo memo beto paco
    pancho chucho nacho tere lupe chela lulu
    """
)
# Words after "soy" that describe, not name ("soy de León", "soy nuevo en esto").
NOT_NAMES: frozenset[str] = _words(
    """
    hola si no ok gracias asesor nada bien claro auto carro coche camioneta sedan suv pickup
    de del el la los las un una uno nuevo nueva cliente clienta mexicano mexicana estudiante
    ingeniero ingeniera doctor doctora licenciado licenciada senor senora sr sra don dona
    interesado interesada muy yo tu quien que para por con sin mama papa esposo esposa hijo
    hija amigo amiga vecino vecina taxista chofer uber comerciante maestro maestra kavak
    """
)


def frequent_words() -> frozenset[str]:
    """The 5,000 most frequent Spanish words (wordfreq), folded; built once per process by
    ``spanish.frequent``."""
    return frequent_folded_words()
