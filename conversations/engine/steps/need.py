"""The need: what car the customer wants, and the options that fit it."""

from __future__ import annotations

import re
from typing import Any

from conversations.engine import replies, replies_cars
from conversations.engine.parsing import fold
from conversations.engine.ports import CarQuery
from conversations.engine.state import Action, CarOption, Slots, evolve
from conversations.engine.turn_builder import Turn

# A car wanted in general words ("busco un carro rojo con pantalla"): only its kind is missing.
CAR_WANT = re.compile(
    r"\b(?:busco|buscando|quiero|queremos|necesito|necesitamos|ocupo|me interesa|ando viendo"
    r"|cotizar)\b"
    r".*\b(?:carro|carrito|auto|coche|vehiculo|nave|unidad)s?\b"
    # "busco", "quiero comprar", "ando buscando": a car is wanted even when none is named.
    r"|^(?:(?:hola|pues|bueno|oye|si)\W*\s*)*(?:busco|estoy buscando|ando buscando|quiero comprar"
    r"|quisiera comprar|me interesa comprar|quiero cambiar de (?:carro|auto)|ando viendo)\W*$"
    # "auto", "un carro": a car, any kind (the kind is what is missing).
    r"|^(?:un |una )?(?:carro|carrito|auto|coche|vehiculo)s?\W*$"
)


def take_need(turn: Turn) -> None:
    r = turn.reading
    m = r.need
    before = turn.slots
    if r.sell_intent and not before.selling:
        turn.set_slots(selling=True)  # "quiero vender mi carro": the next question changes
    if r.car_question is not None:
        return  # "¿es automático?" asks about a car shown; it does not change the search
    if r.after_sale:
        return  # "compré una jetta con ustedes y trae una falla": their car, not a search
    if _names_a_car_shown(turn):
        return  # "¿la frontier tiene garantía?" with the Frontier shown: asked about, not searched
    chosen = before.chosen
    if "choice" in turn.changed and chosen is not None:
        # "el Versa", "dame el más barato": the words chose a car shown. Only a different
        # car named alongside is a new search.
        same = (m.model in (None, chosen.model) and m.make in (None, chosen.make)) and (
            m.body_type in (None, chosen.body_type) or m.model is not None
        )
        if same:
            return
    updates: dict[str, Any] = {}
    if m.make or m.model:
        updates.update(make=m.make, model=m.model, alternatives=r.alternatives)
        if m.model or m.body_type:
            updates["body_type"] = m.body_type  # "una camioneta Nissan": both
    elif m.body_type and before.model and _IN_ANOTHER_BODY.match(r.folded):
        # "Mazda 3 hatchback", then "¿y en sedán?": the same model in that body.
        updates.update(body_type=m.body_type)
    elif m.body_type:
        # "Toyota" then "SUV" is a Toyota SUV; "Versa" then "camioneta" is any SUV.
        keep_make = before.make if not before.model else None
        updates.update(body_type=m.body_type, make=keep_make, model=None, alternatives=())
    if m.uses and not (r.cheaper and before.options and set(m.uses) <= {"cheap"}):
        updates["uses"] = m.uses  # "más barato" about the cars shown is the cheaper intent
    if m.transmission:
        updates["transmission"] = m.transmission
    if r.seats is not None:
        updates["seats"] = r.seats
    if r.year_min is not None:
        updates["year_min"] = r.year_min
    elif r.any_year and before.year_min is not None:
        updates["year_min"] = None  # "¿y de otro año?" after a year that is not there
    if r.km_max is not None:
        updates["km_max"] = r.km_max
    if r.better and before.options and r.km_max is None and r.year_min is None:
        # "¿algo con menos km?": fewer than the fewest shown; "¿más nuevo?": newer than the newest.
        if r.better == "fewer_km":
            updates["km_max"] = min(c.km for c in before.options) - 1
        else:
            updates["year_min"] = max(c.year for c in before.options) + 1
    if r.excluded_makes:
        excluded = tuple(dict.fromkeys((*before.exclude_makes, *r.excluded_makes)))
        updates["exclude_makes"] = excluded
        if (updates.get("make") or before.make) in excluded:
            updates.update(make=None, model=None)  # "mejor que no sea Nissan"
        if not (m.make or m.model or m.body_type or before.has_need):
            updates["need_open"] = True  # "cualquiera menos Nissan": any car will do
    if not updates and r.open_need and turn.pending in (Action.ASK_NEED, Action.ASK_BUDGET):
        updates["need_open"] = True
    if not updates:
        if m.suggestion and not (r.has_money or r.has_contact or r.question):
            turn.state = evolve(turn.state, suggestion=m.suggestion)
        return
    if "need_open" not in updates:
        updates["need_open"] = False
    if all(getattr(before, k) == v for k, v in updates.items()):
        return
    turn.set_slots(**updates)
    turn.changed.add("need")
    if before.chosen is not None and query_key(before) != query_key(turn.slots):
        changed_mind(turn)


