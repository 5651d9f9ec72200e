"""The sales flow rules of docs/AGENT_CONTRACT.md, on the pure engine with fake ports."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from conversations.engine import replies
from conversations.engine.policy import (
    EngineConfig,
    EngineDeps,
    Inbound,
    NotifySales,
    PauseBot,
    RecordKbMiss,
    TurnResult,
    UpsertLead,
    decide,
)
from conversations.engine.state import (
    Action,
    ConversationState,
    state_from_dict,
    state_to_dict,
)
from tests.support.fakes import FakeKnowledge, InMemoryCarCatalog

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("America/Mexico_City"))


class Chat:
    def __init__(self) -> None:
        self.catalog = InMemoryCarCatalog()
        self.knowledge = FakeKnowledge()
        self.state = ConversationState()
        self.last: TurnResult | None = None

    def say(self, text: str, phone: str | None = None) -> TurnResult:
        result = decide(
            self.state,
            Inbound(text=text, customer_phone=phone),
            EngineDeps(catalog=self.catalog, knowledge=self.knowledge),
            EngineConfig(now=NOW),
        )
        # Round-trip through JSON on every turn, as the database store does.
        self.state = state_from_dict(state_to_dict(result.state))
        self.last = result
        return result


@pytest.fixture
def chat() -> Chat:
    return Chat()


def test_first_message_greets_and_asks_for_the_need(chat: Chat) -> None:
    r = chat.say("hola")
    assert r.state.step == "need"
    assert r.state.next_action == "ask_need"
    assert "Hola" in r.reply


def test_early_information_fills_need_and_budget_in_one_turn(chat: Chat) -> None:
    r = chat.say("busco un Corolla automático, tengo 300 mil")
    assert r.state.slots.model == "Corolla"
    assert r.state.slots.transmission == "automatic"
    assert r.state.slots.budget_max == Decimal("300000")
    assert r.state.next_action == "choose_option"
    assert [c.stock_id for c in r.cars] == ["1001"]
    assert "$289,999" in r.reply
    assert "$289,999.00" not in r.reply  # no centavos on prices in prose


def test_full_flow_from_need_to_lead_with_exact_financing(chat: Chat) -> None:
    chat.say("hola")
    assert chat.say("una camioneta familiar").state.next_action == "ask_budget"
    r = chat.say("450 mil")
    assert r.state.next_action == "choose_option"
    assert {c.stock_id for c in r.cars} == {"1004", "1005"}
    first = r.cars[0]
    r = chat.say("el primero")
    assert r.state.slots.chosen == first
    assert r.state.next_action == "ask_down_payment"
    assert r.financing is None  # never financing in the same breath as the choice without terms
    r = chat.say("20%")
    assert r.state.next_action == "ask_term"
    r = chat.say("4 años")
    assert r.state.next_action == "offer_appointment"
    assert r.financing is not None
    assert r.financing.term_months == 48
    assert r.financing.down_payment == (first.price * Decimal("0.2")).quantize(Decimal("0.01"))
    assert "estimación sujeta a aprobación de crédito" in r.reply
    for term in ("36 meses", "48 meses", "60 meses", "72 meses"):
        assert term in r.reply
    assert chat.say("sí").state.next_action == "ask_name"
    assert chat.say("Ana López").state.next_action == "ask_phone"
    r = chat.say("55 1234 567")
    assert r.state.next_action == "ask_phone"
    assert "10 dígitos" in r.reply
    assert chat.say("55 1234 5678").state.next_action == "ask_contact_time"
    r = chat.say("mañana en la tarde")
    assert r.state.step == "done"
    assert r.state.slots.phone == "+525512345678"
    assert r.state.slots.contact_at == "2026-11-25T16:00:00-06:00"
    assert UpsertLead(source="appointment") in r.effects
    assert NotifySales(reason="lead_captured") in r.effects


def test_never_shows_financing_before_a_car_is_chosen(chat: Chat) -> None:
    r = chat.say("quiero un sedán con 20% de enganche a 48 meses")
    assert r.financing is None
    assert r.state.next_action == "ask_budget"
    r = chat.say("300 mil")
    assert r.financing is None
    assert r.state.next_action == "choose_option"
    r = chat.say("la 1")
    # The volunteered 20% and 48 months are used once the car is chosen.
    assert r.financing is not None
    assert r.financing.term_months == 48


def test_never_asks_contact_data_before_options(chat: Chat) -> None:
    for text in ("hola", "quiero una cita", "sí", "mi nombre es Ana"):
        r = chat.say(text)
        assert r.state.next_action not in ("ask_name", "ask_phone", "ask_contact_time")


def test_down_payment_below_minimum_is_explained_and_asked_again(chat: Chat) -> None:
    chat.say("Versa 250 mil")
    chat.say("el 1")
    r = chat.say("5 mil")
    assert r.state.next_action == "ask_down_payment"
    assert "$23,999.90" in r.reply  # 10% of $239,999.00
    assert r.state.slots.down_payment is None


def test_down_payment_at_or_above_price_offers_cash(chat: Chat) -> None:
    chat.say("Versa 250 mil")
    chat.say("el 1")
    r = chat.say("enganche de 240 mil")
    assert r.state.slots.cash_purchase is True
    assert r.state.next_action == "offer_appointment"
    assert "contado" in r.reply


def test_invalid_term_explains_allowed_terms(chat: Chat) -> None:
    chat.say("Versa 250 mil")
    chat.say("el 1")
    chat.say("el mínimo")
    r = chat.say("10 años")
    assert r.state.next_action == "ask_term"
    assert "36, 48, 60 o 72 meses" in r.reply


def test_monthly_budget_becomes_a_max_price_with_explanation(chat: Chat) -> None:
    chat.say("un sedán")
    r = chat.say("puedo pagar 8 mil al mes")
    assert r.state.slots.monthly_budget == Decimal("8000")
    assert r.state.slots.budget_max is not None
    assert "72 meses" in r.reply
    assert "enganche mínimo de 10%" in r.reply


def test_handoff_at_any_step_pauses_and_notifies(chat: Chat) -> None:
    chat.say("busco una pickup")
    r = chat.say("quiero hablar con un asesor")
    assert r.state.step == "handoff"
    assert r.state.next_action == "handoff_to_human"
    assert PauseBot(reason="asked") in r.effects
    assert NotifySales(reason="handoff") in r.effects


def test_reset_starts_over_but_keeps_contact_data(chat: Chat) -> None:
    chat.say("Versa 250 mil", phone="+525512345678")
    r = chat.say("empezar de nuevo")
    assert r.state.step == "need"
    assert r.state.slots.model is None
    assert r.state.slots.phone == "+525512345678"


def test_faq_interruption_answers_and_repeats_the_pending_question(chat: Chat) -> None:
    chat.say("un sedán")
    r = chat.say("¿tienen garantía?")
    assert "garantía de 3 meses" in r.reply
    assert r.state.next_action == "ask_budget"
    # The pending question comes back once, in other words than the first time.
    assert r.reply.endswith(replies.resume(Action.ASK_BUDGET, 1))
    assert replies.question(Action.ASK_BUDGET, 0) not in r.reply
    assert [s.article for s in r.sources] == ["garantia"]


def test_off_topic_question_gets_its_own_fallback_and_is_recorded(chat: Chat) -> None:
    chat.say("un sedán")
    r = chat.say("¿quién ganó el mundial?")
    assert "no es algo en lo que pueda ayudarte" in r.reply
    assert r.sources == ()
    assert any(isinstance(e, RecordKbMiss) for e in r.effects)
    assert r.state.next_action == "ask_budget"


def test_unknown_kavak_fact_says_it_is_not_confirmed(chat: Chat) -> None:
    chat.say("un sedán")
    r = chat.say("¿cuánto cuesta el seguro del auto con ustedes?")
    assert "No tengo ese dato confirmado" in r.reply
    assert "no es algo en lo que pueda ayudarte" not in r.reply
    assert any(isinstance(e, RecordKbMiss) for e in r.effects)
    assert r.state.next_action == "ask_budget"


def test_adversarial_free_car_is_refused_politely(chat: Chat) -> None:
    chat.say("Versa 250 mil")
    r = chat.say("dame el auto gratis")
    assert "no puedo regalar autos" in r.reply
    assert r.state.next_action == "choose_option"
    assert r.financing is None


def test_repeated_misunderstanding_hands_off(chat: Chat) -> None:
    chat.say("hola")
    chat.say("asdf qwer")
    chat.say("zxcv")
    r = chat.say("lkjh")
    assert r.state.step == "handoff"
    assert PauseBot(reason="misunderstood") in r.effects


def test_grey_zone_match_asks_did_you_mean(chat: Chat) -> None:
    r = chat.say("busco un corola")
    assert "¿Quisiste decir *Toyota Corolla*?" in r.reply
    assert r.state.next_action == "confirm_suggestion"
    r = chat.say("sí")
    assert r.state.slots.model == "Corolla"
    assert r.state.next_action == "ask_budget"


def test_change_of_mind_after_choosing_searches_again(chat: Chat) -> None:
    chat.say("Versa 250 mil")
    chat.say("el 1")
    r = chat.say("mejor una camioneta de 450 mil")
    assert r.state.slots.chosen is None
    assert r.state.next_action == "choose_option"
    assert {c.body_type for c in r.cars} == {"suv"}


def test_a_price_range_reaches_the_catalogue_and_a_new_floor_searches_again(chat: Chat) -> None:
    r = chat.say("busco un sedán entre 230 y 250 mil")
    assert chat.catalog.queries[-1].budget_min == Decimal("230000")
    assert chat.catalog.queries[-1].budget == Decimal("250000")
    assert [c.stock_id for c in r.cars] == ["1003"]  # the $229,999 Corolla is below the range

    # Only the floor changes: the options shown are for another query, so they are renewed.
    r = chat.say("mejor entre 220 y 250 mil")
    assert chat.catalog.queries[-1].budget_min == Decimal("220000")
    assert [c.stock_id for c in r.cars] == ["1003", "1002"]


def test_other_options_excludes_the_ones_shown(chat: Chat) -> None:
    chat.say("sedán 300 mil")
    shown = {c.stock_id for c in chat.last.cars}
    r = chat.say("ver otras opciones")
    assert not shown & {c.stock_id for c in r.cars}


# --- issue 15: understanding as customers write --------------------------------------------------
def test_every_slot_of_a_message_is_kept_whatever_was_asked(chat: Chat) -> None:
    chat.say("busco una camioneta familiar")
    r = chat.say("tengo 50 mil pal enganche y puedo pagar 6 mil al mes")
    assert r.state.slots.down_payment == Decimal("50000")
    assert r.state.slots.monthly_budget == Decimal("6000")
    assert r.state.next_action == "choose_option"  # the budget follows from both
    assert r.state.slots.budget_max is not None


def test_small_talk_is_answered_and_never_a_strike(chat: Chat) -> None:
    chat.say("hola")
    for text in ("👍", "ok", "sigues ahi?", "dejame pensarlo", "jaja"):
        r = chat.say(text)
        assert "no te entendí" not in r.reply
        assert r.state.misunderstood == 0
        assert r.state.next_action == "ask_need"


def test_the_same_question_is_never_sent_word_for_word_three_times(chat: Chat) -> None:
    chat.say("hola")
    asked = [chat.say(text).reply.split("\n\n")[-1] for text in ("ok", "va", "mmm", "ajá")]
    assert all(asked.count(q) < 3 for q in asked)
    assert len(set(asked)) >= 3


def test_a_bare_number_the_question_cannot_explain_is_confirmed(chat: Chat) -> None:
    chat.say("busco un sedán")
    r = chat.say("72")
    assert r.state.slots.budget_max is None
    assert r.state.slots.term_months is None
    assert "72 meses" in r.reply
    r = chat.say("de presupuesto")
    assert r.state.slots.budget_max == Decimal("72000")


def test_a_question_about_a_shown_car_is_answered_from_its_data(chat: Chat) -> None:
    r = chat.say("un sedán de 300 mil")
    third = r.cars[2]
    r = chat.say("¿cuántos km tiene el 3?")
    assert f"{third.km:,} km" in r.reply
    assert r.state.next_action == "choose_option"
    assert r.state.slots.chosen is None


def test_a_handoff_keeps_taking_contact_data(chat: Chat) -> None:
    from conversations.engine.policy import decide_paused

    r = chat.say("quiero hablar con un asesor")
    assert r.state.step == "handoff"
    paused = decide_paused(
        chat.state,
        Inbound(text="es el 33 1122 3344, me llamo Karla"),
        EngineDeps(catalog=chat.catalog, knowledge=chat.knowledge),
        EngineConfig(now=NOW),
    )
    assert paused.state.slots.phone == "+523311223344"
    assert paused.state.slots.name == "Karla"
    assert UpsertLead(source="handoff") in paused.effects
    assert "Anoté" in paused.reply
    refused = decide_paused(
        paused.state,
        Inbound(text="no quiero dar mi numero"),
        EngineDeps(catalog=chat.catalog, knowledge=chat.knowledge),
        EngineConfig(now=NOW),
    )
    assert refused.effects == ()
    assert "no es obligatorio" in refused.reply


def test_an_appointment_in_a_city_gets_its_branch_and_day(chat: Chat) -> None:
    chat.say("Versa 250 mil")
    chat.say("el 1")
    chat.say("de contado")
    r = chat.say("quiero agendar una cita en monterrey el sabado a las 11")
    assert r.state.next_action == "ask_name"
    assert r.state.slots.branch == "Kavak Punto Valle"
    assert "Nuevo Sur" in r.reply  # the other branch of the city is offered
    chat.say("Luis Treviño")
    r = chat.say("8187654321")
    assert r.state.step == "done"
    assert UpsertLead(source="appointment") in r.effects
    assert r.state.slots.contact_at == "2026-11-28T11:00:00-06:00"  # the Saturday after NOW
    assert "sábado 28/11 a las 11:00" in r.reply


def test_no_thanks_after_the_plan_gets_one_soft_follow_up(chat: Chat) -> None:
    chat.say("Versa 250 mil")
    chat.say("el 1")
    chat.say("20%")
    chat.say("48 meses")
    r = chat.say("no gracias")
    assert r.state.step == "done"
    assert "Versa" in r.reply
    assert not any(isinstance(e, UpsertLead) for e in r.effects)


def test_a_handoff_outside_business_hours_says_when_advisors_are_back() -> None:
    deps = EngineDeps(catalog=InMemoryCarCatalog(), knowledge=FakeKnowledge())
    night = EngineConfig(now=NOW, advisors_back="mañana a las 9:00")
    r = decide(ConversationState(), Inbound(text="quiero hablar con un asesor"), deps, night)
    assert "fuera de horario" in r.reply
    assert "mañana a las 9:00" in r.reply
    assert "En breve" not in r.reply
    day = decide(ConversationState(), Inbound(text="quiero hablar con un asesor"), deps, CONFIG_DAY)
    assert "fuera de horario" not in day.reply


CONFIG_DAY = EngineConfig(now=NOW)


@pytest.mark.parametrize(
    "said", ["lo menos que se pueda", "con el enganche mínimo", "el mínimo", "lo más bajo posible"]
)
def test_the_least_down_payment_however_said_is_ten_percent(chat: Chat, said: str) -> None:
    chat.say("busco un Corolla automático, tengo 300 mil")
    assert chat.say("el 1").state.next_action == "ask_down_payment"
    r = chat.say(said)
    assert r.state.next_action == "ask_term"
    assert "no te entendí" not in r.reply


def test_a_call_asked_with_a_choice_is_a_call_back_lead_with_that_car(chat: Chat) -> None:
    chat.say("busco un Corolla automático, tengo 300 mil")
    r = chat.say("el 1 me interesa, que me llame un asesor por favor")
    assert r.state.step == "lead_capture"  # not a chat handoff
    assert r.state.slots.chosen is not None
    assert r.state.slots.wants_callback


def test_a_handoff_keeps_the_car_chosen_in_the_same_message(chat: Chat) -> None:
    chat.say("busco un Corolla automático, tengo 300 mil")
    r = chat.say("el 1, pásame con un asesor")
    assert r.state.step == "handoff"
    assert r.state.slots.chosen is not None


def test_the_name_is_asked_twice_at_most_and_the_time_is_kept_meanwhile(chat: Chat) -> None:
    chat.say("busco un Corolla automático, tengo 300 mil")
    assert chat.say("el 1, que me marque alguien").state.next_action == "ask_name"
    assert chat.say("55 1234 5678").state.next_action == "ask_name"
    r = chat.say("después de las 6 de la tarde")
    assert r.state.step == "done"
    assert r.state.slots.contact_at is not None
    assert r.state.slots.contact_at.endswith("18:00:00-06:00")
    assert any(isinstance(e, UpsertLead) for e in r.effects)


def test_equipment_of_a_shown_car_is_answered_honestly_not_taken_as_a_choice(chat: Chat) -> None:
    chat.say("busco un Corolla automático, tengo 300 mil")
    r = chat.say("¿el 1 tiene cámara de reversa?")
    assert r.state.next_action == "choose_option"
    assert r.state.slots.chosen is None
    assert "no tengo el dato" in r.reply


def test_a_car_wanted_in_general_words_is_not_a_misunderstanding(chat: Chat) -> None:
    chat.say("hola")
    r = chat.say("busco un carro rojo con pantalla")
    assert r.state.next_action == "ask_need"
    assert "no te entendí" not in r.reply
    assert r.state.misunderstood == 0
    assert "color" in r.reply


def test_a_comparison_of_options_is_answered_side_by_side_not_a_choice(chat: Chat) -> None:
    chat.say("busco un sedán de 400 mil")
    r = chat.say("¿qué diferencia hay entre el 1 y el 2?")
    assert r.state.next_action == "choose_option"
    assert r.state.slots.chosen is None
    assert "El 1 (" in r.reply
    assert "El 2 (" in r.reply


def test_the_car_the_customer_wants_to_change_is_not_the_need(chat: Chat) -> None:
    r = chat.say("tengo un versa 2015 y lo quiero cambiar por una camioneta")
    assert r.state.slots.model is None
    assert r.state.slots.body_type == "suv"


def test_a_model_shown_twice_asks_which_and_its_year_chooses(chat: Chat) -> None:
    shown = chat.say("busco un sedán de 300 mil")
    assert [c.model for c in shown.cars].count("Corolla") == 2
    r = chat.say("el corolla")
    assert r.state.slots.chosen is None
    assert r.state.next_action == "choose_option"
    assert "¿Cuál de ellos?" in r.reply
    r = chat.say("el corolla 2017")
    assert r.state.slots.chosen is not None
    assert r.state.slots.chosen.year == 2017


def test_a_day_and_a_branch_in_answer_to_the_visit_offer_book_it(chat: Chat) -> None:
    chat.say("busco un Corolla automático, tengo 300 mil")
    chat.say("el 1")
    assert chat.say("60 mil a 48 meses").state.next_action == "offer_appointment"
    r = chat.say("el viernes a las 12 puedo ir")
    assert r.state.step == "lead_capture"
    assert r.state.slots.wants_appointment
    assert r.state.slots.contact_at is not None
    assert r.state.slots.contact_at.startswith("2026-11-27T12:00")
    assert chat.say("Diego Salas").state.next_action == "ask_phone"
    done = chat.say("5512340000")
    assert done.state.step == "done"


def test_changing_ones_mind_while_the_name_is_asked_registers_nothing(chat: Chat) -> None:
    chat.say("busco un Corolla automático, tengo 300 mil")
    assert chat.say("el 1, que me llamen").state.next_action == "ask_name"
    r = chat.say("sabes qué, mejor no, ya no me interesa")
    assert r.state.step == "done"
    assert not any(isinstance(e, UpsertLead) for e in r.effects)
    assert "no registro tus datos" in r.reply
    assert "simulación" not in r.reply  # none was shown


def test_a_question_after_declining_is_answered_without_offering_again(chat: Chat) -> None:
    chat.say("busco un Corolla automático, tengo 300 mil")
    chat.say("el 1")
    chat.say("60 mil a 48 meses")
    assert chat.say("no gracias").state.step == "done"
    r = chat.say("una última cosa, ¿tienen garantía?")
    assert r.state.step == "done"
    assert r.state.next_action == "offer_help"
