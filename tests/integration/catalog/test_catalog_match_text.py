"""catalog_match_text: typo-tolerant make/model/need recognition, over the seeded vocabulary."""

from __future__ import annotations

import statistics
import time

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.matching import compact_key
from catalog.models import CarModelReference, CatalogAlias
from catalog.selectors import TextMatch, catalog_match_text, catalog_vocabulary

pytestmark = pytest.mark.usefixtures("demo_catalog")


@pytest.mark.parametrize(
    ("text", "make", "model"),
    [
        ("toyta corola", "Toyota", "Corolla"),
        ("nisan versa", "Nissan", "Versa"),
        ("mazda3", "Mazda", "Mazda 3"),
        ("crv", "Honda", "CR-V"),
        ("CR-V 2017", "Honda", "CR-V"),
        ("volks wagen", "Volkswagen", None),
        ("Quiero un VW", "Volkswagen", None),
        ("algo chevy", "Chevrolet", None),
        ("un Mercedez Benz clase C", "Mercedes Benz", "Clase C"),
        ("mercedes clase a", "Mercedes Benz", "Clase A"),
        ("busco un jeta", "Volkswagen", "Jetta"),
        ("BOCHO", "Volkswagen", "Beetle"),
        ("land rover discovery", "Land Rover", "Discovery Sport"),
        ("una x-trail", "Nissan", "X-Trail"),
        ("bmw serie 3", "BMW", "Serie 3"),
        ("la CX 5 de 2019", "Mazda", "CX-5"),
        ("me gusta la kiks", "Nissan", "Kicks"),
        ("sportaje", "KIA", "Sportage"),
        ("Peugeot 208", "Peugeot", "208"),
        ("TOYÓTA", "Toyota", None),
    ],
)
def test_names_are_found_despite_typos_accents_case_and_spacing(
    text: str, make: str, model: str | None
) -> None:
    match = catalog_match_text(text=text)

    assert (match.make, match.model) == (make, model)
    assert match.suggestion is None


@pytest.mark.parametrize(
    ("text", "make", "model"),
    [
        ("me pasas info del vento?", "Volkswagen", "Vento"),  # "pasas" is no Passat
        ("me pasas", None, None),
        ("wenas tardes", None, None),  # chat spelling of "buenas", no Mercedes-Benz
        ("busco un pasat", "Volkswagen", "Passat"),  # a misspelt name is still found
    ],
)
def test_an_exact_name_wins_and_ordinary_word_forms_are_no_names(
    text: str, make: str | None, model: str | None
) -> None:
    match = catalog_match_text(text=text)

    assert (match.make, match.model) == (make, model)


@pytest.mark.parametrize(
    ("text", "body_type", "uses", "transmission"),
    [
        ("busco una camioneta", "suv", (), None),
        ("algo familiar", None, ("family",), None),
        ("para la ciudad", None, ("city",), None),
        ("para carga", None, ("cargo",), None),
        ("una camioneta para carga", "pickup", ("cargo",), None),
        ("un sedán", "sedan", (), None),
        ("SUV", "suv", (), None),
        ("una pick up", "pickup", (), None),
        ("algo económico", None, ("cheap",), None),
        ("una minivan para la familia, automática", "minivan", ("family",), "automatic"),
        ("estándar de preferencia", None, (), "manual"),
        ("automatco", None, (), "automatic"),
    ],
)
def test_needs_are_found(
    text: str, body_type: str | None, uses: tuple[str, ...], transmission: str | None
) -> None:
    match = catalog_match_text(text=text)

    assert (match.body_type, match.uses, match.transmission) == (body_type, uses, transmission)
    assert (match.make, match.model) == (None, None)


@pytest.mark.parametrize(
    "text",
    [
        "quiero uno barato",
        "vivo cerca del rio",
        "un río cerca",
        "metí un gol",
        "estoy a 1 hora",
        "tengo 208 mil de presupuesto",
        "vivo en durango",
        "que onda",
        "la venta es hoy?",
        "precio fijo?",
        "tiene buen audio?",
        "la última versión",
        "algo de clase media",
        "me llamo Manuel",
    ],
)
def test_ordinary_words_do_not_invent_cars(text: str) -> None:
    match = catalog_match_text(text=text)

    assert (match.make, match.model, match.suggestion) == (None, None, None)


