"""Questions the message carries beside the flow: car data, the catalogue, Kavak (the articles)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from conversations.engine import cues, lexicon, replies, replies_cars
from conversations.engine.financing import down_payment_for_monthly, money
from conversations.engine.parsing import fold
from conversations.engine.ports import KnowledgeBase
from conversations.engine.reading.contact import asks_next_step
from conversations.engine.reading.options import option_refs_as_car
from conversations.engine.reading.rules import rule_topics
from conversations.engine.state import Action, CarOption, Slots, evolve
from conversations.engine.steps.advance import asks_price_without_budget, say_stock
from conversations.engine.steps.financing import plan_for, plans_by_term, price_plans_by_term
from conversations.engine.turn import RecordKbMiss
from conversations.engine.turn_builder import Turn
from conversations.engine.understanding import CarQuestion, names_unsearchable_detail


def side_answers(turn: Turn) -> None:
    r = turn.reading
    s = turn.slots
    if r.frustrated or r.after_sale:
        turn.say(replies.after_sale_person() if r.after_sale else replies.sorry_offer_person())
        turn.answered = True
        turn.understood["after_sale" if r.after_sale else "frustrated"] = True
    if _about_the_agent(turn):
        return
    if _next_step_or_monthly(turn, s):
        return
    if r.own_car:
        turn.say(replies.own_car_noted(r.own_car))
        turn.answered = True
        turn.understood["own_car"] = r.own_car
    if r.car_question is not None:
        _car_question_answer(turn, r.car_question, s)
        if r.kavak_topic:
            # "¿la más barata tiene garantía? ¿y cuántos dueños ha tenido?": both are answered.
            part = _kavak_clauses(option_refs_as_car(fold(turn.text)), turn.deps.knowledge)
            if part:
                faq(turn, part)
        return
    if r.total_asked and _total_answer(turn, s):
        return
    if r.fuel is not None and not turn.changed - {"contact"}:
        turn.say(replies_cars.fuel_answer(r.fuel, turn.deps.catalog.count_fuel(r.fuel)))
        turn.answered = True
        turn.understood["fuel"] = r.fuel
        return
    if _price_plans(turn) or _income_said(turn):
        return
    if cues.asks_which_models(r.folded) and (s.make or s.body_type) and not s.options:
        # "¿y qué modelos?": the listing that follows (steps/advance.py) is the answer.
        turn.understood["which_models"] = True
        turn.answered = True
        return
    if r.down_none and s.chosen is None and r.rule_question is None:
        # "no tengo para enganche" before choosing: the rule, not a plan with nothing down.
        turn.say(_rules(turn, "min_down", s))
        turn.answered = True
        turn.understood["rule_question"] = "min_down"
        return
    if r.rule_question is not None:
        # "¿cuánto de enganche mínimo y a cuántos plazos?": every rule asked, in order.
        topics = rule_topics(r.folded) if r.question else ()
        told = topics if r.rule_question in topics else (r.rule_question,)
        turn.state = evolve(turn.state, told=told)
        for topic in told:
            turn.say(_rules(turn, topic, s))
        turn.answered = True
        turn.understood["rule_question"] = r.rule_question
        return
    if r.prices_asked and not (s.options or r.need.model or r.need.make or r.has_money):
        # "¿qué precios manejan?" before any search: the catalogue's range, then the flow.
        kind = r.need.body_type or s.body_type
        turn.say(replies_cars.price_range(turn.deps.catalog.price_range(body_type=kind), kind))
        turn.answered = True
        turn.understood["price_range"] = kind or "all"
        return
    unknown = None if r.need.found or r.fuzzy or r.kavak_topic else _unknown_name(r.folded)
    if unknown:
        # "¿tienen el tiida?": a name the catalogue does not know is a car it does not have.
        turn.say(replies_cars.stock_count(0, unknown))
        turn.answered = True
        turn.understood["unknown_name"] = unknown
        return
    if r.question and r.need.model and not s.options and names_unsearchable_detail(r.folded):
        # "me interesa el kicks, ¿lo tienen en rojo?": honest about the colour, then the flow.
        turn.say(replies.details_by_advisor())
        turn.answered = True
        turn.understood["details_asked"] = True
        return
    if r.need.found and s.options and not turn.changed - {"contact"} and cues.asks_exists(r.folded):
        # "¿no hay pickups?" about the search already shown: how many the catalogue has.
        say_stock(turn)
        turn.answered = True
        return
    _questions_for_the_articles(turn)


def _total_answer(turn: Turn, s: Slots) -> bool:
    """ "¿Cuánto pagaría en total?": the down payment plus every instalment of the plan, or of
    every term while the term is still to choose. False when there is no plan to total yet."""
    r = turn.reading
    if s.chosen is None or s.down_payment is None or s.cash_purchase:
        return False
    if s.term_months:
        plan = plan_for(turn, s.term_months)
        turn.say(replies.total_answer(plan))
        turn.understood["total"] = str(plan.down_payment + plan.total_paid)
    elif r.term is None:
        # Asked before the term is chosen: the total of every term, then the term is asked.
        plans = plans_by_term(turn)
        turn.say(replies.totals_by_term(plans))
        turn.understood["total"] = {
            str(p.term_months): str(p.down_payment + p.total_paid) for p in plans
        }
    else:
        return False
    turn.answered = True
    return True


_TERM_ADVICE = re.compile(
    r"\b(?:conviene\w*|recomienda\w*|recomendarias|sugiere\w*|aconseja\w*|mejor)\b"
)


def _rules(turn: Turn, topic: str, s: Slots) -> str:
    """A financing rule from the configuration, of the car in view when there is one; which term
    suits the customer, once their car and down payment are known."""
    if (
        topic == "terms"
        and s.chosen is not None
        and s.down_payment is not None
        and _TERM_ADVICE.search(turn.reading.folded)
    ):
        plans = plans_by_term(turn)
        return replies.term_advice(plans, s.monthly_budget)
    return replies_cars.rules_answer(
        topic,
        rate=turn.config.annual_rate,
        terms=turn.config.terms,
        min_ratio=turn.config.min_down_ratio,
        car=s.chosen or (s.options[0] if len(s.options) == 1 else None),
        price=turn.reading.budget_max,
    )


def _next_step_or_monthly(turn: Turn, s: Slots) -> bool:
    """ "¿cómo le hacemos?" with options shown (the steps, and which car); a monthly payment in
    mind for the chosen car: the term that reaches it, or each term's down payment for it."""
    r = turn.reading
    if turn.pending == Action.CHOOSE_OPTION and s.chosen is None and asks_next_step(r.folded):
        turn.say(replies_cars.next_step_choose())
        turn.understood["next_step"] = "choose"
    elif r.monthly_target is None or s.chosen is None:
        return False
    elif r.rule_question == "terms" and s.down_payment is not None:
        # "¿a cuántos meses quedaría en 8 mil?" with the down payment known: the term.
        turn.say(replies.term_advice(plans_by_term(turn), r.monthly_target))
        turn.understood["term_advice"] = str(r.monthly_target)
    else:
        _down_for_monthly(turn, s.chosen, r.monthly_target)
        return True
    turn.answered = True
    return True


