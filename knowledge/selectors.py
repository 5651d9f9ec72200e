"""Reads of the knowledge base: retrieval, grounded answers, the FAQ intent hint and evaluation.

Retrieval runs on an in-process BM25 index (``knowledge.index``) built from the chunks stored in
the database. Every search first reads one token from ``IndexState`` (a primary-key lookup); when
it differs from the token of the process's index, the index is patched from the database: only the
articles whose own ``index_token`` changed are reloaded. So every process (gunicorn workers, Celery)
sees an edit on its next search, and a rolled-back edit can never leave a stale index behind.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import yaml
from django.conf import settings
from django.db import connection

from knowledge import answers, branches, intent, ranking
from knowledge import text as kb_text
from knowledge.branches import Branch
from knowledge.chunking import chunk_article
from knowledge.index import ChunkRow, QueryAnalysis, ScoredChunk, Snapshot
from knowledge.models import Article, Chunk, GoldenQuestion, IndexState
from knowledge.ranking import ArticleScore

# Confidence below which the agent does not answer from the knowledge base (setting overrides).
DEFAULT_CONFIDENCE_THRESHOLD = 0.5
# The reply when the knowledge base has no confident answer: never guess, offer a person.
FALLBACK_ANSWER = (
    "No tengo ese dato confirmado y prefiero no darte información incorrecta. "
    "Si quieres, te comunico con un asesor de Kavak para que te ayude con eso."
)
# WhatsApp shows long messages poorly (and Twilio caps a message at 1,600 characters).
ANSWER_MAX_CHARS = answers.ANSWER_MAX_CHARS
OUT_OF_DOMAIN_FILE = Path(__file__).resolve().parent / "data" / "out_of_domain.yaml"


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


def confidence_threshold() -> float:
    return float(getattr(settings, "KNOWLEDGE_CONFIDENCE_THRESHOLD", DEFAULT_CONFIDENCE_THRESHOLD))


# --- The per-process index ------------------------------------------------------------------------

_UNLOADED = "<unloaded>"
_lock = threading.Lock()
_snapshot: Snapshot = Snapshot.empty(token=_UNLOADED)
# Patching is cheaper than a full build until a large share of the articles changed.
_FULL_REBUILD_SHARE = 0.25
_TOKEN_SQL = f"SELECT token FROM {IndexState._meta.db_table} WHERE id = 1"  # noqa: S608  # nosec B608 - constant


def _current_token() -> str:
    # Raw SQL: this runs before every search, and the ORM's query building cost more than the
    # primary-key lookup itself (≈0.45 ms vs ≈0.1 ms measured).
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN_SQL)
        row = cursor.fetchone()
    return row[0] if row else ""


def _load_rows(*, article_ids: list[int] | None) -> list[ChunkRow]:
    chunks = Chunk.objects.filter(article__status=Article.Status.PUBLISHED)
    if article_ids is not None:
        chunks = chunks.filter(article_id__in=article_ids)
    fields = ("id", "article_id", "article__slug", "article__title", "heading", "text")
    return [
        ChunkRow(*row)
        for row in chunks.values_list(
            *fields, "terms", "words", "length", "article__tags"
        ).iterator(chunk_size=2000)
    ]


def _load_questions(*, article_ids: list[int] | None) -> dict[int, list[str]]:
    """Golden questions of published articles (the golden-question model's training set)."""
    golden = GoldenQuestion.objects.filter(article__status=Article.Status.PUBLISHED)
    if article_ids is not None:
        golden = golden.filter(article_id__in=article_ids)
    questions: dict[int, list[str]] = {}
    for article_id, question in golden.order_by("id").values_list("article_id", "question"):
        questions.setdefault(article_id, []).append(question)
    return questions


def _sync(snap: Snapshot, token: str) -> Snapshot:
    # Read the article tokens before the chunks: the chunks can only be newer, and a newer token
    # makes the next search look again, so the index converges.
    published = dict(
        Article.objects.filter(status=Article.Status.PUBLISHED)
        .exclude(index_token="")
        .values_list("id", "index_token")
    )
    changed = [aid for aid, tok in published.items() if snap.article_tokens.get(aid) != tok]
    removed = [aid for aid in snap.article_tokens if aid not in published]
    if snap.token == _UNLOADED or len(changed) + len(removed) > max(
        10, _FULL_REBUILD_SHARE * len(published)
    ):
        return Snapshot.build(
            token=token,
            article_tokens=published,
            rows=_load_rows(article_ids=None),
            questions=_load_questions(article_ids=None),
        )
    return snap.patched(
        token=token,
        article_tokens=published,
        rows=_load_rows(article_ids=changed) if changed else [],
        stale_article_ids=changed + removed,
        questions=_load_questions(article_ids=changed) if changed else {},
    )


def knowledge_index() -> Snapshot:
    """The process's index, brought up to date with the database if its token changed."""
    global _snapshot
    token = _current_token()
    snap = _snapshot
    if snap.token == token:
        return snap
    with _lock:
        if _snapshot.token != token:
            _snapshot = _sync(_snapshot, token)
        return _snapshot


def knowledge_index_reset() -> None:
    """Forget the process's index (the next search rebuilds it in full). For benchmarks/tests."""
    global _snapshot
    with _lock:
        _snapshot = Snapshot.empty(token=_UNLOADED)


# --- Search and answers ---------------------------------------------------------------------------


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
    return [_hit(s) for s in _sections(ranking.rank(snap, snap.analyze(query)))[:limit]]


def _sections(articles: list[ArticleScore]) -> list[ScoredChunk]:
    """The matching sections of each article, articles in order of probability.

    An article reached only through its golden questions (no section shares a word with the
    question) is represented by its first section.
    """
    out: list[ScoredChunk] = []
    for article in articles:
        matching = [s for s in article.sections if s.bm25 > 0]
        out.extend(matching or article.sections[:1])
    return out


def knowledge_answer(*, question: str) -> KbAnswer:
    """A short WhatsApp answer with the part of the article asked for, or the fallback.

    The agent answers only from published articles: below the confidence threshold, for
    questions outside Kavak, for catalogue questions (the engine's data answers those) and when
    the article does not state what is asked (a price, a phone number…) it says it does not have
    the information instead of stretching a related section.
    """
    return _answer(knowledge_index(), question).answer


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


_WHAT_LIST = re.compile(r"^\W*(?:y )?(?:que|q|cuales) (?!es\b|son\b|significa|tan\b|onda)")
# Two answers are sent together only while they fit a comfortable WhatsApp message.
_TWO_ANSWERS_MAX_CHARS = 1200


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


def _retrieve(snap: Snapshot, question: str) -> Retrieval:
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
    scored = [(analysis, _sections(articles)) for analysis, articles in ranked]

    def conf(candidate: tuple[QueryAnalysis, list[ScoredChunk]]) -> float:
        return candidate[1][0].confidence if candidate[1] else -1.0

    threshold = confidence_threshold()
    # The whole message, when it is answered with confidence, holds every word the customer
    # wrote: a clause ("si compro el carro…") is only the answer when the whole is not.
    if conf(scored[0]) >= threshold:
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


def _answer(snap: Snapshot, question: str) -> AnswerTrace:
    """The live answer path: routing, confidence, the part of the article, a second question."""
    retrieval = _retrieve(snap, question)
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


def knowledge_golden_passes(*, question: str, article_slug: str) -> bool:
    """Does the article still answer its golden question *with its own text*?

    Golden questions are indexed with their article, so retrieval finds the article for them
    whatever its text says; the check that an edit did not break the answer is that the live
    answer comes from the article and that the sections it quotes share a word with the question
    without the help of the golden questions.
    """
    snap = knowledge_index()
    trace = _answer(snap, question)
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


# --- Explanations and evaluation (admin "probar una pregunta", evaluate_kb) ----------------------


@dataclass(frozen=True)
class SearchExplanation:
    question: str
    analysis: QueryAnalysis  # of the clause the answer was built from
    results: tuple[ScoredChunk, ...]
    answer: KbAnswer  # exactly what knowledge_answer returns for this question
    threshold: float
    articles: int
    chunks: int
    kind: str  # what the question asks for (price, hours, figure, steps…)
    catalogue: bool  # a catalogue/financing question, left to the engine
    clause: str  # the part of the message answered ("" = the whole message)
    second_clause: str  # another question in the message answered (or acknowledged)
    candidates: tuple[ArticleScore, ...] = ()  # the ranker's articles, with their features


def knowledge_search_explain(*, question: str, limit: int = 5) -> SearchExplanation:
    """Everything staff need to see why the agent answers what it answers: the live path."""
    snap = knowledge_index()
    trace = _answer(snap, question)
    retrieval = trace.retrieval
    return SearchExplanation(
        question=question,
        analysis=retrieval.analysis,
        results=tuple(retrieval.results[:limit]),
        answer=trace.answer,
        threshold=confidence_threshold(),
        articles=len(snap.article_chunks),
        chunks=len(snap.chunks),
        kind=trace.kind,
        catalogue=trace.catalogue,
        clause=retrieval.analysis.text,
        second_clause=retrieval.second[0].text if retrieval.second else "",
        candidates=retrieval.articles[:limit],
    )


@dataclass(frozen=True)
class EvaluatedQuestion:
    question: str
    expected_slug: str  # "" for out-of-domain questions
    ranking: tuple[str, ...]  # distinct article slugs, best first
    confidence: float
    confident: bool

    @property
    def rank(self) -> int | None:
        if self.expected_slug in self.ranking:
            return self.ranking.index(self.expected_slug) + 1
        return None

    @property
    def top_slug(self) -> str:
        return self.ranking[0] if self.ranking else ""

    @property
    def passed(self) -> bool:
        """In-domain: confidently answered from the right article. Out-of-domain: fell back."""
        if not self.expected_slug:
            return not self.confident
        return self.confident and self.rank == 1


@dataclass(frozen=True)
class EvaluationReport:
    golden: tuple[EvaluatedQuestion, ...]
    out_of_domain: tuple[EvaluatedQuestion, ...]
    threshold: float

    @property
    def hit_at_1(self) -> float:
        return _ratio(sum(q.rank == 1 for q in self.golden), len(self.golden))

    @property
    def mrr(self) -> float:
        ranks = [q.rank for q in self.golden]
        return _ratio(sum(1 / r for r in ranks if r), len(ranks))

    @property
    def fallback_precision(self) -> float:
        """Of the questions that got the fallback, the share that should have (out-of-domain)."""
        fell_back = [q for q in (*self.golden, *self.out_of_domain) if not q.confident]
        if not fell_back:
            return 1.0
        return _ratio(sum(not q.expected_slug for q in fell_back), len(fell_back))

    @property
    def fallback_recall(self) -> float:
        """Of the out-of-domain questions, the share that got the fallback."""
        return _ratio(sum(not q.confident for q in self.out_of_domain), len(self.out_of_domain))

    @property
    def wrong_answers(self) -> tuple[EvaluatedQuestion, ...]:
        """In-domain questions answered confidently from another article: the worst failure."""
        return tuple(q for q in self.golden if q.confident and q.rank != 1)


def _ratio(num: float, den: int) -> float:
    return num / den if den else 0.0


@functools.cache
def out_of_domain_questions() -> tuple[str, ...]:
    """The shipped out-of-domain set: questions the agent must not answer from the articles."""
    data = yaml.safe_load(OUT_OF_DOMAIN_FILE.read_text(encoding="utf-8"))
    return tuple(str(q) for q in data["questions"])


def golden_questions() -> list[tuple[str, str]]:
    """(question, article slug) of every golden question of a published article."""
    return list(
        GoldenQuestion.objects.filter(article__status=Article.Status.PUBLISHED)
        .order_by("article__slug", "id")
        .values_list("question", "article__slug")
    )


def evaluate_question(*, question: str, expected_slug: str = "", k: int = 5) -> EvaluatedQuestion:
    """The article ranking of a question, and whether the live path answers it with confidence.

    The ranking is the ranker's on the whole message; ``confident`` and ``confidence`` are the
    live answer's (clauses, catalogue questions and articles that do not state what is asked
    included), so a golden question passes only when a customer asking it gets the answer.
    """
    snap = knowledge_index()
    articles = ranking.rank(snap, snap.analyze(question))
    trace = _answer(snap, question)
    ranked = [a.slug for a in articles]
    if trace.answer.confident:
        # The article actually answered comes first (a clause may have found it).
        top = trace.answer.hits[0].article_slug
        ranked = [top, *(slug for slug in ranked if slug != top)]
    return EvaluatedQuestion(
        question=question,
        expected_slug=expected_slug,
        ranking=tuple(ranked[:k]),
        confidence=trace.answer.confidence,
        confident=trace.answer.confident,
    )


def knowledge_evaluate(
    *,
    golden: list[tuple[str, str]] | None = None,
    out_of_domain: list[str] | tuple[str, ...] | None = None,
) -> EvaluationReport:
    """hit@1, MRR and fallback precision/recall over golden and out-of-domain questions."""
    golden = golden_questions() if golden is None else golden
    ood = out_of_domain_questions() if out_of_domain is None else out_of_domain
    return EvaluationReport(
        golden=tuple(evaluate_question(question=q, expected_slug=s) for q, s in golden),
        out_of_domain=tuple(evaluate_question(question=q) for q in ood),
        threshold=confidence_threshold(),
    )


def knowledge_article_chunks_preview(*, title: str, body: str, tags: str) -> list[tuple[str, str]]:
    """(heading, WhatsApp text) of the chunks an article would be split into (admin preview)."""
    tag_list = [t.strip() for t in tags.split(",") if t.strip()]
    return [(c.heading, c.text) for c in chunk_article(title=title, body=body, tags=tag_list)]
