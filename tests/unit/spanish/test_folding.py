"""Accent folding and lookup keys (``spanish.folding``): what each variant does, and where the
variants differ on purpose (each caller keeps the one its data was built with)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spanish import alnum_words, compact_key, fold, fold_in_place, fold_message, strip_accents


def test_strip_accents_keeps_case_and_drops_marks() -> None:
    assert strip_accents("Ñandú Pingüino ÁRBOL") == "Nandu Pinguino ARBOL"


def test_strip_accents_applies_compatibility_forms() -> None:
    assert strip_accents("ﬁnanciamiento²") == "financiamiento2"


def test_fold_lowers_and_strips_accents_but_keeps_punctuation_and_spaces() -> None:
    assert fold("¿Garantía?  ÑANDÚ") == "¿garantia?  nandu"


def test_fold_keeps_sharp_s_unless_casefold_is_asked() -> None:
    assert fold("Straße") == "straße"
    assert fold("Straße", casefold=True) == "strasse"
    assert fold("¿Garantía? ÑANDÚ", casefold=True) == "¿garantia? nandu"


def test_fold_message_collapses_spaces_and_stretched_letters_when_customers_type_them() -> None:
    assert fold_message("  Siiiii,\t\tquieroooo  el VERSA  ") == "si, quiero el versa"


def test_fold_message_keeps_letters_typed_twice() -> None:
    assert fold_message("Llanta Jetta 2008") == "llanta jetta 2008"


def test_fold_message_keeps_repeated_digits() -> None:
    assert fold_message("$3000000") == "$3000000"


def test_fold_in_place_keeps_every_position() -> None:
    text = "¡Excelente SERVICIO, gracias Ñoño!"
    folded = fold_in_place(text)
    assert folded == "¡excelente servicio, gracias nono!"
    assert len(folded) == len(text)


def test_fold_in_place_keeps_a_letter_whose_lower_case_is_longer() -> None:
    assert fold_in_place("İ5") == "İ5"


def test_fold_in_place_keeps_first_letter_of_a_compatibility_form() -> None:
    assert fold_in_place("ﬁn") == "fn"


def test_alnum_words_turns_punctuation_runs_into_one_space() -> None:
    assert alnum_words("  ¿Un CR-V   o un Mazda3?! ") == "un cr v o un mazda3"


def test_alnum_words_drops_letters_outside_a_to_z() -> None:
    assert alnum_words("Škoda_Øresund") == "skoda resund"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("CR-V", "crv"),
        ("cr v", "crv"),
        ("Mercedes-Benz", "mercedesbenz"),
        ("Clase Ñ 200", "clasen200"),
    ],
)
def test_compact_key_keeps_letters_and_digits_only(name: str, key: str) -> None:
    assert compact_key(name) == key


@given(st.text(max_size=40))
def test_compact_key_is_alnum_words_without_spaces(text: str) -> None:
    assert compact_key(text) == alnum_words(text).replace(" ", "")


@given(st.text(max_size=40))
def test_fold_in_place_is_as_long_as_its_input(text: str) -> None:
    assert len(fold_in_place(text)) == len(text)


@given(st.text(max_size=40))
def test_keys_are_idempotent(text: str) -> None:
    assert fold_message(fold_message(text)) == fold_message(text)
    assert compact_key(compact_key(text)) == compact_key(text)
    assert alnum_words(alnum_words(text)) == alnum_words(text)


def test_compact_key_of_folded_text_does_not_fold_again() -> None:
    # "™" decomposes to "TM", lowered by fold_message (idempotent): both paths give one key.
    assert compact_key(fold_message("Kia™ Río")) == "kiatmrio"
    assert compact_key(fold_message("Kia™ Río"), folded=True) == "kiatmrio"
    assert fold_message(fold_message("𝚨™")) == fold_message("𝚨™") == "αtm"
    assert compact_key("siiii cx-5", folded=True) == "siiiicx5"


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 -", max_size=40))
def test_compact_key_of_folded_ascii_is_the_same_either_way(text: str) -> None:
    assert compact_key(text, folded=True) == compact_key(text)
