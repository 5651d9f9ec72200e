"""Fields derived from the inventory row: transmission and body type (pure functions).

The CSV has neither column. Transmission comes from the tokens Mexican listings put in the
version ("1.8 LE AUTO", "2.0 LX MT", "1.5 SDRIVE18IA EXECUTIVE DCT"); body type comes from the
staff-edited reference table, overridden when the version says it ("2.5 HATCHBACK S GT TA").
"""

from __future__ import annotations

import re

AUTOMATIC_TOKENS = frozenset(
    {
        "AUTO", "AUT", "AUTOMATICO", "AUTOMATICA", "AUTOMATIC", "AT", "TA", "A", "CVT", "IVT",
        "DCT", "DSG", "XTRONIC", "TIPTRONIC", "STRONIC", "TRONIC", "ASG", "PDK", "STEPTRONIC",
        "SPORTSHIFT", "EDC", "POWERSHIFT", "GEARTRONIC", "MULTITRONIC", "AMT", "DUALOGIC",
    }
)  # fmt: skip
MANUAL_TOKENS = frozenset({"MT", "STD", "TM", "MANUAL", "ESTANDAR", "MAN"})
BODY_TOKENS = {
    "HATCHBACK": "hatchback",
    "HB": "hatchback",
    "SEDAN": "sedan",
    "COUPE": "coupe",
    "CONVERTIBLE": "convertible",
    "CABRIO": "convertible",
    "CABRIOLET": "convertible",
    "ROADSTER": "convertible",
    "WAGON": "wagon",
    "SPORTWAGEN": "wagon",
}
_TOKEN = re.compile(r"[A-Z0-9]+")
# BMW writes automatic as an "IA" suffix on the engine code: 320IA, SDRIVE18IA, XDRIVE50IA.
_BMW_AUTOMATIC = re.compile(r"^(?:[SX]DRIVE)?\d{2,3}IA$")


def _tokens(version: str) -> list[str]:
    upper = (
        version.upper()
        .replace("Á", "A")
        .replace("É", "E")
        .replace("Í", "I")
        .replace("Ó", "O")
        .replace("Ú", "U")
    )
    return _TOKEN.findall(upper.replace("S TRONIC", "STRONIC"))


def transmission_from_version(version: str) -> str:
    """``automatic``, ``manual`` or ``unknown`` from the version's tokens.

    The last transmission token wins ("1.6 AT F LTZ" → automatic). A bare "A" counts unless a
    number follows it ("1.0 LS A" is automatic; "A 200" is a Mercedes engine code).
    """
    found = "unknown"
    words = _tokens(version)
    for position, word in enumerate(words):
        following = words[position + 1] if position + 1 < len(words) else ""
        engine_code = word == "A" and following.isdigit()
        if word in MANUAL_TOKENS:
            found = "manual"
        elif (word in AUTOMATIC_TOKENS and not engine_code) or _BMW_AUTOMATIC.match(word):
            found = "automatic"
    return found


def body_type_from_version(version: str, *, default: str) -> str:
    """The body type the version states ("SEDAN", "HATCHBACK"...), else ``default``."""
    for token in _tokens(version):
        if token in BODY_TOKENS:
            return BODY_TOKENS[token]
    return default
