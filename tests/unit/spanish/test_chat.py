"""Chat spellings read as their words (``spanish.chat``), folded once by ``fold_message``."""

from __future__ import annotations

import pytest

from spanish import fold_message
from spanish.chat import CHAT_SPELLINGS, chat_words


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("Kiero un carro", "quiero un carro"),
        ("lo q sea", "lo que sea"),
        ("tengo 50 pal enganche", "tengo 50 para el enganche"),
        ("ta bien, x mes cuanto?", "esta bien, por mes cuanto?"),
        ("k onda", "que onda"),
        ("nesesito uno pa mi esposa", "necesito uno para mi esposa"),
    ],
)
def test_chat_spellings_read_as_their_words(typed: str, read: str) -> None:
    assert fold_message(typed) == read


@pytest.mark.parametrize("typed", ["250 k de enganche", "4 x 4", "una q5", "el x1", "$300 k"])
def test_letters_next_to_numbers_are_left_alone(typed: str) -> None:
    assert chat_words(typed) == typed


def test_no_word_of_the_table_reads_as_another_key() -> None:
    targets = {w for v in CHAT_SPELLINGS.values() for w in v.split()}
    assert not targets & set(CHAT_SPELLINGS)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("dos cientos ochenta mil", "doscientos ochenta mil"),
        ("cinco cientas", "quinientas"),
        ("siete cientos", "setecientos"),
        ("docientos mil", "doscientos mil"),
    ],
)
def test_hundreds_typed_apart_or_misspelt_are_one_word(typed: str, read: str) -> None:
    assert fold_message(typed) == read


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("cual es el mas nuebo", "cual es el mas nuevo"),
        ("a 48 meces", "a 48 meses"),
        ("quisiera informasion", "quisiera informacion"),
        ("ok entonses", "ok entonces"),
        ("esta serca", "esta cerca"),
        ("cuanto de engache", "cuanto de enganche"),
        ("ola bnas tardes", "hola buenas tardes"),
        # A car name is no frequent word: left for the matcher ("bento" is read as Vento there).
        ("busco un bento", "busco un bento"),
        # A hard c sounds as k: "casa" is never "sasa"; short words and names stay.
        ("mi casa", "mi casa"),
        ("me llamo selene baca", "me llamo selene baca"),
    ],
)
def test_a_word_spelt_by_its_sound_is_read_as_the_frequent_word(typed: str, read: str) -> None:
    assert chat_words(typed) == read