def _price_plans(turn: Turn) -> bool:
    """ "¿Cuánto pagaría al mes por un carro de 200 mil?" before any car is shown: that price's
    payment at every term, with the down payment given or the least; "¿y si doy 50 mil?" next
    works it out again."""
    r = turn.reading
    s = turn.slots
    again = "price_plans" in turn.told and "down" in turn.changed
    if s.chosen or s.options or s.budget_max is None or not (r.monthly_asked or again):
        return False
    price = s.budget_max
    minimum = money(price * turn.config.min_down_ratio)
    down = max(s.down_payment, minimum) if s.down_payment is not None else minimum
    plans = price_plans_by_term(turn, price, down)
    turn.say(replies.price_plans(price, plans, minimum=down == minimum))
    turn.state = evolve(turn.state, told=("price_plans",))
    turn.answered = True
    turn.understood["price_plans"] = str(down)
    return True


def _income_said(turn: Turn) -> bool:
    """ "gano 25 mil al mes" with no budget yet: what they earn is no budget; the agent asks how
    much of it they would pay each month (no rule of thumb is made up)."""
    r = turn.reading
    s = turn.slots
    if r.income is None or s.budget_max or s.monthly_budget or r.has_money:
        return False
    turn.say(replies.income_noted(r.income))
    turn.answered = True
    turn.understood["income"] = str(r.income)
    return True


