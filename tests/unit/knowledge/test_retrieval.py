"""Which clauses of a message are questions of their own (pure Python, a small index)."""

from __future__ import annotations

from knowledge import ranking, retrieval
from knowledge import text as kb_text
from knowledge.index import ChunkRow, Snapshot


def _snapshot(*articles: tuple[str, str]) -> Snapshot:
    rows = []
    for i, (slug, words) in enumerate(articles, start=1):
        terms: dict[str, int] = {}
        for w in words.split():
            terms[kb_text.term_of(w)] = terms.get(kb_text.term_of(w), 0) + 1
        rows.append(ChunkRow(i, i, slug, slug, "H", words, terms, words, len(words.split())))
    return Snapshot.build(token="r", article_tokens={}, rows=rows)


SNAP = _snapshot(
    ("sucursales", "sucursal queretaro monterrey auto"),
    ("auto-a-cuenta", "auto cuenta enganche auto"),
    ("garantia", "garantia meses auto"),
    ("app", "app tramites"),
)


def _clause(text: str) -> tuple:
    _, parts = SNAP.analyze_message(text)
    clause = parts[-1]
    return clause, retrieval.article_sections(ranking.rank(SNAP, clause))


def test_asking_whether_there_are_cars_is_no_second_question_when_no_topic_word() -> None:
    # "¿tienen autos allá?" after a city: "auto" is in most sections and names no topic.
    assert not retrieval._asks_about(SNAP, _clause("soy de queretaro, tienen autos alla?"))
    assert not retrieval._asks_about(SNAP, _clause("estoy en monterrey, hay carros alla?"))


def test_a_clause_with_a_topic_word_asks_about_the_article_matching_it() -> None:
    assert retrieval._asks_about(SNAP, _clause("soy de queretaro, tienen garantia?"))
    # Without a question of existence a generic clause still asks ("aceptan mi carro…").
    assert retrieval._asks_about(SNAP, _clause("cuanto es el enganche, aceptan mi carro?"))
