"""knowledge/sql.py against the ORM: the token read returns what ``IndexState.objects`` holds."""

from __future__ import annotations

import pytest

from knowledge.models import IndexState
from knowledge.sql import index_token_read

pytestmark = pytest.mark.django_db


def test_token_read_is_the_orm_row_token() -> None:
    IndexState.objects.update_or_create(pk=1, defaults={"token": "a1b2c3"})
    IndexState.objects.create(pk=2, token="otra-fila")  # not the index's row

    assert index_token_read() == IndexState.objects.get(pk=1).token == "a1b2c3"

    IndexState.objects.filter(pk=1).update(token="d4e5f6")
    assert index_token_read() == IndexState.objects.get(pk=1).token == "d4e5f6"


def test_token_read_without_the_row_is_empty() -> None:
    IndexState.objects.all().delete()
    IndexState.objects.create(pk=2, token="otra-fila")

    assert index_token_read() == ""
