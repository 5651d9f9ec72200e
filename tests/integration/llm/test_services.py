"""The three uses against the stub model: every failure is None plus ``llm_fallback reason=…``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client import REGISTRY

from conversations.engine.state import ConversationState
from conversations.llm.prompts import Passage
from conversations.llm.services import (
    llm_extract_slots,
    llm_phrase_faq,
    llm_smooth_reply,
    llm_turn_budget,
)
from tests.support.stub_llm_server import StubModel

pytestmark = pytest.mark.django_db

PASSAGES = (
    Passage(
        title="Periodo de prueba: 7 días o 300 km",
        heading="¿Y si no me gusta?",
        text="Tienes 7 días o 300 km para probar tu auto. Si no te convence, lo devuelves.",
    ),
)
REPLY = "¿Cuál es tu presupuesto aproximado? Puede ser el precio total (por ejemplo, 300 mil)."


def faq() -> str | None:
    return llm_phrase_faq(
        question="¿lo puedo devolver?", hits=PASSAGES, budget=llm_turn_budget(channel="api")
    )


def smooth() -> str | None:
    return llm_smooth_reply(reply=REPLY, facts={}, budget=llm_turn_budget(channel="api"))


def slots() -> dict[str, Any] | None:
    return llm_extract_slots(
        text="traigo como trescientos varos", state=ConversationState(),
        budget=llm_turn_budget(channel="api"),
    )  # fmt: skip


USES: dict[str, Callable[[], Any]] = {"faq": faq, "smooth": smooth, "slots": slots}


def calls(use: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value("kavak_llm_calls_total", {"use": use, "outcome": outcome})
    return value or 0.0


def test_phrase_faq_from_the_chunks(llm_on: StubModel) -> None:
    assert faq() == f"Con gusto te cuento. {PASSAGES[0].title}.\n\n{PASSAGES[0].text}"
    payload = llm_on.requests[0]["messages"][1]["content"]
    assert "Tienes 7 días o 300 km" in payload


def test_a_phrased_faq_answer_must_keep_the_figures_of_the_deterministic_one(
    llm_on: StubModel, caplog: pytest.LogCaptureFixture
) -> None:
    """The key fact can live in the article title ("7 días o 300 km"): dropping it is refused."""
    llm_on.mode = "fixed"
    llm_on.output = "Claro, si no te convence lo puedes devolver."
    reference = f"*{PASSAGES[0].title}*\n\n{PASSAGES[0].text}"
    phrased = llm_phrase_faq(
        question="¿lo puedo devolver?",
        hits=PASSAGES,
        budget=llm_turn_budget(channel="api"),
        reference=reference,
    )
    assert phrased is None
    assert "llm_guardrail_rejected reason=figure_dropped" in caplog.text


def test_smooth_reply_keeps_the_reply(llm_on: StubModel) -> None:
    assert smooth() == f"Claro. {REPLY}"


def test_extract_slots_returns_the_non_null_schema_fields(llm_on: StubModel) -> None:
    llm_on.slots = {"budget_max": 300000, "make": "Toyota"}
    assert slots() == {"budget_max": 300000, "make": "Toyota"}
    sent = llm_on.requests[0]
    assert sent["response_format"]["json_schema"]["strict"] is True
    assert '"pendiente": "ask_need"' in sent["messages"][1]["content"]


@pytest.mark.parametrize("use", list(USES))
@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("429", "rate_limited"),
        ("500", "server_error"),
        ("timeout", "timeout"),
        ("malformed", "bad_response"),
    ],
)
def test_every_transport_failure_is_none_and_logged(
    llm_on: StubModel, caplog: pytest.LogCaptureFixture, use: str, mode: str, reason: str
) -> None:
    caplog.set_level(logging.INFO)
    llm_on.mode = mode
    before = calls(use, reason)
    assert USES[use]() is None
    assert f"llm_fallback reason={reason} use={use}" in caplog.text
    assert calls(use, reason) == before + 1


def test_an_invented_price_is_rejected(llm_on: StubModel, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    llm_on.mode = "invented_price"
    assert faq() is None
    assert smooth() is None
    assert caplog.text.count("llm_guardrail_rejected reason=") == 2
    assert caplog.text.count("llm_fallback reason=guardrail") == 2


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ('{"budget_max": 300000, "make": "Toyota"', "malformed_json"),
        ("no es json", "malformed_json"),
        ('{"budget_max": "trescientos mil"}', "schema_invalid"),
        (
            '{"budget_max": 1, "budget_min": null, "monthly_budget": null, "make": null, '
            '"model": null, "body_type": null, "transmission": null, '
            '"down_payment_percent": null, "down_payment_amount": null, "term_months": null, '
            '"discount_percent": 100}',
            "schema_invalid",
        ),
    ],
)
def test_slot_output_that_breaks_the_schema_is_none(
    llm_on: StubModel, caplog: pytest.LogCaptureFixture, output: str, reason: str
) -> None:
    caplog.set_level(logging.INFO)
    llm_on.mode = "fixed"
    llm_on.output = output
    assert slots() is None
    assert f"llm_fallback reason={reason} use=slots" in caplog.text


def test_a_model_that_declines_leaves_the_deterministic_answer(
    llm_on: StubModel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    llm_on.mode = "fixed"
    llm_on.output = "SIN_RESPUESTA"
    assert faq() is None
    assert "llm_fallback reason=model_declined" in caplog.text


def test_uses_can_be_switched_off_one_by_one(llm_on: StubModel, settings: Any) -> None:
    settings.LLM_USES = ("slots",)
    assert faq() is None
    assert smooth() is None
    assert llm_on.calls == 0
    assert slots() == {}


def test_with_the_llm_off_nothing_is_called(stub_model: StubModel, settings: Any) -> None:
    settings.LLM_ENABLED = False
    settings.OPENAI_BASE_URL = stub_model.url
    assert faq() is None
    assert smooth() is None
    assert slots() is None
    assert stub_model.calls == 0
