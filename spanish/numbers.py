"""Spanish number words: one vocabulary, one reading of a run of words, two ways to rewrite text.

``words_to_number`` reads a run ("trescientos cincuenta mil" → 350000). Text is rewritten by:

- :func:`replace_number_words`, the engine's reading of a customer's folded message: tokens are
  split on single spaces (a word glued to punctuation, "mil,", ends the run); "un"/"una" alone
  are articles ("un auto") and "uno" alone is a pronoun ("quiero uno"); a run of multipliers
  alone stays words ("300 mil", "por ciento"), and a run that cannot be read is retried from its
  second word.
- :func:`digitize_number_words`, the guardrail's reading of prose it must compare figure by
  figure: runs are whole words separated by any whitespace; "un"/"una"/"uno" are numbers when a
  unit follows ("un año", "una semana", "un millón"); "medio millón", "por ciento" and "y medio"
  are rewritten first, and a trailing "y" is kept.
"""

from __future__ import annotations

import re
from functools import lru_cache

UNITS: dict[str, int] = {
    "cero": 0,
    "un": 1,
    "uno": 1,
    "una": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "once": 11,
    "doce": 12,
    "trece": 13,
    "catorce": 14,
    "quince": 15,
    "dieciseis": 16,
    "diecisiete": 17,
    "dieciocho": 18,
    "diecinueve": 19,
    "veinte": 20,
    "veintiun": 21,
    "veintiuno": 21,
    "veintidos": 22,
    "veintitres": 23,
    "veinticuatro": 24,
    "veinticinco": 25,
    "veintiseis": 26,
    "veintisiete": 27,
    "veintiocho": 28,
    "veintinueve": 29,
}
TENS: dict[str, int] = {
    "treinta": 30,
    "cuarenta": 40,
    "cincuenta": 50,
    "sesenta": 60,
    "setenta": 70,
    "ochenta": 80,
    "noventa": 90,
}
HUNDREDS: dict[str, int] = {
    "cien": 100,
    "ciento": 100,
    "doscientos": 200,
    "doscientas": 200,
    "trescientos": 300,
    "trescientas": 300,
    "cuatrocientos": 400,
    "cuatrocientas": 400,
    "quinientos": 500,
    "quinientas": 500,
    "seiscientos": 600,
    "seiscientas": 600,
    "setecientos": 700,
    "setecientas": 700,
    "ochocientos": 800,
    "ochocientas": 800,
    "novecientos": 900,
    "novecientas": 900,
}
# Every word of a spoken number (folded), "y" included: "treinta y cinco".
NUMBER_WORDS: frozenset[str] = frozenset(
    set(UNITS) | set(TENS) | set(HUNDREDS) | {"y", "mil", "millon", "millones"}
)
# A digit spelt out on its own, as in a model name ("mazda tres", "cx cinco"): "uno", not "un".
DIGIT_NAMES: dict[str, str] = {
    "cero": "0",
    "uno": "1",
    "dos": "2",
    "tres": "3",
    "cuatro": "4",
    "cinco": "5",
    "seis": "6",
    "siete": "7",
    "ocho": "8",
    "nueve": "9",
}


def words_to_number(words: list[str]) -> int | None:
    """'trescientos cincuenta mil' → 350000; returns None when the words are not a number."""
    total = 0
    current = 0
    seen = False
    for word in words:
        if word in UNITS:
            current += UNITS[word]
        elif word in TENS:
            current += TENS[word]
        elif word in HUNDREDS:
            current += HUNDREDS[word]
        elif word == "y":
            continue
        elif word == "mil":
            total += (current or 1) * 1000
            current = 0
        elif word in ("millon", "millones"):
            total = (total + (current or 1)) * 1_000_000
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


# --- the engine's reading: space-separated tokens ---------------------------------------------
_STANDALONE_WORDS = frozenset({"mil", "millon", "millones", "ciento", "uno"})


