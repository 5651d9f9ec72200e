"""The live answer path: routing, confidence, the part of the article, a second question.

``answer_trace`` is what ``knowledge_answer`` returns, with the reasons behind it (admin "Probar
una pregunta", ``evaluate_kb``); what part of an article answers lives in ``knowledge.answers``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge import answers, branches, intent
from knowledge import text as kb_text
from knowledge.index import QueryAnalysis, ScoredChunk, Snapshot
from knowledge.retrieval import Retrieval, confidence_threshold, retrieve

# The reply when the knowledge base has no confident answer: never guess, offer a person.
FALLBACK_ANSWER = (
    "No tengo ese dato confirmado y prefiero no darte información incorrecta. "
    "Si quieres, te comunico con un asesor de Kavak para que te ayude con eso."
)
# WhatsApp shows long messages poorly (and Twilio caps a message at 1,600 characters).
ANSWER_MAX_CHARS = answers.ANSWER_MAX_CHARS
_WHAT_LIST = re.compile(r"^\W*(?:y )?(?:que|q|cuales) (?!es\b|son\b|significa|tan\b|onda)")
# Two answers are sent together only while they fit a comfortable WhatsApp message.
_TWO_ANSWERS_MAX_CHARS = 1200


@dataclass(frozen=True)
class KbHit:
    """A retrieved chunk. ``score`` is the calibrated confidence in [0, 1] that it answers."""

    article_slug: str
    article_title: str
    chunk_id: int
    heading: str
    text: str
    score: float


@dataclass(frozen=True)
class KbAnswer:
    """What the agent can say from the knowledge base (or the safe fallback) and its sources.

    An LLM phraser may later rewrite ``answer`` using only ``hits`` (the chunks it was built from).
    ``reason`` says why it did not answer ("catalogue", "low_confidence", "no_match", or
    "no_<kind>" when the article states no price/phone/hours…); ``part`` what it answered with.
    """

    confident: bool
    confidence: float
    answer: str
    hits: tuple[KbHit, ...]
    reason: str = ""
    part: str = ""
    acknowledged: tuple[str, ...] = ()  # articles of a second question named but not answered


@dataclass(frozen=True)
class AnswerTrace:
    """Why the agent answers what it answers (admin "Probar una pregunta", evaluate_kb)."""

    answer: KbAnswer
    retrieval: Retrieval
    kind: str
    catalogue: bool


def _fallback(confidence: float, reason: str) -> KbAnswer:
    return KbAnswer(
        confident=False,
        confidence=round(confidence, 4),
        answer=FALLBACK_ANSWER,
        hits=(),
        reason=reason,
    )


def answer_trace(snap: Snapshot, question: str) -> AnswerTrace:
    """The live answer path: routing, confidence, the part of the article, a second question."""
    retrieval = retrieve(snap, question)
    results = retrieval.results
    confidence = results[0].confidence if results else 0.0
    kind = answers.question_kind(retrieval.analysis.text or question)
    catalogue = intent.looks_like_catalogue_question(question)
    if catalogue:
        return AnswerTrace(_fallback(confidence, "catalogue"), retrieval, kind, catalogue)
    if not results:
        return AnswerTrace(_fallback(0.0, "no_match"), retrieval, kind, catalogue)
    if confidence < confidence_threshold():
        return AnswerTrace(_fallback(confidence, "low_confidence"), retrieval, kind, catalogue)
    first = _compose(snap, retrieval.analysis, results, question=question)
    if first is None:
        return AnswerTrace(_fallback(confidence, f"no_{kind}"), retrieval, kind, catalogue)
    text, hits, part = first
    acknowledged: tuple[str, ...] = ()
    if retrieval.second is not None:
        second_analysis, second_results = retrieval.second
        second = _compose(snap, second_analysis, second_results, question=second_analysis.text)
        if second is not None:
            s_text, s_hits, _ = second
            if len(text) + len(s_text) > _TWO_ANSWERS_MAX_CHARS:
                text = f"{text}\n\n{answers.second_question_ack(title=s_hits[0].article_title)}"
                acknowledged = (s_hits[0].article_slug,)
            elif retrieval.asked_before(second_results[0].chunk.article_id):
                # The question asked first is answered first.
                text = f"{s_text}\n\n{answers.second_question_text(body=text)}"
                hits = s_hits + hits
            else:
                text = f"{text}\n\n{answers.second_question_text(body=s_text)}"
                hits = hits + s_hits
    answer = KbAnswer(
        confident=True,
        confidence=round(confidence, 4),
        answer=text,
        hits=tuple(hits),
        part=part,
        acknowledged=acknowledged,
    )
    return AnswerTrace(answer, retrieval, kind, catalogue)


def _compose(
    snap: Snapshot, analysis: QueryAnalysis, results: list[ScoredChunk], *, question: str
) -> tuple[str, list[KbHit], str] | None:
    """The answer from the best result's article, or None if the article cannot answer it."""
    top = results[0]
    article_id = top.chunk.article_id
    bm25 = {r.chunk.chunk_id: r.bm25 for r in results if r.chunk.article_id == article_id}
    factors = {t.term: snap.idf(t.term) * t.weight for t in analysis.terms}
    # A section is chosen by the question's words in its *own* heading (twice: it says what the
    # section is about) and text, not the title nor the golden questions attached to it; on a
    # tie the earlier section wins (the introduction states what the article is about). BM25
    # (which counts those) decides only when no section's own words meet the question.
    chunk_ids = snap.article_chunks.get(article_id, (top.chunk.chunk_id,))
    # The customer's own word (its stem before synonyms: "revisan" and the heading "Qué
    # revisamos") counts again, half: it is more specific than the concept it belongs to.
    stems = {kb_text.stem(w): factors.get(kb_text.term_of(w), 0.0) for w in analysis.words}
    # "¿Qué le revisan…?", "¿cuáles…?" ask for the enumeration: a section with a list weighs
    # double.
    wants_list = bool(_WHAT_LIST.match(kb_text.fold(analysis.text or question)))
    own = []
    for cid in chunk_ids:
        heading, text, heading_stems, text_stems = snap.own_terms(cid)
        score = sum(f * (2 * (t in heading) + (t in text)) for t, f in factors.items())
        score += 0.5 * sum(
            f * (2 * (w in heading_stems) + (w in text_stems)) for w, f in stems.items()
        )
        if wants_list and "\n• " in f"\n{snap.chunks[cid].text}":
            score *= 2
        own.append(score)
    sections = [
        answers.Section(
            chunk_id=cid,
            heading=snap.chunks[cid].heading,
            text=snap.chunks[cid].text,
            score=own[i] - 1e-9 * i if any(own) else bm25.get(cid, 0.0) - 1e-9 * i,
        )
        for i, cid in enumerate(chunk_ids)
    ]
    kind = answers.question_kind(analysis.text or question)
    able = [s for s in sections if answers.can_answer(kind, s.text)]
    if not able:
        return None
    best = max(able, key=lambda s: s.score)
    composed = answers.compose(
        question=analysis.text or question,
        kind=kind,
        terms={t.term for t in analysis.terms},
        title=top.chunk.article_title,
        sections=sections,
        best=best,
        is_branches_article=top.chunk.article_slug == branches.BRANCHES_SLUG,
        context=question,
    )
    if composed is None:
        return None
    hits = [
        KbHit(
            article_slug=top.chunk.article_slug,
            article_title=top.chunk.article_title,
            chunk_id=cid,
            heading=snap.chunks[cid].heading,
            text=snap.chunks[cid].text,
            score=round(top.confidence, 4),
        )
        for cid in composed.chunk_ids
    ]
    return composed.text, hits, composed.part
