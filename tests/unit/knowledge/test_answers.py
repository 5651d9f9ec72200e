"""What part of the branches article answers a question (``knowledge.answers``). Pure."""

from __future__ import annotations

from knowledge import answers
from knowledge import text as kb_text

SECTIONS = (
    answers.Section(1, "Sucursales y centros de inspección", "Kavak cuenta con 3 sedes.", 0.0),
    answers.Section(2, "Sucursales en Monterrey", "- Punto Valle: Río Missouri 555.", 0.0),
    answers.Section(3, "Sucursales en Puebla", "- Explanada: Calle Allende 512.", 0.0),
)


def _branches_answer(question: str, *, context: str = "") -> str:
    composed = answers.compose(
        question=question,
        kind=answers.question_kind(question),
        terms=set(kb_text.terms(question)),
        title="Sucursales",
        sections=SECTIONS,
        best=SECTIONS[0],
        is_branches_article=True,
        context=context,
    )
    assert composed is not None
    return composed.text


def test_a_city_without_a_branch_gets_no_and_the_cities_that_have_one() -> None:
    # Round 8 (issue 16): "¿tienen sucursal en Mérida?" was declined.
    text = _branches_answer("tienen sucursal en merida?")
    assert text.startswith("Por ahora no tenemos sucursal en Mérida.")
    assert "• Monterrey (1)" in text
    assert "• Puebla (1)" in text
    assert "Río Missouri" not in text


def test_a_place_with_a_branch_is_no_city_without_one() -> None:
    # "Nuevo León" is Monterrey, not León (Guanajuato).
    assert "Punto Valle" in _branches_answer("tienen algo en nuevo leon")


def test_a_clause_without_a_place_reads_the_place_of_its_message() -> None:
    message = "me mude a puebla hace poco, tienen sucursal por aca?"
    assert "Explanada" in _branches_answer("tienen sucursal por aca ?", context=message)
    text = _branches_answer("tienen alguna sucursal ?", context="estoy en cancun, tienen alguna?")
    assert "no tenemos sucursal en Cancún" in text


def test_a_presence_question_about_a_city_without_a_branch_reads_as_a_branch_question() -> None:
    assert "sucursal" in kb_text.words("hay kavak en cancun")
    assert "cancun" not in kb_text.words("hay kavak en cancun")
    # Any other question about the city is about something else.
    assert "merida" in kb_text.words("como esta el clima en merida")


def test_many_cars_asked_is_a_figure_question() -> None:
    # Round 9: "¿tienen muchos autos para escoger?" got the advisors' section, not "miles".
    assert answers.question_kind("tienen muchos autos para escoger?") is answers.Kind.FIGURE
    assert answers.question_kind("hay muchas opciones de carros?") is answers.Kind.FIGURE


def test_who_does_it_gets_the_section_naming_the_people() -> None:
    # Round 9: "¿quién inspecciona los autos?" got the list of what is checked.
    sections = (
        answers.Section(
            1, "Certificación", "Cada auto pasa por una inspección de especialistas.", 1.0
        ),
        answers.Section(2, "Qué revisamos", "- El motor.\n- El interior.", 2.0),
    )
    question = "kien inspecciona los coches?"
    assert answers.question_kind(question) is answers.Kind.WHO
    assert answers.question_kind("quienes son ustedes") is answers.Kind.OTHER
    composed = answers.compose(
        question=question,
        kind=answers.question_kind(question),
        terms=set(kb_text.terms(question)),
        title="Certificación",
        sections=sections,
        best=sections[1],
        is_branches_article=False,
    )
    assert composed is not None
    assert "especialistas" in composed.text