def _about_the_agent(turn: Turn) -> bool:
    """ "¿eres un bot?", "do you speak english?": answered, and nothing else of the message."""
    r = turn.reading
    if r.bot_identity:
        turn.say(replies.who_am_i())
        turn.understood["bot_identity"] = True
    elif cues.asks_language(r.folded):
        turn.say(replies.language_answer())  # not the off-topic line
        turn.understood["language"] = True
    else:
        return False
    turn.answered = True
    return True


def _unknown_name(folded: str) -> str | None:
    name = cues.unknown_name_asked(folded, known_word=lambda w: w in lexicon.frequent_words())
    return name.capitalize() if name else None


def _questions_for_the_articles(turn: Turn) -> None:
    """What of the message is a question about Kavak goes to the articles (and only that)."""
    r = turn.reading
    text = turn.text
    if r.cash and r.question:
        if "cash_noted" not in turn.changed:  # "¿y si lo pago de contado?": said once
            turn.say(replies_cars.cash_answer())
        turn.answered = True
        # "¿tienen garantía? y ¿puedo pagar de contado?": the rest may be for the articles.
        text = _without_clauses(text, cues.wants_cash)
        if not text or not turn.deps.knowledge.looks_like_question(text):
            return
        faq(turn, text)
        return
    # "¿cuánto nos darían por el aveo?" while financing the car chosen: their car as the down
    # payment, the trade-in.
    buying = r.sell_intent and turn.slots.chosen is not None
    if (r.trade_in or buying) and not (turn.changed - {"contact"} - {"need"}):
        # "quiero cambiar mi versa por algo más nuevo, ¿cómo funciona?": the trade-in.
        faq(turn, f"{text} a cuenta")
        return
    if r.sell_intent and not (turn.changed - {"contact"}):
        # "¿como cuánto me darían?": the sale of their car; the flow offers an advisor's quote,
        # so an article that does not answer adds no "No tengo ese dato".
        faq(turn, text if _about_cars(r.folded) else f"{text} por mi auto", decline=False)
        return
    if not re.search(r"\w", r.folded):
        return  # "???", "...": still there? (not a question for the articles)
    if r.greeting and len(r.folded.split()) <= 3 and not r.kavak_topic:
        return  # "hola??": still there? (small talk, not a question for the articles)
    about_flow = turn.changed - {"contact"}
    # "no me gustó, regrésame a las opciones" names a Kavak topic (returns) but asks the flow.
    flow_only = bool(r.show_again or r.choice_among) and "?" not in turn.text
    # "me pasas info del vento?": a car named exactly, and nothing about Kavak, is the catalogue's.
    car_asked = bool(r.need.model) and not (r.kavak_topic or r.fuzzy)
    # The flow answers it, not an article: the plan ("me gusta la 1, ¿cuánto pagaría a 60
    # meses?") or other cars ("no me convence, ¿tienes algo similar?", "¿no hay más nuevo?").
    flow_asked = not r.kavak_topic and bool(
        r.term or r.monthly_asked or r.total_asked or r.similar or r.better
    )
    # "¿y a crédito cuánto me saldría?" with a car in view: its plan (the flow chooses the car
    # asked about), not the credit article.
    car_credit = bool(
        r.financing_interest
        and (turn.slots.options or turn.slots.chosen)
        and _WHAT_IT_COSTS.search(r.folded)
    )
    flow_asked = flow_asked or car_credit
    if "contact" in turn.changed and not (r.kavak_topic or about_flow):
        return  # "¿ya te di mi número? es 55…": the contact data is the answer
    s = turn.slots
    if r.question and s.model and not (s.options or about_flow or r.kavak_topic or r.off_topic):
        # "me interesa la captiva" … "¿cómo la ves?", "¿tiene 3 filas?": about the car in mind,
        # answered with its listing (steps/advance.py), not with the articles.
        turn.understood["car_in_mind"] = s.model
        turn.answered = True
        return
    if (r.kavak_question and not (flow_only or car_asked or flow_asked)) or (
        r.question and not about_flow and not flow_question(turn) and not car_credit
    ):
        faq(turn, text)
    elif about_flow and (r.kavak_topic or ("?" in turn.text and not (car_asked or flow_asked))):
        # "¿tienen garantía? busco un sedán de 200": the question part goes to the articles.
        part = _kavak_clauses(text, turn.deps.knowledge)
        if part:
            faq(turn, part)


