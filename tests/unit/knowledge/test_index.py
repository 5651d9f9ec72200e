"""The in-memory BM25 index (pure Python, no database): pruning is exact, patches equal rebuilds."""

from __future__ import annotations

import math
import random

import pytest

from knowledge.index import K1, B, ChunkRow, QueryAnalysis, QueryTerm, Snapshot

VOCAB = [f"t{i}" for i in range(40)]


def _rows(rng: random.Random, *, articles: int, length: int | None = None) -> list[ChunkRow]:
    rows = []
    chunk_id = 1
    for article_id in range(1, articles + 1):
        for _ in range(rng.randint(1, 4)):
            # Zipf-like: low-numbered terms are very common, high-numbered ones rare.
            terms: dict[str, int] = {}
            size = length or rng.randint(3, 15)
            while sum(terms.values()) < size:
                term = VOCAB[min(int(rng.paretovariate(1.2)) - 1, len(VOCAB) - 1)]
                terms[term] = terms.get(term, 0) + 1
            rows.append(
                ChunkRow(chunk_id, article_id, f"a{article_id}", "T", "H", "x", terms, "", size)
            )
            chunk_id += 1
    return rows


def _brute_force(rows: list[ChunkRow], query: list[str]) -> list[tuple[int, float]]:
    n = len(rows)
    avgdl = sum(r.length for r in rows) / n
    df = {t: sum(1 for r in rows if t in r.terms) for t in query}
    scores = {}
    for r in rows:
        score = 0.0
        for t in query:
            tf = r.terms.get(t, 0)
            if tf:
                idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * r.length / avgdl))
        if score:
            scores[r.chunk_id] = score
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def _query(terms: list[str]) -> QueryAnalysis:
    return QueryAnalysis(tuple(QueryTerm(t, 1.0, t) for t in terms), ())


@pytest.mark.parametrize("seed", range(25))
def test_pruned_search_returns_the_exact_bm25_top_k(seed: int) -> None:
    rng = random.Random(seed)
    rows = _rows(rng, articles=200)
    snap = Snapshot.build(token="t", article_tokens={}, rows=rows)
    for _ in range(20):
        query = [t for t in rng.sample(VOCAB, rng.randint(1, 5)) if t in snap.postings]
        if not query:
            continue
        limit = rng.choice([1, 3, 5, 40])
        expected = _brute_force(rows, query)[:limit]
        got = [(r.chunk.chunk_id, r.bm25) for r in snap.search(_query(query), limit=limit)]
        assert [cid for cid, _ in got] == [cid for cid, _ in expected]
        assert [round(s, 9) for _, s in got] == [round(s, 9) for _, s in expected]


def test_patch_gives_the_same_results_as_a_full_rebuild() -> None:
    rng = random.Random(7)
    before = _rows(rng, articles=50, length=8)  # same length everywhere: avgdl cannot drift
    snap = Snapshot.build(token="a", article_tokens={}, rows=before)
    changed = [
        ChunkRow(10_000 + r.chunk_id, r.article_id, r.article_slug, "T", "H", "y", r.terms, "", 8)
        for r in _rows(random.Random(8), articles=5, length=8)
    ]
    after_rows = [r for r in before if r.article_id > 5] + changed
    patched = snap.patched(
        token="b",
        article_tokens={},
        rows=changed,
        stale_article_ids=[1, 2, 3, 4, 5],
    )
    rebuilt = Snapshot.build(token="b", article_tokens={}, rows=after_rows)
    assert patched.chunks == rebuilt.chunks
    assert patched.postings == rebuilt.postings
    # The original snapshot is untouched (readers holding it are safe).
    assert Snapshot.build(token="a", article_tokens={}, rows=before).postings == snap.postings


def test_confidence_is_zero_without_matches_and_bounded_with_them() -> None:
    rows = _rows(random.Random(1), articles=20)
    snap = Snapshot.build(token="t", article_tokens={}, rows=rows)
    assert snap.search(_query([]), limit=3) == []
    results = snap.search(
        QueryAnalysis((QueryTerm("t0", 1.0, "t0"),), ("palabradesconocida",)), limit=3
    )
    assert results
    assert all(0.0 < r.confidence < 1.0 for r in results)
    assert all(r.coverage < 0.5 for r in results)  # the unknown word weighs more than "t0"


