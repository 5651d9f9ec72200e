"""Who buys and who sells in a customer's message: the customer's side of the transaction. Pure.

"Comprar" and "vender" name the same transaction from its two ends, so a bag of words cannot tell
"¿ustedes compran autos?" (Kavak buys: the customer *sells*) from "¿cómo compro un auto?" (the
customer buys). The articles are written from the customer's side ("Vende tu auto a Kavak",
"Cómo comprar tu auto"), so every buying or selling verb is rewritten to the customer's own action
before the words are indexed: a verb whose actor is Kavak becomes its converse.

The actor of a verb is read from general cues, not from sentences:
- the verb's person: first singular ("compro", "vendí", "venderé") is the customer; third plural
  ("compran", "venden", "comprarían") is Kavak, the business asked; second singular and first
  plural depend on who writes (an article's "compras" is the customer's, its "compramos" Kavak's)
  and are left alone, as is the third singular without a subject ("la compra", "se vende");
- a subject before it: "ustedes", "kavak" (Kavak); "yo" (the customer);
- an indirect object: "me compran", "me lo vendes" (Kavak acts towards the customer);
- an infinitive's frame: "quiero/puedo/necesito/me interesa …" (the customer), "pueden/les
  interesa/quieren …" (Kavak), its clitics ("venderles", "vendérselo", "comprarles": the
  customer towards Kavak; "comprármelo": Kavak from the customer, "venderme": Kavak to the
  customer; "comprarme un auto" is the customer's own purchase); an infinitive with no frame
  is the customer's ("¿cómo vender mi auto?");
- the object: the customer's own car ("mi camioneta", "mis autos") is never the customer's to
  buy, so a buying verb with it as object is Kavak's ("les interesa comprar mi camioneta"); a car
  still to come ("mi primer auto", "mi nuevo carro") is not owned;
- nouns: "en venta", "a la venta" are Kavak's stock (the customer buys); other nouns ("la venta",
  "la compra") are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from knowledge.lexicon import wordlist


class Side(StrEnum):
    """The customer's side of the transaction a verb or noun describes."""

    BUYER = "buyer"
    SELLER = "seller"


_BUY = ("compr", "adquir")
_SELL = ("vend", "bend")  # "bender" (b/v) is how a customer writes it too
# Nouns and agent nouns of the families: who sells is not a question of person.
_NOT_VERBS = frozenset(
    {
        "compras",
        "comprador",
        "compradores",
        "venta",
        "ventas",
        "vendedor",
        "vendedores",
        "vendedora",
        "vendido",
        "vendidos",
        "vendida",
        "vendidas",
        "comprado",
        "comprados",
        "comprada",
        "compradas",
    }
)
_INFINITIVE = re.compile(
    r"^(?:compr|adquir|vend|bend)(?:ar|er|ir)(me|te|se|les|le|nos)?(lo|la|los|las)?$"
)
_FIRST_SINGULAR = re.compile(r"^(?:compr(?:o|e|are)|adquiero|adquiri|(?:vend|bend)(?:o|i|ere))$")
_THIRD_PLURAL = re.compile(
    r"^(?:compr|adquier|adquir|vend|bend)(?:an|en|aron|ieron|aran|eran|iran|arian|erian|irian"
    r"|aban|ian)$"
)
# Frames of an infinitive that make Kavak its actor, read in the three words before it (an
# infinitive with no such frame is the customer's: "quiero vender", "¿cómo comprar…?").
_KAVAK_FRAMES = frozenset(wordlist("pueden podrian quieren van quisieran"))
_KAVAK_SUBJECTS = frozenset({"ustedes", "kavak", "uds", "ud", "usted"})
_PREPOSITIONS = frozenset(wordlist("en con a de para por desde"))
_CAR_NOUNS = frozenset(
    wordlist(
        "auto autos carro carros coche coches camioneta camionetas vehiculo vehiculos nave unidad "
        "carcacha troca"
    )
)
_NOT_OWNED = frozenset(
    wordlist("primer primero nuevo nueva proximo proxima siguiente futuro futura")
)
_OWNED = frozenset({"mi", "mis"})
_PRONOUNS = frozenset({"lo", "la", "los", "las"})
_TOKEN = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Reading:
    """One buying or selling verb (or noun) of a message and the customer's side in it."""

    start: int  # character offsets of the word in the folded text
    end: int
    word: str
    side: Side | None  # None: the actor cannot be told (the word is left as written)


