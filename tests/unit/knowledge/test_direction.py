"""Who buys and who sells in a message (``knowledge.direction``): pure, no database.

The phrasings are written for these tests and are in no evaluation set: the reader is checked as a
class of cues (person, subject, clitics, frames, the owned car), not as a list of sentences.
"""

from __future__ import annotations

import pytest

from knowledge import direction
from knowledge import text as kb_text
from knowledge.direction import Side


def _side(message: str) -> Side | None:
    return direction.customer_side(kb_text.fold(message))


@pytest.mark.parametrize(
    "message",
    [
        "vendo mi tsuru, les interesa?",  # first person
        "quisiera venderles mi camioneta",  # the customer towards Kavak
        "ustedes adquieren carros de particulares?",  # Kavak as the subject, third plural
        "a cuánto me compran una camioneta 2019",  # Kavak towards the customer
        "me la compraban hace un año",
        "¿podrían comprar mis dos coches?",  # Kavak's frame
        "les conviene comprar mi auto chocado",  # "les" + infinitive
        "quiero que alguien compre mi carro rapido",  # the customer's own car as the object
        "en cuánto tiempo pueden comprármelo",  # "comprármelo": Kavak from the customer
        "les podria vender mi pickup",  # "les" before the customer's own frame
    ],
)
def test_customer_side_is_seller_when_kavak_buys_or_the_customer_sells(message: str) -> None:
    assert _side(message) is Side.SELLER


@pytest.mark.parametrize(
    "message",
    [
        "me gustaría comprar un sedán familiar",  # the customer's own frame
        "¿ustedes venden pickups?",  # Kavak sells
        "me venderían uno a plazos?",
        "¿pueden venderme un auto sin enganche?",
        "tienen hatchbacks en venta?",  # Kavak's stock
        "voy a comprarme una camioneta este año",  # reflexive: the customer's own purchase
        "pienso comprar mi primer coche",  # a car still to come is not owned
        "compré con ustedes hace un mes",
        "les hacen revision antes de venderse?",  # passive: Kavak's stock
    ],
)
def test_customer_side_is_buyer_when_kavak_sells_or_the_customer_buys(message: str) -> None:
    assert _side(message) is Side.BUYER


@pytest.mark.parametrize(
    "message",
    [
        "la compra fue rápida",  # a noun: whose purchase it is not said
        "el vendedor no me contestó",
        "necesito el comprobante de pago",  # not a buying word at all
        "vendo mi carro y compro otro con ustedes",  # both sides: a trade-in
        "hola, buenas tardes",
    ],
)
def test_customer_side_is_none_when_the_actor_cannot_be_told(message: str) -> None:
    assert _side(message) is None


def test_rewrite_turns_kavak_actions_into_the_customer_converse() -> None:
    assert direction.rewrite("ustedes adquieren autos?") == "ustedes vender autos?"
    assert direction.rewrite("me venderian uno") == "me comprar uno"
    assert direction.rewrite("kiero bender mi vocho") == "kiero vender mi vocho"
    assert direction.rewrite("la compra fue rapida") == "la compra fue rapida"
    # Kavak on both sides describes the business, not the customer's side.
    assert direction.rewrite("ustedes compran y venden vans") == "ustedes compran y venden vans"


def test_articles_own_wording_keeps_its_side() -> None:
    # The articles address the customer ("compras", "puedes comprar") and speak as Kavak with a
    # subject ("Kavak también compra autos").
    assert direction.rewrite("en kavak puedes comprar tu auto") == "en kavak puedes comprar tu auto"
    assert direction.rewrite("los autos que compras") == "los autos que compras"
    assert direction.rewrite("kavak tambien compra autos") == "kavak tambien vender autos"


@pytest.mark.parametrize(
    ("message", "term"),
    [
        ("¿ustedes adquieren autos de agencia?", "vend"),
        ("les conviene comprar mi auto chocado", "vend"),
        ("¿pueden venderme un auto sin enganche?", "compr"),
    ],
)
def test_index_terms_follow_the_customer_side(message: str, term: str) -> None:
    assert term in kb_text.terms(message)


@pytest.mark.parametrize(
    "message",
    [
        "ya lo liquidé, ¿cuándo paso a recogerlo?",
        "ya pagué mi camioneta de contado, ¿me la traen?",
        "lo acabo de comprar, ¿me lo mandan hasta mi casa?",
        "ya me autorizaron el crédito, ¿cuándo me lo dan?",
    ],
)
def test_a_bought_car_handed_over_is_its_delivery(message: str) -> None:
    # The buyer collects the car: not Kavak's pick-up of a car it buys ("recoger"), nor the
    # cash it pays ("de contado"), nor a test drive at home.
    terms = kb_text.terms(message)
    assert "entreg" in terms
    assert not {"recog", "cont", "domicili"} & set(terms)
    for clause, words in kb_text.clauses(message):
        if "?" in clause:
            assert "entrega" in words


@pytest.mark.parametrize(
    "message",
    [
        "¿me lo llevan a mi casa para manejarlo antes?",  # not bought yet: the test drive
        "¿ustedes pueden recoger mi carro si se los vendo?",  # Kavak's pick-up
        "ya lo compré, ¿tiene garantía?",  # bought, nothing handed over
        "ya lo pagué, ¿me dan algún servicio gratis?",
    ],
)
def test_no_delivery_without_a_purchase_made_and_a_hand_over(message: str) -> None:
    assert "entreg" not in kb_text.terms(message)