def _brute_force_articles(rows: list[ChunkRow], query: list[str]) -> list[tuple[int, float]]:
    """Per article: the sum over query terms of the term's best chunk impact times its idf."""
    n = len(rows)
    avgdl = sum(r.length for r in rows) / n
    df = {t: sum(1 for r in rows if t in r.terms) for t in query}
    best: dict[tuple[int, str], float] = {}
    for r in rows:
        for t in query:
            tf = r.terms.get(t, 0)
            if tf:
                impact = tf * (K1 + 1) / (tf + K1 * (1 - B + B * r.length / avgdl))
                key = (r.article_id, t)
                best[key] = max(best.get(key, 0.0), impact)
    scores: dict[int, float] = {}
    for (article_id, t), impact in best.items():
        idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
        scores[article_id] = scores.get(article_id, 0.0) + idf * impact
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


@pytest.mark.parametrize("seed", range(15))
def test_candidate_articles_are_the_exact_top_k(seed: int) -> None:
    rng = random.Random(100 + seed)
    rows = _rows(rng, articles=300)
    snap = Snapshot.build(token="t", article_tokens={}, rows=rows)
    for _ in range(20):
        query = [t for t in rng.sample(VOCAB, rng.randint(1, 5)) if t in snap.postings]
        if not query:
            continue
        keep = rng.choice([1, 3, 8, 40])
        expected = _brute_force_articles(rows, query)[:keep]
        got = snap.top_articles(_query(query), keep=keep)
        assert [a for a, _ in got] == [a for a, _ in expected]
        assert [round(s, 9) for _, s in got] == [round(s, 9) for _, s in expected]


def test_patch_keeps_article_level_structures_equal_to_a_rebuild() -> None:
    rng = random.Random(9)
    before = _rows(rng, articles=40, length=8)
    questions = {1: ["¿tienen garantía?"], 7: ["¿dónde están?"]}
    snap = Snapshot.build(token="a", article_tokens={}, rows=before, questions=questions)
    snap.top_articles(_query(["t0", "t1"]), keep=5)  # fill the impact-ordered caches
    changed = [
        ChunkRow(10_000 + r.chunk_id, r.article_id, r.article_slug, "T", "H", "y", r.terms, "", 8)
        for r in _rows(random.Random(10), articles=3, length=8)
    ]
    new_questions = {2: ["¿cuánto dura?"]}
    patched = snap.patched(
        token="b",
        article_tokens={},
        rows=changed,
        stale_article_ids=[1, 2, 3],
        questions=new_questions,
    )
    rebuilt = Snapshot.build(
        token="b",
        article_tokens={},
        rows=[r for r in before if r.article_id > 3] + changed,
        questions={7: questions[7], **new_questions},
    )
    assert patched.article_topic == rebuilt.article_topic
    assert patched.article_questions == rebuilt.article_questions
    query = _query(["t0", "t2", "t5"])
    assert patched.top_articles(query, keep=8) == rebuilt.top_articles(query, keep=8)


def _words_snapshot(*words: str) -> Snapshot:
    from knowledge import text as kb_text

    terms = {kb_text.term_of(w): 1 for w in words}
    row = ChunkRow(1, 1, "a1", "T", "H", "x", terms, " ".join(words), len(words))
    return Snapshot.build(token="w", article_tokens={}, rows=[row])


def test_a_short_word_with_one_vowel_changed_is_corrected() -> None:
    # Round 7: "komprar auto en linia" lost "linea" (five letters: no distance correction).
    snap = _words_snapshot("linea", "motor", "compra")
    resolved = snap._resolve("linia")
    assert resolved is not None
    assert resolved.surface == "linea"
    # A consonant is not changed: "motos" is no misspelt "motor".
    assert snap._resolve("motos") is None
