"""Classes fixed from the sixty-ninth development batch: the next step asked for after the plan,
and a car asked for together with a question about haggling."""

from __future__ import annotations

import pytest

from conversations.engine.state import Action
from tests.unit.conversations.engine.test_policy import Chat
from tests.unit.conversations.engine.test_understanding import OPTIONS, read


@pytest.mark.parametrize("text", ["como seguimos?", "sale, que sigue?", "y ahora que?"])
def test_the_next_step_asked_after_the_plan_is_the_visit(text: str) -> None:
    r = read(text, Action.OFFER_APPOINTMENT, options=OPTIONS, chosen=OPTIONS[0])
    assert r.appointment


def test_the_next_step_with_nothing_chosen_is_not_a_visit() -> None:
    assert not read("como seguimos?", Action.ASK_NEED).appointment


def test_after_the_plan_how_do_we_go_on_asks_for_the_name() -> None:
    chat = Chat()
    chat.say("busco un corolla, tengo 300 mil")
    chat.say("el 1")
    chat.say("60 mil de enganche")
    chat.say("a 48")
    r = chat.say("como seguimos?")
    assert r.state.next_action == "ask_name"
    assert "no es algo en lo que pueda ayudarte" not in r.reply


def test_a_car_asked_with_a_haggle_gets_the_car_and_the_price_policy() -> None:
    r = Chat().say("tienen el versa 2020? cual es el precio final? se puede negociar?")
    assert [c.model for c in r.cars] == ["Versa"]
    assert "descuentos" in r.reply


@pytest.mark.parametrize(
    ("text", "other"),
    [
        ("hay algo mas?", True),
        ("mmm no se, que mas tienes?", True),
        ("no hay nada mas?", True),
        ("y algo mas?", True),
        ("nada mas viendo", False),
        ("algo mas barato?", True),
        ("es todo, gracias", False),
    ],
)
def test_anything_else_asks_for_other_options(text: str, other: bool) -> None:
    from conversations.engine import cues

    assert cues.wants_other_options(text) is other


def test_ok_that_one_with_several_shown_and_none_singled_out_asks_which() -> None:
    r = read("ok ese", Action.CHOOSE_OPTION, options=OPTIONS)
    assert r.choice is None
    assert r.choice_among == (0, 1, 2)


def test_that_one_after_asking_about_one_option_chooses_it() -> None:
    r = read("ok ese", Action.CHOOSE_OPTION, options=OPTIONS, focus=1)
    assert r.choice == 1


@pytest.mark.parametrize(
    ("text", "gearbox"),
    [
        ("kiero un carro pero no se manejar estandar", "automatic"),
        ("busco un sedan que no sea automatico", "manual"),
        ("nada de estandar", "automatic"),
        ("automatico, no estandar", "automatic"),
        ("un sedan estandar", "manual"),
    ],
)
def test_a_gearbox_said_with_a_negation_is_the_other_one(text: str, gearbox: str) -> None:
    assert read(text).need.transmission == gearbox


def test_a_colour_asked_of_the_model_in_mind_is_answered_honestly() -> None:
    r = Chat().say("me interesa el versa, lo tienen en rojo?")
    assert "un asesor te los confirma" in r.reply
    assert r.state.slots.model == "Versa"
