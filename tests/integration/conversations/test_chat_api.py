"""POST /chat: authentication, validation, limits and throttling (JSON errors, never a 500)."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from rest_framework_api_key.models import APIKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_key() -> str:
    _, key = APIKey.objects.create_key(name="tests")
    return key


def post(client: Client, body: object, key: str | None, **extra: str):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        "/chat",
        data=data,
        content_type=extra.pop("content_type", "application/json"),
        **headers,
        **extra,
    )


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        (None, "Falta el encabezado"),
        ("Bearer nope.nope", "inválida"),
        ("Token abc", "Bearer"),
    ],
)
def test_chat_rejects_missing_or_wrong_key_with_401(
    client: Client, auth: str | None, message: str
) -> None:
    headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
    response = client.post(
        "/chat",
        data={"session_id": "a", "message": "hola"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "unauthorized"
    assert message in body["message"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_revoked_key_is_rejected(client: Client) -> None:
    api_key, key = APIKey.objects.create_key(name="old")
    api_key.revoked = True
    api_key.save()
    assert post(client, {"session_id": "a", "message": "hola"}, key).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"session_id": "a"}, "message"),
        ({"session_id": "a", "message": ""}, "message"),
        ({"session_id": "a", "message": "   "}, "message"),
        ({"session_id": "a", "message": "x" * 2001}, "message"),
        ({"message": "hola"}, "session_id"),
        ({"session_id": "", "message": "hola"}, "session_id"),
        ({"session_id": "s" * 129, "message": "hola"}, "session_id"),
        ({"session_id": "a", "message": ["hola"]}, "message"),
        ({"session_id": {"x": 1}, "message": "hola"}, "session_id"),
        ({"session_id": "a", "message": 0}, "message"),
        ({"session_id": 12, "message": "hola"}, "session_id"),
        ({"session_id": "a", "message": True}, "message"),
        ({"session_id": "a", "message": "hola", "channel": "whatsapp"}, "channel"),
        (["not", "an", "object"], "non_field_errors"),
    ],
)
def test_chat_bad_input_is_400_naming_the_field(
    client: Client, api_key: str, body: object, field: str
) -> None:
    response = post(client, body, api_key)
    assert response.status_code == 400
    data = response.json()
    assert data["error"] == "invalid_request"
    assert field in data["fields"]
    assert field in data["message"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"session_id": "a", "message": "hola", "x": NaN}', "application/json"),
        ('{"session_id": "a", "message": "hola"}'.encode("utf-16"), "application/json"),
        (b'{"session_id": "a", "message": "hola"', "application/json; charset=utf-8"),
    ],
)
def test_chat_json_shortcut_refuses_what_drf_refuses(
    client: Client, api_key: str, body: bytes, content_type: str
) -> None:
    """The direct parse of plain JSON bodies is only a shortcut: strict JSON, UTF-8 only."""
    response = post(client, body, api_key, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"


def test_chat_accepts_json_declared_with_utf8_charset(client: Client, api_key: str) -> None:
    body = json.dumps({"session_id": "cs", "message": "hola"}).encode()
    response = post(client, body, api_key, content_type="application/json; charset=UTF-8")
    assert response.status_code == 200
    assert response.json()["session_id"] == "cs"


def test_chat_non_json_is_400(client: Client, api_key: str) -> None:
    response = post(client, "{not json", api_key)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"
    assert response.json()["message"] == "El cuerpo de la petición no es JSON válido."


def test_chat_errors_are_worded_in_spanish(client: Client, api_key: str) -> None:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}
    wrong_method = client.get("/chat", **auth)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["message"] == "Método GET no permitido en esta dirección."
    form = post(client, "message=hola", api_key, content_type="application/x-www-form-urlencoded")
    assert form.json()["message"] == "El cuerpo debe ser JSON (Content-Type: application/json)."
    html = client.post(
        "/chat", data="{}", content_type="application/json", HTTP_ACCEPT="text/html", **auth
    )
    assert html.status_code == 406
    assert html.json()["message"] == "Esta API solo responde JSON (Accept: application/json)."
    missing = post(client, {"session_id": "a"}, api_key).json()
    assert missing["message"] == "Datos inválidos en: message."
    assert missing["fields"]["message"] == ["Este campo es requerido."]


def test_chat_wrong_content_type_is_415(client: Client, api_key: str) -> None:
    response = post(
        client, "message=hola", api_key, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"


def test_chat_body_over_16kb_is_413(client: Client, api_key: str) -> None:
    response = post(client, {"session_id": "a", "message": "x" * 17000}, api_key)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


@override_settings(CHAT_THROTTLE_RATE="3/min")
def test_chat_is_throttled_per_key_with_retry_after(client: Client, api_key: str) -> None:
    _, other = APIKey.objects.create_key(name="other")
    bad = {"session_id": "a", "message": ""}  # validation happens after throttling
    statuses = [post(client, bad, api_key).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    throttled = post(client, bad, api_key)
    assert throttled.status_code == 429
    wait = int(throttled["Retry-After"])
    assert wait > 0
    assert throttled.json()["error"] == "throttled"
    assert throttled.json()["message"] == (
        f"Demasiadas solicitudes; intenta de nuevo en {wait} segundo{'s' if wait != 1 else ''}."
    )
    assert post(client, bad, other).status_code == 400  # another key has its own budget


@override_settings(CHAT_THROTTLE_RATE="5/min")
def test_throttle_window_counter_lives_in_redis_and_expires(client: Client, api_key: str) -> None:
    from django.core.cache import cache
    from django_redis import get_redis_connection

    stored = APIKey.objects.get_from_key(api_key)
    redis = get_redis_connection("default")
    post(client, {"session_id": "a", "message": ""}, api_key)
    post(client, {"session_id": "a", "message": ""}, api_key)
    keys = list(redis.scan_iter(cache.make_key(f"throttle:chat:{stored.pk}:*")))
    assert len(keys) == 1
    assert int(redis.get(keys[0])) == 2
    assert 0 < redis.ttl(keys[0]) <= 61  # never a counter without expiry


@override_settings(CHAT_THROTTLE_RATE="5/min")
def test_throttle_fails_open_when_redis_is_down_and_counts_again_when_it_is_back(
    client: Client, api_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    from django.core.cache import caches

    down = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.1, "SOCKET_TIMEOUT": 0.1},
        }
    }
    bad = {"session_id": "a", "message": ""}
    with override_settings(CACHES=down):
        caches._settings = None  # type: ignore[attr-defined]
        statuses = [post(client, bad, api_key).status_code for _ in range(7)]
    caches._settings = None  # type: ignore[attr-defined]
    assert statuses == [400] * 7  # over the limit, but the counter is unreachable: let through
    assert "chat_throttle_unavailable" in caplog.text
    statuses = [post(client, bad, api_key).status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]  # Redis back: counted again


@pytest.mark.parametrize(
    ("setting", "method", "url", "scope"),
    [
        ("WEB_CHAT_THROTTLE_RATE", "post", "/web/chat", "web_chat"),
        ("WEB_CHAT_THROTTLE_RATE", "get", "/web/chat/amortizacion.csv", "web_chat"),
        ("WEB_CHAT_POLL_THROTTLE_RATE", "get", "/web/chat/messages", "web_chat_poll"),
        ("WEB_CHAT_POLL_THROTTLE_RATE", "get", "/web/chat/history", "web_chat_poll"),
    ],
)
def test_web_chat_is_throttled_per_address_by_the_same_window_counter(
    client: Client, setting: str, method: str, url: str, scope: str
) -> None:
    from django.core.cache import cache
    from django_redis import get_redis_connection

    with override_settings(**{setting: "2/min"}):
        # Invalid input on purpose: the throttle runs before validation, no turn is needed.
        def call(address: str):
            if method == "post":
                return client.post(url, "{}", "application/json", REMOTE_ADDR=address)
            return client.get(url, REMOTE_ADDR=address)

        statuses = [call("203.0.113.7").status_code for _ in range(3)]
        throttled = call("203.0.113.7")
        other = call("203.0.113.8")
    assert statuses == [400, 400, 429]
    wait = int(throttled["Retry-After"])
    assert throttled.json()["error"] == "throttled"
    assert throttled.json()["message"] == (
        f"Demasiadas solicitudes; intenta de nuevo en {wait} segundo{'s' if wait != 1 else ''}."
    )
    assert other.status_code == 400  # another address has its own budget
    keys = list(get_redis_connection("default").scan_iter(cache.make_key(f"throttle:{scope}:*")))
    assert len(keys) == 2


def test_a_held_redis_connection_dropped_by_the_server_is_replaced() -> None:
    from django_redis import get_redis_connection
    from redis.exceptions import ConnectionError as RedisConnectionError

    from kavak.redis_commands import redis_command

    assert redis_command("PING") in (b"PONG", "PONG", True)
    own_id = redis_command("CLIENT", "ID")
    get_redis_connection("default").execute_command("CLIENT", "KILL", "ID", own_id)
    with pytest.raises(RedisConnectionError):
        redis_command("PING")  # the server closed it: the error reaches the caller
    assert redis_command("CLIENT", "ID") != own_id  # and the next command reconnects


def test_deferred_redis_replies_are_read_in_order_and_errors_only_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from django.core.cache import cache

    from kavak.redis_commands import redis_command, redis_command_deferred

    key = cache.make_key("deferred-test")
    redis_command("DEL", key)
    redis_command_deferred("SET", key, "texto")
    redis_command_deferred("INCR", key)  # an error reply: not an integer
    assert redis_command("GET", key) == b"texto"  # its own reply, not a deferred one
    assert "redis_deferred_command_failed" in caplog.text
    assert redis_command("INCRBY", cache.make_key("deferred-n"), 2) >= 2
    redis_command("DEL", key, cache.make_key("deferred-n"))


def test_create_api_key_prints_a_working_key_once(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("create_api_key", "partner")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    stored = APIKey.objects.get(name="partner")
    assert key not in stored.hashed_key
    assert stored.is_valid(key)
    response = post(client, {"session_id": "a", "message": ""}, key)
    assert response.status_code == 400  # authenticated (not 401)


def test_amortization_api_returns_table_and_csv(client: Client, api_key: str) -> None:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}
    url = "/api/financing/amortization?price=300000&down_payment=60000&term_months=48"
    data = client.get(url, **auth).json()
    assert data["plan"]["monthly_payment"] == "6087.02"
    assert len(data["rows"]) == 48
    assert data["rows"][-1]["balance"] == "0.00"
    csv_response = client.get(url + "&output=csv", **auth)
    assert csv_response["Content-Type"].startswith("text/csv")
    lines = csv_response.content.decode().strip().splitlines()
    assert lines[0] == "mes,pago,interes,capital,saldo"
    assert len(lines) == 49


def test_amortization_api_rejects_down_payment_below_minimum(client: Client, api_key: str) -> None:
    response = client.get(
        "/api/financing/amortization?price=300000&down_payment=1000&term_months=48",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert response.status_code == 400
    assert "down_payment" in response.json()["fields"]
    assert response.json()["fields"]["down_payment"] == ["El enganche mínimo es 10% del precio."]


def amortization(client: Client, api_key: str, *, down_payment: int, term: int):
    return client.get(
        f"/api/financing/amortization?price=300000&down_payment={down_payment}&term_months={term}",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )


def test_amortization_api_takes_its_terms_from_the_setting(client: Client, api_key: str) -> None:
    assert amortization(client, api_key, down_payment=60000, term=24).status_code == 400
    with override_settings(FINANCING_TERMS_MONTHS=(24, 36)):
        assert amortization(client, api_key, down_payment=60000, term=24).status_code == 200
        refused = amortization(client, api_key, down_payment=60000, term=72)
        assert refused.status_code == 400
        assert "term_months" in refused.json()["fields"]
    web = "/web/chat/amortizacion.csv?price=300000&down_payment=60000&term_months=24"
    with override_settings(FINANCING_TERMS_MONTHS=(24,)):
        assert client.get(web).status_code == 200


@pytest.mark.parametrize(("ratio", "shown"), [("0.25", "25"), ("0.125", "12.5")])
def test_amortization_api_minimum_down_payment_follows_the_setting(
    client: Client, api_key: str, ratio: str, shown: str
) -> None:
    with override_settings(FINANCING_MIN_DOWN_PAYMENT_RATIO=Decimal(ratio)):
        refused = amortization(client, api_key, down_payment=30000, term=48)
        assert refused.status_code == 400
        assert refused.json()["fields"]["down_payment"] == [
            f"El enganche mínimo es {shown}% del precio."
        ]
        enough = int(300000 * Decimal(ratio))
        assert amortization(client, api_key, down_payment=enough, term=48).status_code == 200


def test_web_chat_requires_csrf_token(client: Client) -> None:
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(
        "/web/chat", data={"message": "hola"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_openapi_schema_documents_chat(client: Client) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json() if response["Content-Type"].startswith("application/json") else None
    text = response.content.decode()
    assert "/chat" in text
    assert "chat_turn" in text
    if schema:
        assert "401" in schema["paths"]["/chat"]["post"]["responses"]


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_api_docs_work_offline_from_our_own_static_files(client: Client, url: str) -> None:
    from django.contrib.staticfiles import finders

    page = client.get(url).content.decode()
    assert "drf_spectacular_sidecar/" in page
    for cdn in ("cdn.", "unpkg", "jsdelivr"):
        assert cdn not in page
    for path in re.findall(r"/static/(drf_spectacular_sidecar/[^\"']+)", page):
        assert finders.find(path), path
