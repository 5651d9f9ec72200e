"""conversation_turn_handle on real PostgreSQL and Redis, with fake catalogue/knowledge ports."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from conversations.engine.policy import EngineDeps
from conversations.models import Conversation, Message
from conversations.services import conversation_return_to_bot, conversation_turn_handle
from leads.models import Lead, LeadNotification
from leads.services import lead_notify_sales
from tests.support.concurrency import run_at_once
from tests.support.fakes import FakeKnowledge, InMemoryCarCatalog

pytestmark = pytest.mark.django_db


def deps() -> EngineDeps:
    return EngineDeps(catalog=InMemoryCarCatalog(), knowledge=FakeKnowledge())


def turn(text: str, session: str = "s-1", channel: str = "api", **kw: object):
    return conversation_turn_handle(
        channel=channel, external_id=session, text=text, deps=deps(), **kw
    )


def concurrent_turns(texts: list[str], session: str) -> list[BaseException]:
    """Run one turn per text, all released at the same instant; the errors they raised."""
    return run_at_once([partial(turn, text, session=session) for text in texts])


def test_turn_persists_state_and_logs_both_messages_with_turn_metadata() -> None:
    first = turn("hola")
    second = turn("busco un Corolla, tengo 300 mil")
    conv = Conversation.objects.get(pk=second.conversation_id)
    assert first.conversation_id == second.conversation_id
    assert conv.version == 2
    assert conv.step == "options"
    assert conv.state["slots"]["model"] == "Corolla"
    msgs = list(conv.messages.order_by("created_at", "id"))
    assert [m.direction for m in msgs] == ["in", "out", "in", "out"]
    inbound, outbound = msgs[2], msgs[3]
    assert inbound.turn_id == outbound.turn_id == second.turn_id
    assert inbound.step_before == "need"
    assert inbound.step_after == "options"
    assert inbound.understood["model"] == "Corolla"
    assert outbound.text == second.reply
    assert outbound.latency_ms is not None
    assert outbound.latency_ms > 0


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_turns_on_one_session_lose_no_update() -> None:
    """Each turn appends a message pair and bumps the version; the row lock serialises them."""
    turn("hola", session="burst")
    assert concurrent_turns([f"mensaje {i}" for i in range(20)], session="burst") == []
    conv = Conversation.objects.get(external_id="burst")
    assert conv.version == 21
    assert Message.objects.filter(conversation=conv).count() == 42
    inbound = set(
        Message.objects.filter(conversation=conv, direction="in").values_list("text", flat=True)
    )
    assert inbound == {"hola"} | {f"mensaje {i}" for i in range(20)}
    # The misunderstanding counter is a read-modify-write: with lost updates it would be < 3
    # and no handoff would ever happen after 20 gibberish messages.
    assert conv.state["misunderstood"] >= 3 or conv.status == Conversation.Status.HANDOFF


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_turns_create_one_conversation() -> None:
    """The first message of a session arriving several times at once: one open conversation
    (the losers of the INSERT … ON CONFLICT wait for the winner's row and lock it)."""
    assert concurrent_turns([f"hola {i}" for i in range(10)], session="fresh-race") == []
    conv = Conversation.objects.get(external_id="fresh-race")
    assert conv.version == 10
    assert Message.objects.filter(conversation=conv).count() == 20


def test_idle_session_starts_new_conversation_that_greets_back_and_keeps_contact() -> None:
    start = timezone.now()
    turn("hola", session="idle", customer_phone="+525512345678", now=start)
    turn("Me llamo Ana", session="idle", now=start + timedelta(minutes=1))
    later = start + timedelta(hours=25)
    outcome = turn("hola de nuevo", session="idle", now=later)
    convs = Conversation.objects.filter(external_id="idle").order_by("started_at", "id")
    assert convs.count() == 2
    assert convs[0].closed_at is not None
    assert convs[1].closed_at is None
    assert outcome.conversation_id == convs[1].pk
    assert outcome.reply.startswith("¡Qué gusto verte de nuevo")
    assert convs[1].state["slots"]["phone"] == "+525512345678"


def _to_lead(session: str, phone: str = "55 1234 5678") -> object:
    for text in ("Versa 250 mil", "el 1", "20%", "48 meses", "sí", "Ana López", phone):
        turn(text, session=session)
    return turn("mañana en la tarde", session=session)


def test_lead_capture_stores_car_and_financing_and_notifies_once_after_commit(
    django_capture_on_commit_callbacks: object,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        outcome = _to_lead("lead-1")
    assert outcome.step == "done"
    lead = Lead.objects.get()
    assert lead.phone == "+525512345678"
    assert lead.name == "Ana López"
    assert lead.car_stock_id == "1003"
    assert lead.car_snapshot["price"] == "239999.00"
    assert lead.financing_snapshot["term_months"] == 48
    assert lead.financing_snapshot["down_payment"] == "47999.80"
    assert lead.conversation_id == outcome.conversation_id
    assert outcome.lead is not None
    assert outcome.lead.status == "nuevo"
    # The notification is enqueued only on commit; the service sends exactly once.
    assert any("_enqueue_notification" in repr(cb) for cb in callbacks)
    assert lead_notify_sales(lead_id=lead.pk, reason="lead_captured") is True
    assert lead_notify_sales(lead_id=lead.pk, reason="lead_captured") is False
    assert len(mail.outbox) == 1
    assert "Ana López" in mail.outbox[0].body
    assert LeadNotification.objects.get().sent_at is not None


def test_one_open_lead_per_phone_a_returning_customer_updates_it() -> None:
    _to_lead("lead-a")
    _to_lead("lead-b")
    assert Lead.objects.count() == 1
    lead = Lead.objects.get()
    assert lead.conversation.external_id == "lead-b"


def test_handoff_pauses_bot_stores_later_messages_and_staff_can_return_it() -> None:
    turn("busco una pickup", session="h", channel="whatsapp", customer_phone="+525511112222")
    out = turn("quiero hablar con un asesor", session="h", channel="whatsapp")
    assert out.step == "handoff"
    assert out.bot_paused
    conv = Conversation.objects.get(pk=out.conversation_id)
    assert conv.status == Conversation.Status.HANDOFF
    assert Lead.objects.get().source == Lead.Source.HANDOFF
    silent = turn("¿hola? ¿sigue ahí?", session="h", channel="whatsapp")
    assert silent.reply == ""
    assert silent.bot_paused
    assert conv.messages.filter(direction="in", text="¿hola? ¿sigue ahí?").exists()
    conversation_return_to_bot(conversation_id=conv.pk)
    back = turn("hola", session="h", channel="whatsapp")
    assert not back.bot_paused
    assert back.reply


def test_api_channel_gets_a_waiting_notice_while_paused() -> None:
    # Inside business hours: outside them the notice says when an advisor will write instead,
    # so the wall clock would decide the outcome.
    monday_morning = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))
    turn("asesor", session="p", now=monday_morning)
    out = turn("hola?", session="p", now=monday_morning + timedelta(minutes=1))
    assert out.reply == "Tu conversación está con un asesor de Kavak; te responderá en breve."


