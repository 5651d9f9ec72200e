"""The article ranker and the golden-question model (pure Python, no database)."""

from __future__ import annotations

import random

import pytest

from knowledge import questions as kb_questions
from knowledge import ranking
from knowledge import text as kb_text
from knowledge.questions import QuestionIndex


@pytest.fixture
def questions() -> QuestionIndex:
    return QuestionIndex(
        {
            1: ["que le revisan a los carros", "hacen inspeccion mecanica?"],
            2: ["cuanto dura la garantia", "la cobertura es de cuanto tiempo"],
            3: ["donde estan ubicados", "sucursal en guadalajara?"],
        }
    )


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("los autos vienen revisados?", 1),  # an inflection no golden question uses
        ("cuanto dura la grantia", 2),  # a typo
        ("en que sucursales estan?", 3),
    ],
)
def test_nearest_golden_question_finds_the_article(
    questions: QuestionIndex, question: str, article: int
) -> None:
    matches = questions.match(_features(question))
    best = max(matches, key=lambda a: matches[a].nearest)
    assert best == article
    assert 0 < matches[best].nearest <= 1
    assert 0 < matches[best].centroid <= 1


def _features(question: str) -> dict[str, float]:
    return dict(kb_questions.text_features(question))


def test_an_empty_question_model_matches_nothing() -> None:
    assert QuestionIndex({}).match(_features("tienen garantia")) == {}


def test_fit_recovers_the_direction_of_a_separating_feature() -> None:
    rng = random.Random(3)
    rows = []
    for _ in range(400):
        label = rng.random() < 0.5
        features = {name: rng.random() for name in ranking.FEATURES}
        features["coverage"] = rng.uniform(0.6, 1.0) if label else rng.uniform(0.0, 0.5)
        rows.append((features, label))
    model = ranking.fit(rows)
    assert model["coverage"] > 3
    assert all(abs(model[name]) < abs(model["coverage"]) for name in ranking.FEATURES[1:])
    p_high = ranking.probability({**dict.fromkeys(ranking.FEATURES, 0.5), "coverage": 0.9}, model)
    p_low = ranking.probability({**dict.fromkeys(ranking.FEATURES, 0.5), "coverage": 0.1}, model)
    assert p_high > 0.8 > 0.2 > p_low


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        # Whose sale it is: Kavak selling is buying from Kavak, Kavak buying is selling to it.
        ("que revisan antes de vender un carro", "comprar", "vender"),
        ("revisan el carro antes de comprarmelo?", "vender", "comprar"),
        # The customer's car as the down payment is a trade-in (its words stay).
        ("aceptan mi carro como enganche", "acuenta", None),
        # A place near a city with branches brings the city's area along.
        ("tienen algo por ecatepec", "edomex", None),
        # Something wrong with the car is what the warranty covers.
        ("se le descompuso el motor", "garantia", None),
        # Changing the oil is no trade-in; changing one's old car is.
        ("como cambio el aceite", None, "acuenta"),
        ("tengo uno viejito y quiero cambiarlo", "acuenta", None),
    ],
)
def test_concepts_are_read_from_how_customers_say_them(
    text: str, present: str | None, absent: str | None
) -> None:
    terms = kb_text.terms(text)
    if present:
        assert kb_text.term_of(present) in terms
    if absent:
        assert kb_text.term_of(absent) not in terms


def test_a_trade_in_phrase_keeps_the_customers_words() -> None:
    terms = kb_text.terms("aceptan mi carro como enganche")
    assert {
        kb_text.term_of("acuenta"),
        kb_text.term_of("enganche"),
        kb_text.term_of("auto"),
    } <= set(terms)


def test_unknown_heads_of_phrases_are_found() -> None:
    assert ("clima", "monterrey") in kb_text.head_complements("como esta el clima en monterrey")
    # A measure is no thing asked about.
    assert kb_text.head_complements("me fallo a los 2 meses de comprarlo") == []
