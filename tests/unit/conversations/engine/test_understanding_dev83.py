"""Classes fixed from the eighty-third development batch: a later clause that starts with a
word that only asks ("cuánto", "cuál", "dónde") makes a question without a question mark."""

from __future__ import annotations

import pytest

from conversations.engine import cues


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("ese mero, cuanto de enganche minimo", True),
        ("va el 2. y donde lo puedo ver", True),
        ("busco un sedan, que sea automatico", False),
        ("tengo, como 200 mil", False),
        ("cuanto cuesta", True),
    ],
)
def test_a_later_clause_that_asks(text: str, asks: bool) -> None:
    assert cues.is_question(text) is asks
