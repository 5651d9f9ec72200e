"""Classes fixed from the eighty-second development batch: the verbs of raising or lowering an
amount are ordinary words ("subo" is no SUV) and "subo" is a price cue like "sube"; "¿está
bueno?" asks about an option; "me la quedo" takes the one asked about; the prices of two names
asked about are shown and a name not in stock is said; a model named while options are shown is
read with the car context."""

from __future__ import annotations

import pytest

from conversations.engine.reading.car_questions import _car_question
from conversations.engine.reading.options import _WANTS_IT
from conversations.engine.state import CarOption, Slots
from conversations.engine.steps.need import _names_not_shown
from tests.unit.conversations.engine.test_policy import Chat
from tests.unit.conversations.engine.test_understanding import OPTIONS


@pytest.mark.parametrize(
    "text", ["q onda con el 3, esta bueno?", "el 2 vale la pena?", "la 1 es buena?"]
)
def test_is_it_good_asks_about_the_option(text: str) -> None:
    q = _car_question(text, OPTIONS, None, question="?" in text)
    assert q is not None
    assert q.index is not None  # that option's details: price, year, km, gearbox, version
    assert q.fields[:3] == ("price", "year", "km")


@pytest.mark.parametrize(
    ("text", "takes"),
    [("va, me la quedo", True), ("me quedo con esa", True), ("me quedo pensando", False)],
)
def test_keeping_it_takes_it(text: str, takes: bool) -> None:
    assert (_WANTS_IT.search(text) is not None) is takes


def test_the_one_asked_about_is_kept() -> None:
    chat = Chat()
    chat.say("busco un corolla de 300 mil")
    chat.say("q onda con el 2, esta bueno?")
    assert chat.state.slots.chosen is None
    r = chat.say("va, me la quedo")
    assert r.state.slots.chosen == OPTIONS[1]


def test_a_name_asked_about_that_none_of_the_cars_is() -> None:
    slots = Slots(make="Toyota", model="Corolla", alternatives=(("Honda", "CR-V"),))
    cars: tuple[CarOption, ...] = OPTIONS[:2]  # two Corollas
    assert _names_not_shown(slots, cars) == ("Honda CR-V",)


def test_raising_the_share_keeps_the_plan_and_the_search() -> None:
    chat = Chat()
    chat.say("busco un sedan de 300 mil")
    chat.say("el 1")
    chat.say("con el 15%")
    chat.say("a 36")
    r = chat.say("ok y si le subo a 25%")
    assert r.state.slots.body_type == "sedan"
    assert r.state.slots.chosen is not None
    assert "25%" in r.reply
