"""The words of a recommendation: each car's reason and the note on what was relaxed (Spanish)."""

from __future__ import annotations

from decimal import Decimal

from catalog.ladder import OVER_BUDGET_RATIO, Criteria, RecommendedCar
from catalog.matching import compact_key
from catalog.models import BodyType, Car, Transmission
from catalog.sql import all_wheel


def _in_sentence(label: str) -> str:
    """A choice label inside a sentence: "Sedán" → "sedán"; acronyms ("SUV") stay as they are."""
    return label if label.isupper() else label.lower()


# Mid-sentence forms of the models' choice labels (the admin shows the capitalised ones).
_BODY_LABELS = {
    value: _in_sentence(str(label))
    for value, label in BodyType.choices
    if value != BodyType.UNKNOWN
}
_TRANSMISSION_LABELS = {
    value: _in_sentence(str(label))
    for value, label in Transmission.choices
    if value != Transmission.UNKNOWN
}
_USE_LABELS = {
    "family": "para la familia",
    "city": "para la ciudad",
    "cargo": "para carga",
    "cheap": "económicos",
    "offroad": "para terracería",
    "all_wheel": "con tracción 4x4",
}


def _mismatches(car: Car, c: Criteria) -> list[str]:
    found = []
    if c.budget and car.price > c.budget:
        found.append("over_budget")
    if c.bodies and car.body_type not in c.bodies:
        found.append("other_body_type")
    name_fit = _name_fit(car, c)
    if name_fit:
        found.append(name_fit)
    if c.transmission and car.transmission != c.transmission:
        found.append("other_transmission")
    if "all_wheel" in c.uses and not all_wheel(car.version):
        found.append("other_drive")
    if c.min_seats and (car.seats or 0) < c.min_seats:
        found.append("fewer_seats")
    if c.year_min and car.year < c.year_min:
        found.append("older")
    if c.km_max and car.km > c.km_max:
        found.append("more_km")
    # Last: a car cheaper than the range differs least from the request (the fit names the
    # bigger difference when there is one).
    if c.budget_min and car.price < c.budget_min:
        found.append("below_range")
    return found


def _name_fit(car: Car, c: Criteria) -> str | None:
    """None when the car is one of the makes/models named; else "other_model" when its make
    was named, "other_make" otherwise."""
    if not c.names:
        return None
    fits = set()
    for name in c.names:
        if name.make_key and car.make_key != name.make_key:
            fits.add("other_make")
        elif name.model_key and car.model_key != name.model_key:
            fits.add("other_model")
        else:
            return None
    return "other_model" if "other_model" in fits else "other_make"


def _money(amount: Decimal) -> str:
    return f"${amount:,.0f}"


def recommended_car(car: Car, c: Criteria) -> RecommendedCar:
    mismatches = _mismatches(car, c)
    clauses = []
    for mismatch in mismatches:
        if mismatch == "over_budget" and c.budget:
            clauses.append(f"{_money(car.price - c.budget)} arriba de tu presupuesto")
        elif mismatch == "other_body_type":
            wanted = " ni ".join(_BODY_LABELS.get(b, b) for b in c.bodies)
            clauses.append(f"es {_BODY_LABELS.get(car.body_type, 'otro tipo')}, no {wanted}")
        elif mismatch == "other_make":
            clauses.append(f"otra marca ({car.make})")
        elif mismatch == "other_model":
            clauses.append(f"otro modelo de {car.make}")
        elif mismatch == "other_transmission":
            actual = _TRANSMISSION_LABELS.get(car.transmission)
            wanted = _TRANSMISSION_LABELS.get(c.transmission or "", "")
            clauses.append(f"es {actual}, no {wanted}" if actual else "transmisión por confirmar")
        elif mismatch == "other_drive":
            clauses.append("su versión no dice 4x4")
        elif mismatch == "fewer_seats":
            clauses.append(f"es para {car.seats or 5} pasajeros")
        elif mismatch == "older":
            clauses.append(f"es {car.year}")
        elif mismatch == "more_km":
            clauses.append(f"tiene {car.km:,} km")
        elif mismatch == "below_range" and c.budget_min:
            clauses.append(f"{_money(c.budget_min - car.price)} por debajo de tu rango")
    if clauses and c.budget and not {"over_budget", "below_range"} & set(mismatches):
        clauses.append("dentro de tu presupuesto")
    # A match needs no reason: the reply already lists year, km, transmission and seats. An
    # alternative says in what it differs from what was asked.
    reason = ", ".join(clauses)
    return RecommendedCar(
        stock_id=car.stock_id,
        make=car.make,
        model=car.model,
        year=car.year,
        version=car.version,
        price=car.price,
        km=car.km,
        body_type=car.body_type,
        transmission=car.transmission,
        seats=car.seats,
        bluetooth=car.bluetooth,
        carplay=car.carplay,
        fit=mismatches[0] if mismatches else "match",
        reason=reason[:1].upper() + reason[1:],
    )


