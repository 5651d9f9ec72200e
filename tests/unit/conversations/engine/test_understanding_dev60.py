"""Classes fixed from the sixtieth development batch: the car to sell said by its year after a
sale intent, and a customer who bought already with a problem."""

from __future__ import annotations

import pytest

from conversations.engine.state import Action
from tests.unit.conversations.engine.test_understanding import read


def test_a_car_and_its_year_after_a_sale_intent_is_the_car_to_sell() -> None:
    r = read("un corolla 2017", Action.ASK_NEED, selling=True)
    assert r.own_car == "Toyota Corolla 2017"
    assert r.need.model is None


def test_a_purchase_said_after_a_sale_intent_is_still_a_search() -> None:
    r = read("busco un versa 2020", Action.ASK_NEED, selling=True)
    assert r.own_car is None
    assert r.need.model == "Versa"


@pytest.mark.parametrize(
    ("text", "after_sale"),
    [
        ("compre un versa con ustedes y ya me salio con fallas", True),
        ("lo compre en kavak hace un mes y se descompuso", True),
        ("ya soy cliente, tengo un problema", True),
        ("busco un carro que no tenga fallas", False),
        ("quiero comprar un versa", False),
    ],
)
def test_a_customer_who_bought_already_with_a_problem(text: str, after_sale: bool) -> None:
    assert read(text).after_sale is after_sale
