"""Every rule of docs/AGENT_CONTRACT.md is covered by a golden conversation or a named test."""

from __future__ import annotations

import re

from conversations.evaluation import scenario_load_all, scenario_load_pack
from tests.support import ROOT

# Rules that a scripted conversation cannot show (a clock jump, an HTTP-only API), with the test
# that proves each.
COVERED_ELSEWHERE = {
    "U10": (
        "tests/unit/llm/test_engine_suggestions.py",
        "test_a_value_the_customer_never_wrote_is_refused",
    ),
    "F11": (
        "tests/integration/conversations/test_turn_service.py",
        "test_idle_session_starts_new_conversation_that_greets_back_and_keeps_contact",
    ),
    "P6": (
        "tests/integration/conversations/test_chat_api.py",
        "test_amortization_api_returns_table_and_csv",
    ),
    # Human handoff (issue 17): a person in the back office, outside any turn.
    "H1": (
        "tests/integration/backoffice/test_handoff_channels.py",
        "test_chat_handoff_answered_from_the_admin_arrives_in_staff_messages_and_the_endpoint",
    ),
    "H2": (
        "tests/integration/backoffice/test_handoff_channels.py",
        "test_a_salesperson_writing_takes_the_conversation_from_the_bot",
    ),
    "H3": (
        "tests/browser/test_web_chat_browser.py",
        "test_a_handoff_on_the_web_chat_is_answered_by_a_salesperson_and_seen_without_reloading",
    ),
    "H4": (
        "tests/integration/backoffice/test_handoff_channels.py",
        "test_unanswered_handoff_gets_one_honest_message_after_the_sla",
    ),
}


def test_every_contract_rule_is_covered() -> None:
    contract = (ROOT / "docs" / "AGENT_CONTRACT.md").read_text(encoding="utf-8")
    rules = set(re.findall(r"^- \*\*([A-Z]\d+)\*\*", contract, re.M))
    assert len(rules) >= 20
    # The golden scenarios and the development part of the realistic pack (never the held-out).
    scenarios = (*scenario_load_all(), *scenario_load_pack("dev"))
    covered = {rule for s in scenarios for rule in s.covers}
    for rule, (path, test_name) in COVERED_ELSEWHERE.items():
        assert f"def {test_name}(" in (ROOT / path).read_text(encoding="utf-8"), rule
        covered.add(rule)
    assert rules - covered == set()
    assert covered - rules == set(), "scenarios cite rules that the contract does not define"
