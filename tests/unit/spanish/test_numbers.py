"""Spanish number words (``spanish.numbers``): one reading of a run, and the two rewritings of
text with their documented differences (the engine reads customers, the guardrail reads prose)."""

from __future__ import annotations

import pytest

from spanish import (
    DIGIT_NAMES,
    NUMBER_WORDS,
    dictated_digits,
    digitize_number_words,
    replace_number_words,
    words_to_number,
)


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("trescientos cincuenta mil", 350_000),
        ("un millon doscientos mil", 1_200_000),
        ("dos millones", 2_000_000),
        ("treinta y cinco", 35),
        ("mil", 1000),
        ("ciento veinte", 120),
        ("cero", 0),
    ],
)
def test_words_to_number_reads_a_run(words: str, value: int) -> None:
    assert words_to_number(words.split()) == value


@pytest.mark.parametrize("words", [[], ["y"], ["tres", "autos"], ["auto"]])
def test_words_to_number_is_none_for_what_is_not_a_number(words: list[str]) -> None:
    assert words_to_number(words) is None


def test_every_number_word_is_read() -> None:
    assert all(words_to_number([w]) is not None for w in NUMBER_WORDS - {"y"})


@pytest.mark.parametrize(
    ("folded", "expected"),
    [
        ("tengo trescientos mil de enganche", "tengo 300000 de enganche"),
        ("quiero un auto", "quiero un auto"),
        ("quiero uno", "quiero uno"),
        ("300 mil", "300 mil"),
        ("10 por ciento", "10 por ciento"),
        ("cuarenta y ocho meses", "48 meses"),
        ("dos y tres", "5"),
        ("treinta y", "30 y"),
        ("trescientos mil, y", "300 mil, y"),
    ],
)
def test_replace_number_words_reads_customers(folded: str, expected: str) -> None:
    assert replace_number_words(folded) == expected


@pytest.mark.parametrize(
    ("folded", "expected"),
    [
        ("tres meses", "3 meses"),
        ("un ano y medio", "1 ano y 0.5"),
        ("un auto", "un auto"),
        ("medio millon", "500000"),
        ("diez por ciento", "10%"),
        ("300 mil", "300 mil"),
        ("trescientos mil, y", "300000, y"),
        ("cuarenta y", "40 y"),
    ],
)
def test_digitize_number_words_reads_prose(folded: str, expected: str) -> None:
    assert digitize_number_words(folded) == expected


@pytest.mark.parametrize(
    ("folded", "engine", "guardrail"),
    [
        ("un ano", "un ano", "1 ano"),  # an article for the engine, a duration for the guardrail
        ("uno mil", "uno mil", "1000"),
        ("dos, tres", "dos, 3", "2, 3"),  # a word glued to punctuation is no engine token
        ("dos\ttres", "dos\ttres", "5"),  # any whitespace joins a guardrail run
    ],
)
def test_the_two_rewritings_differ_where_documented(
    folded: str, engine: str, guardrail: str
) -> None:
    assert replace_number_words(folded) == engine
    assert digitize_number_words(folded) == guardrail


def test_digit_names_spell_single_digits_only() -> None:
    assert DIGIT_NAMES["tres"] == "3"
    assert "un" not in DIGIT_NAMES
    assert sorted(DIGIT_NAMES.values()) == [str(d) for d in range(10)]


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("cinco cinco uno dos tres cuatro cinco seis siete ocho", "5512345678"),
        ("cincuenta y cinco doce treinta y cuatro cincuenta y seis setenta y ocho", "5512345678"),
        ("ochenta y uno, veinte treinta, cero cinco", "81203005"),
        ("es el treinta", "30"),
        ("quiero un auto", ""),  # "un" is an article, never a digit
        ("tengo tres hijos y dos perros", "3"),  # runs end at any other word
    ],
)
def test_dictated_digits_read_each_word_as_its_own_digits(text: str, digits: str) -> None:
    assert dictated_digits(text) == digits