def _family(word: str) -> str:
    if word in _NOT_VERBS:
        return ""
    if word.startswith(("comprob", "comprom", "comprend")):
        return ""  # "comprobante", "compromiso", "comprender"
    if word.startswith(_BUY) or word.startswith("adquier"):
        return "buy"
    if word.startswith(_SELL) and not word.startswith(("vendedor", "vendim")):
        return "sell"
    return ""


def _owned_object(after: list[str]) -> bool:
    """Is the verb's object the customer's own car ("mi camioneta", "mis dos autos")?"""
    if not after or after[0] not in _OWNED:
        return False
    rest = after[1:4]
    return not (set(rest[:1]) & _NOT_OWNED) and bool(set(rest) & _CAR_NOUNS)


def _kavak_subject(near: list[str]) -> bool:
    """ "ustedes"/"Kavak" as a subject, not a place or a partner ("en Kavak", "con ustedes")."""
    return any(
        w in _KAVAK_SUBJECTS and (i == 0 or near[i - 1] not in _PREPOSITIONS)
        for i, w in enumerate(near)
    )


def _kavak_acts(word: str, before: list[str], after: list[str]) -> bool | None:
    """True when Kavak does what ``word`` says, False when the customer does, None unknown."""
    near = before[-3:]
    if _family(word) == "buy" and _owned_object(after):
        return True  # nobody buys their own car: Kavak (or whoever the customer sells to) does
    if near[-1:] == ["me"] or (len(near) >= 2 and near[-2] == "me" and near[-1] in _PRONOUNS):
        return True  # "me compran", "me lo vendes": Kavak, towards the customer
    infinitive = _INFINITIVE.match(word)
    if infinitive:
        return _kavak_acts_infinitive(word, infinitive, near, after)
    if _FIRST_SINGULAR.match(word) or near[-1:] == ["yo"]:
        return False
    if _THIRD_PLURAL.match(word):
        return True
    if word in {"compra", "vende", "adquiere"} and _kavak_subject(near):
        return True  # "Kavak también compra autos"
    return None


def _kavak_acts_infinitive(
    word: str, infinitive: re.Match[str], near: list[str], after: list[str]
) -> bool:
    clitic = infinitive.group(1)
    if clitic == "se" and infinitive.group(2) is None:
        return True  # "antes de venderse": passive, Kavak's stock being sold
    if clitic in {"les", "le", "se"}:
        return False  # "venderles", "vendérselo": the customer, towards Kavak
    if clitic == "me":
        # "comprármelo" (Kavak from the customer) but "comprarme un auto" (the customer's own);
        # "venderme" is always Kavak's.
        reflexive = infinitive.group(2) is None and after[:1] in (["un"], ["una"], ["otro"])
        return not (reflexive and _family(word) == "buy")
    # Kavak's: "¿pueden comprar…?", "¿les interesa comprar…?", "ustedes podrían vender", and
    # "¿qué revisan antes de vender un carro?" (its stock). Otherwise the customer's: "quiero
    # vender", "¿cómo comprar…?".
    return bool(
        set(near) & _KAVAK_FRAMES
        or _kavak_subject(near)
        or (near[-2:-1] == ["les"] and near[-1].startswith(("interes", "convien")))
        or (near[-2:] == ["antes", "de"] and _family(word) == "sell")
    )


def read(folded: str) -> list[Reading]:
    """The buying and selling words of ``folded`` text, each with the customer's side."""
    tokens = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(folded)]
    words = [t[2] for t in tokens]
    out: list[Reading] = []
    for i, (start, end, word) in enumerate(tokens):
        before, after = words[max(0, i - 4) : i], words[i + 1 : i + 5]
        if word == "venta" and (before[-1:] == ["en"] or before[-2:] == ["a", "la"]):
            out.append(Reading(start, end, word, Side.BUYER))  # Kavak's stock
            continue
        family = _family(word)
        if not family:
            continue
        kavak = _kavak_acts(word, before, after)
        if kavak is None:
            out.append(Reading(start, end, word, None))
            continue
        customer_buys = (family == "buy") != kavak
        out.append(Reading(start, end, word, Side.BUYER if customer_buys else Side.SELLER))
    return out


