"""Reading a whole message before deciding (issue 15): cues decide what a number is, the pending
question only breaks ties, and choices, car questions, contact data and intents are read on any
turn. On the pure engine with fake ports."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from conversations.engine import contact_time
from conversations.engine.state import Action, ConversationState, Slots
from conversations.engine.understanding import Reading, understand
from tests.support.fakes import CARS, FakeKnowledge, InMemoryCarCatalog

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("America/Mexico_City"))  # a Tuesday
OPTIONS = CARS[:3]  # Corolla 2019 $289,999 · Corolla 2017 $229,999 · Versa 2020 $239,999


def read(text: str, action: Action = Action.ASK_NEED, **slots: object) -> Reading:
    state = ConversationState(next_action=action, slots=Slots(**slots))  # type: ignore[arg-type]
    return understand(text, state, catalog=InMemoryCarCatalog(), knowledge=FakeKnowledge(), now=NOW)


# --- what a number is: its cue words --------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "down", "monthly", "budget"),
    [
        ("tengo 50 mil pal enganche", "50000", None, None),
        ("tengo 50 mil pal enganche y puedo pagar 6 mil al mes", "50000", "6000", None),
        ("enganche de 60 mil y presupuesto de 300 mil", "60000", None, "300000"),
        ("4 mil 500 x mes", None, "4500", None),
        ("puedo dar 4 mil 500 de mensualidad", None, "4500", None),
        ("cuatro mil quinientos al mes", None, "4500", None),
        ("tengo 300 lucas", None, None, "300000"),
        ("traigo como 300 varos", None, None, "300000"),
        ("unos 250 de presupuesto", None, None, "250000"),
        ("daria 90 de entrada y 7 mil mensuales", "90000", "7000", None),
        ("un millón 200", None, None, "1200000"),
    ],
)
def test_cue_words_decide_what_each_number_is(
    text: str, down: str | None, monthly: str | None, budget: str | None
) -> None:
    r = read(text, Action.ASK_BUDGET)
    assert r.down_amount == (Decimal(down) if down else None)
    assert r.monthly == (Decimal(monthly) if monthly else None)
    assert r.budget_max == (Decimal(budget) if budget else None)


def test_the_nearest_cue_wins_when_a_clause_has_two() -> None:
    r = read("cuanto quedaria la mensualidad dando 80 mil de enganche a 4 años", Action.ASK_TERM)
    assert r.down_amount == Decimal("80000")
    assert r.monthly is None
    assert r.term is not None
    assert r.term.months == 48


def test_a_phone_is_never_money_and_a_stock_id_chooses() -> None:
    r = read("mi numero es 55 3456 7890 para que me marquen", Action.ASK_DOWN_PAYMENT)
    assert r.phone == "+525534567890"
    assert (r.down_amount, r.budget_max, r.unplaced) == (None, None, None)
    chosen = read(f"quiero el {OPTIONS[1].stock_id}", Action.CHOOSE_OPTION, options=OPTIONS)
    assert chosen.choice == 1
    assert chosen.budget_max is None


def test_percentages_and_halves_are_down_payments_but_not_rates() -> None:
    assert read("con 20% de enganche").down_ratio == Decimal("0.2")
    assert read("la mitad de enganche", Action.ASK_DOWN_PAYMENT).down_ratio == Decimal("0.5")
    assert read("la tasa es del 10%?").down_ratio is None


@pytest.mark.parametrize(
    ("text", "action", "roles"),
    [
        ("72", Action.ASK_BUDGET, ("term", "price")),  # 72 months or 72 mil? ask
        ("380", Action.CHOOSE_OPTION, ("price",)),  # not a choice: confirm it is a budget
        ("380", Action.ASK_TERM, ("down",)),  # not a term
    ],
)
def test_a_bare_number_the_question_cannot_explain_is_confirmed(
    text: str, action: Action, roles: tuple[str, ...]
) -> None:
    r = read(
        text, action, options=OPTIONS, chosen=OPTIONS[0] if action == Action.ASK_TERM else None
    )
    assert r.unplaced_roles == roles
    assert (r.budget_max, r.down_amount) == (None, None)


@pytest.mark.parametrize(
    ("text", "action", "expected"),
    [
        ("250", Action.ASK_BUDGET, ("budget_max", Decimal("250000"))),
        ("60", Action.ASK_DOWN_PAYMENT, ("down_amount", Decimal("60000"))),
        ("versa de 270", Action.ASK_NEED, ("budget_max", Decimal("270000"))),
    ],
)
def test_the_pending_question_breaks_ties_for_a_plausible_bare_number(
    text: str, action: Action, expected: tuple[str, Decimal]
) -> None:
    name, value = expected
    assert getattr(read(text, action), name) == value


def test_money_after_a_choice_is_a_down_payment_unless_it_names_a_new_search() -> None:
    chosen = OPTIONS[0]
    assert read("y si doy 100 mil?", Action.OFFER_APPOINTMENT, chosen=chosen).down_amount == 100000
    assert read("y con 100 mil?", Action.OFFER_APPOINTMENT, chosen=chosen).down_amount == 100000
    new_search = read("mejor una camioneta de 400 mil", Action.ASK_DOWN_PAYMENT, chosen=chosen)
    assert new_search.budget_max == Decimal("400000")
    assert new_search.down_amount is None


# --- choosing among the options shown -------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("ok el 2", 1),
        ("quiero el 2", 1),
        ("sale el segundo", 1),
        ("me late la primera", 0),
        ("va me quedo con el 3", 2),
        ("la 1 👍", 0),
        ("el más nuevo", 2),  # the 2020 Versa
        ("dame el más barato", 1),
        ("el último", 2),
        ("el versa", 2),
        ("2", 1),
    ],
)
def test_choices_in_customer_wording(text: str, index: int) -> None:
    assert read(text, Action.CHOOSE_OPTION, options=OPTIONS).choice == index


def test_a_year_shared_by_two_options_asks_which() -> None:
    options = (OPTIONS[0], OPTIONS[2])  # 2019 and 2020
    assert read("el del 2020", Action.CHOOSE_OPTION, options=options).choice == 1
    both = (OPTIONS[0], OPTIONS[0].__class__(**{**OPTIONS[1].__dict__, "year": 2019}))
    r = read("el del 2019", Action.CHOOSE_OPTION, options=both)
    assert r.choice is None
    assert r.choice_among == (0, 1)


@pytest.mark.parametrize(
    ("text", "fields", "index"),
    [
        ("¿cuántos km tiene el 3?", ("km",), 2),
        ("y el 2 de que año es", ("year",), 1),
        ("es automatico el 2?", ("transmission",), 1),
        ("que version es la 1?", ("version",), 0),
        ("el 2 sigue disponible?", ("available",), 1),
    ],
)
def test_questions_about_a_shown_car_are_not_choices(
    text: str, fields: tuple[str, ...], index: int
) -> None:
    r = read(text, Action.CHOOSE_OPTION, options=OPTIONS)
    assert r.car_question is not None
    assert r.car_question.fields == fields
    assert r.car_question.index == index
    assert r.choice is None


def test_a_kavak_question_with_a_car_word_is_not_a_car_question() -> None:
    r = read("¿cuántos km puedo manejar en la prueba?", Action.CHOOSE_OPTION, options=OPTIONS)
    assert r.car_question is None


# --- contact data and intents, on any turn --------------------------------------------------------
def test_contact_data_is_read_whatever_was_asked() -> None:
    r = read("hola soy Fernanda, busco un sedan")
    assert r.name == "Fernanda"
    assert read("soy de leon guanajuato y busco un sedan").name is None
    later = read("mañana a las 11, o al 8112345678 si no contesto", Action.ASK_CONTACT_TIME)
    assert later.contact_at == datetime(2026, 11, 25, 11, 0, tzinfo=NOW.tzinfo)
    assert later.contact_text == "mañana a las 11"


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("👍", "small_talk"),
        ("ok", "small_talk"),
        ("sigues ahi?", "small_talk"),
        ("ok déjame pensarlo", "think_later"),
        ("no, gracias", "decline"),
        ("prefiero que me llamen", "callback"),
        ("quiero ir a verla el sábado", "appointment"),
        ("no quiero dar mi número", "refuses_phone"),
        ("mejor empecemos de nuevo", "reset"),
        ("Sí, me interesa el financiamiento", "financing_interest"),
    ],
)
def test_intents_besides_slots(text: str, flag: str) -> None:
    assert getattr(read(text), flag) is True


def test_only_a_bare_confirmation_confirms() -> None:
    assert read("sí").only_yes
    assert read("va, perfecto").only_yes
    assert not read("va, y también busco una suv de 300").only_yes
    assert read("nel").only_no


def test_financing_rule_questions_are_recognised() -> None:
    assert read("¿qué tasa manejan?").rule_question == "rate"
    assert read("y a que plazos?").rule_question == "terms"
    assert read("cuanto es lo minimo de enganche?", Action.ASK_DOWN_PAYMENT).rule_question == (
        "min_down"
    )
    # Asking about the minimum does not choose it.
    assert not read("cuanto es lo minimo de enganche?", Action.ASK_DOWN_PAYMENT).down_minimum


def test_contact_phrase_keeps_only_the_when() -> None:
    assert contact_time.contact_phrase("quiero una cita en monterrey el sabado a las 11") == (
        "el sabado a las 11"
    )
    assert contact_time.contact_phrase("cuando puedan") is None


# --- later session, 2026-12-03: classes found talking to the agent as a new customer ------------
@pytest.mark.parametrize(
    "text", ["q onda", "k tal", "quiubo", "wenas tardes", "holis", "buen dia", "q pedo"]
)
def test_greetings_as_typed_are_greetings(text: str) -> None:
    r = read(text)
    assert r.greeting
    assert not r.need.found  # "wenas" is no Mercedes-Benz


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("la de en medio", 1),
        ("me gusto el del medio", 1),
        ("la penultima", 1),
        ("el de hasta abajo", 2),
        ("el de arriba", 0),
    ],
)
def test_an_option_by_its_place_in_the_list(text: str, index: int) -> None:
    assert read(text, Action.CHOOSE_OPTION, options=OPTIONS).choice == index


def test_the_middle_of_two_is_no_option() -> None:
    assert read("el de en medio", Action.CHOOSE_OPTION, options=OPTIONS[:2]).choice is None


def test_the_chosen_option_named_again_is_read() -> None:
    chosen = OPTIONS[0]
    r = read("bueno la 1", Action.ASK_DOWN_PAYMENT, options=OPTIONS, chosen=chosen)
    assert r.choice == 0
    assert read("ok el 3", Action.ASK_TERM, options=OPTIONS, chosen=chosen).choice == 2
    # A number with a cue is money, not a choice said again.
    assert read("si el 10%", Action.ASK_DOWN_PAYMENT, options=OPTIONS, chosen=chosen).choice is None


@pytest.mark.parametrize(
    ("text", "action", "unknown"),
    [
        ("busco suv pero no se cuanto gastar", Action.ASK_NEED, True),
        ("no tengo presupuesto fijo", Action.ASK_NEED, True),
        ("mmm tu dime", Action.ASK_BUDGET, True),
        ("ni idea", Action.ASK_BUDGET, True),
        ("ni idea", Action.ASK_NEED, False),  # only as the answer to the budget question
        ("no se cuanto gastar, unos 200", Action.ASK_BUDGET, False),  # it was given after all
    ],
)
def test_a_budget_the_customer_does_not_know(text: str, action: Action, unknown: bool) -> None:
    assert read(text, action).budget_unknown is unknown


def test_a_bare_amount_far_below_the_budget_is_a_down_payment() -> None:
    shown = {"options": OPTIONS, "budget_max": Decimal("300000")}
    r = read("ok 40 mil", Action.CHOOSE_OPTION, **shown)
    assert (r.down_amount, r.budget_max) == (Decimal("40000"), None)
    # A correction cue keeps it a budget, however far below; near the budget it is one too.
    assert read("mejor 80 mil", Action.CHOOSE_OPTION, **shown).budget_max == Decimal("80000")
    assert read("250 mil", Action.CHOOSE_OPTION, **shown).budget_max == Decimal("250000")


@pytest.mark.parametrize(
    "text",
    ["que carros tienen?", "q opciones hay con 180 mil", "que tienen", "cuales autos manejan"],
)
def test_the_whole_catalogue_asked_for_is_an_open_need(text: str) -> None:
    assert read(text).open_need


def test_a_drive_question_is_a_question_about_the_car() -> None:
    r = read("la 1 tiene 4x4?", Action.CHOOSE_OPTION, options=OPTIONS)
    assert r.choice is None
    assert r.car_question is not None
    assert r.car_question.fields == ("traction",)


@pytest.mark.parametrize(
    "text",
    [
        "gano 15 mil al mes",
        "mi sueldo es de 18 mil al mes",
        "mi esposa gana 30 mil",
        "ingreso 25 mil",
    ],
)
def test_what_the_customer_earns_is_neither_budget_nor_monthly(text: str) -> None:
    r = read(text, Action.ASK_BUDGET)
    assert (r.budget_max, r.monthly, r.down_amount) == (None, None, None)


def test_income_and_a_payment_in_one_message() -> None:
    r = read("gano 20 mil y puedo pagar 5 mil al mes", Action.ASK_BUDGET)
    assert r.monthly == Decimal("5000")


def test_the_car_after_vender_mi_is_the_customers_own() -> None:
    assert read("puedo vender mi versa?").need.model is None


@pytest.mark.parametrize(
    ("text", "first", "others"),
    [
        ("busco un corolla o un versa", ("Toyota", "Corolla"), (("Nissan", "Versa"),)),
        ("toyota o nissan de 250", ("Toyota", None), (("Nissan", None),)),
        ("un versa y tengo 200 mil", ("Nissan", "Versa"), ()),  # one name: no alternatives
    ],
)
def test_several_names_at_once_are_alternatives(
    text: str, first: tuple[str, str | None], others: tuple[tuple[str, str | None], ...]
) -> None:
    r = read(text)
    assert (r.need.make, r.need.model) == first
    assert r.alternatives == others


@pytest.mark.parametrize(
    ("text", "rank"),
    [
        ("la mas barata cuanto es?", "cheapest"),
        ("y la mas cara?", "priciest"),
        ("cual tiene menos km?", "lowest_km"),
    ],
)
def test_a_rank_asked_about_is_answered_not_chosen(text: str, rank: str) -> None:
    r = read(text, Action.CHOOSE_OPTION, options=OPTIONS)
    assert r.car_question is not None
    assert r.car_question.rank == rank
    assert r.choice is None
    assert not r.cheaper  # the question is about those shown, not a cheaper search


@pytest.mark.parametrize("text", ["dame la mas barata", "me gusta la 3, me la dejas mas barata?"])
def test_a_rank_taken_or_a_haggle_is_no_rank_question(text: str) -> None:
    r = read(text, Action.CHOOSE_OPTION, options=OPTIONS)
    assert r.car_question is None or r.car_question.rank is None


@pytest.mark.parametrize(
    ("text", "better"),
    [("tienen algo con menos km?", "fewer_km"), ("no hay uno mas nuevo?", "newer")],
)
def test_other_cars_better_on_one_point(text: str, better: str) -> None:
    r = read(text, Action.CHOOSE_OPTION, options=OPTIONS)
    assert r.better == better
    assert r.car_question is None


def test_the_down_payment_a_monthly_payment_needs() -> None:
    chosen = OPTIONS[0]
    r = read(
        "cuanto tendria que dar de enganche para pagar 8 mil al mes?",
        Action.ASK_DOWN_PAYMENT,
        options=OPTIONS,
        chosen=chosen,
    )
    assert r.monthly_target == Decimal("8000")
    assert (r.down_amount, r.monthly, r.monthly_asked) == (None, None, False)


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("tienen automaticos?", True),
        ("buenas tardes, hay camionetas?", True),
        ("oye manejan nissan", True),
        ("busco un sedan, tienen?", False),  # the need said first; the flow asks the budget
        ("quiero una suv", False),
    ],
)
def test_whether_there_are_cars_of_a_kind(text: str, asks: bool) -> None:
    from conversations.engine import cues
    from spanish import fold

    assert cues.asks_exists(fold(text)) is asks


@pytest.mark.parametrize(
    ("text", "index"),
    [("la de 290", 0), ("el que cuesta 230 mil", 1), ("esa de $239,999", 2)],
)
def test_an_option_by_its_price_is_a_choice_not_a_budget(text: str, index: int) -> None:
    r = read(text, Action.CHOOSE_OPTION, options=OPTIONS, budget_max=Decimal("300000"))
    assert r.choice == index
    assert r.budget_max is None


def test_a_price_no_option_has_is_still_money() -> None:
    r = read("mejor de 200", Action.CHOOSE_OPTION, options=OPTIONS, budget_max=Decimal("300000"))
    assert r.choice is None
    assert r.budget_max == Decimal("200000")


def test_safe_is_not_the_insurance_topic() -> None:
    assert not read("algo seguro y barato").kavak_topic
    assert read("y el seguro cuanto sale?").kavak_topic


def test_a_question_about_all_options_is_no_request_for_others() -> None:
    r = read("ninguno tiene bolsas de aire?", Action.CHOOSE_OPTION, options=OPTIONS)
    assert r.car_question is not None
    assert not r.other_options


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("tienen el tiida?", "tiida"),
        ("hola, hay algun sandero?", "sandero"),
        ("tienen la garantia?", None),  # an ordinary word
        ("busco un tiida", None),  # no question whether there are any
    ],
)
def test_a_name_no_list_knows_asked_for(text: str, name: str | None) -> None:
    from conversations.engine import cues, lexicon
    from spanish import fold

    known = lexicon.frequent_words().__contains__
    assert cues.unknown_name_asked(fold(text), known_word=known) == name


def test_wanting_the_chosen_car_again_confirms_it() -> None:
    chosen = OPTIONS[1]
    r = read("ok lo quiero", Action.ASK_DOWN_PAYMENT, options=OPTIONS, chosen=chosen)
    assert r.choice == 1
    assert read("ok lo kiero", Action.ASK_DOWN_PAYMENT, options=OPTIONS).choice is None


# --- dev34: chat spelling, lead-in words, questions that do not choose ---------------------------
@pytest.mark.parametrize(
    "text", ["ok y el 2 q año es", "va pero la 2 cuantos km tiene", "oye y el 2 que motor trae"]
)
def test_a_question_after_lead_in_words_asks_and_does_not_choose(text: str) -> None:
    r = read(text, Action.CHOOSE_OPTION, options=OPTIONS)
    assert r.choice is None
    assert r.car_question is not None
    assert r.car_question.index == 1


def test_a_kavak_question_naming_an_option_chooses_nothing_unless_a_choice_is_said() -> None:
    assert read("el primero tiene garantia?", Action.CHOOSE_OPTION, options=OPTIONS).choice is None
    r = read("me interesa el 2, tiene garantia?", Action.CHOOSE_OPTION, options=OPTIONS)
    assert r.choice == 1


def test_the_least_down_payment_asked_in_any_order_is_the_rule_question() -> None:
    r = read("y de enganche cuanto tengo que dar minimo?", Action.CHOOSE_OPTION, options=OPTIONS)
    assert r.rule_question == "min_down"
    assert read("con 50 de enganche cuanto quedaria?", Action.ASK_TERM).rule_question is None


def test_another_make_leaves_the_makes_shown_out() -> None:
    r = read("no hay otra marca?", Action.CHOOSE_OPTION, options=OPTIONS)
    assert set(r.excluded_makes) == {c.make for c in OPTIONS}


def test_option_numbers_are_said_as_the_car_for_the_articles() -> None:
    from conversations.engine.reading.options import option_refs_as_car

    assert option_refs_as_car("el primero tiene garantia?") == "el auto tiene garantia?"
    assert option_refs_as_car("la 2 tiene seguro") == "el auto tiene seguro"
    assert option_refs_as_car("pago a la 2 meses") == "pago a la 2 meses"


def test_a_bare_number_of_years_after_a_plan_is_the_term() -> None:
    plan = {"options": OPTIONS, "chosen": OPTIONS[0], "down_payment": Decimal(50000)}
    r = read("ok y si mejor a 5?", Action.OFFER_APPOINTMENT, term_months=36, **plan)
    assert r.term is not None
    assert r.term.months == 60
    assert read("a 5", Action.OFFER_APPOINTMENT, **plan).term is None  # no plan shown yet


def test_the_price_of_a_car_named_beats_a_farther_cue() -> None:
    r = read("cuanto me queda la mensualidad de un carro de 250 mil", Action.ASK_NEED)
    assert r.budget_max == Decimal(250000)
    assert r.monthly is None


def test_any_form_of_agendar_books() -> None:
    assert read("como agendo para verlo?", Action.OFFER_APPOINTMENT).appointment


def test_interest_in_the_only_option_shown_chooses_it() -> None:
    one = OPTIONS[:1]
    assert read("me interesa, que necesito?", Action.CHOOSE_OPTION, options=one).choice == 0
    assert read("me interesa un jetta", Action.CHOOSE_OPTION, options=one).choice is None


def test_a_raise_of_the_budget_in_any_form_of_subir() -> None:
    assert read("subele a 350", Action.CHOOSE_OPTION, options=OPTIONS).budget_max == 350000


def test_a_yes_with_one_option_shown_chooses_it() -> None:
    assert read("simon", Action.CHOOSE_OPTION, options=OPTIONS[:1]).choice == 0
    assert read("simon", Action.CHOOSE_OPTION, options=OPTIONS).choice is None


@pytest.mark.parametrize(
    "text", ["y el seguro cuanto sale?", "y si le doy 100 mil?", "no muy caro", "me va a llamar?"]
)
def test_yes_and_no_words_used_as_something_else_are_no_answer(text: str) -> None:
    r = read(text, Action.OFFER_APPOINTMENT)
    assert not r.yes
    assert not r.no


def test_not_too_dear_is_read_as_cheap() -> None:
    from conversations.engine.reading.need import _NOT_DEAR

    assert _NOT_DEAR.sub(" barato ", "algo no muy caro").split() == ["algo", "barato"]
    assert _NOT_DEAR.sub(" barato ", "que no sea tan cara").split() == ["que", "barato"]


def test_a_monthly_amount_with_a_car_chosen_is_its_target() -> None:
    r = read(
        "me interesa el primero pero puedo pagar 4 mil al mes",
        Action.CHOOSE_OPTION,
        options=OPTIONS,
    )
    assert r.choice == 0
    assert r.monthly is None
    assert r.monthly_target == Decimal(4000)


def test_the_down_payment_asked_with_no_amount_is_the_least_one() -> None:
    r = read("y cuanto tendria que dar de enganche?", Action.ASK_DOWN_PAYMENT, options=OPTIONS)
    assert r.rule_question == "min_down"
    assert (
        read("cuanto quedaria con 50 de enganche?", Action.ASK_DOWN_PAYMENT).rule_question is None
    )


def test_a_model_no_option_is_asked_about_is_no_question_about_the_options() -> None:
    r = read("el versa cuanto cuesta?", Action.CHOOSE_OPTION, options=OPTIONS[:2])
    assert r.car_question is None
    assert r.need.model == "Versa"


def test_a_negated_amount_is_not_the_one_meant() -> None:
    r = read("no perdon, eran 90 de enganche no 80", Action.OFFER_APPOINTMENT)
    assert r.down_amount == Decimal(90000)
    assert read("no mas de 300", Action.ASK_BUDGET).budget_max == Decimal(300000)


def test_today_without_an_hour_is_never_in_the_past() -> None:
    late_morning = NOW.replace(hour=12, minute=40)
    at = contact_time.parse_contact_time("hoy mismo", now=late_morning)
    assert at is not None
    assert at > late_morning
    night = NOW.replace(hour=20)
    tomorrow = contact_time.parse_contact_time("hoy", now=night)
    assert tomorrow is not None
    assert (tomorrow.day, tomorrow.hour) == (night.day + 1, 10)


@pytest.mark.parametrize(
    "text", ["y algo parecido?", "tienes algo similar?", "una como esa pero mas nueva"]
)
def test_something_similar_is_read(text: str) -> None:
    assert read(text, Action.CHOOSE_OPTION, options=OPTIONS).similar


def test_the_car_the_customer_has_with_its_year_is_not_the_search() -> None:
    assert read("tengo un versa 2015 y busco una suv", Action.ASK_NEED).need.model is None


def test_an_hour_alone_names_no_day() -> None:
    assert contact_time.names_day("el sabado")
    assert not contact_time.names_day("a las 5 de la tarde")
    assert not contact_time.names_day("por la manana")


def test_an_option_named_by_its_rank_is_that_option() -> None:
    from conversations.engine.reading.options import option_refs_as_car

    r = read(
        "la mas barata tiene garantia? y cuantos dueños?", Action.CHOOSE_OPTION, options=OPTIONS
    )
    assert r.car_question is not None
    assert r.car_question.index == 1  # the Corolla 2017, $229,999
    assert option_refs_as_car("la mas barata tiene garantia") == "el auto tiene garantia"


def test_a_bare_amount_far_below_the_cars_shown_is_a_down_payment() -> None:
    r = read(
        "ah ok, entonces 40", Action.CHOOSE_OPTION, options=OPTIONS, budget_max=Decimal(250000)
    )
    assert r.down_amount == Decimal(40000)


def test_one_capitalised_name_with_the_phone_is_the_name() -> None:
    r = read("Pedro 5512345678", Action.CHOOSE_OPTION, options=OPTIONS)
    assert r.name == "Pedro"
    assert r.phone == "+525512345678"


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("que precios manejan?", True),
        ("cuanto cuesta un carro con ustedes?", True),
        ("desde cuanto tienen autos?", True),
        ("cuanto cuesta el versa?", False),
        ("cuanto cuesta un carro de 2018?", False),
    ],
)
def test_the_catalogue_price_range_asked(text: str, asked: bool) -> None:
    assert read(text, Action.ASK_NEED).prices_asked is asked


def test_more_info_of_an_option_asks_and_does_not_choose() -> None:
    r = read("mas info del 1", Action.CHOOSE_OPTION, options=OPTIONS[:1])
    assert r.choice is None
    assert r.car_question is not None


@pytest.mark.parametrize(
    ("text", "better"),
    [
        ("no tienes mas nuevo?", "newer"),
        ("hay alguno con menos km?", "fewer_km"),
        ("puedo cambiar mi camioneta por una mas nueva?", None),
    ],
)
def test_a_relative_asked_with_a_verb_and_a_trade_in_is_not_one(
    text: str, better: str | None
) -> None:
    assert read(text, Action.CHOOSE_OPTION, options=OPTIONS).better == better


@pytest.mark.parametrize(
    ("text", "sell"),
    [
        ("hola quiero vender mi carro", True),
        ("como cuanto me darian?", True),
        ("quiero comprar un carro", False),
        ("me venden el 2?", False),
    ],
)
def test_selling_ones_car_is_read(text: str, sell: bool) -> None:
    assert read(text, Action.ASK_NEED).sell_intent is sell


@pytest.mark.parametrize(
    "text", ["nadie me llamo, estoy molesto", "ando bien enojada", "quiero poner una queja"]
)
def test_an_upset_customer_is_read_in_any_form(text: str) -> None:
    assert read(text, Action.ASK_NEED).frustrated


def test_a_bare_hour_after_a_day_while_booking_is_a_time() -> None:
    saturday = NOW.replace(day=28, hour=10).isoformat()
    r = read("11", Action.ASK_NAME, contact_at=saturday, contact_time="sabado")
    assert r.contact_at is not None
    assert r.contact_at.hour == 11
    assert read("11", Action.ASK_NAME).contact_at is None  # no day said yet: not a time


def test_a_raise_said_after_choosing_is_the_new_budget() -> None:
    plan = {"options": OPTIONS, "chosen": OPTIONS[0], "down_payment": Decimal(50000)}
    assert read("subele a 350", Action.OFFER_APPOINTMENT, **plan).budget_max == Decimal(350000)


@pytest.mark.parametrize("text", ["contado", "Efectivo!", "lo pago todo"])
def test_cash_said_alone(text: str) -> None:
    assert read(text, Action.ASK_DOWN_PAYMENT, options=OPTIONS, chosen=OPTIONS[0]).cash


def test_every_financing_rule_asked_is_listed_in_order() -> None:
    from conversations.engine.reading.rules import rule_topics

    assert rule_topics("cuanto seria de enganche minimo y a cuantos plazos?") == (
        "min_down",
        "terms",
    )


def test_if_i_dont_like_it_is_a_condition() -> None:
    r = read("y si no me gusta lo puedo regresar?", Action.CHOOSE_OPTION, options=OPTIONS)
    assert not r.other_options
    assert (
        read("me llevo la 2, y si no me gusta?", Action.CHOOSE_OPTION, options=OPTIONS).choice == 1
    )
    assert read("no me gusta, otras", Action.CHOOSE_OPTION, options=OPTIONS).other_options


def test_a_make_no_option_is_asked_about_is_no_question_about_the_options() -> None:
    versas = tuple(c for c in CARS if c.model == "Versa")
    r = read("el toyota de cuantos km es?", Action.CHOOSE_OPTION, options=versas)
    assert r.car_question is None


def test_the_pronoun_before_the_verb_books_a_visit() -> None:
    assert read("la puedo ver este fin?", Action.CHOOSE_OPTION, options=OPTIONS).appointment


def test_the_least_with_a_verb_of_giving_is_the_minimum_down_payment() -> None:
    r = read("cuanto es lo minimo que doy?", Action.ASK_DOWN_PAYMENT, options=OPTIONS)
    assert r.rule_question == "min_down"


def test_a_bare_number_of_years_while_the_down_payment_is_asked_is_the_term() -> None:
    r = read("ah ok, entonces a 3", Action.ASK_DOWN_PAYMENT, options=OPTIONS, chosen=OPTIONS[0])
    assert r.term is not None
    assert r.term.months == 36
    assert r.down_amount is None


def test_the_dearest_or_cheapest_car_they_have_asks_the_range() -> None:
    assert read("cuanto cuesta el carro mas caro que tienen?", Action.ASK_NEED).prices_asked
    assert read("y la mas barata que tengan?", Action.ASK_NEED).prices_asked
