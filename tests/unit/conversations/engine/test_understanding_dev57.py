"""Classes fixed from the fifty-seventh development batch: a bare term right after hearing the
terms, and what the state keeps of that for one turn only."""

from __future__ import annotations

from conversations.engine.replies_lead import branch_offer
from conversations.engine.state import (
    Action,
    ConversationState,
    Slots,
    state_from_dict,
    state_to_dict,
)
from conversations.engine.understanding import Reading, understand
from tests.support.fakes import CARS, FakeKnowledge, InMemoryCarCatalog
from tests.unit.conversations.engine.test_understanding import NOW


def _read(text: str, *, told: tuple[str, ...]) -> Reading:
    state = ConversationState(
        next_action=Action.ASK_DOWN_PAYMENT,
        slots=Slots(options=CARS[:3], chosen=CARS[0]),
        told=told,
    )
    return understand(text, state, catalog=InMemoryCarCatalog(), knowledge=FakeKnowledge(), now=NOW)


def test_a_bare_term_right_after_hearing_the_terms_is_the_term() -> None:
    r = _read("72", told=("terms",))
    assert r.term is not None
    assert r.term.months == 72
    assert r.down_amount is None


def test_without_the_terms_told_a_bare_number_is_the_down_payment_asked() -> None:
    r = _read("72", told=())
    assert r.term is None
    assert r.down_amount == 72000


def test_a_number_that_is_no_term_stays_money_after_the_terms() -> None:
    r = _read("40", told=("terms",))
    assert r.term is None
    assert r.down_amount == 40000


def test_what_was_told_survives_the_store_round_trip() -> None:
    state = ConversationState(told=("min_down", "terms"))
    assert state_from_dict(state_to_dict(state)) == state
    assert "told" not in state_to_dict(ConversationState())


def test_the_branch_offer_does_not_list_again_what_the_answer_lists() -> None:
    branches = FakeKnowledge().branches_in("monterrey")
    assert "*Kavak Nuevo Sur*" in branch_offer(branches)
    listed = branch_offer(branches, listed=True)
    assert "Kavak Nuevo Sur" not in listed
    assert listed.startswith("Te anoto en *Kavak Punto Valle*")
    assert "otra de Monterrey" in listed
