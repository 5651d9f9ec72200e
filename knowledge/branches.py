"""The branch directory, read from the published branches article. Pure Python, no database.

The article (slug ``sucursales``) has one section per city, "Sucursales en <city>" (or "Sucursal
en <city>"), with one bullet per branch: "- Name: address". A sentence "Abre …" in a bullet is
that branch's opening hours. Staff keep editing the article as they always did; the directory,
the knowledge answers and the appointment flow all follow the same text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from knowledge import text as kb_text
from knowledge.lexicon import OTHER_CITIES, OTHER_CITY_PATTERN, PLACES

BRANCHES_SLUG = "sucursales"

_SECTION = re.compile(r"^\s*sucursal(?:es)?\s+en\s+(?P<city>.+?)\s*$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:•|-|\*)\s*(?P<name>[^:]{2,80}):\s*(?P<rest>.+?)\s*$")
_HOURS = re.compile(r"\s*\b(?:Abre|Abrimos|Horario:?)\b\s*(?P<hours>[^.]+)\.?\s*$", re.IGNORECASE)

# How customers name the cities, folded: abbreviation or state → a word of the section's city.
CITY_ALIASES: dict[str, str] = {
    "cdmx": "ciudad de mexico",
    "df": "ciudad de mexico",
    "chilangolandia": "ciudad de mexico",
    "capital": "ciudad de mexico",
    "edomex": "estado de mexico",
    "edo mex": "estado de mexico",
    "mty": "monterrey",
    "nuevo leon": "monterrey",
    "nl": "monterrey",
    "gdl": "guadalajara",
    "jalisco": "guadalajara",
    "pue": "puebla",
    "qro": "queretaro",
    "cuerna": "cuernavaca",
    "morelos": "cuernavaca",
}
# Municipalities and neighbourhoods around the cities with branches ("ecatepec" → Estado de México).
CITY_ALIASES.update({place: CITY_ALIASES.get(area, area) for place, area in PLACES.items()})


@dataclass(frozen=True)
class Branch:
    """One Kavak branch as the branches article states it (``hours`` None when not stated)."""

    name: str
    city: str
    address: str
    hours: str | None = None


def parse_branches(sections: Iterable[tuple[str, str]]) -> list[Branch]:
    """Branches of the (heading, WhatsApp text) sections of the branches article, in order."""
    return list(_parse(tuple(sections)))


@functools.lru_cache(maxsize=64)
def _parse(sections: tuple[tuple[str, str], ...]) -> tuple[Branch, ...]:
    # Cached: every answer from the branches article reads the same few sections.
    branches: list[Branch] = []
    for heading, text in sections:
        section = _SECTION.match(heading)
        if not section:
            continue
        city = section.group("city").strip()
        for line in text.splitlines():
            bullet = _BULLET.match(line)
            if not bullet:
                continue
            rest = bullet.group("rest")
            hours_match = _HOURS.search(rest)
            hours = hours_match.group("hours").strip().rstrip(".") if hours_match else None
            address = rest[: hours_match.start()] if hours_match else rest
            branches.append(
                Branch(
                    name=bullet.group("name").strip(),
                    city=city,
                    address=address.strip().rstrip(".") + ".",
                    hours=hours,
                )
            )
    return tuple(branches)


def _city_parts(city: str) -> list[str]:
    """ "Ciudad de México y Estado de México" → ["ciudad de mexico", "estado de mexico"]."""
    return [p.strip() for p in re.split(r"\s+y\s+|,", kb_text.fold(city)) if p.strip()]


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", kb_text.fold(text))


@functools.lru_cache(maxsize=65_536)
def _close(word: str, target: str) -> bool:
    # Cached: every message is compared with the same few dozen branch and city words.
    if word == target:
        return True
    if len(target) < 6 or len(word) < 5:
        return False
    limit = 1 if len(target) <= 8 else 2
    if abs(len(word) - len(target)) > limit:
        return False
    return OSA.distance(word, target, score_cutoff=limit) <= limit


def _mentions(tokens: list[str], phrase: str) -> bool:
    """Does the folded token list contain ``phrase`` (a folded phrase), allowing small typos?"""
    target = phrase.split()
    if not target:
        return False
    if len(target) == 1:
        return any(_close(token, target[0]) for token in tokens)
    for i in range(len(tokens) - len(target) + 1):
        if all(_close(tokens[i + j], t) for j, t in enumerate(target)):
            return True
    return False


def cities_named(text: str, cities: Iterable[str]) -> list[str]:
    """The cities (as the article writes them) that ``text`` names, in the article's order.

    Accents, case, abbreviations and states ("cdmx", "df", "edomex", "mty", "gdl", "qro",
    "nuevo leon"…) and one-letter slips in long names ("monterey", "queretero") are understood.
    """
    folded = " ".join(_tokens(text))
    for alias, target in sorted(CITY_ALIASES.items(), key=lambda kv: -len(kv[0])):
        folded = re.sub(rf"\b{alias}\b", target, folded)
    tokens = folded.split()
    named: list[str] = []
    for city in cities:
        if any(_mentions(tokens, part) for part in _city_parts(city)):
            named.append(city)
    return named


_OTHER_CITY_RE = re.compile(rf"\b{OTHER_CITY_PATTERN}\b")


def cities_without_branch(text: str, cities: Iterable[str]) -> list[str]:
    """Cities and states of Mexico with no branch that ``text`` names ("Mérida"), in the order
    named; none the article has a section for (a branch opened there is a city of the article)."""
    known = {kb_text.fold(part) for city in cities for part in _city_parts(city)}
    named = (OTHER_CITIES[m.group(0)] for m in _OTHER_CITY_RE.finditer(" ".join(_tokens(text))))
    return [c for c in dict.fromkeys(named) if kb_text.fold(c) not in known]


def branch_cities(branches: Iterable[Branch]) -> list[str]:
    return list(dict.fromkeys(b.city for b in branches))


def filter_by_city(branches: list[Branch], city: str | None) -> list[Branch]:
    if city is None:
        return list(branches)
    named = cities_named(city, branch_cities(branches))
    return [b for b in branches if b.city in named]


# Words of a branch's name or address that do not single it out.
_GENERIC = frozenset(
    [
        "kavak",
        "av",
        "avenida",
        "calle",
        "col",
        "colonia",
        "cp",
        "blvd",
        "nte",
        "sur",
        "norte",
        "sotano",
        "sección",
        "seccion",
        "de",
        "del",
        "la",
        "las",
        "el",
        "los",
        "y",
        "en",
        "plaza",
        "estacionamiento",
        "exterior",
        "deck",
        "n",
        "l",
        "nl",
    ]
)


def branches_named(text: str, branches: Iterable[Branch]) -> list[Branch]:
    """Branches whose own name, or a distinctive word of their address, ``text`` mentions."""
    tokens = [t for t in _tokens(text) if not t.isdigit()]
    return [
        branch
        for branch, words in _distinctive(tuple(branches))
        if any(_mentions(tokens, w) for w in words)
    ]


@functools.lru_cache(maxsize=16)
def _distinctive(branches: tuple[Branch, ...]) -> tuple[tuple[Branch, tuple[str, ...]], ...]:
    """Each branch with the words of its name and address that single it out (cached)."""
    # A city's name in an address ("Monterrey, N.L.") names the city, not one branch.
    city_words = {w for b in branches for w in _tokens(b.city)} | {
        w for target in CITY_ALIASES.values() for w in target.split()
    }
    return tuple(
        (
            branch,
            tuple(
                w
                for w in _tokens(f"{branch.name} {branch.address}")
                if len(w) >= 5 and not w.isdigit() and w not in _GENERIC and w not in city_words
            ),
        )
        for branch in branches
    )


def branch_line(branch: Branch, *, with_hours: bool = True) -> str:
    line = f"• {branch.name}: {branch.address}"
    if with_hours and branch.hours:
        line += f" Horario: {branch.hours}."
    return line
