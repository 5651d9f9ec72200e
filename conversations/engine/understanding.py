"""Read the whole customer message before deciding anything (NLU before policy).

``understand`` turns one message into a :class:`Reading`: every slot the message states (need,
seats, budget, monthly cap, down payment, term, cash, option choice, name, phone, contact time),
each decided by its cue words ("enganche", "al mes", "meses", "de contado"), and every intent it
carries (a question about Kavak or about a car shown, small talk, a refusal, a request for a
person, an appointment). The pending question only breaks ties between readings of a bare
number; a number no cue and no pending question explains is left *unplaced*, to be confirmed.

Pure: the catalogue and knowledge ports are read (never written), the clock comes in.

This module assembles the reading; the cues and readers of each kind of slot live in
``reading/``: ``money`` (amounts by their cue), ``need``, ``options`` (which option a text
points at), ``car_questions``, ``contact``, and ``text`` (the helpers they share).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from conversations.engine import cues, lexicon, parsing
from conversations.engine.parsing import fold
from conversations.engine.ports import Branch, CarCatalog, KnowledgeBase, NeedMatch
from conversations.engine.reading.contact import _read_contact
from conversations.engine.reading.need import _read_need
from conversations.engine.state import Action, CarOption, ConversationState
from conversations.engine.turn import DEFAULT_TERMS

__all__ = ["CarQuestion", "Reading", "names_unsearchable_detail", "understand"]
from conversations.engine.reading.car_questions import (
    _KAVAK_TOPIC,
    CarQuestion,
    _car_question,
    _not_a_choice,
    names_unsearchable_detail,
)
from conversations.engine.reading.money import _read_money
from conversations.engine.reading.money_cues import _MONTHLY_ASKED
from conversations.engine.reading.options import (
    _ARTICLE_DIGIT,
    _THIS_ONE,
    _by_year_or_model,
    _option_index,
    _options_named,
    _price_index,
    _rechoice,
    _wanted_again,
)
from conversations.engine.reading.rules import _rule_question
from conversations.engine.reading.targets import (
    _minimum_read,
    _target_of_the_car,
    monthly_target,
)
from conversations.engine.reading.term import _read_term
from conversations.engine.reading.text import (
    _EMOJI_ONLY,
    _alternation,
    _bare,
    _has,
    _only,
    _spanglish,
)


# --- the reading -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Reading:
    text: str
    folded: str
    # need
    need: NeedMatch = field(default_factory=NeedMatch)
    open_need: bool = False
    seats: int | None = None
    year_min: int | None = None
    any_year: bool = False  # "¿y de otro año?": the year said before no longer limits
    km_max: int | None = None
    cheaper: bool = False  # "están muy caras": cheaper options
    fuel: str | None = None  # electric / hybrid / diesel asked about (not in the catalogue data)
    # money, each from its own cue
    budget_max: Decimal | None = None
    budget_min: Decimal | None = None
    monthly: Decimal | None = None
    down_amount: Decimal | None = None
    down_ratio: Decimal | None = None
    down_minimum: bool = False
    down_none: bool = False
    cash: bool = False
    term: parsing.Term | None = None
    unplaced: Decimal | None = None  # a bare number to confirm ("72": months or thousands?)
    unplaced_roles: tuple[str, ...] = ()
    # the options shown
    choice: int | None = None
    choice_among: tuple[int, ...] = ()  # "el del 2018" when two shown are 2018: ask which
    among_named: bool = False  # "me gustan la 1 y la 2": both named, side by side
    option_beyond: int | None = None  # "la 4" with three shown
    show_again: bool = False
    other_options: bool = False
    prices_asked: bool = False  # "¿qué precios manejan?": the catalogue's range
    sell_intent: bool = False  # "quiero vender mi carro": an advisor quotes it
    trade_in: bool = False  # "quiero cambiar mi versa por algo más nuevo": the trade-in
    similar: bool = False  # "¿algo parecido?": the same kind of car as the one shown, any make
    car_question: CarQuestion | None = None
    # contact
    name: str | None = None
    phone: str | None = None
    contact_at: datetime | None = None
    contact_text: str | None = None
    branches: tuple[Branch, ...] = ()  # the branches of a city named in the message
    refuses_phone: bool = False
    # intents
    question: bool = False
    rule_question: str | None = None  # "¿qué plazos manejan?": terms, rate or min_down
    kavak_question: bool = False
    kavak_topic: bool = False  # names something the articles cover (garantía, sucursal…)
    off_topic: bool = False
    greeting: bool = False
    thanks: bool = False
    # Thanks and an acknowledgement, nothing more ("ok gracias", "va, muchas gracias"): a
    # courtesy, not a yes to an offer.
    courtesy: bool = False
    goodbye: bool = False  # "bye", "adiós": the customer leaves
    yes: bool = False
    no: bool = False
    only_yes: bool = False
    only_no: bool = False
    small_talk: bool = False
    human: bool = False
    reset: bool = False
    adversarial: bool = False
    discount: bool = False
    appointment: bool = False
    callback: bool = False
    decline: bool = False
    think_later: bool = False
    financing_interest: bool = False
    excluded_makes: tuple[str, ...] = ()  # "que no sea nissan"
    own_car: str | None = None  # "es un vento 2016" after asking how to sell or trade in
    alternatives: tuple[tuple[str | None, str | None], ...] = ()  # "un rio o un versa"
    better: str | None = None  # "¿algo con menos km?" ("fewer_km"), "¿uno más nuevo?" ("newer")
    monthly_target: Decimal | None = None  # "¿cuánto doy de enganche para pagar 8 mil al mes?"
    total_asked: bool = False  # "¿cuánto pagaría en total?"
    bot_identity: bool = False  # "¿eres un robot?"
    frustrated: bool = False  # "ya me tienen harto, nadie me contesta"
    after_sale: bool = False  # bought already and has a problem: a person, not a sale
    budget_unknown: bool = False  # "no sé cuánto gastar", "tú dime" when the budget is asked
    income: Decimal | None = None  # "gano 25 mil al mes": asked what they would pay
    price_asked: bool = False  # "¿cuánto cuesta el jetta?", "¿en cuánto lo tienen?"
    monthly_asked: bool = False  # "¿cuánto sería mensual?", "¿cuánto pagaría al mes?"
    fuzzy: bool = False  # the need was only fuzzily matched (the LLM may double-check)

    @property
    def has_need(self) -> bool:
        return bool(self.need.found or self.open_need or self.seats or self.year_min or self.km_max)

    @property
    def has_money(self) -> bool:
        return any(
            v is not None
            for v in (
                self.budget_max,
                self.monthly,
                self.down_amount,
                self.down_ratio,
                self.term,
                self.unplaced,
            )
        ) or (self.down_minimum or self.down_none or self.cash)

    @property
    def has_contact(self) -> bool:
        return bool(self.name or self.phone or self.contact_at or self.contact_text)


# --- intent cues (the cues of money, need, options, car questions and contact: reading/) ----------
_CALLBACK = _alternation(lexicon.CALLBACK)
_THINK = _alternation(lexicon.THINK_LATER)
_DECLINE = _alternation(lexicon.DECLINE)
_FINANCING = _alternation(lexicon.FINANCING_INTEREST)
_BOT_IDENTITY = _alternation(lexicon.BOT_IDENTITY)
_FRUSTRATED = _alternation(lexicon.FRUSTRATED)
_AFTER_SALE = _alternation(lexicon.AFTER_SALE)
_SHOW_AGAIN = _alternation(lexicon.SHOW_AGAIN)
_OFF_TOPIC = _alternation(lexicon.OFF_TOPIC_HINTS)

_WISH = re.compile(
    rf"^[¡!\s]*{cues.LEAD_IN}que\s+(?:me|te|se|le|les|lo|la|nos|sea|sean|tenga|tengan|este|no|mejor)\b"
)
_FUELS = {fuel: _alternation(words) for fuel, words in lexicon.FUEL_WORDS.items()}
_WANTS = _alternation((r"tienen", r"tienes", r"hay", r"quiero", r"busco", r"manejan", r"venden"))
# A price asked for: "¿cuánto cuesta?", "¿en cuánto lo tienen?", "precio del versa", "¿qué precio
# tiene?". Not a budget ("cuesta mucho" is no question about a price).
_PRICE_ASKED = re.compile(
    r"\b(?:cuanto|cuanta|q|que|en cuanto|a como)\s+(?:me\s+)?"
    r"(?:cuesta\w*|cuestan|sale|salen|vale|valen|esta|estan|lo dan|la dan|lo tienen|la tienen"
    r"|los tienen|las tienen|lo venden|la venden"
    r"|precio\w*|costo\w*)\b"
    r"|^(?:y\s+)?(?:el\s+)?(?:precio|precios|costo)\b"
    # "el trax cuánto?", "¿y la cx5 en cuánto?": a bare "cuánto" after a car's name.
    r"|^(?:y\s+)?(?:el|la|los|las)\s+[a-z0-9-]+(?:\s+[a-z0-9-]+)?\s+(?:en\s+)?"
    r"(?:cuanto|cuanta|a como)\W*$"
    r"|\b(?:cual|cuanto) (?:es|seria) (?:el|su) (?:precio|costo)\b"
    r"|\b(?:precio|costo)s?\s+(?:del?|de la|de los)\b"
    r"|\ben cuanto\b"
    # "vi un cx5 en su página, ¿sigue disponible?": the car itself is asked for.
    r"|\b(?:sigue|siguen|esta|estan) disponibles?\b|\b(?:todavia|aun) (?:lo|la|los|las) tienen\b"
    # "me pasas info del vento?", "detalles de la cx5": the car's listing is asked for.
    r"|\b(?:info|informacion|detalles|datos|fotos|caracteristicas)\s+(?:del?|de la|sobre)\b"
    r"|\b(?:tienen|tienes|hay|manejan)\s+(?:el|la|los|las|algun|alguna|un|una)\b"
)
_CHEAPER = re.compile(
    r"\b(?:muy|bien|algo|demasiado|medio)?\s*car[oa]s?\b(?!\s+(?:de|del|para))|\bmas barat\w*"
    r"|\bmas econom\w*|\bmenos car\w*|\bse me hace caro\b|\bfuera de mi presupuesto\b"
)


_TOTAL_ASKED = re.compile(
    r"\b(?:en total|total pagad\w*|costo total|pago total|cuanto (?:pagaria|pago|seria|saldria) "
    r"(?:en total|al final|todo)|cuanto (?:me )?sale (?:en total|al final|todo))\b"
)


# --- the entry point ------------------------------------------------------------------------------
def understand(
    text: str,
    state: ConversationState,
    *,
    catalog: CarCatalog,
    knowledge: KnowledgeBase,
    now: datetime,
    terms: tuple[int, ...] = DEFAULT_TERMS,
) -> Reading:
    """Everything one customer message says, each slot with the cue that decided it."""
    text = _spanglish(text.strip())
    folded = fold(text)
    if not text:
        return Reading(text=text, folded=folded)
    slots = state.slots
    pending = state.next_action
    options = slots.options
    chosen = slots.chosen
    question = cues.is_question(text)
    if "?" not in text and (pending == Action.ASK_CONTACT_TIME or _WISH.match(folded)):
        question = False  # "cuando puedan", "que me llamen", "que sea automático": not questions
    rule_question = _rule_question(folded, question=question)
    phone = parsing.parse_phone(text)
    text_money = _without_stock_id(text, options)
    no_phone_text = parsing.strip_phones(folded)
    need, no_phone_text = _read_need(text, folded, no_phone_text, state=state, catalog=catalog)
    term = _read_term(no_phone_text, state, terms)
    match = need["need"]
    names_car = bool(match.make or match.model or match.body_type)
    no_money = _no_money_here(text, folded, options, chosen)
    target = monthly_target(text_money, folded) if chosen is not None else None
    money = _read_money(
        text_money if rule_question != "min_down" and not no_money and target is None else "",
        pending=pending,
        chosen=chosen,
        terms=terms,
        names_car=names_car,
        term_found=term is not None and term.months is not None,
        budget=slots.budget_max or min((o.price for o in options), default=None),  # or the cheapest
    )
    _minimum_read(money, folded, text_money, state=state, rule_question=rule_question, term=term)
    shown = _read_options(
        text,
        folded,
        no_phone_text,
        state=state,
        question=question,
        rule_question=rule_question,
        budget_max=money.budget_max,
        asked_name=(match.make, match.model),
    )
    target = _target_of_the_car(money, target, chosen=chosen, choice=shown["choice"], car=names_car)
    contact = _read_contact(
        text,
        folded,
        state=state,
        phone=phone,
        names_car=names_car,
        question=question,
        now=now,
        knowledge=knowledge,
    )
    need = _need_without_name(contact["name"], text, need, state=state, catalog=catalog)
    intents = _read_intents(
        text, folded, question=question, rule_question=rule_question, knowledge=knowledge
    )
    return Reading(
        text=text,
        folded=folded,
        **need,
        **vars(money),
        cash=cues.wants_cash(text),
        term=term,
        **shown,
        **contact,
        monthly_asked=_MONTHLY_ASKED.search(folded) is not None and not (money.monthly or target),
        **intents,
        monthly_target=target,
    )


def _need_without_name(
    name: str | None,
    text: str,
    need: dict[str, Any],
    *,
    state: ConversationState,
    catalog: CarCatalog,
) -> dict[str, Any]:
    """ "soy Carla": a customer's name is never a use of the car ("carla" is one letter from
    "carga"); the need is read again without it (only when a name and a use were both read)."""
    match = need["need"]
    if not name or not match.uses or match.make or match.model or match.body_type:
        return need
    rest = re.sub(rf"(?i)\b{re.escape(name)}\b", " ", text)
    if rest == text:
        return need
    folded = fold(rest)
    again, _ = _read_need(rest, folded, parsing.strip_phones(folded), state=state, catalog=catalog)
    return again


def _no_money_here(
    text: str, folded: str, options: tuple[CarOption, ...], chosen: CarOption | None
) -> bool:
    """ "¿si te doy 270 me lo dejas?" is a counter-offer for the car shown (neither budget nor
    down payment); "la de 385" names an option by its price."""
    haggles = bool(options or chosen) and cues.haggles(text)
    return haggles or _price_index(folded, options) is not None


def _without_stock_id(text: str, options: tuple[CarOption, ...]) -> str:
    """The text for the money reading: a stock id chooses a car; it is not an amount."""
    for car in options:
        if car.stock_id in text:
            return text.replace(car.stock_id, " ")
    return text


def _read_options(
    text: str,
    folded: str,
    no_phone_text: str,
    *,
    state: ConversationState,
    question: bool,
    rule_question: str | None,
    budget_max: Decimal | None,
    asked_name: tuple[str | None, str | None] = (None, None),
) -> dict[str, Any]:
    """The options shown: a choice, a question about them, show them again, other ones."""
    slots = state.slots
    pending = state.next_action
    options = slots.options
    chosen = slots.chosen
    # "¿el versa cuánto cuesta?", "¿el honda de cuántos km es?" with none shown asks the catalogue.
    elsewhere = _named_elsewhere(asked_name, (*options, *([chosen] if chosen else [])))
    car_question = (
        None
        if rule_question or elsewhere
        else _car_question(folded, options, chosen, question, slots.focus_fields, slots.focus)
    )
    choice = None
    # "ok, esa" after asking about another option than the one chosen: that one instead.
    refocus = (
        chosen is not None
        and slots.focus is not None
        and slots.focus < len(options)
        and options[slots.focus].stock_id != chosen.stock_id
        and _has(folded, _THIS_ONE)
    )
    if (
        options
        and car_question is None
        and (chosen is None or refocus or _rechoice(folded, pending))
    ):
        loose = pending == Action.CHOOSE_OPTION or refocus
        choice = _option_index(no_phone_text, options, loose=loose, focus=slots.focus)
        if choice is not None and chosen is None and question and not loose:
            choice = None
    if choice is None and car_question is None:
        choice = _wanted_again(folded, options, chosen)  # "ok lo quiero" about the one chosen
    choice_among: tuple[int, ...] = ()
    if options and choice is None and chosen is None and car_question is None:
        choice, choice_among = _by_year_or_model(folded, no_phone_text, options)
    named = (
        _options_named(no_phone_text, options) if chosen is None and car_question is None else ()
    )
    if len(named) > 1:
        choice, choice_among = None, named  # "me interesan el 1 y el 3": which of the two?
    beyond = None
    if options and choice is None and not choice_among and car_question is None:
        m = _ARTICLE_DIGIT.search(no_phone_text)
        beyond = int(m.group(1)) if m and int(m.group(1)) > len(options) else None
    if choice is not None and _not_a_choice(folded, question=question):
        choice = None
    # "¿de las opciones cuál tiene menos km?" asks about them; it does not ask to see them again.
    show_again = bool(options) and _has(folded, _SHOW_AGAIN) and choice is None and not car_question
    other = cues.wants_other_options(text) and not (budget_max or car_question) and choice is None
    return {
        "cheaper": (bool(options) or pending == Action.ASK_BUDGET)
        and _CHEAPER.search(folded) is not None
        and choice is None
        and car_question is None,  # "¿la más barata cuánto es?" asks about those shown
        "choice": choice,
        "choice_among": choice_among,
        "among_named": len(named) > 1,
        "option_beyond": beyond,
        "show_again": show_again,
        "other_options": other,
        "similar": bool(options) and choice is None and cues.wants_similar(folded),
        "car_question": car_question,
    }


def _named_elsewhere(named: tuple[str | None, str | None], cars: tuple[CarOption, ...]) -> bool:
    """A make or model named that none of these cars is."""
    make, model = named
    if model is not None:
        return all(fold(c.model) != fold(model) for c in cars)
    return make is not None and all(fold(c.make) != fold(make) for c in cars)


def _read_intents(
    text: str, folded: str, *, question: bool, rule_question: str | None, knowledge: KnowledgeBase
) -> dict[str, Any]:
    """What the message asks or means beyond its slots: questions, yes/no, small talk, a person…"""
    fuel = next((f for f, p in _FUELS.items() if _has(folded, p)), None)
    yes_no = cues.parse_yes_no(text)
    # The knowledge base's own check costs more than this whole reading: only for a message that
    # asks something or names a Kavak topic.
    kavak_topic = _KAVAK_TOPIC.search(folded) is not None
    kavak_question = bool((question or kavak_topic) and knowledge.looks_like_question(text))
    return {
        "fuel": fuel if question or _has(folded, _WANTS) else None,
        "question": question,
        "rule_question": rule_question,
        "kavak_question": kavak_question and rule_question is None,
        "kavak_topic": kavak_topic,
        "off_topic": _has(folded, _OFF_TOPIC),
        "prices_asked": cues.asks_prices(folded),
        "sell_intent": cues.wants_to_sell(folded),
        "trade_in": cues.wants_trade_in(folded),
        "greeting": cues.is_greeting(text),
        "thanks": cues.is_thanks(text),
        "courtesy": cues.is_thanks(text) and _only(folded, _COURTESY),
        "goodbye": cues.is_goodbye(text),
        "yes": yes_no is True,
        "no": yes_no is False,
        "only_yes": _only(folded, cues._YES, _FILLERS),
        "only_no": _only(folded, cues._NO, _FILLERS),
        "small_talk": _small_talk(folded),
        "human": cues.wants_human(text),
        "reset": cues.wants_reset(text),
        "adversarial": cues.is_adversarial(text),
        "discount": cues.wants_discount(text),
        "callback": _has(folded, _CALLBACK),
        "decline": _has(folded, _DECLINE),
        "think_later": _has(folded, _THINK),
        "financing_interest": _has(folded, _FINANCING),
        "total_asked": _TOTAL_ASKED.search(folded) is not None,
        "bot_identity": _has(folded, _BOT_IDENTITY),
        "frustrated": _has(folded, _FRUSTRATED),
        "after_sale": _has(folded, _AFTER_SALE),
        "price_asked": _PRICE_ASKED.search(folded) is not None,
    }


_FILLERS = (
    r"porfa", r"por favor", r"gracias", r"pues", r"entonces", r"de acuerdo", r"adelante",
    r"asi", r"esta bien", r"bueno", r"ok", r"va", r"dale", r"claro", r"que si", r"yes",
)  # fmt: skip


_COURTESY = (
    r"gracias", r"muchas", r"mil", r"te agradezco", r"ok", r"oki", r"okey", r"okay", r"va",
    r"vale", r"sale", r"perfecto", r"esta bien", r"entendido", r"excelente", r"genial", r"bueno",
    r"listo", r"muy amable", r"amable",
)  # fmt: skip


def _small_talk(folded: str) -> bool:
    bare = _bare(folded)
    if not bare:
        return bool(folded) and _EMOJI_ONLY.match(folded) is not None
    return _only(folded, lexicon.SMALL_TALK)
