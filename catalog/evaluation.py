"""The matching quality gate: a typo test set generated from the catalogue, and its scoring.

Pure Python and deterministic: the same names and seed always give the same cases. Error kinds,
from the catalogue issue: deletions, adjacent swaps, doubled letters, accents and case, Spanish
phonetic misspellings and split/joined words. Names are embedded in everyday sentences.

Scoring, per group of names (4+ characters / 3 or fewer):
- a prediction is the make and model the matcher returns; the right car is a true positive;
  another car (or any car in a sentence that names none) is a false positive; nothing, or only
  the right make when a model was named, is a miss;
- precision = TP / (TP + FP); recall = TP / cases that name a car.
Gate: names of 4+ characters ≥ 95% recall at ≥ 98% precision; short names 100% precision.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from catalog.lexicon import BODY_WORDS, TRANSMISSION_WORDS, USE_WORDS
from catalog.matching import TextMatch, compact_key
from catalog.vocabulary_compiler import needs_make

DEFAULT_SEED = 20_240_603
LONG, SHORT, NEEDS = "nombres de 4+ caracteres", "nombres cortos (≤ 3)", "palabras de necesidad"
# group: (minimum precision, minimum recall or None)
GATE: dict[str, tuple[float, float | None]] = {LONG: (0.98, 0.95), SHORT: (1.0, None)}
KINDS = ("deletion", "swap", "double", "accents_case", "phonetic", "split_join")

TEMPLATES = (
    "{}",
    "busco un {}",
    "me interesa el {}",
    "tienen {} disponible?",
    "quiero un {} automático",
    "cuánto cuesta el {}?",
    "hola, estoy buscando un {} seminuevo",
    "algo como un {} por favor",
    "qué {} tienes?",
    "me gustaría ver el {} que anunciaron",
    "precio del {}",
    "tienes algún {} 2019?",
    "un {} para la familia",
    "info del {} porfa",
    "Me late el {}",
)

# Everyday messages that name no car: any make or model found here is a false positive.
NEGATIVES = (
    "hola buenas tardes",
    "que onda, cómo estás?",
    "quiero uno barato",
    "busco uno que sea económico",
    "vivo cerca del rio",
    "vivo en durango",
    "soy de león guanajuato",
    "estoy en toledo ohio",
    "la venta es hoy?",
    "el precio es fijo o negociable?",
    "tiene buen sistema de audio?",
    "cuál es la última versión?",
    "algo de clase media",
    "me puedes pasar más info",
    "entra en mi presupuesto?",
    "ya volví, perdón",
    "el auto está en marcha?",
    "tras la compra qué sigue?",
    "se lo voy a enseñar a mis compas",
    "tiene cámara de reversa?",
    "algo económico para la ciudad",
    "tengo 208 mil de presupuesto",
    "estoy a 1 hora de la sucursal",
    "puedo ir en 2 hs",
    "me toca pagar el enganche?",
    "la meta es pagarlo en 3 años",
    "tengo un hijo y una hija",
    "queda por la zona norte",
    "manda la info a mi correo",
    "me llamo manuel",
    "nos vemos en la fiesta",
    "la carta factura está lista?",
    "cuánto es la mensualidad?",
    "quiero algo fuerte para el campo",
    "me gusta el color azul",
    "cuántos kilómetros tiene?",
    "lo puedo pagar de contado?",
    "acepta tarjeta de crédito?",
    "quiero agendar una cita para el sábado",
    "cuál es la dirección de la sucursal?",
    "me interesa el financiamiento a 48 meses",
    "sí, me interesa",
    "no, gracias",
    "ok perfecto",
    "y el enganche mínimo?",
    "tienen garantía?",
    "quiero dar mi auto a cuenta",
    "es de segunda mano?",
    "está muy caro",
    "algo más barato",
    "necesito algo con 7 pasajeros",
    "busco una camioneta familiar",
    "quiero un sedán automático",
    "algo para carga",
    "una pickup doble cabina",
    "me urge, es para el trabajo",
    "a qué hora abren?",
    "tienen en monterrey?",
    "estoy en guadalajara",
    "vivo en puebla",
    "una troca para el rancho",
    "y las llantas están nuevas?",
    "el motor está bien?",
    "cuántos dueños tuvo?",
    "tiene adeudos?",
    "cuánto es lo mínimo que me dejan?",
    "me da más detalles por favor",
    "pásame fotos",
    "ese me gusta",
    "el primero",
    "la segunda opción",
    "otra opción",
    "mejor el otro",
    "me gustaría verlo en persona",
    "voy a pensarlo",
    "lo hablo con mi esposa",
    "gracias por la info",
    "hasta luego",
    "buen día",
    "me interesa pero está lejos",
    "de cuánto sería el pago mensual?",
    "tengo 150 mil de enganche",
    "mi presupuesto es de 300 mil",
    "tengo como 250k",
    "unos 5 mil al mes",
    "a 60 meses",
    "es manual o automático?",
    "prefiero estándar",
    "con pantalla y bluetooth",
    "que tenga carplay",
    "algo seguro para mis hijos",
    "lo quiero para uber",
    "para viajar en carretera",
    "cuál me recomiendas?",
    "la verdad no sé",
    "lo que sea",
    "cualquiera está bien",
    "dame la más nueva",
    "la de menos kilómetros",
    "quiero hablar con un asesor",
    "me puede llamar un humano?",
    "meti un gol en el partido",
    "quiero uno rojo",
    "un río cerca",
    "el uno o el dos",
    "la una de la tarde",
    "vendo mi carro",
    "me llegó una multa",
    "el viento está fuerte",
    "se puede pagar con paypal?",
    "todo en orden",
    "crema y nata",
    "el camino es largo",
    "queda en la esquina",
    "tiene frenos abs?",
    "cuál es la tasa de interés?",
    "tengo buró de crédito",
    "soy freelance",
    "trabajo por mi cuenta",
)

_VOWEL_ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú"}
_PHONETIC_SWAPS = (
    (r"v", "b"),
    (r"b", "v"),
    (r"z", "s"),
    (r"s(?=[ei])", "c"),
    (r"c(?=[ei])", "s"),
    (r"ll", "y"),
    (r"y", "ll"),
    (r"(?<=[aeiou])h|^h", ""),
    (r"^(?=[aeiou])", "h"),
    (r"qu(?=[ei])", "k"),
    (r"c(?=[aou])", "k"),
    (r"k", "c"),
    (r"g(?=[ei])", "j"),
    (r"j", "g"),
    (r"x", "j"),
    (r"w", "v"),
    (r"w", "gu"),
    (r"ss", "s"),
    (r"ck", "k"),
    (r"ph", "f"),
)


@dataclass(frozen=True)
class Case:
    text: str
    group: str
    kind: str
    expected_make: str | None = None
    expected_model: str | None = None
    expected_need: str | None = None  # body/use/transmission code, for the NEEDS group
    # False for misspelt short names: they must not be guessed, so missing them is right;
    # only a wrong car would count (as a false positive).
    required: bool = True


@dataclass
class GroupResult:
    name: str
    cases: int = 0
    positives: int = 0
    true_positives: int = 0
    false_positives: int = 0
    correct_optional: int = 0  # misspelt short names recognised anyway (through an alias)
    failures: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        right = self.true_positives + self.correct_optional
        return right / (right + self.false_positives) if right + self.false_positives else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.positives if self.positives else 1.0

    def summary(self) -> str:
        return (
            f"{self.name}: {self.cases:,} casos ({self.positives:,} deben reconocerse), "
            f"precisión {self.precision:.1%}, "
            f"recall {self.recall:.1%} (aciertos {self.true_positives:,}, "
            f"falsos positivos {self.false_positives:,}, "
            f"sin respuesta {self.positives - self.true_positives:,})"
        )


@dataclass(frozen=True)
class Evaluation:
    groups: tuple[GroupResult, ...]
    total_cases: int
    negatives: int = 0  # sentences that name no car
    invented: int = 0  # ... in which a car was found anyway (also counted as false positives)
    suggested: int = 0  # ... in which a "¿Quisiste decir …?" was offered

    def group(self, name: str) -> GroupResult:
        return next(g for g in self.groups if g.name == name)

    def gate_failures(self) -> list[str]:
        failures = []
        for name, (min_precision, min_recall) in GATE.items():
            group = self.group(name)
            if group.precision < min_precision:
                failures.append(f"{name}: precisión {group.precision:.1%} < {min_precision:.0%}")
            if min_recall is not None and group.recall < min_recall:
                failures.append(f"{name}: recall {group.recall:.1%} < {min_recall:.0%}")
        return failures


def mutate(name: str, kind: str, rng: random.Random) -> str | None:
    """One misspelling of ``name`` of the given kind, or None when the kind does not apply."""
    lower = name.lower()
    letters = [i for i, ch in enumerate(lower) if ch.isalpha()]
    if kind == "deletion":
        if len(letters) < 4:
            return None
        i = rng.choice(letters)
        return lower[:i] + lower[i + 1 :]
    if kind == "swap":
        pairs = [i for i in letters if i + 1 in letters and lower[i] != lower[i + 1]]
        if not pairs:
            return None
        i = rng.choice(pairs)
        return lower[:i] + lower[i + 1] + lower[i] + lower[i + 2 :]
    if kind == "double":
        if not letters:
            return None
        i = rng.choice(letters)
        return lower[: i + 1] + lower[i] + lower[i + 1 :]
    if kind == "accents_case":
        vowels = [i for i in letters if lower[i] in _VOWEL_ACCENTS]
        text = lower
        if vowels:
            i = rng.choice(vowels)
            text = text[:i] + _VOWEL_ACCENTS[text[i]] + text[i + 1 :]
        return rng.choice((text.upper(), text.title(), text, name.upper()))
    if kind == "phonetic":
        options = [(p, r) for p, r in _PHONETIC_SWAPS if re.search(p, lower)]
        if not options:
            return None
        pattern, replacement = rng.choice(options)
        spots = [m.start() for m in re.finditer(pattern, lower)]
        spot = rng.choice(spots)
        return lower[:spot] + re.sub(pattern, replacement, lower[spot:], count=1)
    if kind == "split_join":
        if re.search(r"[\s-]", lower):
            return re.sub(r"[\s-]+", "", lower)
        inner = [i for i in range(2, len(lower) - 1) if lower[i - 1].isalpha()]
        if len(lower) < 5 or not inner:
            return None
        i = rng.choice(inner)
        return lower[:i] + " " + lower[i:]
    raise ValueError(kind)


def generate_cases(*, pairs: Iterable[tuple[str, str]], seed: int, per_kind: int) -> list[Case]:
    """The test set for these (make, model) pairs: the same inputs always give the same cases."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible test set, not security
    pairs = sorted(set(pairs))
    cases: list[Case] = []

    def typos(name: str, group: str, make: str, model: str | None, prefix: str = "") -> None:
        required = group != SHORT
        original = compact_key(name)
        for kind in KINDS:
            seen: set[str] = set()
            for _ in range(per_kind * 3):  # a few tries to get distinct variants
                if len(seen) >= per_kind:
                    break
                variant = mutate(name, kind, rng)
                if variant is None or variant in seen:
                    continue
                seen.add(variant)
                if compact_key(variant) == original and kind not in ("accents_case", "split_join"):
                    continue
                text = rng.choice(TEMPLATES).format(prefix + variant)
                cases.append(Case(text, group, kind, make, model, required=required))

    for make in sorted({make for make, _ in pairs}):
        if len(compact_key(make)) <= 3:
            for template in rng.sample(TEMPLATES, 3):
                cases.append(Case(template.format(make), SHORT, "exact", make))
            typos(make, SHORT, make, None)
        else:
            typos(make, LONG, make, None)

    for make, model in pairs:
        key = compact_key(model)
        prefix = f"{make} " if needs_make(key) else ""
        if len(key) <= 3:
            for template in rng.sample(TEMPLATES, 3):
                cases.append(Case(template.format(prefix + model), SHORT, "exact", make, model))
            text = rng.choice(TEMPLATES).format(f"{make} {model}")
            cases.append(Case(text, SHORT, "exact", make, model))
            typos(model, SHORT, make, model, prefix)
            continue
        typos(model, LONG, make, model, prefix)
        # Both words misspelt, like "toyta corola".
        make_typo = mutate(make, rng.choice(KINDS[:3]), rng) or make
        model_typo = mutate(model, rng.choice(KINDS[:3]), rng) or model
        text = rng.choice(TEMPLATES).format(f"{make_typo} {model_typo}")
        cases.append(Case(text, LONG, "make_and_model", make, model))

    for word, code in sorted({**BODY_WORDS, **USE_WORDS, **TRANSMISSION_WORDS}.items()):
        if len(compact_key(word)) < 5 or " " in word:
            continue
        for kind in ("deletion", "swap", "double", "accents_case"):
            variant = mutate(word, kind, rng)
            if variant:
                cases.append(Case(f"busco algo {variant}", NEEDS, kind, expected_need=code))

    cases.extend(Case(text, LONG, "negative") for text in NEGATIVES)
    return cases


