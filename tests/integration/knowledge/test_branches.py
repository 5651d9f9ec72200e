"""The branch directory (knowledge_branches) and answers about branches, cities and hours."""

from __future__ import annotations

import pytest

from knowledge import branches, services
from knowledge.branches import Branch
from knowledge.models import Article
from knowledge.selectors import knowledge_answer, knowledge_branch_cities, knowledge_branches


def test_parse_reads_city_sections_bullets_and_hours() -> None:
    parsed = branches.parse_branches(
        [
            (
                "Sucursales en Toluca",
                "• Centro: Calle 1, C.P. 50000.\n• Norte: Av. 2. Abre de 9:00 a 17:00.",
            ),
            ("Horarios", "Pregunta a un asesor."),
            ("Sucursal en León", "• Plaza Mayor: Blvd. López Mateos 2611."),
        ]
    )
    assert parsed == [
        Branch(name="Centro", city="Toluca", address="Calle 1, C.P. 50000.", hours=None),
        Branch(name="Norte", city="Toluca", address="Av. 2.", hours="de 9:00 a 17:00"),
        Branch(name="Plaza Mayor", city="León", address="Blvd. López Mateos 2611.", hours=None),
    ]


@pytest.mark.parametrize(
    ("city", "expected"),
    [
        ("cdmx", "Ciudad de México y Estado de México"),
        ("df", "Ciudad de México y Estado de México"),
        ("Ciudad de Mexico", "Ciudad de México y Estado de México"),
        ("edomex", "Ciudad de México y Estado de México"),
        ("mty", "Monterrey"),
        ("monterey", "Monterrey"),
        ("nuevo leon", "Monterrey"),
        ("gdl", "Guadalajara"),
        ("PUEBLA", "Puebla"),
        ("qro", "Querétaro"),
        ("queretero", "Querétaro"),
        ("cuernavaca", "Cuernavaca"),
    ],
)
def test_knowledge_branches_matches_city_variants(
    demo_kb: list[str], city: str, expected: str
) -> None:
    found = knowledge_branches(city=city)
    assert found
    assert {b.city for b in found} == {expected}


def test_knowledge_branches_lists_all_and_unknown_cities_get_none(demo_kb: list[str]) -> None:
    everything = knowledge_branches()
    assert len(everything) == 15
    assert all(isinstance(b, Branch) and b.address.endswith(".") for b in everything)
    assert knowledge_branches(city="tijuana") == []
    assert knowledge_branch_cities() == [
        "Ciudad de México y Estado de México",
        "Monterrey",
        "Guadalajara",
        "Puebla",
        "Querétaro",
        "Cuernavaca",
    ]
    explanada = next(b for b in everything if b.name == "Kavak Explanada")
    assert explanada.hours == "de lunes a domingo, de 9:00 a 18:00"
    assert "Abre" not in explanada.address


def test_knowledge_branches_follows_edits_of_the_article(demo_kb: list[str]) -> None:
    assert knowledge_branches(city="toluca") == []
    article = Article.objects.get(slug="sucursales")
    services.knowledge_article_update(
        article=article,
        editor=None,
        body=article.body + "\n## Sucursales en Toluca\n\n- Kavak Metepec: Av. Tecnológico 1.\n",
    )
    assert [b.name for b in knowledge_branches(city="Toluca")] == ["Kavak Metepec"]
    services.knowledge_article_update(article=article, editor=None, status="draft")
    assert knowledge_branches() == []


def test_where_are_you_lists_cities_not_an_empty_introduction(demo_kb: list[str]) -> None:
    answer = knowledge_answer(question="¿dónde están sus sucursales?")
    assert answer.confident
    assert "agrupadas por ciudad" not in answer.answer
    for city in ("Monterrey", "Guadalajara", "Puebla", "Querétaro", "Cuernavaca"):
        assert city in answer.answer
    assert "¿De qué ciudad" in answer.answer
    assert len(answer.answer) <= 900


@pytest.mark.parametrize(
    ("question", "present", "absent"),
    [
        ("tienen algo en mty?", ["Río Missouri", "Revolución 2703"], ["Vasco de Quiroga"]),
        ("sucursal en guadalajara?", ["López Mateos"], ["Fortuna", "Río Missouri"]),
        ("hay kavak en qro", ["Constituyentes 40"], ["Allende"]),
        ("a que hora abren en explanada", ["9:00 a 18:00", "Ignacio Allende"], ["Las Torres"]),
        ("cuantas sucursales tienen", ["15 sedes"], ["Vasco de Quiroga"]),
    ],
)
def test_branch_answers_give_the_part_asked_for(
    demo_kb: list[str], question: str, present: list[str], absent: list[str]
) -> None:
    answer = knowledge_answer(question=question)
    assert answer.confident, answer
    for fact in present:
        assert fact in answer.answer, answer.answer
    for fact in absent:
        assert fact not in answer.answer, answer.answer
