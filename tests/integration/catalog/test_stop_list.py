"""Fuzzy matching with discipline (issue 15): ordinary Spanish, places and "Kavak" are not cars.

The word lists here are independent of the matcher's own stop-list: wordfreq's 5,000 most
frequent Spanish words and a list of Mexican states and big cities written for this test. A word
alone may only ever come back as the car it *is* (a model named like a place, typed exactly:
"Durango"), never as another car by similarity.
"""

from __future__ import annotations

import pytest
from wordfreq import top_n_list

from catalog.selectors import catalog_vocabulary
from spanish import alnum_words, compact_key

pytestmark = pytest.mark.usefixtures("demo_catalog")

STATES = """
Aguascalientes; Baja California; Baja California Sur; Campeche; Chiapas; Chihuahua; Coahuila;
Colima; Ciudad de México; Durango; Estado de México; Guanajuato; Guerrero; Hidalgo; Jalisco;
Michoacán; Morelos; Nayarit; Nuevo León; Oaxaca; Puebla; Querétaro; Quintana Roo;
San Luis Potosí; Sinaloa; Sonora; Tabasco; Tamaulipas; Tlaxcala; Veracruz; Yucatán; Zacatecas
"""
CITIES = """
CDMX; Monterrey; Guadalajara; Puebla; Tijuana; León; Ciudad Juárez; Zapopan; Mérida; Cancún;
Querétaro; San Luis Potosí; Aguascalientes; Hermosillo; Saltillo; Mexicali; Culiacán;
Chihuahua; Morelia; Toluca; Torreón; Acapulco; Tlaquepaque; Ecatepec; Naucalpan; Tlalnepantla;
Cuernavaca; Veracruz; Xalapa; Villahermosa; Tuxtla Gutiérrez; Oaxaca; Pachuca; Tepic; Mazatlán;
Reynosa; Matamoros; Nuevo Laredo; Tampico; Ensenada; Celaya; Irapuato; Durango; Los Mochis;
Ciudad Obregón; Campeche; Chetumal; Colima; Zacatecas; Tlaxcala; La Paz; Los Cabos;
Puerto Vallarta; Playa del Carmen; Santa Fe; Polanco; Coyoacán; Satélite; San Pedro Garza García
"""


def _places() -> list[str]:
    return [p.strip() for p in (STATES + ";" + CITIES).replace("\n", " ").split(";") if p.strip()]


def _named_as_itself(word: str, match: object) -> bool:
    """The only car a lone word may bring back is the one whose name (or alias) it is."""
    vocabulary = catalog_vocabulary()
    key = compact_key(word)
    own = {(t.make, t.value) for t in vocabulary.exact.get(key, ()) if t.kind in ("make", "model")}
    found = {(getattr(match, "make", None), getattr(match, "model", None))}
    suggestion = getattr(match, "suggestion", None)
    if suggestion:
        found = {tuple(suggestion.split(" ", 1))}  # type: ignore[arg-type]
    found = {(mk, md) for mk, md in found if mk or md}
    if not found:
        return True
    return all((mk, md) in own or (md is None and (mk, mk) in own) for mk, md in found) or any(
        t.kind == "make" and t.make == mk for mk, _ in found for t in vocabulary.exact.get(key, ())
    )


def test_no_frequent_spanish_word_is_read_as_a_car() -> None:
    vocabulary = catalog_vocabulary()
    words = [w for w in top_n_list("es", 5000) if alnum_words(w)]
    assert len(words) > 4900
    wrong = [
        (word, match)
        for word in words
        if not _named_as_itself(word, match := vocabulary.match(word))
    ]
    assert wrong == []


@pytest.mark.parametrize("place", _places())
def test_no_state_or_big_city_is_read_as_another_car(place: str) -> None:
    match = catalog_vocabulary().match(place)
    assert _named_as_itself(place, match), match
    # In a sentence, a place is never a car at all: only its make makes it one ("Dodge Durango").
    in_sentence = catalog_vocabulary().match(f"vivo en {place} y busco auto")
    assert (in_sentence.make, in_sentence.model, in_sentence.suggestion) == (None, None, None)


@pytest.mark.parametrize("text", ["kavak", "Kavak", "KAVAK", "kavak es confiable?", "cavak"])
def test_the_company_name_is_not_a_car(text: str) -> None:
    match = catalog_vocabulary().match(text)
    assert (match.make, match.model, match.suggestion) == (None, None, None)


def test_a_model_named_like_a_place_still_matches_next_to_its_make() -> None:
    match = catalog_vocabulary().match("una dodge durango 2021")
    assert (match.make, match.model) == ("Dodge", "Durango")


# Mexican chat slang the frequency list does not hold: "la neta" had been read as a Jetta.
SLANG = "neta chido chida chingon cuate carnal morra chamba jale simon nel orale andale chale nomas"


@pytest.mark.parametrize("word", SLANG.split())
def test_chat_slang_is_not_read_as_a_car(word: str) -> None:
    vocabulary = catalog_vocabulary()
    for text in (word, f"la {word} no tengo pal enganche"):
        match = vocabulary.match(text)
        assert _named_as_itself(word, match), (text, match)
