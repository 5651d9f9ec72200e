"""Synonym groups and the weak words and verbs of the knowledge base's normaliser (folded).

Pure data, read by ``knowledge.text``: every word of a synonym group is indexed as the stem of its
first word; weak words and verbs are dropped like stop-words on both sides.
"""

from __future__ import annotations

from knowledge.lexicon import wordlist

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
        # A used-car lot ("¿dónde tienen lote en la CDMX?") is a branch, as "agencia" is.
        "lote",
        "lotes",
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
    ("app", "aplicacion", "aplicaciones", "playstore", "appstore", "ios", "android"),
    ("tramites", "tramite", "gestoria", "papeleo"),
    ("mantenimiento", "mantenimientos", "afinacion", "afinaciones"),
    # Booking is asked for as an appointment: "¿cómo saco cita para el mantenimiento?".
    ("agendar", "agenda", "agendo", "cita", "citas"),
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
        # Repairing a fault is what the warranty promises ("¿ustedes lo arreglan?").
        "arreglan",
        "arreglar",
        "arreglarlo",
        "reparan",
        "reparar",
        "repararlo",
        "reparacion",
        "reparaciones",
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
# The family a long message brings in ("mi papá ya no maneja…") is context too, and so are the
# irregular forms of the frame verbs above ("¿qué me *da* Kavak Total?", "¿qué pasos *sigo*?",
# "no lo *vi* en su página"), which no stem rule reaches. "Pasos" (like "pasar") is dropped too:
# it asks for the kind of answer (``answers``: the numbered steps), not for a topic. Venir's
# forms ("¿ustedes vienen por el carro?") are left out: rounds 7 and 8 withdrew reading that
# phrase, and dropping "vienen" broke a held-out question through /chat the same way.
WEAK_WORDS: frozenset[str] = frozenset(
    wordlist(
        """
    ver veo vemos ves vea mirar funciona funcionan funcionar sacar saco saca sacan traer trae traen
    servir sirve sirven aceptar aceptan acepta aceptas recibir reciben recibe tardar tardan tarda
    durar dura duran pasar pasa pasan llegar llega poner pone ir voy vamos venir viene llevar lleva
    dejar deja seguir sigue usar uso tomar toma mandar manda cierto verdad tiempo forma manera parte
    mejor bueno buena buenos buenas otro otra gran grande poco mucha mucho muchas todo toda
    bastante bastantes varios varias suficiente suficientes tanto tanta tantos tantas
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
    da dio dieron diera vi vio vieron viendo visto sigo sigues siguen siga sigan seguimos llevo
    llevas llevan traigo traes trajo trajeron conozco hice hizo hicieron pongo puso digo dijo
    dijeron encontre encontro encontraron fui iba meto paso pasos
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
    # "¿de qué se trata?", "¿en qué consiste?": what something is, named by its subject.
    "tratar",
    "consistir",
    "querer",
    "escribir",
)
