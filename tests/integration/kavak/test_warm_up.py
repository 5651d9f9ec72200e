"""A fresh process builds its word lists, catalogue vocabulary and knowledge index before the
first customer (gunicorn ``post_worker_init``, Celery ``worker_init``), and writes nothing."""

from __future__ import annotations

import pytest
from celery.signals import worker_init

import catalog.vocabulary
from catalog.services import catalog_load_demo
from conversations import services as conversation_services
from conversations.models import Conversation, Message
from knowledge.services import knowledge_load_demo
from leads.models import Lead
from tests.support.catalog import restore_catalog_seeds

pytestmark = pytest.mark.django_db(transaction=True)


def test_warm_up_builds_the_caches_and_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    restore_catalog_seeds()  # earlier transactional tests truncated the seeded aliases
    catalog_load_demo()
    knowledge_load_demo()
    monkeypatch.setattr(catalog.vocabulary._vocabulary, "cached", None)
    before = (Conversation.objects.count(), Message.objects.count(), Lead.objects.count())
    conversation_services.conversation_warm_up()
    # the vocabulary the first turn would build
    assert catalog.vocabulary._vocabulary.cached is not None
    assert (Conversation.objects.count(), Message.objects.count(), Lead.objects.count()) == before


def test_a_celery_worker_warms_up_before_its_pool_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []
    monkeypatch.setattr(conversation_services, "conversation_warm_up", lambda: calls.append(True))
    worker_init.send(sender=None)
    assert calls == [True]
