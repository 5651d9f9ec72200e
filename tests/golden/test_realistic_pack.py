"""The realistic conversation pack (issue 15): its size, its automatic checks, and its targets.

The pack's held-out part is never tuned to; ``evaluate_agent --gate-heldout`` fails under its
targets (≥ 95% of turns understood, no loops, no lost slots, no car the customer never named).
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.services import catalog_load_demo
from conversations.apis.outputs import render_outcome
from conversations.evaluation import (
    PackScore,
    Scenario,
    TurnReport,
    TurnSpec,
    _check_realistic,
    _Conversation,
    pack_score,
    scenario_load_pack,
    scenario_run,
)
from conversations.evaluation import ScenarioReport as Report
from conversations.services import conversation_turn_handle
from knowledge.services import knowledge_load_demo
from tests.support import ROOT

CAR = {
    "stock_id": "1", "make": "Nissan", "model": "Versa", "year": 2020, "price": "265999.00",
    "km": 45837, "transmission": "automatic", "version": "1.6 ADVANCE CVT", "seats": 5,
}  # fmt: skip


def test_the_pack_has_a_development_and_a_larger_than_30_held_out_part() -> None:
    dev, heldout = scenario_load_pack("dev"), scenario_load_pack("heldout")
    assert len(heldout) >= 30
    assert len(dev) + len(heldout) >= 80
    names = [s.name for s in (*dev, *heldout)]
    assert len(set(names)) == len(names)
    assert all(s.goal for s in (*dev, *heldout))
    with pytest.raises(ValueError, match="unknown pack part"):
        scenario_load_pack("tuned")


def _check(
    memo: _Conversation, say: str, expect: dict[str, object], reply: str, slots: dict[str, object],
    **state: object,
) -> TurnReport:  # fmt: skip
    report = TurnReport(index=1, say=say, response={"reply": reply, "cars": []})
    _check_realistic(TurnSpec(say=say, expect=expect), report.response, {"slots": slots, **state},
                     memo, report)  # fmt: skip
    return report


def test_a_slot_said_earlier_and_later_lost_is_counted() -> None:
    memo = _Conversation()
    first = _check(memo, "tengo 50 mil de enganche", {"slots": {"down_payment": "50000"}}, "ok",
                   {"down_payment": "50000"})  # fmt: skip
    assert first.ok
    later = _check(memo, "puedo pagar 6 mil al mes", {}, "ok", {"down_payment": None})
    assert [c.kind for c in later.checks if not c.ok] == ["lost_slot"]


def test_a_car_the_customer_never_named_is_counted() -> None:
    memo = _Conversation()
    slots = {"make": "Chevrolet", "model": "Cavalier"}
    reply = "¿Quisiste decir *Chevrolet Cavalier*?"
    report = _check(memo, "kavak es confiable?", {}, reply, slots, suggestion="Chevrolet Cavalier")
    assert {c.kind for c in report.checks if not c.ok} == {"unstated_car"}
    named = _check(_Conversation(), "busco un versa", {}, "ok", {"model": "Versa"})
    assert named.ok


def test_the_same_question_a_third_time_is_a_loop_and_not_understanding_is_flagged() -> None:
    memo = _Conversation()
    question = "¿Cuál es tu presupuesto?"
    assert _check(memo, "a", {}, question, {}).ok
    assert _check(memo, "b", {}, f"Perdón, no te entendí.\n\n{question}", {}).checks[0].kind == (
        "not_understood"
    )
    third = _check(memo, "c", {}, question, {})
    assert [c.kind for c in third.checks if not c.ok] == ["loop"]
    score = pack_score(
        [Report(Scenario("x", "", (), "need", (), ROOT), [third])]  # type: ignore[arg-type]
    )
    assert (score.loops, score.understood) == (1, 0)


def test_choice_and_car_fact_checks_use_the_options_last_shown() -> None:
    memo = _Conversation(cars=[CAR])
    fact = _check(memo, "cuantos km tiene el 1?", {"car_fact": {"option": 1, "field": "km"}},
                  "El 1 tiene 45,837 km.", {})  # fmt: skip
    assert fact.ok
    wrong = _check(memo, "de que año es?", {"car_fact": {"option": 1, "field": "year"}},
                   "Es modelo 2019.", {})  # fmt: skip
    assert not wrong.ok
    chose = _check(memo, "ok el 1", {"choice": 1}, "¡Buena elección!", {"chosen": CAR})
    assert chose.ok


@pytest.mark.django_db
def test_evaluate_agent_meets_the_held_out_targets() -> None:
    catalog_load_demo()
    knowledge_load_demo()
    out = io.StringIO()
    call_command("evaluate_agent", "--pack", "heldout", "--gate-heldout", stdout=out)
    text = out.getvalue()
    assert "Paquete realista [heldout]" in text
    assert "bucles               0" in text


@pytest.mark.django_db
def test_the_held_out_gate_fails_without_a_catalogue() -> None:
    knowledge_load_demo()
    with pytest.raises(CommandError, match="heldout_understood"):
        call_command("evaluate_agent", "--pack", "heldout", "--gate-heldout", stdout=io.StringIO())


def _pack(part: str) -> PackScore:
    def send(session_id: str, message: str) -> dict[str, object]:
        outcome = conversation_turn_handle(channel="api", external_id=session_id, text=message)
        return render_outcome(outcome)

    reports = [
        scenario_run(s, send=send, channel="api", realistic=True) for s in scenario_load_pack(part)
    ]
    return pack_score(reports)


@pytest.mark.django_db
def test_the_development_conversations_stay_understood() -> None:
    """Every class of failure fixed from the development conversations stays fixed: every turn
    of every development conversation (a bar under 100% would let one fixed class, worth a turn
    or two, come back unnoticed)."""
    catalog_load_demo()
    knowledge_load_demo()
    score = _pack("dev")
    assert score.conversations >= 284
    assert score.understood == score.turns
    assert score.completed == score.conversations
    assert (score.loops, score.lost_slots, score.unstated_cars) == (0, 0, 0)


def _assert_quiet(part: str, *, prefix: str) -> None:
    """The part's aggregates are printed, never one of its conversations, failing or not."""
    out = io.StringIO()
    call_command("evaluate_agent", "--pack", part, "--verbose-failures", stdout=out)
    text = out.getvalue()
    assert f"Paquete realista [{part}]" in text
    assert prefix not in text