# "¿y en sedán?", "¿lo tienen en versión hatchback?", "¿hay en camioneta?": the model in mind,
# asked in another body (a short follow-up; the body word is the only thing named).
_IN_ANOTHER_BODY = re.compile(
    r"^\W*(?:(?:y|o|pero|ok|oye)\W+)*(?:(?:lo|la|los|las)\s+)?"
    r"(?:(?:tienen|tienes|hay|habra|manejan|viene|vienen|tendran|sale|salen)\s+)?"
    r"(?:en|version|en version|tipo)\s+(?:(?:un|una)\s+)?\w+(?:\s+\w+)?\W*$"
)


def _names_a_car_shown(turn: Turn) -> bool:
    """A question that names an option shown by its model, and nothing else of a car: about that
    car. "¿Hay otra frontier más barata?" asks for more of the model: a search."""
    r = turn.reading
    m = r.need
    if not (turn.slots.options and m.model and r.question):
        return False
    if r.other_options or r.cheaper or r.better or r.similar or r.has_money:
        return False
    return any(
        fold(c.model) == fold(m.model)
        and m.body_type in (None, c.body_type)
        and m.transmission in (None, c.transmission)
        for c in turn.slots.options
    )


def changed_mind(turn: Turn) -> None:
    """A different car or budget after choosing: search again, drop the old plan. A down payment
    said as an amount is the customer's money and stays; one worked out from a percentage is
    worked out again for the next car."""
    s = turn.slots
    down = None if s.down_payment_ratio is not None else s.down_payment
    turn.set_slots(chosen=None, down_payment=down, plan_shown_for=None, cash_purchase=False)
    turn.understood["changed_mind"] = True


def recommend(turn: Turn, exclude: tuple[str, ...] = ()) -> bool:
    s = turn.slots
    query = CarQuery(
        budget=s.budget_max,
        body_type=s.body_type,
        make=s.make,
        model=s.model,
        transmission=s.transmission,
        uses=s.uses,
        exclude_stock_ids=exclude,
        min_seats=s.seats,
        year_min=s.year_min,
        km_max=s.km_max,
        exclude_makes=s.exclude_makes,
        alternatives=s.alternatives,
        budget_min=s.budget_min,
    )
    rec = turn.deps.catalog.recommend(query)
    if not rec.cars:
        turn.say(rec.note or replies.no_cars())
        turn.set_slots(options=(), options_for=query_key(s))
        return False
    turn.cars = rec.cars
    turn.set_slots(options=rec.cars, options_for=query_key(s), focus=None)
    turn.understood["options"] = [c.stock_id for c in rec.cars]
    turn.say(replies.options_intro(exact=rec.exact, note=rec.note, count=len(rec.cars)))
    turn.say(replies.options_block(rec.cars))
    # "¿la cx-5 o la tucson?": a model named beside others that none of the cars is, said so.
    if missing := _names_not_shown(s, rec.cars) if s.alternatives and rec.exact else ():
        turn.say(replies_cars.names_not_in_stock(missing, budget=s.budget_max))
    return True


def _names_not_shown(s: Slots, cars: tuple[CarOption, ...]) -> tuple[str, ...]:
    """The models named (the search and its alternatives) that none of ``cars`` is."""
    shown = {(fold(c.make), fold(c.model)) for c in cars}
    named = [(s.make, s.model), *s.alternatives]
    return tuple(
        f"{make} {model}"
        for make, model in named
        if make and model and (fold(make), fold(model)) not in shown
    )


def query_key(s: Slots) -> str:
    return "|".join(
        str(x)
        for x in (
            s.body_type,
            s.make,
            s.model,
            s.transmission,
            ",".join(s.uses),
            s.budget_max,
            s.seats,
            s.year_min,
            s.km_max,
            ",".join(s.exclude_makes),
            s.budget_min,
            ",".join(f"{make}/{model}" for make, model in s.alternatives),
        )
    )


def need_text(s: Slots) -> str:
    return replies_cars.need_summary(
        body_type=s.body_type,
        uses=s.uses,
        make=s.make,
        model=s.model,
        transmission=s.transmission,
        seats=s.seats,
        km_max=s.km_max,
        alternatives=s.alternatives,
    )


# "¿qué me alcanza?", "¿qué tienes?": whatever fits the budget is what is asked for.
_WHAT_FITS = re.compile(r"\bque (?:me )?(?:alcanza|alcanzaria|hay|tienes|tienen|me ofreces)\b")


def budget_answers_need(turn: Turn) -> bool:
    """A budget given where the kind of car was asked ("hola" → "tengo 230 mil"), or with a car
    wanted in general words ("busco auto, traigo 280"): the options within it, of every kind,
    are the best answer; asking the kind again would only repeat the question."""
    s = turn.slots
    asked = turn.state.times_asked(Action.ASK_NEED.value) >= 1
    return (
        not s.has_need
        and s.has_budget
        and "budget" in turn.changed
        and not s.options
        and (
            asked
            or CAR_WANT.search(turn.reading.folded) is not None
            or _WHAT_FITS.search(turn.reading.folded) is not None
        )
    )
