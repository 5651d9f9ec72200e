"""Classes fixed from the eighty-first development batch: the most that can be financed is a
financing rule (the price less the least down payment), and comfort asked of the options is
answered honestly as a detail the catalogue lacks."""

from __future__ import annotations

import pytest

from conversations.engine.reading.rules import _rule_question
from conversations.engine.state import Action
from tests.unit.conversations.engine.test_policy import Chat
from tests.unit.conversations.engine.test_understanding import OPTIONS, read


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("cuanto es lo maximo que puedo financiar?", "max_financed"),
        ("de cuanto me pueden dar el credito como maximo?", "max_financed"),
        ("hasta cuanto me financian?", "max_financed"),
        ("cual es el plazo maximo?", "terms"),
        ("cuanto es lo minimo de enganche?", "min_down"),
    ],
)
def test_the_most_that_can_be_financed_is_a_rule(text: str, topic: str) -> None:
    assert _rule_question(text, question=True) == topic


def test_the_most_that_can_be_financed_of_the_chosen_car() -> None:
    chat = Chat()
    chat.say("busco un corolla de 300 mil")
    chat.say("el 1")
    r = chat.say("oye y cuanto es lo maximo que puedo financiar?")
    # Corolla 2019 at $289,999: 90% of it.
    assert "hasta el 90% del precio" in r.reply
    assert "$260,999.10" in r.reply
    assert r.state.next_action == "ask_down_payment"


def test_comfort_asked_of_the_options_is_a_detail_the_catalogue_lacks() -> None:
    r = read("cual es el mas comodo?", Action.CHOOSE_OPTION, options=OPTIONS)
    assert r.car_question is not None
    assert "comfort" in r.car_question.fields
    assert r.choice is None
