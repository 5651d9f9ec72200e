"""The FAQ-vs-buying-flow hint the conversation engine uses to interrupt the sales flow."""

from __future__ import annotations

import pytest

from knowledge.selectors import knowledge_is_question_about_kavak


@pytest.mark.parametrize(
    "text",
    [
        "¿tienen garantía?",
        "cuanto dura la garantia",
        "¿dónde están?",
        "tienen sucursal en monterrey?",
        "quiero vender mi auto",
        "que papeles piden para el credito",
        "¿qué documentos necesito?",
        "tienen app?",
        "los autos estan certificados?",
        "y si no me gusta lo puedo regresar?",
        "periodo de prueba",
        "puedo dar mi carro a cuenta",
        "¿qué es Kavak Total?",
        "hacen prueba de manejo a domicilio?",
        "a q hora abren",
        "cual es la tasa de interes",
        "¿el corolla tiene garantía?",
        "me interesa el versa, que documentos piden?",
        "como funciona el financiamiento?",
        "kavak es confiable?",
    ],
)
def test_faq_messages_are_recognised(text: str) -> None:
    assert knowledge_is_question_about_kavak(text=text)


@pytest.mark.parametrize(
    "text",
    [
        "busco un Corolla",
        "tengo 300 mil",
        "mi presupuesto es de $250,000",
        "quiero un versa 2020",
        "a 48 meses",
        "quiero financiarlo",
        "me interesa el de 280 mil",
        "hola",
        "gracias!",
        "sí",
        "algo automático tipo SUV",
        "cuanto cuesta el jetta",
        "quiero comprar un auto",
        "mi nombre es Ana y mi cel es 5512345678",
        "",
    ],
)
def test_buying_flow_messages_are_not_faq(text: str) -> None:
    assert not knowledge_is_question_about_kavak(text=text)


@pytest.mark.parametrize(
    "text",
    [
        "¿puedo pagar de contado?",
        "¿tienen autos eléctricos?",
        "¿tienen algo automático de menos de 200 mil?",
        "el versa tiene carplay?",
        "¿cuántos km tiene el 3?",
        "el segundo de que color es",
    ],
)
def test_catalogue_and_financing_questions_are_not_faq(text: str) -> None:
    assert not knowledge_is_question_about_kavak(text=text)


@pytest.mark.parametrize(
    "text",
    [
        "me pagan de contado si les vendo mi auto?",
        "cuanto me ofrecen por mi carro, es un aveo 2016",
    ],
)
def test_selling_a_named_car_is_still_a_kavak_question(text: str) -> None:
    assert knowledge_is_question_about_kavak(text=text)


def test_a_place_named_like_a_car_is_no_catalogue_question() -> None:
    from knowledge.intent import looks_like_catalogue_question

    # Round 7: the Leon of "Nuevo León" was read as the Seat, and the branches question was
    # left to the catalogue.
    assert not looks_like_catalogue_question("tienen algo en nuevo leon")
    assert looks_like_catalogue_question("tienen un seat leon?")


def test_a_frequent_unknown_word_in_a_longer_message_is_its_frame() -> None:
    from knowledge.intent import unknown_weight

    # Round 7: "semana", "hoy", "mismo" frame a question; "laptops" or "tenencia" is its topic.
    assert unknown_weight("semana", framed=True) == 0.5
    assert unknown_weight("laptops", framed=True) == 1.0
    # A place or business named is a topic however frequent ("seguros de vida").
    assert unknown_weight("vida", framed=True) == 1.0
    # In a short message every word is the topic.
    assert unknown_weight("semana") == 1.0


@pytest.mark.parametrize(
    ("text", "catalogue"),
    [
        # Round 7: a car just shown, named by a demonstrative, is asked about to the catalogue.
        ("y ese cuantos kilometros tiene", True),
        ("esa de que año es", True),
        # A Kavak topic in the message keeps it an article question.
        ("y ese tiene garantia?", False),
        ("ese periodo de prueba cuanto dura", False),
    ],
)
def test_a_demonstrative_names_the_car_shown(text: str, catalogue: bool) -> None:
    from knowledge.intent import looks_like_catalogue_question

    assert looks_like_catalogue_question(text) is catalogue


def test_the_cheapest_car_named_is_a_catalogue_question() -> None:
    from knowledge.intent import looks_like_catalogue_question

    assert looks_like_catalogue_question("cual es el carro mas barato que tengan")