# "¿cuánto me saldría?", "¿cuánto quedaría?": what a car would cost (not "¿en cuánto tiempo…?").
_WHAT_IT_COSTS = re.compile(
    r"\bcuant[oa]s?\s+(?:me\s+|le\s+|nos\s+)?(?:saldria|sale|saldra|quedaria|queda|pagaria"
    r"|pago|seria|costaria|cuesta)\b"
)


def _down_for_monthly(turn: Turn, car: CarOption, monthly: Decimal) -> None:
    """The down payment each term needs for the monthly payment the customer has in mind."""
    config = turn.config
    downs = [
        (
            term,
            down_payment_for_monthly(
                price=car.price,
                monthly=monthly,
                annual_rate=config.annual_rate,
                term_months=term,
                min_down_ratio=config.min_down_ratio,
            ),
        )
        for term in config.terms
    ]
    minimum = money(car.price * config.min_down_ratio)
    turn.say(
        replies_cars.down_for_monthly(car, monthly, downs, minimum=minimum, rate=config.annual_rate)
    )
    turn.answered = True
    turn.understood["down_for_monthly"] = {str(t): str(d) for t, d in downs}


def _car_question_answer(turn: Turn, q: CarQuestion, s: Slots) -> None:
    """Facts of the options shown or the chosen car ("¿de qué año es el 2?", "¿cuál es el
    más nuevo?"); ``s``: the slots as they were when ``side_answers`` started."""
    options = s.options
    if q.rank and q.index is not None:
        turn.say(replies_cars.rank_answer(q.index + 1, options[q.index], q.rank))
        turn.state = turn.state.with_slots(focus=q.index)
    elif q.index is not None and options:
        turn.say(replies_cars.car_facts([(q.index + 1, options[q.index])], q.fields))
        turn.state = turn.state.with_slots(focus=q.index, focus_fields=q.fields)
    elif (
        s.chosen is not None
        and not q.among
        and (not options or turn.pending != Action.CHOOSE_OPTION)
    ):
        turn.say(replies_cars.car_facts([(0, s.chosen)], q.fields))
    else:
        shown = [(i + 1, options[i]) for i in (q.among or range(len(options)))]
        turn.say(replies_cars.car_facts(shown, q.fields))
        if q.recommend:
            turn.say(replies_cars.recommendation(shown))
            # "¿y esa cuánto pagaría?" after the recommendation: the one recommended.
            turn.state = turn.state.with_slots(focus=shown[0][0] - 1)
    turn.answered = True
    turn.understood["car_question"] = list(q.fields)


def flow_question(turn: Turn) -> bool:
    """A question the flow itself answers ("¿y a 6 años?", "¿cuál es el más nuevo?")."""
    r = turn.reading
    return bool(
        r.show_again
        or r.other_options
        or (r.cheaper and (bool(turn.slots.options) or turn.slots.has_need))  # "¿algo más barato?"
        or r.choice is not None
        or r.choice_among
        or r.unplaced
        or (r.callback and not r.kavak_topic)  # "¿me pueden llamar?" asks for a call
        # "¿cuándo puedo ir?": the booking ("¿puedo ir a la sucursal de Puebla?" is for articles)
        or (r.appointment and bool(turn.slots.options) and not r.kavak_topic)
        or asks_price_without_budget(turn)
        or (r.monthly_asked and bool(turn.slots.options))
    )