@pytest.mark.django_db
def test_held_out_2_does_not_regress_and_its_conversations_are_not_printed() -> None:
    """Held-out-2 (written 2026-12-03 before that session's changes) is read as aggregates.

    Measured before any change: 0.785 (51/65) of turns understood, 17/20 completed, 4 lost
    slots, 4 unstated cars; after the session's development fixes: 0.815 (53/65), 18/20; with
    the checker counting "mazda tres" and one-letter slips as named: 0.877 (57/65), 0 unstated.
    """
    catalog_load_demo()
    knowledge_load_demo()
    score = _pack("heldout2")
    assert score.conversations == 20
    assert score.understood >= 58  # 58/65 after dev34-dev37 (2026-12-03, third session)
    assert score.completed >= 18
    assert score.loops == 0
    assert score.lost_slots <= 4
    assert score.unstated_cars == 0
    _assert_quiet("heldout2", prefix="h2_")


def test_a_car_named_in_words_or_with_one_slip_counts_as_named() -> None:
    assert _check(_Conversation(), "me interesa un mazda tres", {}, "ok", {"model": "Mazda 3"}).ok
    assert _check(_Conversation(), "tienen algun jeta?", {}, "ok", {"model": "Jetta"}).ok
    never = _check(_Conversation(), "quiero algo de campo", {}, "ok", {"model": "Kicks"})
    assert [c.kind for c in never.checks if not c.ok] == ["unstated_car"]


