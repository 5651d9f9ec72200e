"""Phonetic keys (``spanish.phonetic``): the word key of the knowledge base and the name key of
the catalogue, and the spellings only the name key merges."""

from __future__ import annotations

import pytest

from spanish import phonetic_key, phonetic_name_key


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("bendo", "vendo"),
        ("sertificado", "certificado"),
        ("kabak", "kavak"),
        ("yanta", "llanta"),
        ("aser", "hacer"),
        ("kiero", "quiero"),
        ("cazo", "caso"),
    ],
)
def test_phonetic_key_merges_common_spelling_slips(typo: str, word: str) -> None:
    assert phonetic_key(typo) == phonetic_key(word)


@pytest.mark.parametrize(
    ("typo", "name"),
    [
        ("bolkswagen", "volkswagen"),
        ("jeta", "jetta"),
        ("peujeot", "peugeot"),
        ("chebrolet", "chevrolet"),
        ("nisan", "nissan"),
        ("kia", "quia"),
        ("hiundai", "hyundai"),
    ],
)
def test_phonetic_name_key_merges_how_names_are_misspelt(typo: str, name: str) -> None:
    assert phonetic_name_key(typo) == phonetic_name_key(name)


@pytest.mark.parametrize(
    ("left", "right"),
    [("ver", "wer"), ("gente", "jente"), ("ai", "ay"), ("filo", "philo")],
)
def test_only_the_name_key_merges_foreign_spellings(left: str, right: str) -> None:
    assert phonetic_name_key(left) == phonetic_name_key(right)
    assert phonetic_key(left) != phonetic_key(right)


@pytest.mark.parametrize("key_of", [phonetic_key, phonetic_name_key])
@pytest.mark.parametrize(
    ("left", "right"), [("chica", "kika"), ("trax", "trach"), ("sedan", "seda")]
)
def test_neither_key_merges_different_sounds(key_of: object, left: str, right: str) -> None:
    assert callable(key_of)
    assert key_of(left) != key_of(right)


def test_ch_keeps_its_sound_in_both_keys() -> None:
    assert phonetic_key("chocolate") == "chokolate"
    assert phonetic_name_key("chevrolet") == "Cebrolet"
