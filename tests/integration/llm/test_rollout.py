"""Gradual LLM rollout: each conversation's group is a stable hash of its session, recorded when it
starts; the model group calls the model, the other group is the deterministic agent alone.

Committed for real (``transaction=True``): the LLM steps run only outside a transaction.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.test import Client, override_settings

from catalog.services import catalog_load_demo
from channels.models import WhatsAppInbound
from channels.services import inbound_message_process
from conversations.llm.rollout import llm_rollout_bucket, llm_rollout_includes
from conversations.models import Conversation
from conversations.services import conversation_turn_handle
from knowledge.services import knowledge_load_demo
from tests.support.fake_twilio import FakeTwilio
from tests.support.stub_llm_server import StubModel
from tests.support.whatsapp import (
    CUSTOMER_PHONE,
    WEBHOOK,
    channel_settings,
    new_sid,
    payload,
    post_signed,
)


def test_the_bucket_is_stable_and_spreads_sessions_evenly() -> None:
    assert llm_rollout_bucket(channel="api", external_id="s-1") == llm_rollout_bucket(
        channel="api", external_id="s-1"
    )
    buckets = [llm_rollout_bucket(channel="web", external_id=f"s-{i}") for i in range(20_000)]
    assert set(buckets) == set(range(100))
    share = sum(llm_rollout_includes(bucket=b, percent=30) for b in buckets) / len(buckets)
    assert share == pytest.approx(0.30, abs=0.015)
    assert not any(llm_rollout_includes(bucket=b, percent=0) for b in buckets)
    assert all(llm_rollout_includes(bucket=b, percent=100) for b in buckets)


def session_in(*, model: bool, percent: int, channel: str = "api", prefix: str = "s") -> str:
    """A session id whose bucket falls in the model group (or outside it) at ``percent``."""
    for i in itertools.count():
        session = f"{prefix}-{i}"
        bucket = llm_rollout_bucket(channel=channel, external_id=session)
        if llm_rollout_includes(bucket=bucket, percent=percent) is model:
            return session
    raise AssertionError  # pragma: no cover


@pytest.fixture
def demo(llm_on: StubModel) -> StubModel:
    catalog_load_demo()
    knowledge_load_demo()
    return llm_on


@pytest.mark.django_db(transaction=True)
def test_only_the_model_group_calls_the_model_and_each_conversation_records_its_group(
    demo: StubModel, settings: Any
) -> None:
    settings.LLM_ROLLOUT_PERCENT = 50
    control = session_in(model=False, percent=50)
    deterministic = conversation_turn_handle(channel="api", external_id=control, text="hola")
    assert demo.calls == 0
    assert "llm" not in deterministic.understood
    conversation = Conversation.objects.get(external_id=control)
    assert conversation.uses_llm is False
    assert conversation.llm_bucket == llm_rollout_bucket(channel="api", external_id=control)
    assert conversation.llm_bucket >= 50

    treated = session_in(model=True, percent=50)
    smoothed = conversation_turn_handle(channel="api", external_id=treated, text="hola")
    assert demo.calls >= 1
    assert smoothed.understood["llm"] == "smooth"
    assert smoothed.reply == "Claro. " + deterministic.reply
    conversation = Conversation.objects.get(external_id=treated)
    assert (conversation.uses_llm, conversation.llm_bucket < 50) == (True, True)

    # The group is fixed when the conversation starts: raising the percentage moves new
    # conversations only, so the comparison is not muddled mid-conversation.
    settings.LLM_ROLLOUT_PERCENT = 100
    calls = demo.calls
    again = conversation_turn_handle(channel="api", external_id=control, text="quiero un sedán")
    assert demo.calls == calls
    assert "llm" not in again.understood
    assert Conversation.objects.get(external_id=control).uses_llm is False


@pytest.mark.django_db(transaction=True)
def test_by_default_every_conversation_uses_the_model_as_before(demo: StubModel) -> None:
    for session in ("a", "b", "c", "d"):
        outcome = conversation_turn_handle(channel="api", external_id=session, text="hola")
        assert outcome.understood["llm"] == "smooth"
    assert set(Conversation.objects.values_list("uses_llm", flat=True)) == {True}


@pytest.mark.django_db(transaction=True)
def test_with_the_llm_off_conversations_record_no_model(settings: Any) -> None:
    assert settings.LLM_ENABLED is False
    conversation_turn_handle(channel="web", external_id="w-1", text="hola")
    conversation = Conversation.objects.get()
    assert conversation.uses_llm is False
    assert conversation.llm_bucket == llm_rollout_bucket(channel="web", external_id="w-1")


@pytest.mark.django_db(transaction=True)
def test_whatsapp_outside_the_model_group_asks_the_model_nothing(
    demo: StubModel, fake_twilio: FakeTwilio, client: Client, settings: Any
) -> None:
    settings.LLM_ROLLOUT_PERCENT = 0
    with override_settings(**channel_settings(fake_twilio)):
        response = post_signed(
            client, WEBHOOK, payload("inbound_text", Body="hola", MessageSid=new_sid())
        )
        assert response.status_code == 200
        inbound = WhatsAppInbound.objects.get()
        assert inbound_message_process(inbound_id=inbound.pk)
    assert demo.calls == 0
    conversation = Conversation.objects.get(channel="whatsapp", external_id=CUSTOMER_PHONE)
    assert conversation.uses_llm is False
    assert [m["body"] for m in fake_twilio.created]  # the deterministic reply was sent
