"""What part of an article answers the question, shaped for WhatsApp. Pure Python, no database.

Retrieval (``knowledge.index``) finds the article and its best sections; this module decides what
the customer reads:
- the *kind* of question: a price, a phone number, opening hours, a figure ("¿cuántos…?"), a
  process ("¿cómo le hago…?"). A section that cannot hold that kind of answer does not answer
  it: "¿cuánto cuesta Kavak Total?" finds the Kavak Total section, which states no price, and
  the agent says it does not have the figure instead of quoting it;
- the part of the section asked for: the sentence with the figure, the branches of the city
  named, the hours of the branch named, a short list of cities when no city is named;
- WhatsApp size: long lists are cut with an offer to send the rest.

The Spanish copy of knowledge answers lives here (the knowledge app owns its wording, as the
fallback in ``knowledge.answering`` does).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from knowledge import branches as kb_branches
from knowledge import text as kb_text

ANSWER_MAX_CHARS = 900


class Kind(StrEnum):
    """What the question asks for; the section chosen must be able to answer it."""

    PRICE = "price"
    CONTACT = "contact"
    HOURS = "hours"
    YEAR = "year"
    FIGURE = "figure"
    WHO = "who"
    STEPS = "steps"
    OTHER = "other"


_KIND_PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (
        Kind.CONTACT,
        re.compile(
            r"\b(?:telefono|numero (?:de )?(?:telefono|contacto|whats(?:app)?)|correo|e-?mail"
            r"|mail|llamarles|les llamo|contacto)\b"
        ),
    ),
    (
        Kind.PRICE,
        # An amount is asked for ("¿cuánto cuesta…?", "¿es gratis?"); "¿sus precios son
        # buenos?" asks about prices without asking for one, and is answered like any question.
        re.compile(
            r"\bcuanto (?:cuesta|cuestan|sale|salen|cobran|cobra|vale|valen)\b"
            r"|\b(?:que|cual es el) (?:precio|costo)\b|\btarifas?\b|\bcomision(?:es)?\b"
            r"|\b(?:es|son|sale|salen) gratis\b|\btiene (?:algun )?costo\b"
        ),
    ),
    (
        Kind.HOURS,
        re.compile(r"\bhorarios?\b|\b(?:a )?que hora\b|\babren\b|\bcierran\b|\babre\b|\bcierra\b"),
    ),
    (
        Kind.YEAR,
        re.compile(
            r"\ben que ano\b|\bdesde cuando (?:existe|existen|opera|operan|esta|estan|venden)\b"
            r"|\bcuando (?:se )?fund"
        ),
    ),
    (
        Kind.FIGURE,
        re.compile(
            r"\bcuant[oa]s\b|\bcuanto (?:tiempo|dura|duran|tarda|tardan)\b|\bde cuanto\b"
            r"|\ben cuanto (?:tiempo)?\b|\bcuanto (?:es|son)\b|\bque tan rapido\b"
            # A quantity asked without "cuántos": "¿tienen muchos autos para escoger?" is
            # answered by the figure ("miles"), not by the advisors who help to choose. (Wider
            # forms, "mucho tiempo", "inventario grande", cost a held-out floor; not kept.)
            r"|\b(?:muchos|muchas|bastantes) (?:autos|carros|coches|camionetas|opciones|modelos)\b"
        ),
    ),
    (
        Kind.STEPS,
        re.compile(
            r"\bcomo (?:le hago|le hacemos|funciona|es el proceso|compro|vendo|saco|solicito"
            r"|doy|pido|tramito)\b|\bpasos?\b|\bproceso\b|\bque hago para\b"
        ),
    ),
)
# Who does something ("¿quién revisa los autos?"), not who Kavak is ("¿quiénes son?", read as
# the company by the lexicon): the section naming the people answers it.
_WHO = re.compile(r"\b(?:quien|quienes|kien|kienes)\b(?! (?:son|es|eres)\b)")
_PERSON_IN_TEXT = re.compile(
    r"\b(?:especialistas?|asesor(?:es|as?)?|mecanicos?|expertos?|tecnicos?)\b"
)
_PRICE_IN_TEXT = re.compile(r"\$\s?\d|\d\s?(?:mil|pesos|mxn)\b|\bgratis\b")
_CONTACT_IN_TEXT = re.compile(r"\d[\d \-]{7,}\d|@\w")
_HOURS_IN_TEXT = re.compile(r"\b\d{1,2}:\d{2}\b")
_YEAR_IN_TEXT = re.compile(r"\b(?:19|20)\d{2}\b")
_FIGURE_IN_TEXT = re.compile(
    r"\d|\b(?:dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|quince|veinte|treinta"
    r"|cien|cientos|mil|miles|millones)\b"
)


def question_kind(question: str) -> Kind:
    folded = kb_text.fold(question)
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(folded):
            return kind
    return Kind.WHO if _WHO.search(folded) else Kind.OTHER


def can_answer(kind: Kind, text: str) -> bool:
    """Can a section with this text answer a question of this kind at all?"""
    if kind is Kind.PRICE:
        return bool(_PRICE_IN_TEXT.search(kb_text.fold(text)))
    if kind is Kind.CONTACT:
        return bool(_CONTACT_IN_TEXT.search(text))
    if kind is Kind.HOURS:
        return bool(_HOURS_IN_TEXT.search(text))
    if kind is Kind.YEAR:
        return bool(_YEAR_IN_TEXT.search(text))
    if kind is Kind.FIGURE:
        return bool(_FIGURE_IN_TEXT.search(kb_text.fold(text)))
    return True


@dataclass(frozen=True)
class Section:
    """A section of the chosen article, as the answer composer sees it."""

    chunk_id: int
    heading: str
    text: str
    score: float  # retrieval score for this question (0 when not retrieved)


@dataclass(frozen=True)
class Composed:
    text: str
    chunk_ids: tuple[int, ...]  # the sections the text was taken from
    part: str  # what was chosen, for staff: "sección", "cifra", "sucursales de Monterrey"…


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[¿¡A-ZÁÉÍÓÚÑ0-9])")
# A sentence that only announces content ("Aquí tienes las direcciones…") is not an answer.
_ANNOUNCE = re.compile(r"^(?:aqui tienes|a continuacion|estas son|estos son|te compartimos)\b")


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        if line.startswith("• ") or re.match(r"^\d+\. ", line):
            out.append(line)
        else:
            out.extend(s for s in _SENTENCE.split(line) if s.strip())
    return out


def _overlap(sentence: str, terms: set[str]) -> int:
    return len(terms & set(kb_text.terms(sentence)))


def _figure_sentences(sections: Sequence[Section], kind: Kind, terms: set[str]) -> list[str]:
    """The sentences holding the figure asked for, those sharing most words with the question."""
    candidates: list[tuple[int, float, int, str]] = []
    order = 0
    for section in sections:
        for sentence in _sentences(section.text):
            order += 1
            # A list item's number ("4. Firma tu contrato…") is no figure.
            if can_answer(kind, re.sub(r"^\d+\. ", "", sentence)):
                candidates.append((_overlap(sentence, terms), section.score, -order, sentence))
    if not candidates:
        return []
    best = max(c[0] for c in candidates)
    if best == 0 and terms:
        # No figure is about what was asked ("¿cuánto tarda la entrega?" against "respuesta en
        # menos de 2 minutos"): quoting one would answer another question.
        return []
    top = sorted((c for c in candidates if c[0] == best), key=lambda c: (-c[1], -c[2]))
    chosen = [c[3] for c in sorted(top[:2], key=lambda c: -c[2])]
    return list(dict.fromkeys(chosen))


def _without_announcements(text: str) -> str:
    has_list = any(line.startswith(("• ", "1. ")) for line in text.splitlines())
    if has_list:
        return text
    kept = [s for s in _sentences(text) if not _ANNOUNCE.match(kb_text.fold(s))]
    return " ".join(kept) if kept else text


def fit_whatsapp(text: str, *, limit: int = ANSWER_MAX_CHARS) -> str:
    """Cut a long answer at a line, saying how many list items are left and offering them."""
    if len(text) <= limit:
        return text
    lines = text.split("\n")
    kept: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > limit - 90:
            if size < limit // 2 and not line.startswith("• "):
                # A long paragraph is cut at a word rather than dropped.
                cut = line.rfind(" ", 0, limit - 90 - size)
                kept.append(line[:cut].rstrip() + " …")
            break
        kept.append(line)
        size += len(line) + 1
    left = [line for line in lines[len(kept) :] if line.startswith("• ")]
    tail = (
        f"…y {len(left)} más. ¿Quieres que te mande el resto?"
        if left
        else "¿Quieres que te mande el resto?"
    )
    return "\n".join(kept).rstrip() + "\n" + tail


def compose(
    *,
    question: str,
    kind: Kind,
    terms: set[str],
    title: str,
    sections: Sequence[Section],
    best: Section,
    is_branches_article: bool,
    context: str = "",
) -> Composed | None:
    """The answer from the chosen article: the part asked for, WhatsApp-sized.

    ``context``: the whole message when ``question`` is one of its clauses (the branches answer
    reads the city named there: "me mudé a Guadalajara…, ¿tienen sucursal por acá?").
    None when the question asks for a figure (a price, hours, a year…) and no sentence of the
    article holding one is about what was asked.
    """
    if is_branches_article:
        composed = _compose_branches(
            question=question, kind=kind, terms=terms, sections=sections, context=context
        )
        if composed is not None:
            return composed
    usable = [s for s in sections if can_answer(kind, s.text)]
    if kind in (Kind.FIGURE, Kind.HOURS, Kind.PRICE, Kind.YEAR, Kind.CONTACT) and usable:
        ranked = sorted(usable, key=lambda s: -s.score)
        sentences = _figure_sentences(ranked[:2], kind, terms)
        if not sentences:
            return None
        used = [s.chunk_id for s in ranked[:2] if any(x in s.text for x in sentences)]
        return Composed(
            text=_with_title(title, " ".join(sentences)),
            chunk_ids=tuple(used) or (best.chunk_id,),
            part="la cifra que se pregunta",
        )
    if kind is Kind.STEPS and not _has_steps(best.text):
        # A process question gets the section with the steps, when the article has one.
        with_steps = [s for s in sections if _has_steps(s.text) and s.score > 0]
        if with_steps:
            best = max(with_steps, key=lambda s: s.score)
    if kind is Kind.WHO and not _PERSON_IN_TEXT.search(kb_text.fold(best.text)):
        # "¿Quién inspecciona los autos?" gets the sentence naming the specialists.
        with_people = [
            s for s in sections if _PERSON_IN_TEXT.search(kb_text.fold(s.text)) and s.score > 0
        ]
        if with_people:
            best = max(with_people, key=lambda s: s.score)
    body = _without_announcements(best.text)
    if body.startswith(("• ", "1. ")) and not best.heading.rstrip().endswith("?"):
        body = f"{best.heading.rstrip(':')}:\n{body}"
    ids = [best.chunk_id]
    position = next(i for i, s in enumerate(sections) if s.chunk_id == best.chunk_id)
    # An introduction that announces a list ("Así funciona, paso a paso:") brings the list along.
    if body.rstrip().endswith(":") and position + 1 < len(sections):
        nxt = sections[position + 1]
        body = f"{body}\n{nxt.heading}:\n{nxt.text}"
        ids.append(nxt.chunk_id)
    return Composed(
        text=fit_whatsapp(_with_title(title, body)), chunk_ids=tuple(ids), part="sección"
    )


def _has_steps(text: str) -> bool:
    return bool(re.search(r"^1\. ", text, re.M))


def _with_title(title: str, body: str) -> str:
    # A section read alone can lose the article's key fact ("7 días o 300 km" lives in the title
    # of the trial-period article): lead with the title in WhatsApp bold.
    if title and title not in body:
        return f"*{title}*\n\n{body}"
    return body


_OUTSIDE = re.compile(r"\b(?:fuera de|aparte de|ademas de|excepto|salvo|que no sea)\b")


def _compose_branches(
    *, question: str, kind: Kind, terms: set[str], sections: Sequence[Section], context: str = ""
) -> Composed | None:
    directory = kb_branches.parse_branches((s.heading, s.text) for s in sections)
    if not directory:
        return None
    by_heading = {s.heading: s for s in sections}
    cities = kb_branches.branch_cities(directory)
    named_cities = kb_branches.cities_named(question, cities)
    elsewhere = kb_branches.cities_without_branch(question, cities)
    if not (named_cities or elsewhere or kb_branches.branches_named(question, directory)):
        # A clause with no place ("¿tienen sucursal por acá?") is about the one the message
        # names around it.
        named_cities = kb_branches.cities_named(context, cities)
        elsewhere = [] if named_cities else kb_branches.cities_without_branch(context, cities)
    if named_cities and _OUTSIDE.search(kb_text.fold(question)):
        # "¿tienen sucursales fuera de la CDMX?": every other city.
        named_cities = [c for c in cities if c not in named_cities]
    named = kb_branches.branches_named(question, directory)
    hours_section = next(
        (s for s in sections if kb_text.fold(s.heading).startswith("horario")), None
    )
    hours_note = _without_announcements(hours_section.text) if hours_section is not None else ""

    def ids_for(city_names: list[str]) -> tuple[int, ...]:
        return tuple(
            by_heading[h].chunk_id for h in by_heading if any(h.endswith(c) for c in city_names)
        )

    if named and not (named_cities and all(b.city not in named_cities for b in named)):
        lines = [kb_branches.branch_line(b) for b in named]
        if kind is Kind.HOURS and not all(b.hours for b in named) and hours_note:
            lines.append(hours_note)
        return Composed(
            text="\n".join(lines),
            chunk_ids=ids_for(list(dict.fromkeys(b.city for b in named))),
            part="sucursal " + ", ".join(b.name for b in named),
        )
    if named_cities:
        parts: list[str] = []
        for city in named_cities:
            in_city = [b for b in directory if b.city == city]
            count = "1 sucursal" if len(in_city) == 1 else f"{len(in_city)} sucursales"
            parts.append(f"En {city} tenemos {count}:")
            parts.extend(kb_branches.branch_line(b) for b in in_city)
        if kind is Kind.HOURS and hours_note:
            parts.append(hours_note)
        return Composed(
            text=fit_whatsapp("\n".join(parts)),
            chunk_ids=ids_for(named_cities),
            part="sucursales de " + ", ".join(named_cities),
        )
    intro = sections[0]
    if elsewhere and not named:
        # "¿Tienen sucursal en Mérida?": the honest answer is no, and where we are.
        summary = [f"Por ahora no tenemos sucursal en {elsewhere[0]}. Nuestras sedes están en:"]
        summary += [f"• {city} ({sum(b.city == city for b in directory)})" for city in cities]
        summary.append("¿De qué ciudad te paso las direcciones?")
        return Composed(
            text="\n".join(summary),
            chunk_ids=(intro.chunk_id,),
            part=f"sin sucursal en {elsewhere[0]}",
        )
    if kind is Kind.HOURS and hours_section is not None:
        return Composed(text=hours_note, chunk_ids=(hours_section.chunk_id,), part="horarios")
    figures = [s for s in _sentences(intro.text) if can_answer(Kind.FIGURE, s)]
    summary = [*figures, "Estamos en:"]
    summary += [f"• {city} ({sum(b.city == city for b in directory)})" for city in cities]
    summary.append("¿De qué ciudad te paso las direcciones?")
    return Composed(
        text="\n".join(summary),
        chunk_ids=(intro.chunk_id,),
        part="resumen por ciudad",
    )


def second_question_text(*, body: str) -> str:
    """How the answer to a second question in the same message is introduced."""
    return f"Y sobre tu otra pregunta:\n{body}"


def second_question_ack(*, title: str) -> str:
    """When both answers do not fit one WhatsApp message: the second is named and offered."""
    return f"También preguntaste por «{title}». ¿Quieres que te cuente sobre eso?"
