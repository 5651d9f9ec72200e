"""Parse and validate an inventory CSV (pure Python: bytes in, rows or per-line problems out).

Format, as Kavak's inventory export writes it::

    stock_id,km,price,make,model,year,version,bluetooth,largo,ancho,altura,car_play
    305016,29377,313999.0,Toyota,Corolla,2020,1.8 LE AUTO,Sí,4650.0,1776.0,1475.0,Sí

Prices are MXN (``461999.0``), dimensions are millimetres, booleans are ``Sí`` or empty.
Every problem is reported with its line number (the header is line 1); one message per bad row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

EXPECTED_COLUMNS = (
    "stock_id", "km", "price", "make", "model", "year", "version",
    "bluetooth", "largo", "ancho", "altura", "car_play",
)  # fmt: skip
MAX_ROWS = 200_000
MAX_ISSUES = 1_000
_STOCK_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_TRUE = frozenset({"si", "sí", "s", "yes", "y", "true", "1", "x", "verdadero"})
_FALSE = frozenset({"", "no", "n", "false", "0", "falso"})
_CENT = Decimal("0.01")
_MAX_PRICE = Decimal("9999999999.99")


@dataclass(frozen=True)
class ImportIssue:
    """One problem in the file, for one line."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"Línea {self.line}: {self.message}"


@dataclass(frozen=True)
class InventoryRow:
    """One valid CSV row, typed."""

    line: int
    stock_id: str
    km: int
    price: Decimal
    make: str
    model: str
    year: int
    version: str
    bluetooth: bool
    carplay: bool
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None


