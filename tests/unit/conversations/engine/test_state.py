"""The state records' copy-with-changes matches ``dataclasses.replace`` exactly."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.engine.state import (
    CarOption,
    ConversationState,
    Slots,
    Step,
    state_from_dict,
    state_to_dict,
)

_car = CarOption(
    stock_id="1", make="Mazda", model="3", year=2021, version="i", price=Decimal("1.00"), km=1
)
_changes = st.fixed_dictionaries(
    {},
    optional={
        "body_type": st.none() | st.sampled_from(["suv", "sedan"]),
        "budget_max": st.none() | st.decimals(1, 10**7, places=2),
        "options": st.just((_car,)),
        "chosen": st.none() | st.just(_car),
        "term_months": st.none() | st.sampled_from([36, 48, 60, 72]),
        "name": st.none() | st.text(max_size=10),
        "lead_captured": st.booleans(),
        "uses": st.lists(st.sampled_from(["family", "city"]), max_size=2).map(tuple),
        "alternatives": st.lists(
            st.sampled_from([("KIA", "Rio"), ("Honda", None), (None, "Versa")]), max_size=2
        ).map(tuple),
    },
)


@given(changes=_changes, greeted=st.booleans())
def test_with_slots_is_replace(changes: dict[str, object], greeted: bool) -> None:
    state = ConversationState(step=Step.BUDGET, greeted=greeted, slots=Slots(make="Mazda"))
    evolved = state.with_slots(**changes)
    expected = dataclasses.replace(state, slots=dataclasses.replace(state.slots, **changes))
    assert evolved == expected
    assert hash(evolved) == hash(expected)
    assert state_to_dict(evolved) == state_to_dict(expected)
    assert state_from_dict(state_to_dict(evolved)) == evolved
    assert state.slots == Slots(make="Mazda")  # the original is untouched


def test_with_slots_refuses_unknown_names() -> None:
    with pytest.raises(TypeError, match="colour"):
        ConversationState().with_slots(colour="rojo")


def test_stored_state_leaves_default_slots_out_and_old_rows_still_load() -> None:
    state = ConversationState(step=Step.BUDGET).with_slots(body_type="suv", chosen=_car)
    data = state_to_dict(state)
    assert set(data["slots"]) == {"body_type", "chosen"}
    assert state_to_dict(ConversationState())["slots"] == {}
    # A row written before (every slot present, defaults included) reads the same.
    full = {**data, "slots": {f.name: None for f in dataclasses.fields(Slots)}}
    full["slots"].update(
        uses=[], options=[], need_open=False, cash_purchase=False, lead_captured=False,
        lead_recorded=False, wants_appointment=False, wants_callback=False, selling=False,
        **data["slots"],
    )  # fmt: skip
    assert state_from_dict(full) == state_from_dict(data) == state
