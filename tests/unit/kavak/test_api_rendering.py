"""kavak.api's JSON negotiation and renderer give what DRF's own classes give (shortcuts)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.test import RequestFactory
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from kavak.api import FastJsonRenderer, JsonNegotiation

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from('\u2028\u2029"\\/\x00')),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def _has_float(data: Any) -> bool:
    if isinstance(data, dict):
        return any(_has_float(v) for v in data.values())
    if isinstance(data, list):
        return any(_has_float(v) for v in data)
    return isinstance(data, float)


@settings(max_examples=500, deadline=None)
@given(_json)
def test_renderer_writes_what_drf_writes(data: Any) -> None:
    fast = FastJsonRenderer().render(data, "application/json")
    stock = JSONRenderer().render(data, "application/json")
    if fast != stock:  # only floats: the same number, an exponent may be spelt 1e-7 or 1e-07
        assert _has_float(data)
        assert json.loads(fast) == json.loads(stock)


def test_renderer_writes_scores_and_prices_as_drf_does() -> None:
    data = {"score": 0.8123, "price": "199999.50", "km": 45000, "reply": "¿Te late?\u2028ok"}
    assert FastJsonRenderer().render(data) == JSONRenderer().render(data)


@pytest.mark.parametrize(
    "data",
    [
        {"price": Decimal("199999.50")},
        {"at": dt.datetime(2026, 11, 24, 15, 30, 1, 123456, tzinfo=dt.UTC)},
        {"day": dt.date(2026, 11, 24)},
        {"id": uuid.UUID(int=7)},
        {1: "clave no textual"},
        {"big": 2**70},
        {"detail": exceptions.ErrorDetail("Campo requerido.", code="required")},
    ],
)
def test_renderer_leaves_what_orjson_would_write_differently_to_drf(data: Any) -> None:
    assert FastJsonRenderer().render(data, "application/json") == JSONRenderer().render(
        data, "application/json"
    )


def test_renderer_honours_an_indent_request() -> None:
    data = {"a": [1, 2]}
    media = "application/json; indent=2"
    assert FastJsonRenderer().render(data, media) == JSONRenderer().render(data, media)
    assert b"\n" in FastJsonRenderer().render(data, media)


def _request(accept: str | None, query: str = "") -> Request:
    extra = {"HTTP_ACCEPT": accept} if accept is not None else {}
    return Request(RequestFactory().post(f"/chat{query}", **extra))


@pytest.mark.parametrize(
    ("accept", "query"),
    [
        (None, ""),
        ("*/*", ""),
        ("application/json", ""),
        ("application/json; indent=4", ""),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ""),
        ("application/*", ""),
        ("*/*", "?format=json"),
    ],
)
def test_negotiation_picks_what_drf_picks(accept: str | None, query: str) -> None:
    renderers = [FastJsonRenderer()]
    fast = JsonNegotiation().select_renderer(_request(accept, query), renderers)
    stock = DefaultContentNegotiation().select_renderer(_request(accept, query), renderers)
    assert fast == stock


def test_negotiation_still_refuses_what_drf_refuses() -> None:
    with pytest.raises(exceptions.NotAcceptable):
        JsonNegotiation().select_renderer(_request("text/html"), [FastJsonRenderer()])


def test_renderer_writes_null_for_a_non_finite_float_where_drf_refuses() -> None:
    """The one documented difference: a NaN reaching a response is null, not a 500."""
    data = {"score": float("nan"), "ok": 1}
    assert FastJsonRenderer().render(data, "application/json") == b'{"score":null,"ok":1}'
    with pytest.raises(ValueError, match="not JSON compliant"):
        JSONRenderer().render(data, "application/json")
