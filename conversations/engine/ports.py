"""What the engine reads from the outside world, as Protocols with engine-owned types."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from conversations.engine.state import CarOption


@dataclass(frozen=True)
class NeedMatch:
    make: str | None = None
    model: str | None = None
    body_type: str | None = None
    uses: tuple[str, ...] = ()
    transmission: str | None = None
    suggestion: str | None = None

    @property
    def found(self) -> bool:
        return bool(self.make or self.model or self.body_type or self.uses or self.transmission)


@dataclass(frozen=True)
class CarQuery:
    budget: Decimal | None = None
    body_type: str | None = None
    make: str | None = None
    model: str | None = None
    transmission: str | None = None
    uses: tuple[str, ...] = ()
    exclude_stock_ids: tuple[str, ...] = ()
    min_seats: int | None = None
    year_min: int | None = None
    km_max: int | None = None
    exclude_makes: tuple[str, ...] = ()
    budget_min: Decimal | None = None  # the floor of a range ("entre 200 y 300 mil")
    # More (make, model) pairs, any of which will do like make/model ("un Rio o un Versa").
    alternatives: tuple[tuple[str | None, str | None], ...] = ()


@dataclass(frozen=True)
class Recommendation:
    cars: tuple[CarOption, ...]
    exact: bool
    note: str | None = None


@dataclass(frozen=True)
class Branch:
    """A Kavak branch from the knowledge base (appointments are booked at one)."""

    name: str
    city: str
    address: str
    hours: str | None = None


@dataclass(frozen=True)
class KbSource:
    article: str
    title: str
    score: float


@dataclass(frozen=True)
class KbAnswer:
    confident: bool
    confidence: float
    answer: str
    sources: tuple[KbSource, ...] = field(default_factory=tuple)
    # Not an article's question but the catalogue's ("busco un auto, ¿me ayudan?"): the flow
    # answers it, and no "No tengo ese dato" is said.
    catalogue: bool = False


class CarCatalog(Protocol):
    """The catalogue, the only source of cars and prices."""

    def match_need(self, text: str, *, car_context: bool = False) -> NeedMatch:
        """The car the text names; ``car_context``: the message is about cars, so a model named
        like a word ("Rio") counts when typed exactly."""
        ...

    def recommend(self, query: CarQuery) -> Recommendation: ...

    def count_fuel(self, fuel: str) -> int:
        """Available cars whose version says this fuel ("electric", "hybrid", "diesel")."""
        ...

    def count(
        self,
        *,
        body_type: str | None,
        make: str | None,
        transmission: str | None,
        model: str | None = None,
    ) -> int:
        """Available cars of this kind, make, model and transmission (None: any)."""
        ...

    def price_range(self, *, body_type: str | None) -> tuple[Decimal, Decimal] | None:
        """The cheapest and the dearest available car of this kind (None: any); None if none."""
        ...


class KnowledgeBase(Protocol):
    """Curated articles about Kavak; answers only from them."""

    def looks_like_question(self, text: str) -> bool: ...

    def answer(self, question: str) -> KbAnswer: ...

    def branches_in(self, text: str) -> tuple[Branch, ...]:
        """The branches of the city named in ``text`` (none when it names no city we serve)."""
        ...
