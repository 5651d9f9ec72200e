"""Reads of the knowledge base: search, grounded answers, the FAQ intent hint and the branches.

The public face of the knowledge app for the rest of the project (``from knowledge.selectors
import …``). The work lives in modules by responsibility, re-exported here:
- ``knowledge.process_index``: the per-process BM25 index, kept in step with the database;
- ``knowledge.retrieval``: which clause of the message is answered, and its sections;
- ``knowledge.answering``: the live answer path (confidence, the part of the article, a second
  question, the fallback);
- ``knowledge.diagnostics``: explanations and evaluation (admin "Probar una pregunta",
  ``evaluate_kb``).
"""

from __future__ import annotations

from knowledge import branches, intent, ranking
from knowledge import text as kb_text
from knowledge.answering import (
    ANSWER_MAX_CHARS,
    FALLBACK_ANSWER,
    AnswerTrace,
    KbAnswer,
    KbHit,
    answer_trace,
)
from knowledge.branches import Branch
from knowledge.chunking import chunk_article
from knowledge.diagnostics import (
    OUT_OF_DOMAIN_FILE,
    EvaluatedQuestion,
    EvaluationReport,
    SearchExplanation,
    evaluate_question,
    golden_questions,
    knowledge_evaluate,
    knowledge_search_explain,
    out_of_domain_questions,
)
from knowledge.index import ScoredChunk
from knowledge.process_index import knowledge_index, knowledge_index_reset
from knowledge.retrieval import (
    DEFAULT_CONFIDENCE_THRESHOLD,
    Retrieval,
    article_sections,
    confidence_threshold,
)

__all__ = [
    "ANSWER_MAX_CHARS",
    "DEFAULT_CONFIDENCE_THRESHOLD",
    "FALLBACK_ANSWER",
    "OUT_OF_DOMAIN_FILE",
    "AnswerTrace",
    "EvaluatedQuestion",
    "EvaluationReport",
    "KbAnswer",
    "KbHit",
    "Retrieval",
    "SearchExplanation",
    "confidence_threshold",
    "evaluate_question",
    "golden_questions",
    "knowledge_answer",
    "knowledge_article_chunks_preview",
    "knowledge_branch_cities",
    "knowledge_branches",
    "knowledge_branches_in_text",
    "knowledge_evaluate",
    "knowledge_golden_passes",
    "knowledge_index",
    "knowledge_index_reset",
    "knowledge_is_question_about_kavak",
    "knowledge_search",
    "knowledge_search_explain",
    "out_of_domain_questions",
]


def _hit(scored: ScoredChunk) -> KbHit:
    chunk = scored.chunk
    return KbHit(
        article_slug=chunk.article_slug,
        article_title=chunk.article_title,
        chunk_id=chunk.chunk_id,
        heading=chunk.heading,
        text=chunk.text,
        score=round(scored.confidence, 4),
    )


def knowledge_search(*, query: str, limit: int = 3) -> list[KbHit]:
    """Chunks of published articles that best answer ``query``, best first.

    Drafts are never indexed. ``score`` is a calibrated confidence in [0, 1], comparable with the
    ``KNOWLEDGE_CONFIDENCE_THRESHOLD`` setting.
    """
    snap = knowledge_index()
    return [_hit(s) for s in article_sections(ranking.rank(snap, snap.analyze(query)))[:limit]]


def knowledge_answer(*, question: str) -> KbAnswer:
    """A short WhatsApp answer with the part of the article asked for, or the fallback.

    The agent answers only from published articles: below the confidence threshold, for
    questions outside Kavak, for catalogue questions (the engine's data answers those) and when
    the article does not state what is asked (a price, a phone number…) it says it does not have
    the information instead of stretching a related section.
    """
    return answer_trace(knowledge_index(), question).answer


def knowledge_golden_passes(*, question: str, article_slug: str) -> bool:
    """Does the article still answer its golden question *with its own text*?

    Golden questions are indexed with their article, so retrieval finds the article for them
    whatever its text says; the check that an edit did not break the answer is that the live
    answer comes from the article and that the sections it quotes share a word with the question
    without the help of the golden questions.
    """
    snap = knowledge_index()
    trace = answer_trace(snap, question)
    hits = [h for h in trace.answer.hits if h.article_slug == article_slug]
    if not trace.answer.confident or not hits or trace.answer.hits[0].article_slug != article_slug:
        return False
    own = " ".join(h.text + (" " + h.heading if h.heading != h.article_title else "") for h in hits)
    own_terms = set(kb_text.terms(own))
    for qt in trace.retrieval.analysis.terms:
        if qt.term in own_terms:
            return True
        # A misspelt golden question ("finansiamiento") is itself in the index: compare the
        # word it stands for.
        corrected = snap.correct(qt.surface)
        if corrected is not None and corrected in own_terms:
            return True
    return False


def knowledge_is_question_about_kavak(*, text: str) -> bool:
    """Cheap hint (no I/O): does the message look like an FAQ about Kavak, not the sales flow?

    "¿tienen garantía?", "¿dónde están?", "quiero vender mi auto", "qué papeles piden" → True;
    "busco un Corolla", "tengo 300 mil", "a 48 meses" → False; catalogue and financing questions
    ("¿tienen autos eléctricos?", "¿puedo pagar de contado?") → False: the engine answers them
    from its catalogue and financing rules. The engine uses it to decide when to pause the
    buying flow and answer from the knowledge base.
    """
    return intent.looks_like_kavak_faq(text)


# The directory parsed from the branches article, with the index token it was parsed from.
_directory: tuple[str, tuple[Branch, ...]] = ("", ())


def knowledge_branches(*, city: str | None = None) -> list[Branch]:
    """Kavak's branches as the published branches article lists them, optionally of one city.

    ``city`` is matched the way customers write it: without accents, abbreviated ("cdmx", "df",
    "edomex", "mty", "gdl", "qro"), by state ("nuevo leon", "jalisco") or with a slip
    ("monterey"). An unknown city gives []. Cached with the index: an edit of the article shows
    up on the next call.
    """
    global _directory
    snap = knowledge_index()
    token, directory = _directory
    if token != snap.token:
        directory = ()
        for chunk_ids in snap.article_chunks.values():
            chunks = [snap.chunks[c] for c in chunk_ids]
            if chunks and chunks[0].article_slug == branches.BRANCHES_SLUG:
                directory = tuple(branches.parse_branches((c.heading, c.text) for c in chunks))
                break
        _directory = (snap.token, directory)
    return branches.filter_by_city(list(directory), city)


def knowledge_branches_in_text(*, text: str) -> list[Branch]:
    """The branches a customer's message points at: the branch it names ("en Nuevo Sur"), else
    those of the city it names ("en monterrey"), else none."""
    directory = knowledge_branches()
    named = branches.branches_named(text, directory)
    if named:
        return named
    cities = branches.cities_named(text, branches.branch_cities(directory))
    return [b for b in directory if cities and b.city == cities[0]]


def knowledge_branch_cities() -> list[str]:
    """The cities with branches, as the branches article names them, in its order."""
    return branches.branch_cities(knowledge_branches())


def knowledge_article_chunks_preview(*, title: str, body: str, tags: str) -> list[tuple[str, str]]:
    """(heading, WhatsApp text) of the chunks an article would be split into (admin preview)."""
    tag_list = [t.strip() for t in tags.split(",") if t.strip()]
    return [(c.heading, c.text) for c in chunk_article(title=title, body=body, tags=tag_list)]
