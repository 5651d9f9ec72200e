"""The knowledge team's unanswered-questions queue never shows a customer's phone (issue 18).

Content staff have no permission on customer data, yet the queue stored the question as typed:
its normalised form kept every digit ("55 8765 4321" was readable and searchable). Phone-like
runs are replaced at write time in every stored field, and a data migration scrubs old rows.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from kavak.phones import PHONE_PLACEHOLDER
from knowledge.models import UnansweredQuestion
from knowledge.services import knowledge_question_record
from tests.support.backoffice import login

pytestmark = pytest.mark.django_db

# (how the customer typed it, the digits that identify the line)
PHONES = [
    ("55 8765 4321", "87654321"),
    ("+52 1 55 1234 5678", "12345678"),
    ("5511223344", "11223344"),
    ("(33) 3615-2000", "36152000"),
    ("81.2233.4455", "22334455"),
    ("8899 7766", "88997766"),
]
QUESTIONS = [
    "¿me pueden llamar al {phone} para lo del seguro?",
    "mi whatsapp es {phone}, ¿aceptan tarjeta de crédito?",
    "{phone} ¿hacen envíos a Mérida?",
]
ORDINARY = "¿tienen un Jetta 2020 por 300 mil a 72 meses?"
_SEPARATORS = re.compile(r"[\s.\-()+\u00a0]")


def _leaks(text: str) -> list[str]:
    flat = _SEPARATORS.sub("", text)
    return [shown for shown, digits in PHONES if shown in text or digits in flat]


def _record_all() -> None:
    for i, (phone, _) in enumerate(PHONES):
        knowledge_question_record(
            question=QUESTIONS[i % len(QUESTIONS)].format(phone=phone),
            confidence=0.05,
            channel="whatsapp",
            conversation_ref=f"whatsapp:{phone}" if i % 2 else str(1000 + i),
        )
    knowledge_question_record(
        question=ORDINARY, confidence=0.1, channel="web", conversation_ref="77"
    )


def test_no_field_content_staff_can_see_holds_a_phone(editor: Any) -> None:
    _record_all()
    rows = list(UnansweredQuestion.objects.all())
    assert len(rows) >= 4
    for row in rows:
        for field in UnansweredQuestion._meta.concrete_fields:
            value = str(getattr(row, field.attname))
            assert _leaks(value) == [], (field.name, value)
    client = login(editor)
    changelist = reverse("admin:knowledge_unansweredquestion_changelist")
    pages = [client.get(changelist)]
    pages += [
        client.get(reverse("admin:knowledge_unansweredquestion_change", args=(row.pk,)))
        for row in rows
    ]
    for response in pages:
        assert response.status_code == 200
        assert _leaks(response.content.decode()) == []
    # Searching by a phone finds nothing: the digits are not stored anywhere. (The search page
    # itself repeats what staff typed, so only its results are checked.)
    for shown, digits in PHONES:
        for query in (shown, digits):
            assert client.get(changelist, {"q": query}).context["cl"].result_count == 0, query


def test_the_question_stays_readable_with_its_ordinary_numbers() -> None:
    _record_all()
    ordinary = UnansweredQuestion.objects.get(channel="web")
    assert ordinary.example == ORDINARY
    assert {"2020", "300", "72"} <= set(ordinary.normalized.split())
    # The same question with different phones is one row (the phone is not part of it).
    masked = UnansweredQuestion.objects.filter(example__contains=PHONE_PLACEHOLDER)
    assert masked.count() == len(QUESTIONS)
    assert sum(masked.values_list("count", flat=True)) == len(PHONES)
    assert masked.get(example__contains="seguro").example == QUESTIONS[0].format(
        phone=PHONE_PLACEHOLDER
    )


def test_the_migration_scrubs_and_merges_existing_rows() -> None:
    now = timezone.now()
    old = [
        # What earlier releases stored: digits in the normalised text, the log masker's "***dddd"
        # (or nothing) in the example, a phone as the conversation reference.
        ("llamar 55 8765 4321 seguro", "¿me pueden llamar al ***4321 para lo del seguro?", 3),
        ("llamar 55 1122 3344 seguro", "¿me pueden llamar al 55 1122 3344 para lo del seguro?", 2),
        ("tienen jetta 2020 300 mil", "¿tienen Jetta 2020 por 300 mil?", 1),
    ]
    for normalized, example, count in old:
        UnansweredQuestion.objects.create(
            normalized=normalized,
            example=example,
            count=count,
            conversation_ref="whatsapp:+5215587654321" if count == 1 else "12",
            last_seen_at=now,
        )
    migration = importlib.import_module("knowledge.migrations.0004_unanswered_questions_no_phones")
    migration.scrub_phones(django_apps, None)
    rows = list(UnansweredQuestion.objects.order_by("-count"))
    # The two phone questions were the same question: one row now, counts added up.
    assert [r.count for r in rows] == [5, 1]
    for row in rows:
        for field in UnansweredQuestion._meta.concrete_fields:
            value = str(getattr(row, field.attname))
            assert _leaks(value) == [], (field.name, value)
            assert "***" not in value
            assert "1122" not in value
    assert rows[0].example == f"¿me pueden llamar al {PHONE_PLACEHOLDER} para lo del seguro?"
    assert rows[1].example == "¿tienen Jetta 2020 por 300 mil?"
    assert rows[1].conversation_ref == f"whatsapp:{PHONE_PLACEHOLDER}"
