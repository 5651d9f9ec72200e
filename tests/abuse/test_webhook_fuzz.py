"""Bad input on Twilio's webhooks: never a 500, never a row stored half-way.

``/channels/whatsapp/webhook`` and ``/channels/whatsapp/status`` get missing and repeated fields,
1 MB bodies, invalid UTF-8 and NUL bytes, over-long identifiers, wrong content types, garbage
signatures, and hypothesis-generated form fields (validly signed, so they reach the parser and
the database). The contract: a 4xx (403 bad signature, 400 unusable payload, 405/413/415), or the
documented 200 (webhook, empty TwiML) / 204 (status) for a validly signed payload that is merely
odd — and then exactly the one row that answer promises. A 5xx would make Twilio retry the same
poison payload; a row without its siblings would be a message nobody answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.models import WhatsAppContact, WhatsAppInbound, WhatsAppOutbound, WhatsAppStatusEvent
from conversations.models import Conversation, Message
from leads.models import Lead
from tests.support.fake_twilio import FakeTwilio
from tests.support.whatsapp import (
    STATUS,
    WEBHOOK,
    channel_settings,
    new_sid,
    payload,
    sign,
)

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
TABLES = {
    "inbound": WhatsAppInbound,
    "status_events": WhatsAppStatusEvent,
    "outbound": WhatsAppOutbound,
    "contacts": WhatsAppContact,
    "conversations": Conversation,
    "messages": Message,
    "leads": Lead,
}
NOTHING: dict[str, int] = {}
ONE_INBOUND = {"inbound": 1}
ONE_STATUS_EVENT = {"status_events": 1}
HYPOTHESIS = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- helpers ------------------------------------------------------------------------------------
def counts() -> dict[str, int]:
    return {name: model.objects.count() for name, model in TABLES.items()}


def delta(before: dict[str, int]) -> dict[str, int]:
    after = counts()
    return {name: after[name] - before[name] for name in TABLES if after[name] != before[name]}


def expected_rows(path: str, status: int) -> dict[str, int]:
    """What each answer promises: a 4xx stores nothing; 200/204 store exactly one row."""
    if status == 200 and path == WEBHOOK:
        return ONE_INBOUND
    if status == 204 and path == STATUS:
        return ONE_STATUS_EVENT
    return NOTHING


def raw_post(
    client: Client,
    path: str,
    body: bytes | str,
    *,
    signature: str | None,
    content_type: str = "application/x-www-form-urlencoded",
    **extra: Any,
) -> Any:
    headers = {} if signature is None else {"HTTP_X_TWILIO_SIGNATURE": signature}
    return client.post(path, data=body, content_type=content_type, **headers, **extra)


def post_form(
    client: Client,
    path: str,
    pairs: list[tuple[str, str]],
    *,
    signature: str | None = "sign",
    **extra: Any,
) -> Any:
    """Post form fields (a name may repeat), signed over what Django will parse unless told."""
    body = urlencode(pairs)
    if signature == "sign":
        signature = sign_pairs(path, pairs)
    return raw_post(client, path, body, signature=signature, **extra)


def sign_pairs(path: str, pairs: list[tuple[str, str]]) -> str:
    """Twilio's signature over a multi-valued form (the SDK sorts names and each name's values)."""
    from django.http import QueryDict

    # What the view validates against: Django's own parse of the encoded body.
    return sign(path, QueryDict(urlencode(pairs)))  # type: ignore[arg-type]


def assert_contract(
    response: Any, path: str, before: dict[str, int], *, seen_before: bool = False
) -> None:
    """``seen_before``: the delivery's MessageSid is already stored (a duplicate: 200, no row)."""
    status = response.status_code
    assert status < 500, (status, response.content[:300])
    assert status in (200, 204, 400, 403, 405, 413, 415), status
    if status >= 400:
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"]
    expected = NOTHING if seen_before and status == 200 else expected_rows(path, status)
    assert delta(before) == expected


def already_stored(body: bytes | str) -> bool:
    """Is the MessageSid this form carries (as Twilio names it) already stored?"""
    from django.http import QueryDict

    form = QueryDict(body)
    sid = (form.get("MessageSid") or "").strip() or (form.get("SmsMessageSid") or "").strip()
    sid = sid.replace("\x00", "")
    return bool(sid) and WhatsAppInbound.objects.filter(message_sid=sid).exists()


def inbound(**fields: str) -> dict[str, str]:
    return payload("inbound_text", MessageSid=new_sid(), **fields)


def status_callback(**fields: str) -> dict[str, str]:
    return payload("status_sent", MessageSid=new_sid(), **fields)


