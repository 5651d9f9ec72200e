"""Output guardrail: LLM text reaches a customer only if everything it asserts is grounded.

The model may reword; it may not state anything the deterministic agent could not have said. For
one turn the *grounding* is the retrieved knowledge-base chunks (FAQ phrasing) or the deterministic
reply plus the engine's structured data (cars, financing plan): never the customer's own message,
which is where an injection would put its "facts".

Rejected outright:
- any number, price, percentage or duration (digits or Spanish number words) not in the grounding;
- any car make or model not in the grounding;
- claims about price or money (gratis, descuento, promoción, sin intereses…), off-brand words
  (fraude, estafa…), requests for sensitive data (NIP, CVV, contraseña…) and talk about prompts,
  instructions or AI, unless the grounding itself uses that word;
- URLs, e-mail addresses, Markdown links or images, HTML, code blocks (a bare domain such as
  ``kavak.com`` only when the grounding names it);
- the canary of the system prompt, or a long passage of the system prompt;
- text mostly in English, text over the length cap, or text mostly made of words the grounding
  never uses (a safety net for off-topic output);
- dropping a figure of the deterministic text being reworded (a phrased FAQ answer must keep
  "7 días o 300 km"), or, when smoothing, the question the reply asks.

``inspect`` is pure and returns the reason (or None); ``enforce`` also logs and counts it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from spanish import compact_key, crude_stem, digitize_number_words
from spanish import fold_message as fold

logger = logging.getLogger(__name__)


# --- words ------------------------------------------------------------------------------------
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# Claims that change what the customer pays or gets; allowed only when the grounding says them.
_CLAIMS = (
    r"gratis",
    r"gratuit\w*",
    r"regal\w*",
    r"obsequi\w*",
    r"descuent\w*",
    r"promo\w*",
    r"rebaj\w*",
    r"ofert\w*",
    r"bonifica\w*",
    r"cupon\w*",
    r"reembols\w*",
    r"cashback",
    r"sin costo",
    r"sin cargo",
    r"sin intereses",
    r"sin enganche",
    r"cero enganche",
    r"2 ?x ?1",
    r"precio especial",
    r"te lo dejo",
    r"aprobad[oa]s?",
    r"garantizad[oa]s?",
    r"asegurad[oa]s?",
)
# Words no grounded answer of ours would use about Kavak, and payment or credential requests.
_OFF_BRAND = (
    r"estaf\w*",
    r"fraud\w*",
    r"robo\w*",
    r"roban",
    r"rater\w*",
    r"engan\w*",
    r"basura",
    r"pesim\w*",
    r"porqueria",
    r"mentir\w*",
    r"mienten",
    r"profeco",
    r"demand\w*",
    r"competencia",
    r"contrasena\w*",
    r"password",
    r"\bnip\b",
    r"cvv",
    r"clabe",
    r"tarjeta",
    r"deposit\w*",
    r"transfier\w*",
    r"transferencia\w*",
)
# Talking about itself: the only reason a sales reply mentions these is an injection.
_META = (
    r"prompt\w*",
    r"instruccion\w*",
    r"system",
    r"sistema",
    r"canary",
    r"canario",
    r"reglas",
    r"ignor\w*",
    r"modelo de lenguaje",
    r"inteligencia artificial",
    r"openai",
    r"chat ?gpt",
    r"\bgpt\w*",
    r"\bllm\b",
    r"como (?:una )?ia\b",
    r"soy una ia",
)
_ENGLISH = _words(
    "the and you your is are of to with for this that here sure price free car cars it be "
    "will can my our we please"
)
# Conversational words a faithful rewording may add without the grounding using them.
_CONVERSATIONAL = _words(
    "claro gusto ayudar ayudo ayuda puedes puede puedo podemos quieres quiere quisieras "
    "encantado encantada perfecto excelente estamos estoy cualquier tambien ademas "
    "siempre cuando donde tienes tenemos nuestro nuestros nuestra nuestras cuentan cuenta "
    "incluyen incluye recuerda importante informacion aqui ahora mucho muchas gracias "
    "dudas duda pregunta preguntas respuesta comentas contarte decirte saber hacer "
    "ofrecemos hola buena buenas bueno genial listo lista entonces ademas mientras seguro "
    "segura puedas quieras mas menos todo todos toda todas nada algo alguna alguno "
    "ejemplo manera forma opcion opciones"
)
_CAR_MAKES_ELSEWHERE = _words(
    # Makes an injection may name that our catalogue may not carry: always detected as car names.
    "ferrari lamborghini porsche tesla bugatti bentley maserati mclaren astonmartin "
    "rollsroyce jaguar landrover lexus infiniti cadillac lincoln alfaromeo genesis rivian "
    "lucid byd bmw audi mercedes mercedesbenz volvo mini jeep dodge ram chrysler buick "
    "gmc"
)

# --- numbers (number words: ``spanish.digitize_number_words``) --------------------------------
_FIGURE = re.compile(
    r"(?<![a-z0-9.,])(?P<cur>\$\s*)?(?P<num>\d+(?:[.,]\d+)*)"
    r"(?:\s*(?P<mult>millones|millon|mil|k)(?![a-z]))?"
    r"(?:\s*(?P<unit>%|pesos?|mxn|kms?|kilometros?|anos?|mes(?:es)?|dias?|semanas?|horas?)"
    r"(?![a-z]))?"
)
# A bare number right after these words is a price ("el Versa cuesta 1").
_PRICE_CONTEXT = re.compile(
    r"(?:cuestan?|precio|valen?|pagas?|pagar|pago|mensualidad(?:es)?|enganche|contado|"
    r"solo|solamente|por)\W*(?:de\W*|en\W*|a\W*)?$"
)
_UNIT_KIND = {
    "%": "pct",
    "peso": "money",
    "pesos": "money",
    "mxn": "money",
    "km": "km",
    "kms": "km",
    "kilometro": "km",
    "kilometros": "km",
}

Figure = tuple[Decimal, str]  # (value, kind): kind is money, pct, km, dur:<unit> or plain


def _to_decimal(raw: str) -> Decimal | None:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
        raw = raw.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):
        raw = raw.replace(".", "")  # "300.000"
    elif re.fullmatch(r"\d+,\d{1,2}", raw):
        raw = raw.replace(",", ".")  # "1,5 millones"
    else:
        raw = raw.replace(",", "")
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def figures(text: str) -> set[Figure]:
    """Every figure in ``text`` with its kind: digits in the usual formats ("$289,999.00",
    "300 mil", "10%", "1.2 millones", "45,000 km") and Spanish number words ("tres meses",
    "un año", "trescientos mil pesos")."""
    digitized = digitize_number_words(fold(text))
    found: set[Figure] = set()
    for m in _FIGURE.finditer(digitized):
        value = _to_decimal(m.group("num"))
        if value is None:
            continue
        mult = m.group("mult")
        if mult in ("mil", "k"):
            value *= 1000
        elif mult in ("millon", "millones"):
            value *= 1_000_000
        unit = m.group("unit") or ""
        if unit in _UNIT_KIND:
            kind = _UNIT_KIND[unit]
        elif unit:
            kind = "dur:" + unit.rstrip("s").removesuffix("e")  # anos→ano, meses→mes, dias→dia
        elif m.group("cur") or mult or _PRICE_CONTEXT.search(digitized[: m.start()][-30:]):
            kind = "money"
        else:
            kind = "plain"
        found.add((value, kind))
    return found


def numbers(text: str) -> set[Decimal]:
    """The values of every figure in ``text``, whatever their kind."""
    return {value for value, _ in figures(text)}


def _ungrounded_figure(text: str, ground: str) -> bool:
    """A figure the grounding does not state. Money must match money (a list number "1." is no
    licence to say "cuesta 1 peso"); other kinds match the same kind or a bare number."""
    grounded = figures(ground)
    values = {value for value, _ in grounded}
    for value, kind in figures(text):
        if (value, kind) in grounded:
            continue
        if kind == "plain" and value in values:
            continue
        if kind not in ("money", "plain") and (value, "plain") in grounded:
            continue
        return True
    return False


# --- names ------------------------------------------------------------------------------------
def compact_name(text: str) -> str:
    """A name as a lookup key: folded like a message, letters and digits only ("CR-V" → "crv")."""
    return compact_key(fold(text), folded=True)


def _ngrams(text: str, max_n: int = 3) -> set[str]:
    tokens = [re.sub(r"-", "", t) for t in _TOKEN.findall(fold(text))]
    grams: set[str] = set()
    for n in range(1, max_n + 1):
        for i in range(len(tokens) - n + 1):
            grams.add("".join(tokens[i : i + n]))
    return grams


def _shingles(text: str, n: int) -> set[tuple[str, ...]]:
    tokens = _TOKEN.findall(fold(text))
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def _stems(text: str) -> list[str]:
    """Crude Spanish stems (first five letters) of the content words (five letters or more)."""
    return [crude_stem(t, 5) for t in re.findall(r"[a-zn]+", fold(text)) if len(t) >= 5]


# --- the check --------------------------------------------------------------------------------
_URL = re.compile(r"https?:|ftp:|www\.|\bwa\.me\b|\bbit\.ly\b|\bpunto (?:com|mx|net|org)\b")
_DOMAIN = re.compile(
    r"\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|mx|net|org|io|ly|co|app|info|biz|xyz|me|"
    r"link|site|online|shop|store|tk|gg|ai|gob|edu)\b"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_MARKUP = re.compile(r"!\[|\]\(|<\s*/?\s*[a-z][^>]*>|```|\[[^\]]+\]\s*:")
_LEAK_SHINGLE = 6  # this many consecutive words of the system prompt = a leak


@dataclass(frozen=True)
class Grounding:
    """What an LLM output for one turn may assert."""

    texts: tuple[str, ...]  # chunks, the deterministic reply, the structured data as text
    car_names: frozenset[str]  # compact names of makes and models (catalogue vocabulary)

    @property
    def joined(self) -> str:
        return "\n".join(self.texts)


def inspect(
    output: str,
    *,
    grounding: Grounding,
    canary: str,
    system_prompt: str,
    max_chars: int,
    reference: str = "",
    keep_figures: bool = False,
    keep_question: bool = False,
) -> str | None:
    """The reason to reject ``output``, or None when every assertion in it is grounded.

    ``reference`` is the deterministic text being reworded: with ``keep_figures`` every figure of
    it must survive, with ``keep_question`` its question to the customer too.
    """
    text = output.strip()
    if not text:
        return "empty"
    ground = grounding.joined
    if canary and (canary.lower() in text.lower() or compact_name(canary) in compact_name(text)):
        return "canary"
    leaked = _shingles(system_prompt, _LEAK_SHINGLE) - _shingles(ground, _LEAK_SHINGLE)
    if leaked & _shingles(text, _LEAK_SHINGLE):
        return "prompt_leak"
    limit = max_chars if not reference else min(max_chars, 2 * len(reference) + 200)
    if len(text) > limit:
        return "too_long"
    folded = fold(text)
    ground_folded = fold(ground)
    if _URL.search(folded) or _EMAIL.search(folded):
        return "url"
    if any(m.group(0) not in ground_folded for m in _DOMAIN.finditer(folded)):
        return "url"
    if _MARKUP.search(text):
        return "markup"
    if _ungrounded_figure(text, ground):
        return "number"
    if _unknown_car_names(text, ground, grounding.car_names):
        return "car_name"
    if _ungrounded_word(folded, ground_folded, _CLAIMS):
        return "claim"
    if _ungrounded_word(folded, ground_folded, _OFF_BRAND):
        return "off_brand"
    if _ungrounded_word(folded, ground_folded, _META):
        return "meta"
    if _mostly_english(folded):
        return "language"
    if keep_figures and numbers(reference) - numbers(text):
        return "figure_dropped"
    if keep_question and "?" in reference and "?" not in text:
        return "question_dropped"
    if _off_topic(text, ground):
        return "ungrounded_text"
    return None


_CONVERSATIONAL_STEMS = frozenset(w[:5] for w in _CONVERSATIONAL if len(w) >= 5)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def _mostly_english(folded: str) -> bool:
    """The whole text, or any one sentence of it, written in English."""
    for part in (folded, *_sentences(folded)):
        words = _TOKEN.findall(part)
        english = sum(1 for w in words if w in _ENGLISH)
        if english >= 3 and english > 0.25 * len(words):
            return True
    return False


def _off_topic(text: str, ground: str) -> bool:
    """The whole text, or any one sentence, mostly made of words the grounding never uses (an
    injected poem, a story, an opinion). Conversational words are allowed."""
    ground_stems = set(_stems(ground))
    for part in (text, *_sentences(text)):
        stems = [s for s in _stems(part) if s not in _CONVERSATIONAL_STEMS]
        novel = [s for s in stems if s not in ground_stems]
        if len(novel) > 5 and len(novel) > 0.6 * len(stems):
            return True
    return False


def _ungrounded_word(folded: str, ground_folded: str, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        rx = re.compile(rf"(?<![a-z0-9]){pattern}(?![a-z0-9])")
        if rx.search(folded) and not rx.search(ground_folded):
            return True
    return False


def _unknown_car_names(text: str, ground: str, car_names: frozenset[str]) -> bool:
    names = car_names | _CAR_MAKES_ELSEWHERE
    mentioned = {g for g in _ngrams(text) if g in names}
    return bool(mentioned - _ngrams(ground))


def enforce(
    output: str,
    *,
    use: str,
    grounding: Grounding,
    canary: str,
    system_prompt: str,
    max_chars: int,
    reference: str = "",
    keep_figures: bool = False,
    keep_question: bool = False,
) -> str | None:
    """``output`` when it passes ``inspect``; otherwise None, logged and counted by reason."""
    reason = inspect(
        output,
        grounding=grounding,
        canary=canary,
        system_prompt=system_prompt,
        max_chars=max_chars,
        reference=reference,
        keep_figures=keep_figures,
        keep_question=keep_question,
    )
    if reason is None:
        return output.strip()
    from kavak.metrics import LLM_GUARDRAIL_REJECTIONS_TOTAL

    LLM_GUARDRAIL_REJECTIONS_TOTAL.labels(reason=reason).inc()
    logger.warning("llm_guardrail_rejected reason=%s use=%s", reason, use)
    return None
