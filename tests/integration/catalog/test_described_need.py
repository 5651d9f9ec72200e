"""A body or a use said by description rather than by name (dev76): a van by the word that makes
it a noun, a body by its doors, a sporty car, and fuel economy said by its effect."""

from __future__ import annotations

import pytest

from catalog.selectors import catalog_match_text


@pytest.mark.usefixtures("demo_catalog")
@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("ando buscando una camioneta tipo van pa mi negocio", "minivan"),
        ("quiero una van", "minivan"),
        ("tienen una van?", "minivan"),
        ("cuando van a tener mas autos?", None),
        ("quiero un carro de 4 puertas automatico", "sedan"),
        ("algo de cuatro puertas", "sedan"),
        ("un coche de 2 puertas", "coupe"),
        ("hatch de 5 puertas", "hatchback"),
        ("busco algo tipo deportivo", "coupe"),
        ("una suv deportiva", "suv"),
        # The verbs of raising an amount are ordinary words: "subo" is no SUV.
        ("ok y si le subo a 25%", None),
        ("y si le subes a 300?", None),
    ],
)
def test_a_body_said_by_description(text: str, body: str | None) -> None:
    assert catalog_match_text(text=text).body_type == body


@pytest.mark.usefixtures("demo_catalog")
@pytest.mark.parametrize(
    "text",
    [
        "algo bonito y que no gaste tanta gasolina",
        "que ahorre gasolina",
        "con buen rendimiento",
        "que no consuma mucha gasolina",
    ],
)
def test_fuel_economy_said_by_its_effect_is_the_city_use(text: str) -> None:
    assert "city" in catalog_match_text(text=text).uses