@pytest.fixture
def channel(fake_twilio: FakeTwilio) -> Iterator[FakeTwilio]:
    # A rate limit of 0: every fuzzed delivery from the same number is stored as a normal message.
    with override_settings(**channel_settings(fake_twilio, WHATSAPP_RATE_LIMIT_MESSAGES=0)):
        yield fake_twilio


@pytest.fixture
def client() -> Client:
    # A 500 must come back as a response to assert on, not as an exception inside the test.
    return Client(raise_request_exception=False)


# --- missing and repeated fields ----------------------------------------------------------------
@pytest.mark.parametrize(
    "missing",
    [
        ("MessageSid", "SmsMessageSid", "SmsSid"),
        ("From",),
        ("To",),
        ("MessageSid", "SmsMessageSid", "SmsSid", "From", "To", "Body"),
    ],
    ids=["sid", "from", "to", "all-required"],
)
def test_inbound_without_a_required_field_is_400_and_stores_nothing(
    channel: FakeTwilio, client: Client, missing: tuple[str, ...]
) -> None:
    data = {k: v for k, v in inbound().items() if k not in missing}
    before = counts()
    response = post_form(client, WEBHOOK, list(data.items()))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert_contract(response, WEBHOOK, before)


def test_an_empty_signed_form_is_400_on_both_endpoints(channel: FakeTwilio, client: Client) -> None:
    for path in (WEBHOOK, STATUS):
        before = counts()
        response = post_form(client, path, [])
        assert response.status_code == 400
        assert_contract(response, path, before)


@pytest.mark.parametrize(
    "missing",
    [("MessageSid", "SmsSid"), ("MessageStatus", "SmsStatus")],
    ids=["sid", "status"],
)
def test_status_callback_without_a_required_field_is_400_and_stores_nothing(
    channel: FakeTwilio, client: Client, missing: tuple[str, ...]
) -> None:
    data = {k: v for k, v in status_callback().items() if k not in missing}
    before = counts()
    response = post_form(client, STATUS, list(data.items()))
    assert response.status_code == 400
    assert_contract(response, STATUS, before)


@pytest.mark.parametrize(
    "dropped",
    ["Body", "NumMedia", "WaId", "ProfileName", "AccountSid", "ApiVersion", "ChannelMetadata"],
)
def test_inbound_without_an_optional_field_is_the_documented_200(
    channel: FakeTwilio, client: Client, dropped: str
) -> None:
    data = {k: v for k, v in inbound().items() if k != dropped}
    before = counts()
    response = post_form(client, WEBHOOK, list(data.items()))
    assert response.status_code == 200
    assert_contract(response, WEBHOOK, before)


@pytest.mark.parametrize(
    "repeated",
    [
        [("MessageSid", "SMaaaa"), ("MessageSid", "SMbbbb")],
        [("From", "whatsapp:+5215511111111"), ("From", "whatsapp:+5215522222222")],
        [("To", "whatsapp:+14155238886"), ("To", "not-a-number")],
        [("Body", "hola"), ("Body", "adiós"), ("Body", "")],
        [("NumMedia", "1"), ("NumMedia", "x"), ("MediaUrl0", "https://a"), ("MediaUrl0", "")],
        [("Latitude", "19.4"), ("Latitude", "norte")],
    ],
    ids=["sid", "from", "to", "body", "media", "latitude"],
)
def test_repeated_fields_are_answered_with_one_row_or_a_400(
    channel: FakeTwilio, client: Client, repeated: list[tuple[str, str]]
) -> None:
    names = {name for name, _ in repeated}
    base = [(k, v) for k, v in inbound().items() if k not in names]
    before = counts()
    response = post_form(client, WEBHOOK, base + repeated)
    assert_contract(response, WEBHOOK, before)
    # Unsigned, the same payload never gets past the signature.
    before = counts()
    response = post_form(client, WEBHOOK, base + repeated, signature="")
    assert response.status_code == 403
    assert_contract(response, WEBHOOK, before)


def test_repeated_status_fields_store_one_event(channel: FakeTwilio, client: Client) -> None:
    base = [(k, v) for k, v in status_callback().items() if k != "MessageStatus"]
    before = counts()
    pairs = [*base, ("MessageStatus", "sent"), ("MessageStatus", "delivered")]
    response = post_form(client, STATUS, pairs)
    assert response.status_code == 204
    assert_contract(response, STATUS, before)