def parse_inventory(data: bytes, *, max_year: int) -> tuple[list[InventoryRow], list[ImportIssue]]:
    """Every valid row and every problem; callers must import nothing when problems exist.

    ``max_year`` is the newest model year accepted (next year's models are sold this year).
    """
    text, issues = _decode(data)
    if issues:
        return [], issues
    if not text.strip():
        return [], [ImportIssue(1, "el archivo está vacío.")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        return [], [ImportIssue(1, f"no se pudo leer el encabezado ({exc}).")]
    columns = [c.strip().lower() for c in header]
    problem = _header_problem(columns)
    if problem:
        return [], [ImportIssue(1, problem)]

    rows: list[InventoryRow] = []
    first_line: dict[str, int] = {}
    try:
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue  # blank line (spreadsheets often leave some at the end)
            if len(rows) + len(issues) >= MAX_ROWS:
                issues.append(ImportIssue(line, f"el archivo tiene más de {MAX_ROWS:,} filas."))
                break
            if len(fields) != len(columns):
                issues.append(
                    ImportIssue(line, f"tiene {len(fields)} columnas; se esperaban {len(columns)}.")
                )
                continue
            row, problems = _parse_row(
                line, dict(zip(columns, fields, strict=True)), max_year=max_year
            )
            if row is not None and row.stock_id in first_line:
                problems.append(
                    f"stock_id {row.stock_id} repetido (ya está en la línea "
                    f"{first_line[row.stock_id]})"
                )
            if problems:
                issues.append(ImportIssue(line, "; ".join(problems) + "."))
            elif row is not None:
                first_line[row.stock_id] = line
                rows.append(row)
    except csv.Error as exc:
        issues.append(ImportIssue(reader.line_num, f"CSV mal formado ({exc})."))
    if not rows and not issues:
        issues.append(ImportIssue(1, "el archivo no tiene autos (solo el encabezado)."))
    return rows, issues


def _decode(data: bytes) -> tuple[str, list[ImportIssue]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    issues = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = raw[exc.start : exc.start + 1].hex()
            issues.append(
                ImportIssue(
                    number,
                    f"no está en UTF-8 (byte 0x{bad}); guarda el archivo como «CSV UTF-8».",
                )
            )
    return "", issues[:MAX_ISSUES]


def _header_problem(columns: list[str]) -> str | None:
    missing = [c for c in EXPECTED_COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in EXPECTED_COLUMNS]
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if not (missing or unknown or repeated):
        return None
    parts = []
    if missing:
        parts.append("faltan columnas: " + ", ".join(missing))
    if unknown:
        parts.append("columnas desconocidas: " + ", ".join(unknown))
    if repeated:
        parts.append("columnas repetidas: " + ", ".join(repeated))
    hint = " (¿el separador es «;»? usa comas)" if len(columns) == 1 and ";" in columns[0] else ""
    expected = ",".join(EXPECTED_COLUMNS)
    return f"encabezado inválido: {'; '.join(parts)}{hint}. Se espera: {expected}."


def _parse_row(
    line: int, raw: dict[str, str], *, max_year: int
) -> tuple[InventoryRow | None, list[str]]:
    problems: list[str] = []
    value = {k: v.strip() for k, v in raw.items()}

    stock_id = value["stock_id"]
    if not stock_id:
        problems.append("stock_id vacío")
    elif not _STOCK_ID.match(stock_id):
        problems.append(f"stock_id inválido ({stock_id!r}): solo letras, números, - y _")
    km = _integer(value["km"], "km", problems, minimum=0, maximum=2_000_000)
    price = _price(value["price"], problems)
    make = _text(value["make"], "marca (make)", 60, problems)
    model = _text(value["model"], "modelo (model)", 80, problems)
    year = _integer(value["year"], "año (year)", problems, minimum=1950, maximum=max_year)
    version = value["version"]
    if len(version) > 200:
        problems.append("versión de más de 200 caracteres")
    bluetooth = _boolean(value["bluetooth"], "bluetooth", problems)
    carplay = _boolean(value["car_play"], "car_play", problems)
    length = _millimetres(value["largo"], "largo", problems)
    width = _millimetres(value["ancho"], "ancho", problems)
    height = _millimetres(value["altura"], "altura", problems)
    if problems:
        return None, problems
    if km is None or price is None or year is None:  # pragma: no cover - reported above
        return None, problems
    return (
        InventoryRow(
            line=line,
            stock_id=stock_id,
            km=km,
            price=price,
            make=make,
            model=model,
            year=year,
            version=version,
            bluetooth=bool(bluetooth),
            carplay=bool(carplay),
            length_mm=length,
            width_mm=width,
            height_mm=height,
        ),
        [],
    )


def _number(text: str, label: str, problems: list[str]) -> Decimal | None:
    """``text`` as a number (thousands commas allowed), or None with the problem recorded."""
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        problems.append(f"{label} no es un número ({text!r})")
        return None


def _integer(
    text: str, label: str, problems: list[str], *, minimum: int, maximum: int
) -> int | None:
    if not text:
        problems.append(f"{label} vacío")
        return None
    number = _number(text, label, problems)
    if number is None:
        return None
    if not number.is_finite() or number != number.to_integral_value():
        problems.append(f"{label} no es un número entero ({text!r})")
        return None
    if number < 0 and minimum >= 0:
        problems.append(f"{label} negativo ({text})")
        return None
    if not minimum <= number <= maximum:
        problems.append(f"{label} fuera de rango ({text}; entre {minimum} y {maximum})")
        return None
    return int(number)


def _price(text: str, problems: list[str]) -> Decimal | None:
    if not text:
        problems.append("precio (price) vacío")
        return None
    cleaned = text.replace("$", "").replace(",", "").replace(" ", "")
    try:
        price = Decimal(cleaned)
    except InvalidOperation:
        problems.append(f"precio (price) no es un número ({text!r})")
        return None
    if not price.is_finite() or price <= 0:
        problems.append(f"precio (price) debe ser mayor que cero ({text})")
        return None
    price = price.quantize(_CENT, rounding=ROUND_HALF_UP)
    if price > _MAX_PRICE:
        problems.append(f"precio (price) fuera de rango ({text})")
        return None
    return price


def _text(text: str, label: str, max_length: int, problems: list[str]) -> str:
    if not text:
        problems.append(f"{label} vacío")
    elif len(text) > max_length:
        problems.append(f"{label} de más de {max_length} caracteres")
    return text


def _boolean(text: str, label: str, problems: list[str]) -> bool | None:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    problems.append(f"{label} debe ser «Sí» o vacío ({text!r})")
    return None


def _millimetres(text: str, label: str, problems: list[str]) -> int | None:
    if not text:
        return None
    number = _number(text, label, problems)
    if number is None:
        return None
    if not number.is_finite() or not 500 <= number <= 20_000:
        problems.append(f"{label} fuera de rango ({text} mm)")
        return None
    return int(number.to_integral_value(rounding=ROUND_HALF_UP))
