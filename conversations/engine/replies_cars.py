"""Replies about the cars shown: their facts, a recommendation, ranks, fuel, and the financing
rules (always from the catalogue data and the engine's configuration, never invented)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from conversations.engine.replies import (
    BODY_TYPE_ES,
    FUEL_ES,
    USES_ES,
    _join,
    _transmission,
    km,
    mxn,
)
from conversations.engine.state import CarOption


# --- the car searched for, said back
def _car_name(make: str | None, model: str | None) -> str:
    if model:
        name = model if make and model.lower().startswith(make.lower()) else f"{make} {model}"
        return name.strip() if make else model
    return make or ""


def need_summary(
    *,
    body_type: str | None,
    uses: tuple[str, ...],
    make: str | None,
    model: str | None,
    transmission: str | None,
    seats: int | None = None,
    km_max: int | None = None,
    alternatives: tuple[tuple[str | None, str | None], ...] = (),
) -> str:
    parts: list[str] = []
    if model or make:
        names = [_car_name(make, model)] + [_car_name(*pair) for pair in alternatives]
        parts.append(" o ".join(n for n in names if n))
    elif body_type:
        parts.append(BODY_TYPE_ES.get(body_type, body_type))
    else:
        parts.append("auto")
    if body_type and (make or model):
        parts.append(f"({BODY_TYPE_ES.get(body_type, body_type)})")
    if transmission:
        parts.append("automático" if transmission == "automatic" else "estándar")
    if seats:
        parts.append(f"para {seats} o más pasajeros")
    parts.extend(USES_ES[u] for u in uses if u in USES_ES and not (seats and u == "family"))
    if km_max:
        parts.append(f"con menos de {km_max:,} km")
    return " ".join(parts)


def stock_count(count: int, summary: str) -> str:
    """ "¿Tienen automáticos?" answered from the catalogue."""
    if count == 0:
        return f"Por ahora no tengo {summary} en el catálogo; te puedo mostrar opciones parecidas."
    if count == 1:
        return f"Sí, ahora tengo 1 opción de {summary} en el catálogo."
    return f"Sí, ahora tengo {count} opciones de {summary} en el catálogo."


# --- questions about the cars shown ---------------------------------------------------------------
_FIELD_NAMES = {
    "photos": "fotos",
    "location": "la sucursal donde está",
    "color": "el color",
    "fuel": "el tipo de combustible",
    "owners": "el historial (dueños y choques)",
    "carplay": "CarPlay",
    "bluetooth": "Bluetooth",
    "transmission": "la transmisión",
    "seats": "los pasajeros",
    "version": "la versión",
    "equipment": "ese equipamiento",
    "consumption": "el consumo de combustible",
    "comfort": "la comodidad y el espacio",
    "capacity": "la capacidad (cajuela, carga o potencia)",
    "traction": "la tracción",
}
# How a version names its drive: all wheels, or two.
_ALL_WHEELS = re.compile(r"\b(?:4WD|AWD|4X4|4MATIC|QUATTRO|XDRIVE|ALLGRIP|4MOTION)\b", re.I)
_TWO_WHEELS = re.compile(r"\b(?:2WD|4X2|FWD|RWD)\b", re.I)


def _fact(car: CarOption, name: str) -> str | None:
    if name == "km":
        return f"tiene {km(car.km)}"
    if name == "year":
        return f"es modelo {car.year}"
    if name == "transmission":
        return f"es {_transmission(car)}" if _transmission(car) else None
    if name == "price":
        return f"cuesta {mxn(car.price)}"
    if name == "version":
        return f"es la versión {car.version}" if car.version else None
    if name == "seats":
        return f"es para {car.seats} pasajeros" if car.seats else None
    if name == "traction":
        if car.version and _ALL_WHEELS.search(car.version):
            return f"es de tracción integral (su versión dice {car.version})"
        if car.version and _TWO_WHEELS.search(car.version):
            return f"es de tracción sencilla, no 4x4 (su versión dice {car.version})"
        return None
    if name == "available":
        return "sigue disponible en el catálogo"
    if name == "photos":
        return None
    if name in ("carplay", "bluetooth"):
        label = "CarPlay" if name == "carplay" else "Bluetooth"
        value = getattr(car, name)
        if value is None:
            return None
        return f"tiene {label}" if value else f"no tiene {label}"
    return None


def car_facts(cars: Sequence[tuple[int, CarOption]], fields: Sequence[str]) -> str:
    """Answer from the catalogue data of the cars asked about ("El 3 tiene 45,000 km…")."""
    lines = []
    unknown: list[str] = []
    for index, car in cars:
        facts = [f for f in (_fact(car, name) for name in fields) if f]
        missing = [name for name in fields if _fact(car, name) is None]
        unknown.extend(m for m in missing if m not in unknown)
        label = f"El {index} (*{car.title}*)" if index else f"El *{car.title}*"
        if facts:
            lines.append(f"{label} {_join(facts)}.")
    if "photos" in unknown:
        unknown.remove("photos")
        ids = ", ".join(car.stock_id for _, car in cars)
        lines.append(
            f"Búscalo en kavak.com con su número de stock ({ids}): ahí están sus fotos. Por este "
            "chat no puedo enviar fotos ni enlaces; si quieres, un asesor te los manda."
        )
    if unknown:
        names = [_FIELD_NAMES.get(m, m) for m in unknown]
        about = _join(names)
        about = f"del {about[3:]}" if about.startswith("el ") else f"de {about}"
        lines.append(
            f"{about[0].upper()}{about[1:]} no tengo el dato en el catálogo; un asesor te lo "
            "confirma si quieres."
        )
    return "\n".join(lines)


def recommendation(options: Sequence[tuple[int, CarOption]]) -> str:
    """The best fit is the first shown (the catalogue ranks them by the customer's search); the
    cheapest and the one with the fewest km are named when they are other ones."""
    best, car = options[0]
    lines = [
        f"Por lo que me pediste, te recomendaría el {best} (*{car.title}*): es el que mejor"
        " se ajusta a tu búsqueda."
    ]
    cheapest = min(options, key=lambda o: o[1].price)[0]
    fewest = min(options, key=lambda o: o[1].km)[0]
    if cheapest != best:
        lines.append(f"Si lo que más te importa es el precio, el más económico es el {cheapest}.")
    if fewest not in (best, cheapest):
        lines.append(f"Si prefieres el de menos kilometraje, es el {fewest}.")
    return " ".join(lines)


def rank_answer(index: int, car: CarOption, rank: str) -> str:
    what = {
        "newest": "El más nuevo",
        "cheapest": "El más económico",
        "lowest_km": "El de menos kilometraje",
        "priciest": "El de mayor precio",
    }[rank]
    return f"{what} es el {index}: *{car.title}* {car.version}, {mxn(car.price)}, {km(car.km)}."


def fuel_answer(fuel: str, count: int) -> str:
    kind = FUEL_ES.get(fuel, fuel)
    if count:
        return f"Sí, ahora tengo {count} {'auto' if count == 1 else 'autos'} {kind} en el catálogo."
    return (
        f"Por ahora no tenemos autos {kind} en el catálogo; todo lo que tengo es de gasolina. "
        "Si quieres, te muestro opciones económicas de bajo consumo."
    )


def down_for_monthly(
    car: CarOption,
    monthly: Decimal,
    downs: Sequence[tuple[int, Decimal]],
    *,
    minimum: Decimal,
    rate: Decimal,
) -> str:
    """ "¿Cuánto doy de enganche para pagar 8 mil al mes?": the down payment at each term."""
    lines = [f"Para pagar unos {mxn(monthly)} al mes por el *{car.title}* ({mxn(car.price)}):"]
    lines += [
        f"• a {term} meses: enganche de {mxn(down)}" + (" (el mínimo)" if down <= minimum else "")
        for term, down in downs
    ]
    lines.append(f"Es una estimación con tasa anual fija de {rate * 100:.0f}%.")
    return "\n".join(lines)


def rules_answer(
    topic: str,
    *,
    rate: Decimal,
    terms: Sequence[int],
    min_ratio: Decimal,
    car: CarOption | None,
    price: Decimal | None = None,
) -> str:
    """Financing rules, from the configuration (never from an article); ``price``: of the car
    the customer has in mind when none is chosen ("para un carro de 180 mil")."""
    if topic == "rate":
        return (
            f"La tasa que uso para simular es anual fija de {rate * 100:.0f}%, con pagos mensuales "
            "iguales; es una estimación sujeta a aprobación de crédito."
        )
    if topic == "terms":
        listed = ", ".join(str(t) for t in terms[:-1]) + f" y {terms[-1]}"
        return f"Manejamos plazos de {listed} meses ({terms[0] // 12} a {terms[-1] // 12} años)."
    if topic == "max_financed":
        share, least = f"{(1 - min_ratio) * 100:.0f}%", f"{min_ratio * 100:.0f}%"
        head = f"Se puede financiar hasta el {share} del precio (el otro {least} es el enganche)"
        if car is not None or price is not None:
            total = car.price if car is not None else price
            assert total is not None  # noqa: S101 - one of the two is given
            financed = (total * (1 - min_ratio)).quantize(Decimal("0.01"))
            what = f"el *{car.title}*" if car is not None else f"un auto de {mxn(total)}"
            return f"{head}: para {what} son hasta {mxn(financed)}, sujeto a aprobación de crédito."
        return f"{head}, sujeto a aprobación de crédito."
    minimum = f"El enganche mínimo es de {min_ratio * 100:.0f}% del precio"
    if car is not None:
        amount = (car.price * min_ratio).quantize(Decimal("0.01"))
        return f"{minimum}: para el *{car.title}* son {mxn(amount)}."
    if price is not None:
        amount = (price * min_ratio).quantize(Decimal("0.01"))
        return f"{minimum}: para un auto de {mxn(price)} son {mxn(amount)}."
    return f"{minimum} del auto; sin enganche no es posible."


def choose_which(options: Sequence[tuple[int, CarOption]]) -> str:
    listed = ", ".join(f"el {i} ({car.title}, {mxn(car.price)})" for i, car in options)
    return f"Tengo más de uno así: {listed}. ¿Cuál de ellos?"


def choose_between(options: Sequence[tuple[int, CarOption]]) -> str:
    """ "Me gustan la 1 y la 2": both side by side, and which one."""
    facts = car_facts(options, ("price", "year", "km", "transmission"))
    return f"{facts}\n\n¿Con cuál te quedas? Dime el número y te hago la simulación."


def option_beyond(count: int) -> str:
    numbers = ", ".join(str(i) for i in range(1, count)) + f" o {count}" if count > 1 else "1"
    return f"Te mostré {count} opciones: dime {numbers}, o pide «otras opciones»."


def visit_which(*, call: bool) -> str:
    if call:
        return "¡Claro! ¿Por cuál de las opciones quieres que te llame un asesor? Dime el número."
    return (
        "¡Claro que puedes ir a verlo en persona! ¿Cuál te gustaría ver? Dime el número y te "
        "agendo la cita."
    )


def names_not_in_stock(names: Sequence[str], *, budget: Decimal | None) -> str:
    listed = " ni ".join(f"*{n}*" for n in names)
    where = f"dentro de {mxn(budget)}" if budget else "que cumplan lo que buscas"
    return f"De {listed} no tengo unidades {where} en este momento."


def next_step_choose() -> str:
    return (
        "¡Va! Así le hacemos: primero me dices cuál te interesa (el número), te hago la "
        "simulación de financiamiento (o de contado, si prefieres) y luego agendamos tu cita para "
        "verlo. ¿Cuál te gustó?"
    )


def cash_noted() -> str:
    return "Perfecto, de contado: no necesitas financiamiento."


def cash_answer() -> str:
    return "¡Claro! Puedes pagarlo de contado; así no necesitas financiamiento."


def which_one(count: int) -> str:
    """A yes with several options shown: which one."""
    numbers = ", ".join(str(n) for n in range(1, count)) + f" o {count}"
    return f"¡Va! ¿Cuál de las opciones? Dime el número ({numbers})."


def price_range(prices: tuple[Decimal, Decimal] | None, kind: str | None) -> str:
    """ "¿Qué precios manejan?" answered from the catalogue."""
    what = _plural(BODY_TYPE_ES.get(kind, kind)) if kind else "autos"
    if prices is None:
        return f"Por ahora no tengo {what} en el catálogo."
    low, high = prices
    return (
        f"Ahora tengo {what} desde {mxn(low)} hasta {mxn(high)}. Con tu presupuesto (o la "
        "mensualidad que te acomode) te muestro los que mejor te queden."
    )


def _plural(name: str) -> str:
    """ "sedán" → "sedanes", "SUV" → "SUV", "pickup" → "pickups"."""
    if name.isupper():
        return name
    if name.endswith("án"):
        return name[:-2] + "anes"
    return name + "s"


def sell_question(times: int) -> str:
    """What comes next for a customer who wants to sell their car (instead of the need question,
    worded anew the second time)."""
    if times:
        return (
            "Para cotizar tu auto, un asesor te llama: ¿me pasas tu nombre y celular? Si también "
            "quieres ver autos para comprar, dime cuál."
        )
    return (
        "Si quieres, un asesor de Kavak te contacta para cotizar tu auto: déjame tu nombre y tu "
        "celular. Y si además buscas comprar uno, dime qué tipo de auto te interesa."
    )