def _wanted(c: Criteria, *, either: str) -> str:
    """What the customer asked for, as a Spanish noun phrase ("SUV Toyota RAV4 automática");
    ``either`` joins the makes/models named ("Kia Rio ni Nissan Versa", "Mazda o Honda")."""
    parts = []
    if c.bodies and len(c.bodies) == 1 and c.bodies[0] in _BODY_LABELS and not c.any_model:
        parts.append(_BODY_LABELS[c.bodies[0]])
    labels = [label for name in c.names if (label := name.label)]
    if labels:
        parts.append(
            ", ".join(labels[:-1]) + f" {either} {labels[-1]}" if labels[1:] else labels[0]
        )
    if not parts:
        parts.append("autos")
    if c.transmission:
        parts.append(_TRANSMISSION_LABELS[c.transmission])
    if c.min_seats:
        parts.append(f"para {c.min_seats} o más pasajeros")
    if c.year_min:
        parts.append(f"{c.year_min} o más nuevos")
    if c.km_max:
        parts.append(f"con hasta {c.km_max:,} km")
    parts.extend(_USE_LABELS[u] for u in c.uses if u in _USE_LABELS and not c.min_seats)
    return " ".join(parts)


def _makes_of_other_models(c: Criteria, cars: tuple[RecommendedCar, ...]) -> str:
    """The named makes the "other model" cars are of ("Kia y Nissan")."""
    shown = {compact_key(car.make) for car in cars if car.fit == "other_model"}
    labels = dict.fromkeys(n.make_label for n in c.names if n.make_label and n.make_key in shown)
    return " y ".join(labels)


def _within(c: Criteria) -> str:
    """The price the customer gave, as the end of "No encontré …"."""
    if c.budget_min and c.budget:
        return f" entre {_money(c.budget_min)} y {_money(c.budget)}"
    if c.budget_min:
        return f" de {_money(c.budget_min)} o más"
    return f" dentro de {_money(c.budget)}" if c.budget else " disponibles"


def recommendation_note(
    c: Criteria,
    cars: tuple[RecommendedCar, ...],
    excluded: tuple[str, ...],
    *,
    kind_from: Decimal | None = None,
) -> str | None:
    """``kind_from``: the cheapest available car of the body type asked, when none was near the
    budget (said before the other cars shown)."""
    if not cars:
        if excluded:
            return "Ya te mostré todas las opciones disponibles que tengo para lo que buscas."
        return "Por ahora no tengo autos disponibles en el catálogo."
    matches = sum(1 for car in cars if car.fit == "match")
    if matches == len(cars):
        return None
    within = _within(c)
    if matches:
        head = (
            f"Solo encontré {matches} {'opción' if matches == 1 else 'opciones'} de "
            f"{_wanted(c, either='o')}{within}"
        )
    elif excluded:
        # "¿y la otra opción?" after the one shown: none other, not "none at all".
        head = f"No tengo otras opciones de {_wanted(c, either='ni')}{within}"
    else:
        head = f"No encontré {_wanted(c, either='ni')}{within}"
    fits = [car.fit for car in cars if car.fit != "match"]
    first = fits[0]
    if first == "over_budget" and c.budget:
        over = [car for car in cars if car.fit == "over_budget"]
        close = [car for car in over if car.price <= c.budget * OVER_BUDGET_RATIO]
        if len(close) == len(over):
            tail = "estas opciones están hasta 10% arriba de tu presupuesto"
        elif close:
            tail = "te muestro opciones hasta 10% arriba de tu presupuesto y otras más caras"
        else:
            tail = f"lo más cercano que tengo cuesta {_money(min(car.price for car in over))}"
    elif first == "below_range":
        tail = "te muestro las más cercanas por debajo de ese rango"
    elif first == "other_model":
        tail = f"te muestro otros modelos de {_makes_of_other_models(c, cars) or 'la marca'}"
    elif first == "other_make":
        tail = "te muestro opciones parecidas de otras marcas"
    elif first == "other_transmission":
        tail = "te muestro opciones con otra transmisión"
    elif first == "fewer_seats":
        tail = "te muestro las opciones más cercanas, con menos pasajeros"
    elif first == "other_drive":
        tail = "te muestro las más cercanas, sin tracción 4x4 confirmada"
    elif first in ("older", "more_km"):
        tail = "te muestro las más cercanas (cada una dice en qué cambia)"
    elif c.budget and kind_from is not None:
        tail = (
            f"lo más económico que tengo en {_wanted(c, either='o')} cuesta {_money(kind_from)}; "
            "te muestro otras opciones que sí entran en tu presupuesto"
        )
    elif c.budget:
        tail = "te muestro otras opciones que sí entran en tu presupuesto"
    else:
        tail = "te muestro otras opciones disponibles"
    if len(set(fits)) > 1 and "(cada una dice" not in tail:
        tail += " (cada una dice en qué cambia)"
    return f"{head}; {tail}."