# --- size ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [WEBHOOK, STATUS])
@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_one_megabyte_bodies_are_refused_before_anything_is_stored(
    channel: FakeTwilio, client: Client, path: str, signed: bool
) -> None:
    data = inbound(Body="a" * MB) if path == WEBHOOK else status_callback(ErrorCode="9" * MB)
    before = counts()
    response = post_form(client, path, list(data.items()), signature="sign" if signed else "")
    assert response.status_code in (403, 413)
    assert_contract(response, path, before)


def test_one_megabyte_of_fields_is_refused(channel: FakeTwilio, client: Client) -> None:
    pairs = list(inbound().items()) + [(f"X{i}", "y" * 200) for i in range(5000)]
    before = counts()
    response = post_form(client, WEBHOOK, pairs, signature="not-computed-over-5000-fields")
    assert response.status_code in (400, 413)
    assert_contract(response, WEBHOOK, before)


def test_a_body_over_djangos_upload_limit_is_a_4xx(channel: FakeTwilio, client: Client) -> None:
    body = urlencode(inbound(Body="b" * (3 * MB)))
    before = counts()
    response = raw_post(client, WEBHOOK, body, signature="irrelevant")
    assert response.status_code in (400, 403, 413)
    assert_contract(response, WEBHOOK, before)


def test_a_long_but_real_whatsapp_message_is_accepted(channel: FakeTwilio, client: Client) -> None:
    """WhatsApp allows 4,096 characters: all of them multi-byte must still fit."""
    before = counts()
    response = post_form(client, WEBHOOK, list(inbound(Body="ñ😀" * 2048).items()))
    assert response.status_code == 200
    assert_contract(response, WEBHOOK, before)
    assert WhatsAppInbound.objects.latest("id").body == "ñ😀" * 2048


# --- encoding: invalid UTF-8, NUL bytes, over-long identifiers ----------------------------------
@pytest.mark.parametrize(
    "raw_body",
    [b"\xff\xfe\xfd", b"hola \xc3\x28 adi\xa0s", b"\xed\xa0\x80", b"%FF%FE", b"%C3%28"],
    ids=["ff-fe", "bad-continuation", "surrogate", "pct-ff", "pct-bad-continuation"],
)
@pytest.mark.parametrize("field", ["Body", "ProfileName", "From", "MessageSid"])
def test_invalid_utf8_never_500s_and_never_stores_half(
    channel: FakeTwilio, client: Client, raw_body: bytes, field: str
) -> None:
    from django.http import QueryDict

    data = inbound()
    prefix = urlencode({k: v for k, v in data.items() if k != field}).encode()
    body = prefix + b"&" + field.encode() + b"=" + raw_body
    parsed = QueryDict(body)  # decoded as Django decodes it (replacement characters)
    for signature in (sign(WEBHOOK, parsed), "", "garbage"):  # type: ignore[arg-type]
        before = counts()
        response = raw_post(client, WEBHOOK, body, signature=signature)
        assert_contract(response, WEBHOOK, before)


@pytest.mark.parametrize(
    "field", ["Body", "ProfileName", "WaId", "AccountSid", "MessageSid", "Latitude", "Evil\x00Key"]
)
def test_nul_bytes_never_500(channel: FakeTwilio, client: Client, field: str) -> None:
    """PostgreSQL text and jsonb cannot hold U+0000: an unfiltered NUL is a DataError (500)."""
    data = inbound()
    data[field] = "ho\x00la" if field != "MessageSid" else data[field] + "\x00"
    before = counts()
    response = post_form(client, WEBHOOK, list(data.items()))
    assert response.status_code in (200, 400)
    assert_contract(response, WEBHOOK, before)
    if response.status_code == 200:
        stored = WhatsAppInbound.objects.latest("id")
        assert "\x00" not in stored.body
        assert all("\x00" not in k + v for k, v in stored.payload.items())


