"""Transmission and body type derived from the version string (pure functions)."""

from __future__ import annotations

import pytest

from catalog.derivation import body_type_from_version, transmission_from_version


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.8 LE AUTO", "automatic"),
        ("1.5 XLE AT", "automatic"),
        ("2.0 SEDAN I TA", "automatic"),
        ("1.5 PRIME CVT", "automatic"),
        ("3.0 M2 DCT", "automatic"),
        ("1.6 ADVANCE LTS XTRONIC", "automatic"),
        ("1.6 SC STYLE TIPTRONIC", "automatic"),
        ("1.4 TFSI COOL S TRONIC", "automatic"),
        ("1.6 5 PTAS. TRENDLINE ASG", "automatic"),
        ("2.0 GT LINE IVT", "automatic"),
        ("1.0 LS A", "automatic"),
        ("2.0 320IA SPORT LINE AUTO", "automatic"),
        ("1.5 SDRIVE18IA EXECUTIVE", "automatic"),
        ("2.0 LX MT", "manual"),
        ("1.6 STD", "manual"),
        ("1.6 TM", "manual"),
        ("1.6 AT F LTZ", "automatic"),
        ("1.6 A 200 STYLE", "unknown"),  # Mercedes engine code, not "A" for automatic
        ("1.5 IMPULSE", "unknown"),
        ("", "unknown"),
    ],
)
def test_transmission_from_version_tokens(version: str, expected: str) -> None:
    assert transmission_from_version(version) == expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("2.5 HATCHBACK S GT TA", "hatchback"),
        ("2.0 SEDAN I TA", "sedan"),
        ("2.0 CABRIO AUTO", "convertible"),
        ("2.0 COUPE", "coupe"),
        ("1.8 LE AUTO", "suv"),
    ],
)
def test_body_type_from_version_overrides_the_default(version: str, expected: str) -> None:
    assert body_type_from_version(version, default="suv") == expected
