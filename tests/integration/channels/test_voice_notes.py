"""Voice notes (issue 20): downloaded with the provider's credentials and transcribed in the turn's
task, then answered as the customer's text; otherwise one polite request to write.

Real PostgreSQL and Redis; the real ``openai`` SDK talks to the local stand-in's
``/v1/audio/transcriptions`` (``tests/support/stub_llm_server.py``), the media comes from the fake
Twilio (basic auth, then a redirect to storage) or the Graph stand-in (bearer token), and the
replies go out through the real senders. Tasks are interfaces: the test calls the service a
worker would, after the webhook has answered.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

from channels import replies
from channels.media import (
    DOWNLOAD_TIMEOUT,
    TOO_LARGE,
    UNSUPPORTED_TYPE,
    UNTRUSTED_URL,
    MediaError,
    MediaLimits,
    audio_duration_s,
    media_download,
)
from channels.models import WhatsAppInbound
from channels.selectors import whatsapp_transcript
from channels.services import inbound_message_process
from conversations.models import Conversation, Message
from conversations.services import conversation_turn_handle
from tests.support.fake_meta import FakeGraph, new_wamid
from tests.support.fake_meta import voice_note_ogg as ogg_opus
from tests.support.fake_twilio import FakeTwilio
from tests.support.stub_llm_server import StubModel, stub_model_server
from tests.support.whatsapp import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CUSTOMER,
    CUSTOMER_PHONE,
    META_ACCESS_TOKEN,
    META_WA_ID,
    WEBHOOK,
    channel_settings,
    meta_text,
    new_sid,
    payload,
    post_meta,
    post_signed,
    worker_env,
)

pytestmark = pytest.mark.django_db


def llm_settings(model: StubModel, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "LLM_ENABLED": True,
        "OPENAI_API_KEY": "sk-test-not-a-real-key",
        "OPENAI_BASE_URL": model.url,
        "OPENAI_MODEL": "stub-model",
        "OPENAI_TIMEOUT_S": 0.5,
        "LLM_USES": ("faq", "slots"),
        "LLM_WHATSAPP_BUDGET_S": 2.0,
        "LLM_CIRCUIT_FAILURES": 3,
        "LLM_CIRCUIT_COOLDOWN_S": 30.0,
        "VOICE_NOTES_ENABLED": True,
        "OPENAI_TRANSCRIPTION_MODEL": "whisper-1",
        "OPENAI_TRANSCRIPTION_TIMEOUT_S": 0.5,
        "OPENAI_TRANSCRIPTION_MAX_RETRIES": 1,
        "VOICE_NOTE_DOWNLOAD_TIMEOUT_S": 0.5,
        "VOICE_NOTE_BUDGET_S": 2.0,
        "VOICE_NOTE_MAX_BYTES": 200_000,
        "VOICE_NOTE_MAX_SECONDS": 300,
    }
    values.update(overrides)
    return values


@pytest.fixture
def stub_model() -> Iterator[StubModel]:
    with stub_model_server() as model:
        yield model


@pytest.fixture
def voice(stub_model: StubModel, fake_twilio: FakeTwilio) -> Iterator[StubModel]:
    """WhatsApp on the fake Twilio (which checks the media's basic auth), the LLM on the stub."""
    fake_twilio.auth_token = AUTH_TOKEN
    with override_settings(**channel_settings(fake_twilio), **llm_settings(stub_model)):
        yield stub_model


def deliver_voice_note(client: Client, url: str, content_type: str = "audio/ogg") -> int:
    data = payload(
        "inbound_voice_note", MediaUrl0=url, MediaContentType0=content_type, MessageSid=new_sid()
    )
    assert post_signed(client, WEBHOOK, data).status_code == 200
    return WhatsAppInbound.objects.order_by("-id").values_list("pk", flat=True)[0]


def sent_to_customer(fake: FakeTwilio) -> list[str]:
    return fake.bodies_to(CUSTOMER)


def deterministic_reply(text: str, settings: Any) -> str:
    """What the agent answers to ``text`` when it is typed (the model off, another session).

    A nested ``override_settings``, never the ``settings`` fixture: assigned inside another
    ``override_settings`` block, the fixture restores that block's values at teardown (after the
    block ended), leaking them into the next tests.
    """
    del settings  # kept in the signature for the callers
    with override_settings(LLM_ENABLED=False):
        return conversation_turn_handle(
            channel="whatsapp", external_id=f"+52155{time.monotonic_ns() % 10**8:08d}", text=text
        ).reply


# --- success ---------------------------------------------------------------------------------
def test_voice_note_is_transcribed_and_answered_as_the_customers_text(
    voice: StubModel, fake_twilio: FakeTwilio, client: Client, settings: Any
) -> None:
    url = fake_twilio.add_media(ogg_opus(6.0))
    inbound_id = deliver_voice_note(client, url)
    # The webhook only stored it: no download, no transcription, no reply inside the request.
    assert fake_twilio.media_requests == []
    assert voice.transcriptions == []
    assert fake_twilio.created == []

    group = inbound_message_process(inbound_id=inbound_id)

    # Downloaded with the account's credentials, which did not follow the redirect to storage.
    (api_path, api_auth), (cdn_path, cdn_auth) = fake_twilio.media_requests
    assert api_auth.startswith("Basic ")
    assert api_path.endswith(url.rsplit("/", 1)[-1])
    assert cdn_path.startswith("/cdn/")
    assert cdn_auth == ""
    upload = voice.transcriptions[0]
    assert (upload["model"], upload["language"]) == ("whisper-1", "es")
    assert (upload["filename"], upload["file_type"]) == ("nota.ogg", "audio/ogg")
    assert upload["file_head"].startswith(b"OggS")
    inbound = WhatsAppInbound.objects.get(pk=inbound_id)
    assert (inbound.transcription, inbound.transcription_status) == (voice.transcript, "ok")
    assert inbound.media[0]["url"] == url  # the reference stays for staff
    # The transcription drove the turn: the reply is the one its text gets when typed.
    logged_in = Message.objects.get(direction="in", conversation__external_id=CUSTOMER_PHONE)
    assert logged_in.text == f"🎤 nota de voz: {voice.transcript}"
    assert sent_to_customer(fake_twilio) == [deterministic_reply(voice.transcript, settings)]
    assert "Toyota" in sent_to_customer(fake_twilio)[0] or "400" in sent_to_customer(fake_twilio)[0]
    # A redelivered task neither transcribes again nor answers twice.
    assert inbound_message_process(inbound_id=inbound_id) == group
    assert len(voice.transcriptions) == 1
    assert len(fake_twilio.created) == 1


def test_text_and_a_voice_note_in_one_burst_are_one_turn_with_both(
    voice: StubModel, fake_twilio: FakeTwilio, client: Client
) -> None:
    data = payload("inbound_text", Body="Hola", MessageSid=new_sid())
    assert post_signed(client, WEBHOOK, data).status_code == 200
    inbound_id = deliver_voice_note(client, fake_twilio.add_media(ogg_opus(3.0)))
    inbound_message_process(inbound_id=inbound_id)
    logged_in = Message.objects.get(direction="in", conversation__external_id=CUSTOMER_PHONE)
    assert logged_in.text == f"Hola\n🎤 nota de voz: {voice.transcript}"
    assert len(fake_twilio.created) == 1
    assert set(WhatsAppInbound.objects.values_list("status", flat=True)) == {"processed"}


def test_meta_voice_note_is_fetched_with_the_bearer_token_and_answered(
    stub_model: StubModel, fake_graph: FakeGraph, fake_twilio: FakeTwilio, settings: Any
) -> None:
    from tests.support.whatsapp import meta_settings

    with override_settings(**meta_settings(fake_graph, fake_twilio), **llm_settings(stub_model)):
        media_id = fake_graph.add_media(ogg_opus(5.0))
        message = {
            "type": "audio",
            "audio": {"id": media_id, "mime_type": "audio/ogg; codecs=opus", "voice": True},
        }
        body = meta_text("", message_id=new_wamid(), message=message)
        assert post_meta(Client(), body).status_code == 200
        assert fake_graph.media_requests == []
        inbound_message_process(inbound_id=WhatsAppInbound.objects.get().pk)
        expected = deterministic_reply(stub_model.transcript, settings)
    paths = [path for path, _ in fake_graph.media_requests]
    assert paths == [f"/v21.0/{media_id}", f"/lookaside/{media_id}"]
    assert {auth for _, auth in fake_graph.media_requests} == {f"Bearer {META_ACCESS_TOKEN}"}
    assert stub_model.transcriptions[0]["filename"] == "nota.ogg"
    assert fake_graph.bodies_to(META_WA_ID) == [expected]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_transcribes_and_answers_after_the_webhook_returned(
    stub_model: StubModel,
    fake_twilio: FakeTwilio,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    settings: Any,
) -> None:
    fake_twilio.auth_token = AUTH_TOKEN
    env = worker_env(
        fake_twilio,
        WHATSAPP_BURST_WINDOW_S="0",
        LLM_ENABLED="true",
        OPENAI_API_KEY="sk-test-not-a-real-key",
        OPENAI_BASE_URL=stub_model.url,
        OPENAI_TRANSCRIPTION_MODEL="whisper-1",
    )
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    request.getfixturevalue("celery_worker_process")
    with override_settings(**channel_settings(fake_twilio), **llm_settings(stub_model)):
        url = fake_twilio.add_media(ogg_opus(5.0))
        started = time.monotonic()
        inbound_id = deliver_voice_note(Client(), url)
        assert time.monotonic() - started < 2.0
        assert stub_model.transcriptions == []  # not inside the request
        assert fake_twilio.wait_for(created=1, timeout=30)
        expected = deterministic_reply(stub_model.transcript, settings)
    assert sent_to_customer(fake_twilio) == [expected]
    inbound = WhatsAppInbound.objects.get(pk=inbound_id)
    assert (inbound.status, inbound.transcription_status) == ("processed", "ok")
    assert len(stub_model.transcriptions) == 1


def test_during_a_handoff_the_bot_stays_silent_and_staff_read_the_transcription(
    voice: StubModel, fake_twilio: FakeTwilio, client: Client
) -> None:
    data = payload("inbound_text", Body="quiero hablar con un asesor", MessageSid=new_sid())
    post_signed(client, WEBHOOK, data)
    inbound_message_process(inbound_id=WhatsAppInbound.objects.get().pk)
    conversation = Conversation.objects.get(external_id=CUSTOMER_PHONE)
    assert conversation.status == "handoff"
    sent = len(fake_twilio.created)
    inbound_id = deliver_voice_note(client, fake_twilio.add_media(ogg_opus(3.0)))
    inbound_message_process(inbound_id=inbound_id)
    assert len(fake_twilio.created) == sent
    texts = [line.text for line in whatsapp_transcript(conversation=conversation)]
    assert f"🎤 nota de voz: {voice.transcript}" in texts


# --- failures: one polite reply, nothing lost --------------------------------------------------
def assert_one_polite_reply(
    fake: FakeTwilio, inbound_id: int, *, status: str, can_listen: bool = True
) -> None:
    inbound = WhatsAppInbound.objects.get(pk=inbound_id)
    assert (inbound.status, inbound.transcription_status, inbound.transcription) == (
        "processed",
        status,
        "",
    )
    assert inbound.media
    assert inbound.media[0]["url"]
    assert sent_to_customer(fake) == [replies.voice_note_unheard(can_listen=can_listen)]
    assert not Message.objects.filter(direction="in").exists()  # no turn on nothing
    # Retried (a redelivered task): still one reply.
    inbound_message_process(inbound_id=inbound_id)
    assert len(sent_to_customer(fake)) == 1


def test_transcription_timeout_gets_one_polite_reply(
    voice: StubModel, fake_twilio: FakeTwilio, client: Client
) -> None:
    voice.transcription_mode = "timeout"
    voice.delay_s = 5.0  # longer than the whole budget: only the timeouts end the wait
    inbound_id = deliver_voice_note(client, fake_twilio.add_media(ogg_opus(4.0)))
    started = time.monotonic()
    inbound_message_process(inbound_id=inbound_id)
    # VOICE_NOTE_BUDGET_S (2 s) bounds the retries: without it the wait is the fake's 5 s delay.
    # The margin is wide because parallel workers on a loaded 2-core machine slow everything.
    assert time.monotonic() - started < voice.delay_s - 0.3
    assert 1 <= len(voice.transcriptions) <= 2  # one retry at most, within the budget
    assert_one_polite_reply(fake_twilio, inbound_id, status="timeout")
    assert "No logré escucharla" in sent_to_customer(fake_twilio)[0]


def test_download_timeout_gets_one_polite_reply(
    voice: StubModel, fake_twilio: FakeTwilio, client: Client
) -> None:
    url = fake_twilio.add_media(ogg_opus(4.0), behaviour="slow")
    inbound_id = deliver_voice_note(client, url)
    inbound_message_process(inbound_id=inbound_id)
    assert voice.transcriptions == []
    assert_one_polite_reply(fake_twilio, inbound_id, status=DOWNLOAD_TIMEOUT)


def test_oversize_is_cut_off_while_streaming_and_gets_one_polite_reply(
    voice: StubModel, fake_twilio: FakeTwilio, client: Client
) -> None:
    # No Content-Length and a body that never ends: only a cap enforced while reading stops it.
    url = fake_twilio.add_media(b"\x00" * 64 * 1024, behaviour="endless")
    inbound_id = deliver_voice_note(client, url)
    inbound_message_process(inbound_id=inbound_id)
    assert voice.transcriptions == []
    media_sid = url.rsplit("/", 1)[-1]
    assert fake_twilio.media_sent[media_sid] < 200 * 1024 * 1024  # the client hung up early
    assert_one_polite_reply(fake_twilio, inbound_id, status=TOO_LARGE)


def test_a_voice_note_longer_than_the_limit_is_not_sent_to_the_model(
    voice: StubModel, fake_twilio: FakeTwilio, client: Client
) -> None:
    inbound_id = deliver_voice_note(client, fake_twilio.add_media(ogg_opus(400.0)))
    inbound_message_process(inbound_id=inbound_id)
    assert voice.transcriptions == []
    assert_one_polite_reply(fake_twilio, inbound_id, status="too_long")


def test_unsupported_audio_type_is_not_even_downloaded(
    voice: StubModel, fake_twilio: FakeTwilio, client: Client
) -> None:
    url = fake_twilio.add_media(b"#!AMR\n" + b"\x00" * 500, "audio/amr")
    inbound_id = deliver_voice_note(client, url, "audio/amr")
    inbound_message_process(inbound_id=inbound_id)
    assert fake_twilio.media_requests == []
    assert voice.transcriptions == []
    assert_one_polite_reply(fake_twilio, inbound_id, status=UNSUPPORTED_TYPE)


def test_a_media_url_outside_twilio_never_gets_the_credentials(
    voice: StubModel, fake_twilio: FakeTwilio, client: Client
) -> None:
    with FakeTwilio(account_sid=ACCOUNT_SID) as elsewhere:
        url = elsewhere.add_media(ogg_opus(4.0))
        inbound_id = deliver_voice_note(client, url)
        inbound_message_process(inbound_id=inbound_id)
        assert elsewhere.media_requests == []
    assert_one_polite_reply(fake_twilio, inbound_id, status=UNTRUSTED_URL)


def test_an_empty_transcription_and_an_open_circuit_get_the_polite_reply(
    voice: StubModel, fake_twilio: FakeTwilio, client: Client, settings: Any
) -> None:
    voice.transcription_mode = "empty"
    first = deliver_voice_note(client, fake_twilio.add_media(ogg_opus(2.0)))
    inbound_message_process(inbound_id=first)
    assert WhatsAppInbound.objects.get(pk=first).transcription_status == "empty"
    settings.LLM_CIRCUIT_FAILURES = 1
    settings.OPENAI_TRANSCRIPTION_MAX_RETRIES = 0
    voice.transcription_mode = "500"
    second = deliver_voice_note(client, fake_twilio.add_media(ogg_opus(2.0)))
    inbound_message_process(inbound_id=second)
    assert WhatsAppInbound.objects.get(pk=second).transcription_status == "server_error"
    calls = len(voice.transcriptions)
    third = deliver_voice_note(client, fake_twilio.add_media(ogg_opus(2.0)))
    inbound_message_process(inbound_id=third)
    assert WhatsAppInbound.objects.get(pk=third).transcription_status == "circuit_open"
    assert len(voice.transcriptions) == calls  # refused without calling the provider
    polite = replies.voice_note_unheard(can_listen=True)
    assert sent_to_customer(fake_twilio) == [polite, polite, polite]


def test_with_the_llm_off_voice_notes_get_the_polite_reply_without_a_download(
    fake_twilio: FakeTwilio, client: Client
) -> None:
    with override_settings(**channel_settings(fake_twilio), LLM_ENABLED=False):
        url = fake_twilio.add_media(ogg_opus(4.0))
        inbound_id = deliver_voice_note(client, url)
        inbound_message_process(inbound_id=inbound_id)
        assert fake_twilio.media_requests == []
        assert_one_polite_reply(fake_twilio, inbound_id, status="disabled", can_listen=False)
        assert "no puedo escuchar audios" in sent_to_customer(fake_twilio)[0]


def test_in_synchronous_mode_the_webhook_never_downloads(
    voice: StubModel, fake_twilio: FakeTwilio, client: Client, settings: Any
) -> None:
    settings.WHATSAPP_MODE = "sync"
    url = fake_twilio.add_media(ogg_opus(4.0))
    response = post_signed(
        client, WEBHOOK, payload("inbound_voice_note", MediaUrl0=url, MessageSid=new_sid())
    )
    assert response.status_code == 200
    assert replies.voice_note_unheard(can_listen=False).split("!")[0] in response.content.decode()
    assert fake_twilio.media_requests == []
    assert voice.transcriptions == []


# --- images and documents ---------------------------------------------------------------------
def test_image_and_document_get_the_text_only_reply_and_stay_in_the_transcript(
    fake_twilio: FakeTwilio, client: Client
) -> None:
    with override_settings(**channel_settings(fake_twilio)):
        post_signed(client, WEBHOOK, payload("inbound_text", Body="Hola", MessageSid=new_sid()))
        inbound_message_process(inbound_id=WhatsAppInbound.objects.get().pk)
        image = payload("inbound_image", MessageSid=new_sid())
        document = payload(
            "inbound_image",
            MessageSid=new_sid(),
            MediaContentType0="application/pdf",
            MediaUrl0=image["MediaUrl0"].replace("ME", "MF"),
        )
        for data in (image, document):
            assert post_signed(client, WEBHOOK, data).status_code == 200
            inbound_message_process(inbound_id=WhatsAppInbound.objects.order_by("-id")[0].pk)
    assert sent_to_customer(fake_twilio)[-2:] == [replies.text_only(), replies.text_only()]
    conversation = Conversation.objects.get(external_id=CUSTOMER_PHONE)
    texts = [line.text for line in whatsapp_transcript(conversation=conversation)]
    assert f"[imagen: {image['MediaUrl0']}]" in texts
    assert f"[documento: {document['MediaUrl0']}]" in texts


def test_an_image_with_a_caption_is_answered_and_logged_with_its_reference(
    fake_twilio: FakeTwilio, client: Client
) -> None:
    with override_settings(**channel_settings(fake_twilio)):
        data = payload("inbound_image_caption", MessageSid=new_sid())
        post_signed(client, WEBHOOK, data)
        inbound_message_process(inbound_id=WhatsAppInbound.objects.get().pk)
    logged = Message.objects.get(direction="in").text
    assert logged == f"[imagen: {data['MediaUrl0']}] {data['Body']}"
    assert len(fake_twilio.created) == 1


# --- the download module ------------------------------------------------------------------------
def test_duration_is_read_from_ogg_opus_and_unknown_elsewhere() -> None:
    assert audio_duration_s(ogg_opus(12.5)) == pytest.approx(12.5)
    assert audio_duration_s(b"ID3" + b"\x00" * 100) is None
    assert audio_duration_s(b"OggS") is None


def test_a_stated_size_over_the_cap_is_refused_before_reading(fake_twilio: FakeTwilio) -> None:
    url = fake_twilio.add_media(b"\x00" * 50_000)
    limits = MediaLimits(max_bytes=20_000, content_types=frozenset({"audio/ogg"}), timeout_s=1.0)
    with (
        override_settings(TWILIO_API_BASE_URL=fake_twilio.base_url),
        pytest.raises(MediaError) as caught,
    ):
        media_download(
            url=url, content_type="audio/ogg", limits=limits, deadline=time.monotonic() + 1
        )
    assert caught.value.reason == TOO_LARGE
    assert "content-length" in str(caught.value)