def test_nul_bytes_in_a_status_callback_never_500(channel: FakeTwilio, client: Client) -> None:
    for fields in ({"ErrorCode": "6\x003"}, {"MessageStatus": "sent\x00"}, {"X\x00": "\x00"}):
        before = counts()
        response = post_form(client, STATUS, list(status_callback(**fields).items()))
        assert response.status_code in (204, 400)
        assert_contract(response, STATUS, before)


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        (WEBHOOK, "MessageSid", "SM" + "a" * 200),
        (WEBHOOK, "To", "whatsapp:+" + "1" * 60),
        (WEBHOOK, "From", "whatsapp:+52 1 55 1234 5678" + " " * 40),
        (WEBHOOK, "AccountSid", "AC" + "f" * 100),
        (WEBHOOK, "MessagingServiceSid", "MG" + "f" * 100),
        (WEBHOOK, "WaId", "5" * 40),
        (WEBHOOK, "ProfileName", "Mariana " * 100),
        (WEBHOOK, "NumMedia", "9" * 5000),
        (WEBHOOK, "NumMedia", "-3"),
        (STATUS, "MessageSid", "SM" + "a" * 200),
        (STATUS, "MessageStatus", "delivered" * 5),
        (STATUS, "ErrorCode", "6" * 40),
    ],
    ids=lambda v: v if len(str(v)) < 20 else str(v)[:12],
)
def test_over_long_or_odd_fields_are_a_400_or_stored_whole(
    channel: FakeTwilio, client: Client, path: str, field: str, value: str
) -> None:
    data = inbound() if path == WEBHOOK else status_callback()
    data[field] = value
    if field == "MessageSid":
        data.pop("SmsMessageSid", None)
        data.pop("SmsSid", None)
    before = counts()
    response = post_form(client, path, list(data.items()))
    assert_contract(response, path, before)


# --- content type, method, signatures ------------------------------------------------------------
@pytest.mark.parametrize(
    "content_type",
    ["application/json", "text/plain", "text/xml", "application/octet-stream", ""],
)
@pytest.mark.parametrize("path", [WEBHOOK, STATUS])
def test_wrong_content_type_is_a_4xx_and_stores_nothing(
    channel: FakeTwilio, client: Client, content_type: str, path: str
) -> None:
    import json

    data = inbound() if path == WEBHOOK else status_callback()
    body = json.dumps(data) if content_type == "application/json" else urlencode(data)
    for signature in (sign(path, data), sign(path, {}), ""):
        before = counts()
        response = raw_post(client, path, body, signature=signature, content_type=content_type)
        assert 400 <= response.status_code < 500
        assert_contract(response, path, before)


def test_multipart_is_held_to_the_same_signature(channel: FakeTwilio, client: Client) -> None:
    """Django parses multipart forms too: signed over its fields it is the same message (200),
    otherwise a 403; either way whole rows or none."""
    data = inbound()
    for signature, expected in ((sign(WEBHOOK, data), 200), ("", 403), (sign(WEBHOOK, {}), 403)):
        before = counts()
        response = client.post(WEBHOOK, data=data, HTTP_X_TWILIO_SIGNATURE=signature)
        assert response.status_code == expected
        assert_contract(response, WEBHOOK, before)


def test_too_many_fields_in_a_small_body_is_a_json_400(channel: FakeTwilio, client: Client) -> None:
    body = urlencode(inbound()) + "&x" * 1100  # over DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000)
    before = counts()
    response = raw_post(client, WEBHOOK, body, signature="whatever")
    assert response.status_code == 400
    assert_contract(response, WEBHOOK, before)


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_other_methods_are_405_or_403(channel: FakeTwilio, client: Client, method: str) -> None:
    before = counts()
    response = getattr(client, method)(WEBHOOK, HTTP_X_TWILIO_SIGNATURE=sign(WEBHOOK, {}))
    assert response.status_code in (403, 405)
    assert_contract(response, WEBHOOK, before)


@pytest.mark.parametrize(
    "settings_header",
    ["algorithm=MD5", "algorithm=HMAC_SHA256", "algorithm=", "key=x,algorithm=HMAC_SHA1", "???"],
)
def test_signature_settings_header_garbage_is_403(
    channel: FakeTwilio, client: Client, settings_header: str
) -> None:
    data = inbound()
    before = counts()
    response = post_form(
        client,
        WEBHOOK,
        list(data.items()),
        signature="bm90LWEtc2lnbmF0dXJl",
        HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS=settings_header,
    )
    assert response.status_code == 403
    assert_contract(response, WEBHOOK, before)


def test_without_public_base_url_an_odd_host_port_is_403_not_500(
    fake_twilio: FakeTwilio, client: Client
) -> None:
    """The signed URL is rebuilt from the Host header when PUBLIC_BASE_URL is empty."""
    with override_settings(
        **channel_settings(fake_twilio, PUBLIC_BASE_URL=""),
        ALLOWED_HOSTS=["127.0.0.1", "testserver"],
    ):
        for host in ("127.0.0.1:99999", "127.0.0.1:0", "testserver:65536"):
            before = counts()
            response = post_form(client, WEBHOOK, list(inbound().items()), HTTP_HOST=host)
            assert response.status_code in (400, 403)
            assert_contract(response, WEBHOOK, before)


