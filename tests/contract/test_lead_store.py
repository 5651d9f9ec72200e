"""The lead store port (``leads.ports.LeadStore``): one suite, every adapter.

Each test runs against the memory adapter and the database adapter on the real PostgreSQL of the
test settings. Leads point at conversation rows, so the conversations exist in the database for
both adapters.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction

from conversations.models import Conversation
from leads.models import Lead
from leads.ports import LeadData, LeadStore, LeadView
from leads.stores import DbLeadStore, MemoryLeadStore
from tests.support.concurrency import run_at_once

pytestmark = pytest.mark.django_db

ADAPTERS: dict[str, Callable[[], LeadStore]] = {"memory": MemoryLeadStore, "db": DbLeadStore}
ANA = "+525512345678"
LUIS = "+525587654321"


@pytest.fixture(params=list(ADAPTERS))
def store(request: pytest.FixtureRequest) -> LeadStore:
    return ADAPTERS[request.param]()


@pytest.fixture
def conversations() -> list[int]:
    return [
        Conversation.objects.create(channel="api", external_id=f"lead-contract-{i}").pk
        for i in range(2)
    ]


def capture(store: LeadStore, **fields: object) -> LeadView:
    data = LeadData(**{"source": "lead_capture", "channel": "api", **fields})  # type: ignore[arg-type]
    with transaction.atomic():  # the turn's transaction, as in production
        return store.upsert(data=data)


def test_a_new_customer_gets_a_new_lead(store: LeadStore, conversations: list[int]) -> None:
    lead = capture(
        store, conversation_id=conversations[0], name="Ana López", phone=ANA,
        preferred_contact_time="mañana en la tarde",
    )  # fmt: skip
    assert (lead.name, lead.phone, lead.preferred_contact_time) == (
        "Ana López",
        ANA,
        "mañana en la tarde",
    )
    assert lead.status == Lead.Status.NEW
    assert store.for_conversation(conversation_id=conversations[0]) == lead
    assert store.for_conversation(conversation_id=conversations[1]) is None


def test_a_returning_phone_updates_its_open_lead_and_blanks_erase_nothing(
    store: LeadStore, conversations: list[int]
) -> None:
    first = capture(store, conversation_id=conversations[0], name="Ana", phone=ANA)
    again = capture(
        store, conversation_id=conversations[1], phone=ANA, preferred_contact_time="a las 11"
    )
    assert again.id == first.id
    assert (again.name, again.preferred_contact_time) == ("Ana", "a las 11")
    # The lead moved to the conversation the customer wrote in last.
    assert store.for_conversation(conversation_id=conversations[1]) == again


def test_other_phones_get_leads_of_their_own(store: LeadStore) -> None:
    ana = capture(store, name="Ana", phone=ANA)
    luis = capture(store, name="Luis", phone=LUIS)
    assert ana.id != luis.id
    assert capture(store, phone=LUIS, name="Luis Pérez").id == luis.id


def test_without_a_phone_the_conversation_finds_the_lead(
    store: LeadStore, conversations: list[int]
) -> None:
    handoff = capture(store, source="handoff", conversation_id=conversations[0], name="Ana")
    later = capture(store, conversation_id=conversations[0], phone=ANA)
    assert later.id == handoff.id
    assert (later.name, later.phone) == ("Ana", ANA)


def test_the_phone_wins_over_the_conversation(store: LeadStore, conversations: list[int]) -> None:
    ana = capture(store, conversation_id=conversations[0], name="Ana", phone=ANA)
    luis = capture(store, conversation_id=conversations[1], name="Luis", phone=LUIS)
    # Luis writes from Ana's conversation (a shared device): his lead, now pointing there.
    moved = capture(store, conversation_id=conversations[0], phone=LUIS)
    assert moved.id == luis.id != ana.id
    assert store.for_conversation(conversation_id=conversations[0]) == moved


def test_a_lead_without_phone_or_conversation_is_always_new(store: LeadStore) -> None:
    assert capture(store, name="Ana").id != capture(store, name="Ana").id


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("adapter", list(ADAPTERS))
def test_one_phone_writing_twice_at_once_gets_one_lead(adapter: str) -> None:
    store = ADAPTERS[adapter]()
    views: list[LeadView] = []
    names = ["Ana", "Ana López", "Ana L.", "A. López"]
    calls = [lambda name=name: views.append(capture(store, name=name, phone=ANA)) for name in names]
    assert run_at_once(calls) == []
    assert len({view.id for view in views}) == 1
    assert capture(store, phone=ANA).name in names
