"""Which article answers a question, and how sure we are: a small calibrated model. Pure Python.

BM25 (``knowledge.index``) finds candidate sections; this module scores each candidate *article*
with a handful of features and one logistic model, so ranking and confidence are the same number:
the probability that the article answers the question. Features, all in [0, 1]:

- ``coverage``: idf-weighted share of the question's words that the article uses anywhere
  (words no article uses count against it);
- ``topic``: the same share counting only the article's topic words (title, tags, headings and
  golden questions). "¿están contratando?" meets "Firma tu contrato" in the credit steps: full
  coverage, no topic;
- ``section``: the best section's BM25 over the most a section could score for these words;
- ``lead``: that BM25 relative to the best candidate's (1.0 for the BM25 winner);
- ``nearest`` and ``centroid``: cosine to the article's closest golden question and to their
  centroid (``knowledge.questions``, character n-grams): how much the wording resembles the way
  customers ask for this article;
- ``unknown``: share of the question's weight in words no article uses;
- ``foreign``: 1 when an unknown word names another place or business (a city without a
  branch, a bank, a shop: ``text.FOREIGN_NAMES``), or a car make completes a known word ("la
  garantía de Nissan");
- ``head``: 1 when an unknown word heads a phrase with a known complement ("el clima en
  Monterrey", "la licencia de manejo"): the question is about that unknown thing.

The weights are fitted on the development half of the customer questions
(``manage.py evaluate_kb --calibrate``), never on the held-out half, and kept here so that a
deploy never changes behaviour by itself. The fit also sees every development question as if the
article had no golden questions (``nearest``/``centroid`` 0, topic without question words), so
an article staff have just written answers on its text alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from knowledge import questions as kb_questions
from knowledge.index import K1, QueryAnalysis, ScoredChunk, Snapshot
from knowledge.lexicon import FOREIGN_NAMES

FEATURES: tuple[str, ...] = (
    "coverage",
    "topic",
    "section",
    "lead",
    "nearest",
    "centroid",
    "unknown",
    "foreign",
    "head",
)
# Two logistic models, both fitted by ``evaluate_kb --calibrate`` on the development half:
# RANKER orders the candidate articles (is this article the one asked about?), CONFIDENCE says
# whether the best one answers at all. The second also sees ``margin``, the ranker's lead of the
# article over the best other one: two articles that fit equally well are a guess.
CONFIDENCE_FEATURES: tuple[str, ...] = (*FEATURES, "margin")
RANKER: dict[str, float] = {
    "bias": -4.182,
    "coverage": 1.051,
    "topic": 1.304,
    "section": 0.871,
    "lead": 1.932,
    "nearest": 0.511,
    "centroid": 0.499,
    "unknown": -0.341,
    "foreign": -0.268,
    "head": -0.106,
}
CONFIDENCE: dict[str, float] = {
    "bias": -0.697,
    "coverage": 1.244,
    "topic": 1.086,
    "section": 0.203,
    "lead": -0.003,
    "nearest": -0.142,
    "centroid": 0.384,
    "unknown": -1.301,
    "foreign": -1.098,
    "head": -0.431,
    "margin": 0.906,
}
# Candidate articles scored (the best by BM25 bound, ``Snapshot.top_articles``), and the pool a
# message's clauses are ranked among.
MAX_ARTICLES = 8
POOL_ARTICLES = 40
# Articles whose golden questions resemble the question join the candidates even when BM25 did
# not rank them (the wording shares no word with their text).
NEAREST_CANDIDATES = 3
NEAREST_MIN = 0.2


@dataclass(frozen=True)
class ArticleScore:
    """One candidate article for one question (or clause)."""

    article_id: int
    probability: float
    features: Mapping[str, float]
    sections: tuple[ScoredChunk, ...]  # the article's sections, best BM25 first
    nearest_question: str = ""

    @property
    def slug(self) -> str:
        return self.sections[0].chunk.article_slug

    @property
    def title(self) -> str:
        return self.sections[0].chunk.article_title


def probability(features: Mapping[str, float], model: Mapping[str, float]) -> float:
    z = model["bias"] + sum(w * features[name] for name, w in model.items() if name != "bias")
    return 1 / (1 + math.exp(-max(min(z, 40.0), -40.0)))


@dataclass(frozen=True)
class _Candidate:
    article_id: int
    features: dict[str, float]
    sections: list[tuple[int, float, tuple[str, ...]]]  # chunk id, BM25, matched terms
    nearest_question: str


def candidate_pool(snap: Snapshot, analysis: QueryAnalysis) -> tuple[int, ...]:
    """The articles a whole message's clauses are ranked among (see ``rank``'s ``pool``)."""
    return tuple(aid for aid, _ in snap.top_articles(analysis, keep=POOL_ARTICLES))


def _top_of_pool(snap: Snapshot, analysis: QueryAnalysis, pool: Sequence[int]) -> list[int]:
    factors = [
        (snap.idf(qt.term) * qt.weight, snap.article_postings(qt.term)) for qt in analysis.terms
    ]
    bounds = [(sum(f * alist.get(aid, 0.0) for f, alist in factors), aid) for aid in pool]
    ranked = sorted(((b, aid) for b, aid in bounds if b > 0), key=lambda x: (-x[0], x[1]))
    return [aid for _, aid in ranked[:MAX_ARTICLES]]


def _candidates(
    snap: Snapshot,
    analysis: QueryAnalysis,
    *,
    golden: bool,
    pool: Sequence[int] | None = None,
) -> list[_Candidate]:
    # ``golden=False`` leaves the golden-question model out (the fit's "no questions" view).
    if not snap.chunks:
        return []
    factors = {qt.term: snap.idf(qt.term) * qt.weight for qt in analysis.terms}
    known = sum(factors.values())
    total = known + snap.unknown_weight(analysis)
    foreign = analysis.foreign_complement or any(w in FOREIGN_NAMES for w in analysis.unknown)
    ceiling = known * (K1 + 1)
    if pool is not None:
        order = _top_of_pool(snap, analysis, pool)
    else:
        order = [aid for aid, _ in snap.top_articles(analysis, keep=MAX_ARTICLES)]
    matches: dict[int, kb_questions.QuestionMatch] = {}
    index = snap.question_index()
    if golden and len(index):
        counts = kb_questions.raw_features(
            words=analysis.words, terms=[(qt.term, qt.weight) for qt in analysis.terms]
        )
        matches = index.match(counts)
        near = sorted(matches.items(), key=lambda kv: -kv[1].nearest)[:NEAREST_CANDIDATES]
        order += [aid for aid, m in near if m.nearest >= NEAREST_MIN and aid not in order]
    if not order or total <= 0:
        return []
    found: list[_Candidate] = []
    for article_id in order:
        if article_id not in snap.article_chunks:
            continue
        sections = []
        for chunk_id in snap.article_chunks[article_id]:
            score = 0.0
            matched = []
            for term, factor in factors.items():
                impact = snap.postings[term].get(chunk_id)
                if impact is not None:
                    score += factor * impact
                    matched.append(term)
            sections.append((chunk_id, score, tuple(matched)))
        sections.sort(key=lambda s: (-s[1], s[0]))
        terms = {t for _, _, matched in sections for t in matched}
        topic = snap.article_topic.get(article_id, frozenset())
        match = matches.get(article_id)
        found.append(
            _Candidate(
                article_id=article_id,
                features={
                    "coverage": sum(f for t, f in factors.items() if t in terms) / total,
                    "topic": sum(f for t, f in factors.items() if t in topic) / total,
                    "section": sections[0][1] / ceiling if ceiling else 0.0,
                    "lead": 0.0,
                    "nearest": match.nearest if match else 0.0,
                    "centroid": match.centroid if match else 0.0,
                    "unknown": 1 - known / total,
                    "foreign": float(foreign),
                    "head": float(analysis.unknown_head),
                },
                sections=sections,
                nearest_question=match.question if match else "",
            )
        )
    best = max((c.sections[0][1] for c in found), default=0.0)
    for c in found:
        c.features["lead"] = c.sections[0][1] / best if best > 0 else 0.0
    return found


def rank(
    snap: Snapshot,
    analysis: QueryAnalysis,
    *,
    ranker: Mapping[str, float] | None = None,
    confidence: Mapping[str, float] | None = None,
    pool: Sequence[int] | None = None,
) -> list[ArticleScore]:
    """Candidate articles of a question, best first, each with its calibrated confidence.

    ``pool``: for a clause of a message, the whole message's best articles by BM25 bound
    (``candidate_pool``); the clause's candidates are the best of them for its own words, which
    spares a walk of the posting lists per clause. (A clause's words are the message's, so an
    article that leads for a clause is very likely among the message's best few dozen.)
    """
    ranker = RANKER if ranker is None else ranker
    confidence = CONFIDENCE if confidence is None else confidence
    found = [
        (c, probability(c.features, ranker))
        for c in _candidates(snap, analysis, golden=True, pool=pool)
        if any(score > 0 for _, score, _ in c.sections) or c.features["nearest"] > 0
    ]
    found.sort(key=lambda cp: (-cp[1], -cp[0].sections[0][1], cp[0].article_id))
    # The best other article of the first is the second; of every other, the first.
    first = found[0][1] if found else 0.0
    second = found[1][1] if len(found) > 1 else 0.0
    scored: list[ArticleScore] = []
    for i, (c, p) in enumerate(found):
        features = {**c.features, "margin": p - (second if i == 0 else first)}
        conf = probability(features, confidence)
        sections = tuple(
            ScoredChunk(
                chunk=snap.chunks[chunk_id],
                bm25=score,
                coverage=c.features["coverage"],
                specificity=0.0,
                margin=features["margin"],
                confidence=conf,
                matched=matched,
            )
            for chunk_id, score, matched in c.sections
        )
        scored.append(ArticleScore(c.article_id, conf, features, sections, c.nearest_question))
    # The ranker's order stands; a later article never shows a higher confidence than the first.
    for i in range(1, len(scored)):
        if scored[i].probability > scored[0].probability:
            capped = scored[0].probability
            scored[i] = replace(
                scored[i],
                probability=capped,
                sections=tuple(replace(s, confidence=capped) for s in scored[i].sections),
            )
    return scored


# --- Fitting (evaluate_kb --calibrate) ------------------------------------------------------------


def ranker_rows(
    snap: Snapshot, analysis: QueryAnalysis, *, expected: Sequence[int]
) -> list[tuple[dict[str, float], bool]]:
    """(features, is the right article) for every candidate of a question, twice: as the index
    is, and as if no article had golden questions (so new articles are not under-trusted)."""
    rows = [
        (c.features, c.article_id in expected) for c in _candidates(snap, analysis, golden=True)
    ]
    bare = _without_questions(snap)
    rows += [
        (c.features, c.article_id in expected) for c in _candidates(bare, analysis, golden=False)
    ]
    return rows


def without_questions(snap: Snapshot) -> Snapshot:
    """The snapshot as if no article had golden questions (public for the fit)."""
    return _without_questions(snap)


def _without_questions(snap: Snapshot) -> Snapshot:
    """The same snapshot as if no article had golden questions (for the fit only).

    The sections keep the golden questions' words (document expansion); only the topic words and
    the question model forget them.
    """
    cached = _BARE.get(snap.token)
    if cached is None:
        cached = replace(
            snap,
            article_topic=dict(snap.article_fields),
            article_questions={},
            _question_index=None,
        )
        _BARE.clear()
        _BARE[snap.token] = cached
    return cached


_BARE: dict[str, Snapshot] = {}


def fit(
    rows: Sequence[tuple[Mapping[str, float], bool]],
    *,
    features: Sequence[str] = FEATURES,
    l2: float = 0.01,
    iterations: int = 50,
) -> dict[str, float]:
    """Logistic regression by Newton's method with a small L2 penalty (not on the bias)."""
    names = ("bias", *features)
    k = len(names)
    w = [0.0] * k
    xs = [[1.0, *(f[name] for name in features)] for f, _ in rows]
    ys = [1.0 if label else 0.0 for _, label in rows]
    for _ in range(iterations):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for x, y in zip(xs, ys, strict=True):
            z = sum(wi * xi for wi, xi in zip(w, x, strict=True))
            p = 1 / (1 + math.exp(-max(min(z, 40.0), -40.0)))
            for i in range(k):
                grad[i] += (p - y) * x[i]
                for j in range(i, k):
                    hess[i][j] += p * (1 - p) * x[i] * x[j]
        n = len(xs) or 1
        for i in range(k):
            for j in range(i):
                hess[i][j] = hess[j][i]
        for i in range(1, k):
            grad[i] += l2 * n * w[i]
            hess[i][i] += l2 * n
        step = _solve(hess, grad)
        w = [wi - si for wi, si in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return {name: round(value, 3) for name, value in zip(names, w, strict=True)}


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (a small dense system)."""
    n = len(b)
    m = [[*row[:], b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-12:
            continue
        for r in range(n):
            if r != col:
                factor = m[r][col] / m[col][col]
                for c in range(col, n + 1):
                    m[r][c] -= factor * m[col][c]
    return [m[i][n] / m[i][i] if abs(m[i][i]) > 1e-12 else 0.0 for i in range(n)]