def faq(turn: Turn, text: str, *, decline: bool = True) -> None:
    """The articles' answer; ``decline``: say "No tengo ese dato" when they have none (False when
    the flow answers the message anyway, as the offer to quote a car to sell)."""
    context = turn.state.faq_context
    # "¿el primero tiene garantía?" asks the articles about the car (they know no option numbers).
    query = option_refs_as_car(fold(text)) if turn.slots.options else text
    answer = turn.deps.knowledge.answer(query)
    if (
        not answer.confident
        and context
        and _FOLLOW_UP.search(turn.reading.folded)
        and not turn.reading.off_topic
    ):
        # A short follow-up ("¿y pasan por él?", "¿se puede extender?") that says too little
        # alone is read with the question it follows; "¿y dónde queda Polanco?" is its own.
        answer = turn.deps.knowledge.answer(f"{context} {query}")
    turn.understood["faq"] = {"confident": answer.confident, "confidence": answer.confidence}
    turn.answered = True
    if answer.confident:
        turn.sources = answer.sources
        if turn.branch_offer is not None:
            at, branches = turn.branch_offer
            if all(b.name in answer.answer for b in branches):
                # The answer lists the city's branches: the offer names only the first.
                turn.parts[at] = replies.branch_offer(branches, listed=True)
        turn.say(answer.answer)
        turn.state = evolve(turn.state, faq_context=text[:200])
        return
    if turn.reading.appointment or turn.reading.callback or answer.catalogue or not decline:
        # "¿puedo ir a verlo mañana a la de Santa Fe?": the visit is the flow's to book;
        # "busco un auto, ¿me ayudan?" is the catalogue's: an article adds nothing.
        turn.answered = False
        return
    turn.effects.append(RecordKbMiss(question=text, confidence=answer.confidence))
    if turn.reading.off_topic or not (
        turn.reading.kavak_question or _about_cars(turn.reading.folded)
    ):
        turn.say(replies.off_topic())
    else:
        turn.lost = True
        turn.say(answer.answer or replies.faq_unavailable())


_CAR_WORDS = re.compile(
    r"\b(?:auto|autos|carro|carros|coche|coches|camioneta\w*|vehiculo\w*|seguro|credito|"
    r"financ\w*|enganche|garantia|sucursal\w*|kavak|precio|pago\w*|mensualidad\w*|placas|"
    r"tenencia|verificacion|factura|servicio\w*|mantenimiento|llantas|motor|asesor\w*|"
    r"envio\w*|envian|enviar\w*|entrega\w*)\b"
)


# A question that leans on the previous one: "¿y…?", "¿se puede…?", ending in "él/eso/lo".
_FOLLOW_UP = re.compile(
    r"^[¿\s]*(?:y|e|pero|entonces|o sea)\b|\bse puede\b|\b(?:el|ella|eso|esto|lo|la|le|ahi)\W*$"
    r"|^[¿\s]*(?:cuanto|cuantos|cuanta|como|donde|cuando)\W*$"
)
_QUESTION_BREAK = re.compile(r"(?<=[?!.])\s*|\s+(?=¿)")


def _without_clauses(text: str, handled: Any) -> str:
    """``text`` without the questions ``handled`` says the engine already answered."""
    clauses = [c.strip(" ,;") for c in _QUESTION_BREAK.split(text) if c.strip(" ,;")]
    kept = [c for c in clauses if not handled(c)]
    return " ".join(re.sub(r"^(?:y|e|o)\s+", "", c) for c in kept)


_CLAUSE = re.compile(r"[,;.!?¿]|\s(?:y|pero|aunque|ademas|tambien)\s")
# "disculpe la hora", "perdón por molestar tan tarde": courtesy, not a question about hours.
_APOLOGY = re.compile(
    r"^\W*(?:(?:buenas noches|buenas|hola|oiga|oigan)\W+)*(?:disculp\w*|perdon\w*|una disculpa"
    r"|perdone\w*|lamento|siento)\b.*\b(?:hora\w*|molest\w*|tarde|noche|interrump\w*"
    r"|inconvenien\w*|tardanza)\b"
)


def _kavak_clauses(text: str, knowledge: KnowledgeBase) -> str:
    """The clauses of ``text`` that are questions about Kavak (the rest stated slots)."""
    clauses = [c.strip() for c in _CLAUSE.split(text) if len(c.strip()) > 3]
    asked = [c for c in clauses if not _APOLOGY.match(fold(c)) and knowledge.looks_like_question(c)]
    if not asked:
        return ""
    # "soy de Monterrey, ¿tienen sucursal allá?": the place said beside the question belongs to it.
    places = [c for c in clauses if c not in asked and knowledge.branches_in(c)]
    return " ".join(places + asked)


def _about_cars(folded: str) -> bool:
    """Whether an unanswered question is about cars or Kavak (an unknown fact), or off-topic."""
    return _CAR_WORDS.search(folded) is not None
