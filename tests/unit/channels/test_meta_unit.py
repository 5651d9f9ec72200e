"""Meta adapter pieces without a database: parsing, signatures, the provider map, the sender's
error mapping (against the Graph API stand-in)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from typing import Any

import pytest

from channels.messages import Media, OutboundRequest, SendError
from channels.meta.parsing import PayloadError, events_from_meta
from channels.meta.sender import MetaSender, template_payload
from channels.meta.signature import signature_compute, signature_valid, verify_token_matches
from channels.providers import Route, providers_parse
from tests.support.fake_meta import FakeGraph, inbound_payload, sign, status_payload

PHONE_NUMBER_ID = "109876543210987"
OURS = "+525598765432"


def ours(phone_number_id: str) -> str | None:
    return OURS if phone_number_id == PHONE_NUMBER_ID else None


def parse_one(message: dict[str, Any]) -> Any:
    data = inbound_payload(
        phone_number_id=PHONE_NUMBER_ID,
        display_phone=OURS,
        wa_id="5215512345678",
        message=message,
    )
    events = events_from_meta(data, business_phone=ours)
    assert len(events.messages) == 1, events.skipped
    return events.messages[0]


def test_text_becomes_the_neutral_inbound_message() -> None:
    msg = parse_one({"type": "text", "text": {"body": "  Hola, busco un Versa "}})
    assert (msg.phone, msg.from_address, msg.to_address) == (
        "+525512345678",
        "whatsapp:+5215512345678",
        "whatsapp:+525598765432",
    )
    assert (msg.kind, msg.body, msg.wa_id, msg.profile_name) == (
        "text",
        "Hola, busco un Versa",
        "5215512345678",
        "Cliente de prueba",
    )
    assert msg.message_sid.startswith("wamid.")


@pytest.mark.parametrize(
    ("message", "kind", "body", "media"),
    [
        (
            {"type": "image", "image": {"id": "m1", "mime_type": "image/jpeg", "caption": "Así"}},
            "media",
            "Así",
            (Media(url="meta-media:m1", content_type="image/jpeg"),),
        ),
        (
            {"type": "audio", "audio": {"id": "a1", "mime_type": "audio/ogg; codecs=opus"}},
            "media",
            "",
            (Media(url="meta-media:a1", content_type="audio/ogg"),),
        ),
        (
            {"type": "sticker", "sticker": {"id": "s1"}},
            "media",
            "",
            (Media(url="meta-media:s1", content_type="image/webp"),),
        ),
        (
            {"type": "button", "button": {"text": "Sí, me interesa", "payload": "yes"}},
            "text",
            "Sí, me interesa",
            (),
        ),
        (
            {"type": "interactive", "interactive": {"type": "list_reply",
             "list_reply": {"id": "1", "title": "Versa 2021"}}},
            "text",
            "Versa 2021",
            (),
        ),
        ({"type": "unsupported", "errors": [{"code": 131051}]}, "empty", "", ()),
        ({"type": "text", "text": {}}, "empty", "", ()),
        ({"type": "text", "text": "not an object"}, "empty", "", ()),
    ],
)  # fmt: skip
def test_message_types_map_onto_kinds(
    message: dict[str, Any], kind: str, body: str, media: tuple[Media, ...]
) -> None:
    msg = parse_one(message)
    assert (msg.kind, msg.body, msg.media) == (kind, body, media)


def test_a_location_keeps_its_coordinates_and_name() -> None:
    msg = parse_one(
        {
            "type": "location",
            "location": {"latitude": 19.43, "longitude": -99.13, "name": "Kavak Lerma"},
        }
    )
    assert msg.kind == "location"
    assert msg.location == {"latitude": "19.43", "longitude": "-99.13", "label": "Kavak Lerma"}


def test_statuses_carry_the_error_code_and_our_echoed_key() -> None:
    data = status_payload(
        phone_number_id=PHONE_NUMBER_ID,
        display_phone=OURS,
        message_id="wamid.X",
        recipient="5215512345678",
        status="FAILED",
        callback_data="turn-abc:0",
        error_code=131047,
    )
    (update,) = events_from_meta(data, business_phone=ours).statuses
    assert (update.provider_sid, update.status, update.error_code, update.callback_key) == (
        "wamid.X",
        "failed",
        "131047",
        "turn-abc:0",
    )


@pytest.mark.parametrize(
    "data",
    [None, [], "x", {"object": "instagram", "entry": []}, {"object": "whatsapp_business_account"},
     {"object": "whatsapp_business_account", "entry": {}}],
)  # fmt: skip
def test_anything_but_a_waba_envelope_is_a_payload_error(data: Any) -> None:
    with pytest.raises(PayloadError):
        events_from_meta(data, business_phone=ours)


def test_odd_shapes_inside_a_valid_envelope_are_skipped_never_raised() -> None:
    data = {
        "object": "whatsapp_business_account",
        "entry": [
            "x",
            {"changes": "x"},
            {"changes": [{"field": "account_update", "value": {}}]},
            {"changes": [{"field": "messages", "value": {"metadata": {}, "messages": [1]}}]},
            {"changes": [{"field": "messages", "value": {
                "metadata": {"phone_number_id": PHONE_NUMBER_ID},
                "contacts": "x", "messages": [1, {"id": 5}], "statuses": [{"id": "w"}]}}]},
        ],
    }  # fmt: skip
    events = events_from_meta(data, business_phone=ours)
    assert (events.messages, events.statuses) == ([], [])
    assert sum(events.skipped.values()) >= 4


def test_signature_is_an_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"object":"whatsapp_business_account"}'
    header = sign(body, "secret")
    assert header == signature_compute(body=body, app_secret="secret")
    assert signature_valid(body=body, header=header, app_secret="secret")
    upper_hex = "sha256=" + header.removeprefix("sha256=").upper()
    assert signature_valid(body=body, header=upper_hex, app_secret="secret")
    assert not signature_valid(body=body + b" ", header=header, app_secret="secret")
    assert not signature_valid(body=body, header=header, app_secret="")
    assert not signature_valid(body=body, header="", app_secret="secret")
    assert not signature_valid(body=body, header="sha256=ñ", app_secret="secret")


def test_verify_token_needs_subscribe_and_the_exact_token() -> None:
    assert verify_token_matches(mode="subscribe", token="t0k", verify_token="t0k")
    assert not verify_token_matches(mode="subscribe", token="t0K", verify_token="t0k")
    assert not verify_token_matches(mode="subscribe", token="", verify_token="")
    assert not verify_token_matches(mode="unsubscribe", token="t0k", verify_token="t0k")


def test_the_provider_map_normalises_numbers() -> None:
    routes = providers_parse(" +52 55 9876 5432=meta:123 , whatsapp:+14155238886=TWILIO,")
    assert routes == {
        "+525598765432": Route(phone="+525598765432", provider="meta", phone_number_id="123"),
        "+14155238886": Route(phone="+14155238886", provider="twilio"),
    }
    assert providers_parse("") == {}
    with pytest.raises(ValueError, match="listed for two numbers"):
        providers_parse("+525598765432=meta:1,+525598765433=meta:1")


def test_template_parameters_follow_their_numeric_order() -> None:
    variables = {"10": "j", "2": "b", "1": "a"}
    assert template_payload("kavak_aviso:es_MX", variables) == {
        "name": "kavak_aviso",
        "language": {"code": "es_MX"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "a"},
                    {"type": "text", "text": "b"},
                    {"type": "text", "text": "j"},
                ],
            }
        ],
    }
    assert template_payload("sin_variables:es", {}) == {
        "name": "sin_variables",
        "language": {"code": "es"},
    }


def _sender(graph: FakeGraph | None, *, base_url: str = "", timeout: float = 0.4) -> MetaSender:
    return MetaSender(
        phone_number_id=PHONE_NUMBER_ID,
        access_token="test-meta-access-token",
        base_url=base_url or (graph.base_url if graph else ""),
        version="v21.0",
        timeout=timeout,
        reconcile_after_s=30.0,
    )


REQUEST = OutboundRequest(to="whatsapp:+5215512345678", from_="whatsapp:" + OURS, body="Hola")


@pytest.mark.parametrize(
    ("behaviour", "retryable", "ambiguous", "code"),
    [
        ("429", True, False, "130429"),
        ("500", True, False, "131000"),
        ("400", False, False, "131026"),
        ("timeout", False, True, ""),
        ("timeout_lost", False, True, ""),
        ("drop", False, True, ""),
    ],
)
def test_graph_answers_map_onto_send_errors(
    fake_graph: FakeGraph, behaviour: str, retryable: bool, ambiguous: bool, code: str
) -> None:
    fake_graph.script(behaviour)
    with pytest.raises(SendError) as caught:
        _sender(fake_graph).send(REQUEST)
    assert (caught.value.retryable, caught.value.ambiguous, caught.value.code) == (
        retryable,
        ambiguous,
        code,
    )


def test_a_refused_connection_is_retryable(fake_graph: FakeGraph) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SendError) as caught:
        _sender(None, base_url=f"http://127.0.0.1:{port}").send(REQUEST)
    assert (caught.value.retryable, caught.value.ambiguous) == (True, False)


def test_an_accepted_send_returns_meta_id_and_the_graph_cannot_list(fake_graph: FakeGraph) -> None:
    sender = _sender(fake_graph)
    result = sender.send(REQUEST)
    assert result.sid == fake_graph.created[0]["id"]
    assert result.status == "accepted"
    assert fake_graph.created[0]["to"] == "5215512345678"
    assert sender.recent(to=REQUEST.to, from_=REQUEST.from_, since=datetime.now(tz=UTC)) == []
