"""Retrieval: which clause of a customer's message the answer is built from, and its sections.

The whole message and each of its clauses are ranked (``knowledge.ranking``) on the process's
index; the most confident one is answered, and a second question about another article is kept
for the answer (``knowledge.answering``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from django.conf import settings

from knowledge import ranking
from knowledge.index import FRAMED_WORDS, QueryAnalysis, ScoredChunk, Snapshot
from knowledge.lexicon import FOREIGN_NAMES, OTHER_CITIES
from knowledge.ranking import ArticleScore

# Confidence below which the agent does not answer from the knowledge base (setting overrides).
DEFAULT_CONFIDENCE_THRESHOLD = 0.5


def confidence_threshold() -> float:
    return float(getattr(settings, "KNOWLEDGE_CONFIDENCE_THRESHOLD", DEFAULT_CONFIDENCE_THRESHOLD))


def article_sections(articles: list[ArticleScore]) -> list[ScoredChunk]:
    """The matching sections of each article, articles in order of probability.

    An article reached only through its golden questions (no section shares a word with the
    question) is represented by its first section.
    """
    out: list[ScoredChunk] = []
    for article in articles:
        matching = [s for s in article.sections if s.bm25 > 0]
        out.extend(matching or article.sections[:1])
    return out


@dataclass(frozen=True)
class Retrieval:
    """The clause of the message the answer is built from, and another one it also asks about."""

    analysis: QueryAnalysis
    results: list[ScoredChunk]  # sections, best article first (confidence: the article's)
    second: tuple[QueryAnalysis, list[ScoredChunk]] | None
    first_clause: dict[int, int]  # article id → first clause whose best article it is
    articles: tuple[ArticleScore, ...] = ()  # the candidate articles of ``analysis``

    def asked_before(self, article_id: int) -> bool:
        """Was ``article_id`` asked about before the primary answer's article?"""
        if not self.results:
            return False
        mine = self.first_clause.get(self.results[0].chunk.article_id, 99)
        return self.first_clause.get(article_id, 99) < mine


_INTERROGATIVE = re.compile(
    r"\b(?:tienen|hay|puedo|pueden|se puede|cuanto|cuantos|cuantas|como|donde|que|q|k|ke|cual"
    r"|cuales|cuando|aceptan|dan|hacen)\b|\?"
    r"|^(?:y )?(?:ustedes|uds|kavak) (?:tambien |si |no )?[a-z]+(?:an|en)\b"  # "ustedes compran…"
)
# "(quiero saber) si tienen app", "si me financian": an indirect question, not a condition.
_INDIRECT = re.compile(
    r"^si (?:tienen|hay|puedo|pueden|se puede|me (?:dan|pueden|financian|aceptan|reciben|toman"
    r"|compran)|aceptan|dan|hacen|reciben|manejan|financian)\b|\bsaber (?:si|que|q|cuanto|como"
    r"|donde)\b"
)


def _is_question(clause: QueryAnalysis) -> bool:
    """A clause that asks something (a question mark or word, "ustedes compran…"), not context
    ("compré un carro hace dos semanas"); a condition ("si compro…") frames the next question."""
    if _INDIRECT.search(clause.text):
        return True
    if clause.text.startswith("si ") and "?" not in clause.text:
        return False
    return bool(_INTERROGATIVE.search(clause.text))


# Single words of the cities without a branch ("playa del carmen" gives "playa", "carmen").
OTHER_CITY_WORDS = frozenset(w for name in OTHER_CITIES for w in name.split())


def _names_another_subject(whole: QueryAnalysis) -> bool:
    """A short message names a subject no article covers ("tengo mal buró, ¿aun así me
    aprueban?"): a clause without it ("¿aun así me aprueban?") is no question of its own. In a
    longer one the same word is more often context ("mi hija entra a la universidad… ¿tienen
    garantía?"), as for the frame words (``index.FRAMED_WORDS``). A city without a branch is
    left to the branches answer."""
    return len(whole.words) < FRAMED_WORDS and any(
        w in FOREIGN_NAMES and w not in OTHER_CITY_WORDS for w in whole.unknown
    )