@lru_cache(maxsize=2048)
def replace_number_words(folded: str) -> str:
    """Turn runs of number words into digits: 'trescientos mil' → '300000' (the engine's rules,
    module docstring)."""
    tokens = folded.split(" ")
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] in NUMBER_WORDS and tokens[i] != "y":
            j = i
            while j < len(tokens) and tokens[j] in NUMBER_WORDS:
                j += 1
            while j > i and tokens[j - 1] == "y":
                j -= 1
            run = tokens[i:j]
            # "un"/"una" alone is an article ("un auto"); "mil" after digits is a unit ("300 mil");
            # "ciento" alone belongs to "por ciento".
            if not run or all(t in _STANDALONE_WORDS for t in run) or run in (["un"], ["una"]):
                out.append(tokens[i])
                i += 1
                continue
            value = words_to_number(run)
            if value is None:
                out.append(tokens[i])
                i += 1
                continue
            out.append(str(value))
            i = j
        else:
            out.append(tokens[i])
            i += 1
    return " ".join(out)


# --- the guardrail's reading: whole words in prose --------------------------------------------
# "un"/"una" are articles unless a unit follows ("un año", "una semana", "un peso", "un millón").
_UNIT_AFTER_ARTICLE = re.compile(
    r"\s*(?:anos?|mes(?:es)?|dias?|semanas?|horas?|pesos?|km|kilometros?|mil|millon|millones|"
    r"%)(?![a-z])"
)
_WORD_RUN = re.compile(
    r"(?<![a-z0-9])(?:{0})(?:\s+(?:{0}))*(?![a-z0-9])".format(
        "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    )
)


def digitize_number_words(folded: str) -> str:
    """Spanish number words as digits: "tres meses" → "3 meses", "un año y medio" → "1 ano y 0.5"
    (the guardrail's rules, module docstring)."""

    def replace(m: re.Match[str]) -> str:
        words = m.group(0).split()
        tail = ""
        while words and words[-1] == "y":
            words.pop()
            tail = " y"
        after = m.string[m.end() :]
        if words in (["un"], ["una"], ["uno"]) and not _UNIT_AFTER_ARTICLE.match(after):
            return m.group(0)  # an article: "un auto"
        if not words or all(w in ("mil", "millon", "millones", "ciento") for w in words):
            return m.group(0)  # a unit after digits ("300 mil"), or "por ciento"
        value = words_to_number(words)
        return m.group(0) if value is None else f"{value}{tail}"

    text = re.sub(r"\bmedio millon\b", "500000", folded)
    text = re.sub(r"\s*\bpor ?ciento\b", "%", text)
    text = re.sub(r"\by (?:medio|media)\b", "y 0.5", text)
    return _WORD_RUN.sub(replace, text)


def dictated_digits(folded: str) -> str:
    """The digits of a number dictated word by word, as phone numbers are: "cinco cinco doce
    treinta y cuatro" → "551234" (each word or "tens y unit" group gives its own digits, never a
    sum). The longest run of such words; "" when there is none."""
    runs: list[str] = []
    current = ""
    words = folded.replace(",", " ").split()
    i = 0
    while i < len(words):
        word = words[i]
        if word in TENS:
            tens = TENS[word]
            if i + 2 < len(words) and words[i + 1] == "y" and UNITS.get(words[i + 2], 10) < 10:
                tens += UNITS[words[i + 2]]
                i += 2
            current += str(tens)
        elif word in UNITS and word not in ("un", "una", "veintiun"):
            current += str(UNITS[word]).zfill(2 if UNITS[word] >= 10 else 1)
        elif word != "y":
            runs.append(current)
            current = ""
        i += 1
    runs.append(current)
    return max(runs, key=len)


# A run of number words, commas and "y" between them: where a phone may be dictated.
_DICTATION_RUN = re.compile(
    r"(?<![a-z0-9])(?:(?:{0})(?:[\s,.\-]+|$))(?:(?:{0}|y)(?:[\s,.\-]+|$))+".format(
        "|".join(sorted((w for w in (*UNITS, *TENS) if w not in ("un", "una")), key=len)[::-1])
    )
)


def blank_dictated_phones(folded: str) -> str:
    """``folded`` with every phone number dictated in words ("cinco cinco, doce treinta y cuatro
    …": 10 digits, or 12 after a 52) blanked out (same length), so its words are never an amount."""

    def blank(m: re.Match[str]) -> str:
        digits = dictated_digits(m.group(0))
        phone = len(digits) == 10 or (len(digits) == 12 and digits.startswith("52"))
        return " " * len(m.group(0)) if phone else m.group(0)

    return _DICTATION_RUN.sub(blank, folded)
