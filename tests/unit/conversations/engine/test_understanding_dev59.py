"""Classes fixed from the fifty-ninth development batch: a model and its year name a listing;
"¿cuál es el precio?" asks the price; a question about a model shown twice is about those two."""

from __future__ import annotations

import pytest

from conversations.engine.state import Action
from tests.support.fakes import CARS
from tests.unit.conversations.engine.test_understanding import read


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("me interesa el versa 2020 que tienen publicado", 2020),
        ("vi una corolla modelo 2019", 2019),
        ("busco versa", None),
        ("versa de 2020 mil", None),  # no year: money
    ],
)
def test_a_year_said_with_a_model_is_its_listing_year(text: str, year: int | None) -> None:
    assert read(text).year_min == year


@pytest.mark.parametrize(
    "text", ["cual es el precio final?", "y cual seria su precio?", "cuanto es el costo"]
)
def test_which_price_asks_the_price(text: str) -> None:
    assert read(text, Action.CHOOSE_OPTION, options=CARS[:1]).price_asked


def test_a_question_about_a_model_shown_twice_is_about_those_two() -> None:
    options = CARS[:3]  # Corolla, Corolla, Versa
    r = read("los corolla de q año son?", Action.CHOOSE_OPTION, options=options)
    assert r.car_question is not None
    assert r.car_question.among == (0, 1)