# A term found in at least half of the index's sections ("auto", "Kavak") names no topic.
_GENERIC_IDF = math.log(2)
# A clause asking only whether something is there: "¿tienen autos allá?", "¿hay carros?".
_EXISTENCE = re.compile(r"^(?:y |pero |oye |oigan )?(?:ustedes |uds )?(?:si )?(?:tienen|hay)\b")


def _asks_about(snap: Snapshot, candidate: tuple[QueryAnalysis, list[ScoredChunk]]) -> bool:
    """Does the clause ask about its best article? "¿tienen autos allá?" after a city asks only
    whether there are cars there (the branches answer says so): a clause asking whether
    something is there with no topic word (one found in fewer than half of the index's
    sections) is no second question. A clause with topic words asks about an article that
    matches one of them, not one reached through "auto" alone."""
    clause, results = candidate
    topics = {t.term for t in clause.terms if snap.idf(t.term) >= _GENERIC_IDF}
    if not topics:
        return not _EXISTENCE.match(clause.text)
    article_id = results[0].chunk.article_id
    return any(topics.intersection(r.matched) for r in results if r.chunk.article_id == article_id)


def retrieve(snap: Snapshot, question: str) -> Retrieval:
    """Score the whole message and each clause; answer from the most confident one.

    Context around a question ("estoy buscando un carro para mi hija… ¿tienen garantía?") no
    longer drowns it, and a second question about another article is kept for the answer.
    """
    whole, parts = snap.analyze_message(question)
    if not parts:
        ranked = [(whole, ranking.rank(snap, whole))]
    else:
        # One walk of the posting lists for the message; its clauses are ranked among its best.
        # The walk also takes the clauses' words the whole message's first 40 words left out
        # (a long message), so that no clause walks the lists again.
        whole_terms = {t.term for t in whole.terms}
        extra = {t.term: t for part in parts for t in part.terms if t.term not in whole_terms}
        walked = replace(whole, terms=whole.terms + tuple(extra.values())) if extra else whole
        pool = ranking.candidate_pool(snap, walked)
        ranked = [(whole, ranking.rank(snap, whole, pool=pool))]
        ranked += [(part, ranking.rank(snap, part, pool=pool)) for part in parts]
    scored = [(analysis, article_sections(articles)) for analysis, articles in ranked]

    def conf(candidate: tuple[QueryAnalysis, list[ScoredChunk]]) -> float:
        return candidate[1][0].confidence if candidate[1] else -1.0

    threshold = confidence_threshold()
    # The whole message, when it is answered with confidence, holds every word the customer
    # wrote: a clause ("si compro el carro…") is only the answer when the whole is not.
    if conf(scored[0]) >= threshold or _names_another_subject(whole):
        best = 0
    else:
        best = max(range(len(scored)), key=lambda i: (conf(scored[i]), i == 0))
    primary = scored[best]
    second = None
    if primary[1] and conf(primary) >= threshold:
        top_article = primary[1][0].chunk.article_id
        others = [
            c
            for c in scored[1:]
            if conf(c) >= threshold
            and c[1][0].chunk.article_id != top_article
            and _is_question(c[0])
            and _asks_about(snap, c)
        ]
        if others:
            second = max(others, key=conf)
            if best == 0:
                # Two questions: the first is answered from its own clause, so that its kind
                # ("¿cuántas…?" belongs to the other one) and its section are its own.
                own = [
                    i
                    for i, c in enumerate(scored[1:], start=1)
                    if conf(c) >= threshold and c[1][0].chunk.article_id == top_article
                ]
                if own:
                    best = max(own, key=lambda i: conf(scored[i]))
                    primary = scored[best]
    first_clause: dict[int, int] = {}
    for analysis, results in scored[1:]:
        if results:
            first_clause.setdefault(results[0].chunk.article_id, analysis.position)
    return Retrieval(
        analysis=primary[0],
        results=primary[1],
        second=second,
        first_clause=first_clause,
        articles=tuple(ranked[best][1]),
    )
