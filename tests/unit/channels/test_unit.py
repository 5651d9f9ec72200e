"""Pure parts of the channel: numbers, message splitting, opt-out words, parsing, signatures."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from channels.formatting import MAX_BODY_CHARS, is_opt_in, is_opt_out, message_split
from channels.messages import Media
from channels.phones import InvalidPhone, phone_normalise, whatsapp_address
from channels.twilio.parsing import PayloadError, inbound_from_twilio, status_from_twilio
from channels.twilio.signature import signature_valid, webhook_signature_check
from tests.support.whatsapp import AUTH_TOKEN, PUBLIC, WEBHOOK, payload, sign


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("whatsapp:+5215512345678", "+525512345678"),
        ("whatsapp:+525512345678", "+525512345678"),
        ("+52 1 55 1234 5678", "+525512345678"),
        ("+52 (55) 1234-5678", "+525512345678"),
        ("5512345678", "+525512345678"),
        ("whatsapp:+5218112345678", "+528112345678"),
        ("whatsapp:+14155238886", "+14155238886"),
    ],
)
def test_phone_normalise_maps_mexican_whatsapp_ids_to_ten_digits(raw: str, expected: str) -> None:
    assert phone_normalise(raw) == expected


def test_phone_normalise_rejects_what_is_not_a_number() -> None:
    with pytest.raises(InvalidPhone):
        phone_normalise("whatsapp:abc")
    assert whatsapp_address("+525512345678") == "whatsapp:+525512345678"
    assert whatsapp_address("whatsapp:+1415") == "whatsapp:+1415"


def test_message_split_keeps_short_replies_whole() -> None:
    assert message_split("  Hola, *$289,999*.  ") == ["Hola, *$289,999*."]
    assert message_split("") == []


def test_message_split_cuts_long_replies_on_sentences_in_order_under_the_limit() -> None:
    sentences = [f"Opción {i}: Toyota Corolla 2019 por *$289,999.00* al mes." for i in range(80)]
    text = " ".join(sentences)
    parts = message_split(text)
    assert len(parts) >= 2
    assert all(len(p) <= MAX_BODY_CHARS for p in parts)
    assert all(p.endswith(".") for p in parts)  # every cut is at a sentence end
    assert " ".join(parts) == text  # nothing lost, nothing reordered
    assert all(p.count("*") % 2 == 0 for p in parts)  # bold figures never split


def test_message_split_prefers_paragraphs_and_cuts_huge_words_hard() -> None:
    para = "a" * 900 + "."
    parts = message_split(f"{para}\n\n{para}\n\n{para}")
    assert parts == [para, para, para]
    word = "x" * 4000
    hard = message_split(word, limit=1600)
    assert [len(p) for p in hard] == [1600, 1600, 800]
    assert "".join(hard) == word


@pytest.mark.parametrize("text", ["baja", "BAJA", "Stop", "alto.", "Darme de baja", " stop! "])
def test_opt_out_words_are_recognised_when_they_are_the_whole_message(text: str) -> None:
    assert is_opt_out(text)


@pytest.mark.parametrize(
    "text", ["¿el precio baja?", "stop-and-go", "quiero darme de baja del crédito ya", "hola"]
)
def test_opt_out_words_inside_sentences_do_not_unsubscribe(text: str) -> None:
    assert not is_opt_out(text)


def test_opt_in_words() -> None:
    assert is_opt_in("ALTA")
    assert is_opt_in("start")
    assert not is_opt_in("alta gama")


def test_parse_text_payload_normalises_the_sender_and_keeps_the_raw_address() -> None:
    msg = inbound_from_twilio(payload("inbound_text"))
    assert msg.kind == "text"
    assert msg.phone == "+525512345678"
    assert msg.from_address == "whatsapp:+5215512345678"
    assert msg.to_address == "whatsapp:+14155238886"
    assert msg.profile_name == "Mariana López"
    assert msg.has_text
    assert msg.payload["ChannelMetadata"]  # unknown parameters are kept


@pytest.mark.parametrize(
    ("name", "kind", "media_kind"),
    [
        ("inbound_image", "media", "image"),
        ("inbound_voice_note", "media", "audio"),
        ("inbound_sticker", "media", "sticker"),
    ],
)
def test_parse_media_payloads(name: str, kind: str, media_kind: str) -> None:
    msg = inbound_from_twilio(payload(name))
    assert msg.kind == kind
    assert len(msg.media) == 1
    assert msg.media[0].kind == media_kind
    assert not msg.has_text


def test_parse_location_empty_and_messaging_service_payloads() -> None:
    loc = inbound_from_twilio(payload("inbound_location"))
    assert loc.kind == "location"
    assert loc.location["label"] == "Oficina"
    assert inbound_from_twilio(payload("inbound_empty")).kind == "empty"
    svc = inbound_from_twilio(payload("inbound_messaging_service"))
    assert svc.messaging_service_sid.startswith("MG")
    assert svc.phone == "+528112345678"
    assert svc.to_address == "whatsapp:+5215598765432"
    assert Media(url="u", content_type="application/pdf").kind == "document"


def test_parse_rejects_payloads_without_sid_or_sender() -> None:
    with pytest.raises(PayloadError):
        inbound_from_twilio({"Body": "hola"})
    with pytest.raises(PayloadError):
        inbound_from_twilio(payload("inbound_text", From="whatsapp:xyz"))
    with pytest.raises(PayloadError):
        status_from_twilio({"MessageSid": "SM1"})


def test_parse_status_callbacks() -> None:
    failed = status_from_twilio(payload("status_failed"))
    assert (failed.status, failed.error_code) == ("failed", "63016")
    assert status_from_twilio(payload("status_read")).status == "read"


def test_sdk_validator_accepts_our_signature_and_rejects_tampering() -> None:
    data = payload("inbound_text")
    url = PUBLIC + WEBHOOK
    good = sign(WEBHOOK, data)
    assert signature_valid(url=url, params=data, signature=good, auth_token=AUTH_TOKEN)
    assert not signature_valid(
        url=url, params={**data, "Body": "otro"}, signature=good, auth_token=AUTH_TOKEN
    )
    assert not signature_valid(url=url, params=data, signature=good, auth_token="other")
    assert not signature_valid(url=url, params=data, signature="", auth_token=AUTH_TOKEN)
    # Twilio may sign the URL with the default port; the SDK accepts both forms.
    with_port = sign(WEBHOOK, data, base="https://agente.kavak.example:443")
    assert signature_valid(url=url, params=data, signature=with_port, auth_token=AUTH_TOKEN)


def test_behind_the_load_balancer_only_the_public_url_validates() -> None:
    """The app sees http://10.0.1.23:8000/...; Twilio signed https://agente.kavak.example/..."""
    data = payload("inbound_text")
    factory = RequestFactory()
    request = factory.post(
        WEBHOOK,
        data=data,
        HTTP_HOST="10.0.1.23:8000",
        HTTP_X_TWILIO_SIGNATURE=sign(WEBHOOK, data),
    )
    common = {"TWILIO_AUTH_TOKEN": AUTH_TOKEN, "ALLOWED_HOSTS": ["10.0.1.23"]}
    with override_settings(PUBLIC_BASE_URL=PUBLIC, TWILIO_VALIDATE_SIGNATURE="enforce", **common):
        assert webhook_signature_check(request).ok
    with override_settings(PUBLIC_BASE_URL="", TWILIO_VALIDATE_SIGNATURE="enforce", **common):
        check = webhook_signature_check(request)
        assert not check.ok
        assert check.reason == "mismatch"
    with override_settings(PUBLIC_BASE_URL="", TWILIO_VALIDATE_SIGNATURE="log-only", **common):
        check = webhook_signature_check(request)
        assert check.ok
        assert not check.valid
    with override_settings(
        PUBLIC_BASE_URL="",
        TWILIO_VALIDATE_SIGNATURE="enforce",
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        ALLOWED_HOSTS=["agente.kavak.example"],
    ):
        proxied = factory.post(
            WEBHOOK,
            data=data,
            HTTP_HOST="agente.kavak.example",
            HTTP_X_FORWARDED_PROTO="https",
            HTTP_X_TWILIO_SIGNATURE=sign(WEBHOOK, data),
        )
        assert webhook_signature_check(proxied).ok
