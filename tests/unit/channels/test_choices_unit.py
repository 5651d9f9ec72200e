"""Options to tap (the CSAT question) without a database: the neutral payload, how each adapter
renders it or falls back to text, and how a tap parses back into the answer's text."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from channels.messages import Choice, Choices, OutboundRequest, choice_answer, choice_id
from channels.meta.sender import MetaSender, list_payload
from channels.services.outbound import outbound_reply_parts
from channels.twilio.parsing import inbound_from_twilio
from conversations.engine import replies
from conversations.engine.satisfaction import read_answer
from conversations.satisfaction import SATISFACTION_OPTIONS, satisfaction_question_split
from tests.support.fake_meta import FakeGraph, list_reply
from tests.support.whatsapp import payload
from tests.unit.channels.test_meta_unit import _sender, parse_one

QUESTION = replies.satisfaction_question()
CSAT = Choices(
    purpose="csat",
    button="Calificar",
    options=tuple(Choice(answer=a, title=t) for a, t in SATISFACTION_OPTIONS),
)


def test_every_option_reads_as_its_score_and_round_trips_through_its_id() -> None:
    for answer, title in SATISFACTION_OPTIONS:
        assert choice_answer(choice_id(answer)) == answer
        reading = read_answer(answer)
        assert reading is not None
        assert (reading.score, reading.comment) == (int(answer), "")
        assert len(title) <= 24  # a Meta list row title


@pytest.mark.parametrize("reply_id", ["", "5", "csat:5", "choice:", "  ", "otra:choice:5"])
def test_ids_that_are_not_ours_have_no_answer(reply_id: str) -> None:
    assert choice_answer(reply_id) == ""


@pytest.mark.parametrize(
    "data",
    [{}, None, [], {"options": "x"}, {"options": [{"answer": "", "title": "x"}]}, {"options": []}],
)
def test_a_malformed_stored_payload_means_plain_text(data: Any) -> None:
    assert Choices.from_json(data) is None


def test_the_stored_payload_round_trips() -> None:
    assert Choices.from_json(CSAT.to_json()) == CSAT


def test_the_question_is_split_from_the_reply_only_when_it_was_asked() -> None:
    reply = f"Registré tus datos.\n\n{QUESTION}"
    parts, question = outbound_reply_parts(reply, survey=True)
    assert parts == ["Registré tus datos."]
    assert question == (QUESTION, CSAT)
    assert outbound_reply_parts(reply, survey=False) == ([reply], None)
    # Asked but reworded or absent (the text does not end with it): plain text, nothing lost.
    assert outbound_reply_parts("Gracias por escribir.", survey=True) == (
        ["Gracias por escribir."],
        None,
    )
    after = replies.satisfaction_question(after_handoff=True)
    assert satisfaction_question_split(after) == ("", after)


def _meta_payload(request: OutboundRequest, graph: FakeGraph) -> dict[str, Any]:
    sender: MetaSender = _sender(graph)
    return sender._payload(request)


def test_meta_renders_the_question_as_a_list_and_a_template_wins(fake_graph: FakeGraph) -> None:
    request = OutboundRequest(to="whatsapp:+5215512345678", from_="x", body=QUESTION, choices=CSAT)
    data = _meta_payload(request, fake_graph)
    assert data["type"] == "interactive"
    rows = data["interactive"]["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == ["choice:5", "choice:4", "choice:3", "choice:2", "choice:1"]
    result = _sender(fake_graph).send(request)
    assert fake_graph.created[-1]["id"] == result.sid
    assert fake_graph.created[-1]["body"] == QUESTION
    templated = OutboundRequest(
        to="whatsapp:+5215512345678", from_="x", body=QUESTION, content_sid="t:es", choices=CSAT
    )
    assert _meta_payload(templated, fake_graph)["type"] == "template"


def test_a_question_that_does_not_fit_a_list_goes_out_as_text(fake_graph: FakeGraph) -> None:
    many = Choices(
        purpose="x", button="Elegir", options=tuple(Choice(str(i), f"{i}") for i in range(11))
    )
    long_title = Choices(purpose="x", button="Elegir", options=(Choice("1", "x" * 25),))
    assert list_payload(QUESTION, many) is None
    assert list_payload(QUESTION, long_title) is None
    assert list_payload("x" * 1025, CSAT) is None
    assert list_payload("", CSAT) is None
    request = OutboundRequest(to="whatsapp:+1", from_="x", body="x" * 1025, choices=CSAT)
    data = _meta_payload(request, fake_graph)
    assert (data["type"], data["text"]["body"]) == ("text", "x" * 1025)
    long_button = Choices(purpose="x", button="Escoge una calificación", options=CSAT.options)
    assert len(list_payload(QUESTION, long_button)["action"]["button"]) == 20


@pytest.mark.parametrize(
    ("message", "body"),
    [
        (list_reply("choice:5", "5 - Excelente"), "5"),
        (
            {
                "type": "interactive",
                "interactive": {
                    "type": "button_reply",
                    "button_reply": {"id": "choice:2", "title": "2 - Mal"},
                },
            },
            "2",
        ),
        (list_reply("1", "Versa 2021"), "Versa 2021"),  # another list: what the customer saw
        (list_reply("choice:", "Sin respuesta"), "Sin respuesta"),
    ],
)
def test_meta_taps_parse_into_the_answer_text(message: dict[str, Any], body: str) -> None:
    msg = parse_one(message)
    assert (msg.kind, msg.body) == ("text", body)


@pytest.mark.parametrize(
    ("fields", "body"),
    [
        ({"ListId": "choice:4", "ListTitle": "4 - Bien", "Body": "4 - Bien"}, "4"),
        ({"ButtonPayload": "choice:1", "ButtonText": "1 - Muy mal", "Body": "1 - Muy mal"}, "1"),
        ({"ButtonPayload": "choice:3", "ButtonText": "3 - Regular", "Body": ""}, "3"),
        ({"ButtonPayload": "yes", "ButtonText": "Sí, me interesa", "Body": "Sí, me interesa"},
         "Sí, me interesa"),
        ({"ListId": "item-7", "ListTitle": "Versa 2021", "Body": ""}, "Versa 2021"),
        ({"ButtonPayload": "yes", "ButtonText": "Sí", "Body": ""}, "Sí"),
    ],
)  # fmt: skip
def test_twilio_taps_parse_into_the_answer_text(fields: dict[str, str], body: str) -> None:
    msg = inbound_from_twilio(payload("inbound_text", **fields))
    assert (msg.kind, msg.body) == ("text", body)


@pytest.mark.parametrize(("value", "ok"), [("HX" + "a" * 32, True), ("", True), ("MG123", False)])
def test_the_twilio_csat_template_setting_is_checked_at_start_up(value: str, ok: bool) -> None:
    """A sid that cannot be a Content template stops the app at start-up, naming the variable."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kavak.settings.test"}
    env["TWILIO_CSAT_CONTENT_SID"] = value
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode == 0) is ok, done.stderr[-500:]
    if not ok:
        assert "TWILIO_CSAT_CONTENT_SID must be a Content API ContentSid" in done.stderr
