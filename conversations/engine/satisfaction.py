"""Customer satisfaction (CSAT): when the one question is asked, and how its answer is read.

The question ("del 1 al 5…") is asked at most once per conversation, when it ends: a lead was
captured, the customer closed softly ("mejor no, gracias"), said thanks once nothing was pending,
or (outside a turn) staff gave a handed-off conversation back to the bot. ``ConversationState
.survey`` remembers it: ``""`` never asked, ``asked`` the question was the agent's last word,
``answered`` or ``passed`` once the next message came.

Only the message right after the question may be an answer, and only when the whole message is a
score (with an optional comment after it): "5", "un 4", "5 estrellas", "4/5", "excelente",
"muy mal, nadie me llamó". Anything else ("el 2", "¿y el enganche?", "5 mil") is not an answer and
is handled as a normal turn, so a score reading never steals a real turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spanish import fold_in_place

ASKED = "asked"
ANSWERED = "answered"
PASSED = "passed"  # the next message was not a score: the question is not asked again

# Why the question was asked (``understood["survey"]``, and the dashboard's notes).
LEAD = "lead"
DECLINED = "declined"
GOODBYE = "goodbye"
HANDOFF_CLOSED = "handoff_closed"

COMMENT_MAX_CHARS = 1000

_NUMBER_WORDS = {"uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5}
# Whole-phrase verdicts, longest first so "muy mal" is not read as "mal".
_VERDICTS: tuple[tuple[str, int], ...] = (
    ("muy muy mal", 1),
    ("muy mala", 1),
    ("muy malo", 1),
    ("muy mal", 1),
    ("pesimo", 1),
    ("pesima", 1),
    ("terrible", 1),
    ("horrible", 1),
    ("malo", 2),
    ("mala", 2),
    ("mal", 2),
    ("regular", 3),
    ("mas o menos", 3),
    ("maso", 3),
    ("masomenos", 3),
    ("muy bien", 4),
    ("muy buena", 4),
    ("muy bueno", 4),
    ("bien", 4),
    ("buena", 4),
    ("bueno", 4),
    ("excelente", 5),
    ("excelentes", 5),
    ("exelente", 5),
    ("perfecto", 5),
    ("perfecta", 5),
    ("de diez", 5),
    ("de 10", 5),
    ("increible", 5),
    ("buenisimo", 5),
    ("buenisima", 5),
    ("super bien", 5),
)
_VERDICT = "|".join(re.escape(v) for v, _ in sorted(_VERDICTS, key=lambda p: -len(p[0])))
_VERDICT_SCORE = dict(_VERDICTS)
_NUMBER = r"(?P<n>[1-5]|uno|una|dos|tres|cuatro|cinco)"
# "5", "un 5", "le doy 5", "mi calificación es 4", "5/5", "4 de 5", "5 estrellas", "⭐⭐⭐⭐".
_SCORE = re.compile(
    r"^(?:(?:yo\s+)?(?:le\s+|les\s+|te\s+)?(?:doy|daria|pongo|pondria)\s+)?"
    r"(?:(?:mi\s+)?(?:calificacion|puntuacion|respuesta)\s*(?:es|seria|:)?\s*)?"
    r"(?:un\s+|una\s+)?"
    rf"{_NUMBER}"
    r"(?:\s*(?:/|de)\s*5)?"
    r"(?:\s*(?:estrellas?|puntos?|⭐+))?"
    r"(?P<rest>.*)$",
    re.DOTALL,
)
_STARS = re.compile(r"^(?P<stars>(?:⭐|★|🌟)(?:\s*(?:⭐|★|🌟)){0,4})(?P<rest>.*)$", re.DOTALL)
_WORDS = re.compile(
    rf"^(?:(?:todo\s+|la\s+atencion\s+|el\s+servicio\s+|me\s+atendieron\s+)?(?:fue\s+|estuvo\s+)?)"
    rf"(?P<v>{_VERDICT})(?P<rest>.*)$",
    re.DOTALL,
)
# What may follow a bare score without punctuation: the start of a comment, not a unit or a car
# ("5 mil", "4 puertas", "3 años" are not answers).
_COMMENT_LEAD = re.compile(
    r"^(?:gracias|muchas|pero|muy|todo|toda|excelente|buen[ao]?|bien|mal[ao]?|porque|ya que|"
    r"el asesor|la asesora|la atencion|me\s|nadie|super|rapido|rapida|lento|lenta|"
    r"atencion|servicio)\b"
)
_SEPARATOR = re.compile(r"^\s*[,.;:!¡\-–—)\n]")


@dataclass(frozen=True)
class SatisfactionReading:
    score: int  # 1..5
    comment: str  # what the customer added after the score ("" when nothing)


def read_answer(text: str) -> SatisfactionReading | None:
    """The score (and comment) of a message answering the CSAT question; None if it is not one.

    Strict on purpose: a question, a car or money phrase, a choice ("el 2") or a number outside
    1-5 is not a score. The comment is the original text after the score, trimmed.
    """
    raw = (text or "").strip()
    if not raw or "?" in raw or len(raw) > COMMENT_MAX_CHARS + 40:
        return None
    folded = fold_in_place(raw)
    score, rest_at = _score(folded)
    if score is None:
        return None
    rest = folded[rest_at:]
    if not rest.strip(" !.¡"):
        return SatisfactionReading(score=score, comment="")
    if rest[:1].isalnum():
        return None  # "5mil", "4x4", "buenas": the score was part of a word or a number
    if not (_SEPARATOR.match(rest) or _COMMENT_LEAD.match(rest.strip())):
        return None  # "5 mil", "4 puertas", "3 años": not an answer to the question
    comment = raw[rest_at:].strip(_TRIM)[:COMMENT_MAX_CHARS]
    return SatisfactionReading(score=score, comment=comment)


_TRIM = " \n\t,.;:!¡-–—)"


def _score(folded: str) -> tuple[int | None, int]:
    """The score and where the rest of the message starts in ``folded``."""
    match = _STARS.match(folded)
    if match:
        stars = sum(1 for ch in match["stars"] if not ch.isspace())
        return stars, match.start("rest")
    match = _SCORE.match(folded)
    if match:
        n = match["n"]
        return (int(n) if n.isdigit() else _NUMBER_WORDS[n]), match.start("rest")
    match = _WORDS.match(folded)
    if match:
        return _VERDICT_SCORE[match["v"]], match.start("rest")
    return None, 0
