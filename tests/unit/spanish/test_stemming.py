"""Stems (``spanish.stemming``): Snowball for the knowledge base, a prefix for the guardrail."""

from __future__ import annotations

import pytest

from spanish import crude_stem, stem


@pytest.mark.parametrize(
    ("left", "right"),
    [("garantias", "garantia"), ("financiamiento", "financiamientos"), ("revisados", "revisado")],
)
def test_stem_merges_inflections(left: str, right: str) -> None:
    assert stem(left) == stem(right)


@pytest.mark.parametrize("word", ["rio", "uso", "2019", "x1"])
def test_stem_keeps_numbers_and_short_words(word: str) -> None:
    assert stem(word) == word


def test_stem_of_a_longer_word_is_snowballs() -> None:
    assert stem("sucursales") == "sucursal"


def test_crude_stem_is_a_prefix() -> None:
    assert crude_stem("financiamiento") == crude_stem("financiar") == "finan"
    assert crude_stem("auto", 3) == "aut"
    assert crude_stem("mes") == "mes"
