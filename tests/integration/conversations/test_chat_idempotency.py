"""POST /chat with an Idempotency-Key: a retried turn is answered once (real Redis, PostgreSQL)."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from rest_framework_api_key.models import APIKey

from catalog.services import catalog_load_demo
from conversations.idempotency import chat_idempotency_claim
from conversations.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_key() -> tuple[str, str]:
    api_key, key = APIKey.objects.create_key(name="idempotency")
    catalog_load_demo()
    return str(api_key.pk), key


def post(client: Client, key: str, session: str, message: str, idem: str | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    if idem is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = idem
    body = json.dumps({"session_id": session, "message": message})
    return client.post("/chat", data=body, content_type="application/json", **headers)


def inbound(session: str) -> list[str]:
    return list(
        Message.objects.filter(conversation__external_id=session, direction="in").values_list(
            "text", flat=True
        )
    )


def test_a_retried_turn_gets_the_first_answer_and_is_stored_once(
    client: Client, api_key: tuple[str, str]
) -> None:
    _, key = api_key
    session, idem = f"s-{uuid.uuid4().hex}", uuid.uuid4().hex
    first = post(client, key, session, "busco un sedán de 300 mil", idem)
    again = post(client, key, session, "busco un sedán de 300 mil", idem)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert inbound(session) == ["busco un sedán de 300 mil"]
    # Another key is another turn; no key at all is today's behaviour.
    assert post(client, key, session, "el 1", uuid.uuid4().hex).status_code == 200
    assert post(client, key, session, "el 1").status_code == 200
    assert len(inbound(session)) == 3


def test_the_same_key_with_another_message_is_refused_and_stores_nothing(
    client: Client, api_key: tuple[str, str]
) -> None:
    _, key = api_key
    session, idem = f"s-{uuid.uuid4().hex}", uuid.uuid4().hex
    assert post(client, key, session, "hola", idem).status_code == 200
    reused = post(client, key, session, "busco una suv", idem)
    assert reused.status_code == 422
    assert reused.json()["error"] == "idempotency_key_reused"
    assert inbound(session) == ["hola"]


def test_a_retry_while_the_turn_runs_is_told_to_wait(
    client: Client, api_key: tuple[str, str]
) -> None:
    client_id, key = api_key
    session, idem = f"s-{uuid.uuid4().hex}", uuid.uuid4().hex
    # The first request holds the claim (its turn still running).
    held = chat_idempotency_claim(client=client_id, session_id=session, key=idem, message="hola")
    assert held.outcome == "new"
    response = post(client, key, session, "hola", idem)
    assert response.status_code == 409
    assert response["Retry-After"] == "1"
    assert response.json()["error"] == "request_in_progress"
    assert inbound(session) == []


@pytest.mark.parametrize("idem", ["", "x" * 129, "no spaces", "ñandú"])
def test_a_malformed_key_is_a_json_400_naming_the_header(
    client: Client, api_key: tuple[str, str], idem: str
) -> None:
    _, key = api_key
    response = post(client, key, f"s-{uuid.uuid4().hex}", "hola", idem)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]


def test_keys_are_per_api_client(client: Client, api_key: tuple[str, str]) -> None:
    _, key = api_key
    _, other = APIKey.objects.create_key(name="other client")
    session, idem = f"s-{uuid.uuid4().hex}", uuid.uuid4().hex
    assert post(client, key, session, "hola", idem).status_code == 200
    replay = post(client, other, session, "hola", idem)
    assert "Idempotent-Replayed" not in replay
    assert inbound(session) == ["hola", "hola"]


def test_with_redis_down_the_turn_runs_without_the_guarantee(
    client: Client, api_key: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    _, key = api_key
    down = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.1, "SOCKET_TIMEOUT": 0.1},
        }
    }
    session = f"s-{uuid.uuid4().hex}"
    with override_settings(CACHES=down, CHAT_THROTTLE_RATE="1000/min"):
        caches._settings = None  # type: ignore[attr-defined]
        response = post(client, key, session, "hola", uuid.uuid4().hex)
    caches._settings = None  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert "chat_idempotency_unavailable" in caplog.text
