"""Adapters from the engine's ports to the catalogue and knowledge apps (and null objects)."""

from __future__ import annotations

from decimal import Decimal

from conversations.engine.ports import (
    Branch,
    CarQuery,
    KbAnswer,
    KbSource,
    NeedMatch,
    Recommendation,
)
from conversations.engine.replies import faq_unavailable
from conversations.engine.state import CarOption


class OrmCarCatalog:
    """The catalogue in PostgreSQL, through ``catalog.selectors``."""

    def match_need(self, text: str, *, car_context: bool = False) -> NeedMatch:
        from catalog.selectors import catalog_match_text

        m = catalog_match_text(text=text, car_context=car_context)
        return NeedMatch(
            make=m.make,
            model=m.model,
            body_type=m.body_type,
            uses=tuple(m.uses),
            transmission=m.transmission,
            suggestion=m.suggestion,
        )

    def recommend(self, query: CarQuery) -> Recommendation:
        from catalog.selectors import car_recommend

        rec = car_recommend(
            budget=query.budget,
            body_type=query.body_type,
            make=query.make,
            model=query.model,
            transmission=query.transmission,
            uses=query.uses,
            exclude_stock_ids=query.exclude_stock_ids,
            min_seats=query.min_seats,
            year_min=query.year_min,
            km_max=query.km_max,
            exclude_makes=query.exclude_makes,
            budget_min=query.budget_min,
            alternatives=query.alternatives,
        )
        cars = tuple(
            CarOption(
                stock_id=str(c.stock_id),
                make=c.make,
                model=c.model,
                year=c.year,
                version=c.version,
                price=c.price,
                km=c.km,
                body_type=c.body_type,
                transmission=c.transmission,
                reason=c.reason,
                seats=c.seats,
                bluetooth=c.bluetooth,
                carplay=c.carplay,
            )
            for c in rec.cars
        )
        return Recommendation(cars=cars, exact=rec.exact, note=rec.note)

    def count_fuel(self, fuel: str) -> int:
        from catalog.selectors import car_count_by_fuel

        return car_count_by_fuel(fuel=fuel)

    def count(
        self,
        *,
        body_type: str | None,
        make: str | None,
        transmission: str | None,
        model: str | None = None,
    ) -> int:
        from catalog.selectors import car_count

        return car_count(body_type=body_type, make=make, model=model, transmission=transmission)

    def price_range(self, *, body_type: str | None) -> tuple[Decimal, Decimal] | None:
        from catalog.selectors import car_price_range

        return car_price_range(body_type=body_type)


class DbKnowledgeBase:
    """Published knowledge-base articles, through ``knowledge.selectors``."""

    def looks_like_question(self, text: str) -> bool:
        from knowledge.selectors import knowledge_is_question_about_kavak

        return knowledge_is_question_about_kavak(text=text)

    def answer(self, question: str) -> KbAnswer:
        from knowledge.selectors import knowledge_answer

        a = knowledge_answer(question=question)
        sources = tuple(
            KbSource(article=h.article_slug, title=h.article_title, score=round(h.score, 3))
            for h in a.hits
        )
        return KbAnswer(
            confident=a.confident,
            confidence=a.confidence,
            answer=a.answer,
            sources=sources,
            catalogue=a.reason == "catalogue",
        )

    def branches_in(self, text: str) -> tuple[Branch, ...]:
        from knowledge.selectors import knowledge_branches_in_text

        return tuple(
            Branch(name=b.name, city=b.city, address=b.address, hours=b.hours)
            for b in knowledge_branches_in_text(text=text)
        )


class NullKnowledgeBase:
    """No knowledge base: every question gets the honest fallback (used by tests and tools)."""

    def looks_like_question(self, text: str) -> bool:
        return "?" in text

    def answer(self, question: str) -> KbAnswer:
        return KbAnswer(confident=False, confidence=0.0, answer=faq_unavailable())

    def branches_in(self, text: str) -> tuple[Branch, ...]:
        return ()