@given(
    signature=st.one_of(
        st.text(max_size=200),
        st.binary(max_size=64).map(lambda b: b.decode("latin-1")),
        st.sampled_from(["", " ", "=", "====", "bm90LWEtc2lnbmF0dXJl", "A" * 28, "A" * 10_000]),
    ),
    path=st.sampled_from([WEBHOOK, STATUS]),
)
@HYPOTHESIS
def test_garbage_signatures_are_403_and_store_nothing(
    channel: FakeTwilio, client: Client, signature: str, path: str
) -> None:
    data = inbound() if path == WEBHOOK else status_callback()
    # Header values travel as latin-1 in WSGI; strip what cannot be a header byte.
    header = "".join(c for c in signature if ord(c) < 256 and c not in "\r\n\x00")
    before = counts()
    response = raw_post(client, path, urlencode(data), signature=header)
    assert response.status_code == 403
    assert_contract(response, path, before)


# --- hypothesis: validly signed, arbitrary form fields -------------------------------------------
TWILIO_NAMES = [
    "MessageSid", "SmsMessageSid", "SmsSid", "AccountSid", "MessagingServiceSid", "From", "To",
    "Body", "NumMedia", "MediaUrl0", "MediaContentType0", "MediaUrl1", "MediaContentType1",
    "Latitude", "Longitude", "Address", "Label", "WaId", "ProfileName", "MessageStatus",
    "SmsStatus", "ErrorCode", "ButtonText", "ButtonPayload", "OriginalRepliedMessageSid",
]  # fmt: skip
any_text = st.text(max_size=80)
phone_like = st.one_of(
    st.from_regex(r"\Awhatsapp:\+52[1]?[0-9]{10}\Z"),
    st.from_regex(r"\A\+?[0-9 ()\-]{0,24}\Z"),
    any_text,
)
field_value = st.one_of(
    any_text,
    phone_like,
    st.integers(-(10**6), 10**6).map(str),
    st.sampled_from(["", "0", "1", "10", "11", "-1", "NaN", "19.43", "image/jpeg", "received"]),
    st.text(min_size=1, max_size=4).map(lambda s: s * 30),  # repetitive, longer than columns
)
form_fields = st.dictionaries(
    keys=st.one_of(st.sampled_from(TWILIO_NAMES), st.text(min_size=1, max_size=30)),
    values=field_value,
    max_size=25,
)


@given(
    fields=form_fields,
    base=st.sampled_from(["inbound_text", "inbound_image", "inbound_location", "none"]),
    repeats=st.lists(st.tuples(st.sampled_from(TWILIO_NAMES), field_value), max_size=4),
)
@HYPOTHESIS
def test_signed_arbitrary_fields_on_the_webhook_never_500_and_store_whole_rows(
    channel: FakeTwilio,
    client: Client,
    fields: dict[str, str],
    base: str,
    repeats: list[tuple[str, str]],
) -> None:
    data = {} if base == "none" else payload(base, MessageSid=new_sid())
    data.update(fields)
    pairs = list(data.items()) + repeats
    seen = already_stored(urlencode(pairs))
    before = counts()
    response = post_form(client, WEBHOOK, pairs)
    assert response.status_code in (200, 400)
    assert_contract(response, WEBHOOK, before, seen_before=seen)
    if response.status_code == 200 and delta(before):
        stored = WhatsAppInbound.objects.latest("id")
        assert stored.status == "received"
        assert stored.phone.startswith("+")


@given(fields=form_fields, base=st.sampled_from(["status_sent", "status_failed", "none"]))
@HYPOTHESIS
def test_signed_arbitrary_fields_on_the_status_callback_never_500(
    channel: FakeTwilio, client: Client, fields: dict[str, str], base: str
) -> None:
    data = {} if base == "none" else payload(base, MessageSid=new_sid())
    data.update(fields)
    before = counts()
    response = post_form(client, STATUS, list(data.items()))
    assert response.status_code in (204, 400)
    assert_contract(response, STATUS, before)


@given(body=st.binary(max_size=400))
@HYPOTHESIS
def test_raw_bytes_signed_as_django_parses_them_never_500(
    channel: FakeTwilio, client: Client, body: bytes
) -> None:
    from django.http import QueryDict

    parsed = QueryDict(body)
    if not parsed:  # give most examples the required fields so they reach the database
        body += b"&" + urlencode(inbound()).encode()
        parsed = QueryDict(body)
    seen = already_stored(body)
    before = counts()
    response = raw_post(client, WEBHOOK, body, signature=sign(WEBHOOK, parsed))  # type: ignore[arg-type]
    assert response.status_code in (200, 400)
    assert_contract(response, WEBHOOK, before, seen_before=seen)
