"""How figures and catalogue words are said in every reply: money, kilometres, body types, uses,
fuels, the transmission and a list in prose ("a, b y c")."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from conversations.engine.state import CarOption

BODY_TYPE_ES = {
    "sedan": "sedán",
    "hatchback": "hatchback",
    "suv": "SUV",
    "pickup": "pickup",
    "minivan": "minivan",
    "coupe": "coupé",
    "convertible": "convertible",
    "van": "van",
    "wagon": "station wagon",
}
USES_ES = {
    "family": "para la familia",
    "city": "para la ciudad",
    "cargo": "para carga",
    "cheap": "económico",
    "offroad": "para terracería",
    "all_wheel": "con tracción 4x4",
}
FUEL_ES = {"electric": "eléctricos", "hybrid": "híbridos", "diesel": "diésel"}


def mxn(value: Decimal) -> str:
    """Money in prose: "$236,999" for whole pesos, "$4,123.45" when the centavos matter."""
    if value == value.to_integral_value():
        return f"${value:,.0f}"
    return f"${value:,.2f}"


def mxn_cents(value: Decimal) -> str:
    """Money in a financing table: always with centavos, so the figures line up and add up."""
    return f"${value:,.2f}"


def km(value: int) -> str:
    return f"{value:,} km"


def _transmission(car: CarOption) -> str:
    return {"automatic": "automático", "manual": "estándar"}.get(car.transmission, "")


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " y " + items[-1]
