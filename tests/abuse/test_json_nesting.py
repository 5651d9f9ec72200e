"""Deeply nested JSON on /chat and /web/chat: a JSON 400 before any parser recurses, never a 500.

Python's ``json`` module recurses once per level and raised ``RecursionError`` (a 500) at about
1,000 levels, well inside the 16 KB body limit. The depth is now checked by a scan of the bytes
(brackets inside strings do not count) before anything parses them.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework_api_key.models import APIKey

from kavak.parsers import JSON_MAX_DEPTH, json_depth

pytestmark = pytest.mark.django_db

TOO_DEEP = "json_too_deep"


@pytest.fixture
def api_key(settings: object) -> str:
    settings.CHAT_THROTTLE_RATE = "100000/min"  # type: ignore[attr-defined]
    settings.WEB_CHAT_THROTTLE_RATE = "100000/min"  # type: ignore[attr-defined]
    _, key = APIKey.objects.create_key(name="nesting")
    return key


def _post(client: Client, path: str, body: bytes | str, key: str) -> object:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if path == "/chat" else {}
    return client.post(path, data=body, content_type="application/json", **headers)


def _nested(depth: int, *, kinds: str = "[", leaf: str = "1") -> str:
    """``depth`` levels, cycling through ``kinds`` ("[" arrays, "{" objects with key "k")."""
    opens, closes = [], []
    for level in range(depth):
        if kinds[level % len(kinds)] == "[":
            opens.append("[")
            closes.append("]")
        else:
            opens.append('{"k":')
            closes.append("}")
    return "".join(opens) + leaf + "".join(reversed(closes))


def _chat_body(extra: str, path: str) -> str:
    session = '"session_id": "nesting-session-0001",' if path == "/chat" else ""
    return "{" + session + '"message": "hola", "extra": ' + extra + "}"


@pytest.mark.parametrize("path", ["/chat", "/web/chat"])
@pytest.mark.parametrize("depth", [100, 1_000, 2_500])  # 2,500 objects: 15 KB, under 16 KB
@pytest.mark.parametrize("kinds", ["[", "{", "[{"])
def test_deep_nesting_is_a_json_400_in_spanish(
    client: Client, api_key: str, path: str, depth: int, kinds: str
) -> None:
    response = _post(client, path, _nested(depth, kinds=kinds), api_key)
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["error"] == TOO_DEEP
    assert f"máximo {JSON_MAX_DEPTH} niveles" in body["message"]
    assert body["request_id"]


@pytest.mark.parametrize("path", ["/chat", "/web/chat"])
def test_one_level_over_the_limit_is_refused_and_the_limit_itself_is_served(
    client: Client, api_key: str, path: str
) -> None:
    # The object holding the fields is the first level.
    at_limit = _chat_body(_nested(JSON_MAX_DEPTH - 1), path)
    over = _chat_body(_nested(JSON_MAX_DEPTH), path)
    assert json_depth(at_limit.encode()) == JSON_MAX_DEPTH
    assert _post(client, path, at_limit, api_key).status_code == 200
    response = _post(client, path, over, api_key)
    assert response.status_code == 400
    assert response.json()["error"] == TOO_DEEP


@pytest.mark.parametrize("path", ["/chat", "/web/chat"])
def test_brackets_inside_strings_do_not_count(client: Client, api_key: str, path: str) -> None:
    message = '[{"\\"[' * 300 + "busco un sedán"
    body = json.dumps(
        {"message": message, **({"session_id": "brackets-in-strings-1"} if path == "/chat" else {})}
    )
    assert json_depth(body.encode()) == 1
    response = _post(client, path, body, api_key)
    assert response.status_code == 200, response.content[:300]


_LEAVES = st.sampled_from(["1", '"x"', '"[[{{"', '"\\\\"', '"\\"]"', "null", "[]", "{}"])


@given(
    depth=st.integers(min_value=1, max_value=2_500),
    kinds=st.sampled_from(["[", "{", "[{", "{[", "[[{"]),
    leaf=_LEAVES,
    wrap=st.booleans(),
    truncate=st.integers(min_value=0, max_value=3),
)
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_nesting_fuzz_never_500(
    client: Client,
    api_key: str,
    depth: int,
    kinds: str,
    leaf: str,
    wrap: bool,
    truncate: int,
) -> None:
    """Any mix of arrays, objects and odd strings, whole or cut short: 400 when deeper than the
    limit, never a 500, on both endpoints."""
    for path in ("/chat", "/web/chat"):
        inner = _nested(depth, kinds=kinds, leaf=leaf)
        body = _chat_body(inner, path) if wrap else inner
        if truncate:
            body = body[: len(body) - truncate]
        response = _post(client, path, body, api_key)
        assert response.status_code < 500, (path, depth, response.content[:200])
        levels = depth + (1 if wrap else 0)
        if levels > JSON_MAX_DEPTH:
            assert response.status_code == 400
            assert response.json()["error"] == TOO_DEEP


_JSON_VALUES = st.recursive(
    st.none() | st.integers() | st.text(alphabet='[]{}"\\:,ab', max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\ab', max_size=3), inner, max_size=3)
    ),
    max_leaves=40,
)


@given(_JSON_VALUES)
@settings(max_examples=200, deadline=None, derandomize=True)
def test_json_depth_agrees_with_the_parsed_structure(value: object) -> None:
    def depth(node: object) -> int:
        if isinstance(node, list):
            return 1 + max((depth(v) for v in node), default=0)
        if isinstance(node, dict):
            return 1 + max((depth(v) for v in node.values()), default=0)
        return 0

    assert json_depth(json.dumps(value, ensure_ascii=False).encode()) == depth(value)
