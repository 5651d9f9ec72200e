"""BM25 scoring over the knowledge index's posting lists: idf and the exact top-k.

A mixin of ``knowledge.index.Snapshot`` (it reads the snapshot's chunks and posting lists and
fills its impact-ordered caches): the best chunks and the best candidate articles for a query,
found MaxScore-style. Pure Python.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Mapping
from operator import itemgetter

from knowledge.index_records import IndexedChunk, QueryAnalysis

# Posting lists this short are walked whole (cheaper than sorting them by impact).
_SHORT_LIST = 64
# A long list is walked for newcomers at most this far down its impact order. Only a question
# made of words that hundreds of articles use reaches it ("comprar un carro" in a catalogue of
# car guides), where the ranker's candidates come from the golden questions and the sections'
# own scores anyway; below the cap the top-k is exact.
_WALK_CAP = 256
ImpactList = tuple["array[float]", "array[int]"]  # a posting list: impacts and ids, best first


class Bm25Scoring:
    """idf and the exact top-k of chunks and articles, for a snapshot of the index."""

    # Declared by ``Snapshot``: its chunks, posting lists and the caches built on first use of a
    # term (article postings, and both kinds of lists ordered by impact).
    chunks: dict[int, IndexedChunk]
    postings: dict[str, dict[int, float]]
    _article_postings: dict[str, dict[int, float]]
    _by_impact: dict[str, ImpactList]
    _articles_by_impact: dict[str, ImpactList]

    def idf(self, term: str) -> float:
        n = len(self.chunks)
        df = len(self.postings.get(term, ()))
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def idf_unknown(self) -> float:
        n = len(self.chunks)
        return math.log(1 + (n + 0.5) / 0.5)

    def top_chunks(self, analysis: QueryAnalysis, *, keep: int) -> list[tuple[int, float]]:
        """The ``keep`` best chunks by BM25 as (chunk id, score), best first (ties: lower id)."""
        postings = {qt.term: self.postings[qt.term] for qt in analysis.terms}
        return self._top_k(postings, self._by_impact, analysis, keep=keep)

    def top_articles(self, analysis: QueryAnalysis, *, keep: int) -> list[tuple[int, float]]:
        """The ``keep`` best articles by the sum of each term's best impact among their chunks
        (a bound of their best section's BM25), as (article id, bound), best first."""
        postings = {qt.term: self.article_postings(qt.term) for qt in analysis.terms}
        return self._top_k(postings, self._articles_by_impact, analysis, keep=keep)

    def article_postings(self, term: str) -> dict[int, float]:
        """{article id: the best impact of ``term`` among the article's chunks} (built once per
        term and snapshot; an idempotent cache, a race only builds it twice)."""
        alist = self._article_postings.get(term)
        if alist is None:
            alist = {}
            chunks = self.chunks
            for chunk_id, impact in self.postings[term].items():
                article_id = chunks[chunk_id].article_id
                if impact > alist.get(article_id, 0.0):
                    alist[article_id] = impact
            self._article_postings[term] = alist
        return alist

    @staticmethod
    def _sorted(
        cache: dict[str, ImpactList], postings: Mapping[int, float], term: str
    ) -> ImpactList:
        """A posting list ordered by impact (best first; ties: lower id), as two arrays."""
        ordered = cache.get(term)
        if ordered is None:
            pairs = sorted(postings.items(), key=lambda kv: (-kv[1], kv[0]))
            ordered = (array("d", (v for _, v in pairs)), array("q", (k for k, _ in pairs)))
            cache[term] = ordered
        return ordered

    def _top_k(
        self,
        postings: Mapping[str, Mapping[int, float]],
        cache: dict[str, ImpactList],
        analysis: QueryAnalysis,
        *,
        keep: int,
    ) -> list[tuple[int, float]]:
        """Exact top-k, MaxScore-style. Terms are scored rarest first, each bounded by its best
        impact; short lists are walked whole. For a long list a valid theta (a score k entries
        will reach) is taken first, entries that cannot reach it are dropped, the list is walked
        from its best impact down only while a newcomer could still reach theta, and the entries
        already found get the term by lookup.

        An entry skipped at one term can never reach the top-k later (its whole score is below
        that term's theta, and theta only grows), so the k best scores are exact.
        """
        if not analysis.terms or not self.chunks:
            return []
        weighted = sorted(
            ((self.idf(qt.term) * qt.weight, postings[qt.term], qt.term) for qt in analysis.terms),
            key=lambda item: len(item[1]),
        )
        bounds = [factor * self._sorted(cache, plist, t)[0][0] for factor, plist, t in weighted]
        # The most the terms after each one can add (summed afresh: a running subtraction
        # leaves a rounding residue where it should be exactly 0, and ties then break wrongly).
        after = [sum(bounds[i + 1 :]) for i in range(len(bounds))]
        scores: dict[int, float] = {}
        for (factor, plist, term), bound, remaining in zip(weighted, bounds, after, strict=True):
            get = scores.get
            if len(plist) <= _SHORT_LIST:
                for key, impact in plist.items():
                    scores[key] = get(key, 0.0) + factor * impact
                continue
            impacts, keys = self._sorted(cache, plist, term)
            if len(scores) >= keep:
                theta = heapq.nlargest(keep, scores.values())[-1]
            else:
                # Too few entries yet: the entries found so far and this list's best ones will
                # score at least what they have plus this term, so their k-th is a valid theta.
                floor = dict(scores)
                for impact, key in zip(impacts[:keep], keys[:keep], strict=True):
                    floor[key] = get(key, 0.0) + factor * impact
                if len(floor) < keep:
                    for key, impact in plist.items():
                        scores[key] = get(key, 0.0) + factor * impact
                    continue
                theta = heapq.nlargest(keep, floor.values())[-1]
            # Entries that cannot reach theta even with every term left are dropped first: the
            # lookups below (and for every later term) then walk fewer of them.
            scores = {c: v for c, v in scores.items() if v + bound + remaining >= theta}
            get = scores.get
            seen: set[int] = set()
            if bound + remaining >= theta:  # else no newcomer can reach the top-k
                for rank, (impact, key) in enumerate(zip(impacts, keys, strict=True)):
                    if factor * impact + remaining < theta or rank >= _WALK_CAP:
                        break
                    scores[key] = get(key, 0.0) + factor * impact
                    seen.add(key)
            for key in list(scores):
                if key not in seen:
                    weight = plist.get(key)
                    if weight is not None:
                        scores[key] += factor * weight
        return sorted(
            heapq.nlargest(keep, scores.items(), key=itemgetter(1)), key=lambda kv: (-kv[1], kv[0])
        )