@pytest.mark.parametrize(
    ("text", "make", "model"),
    [
        ("un fiat uno", "Fiat", "Uno"),
        ("kia rio 2019", "KIA", "Rio"),
        ("el Rio de KIA", "KIA", "Rio"),
        ("vw gol", "Volkswagen", "Gol"),
        ("x1", "BMW", "X1"),
        ("un audi a1", "Audi", "A1"),
        ("infiniti q70", "Infiniti", "Q70"),
        ("dodge durango", "Dodge", "Durango"),
    ],
)
def test_short_and_ambiguous_names_match_exactly_or_next_to_their_make(
    text: str, make: str, model: str
) -> None:
    assert (catalog_match_text(text=text).make, catalog_match_text(text=text).model) == (
        make,
        model,
    )


@pytest.mark.parametrize("text", ["kia rioo", "un x11", "fiat unno", "cr-vv"])
def test_short_names_are_never_fuzzy_matched(text: str) -> None:
    assert catalog_match_text(text=text).model is None


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("toyota corrla", "Toyota Corolla"),
        ("escapr", "Ford Escape"),
        ("Durango", "Dodge Durango"),
        ("un 208", "Peugeot 208"),
        ("nissan corolla", "Toyota Corolla"),
    ],
)
def test_near_misses_come_back_as_suggestions_not_guesses(text: str, suggestion: str) -> None:
    match = catalog_match_text(text=text)

    assert match.model is None
    assert match.suggestion == suggestion
    # The engine feeds the confirmed suggestion back in: it must match exactly.
    confirmed = catalog_match_text(text=suggestion)
    assert f"{confirmed.make} {confirmed.model}" == suggestion


def test_make_typed_elsewhere_breaks_a_tie() -> None:
    assert catalog_match_text(text="un kia fort").model == "Forte"


def test_empty_and_punctuation_only_text() -> None:
    assert catalog_match_text(text="") == TextMatch()
    assert catalog_match_text(text="¿¡...!?") == TextMatch()


@pytest.mark.django_db
def test_alias_edits_take_effect_immediately_and_in_other_processes(
    django_capture_on_commit_callbacks: object,
) -> None:
    assert catalog_match_text(text="un tsurito").model is None
    version = cache.get("catalog:vocabulary:version")

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        alias = CatalogAlias(alias="tsurito", make="Nissan", model="Tsuru")
        alias.full_clean()
        alias.save()

    assert catalog_match_text(text="un tsurito").model == "Tsuru"
    # Other processes notice through the version token in the shared cache.
    assert cache.get("catalog:vocabulary:version") not in (None, version)

    alias.delete()
    assert catalog_match_text(text="un tsurito").model is None


@pytest.mark.django_db
def test_reference_rows_are_part_of_the_vocabulary() -> None:
    reference = CarModelReference(make="Foton", model="Tunland", body_type="pickup", seats=5)
    reference.full_clean()
    reference.save()

    assert (catalog_match_text(text="una foton tunland").model) == "Tunland"
    # Out of stock, it counts only when typed as it is: a typo is never guessed into it.
    assert (catalog_match_text(text="una foton tunlan").model) is None


def test_vocabulary_is_cached_between_calls() -> None:
    assert catalog_vocabulary() is catalog_vocabulary()


def test_typical_sentence_takes_well_under_2_ms() -> None:
    sentences = [
        "hola, busco una camioneta familiar automática, algo como una toyta rav4",
        "me interesa el nisan versa 2020 que tienen en 250 mil",
        "quiero algo económico para la ciudad, estándar",
        "tienen crv o mazda3?",
    ]
    for sentence in sentences:  # warm up
        catalog_match_text(text=sentence)
    timings = []
    for _ in range(50):
        for sentence in sentences:
            start = time.perf_counter()
            catalog_match_text(text=sentence)
            timings.append(time.perf_counter() - start)

    assert statistics.median(timings) < 0.002


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=120))
def test_any_text_gives_a_well_formed_answer(text: str) -> None:
    match = catalog_match_text(text=text)
    vocabulary = catalog_vocabulary()

    if match.model is not None:
        assert match.make is not None
        known = vocabulary.models_by_key.get(compact_key(match.model), [])
        assert any(t.make == match.make for t in known)
    assert set(match.uses) <= {"family", "city", "cargo", "cheap"}
    assert match.transmission in (None, "automatic", "manual")


@pytest.mark.parametrize(
    ("text", "transmission", "uses"),
    [
        ("puedo pagar 7 mensuales", None, ()),  # "mensuales" is no "manual"
        ("busco algo chicoss", None, ("family",)),  # "chicos" typed with a doubled s
    ],
)
def test_an_ordinary_plural_is_a_need_word_only_when_its_singular_is_one(
    text: str, transmission: str | None, uses: tuple[str, ...]
) -> None:
    match = catalog_match_text(text=text)

    assert (match.transmission, match.uses) == (transmission, uses)
