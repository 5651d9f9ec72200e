"""backoffice/sql.py against the ORM: the message-log UPDATE leaves every message as the
row-by-row ORM path (``anonymise.messages_anonymise_rows``, SQLite's) does, on twin data."""

from __future__ import annotations

from typing import Any

import pytest

from backoffice.anonymise import KEPT_UNDERSTOOD, messages_anonymise_rows
from backoffice.sql import messages_anonymise
from conversations.models import Conversation, Message

pytestmark = pytest.mark.django_db

# (direction, text, understood) of each message, the same in both twins.
LOG: list[tuple[str, str, dict[str, Any]]] = [
    ("in", "Hola, me llamo Ana", {"name": "Ana", "reset": False}),
    ("out", "Mucho gusto, Ana", {"deterministic": "Mucho gusto, Ana", "llm": True}),
    (
        "in",
        "Mi número es 5512345678",
        {
            "phone": "+525512345678",
            "lead_captured": True,
            "slots": {"name": "Ana", "budget": 250000},
            "options": ["A1", "B2"],
            "faq": {"slug": "garantia", "score": 0.8},
        },
    ),
    ("in", "¿Tienen Jetta?", {"make": "Volkswagen", "model": "Jetta"}),  # nothing kept
    ("out", "Sí, tenemos dos", {}),
    ("notice", "", {"handoff": None, "closing": "gracias"}),
]


def _conversation(external_id: str) -> Conversation:
    conversation = Conversation.objects.create(channel="api", external_id=external_id)
    for number, (direction, text, understood) in enumerate(LOG):
        Message.objects.create(
            conversation=conversation,
            direction=direction,
            text=text,
            turn_id=f"{external_id}-{number}",
            understood=understood,
        )
    return conversation


def _log(conversation: Conversation) -> list[tuple[str, Any]]:
    return list(
        Message.objects.filter(conversation=conversation)
        .order_by("id")
        .values_list("text", "understood")
    )


def test_messages_anonymise_is_the_orm_row_by_row_path() -> None:
    by_sql, by_orm, untouched = (_conversation(name) for name in ("sql", "orm", "otra"))
    before = _log(untouched)

    count = messages_anonymise(conversation_ids=[by_sql.pk], kept_keys=KEPT_UNDERSTOOD)
    assert _log(by_orm) == before  # only the conversations named
    orm_count = messages_anonymise_rows([by_orm.pk])

    assert count == orm_count == len(LOG)
    assert _log(by_sql) == _log(by_orm)
    assert _log(untouched) == before
    assert _log(by_sql) == [  # what both give: texts gone, only the kept flags and ids left
        ("", {"reset": False}),
        ("", {"llm": True}),
        (
            "",
            {
                "lead_captured": True,
                "options": ["A1", "B2"],
                "faq": {"slug": "garantia", "score": 0.8},
            },
        ),
        ("", {}),
        ("", {}),
        ("", {"handoff": None, "closing": "gracias"}),
    ]


def test_messages_anonymise_of_no_conversation_changes_nothing() -> None:
    conversation = _conversation("otra")
    before = _log(conversation)

    assert messages_anonymise(conversation_ids=[], kept_keys=KEPT_UNDERSTOOD) == 0
    assert _log(conversation) == before
