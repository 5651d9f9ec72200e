"""The records of the knowledge index: chunks as loaded and indexed, query terms, scored chunks.

Pure Python; ``knowledge.index`` re-exports them with the ``Snapshot`` that holds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class IndexedChunk:
    chunk_id: int
    article_id: int
    article_slug: str
    article_title: str
    heading: str
    text: str


@dataclass(frozen=True)
class ChunkRow:
    """A chunk as loaded from the database."""

    chunk_id: int
    article_id: int
    article_slug: str
    article_title: str
    heading: str
    text: str
    terms: Mapping[str, int]
    words: str
    length: int
    tags: str = ""  # the article's tags, comma-separated (topic words, like title and headings)


@dataclass(frozen=True)
class QueryTerm:
    term: str
    weight: float
    surface: str
    corrected_from: str = ""


@dataclass(frozen=True)
class QueryAnalysis:
    terms: tuple[QueryTerm, ...]
    unknown: tuple[str, ...]  # content words with no match in the index
    text: str = ""  # the (folded) clause analysed; the whole message when empty
    position: int = -1  # clause number in the message; -1 for the whole message
    words: tuple[str, ...] = ()  # the content words analysed (for the golden-question model)
    # An unknown word heading a phrase whose complement is known: "el *clima* en Monterrey",
    # "la *licencia* de manejo", "una *tarjeta* de crédito". The question is about the unknown
    # thing; the known word only places it.
    unknown_head: bool = False
    # A known word completed by another business's name: "la garantía de Nissan".
    foreign_complement: bool = False


@dataclass(frozen=True)
class ScoredChunk:
    chunk: IndexedChunk
    bm25: float
    coverage: float
    specificity: float
    margin: float
    confidence: float
    matched: tuple[str, ...]

    @property
    def features(self) -> dict[str, float]:
        return {
            "coverage": self.coverage,
            "specificity": self.specificity,
            "margin": self.margin,
            "multi": float(len(self.matched) >= 2),
        }