def evaluate(cases: list[Case], match: Callable[[str], TextMatch]) -> Evaluation:
    """Score ``match`` on ``cases`` (see the module docstring for the definitions)."""
    groups = {name: GroupResult(name) for name in (LONG, SHORT, NEEDS)}
    negatives = invented = suggested = 0
    for case in cases:
        result = match(case.text)
        if case.group == NEEDS:
            _score_need(groups[NEEDS], case, result)
            continue
        predicted = (result.make, result.model)
        if case.expected_make is None:  # a sentence that names no car
            negatives += 1
            suggested += result.suggestion is not None
            if result.make or result.model:
                invented += 1
                name = result.model or result.make or ""
                group = groups[SHORT if len(compact_key(name)) <= 3 else LONG]
                group.false_positives += 1
                group.failures.insert(
                    group.false_positives - 1,
                    f"FALSO POSITIVO {case.text!r}: no nombra auto, obtuvo {predicted}",
                )
            groups[LONG].cases += 1
            continue
        group = groups[case.group]
        group.cases += 1
        group.positives += case.required
        expected = (case.expected_make, case.expected_model)
        if _same(predicted, expected):
            group.true_positives += case.required
            group.correct_optional += not case.required
            continue
        wrong_make = result.make is not None and not _same_name(result.make, case.expected_make)
        wrong_model = result.model is not None and not _same_name(result.model, case.expected_model)
        line = f"[{case.kind}] {case.text!r}: esperado {expected}, obtuvo {predicted}"
        if wrong_make or wrong_model:
            group.false_positives += 1
            group.failures.insert(group.false_positives - 1, "FALSO POSITIVO " + line)
        elif case.required:
            group.failures.append(line)
    return Evaluation(
        groups=tuple(groups.values()),
        total_cases=len(cases),
        negatives=negatives,
        invented=invented,
        suggested=suggested,
    )


def _score_need(group: GroupResult, case: Case, result: TextMatch) -> None:
    group.cases += 1
    group.positives += 1
    found = {result.body_type, result.transmission, *result.uses} - {None}
    if case.expected_need in found:
        group.true_positives += 1
        return
    if found:
        group.false_positives += 1
    group.failures.append(
        f"[{case.kind}] {case.text!r}: esperado {case.expected_need}, obtuvo {found}"
    )


def _same_name(a: str | None, b: str | None) -> bool:
    return compact_key(a or "") == compact_key(b or "")


Pair = tuple[str | None, str | None]


def _same(predicted: Pair, expected: Pair) -> bool:
    return _same_name(predicted[0], expected[0]) and _same_name(predicted[1], expected[1])