@pytest.mark.django_db
def test_held_out_3_does_not_regress_and_its_conversations_are_not_printed() -> None:
    """Held-out-3 (written 2026-12-03, later session, before its changes) is read as aggregates.

    Measured before any change: 0.759 (44/58) of turns understood, 10/20 completed, 0 loops,
    0 lost slots, 0 unstated cars; after the ninth development batch's fixes: 0.862 (50/58),
    14/20; the later batches (dev10-dev18) did not move it.
    """
    catalog_load_demo()
    knowledge_load_demo()
    score = _pack("heldout3")
    assert score.conversations == 20
    assert score.understood >= 51  # 51/58 and 15/20 after dev20 (2026-12-03, new session)
    assert score.completed >= 15
    assert (score.loops, score.lost_slots, score.unstated_cars) == (0, 0, 0)
    _assert_quiet("heldout3", prefix="h3_")


# The held-out sets written before some session's changes (3 and 4 by the engineer, 5 to 7 by
# helper sessions that change no engine code and whose conversations the engineer never read),
# read as aggregates only. Their history (understood turns, completed conversations, lost slots):
# - held-out-4: 51/60, 17/22, 1 before any change; 18/22 after dev23-dev29; 52/60, 19/22 after
#   dev30-dev31; 20/22 after dev34-dev37.
# - held-out-5: 55/70, 18/24, 4 before any change; 57/70, 19/24, 3 after dev23-dev29; 58/70,
#   20/24 after dev34-dev37.
# - held-out-6 (baseline at c65c8bd): 76/85, 23/25, 1; 78/85 after dev34-dev37; 79/85, 24/25 after
#   dev38-dev51.
# - held-out-7 (first run at e33aa2b, the engine of dev44): 80/85, 23/25, 5; 3 lost slots after
#   dev48 (a down payment said as an amount survives a change of car); 82/85, 24/25 after
#   dev49-dev51.
# - held-out-8 (written 2026-12-03 by a helper session from 8eeda5d, the engine before dev56):
#   79/88, 24/25, 1 at its first run; unchanged after dev56.
# - held-out-9 (written by a helper session from 27cb947, the engine of dev62): 84/90, 23/25, 1
#   at its first run; 85/90, 0 lost slots after dev65-dev75 (2026-12-04).
# - held-out-10 (written 2026-12-04 by a helper session from f339620): 63/87, 21/25, 2 at its
#   first run; unchanged after dev70-dev75 and dev76-dev86.
# - held-out-11 (written 2026-12-04 by a helper session from 973b4de): 73/88, 21/25, 3 at its
#   first run; 74/88 after dev76-dev86.
# Floors: (conversations, turns, least understood, least completed, most lost slots).
_HELD_OUT_FLOORS = {
    "heldout4": (22, 60, 52, 20, 1),
    "heldout5": (24, 70, 58, 20, 3),
    "heldout6": (25, 85, 79, 24, 1),
    "heldout7": (25, 85, 82, 24, 3),
    "heldout8": (25, 88, 79, 24, 1),
    "heldout9": (25, 90, 85, 23, 0),
    "heldout10": (25, 87, 63, 21, 2),
    "heldout11": (25, 88, 74, 21, 3),
}


@pytest.mark.django_db
@pytest.mark.parametrize("part", list(_HELD_OUT_FLOORS))
def test_held_out_sets_do_not_regress_and_their_conversations_are_not_printed(part: str) -> None:
    conversations, turns, understood, completed, lost_slots = _HELD_OUT_FLOORS[part]
    catalog_load_demo()
    knowledge_load_demo()
    score = _pack(part)
    assert score.conversations == conversations
    assert score.turns == turns
    assert score.understood >= understood
    assert score.completed >= completed
    assert (score.loops, score.unstated_cars) == (0, 0)
    assert score.lost_slots <= lost_slots
    _assert_quiet(part, prefix=f"h{part.removeprefix('heldout')}_")
