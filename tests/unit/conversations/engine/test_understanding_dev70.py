"""Classes fixed from the seventieth development batch: the trade-in asked about, what the
customer would be paid for their car as a down payment, and questions the flow answers getting no
"No tengo ese dato" (a catalogue question, a sale the advisor quotes)."""

from __future__ import annotations

import pytest

from conversations.engine import cues
from conversations.engine.state import Action
from tests.support.fakes import FakeKnowledge
from tests.unit.conversations.engine.test_policy import Chat
from tests.unit.conversations.engine.test_understanding import OPTIONS, read


@pytest.mark.parametrize(
    ("text", "trade_in"),
    [
        ("quiero cambiar mi versa 2015 por algo mas nuevo, como funciona?", True),
        ("puedo cambiar mi camioneta por una mas nueva?", True),
        ("cuanto me darian por mi versa para el enganche?", True),
        ("me toman mi carro como enganche?", True),
        ("quiero cambiar de carro", False),
        ("cuanto seria de enganche?", False),
    ],
)
def test_a_trade_in_is_read(text: str, trade_in: bool) -> None:
    assert cues.wants_trade_in(text) is trade_in


def test_what_they_would_pay_for_mine_is_no_minimum_down_payment_question() -> None:
    r = read(
        "cuanto me darian por mi versa para el enganche?",
        Action.ASK_DOWN_PAYMENT,
        options=OPTIONS,
        chosen=OPTIONS[0],
    )
    assert r.rule_question is None
    assert r.trade_in


def test_a_question_the_catalogue_answers_gets_no_decline_and_no_miss() -> None:
    chat = Chat()
    chat.knowledge = FakeKnowledge(catalogue=True)
    r = chat.say("hola, busco un auto, me pueden ayudar?")
    assert "No tengo ese dato" not in r.reply
    assert r.state.next_action == "ask_need"
    assert not [e for e in r.effects if type(e).__name__ == "RecordKbMiss"]


def test_a_seller_gets_the_advisors_quote_and_no_decline() -> None:
    r = Chat().say("hola me urge vender mi carro")
    assert "No tengo ese dato" not in r.reply
    assert "asesor" in r.reply