@override_settings(CONVERSATION_STATE_REPOSITORY="memory", LEAD_REPOSITORY="memory")
def test_memory_repositories_keep_state_out_of_the_database() -> None:
    turn("busco un Corolla", session="m")
    out = turn("300 mil", session="m")
    assert out.next_action == "choose_option"
    assert Conversation.objects.count() == 0
    assert Message.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@override_settings(STATE_CACHE="redis")
def test_state_cache_is_written_on_commit_and_used_when_versions_match() -> None:
    out = turn("busco un Corolla", session="c2")
    cached = cache.get(f"conv-state:{out.conversation_id}")
    assert cached["version"] == 1
    assert cached["state"]["slots"]["model"] == "Corolla"
    out2 = turn("300 mil", session="c2")
    assert out2.next_action == "choose_option"
    assert cache.get(f"conv-state:{out.conversation_id}")["version"] == 2


@pytest.mark.django_db(transaction=True)
def test_turns_still_work_when_redis_is_down() -> None:
    broken = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.1, "SOCKET_TIMEOUT": 0.1},
        }
    }
    with override_settings(CACHES=broken, STATE_CACHE="redis"):
        from django.core.cache import caches

        caches._settings = None  # type: ignore[attr-defined]
        turn("busco un Corolla", session="down")
        out = turn("300 mil", session="down")
    assert out.next_action == "choose_option"
    assert Conversation.objects.get(external_id="down").version == 2


def test_the_sweep_finds_leads_whose_sales_notification_never_went_out() -> None:
    """If the after-commit enqueue failed (broker down) or the queued task was lost, the beat
    sweep ``leads.lead_notify_sweep`` enqueues the notification again; sending stays idempotent."""
    from leads.services import lead_notify_pending

    _to_lead("never-notified")
    lead = Lead.objects.get()
    assert lead.notified_at is None
    assert lead_notify_pending(older_than_s=0) == [(lead.pk, "lead_captured")]
    assert lead_notify_pending(older_than_s=3600) == []
    assert lead_notify_sales(lead_id=lead.pk, reason="lead_captured") is True
    assert lead_notify_pending(older_than_s=0) == []
