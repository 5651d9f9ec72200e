"""The /chat hot path validates the common request without DRF's serializer; the serializer stays
the reference: whatever the fast check accepts, the serializer accepts with the same values."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from conversations.apis.chat import ChatTurnApi, chat_input_fast

_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from(" \t\n\x00a\u00e1\ud800"), max_size=8),
    st.text(min_size=120, max_size=140),
    st.text(min_size=1990, max_size=2010),
)
_value = st.one_of(_text, st.integers(), st.booleans(), st.none(), st.lists(st.integers()))


@settings(max_examples=400, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["session_id", "message", "channel", "extra"]), _value, max_size=4
    )
)
@example({"session_id": " s1 ", "message": "\thola\n"})
@example({"session_id": "s", "message": "ho\x00la"})
@example({"session_id": "s", "message": "\ud800"})
@example({"session_id": "s", "message": "hola", "channel": None})
@example({"session_id": "s" * 129, "message": "hola"})
def test_fast_check_accepts_only_what_the_serializer_accepts(data: dict[str, Any]) -> None:
    fast = chat_input_fast(data)
    if fast is None:
        return
    serializer = ChatTurnApi.InputSerializer(data=data)
    assert serializer.is_valid(), serializer.errors
    assert fast == (serializer.validated_data["session_id"], serializer.validated_data["message"])


def test_fast_check_takes_the_common_request() -> None:
    assert chat_input_fast({"session_id": " s-1 ", "message": " hola "}) == ("s-1", "hola")
    assert chat_input_fast({"session_id": "s", "message": "hola", "channel": "api"}) == (
        "s",
        "hola",
    )


def test_fast_check_leaves_everything_unusual_to_the_serializer() -> None:
    for data in (
        [],
        {"session_id": "s"},
        {"session_id": "s", "message": "   "},
        {"session_id": "s", "message": 5},
        {"session_id": "s", "message": "x" * 2001},
        {"session_id": "s", "message": "hola", "channel": "whatsapp"},
        {"session_id": "s", "message": "a\x00"},
    ):
        assert chat_input_fast(data) is None