def customer_side(folded: str) -> Side | None:
    """The customer's one side in a message, or None (none read, or both: a trade-in)."""
    sides = {r.side for r in read(folded) if r.side is not None}
    return sides.pop() if len(sides) == 1 else None


# The customer's purchase already made: "ya lo compré", "ya pagué el carro", "ya me aprobaron el
# crédito", "ya firmé el contrato", "lo acabo de comprar".
_BOUGHT = re.compile(
    r"\bya (?:lo |la |me lo |me la )?(?:compre|pague|liquide|firme|adquiri)\b"
    r"|\bacabo de (?:comprar|pagar|adquirir)\b|\bya me (?:lo |la )?(?:aprobaron|autorizaron)\b"
)
# How it was paid says nothing more once it is bought ("de contado" is no sale's cash payment).
_PAID = re.compile(
    r"\bya (?:lo |la )?(?:pague|liquide)(?: (?:el|mi|la) (?:auto|carro|coche|camioneta))?"
    r"(?: (?:de|al) contado| completo| en efectivo| todo)?\b"
)
# The car handed over to its buyer: Kavak towards the customer ("me lo entregan", "me lo llevan a
# mi casa", "cuándo me dan el carro") or the customer picking it up ("lo puedo recoger", "paso a
# recogerlo", "recoger mi auto").
_HANDED_OVER = re.compile(
    r"\b(?:me|nos) (?:(?:lo |la )?(?:pueden |podrian |van a )?(?:entreg|llev|mand|envi)"
    r"|(?:lo|la) (?:pueden |podrian |van a )?(?:d|tra))"  # "me dan garantía": no hand-over
    r"(?:an|en|aran|arian|ar|aer)(?: (?:a|hasta) (?:mi |la )?(?:casa|domicilio))?\b"
    r"|\b(?:puedo|podre|voy a|paso a|pasar a|ir a|tengo que) recoger(?:lo|la)?\b"
    r"|\brecoger(?:lo|la)\b|\brecoger (?:mi|el) (?:auto|carro|coche|camioneta)\b"
)


def delivery(folded: str) -> str:
    """``folded`` with the handing over of a car the customer has already bought read as its
    delivery ("ya lo pagué, ¿cuándo lo puedo recoger?", "ya lo compré, ¿me lo llevan a mi
    casa?"): the buyer collects it, not the "recoger" of a car Kavak buys, nor the test drive
    at home of a car not yet bought ("¿me lo llevan a mi casa pa manejarlo antes?"). How it was
    paid is dropped: the customer's "de contado" is not the cash Kavak pays for a car."""
    if not _BOUGHT.search(folded) or not _HANDED_OVER.search(folded):
        return folded
    return _HANDED_OVER.sub(" entrega ", _PAID.sub(" ya ", folded))


# The word a rewritten verb becomes: the customer's own action, in a form the index knows.
_AS_CUSTOMER = {Side.BUYER: "comprar", Side.SELLER: "vender"}


def rewrite(folded: str) -> str:
    """``folded`` with each buying or selling word whose actor is known replaced by the
    customer's action: its converse when Kavak performs it ("¿ustedes compran autos?" →
    "¿ustedes vender autos?"), its plain infinitive otherwise ("kiero bender" → "kiero vender")."""
    readings = [(r, r.side) for r in read(folded) if r.side is not None]
    kavak = {
        family
        for r, side in readings
        if (family := _family(r.word)) and (family == "buy") == (side is Side.SELLER)
    }
    if not readings or len(kavak) == 2:
        return folded  # "Kavak compra y vende autos": what Kavak is, no side of the customer's
    out: list[str] = []
    last = 0
    for r, side in readings:
        out.append(folded[last : r.start])
        out.append(_AS_CUSTOMER[side])
        last = r.end
    out.append(folded[last:])
    return "".join(out)
