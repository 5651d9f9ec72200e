"""Fakes for our own ports (the engine's catalogue and knowledge base). Never patch our modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from conversations.engine.parsing import fold
from conversations.engine.ports import (
    Branch,
    CarQuery,
    KbAnswer,
    KbSource,
    NeedMatch,
    Recommendation,
)
from conversations.engine.state import CarOption

CARS = (
    CarOption(
        "1001",
        "Toyota",
        "Corolla",
        2019,
        "1.8 SE CVT",
        Decimal("289999.00"),
        45000,
        "sedan",
        "automatic",
    ),
    CarOption(
        "1002",
        "Toyota",
        "Corolla",
        2017,
        "1.8 LE MT",
        Decimal("229999.00"),
        80000,
        "sedan",
        "manual",
    ),
    CarOption(
        "1003",
        "Nissan",
        "Versa",
        2020,
        "1.6 ADVANCE AUTO",
        Decimal("239999.00"),
        30000,
        "sedan",
        "automatic",
    ),
    CarOption(
        "1004",
        "Honda",
        "CR-V",
        2018,
        "1.5 TURBO PLUS AUTO",
        Decimal("389999.00"),
        60000,
        "suv",
        "automatic",
    ),
    CarOption(
        "1005",
        "Mazda",
        "CX-5",
        2019,
        "2.5 I GRAND TOURING AUTO",
        Decimal("429999.00"),
        50000,
        "suv",
        "automatic",
    ),
    CarOption(
        "1006",
        "Nissan",
        "NP300",
        2020,
        "2.5 DOBLE CABINA SE MT",
        Decimal("359999.00"),
        70000,
        "pickup",
        "manual",
    ),
)

_MODELS = {
    "corolla": ("Toyota", "Corolla"),
    "versa": ("Nissan", "Versa"),
    "cr-v": ("Honda", "CR-V"),
    "crv": ("Honda", "CR-V"),
    "cx-5": ("Mazda", "CX-5"),
    "np300": ("Nissan", "NP300"),
}
_MAKES = {"toyota": "Toyota", "nissan": "Nissan", "honda": "Honda", "mazda": "Mazda"}
_BODY = {"suv": "suv", "camioneta": "suv", "sedan": "sedan", "pickup": "pickup"}


@dataclass
class InMemoryCarCatalog:
    """A tiny catalogue with exact-word matching (the real matcher: tests/integration/catalog)."""

    cars: tuple[CarOption, ...] = CARS
    queries: list[CarQuery] = field(default_factory=list)

    def match_need(self, text: str, *, car_context: bool = False) -> NeedMatch:
        words = fold(text).replace(",", " ").split()
        make = model = body = None
        uses: tuple[str, ...] = ()
        for w in words:
            if w in _MODELS:
                make, model = _MODELS[w]
                body = next(c.body_type for c in self.cars if c.model == model)
            elif w in _MAKES and not make:
                make = _MAKES[w]
            elif w in _BODY and not body:
                body = _BODY[w]
            elif w == "familiar":
                uses = ("family",)
            elif w == "corola":
                return NeedMatch(suggestion="Toyota Corolla")
        transmission = (
            "automatic" if "automatico" in words else ("manual" if "estandar" in words else None)
        )
        return NeedMatch(
            make=make, model=model, body_type=body, uses=uses, transmission=transmission
        )

    def recommend(self, query: CarQuery) -> Recommendation:
        self.queries.append(query)
        pool = [c for c in self.cars if c.stock_id not in query.exclude_stock_ids]
        names = [n for n in ((query.make, query.model), *query.alternatives) if n != (None, None)]

        def fits(c: CarOption) -> bool:
            return (
                (query.budget is None or c.price <= query.budget)
                and (query.budget_min is None or c.price >= query.budget_min)
                and (query.body_type is None or c.body_type == query.body_type)
                and (
                    not names
                    or any(
                        (model is None or c.model == model) and (make is None or c.make == make)
                        for make, model in names
                    )
                )
                and (query.transmission is None or c.transmission == query.transmission)
            )

        exact = sorted((c for c in pool if fits(c)), key=lambda c: (-c.year, c.km))[:3]
        if exact:
            return Recommendation(cars=tuple(exact), exact=True)
        near = sorted(pool, key=lambda c: abs(c.price - (query.budget or c.price)))[:3]
        return Recommendation(
            cars=tuple(near), exact=False, note="No encontré algo exacto; estas se acercan:"
        )

    def count_fuel(self, fuel: str) -> int:
        return 0

    def count(
        self,
        *,
        body_type: str | None,
        make: str | None,
        transmission: str | None,
        model: str | None = None,
    ) -> int:
        return sum(
            1
            for c in self.cars
            if body_type in (None, c.body_type)
            and make in (None, c.make)
            and model in (None, c.model)
            and transmission in (None, c.transmission)
        )

    def price_range(self, *, body_type: str | None) -> tuple[Decimal, Decimal] | None:
        prices = [c.price for c in self.cars if body_type in (None, c.body_type)]
        return (min(prices), max(prices)) if prices else None


@dataclass
class FakeKnowledge:
    """Answers questions about 'garantia' with a canned article, everything else falls back."""

    asked: list[str] = field(default_factory=list)
    # Every question it cannot answer is left to the catalogue (the real one's "catalogue" verdict).
    catalogue: bool = False
    # Every message looks like a question to it (the real one's wide net for Kavak topics).
    every_question: bool = False

    def looks_like_question(self, text: str) -> bool:
        folded = fold(text)
        return (
            self.every_question
            or "?" in text
            or any(w in folded for w in ("garantia", "sucursal", "mundial"))
        )

    def answer(self, question: str) -> KbAnswer:
        self.asked.append(question)
        if "garantia" in fold(question):
            return KbAnswer(
                confident=True,
                confidence=0.9,
                answer="Todos los autos tienen garantía de 3 meses, ampliable a 1 año.",
                sources=(KbSource(article="garantia", title="Garantía", score=0.9),),
            )
        return KbAnswer(
            confident=False,
            confidence=0.1,
            answer="No tengo ese dato confirmado; ¿quieres que te comunique con un asesor?",
            catalogue=self.catalogue,
        )

    def branches_in(self, text: str) -> tuple[Branch, ...]:
        if "monterrey" in fold(text):
            return (
                Branch("Kavak Punto Valle", "Monterrey", "Río Missouri 555, San Pedro"),
                Branch("Kavak Nuevo Sur", "Monterrey", "Av. Revolución 2703"),
            )
        return ()
