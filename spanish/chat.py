"""Chat spellings read as the words they stand for: "kiero" is "quiero", "q" "que", "pa" "para".

Customers write WhatsApp Spanish: k for qu, x for por, dropped letters, abbreviations. Every
rule of the engine is written once, on standard spelling; this table brings the common chat forms
to it, so a cue that knows "quiero" also knows "kiero" without a variant of its own. Only whole
words change, and only spellings that mean one thing: "k" after a number is a thousand ("250 k"),
and a letter glued to a digit is a model name ("q5", "x1"), so neither is touched. The output never
holds a key of the table (reading it again changes nothing).
"""

from __future__ import annotations

import re

from spanish.frequent import frequent_folded_words

CHAT_SPELLINGS: dict[str, str] = {
    # k for qu, and the one-letter "que"
    "q": "que", "ke": "que", "kiero": "quiero", "kero": "quiero", "qiero": "quiero",
    "kiere": "quiere", "kieres": "quieres", "kieren": "quieren", "kisiera": "quisiera",
    "kisieramos": "quisieramos", "kien": "quien", "kual": "cual", "kuales": "cuales",
    "kuanto": "cuanto", "kuanta": "cuanta", "kuantos": "cuantos", "kuantas": "cuantas",
    "aki": "aqui", "aka": "aca", "xq": "porque", "xk": "porque", "pq": "porque", "porq": "porque",
    # dropped letters and abbreviations
    "nesesito": "necesito", "nesecito": "necesito", "nececito": "necesito",
    "nesesitamos": "necesitamos", "nesecitamos": "necesitamos",
    "engache": "enganche", "engance": "enganche", "enganchr": "enganche",
    "pa": "para", "pal": "para el", "d": "de", "dnd": "donde", "dnde": "donde",
    "tb": "tambien", "tmb": "tambien", "tmbn": "tambien", "tambn": "tambien",
    "toy": "estoy", "stoy": "estoy", "sta": "esta", "tamos": "estamos", "ta": "esta",
    "ps": "pues", "pz": "pues", "tons": "entonces", "ntons": "entonces", "entons": "entonces",
    "aver": "a ver", "osea": "o sea", "bn": "bien", "vdd": "verdad",
    "ud": "usted", "uds": "ustedes", "ustd": "usted", "ustds": "ustedes",
    # greetings, thanks, yes and no as typed
    "ola": "hola", "bnas": "buenas", "bns": "buenas", "bnos": "buenos",
    "wenas": "buenas", "wenos": "buenos", "weno": "bueno", "wno": "bueno",
    "bno": "bueno", "grax": "gracias", "grcs": "gracias", "grs": "gracias", "grasias": "gracias",
    "porfa": "por favor", "porfis": "por favor", "xfa": "por favor", "xfavor": "por favor",
    "plis": "por favor", "pls": "por favor", "oki": "ok", "okey": "ok", "okay": "ok",
    "sip": "si", "nop": "no", "nope": "no", "nel": "no",
    # hundreds as typed: "docientos", "trecientos"
    "docientos": "doscientos", "trecientos": "trescientos", "sietecientos": "setecientos",
    "nuevecientos": "novecientos", "cincocientos": "quinientos",
}  # fmt: skip
# Hundreds typed as two words: "dos cientos ochenta mil" is 280,000, not "dos" and 80,000.
_SPLIT_HUNDREDS = re.compile(
    r"(?<!\w)(dos|tres|cuatro|cinco|seis|siete|ocho|nueve) cient([oa]s)(?!\w)"
)
_JOINED = {"cinco": "quinient", "siete": "setecient", "nueve": "novecient"}

_WORD = re.compile(r"(?<![\w$])[a-z]+(?!\w)")
# "k" and "x" are words only away from numbers: "250 k" is 250 thousand, "4 x 4" a drive.
_K_OR_X = re.compile(r"(?<![\w$])(?<![\d$] )([kx])(?!\w)(?! \d)")


def chat_words(folded: str) -> str:
    """``folded`` (lower case, no accents) with each chat spelling replaced by its word, and a
    word spelt by its sound ("nuebo", "meces", "informasion") by the frequent word it sounds as."""
    text = _K_OR_X.sub(lambda m: "que" if m.group(1) == "k" else "por", folded)
    if "cient" in text:
        text = _SPLIT_HUNDREDS.sub(
            lambda m: _JOINED.get(m.group(1), m.group(1) + "cient") + m.group(2), text
        )
    return _WORD.sub(lambda m: CHAT_SPELLINGS.get(m.group(0)) or _by_sound(m.group(0)), text)


# Letters Mexican Spanish says alike: b and v always; s, z and a soft c (before e or i).
_SOUNDS_LIKE = {"b": "v", "v": "b", "s": "cz", "z": "s", "c": "s"}


def _by_sound(word: str) -> str:
    """The frequent word ``word`` sounds as, one letter apart by sound ("nuebo" → "nuevo",
    "meces" → "meses", "serca" → "cerca"); a word already frequent, short or unlike any, as is
    (a car name is no frequent word, so "bento" stays for the matcher to read as Vento)."""
    if len(word) < 4:
        return word
    frequent = frequent_folded_words(min_length=4)
    if word in frequent:
        return word
    for i, letter in enumerate(word):
        soft = word[i + 1 : i + 2] in ("e", "i")
        for other in _SOUNDS_LIKE.get(letter, ""):
            if "c" in (letter, other) and not soft:
                continue  # a hard c ("casa") sounds as k, not s
            respelt = word[:i] + other + word[i + 1 :]
            if respelt in frequent:
                return respelt
    return word
