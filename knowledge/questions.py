"""How customers ask for each article: nearest golden questions, by character n-grams. Pure Python.

BM25 matches a question against the articles' *answers*. Customers, though, word a question much
more like another customer's question than like the answer ("¿me lo cubren si se descompone?" is
closer to "¿qué cubre la garantía?" than to "La garantía dura 3 meses"), so the golden questions
staff attach to an article are also a small labelled training set: a nearest-neighbour classifier
over them says which article a new wording resembles.

Each question becomes a TF-IDF vector of
- its index terms (stems after synonyms and slang, ``=term``), and
- the character 3- and 4-grams of its folded words, with word boundaries (``<rev``, ``revi``…).
  They carry what the stemmer misses: unseen inflections ("revisados"/"revisan"), typos the
  corrector left alone, and word families ("financiar"/"financiamiento").

The article's score is the cosine of the question to its closest golden question (1-NN) and to
the centroid of all of them. An article with no golden questions scores 0 here and is ranked on
its text alone (``knowledge.ranking``). The index is built once per snapshot and never mutated.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from knowledge import text as kb_text

NGRAM_SIZES = (3, 4)
# A word yields ~2×len n-grams but is one term: n-grams are weighted down so that a shared term
# (which already folds synonyms and inflections) counts about as much as its shared n-grams.
NGRAM_WEIGHT = 0.35
TERM_WEIGHT = 1.0


def ngrams(word: str) -> list[str]:
    padded = f"<{word}>"
    return [padded[i : i + n] for n in NGRAM_SIZES for i in range(len(padded) - n + 1)]


def raw_features(*, words: Iterable[str], terms: Iterable[tuple[str, float]]) -> Counter[str]:
    """Term and n-gram counts of a question (``terms``: index term and its weight)."""
    counts: Counter[str] = Counter()
    for term, weight in terms:
        counts["=" + term] += TERM_WEIGHT * weight  # type: ignore[assignment]  # float weights
    for word in words:
        if word.isdigit():
            continue
        for gram in ngrams(word):
            counts[gram] += NGRAM_WEIGHT  # type: ignore[assignment]  # float weights
    return counts


def text_features(text: str) -> Counter[str]:
    words = kb_text.words(text, limit=kb_text.MAX_QUERY_TOKENS)
    return raw_features(words=words, terms=[(kb_text.term_of(w), 1.0) for w in words])


@dataclass(frozen=True)
class QuestionMatch:
    """How close a customer's question is to the golden questions of one article."""

    nearest: float  # cosine to the closest golden question
    centroid: float  # cosine to the normalised mean of the article's golden questions
    question: str  # the closest golden question (for staff)


def _weigh(
    counts: Mapping[str, float], idf: Mapping[str, float], unseen: float
) -> dict[str, float]:
    vector = {f: (1 + math.log(c)) * idf.get(f, unseen) for f, c in counts.items() if c > 0}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {f: v / norm for f, v in vector.items()}


class QuestionIndex:
    """TF-IDF vectors of golden questions, with inverted lists for questions and centroids."""

    def __init__(self, questions: Mapping[int, Sequence[str]]) -> None:
        items = [(aid, q, text_features(q)) for aid, qs in questions.items() for q in qs]
        n = len(items)
        df: Counter[str] = Counter()
        for _, _, counts in items:
            df.update(counts.keys())
        self.idf = {f: math.log((1 + n) / (1 + d)) + 1 for f, d in df.items()}
        self.unseen = math.log(1 + n) + 1
        self.articles: list[int] = []
        self.texts: list[str] = []
        self.postings: dict[str, list[tuple[int, float]]] = {}
        sums: dict[int, Counter[str]] = {}
        for aid, question, counts in items:
            qid = len(self.articles)
            self.articles.append(aid)
            self.texts.append(question)
            vector = _weigh(counts, self.idf, self.unseen)
            for f, v in vector.items():
                self.postings.setdefault(f, []).append((qid, v))
            sums.setdefault(aid, Counter()).update(vector)
        self.centroids: dict[str, list[tuple[int, float]]] = {}
        for aid, total in sums.items():
            norm = math.sqrt(sum(v * v for v in total.values())) or 1.0
            for f, v in total.items():
                self.centroids.setdefault(f, []).append((aid, v / norm))

    def __len__(self) -> int:
        return len(self.articles)

    def match(self, counts: Mapping[str, float]) -> dict[int, QuestionMatch]:
        """Per article with any overlap: nearest-question and centroid cosines."""
        if not self.articles or not counts:
            return {}
        vector = _weigh(counts, self.idf, self.unseen)
        dots: dict[int, float] = {}
        cents: dict[int, float] = {}
        for f, v in vector.items():
            plist = self.postings.get(f)
            if plist is None:
                continue
            for qid, w in plist:
                dots[qid] = dots.get(qid, 0.0) + v * w
            for aid, w in self.centroids[f]:
                cents[aid] = cents.get(aid, 0.0) + v * w
        best: dict[int, tuple[float, int]] = {}
        for qid, dot in dots.items():
            aid = self.articles[qid]
            if aid not in best or dot > best[aid][0]:
                best[aid] = (dot, qid)
        return {
            aid: QuestionMatch(
                nearest=min(dot, 1.0),
                centroid=min(cents.get(aid, 0.0), 1.0),
                question=self.texts[q],
            )
            for aid, (dot, q) in best.items()
        }
