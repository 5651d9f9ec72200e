"""Streaming CSV responses for staff exports (opened in Excel / Google Sheets).

Rows are produced by selectors that read the database in chunks; the response writes each row as it
comes, so an export of any size holds one chunk in memory. Cells typed by customers (names, contact
times) could start with ``=``/``+``/``-``/``@`` and run as a spreadsheet formula: they are prefixed
with an apostrophe (OWASP "CSV injection"); plain numbers and E.164 phones are left as they are.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.http import StreamingHttpResponse

logger = logging.getLogger(__name__)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d[\d.,]*$")


def csv_cell(value: object) -> str:
    """One cell, safe to open in a spreadsheet."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose ``write`` hands the line back (the csv module's streaming idiom)."""

    def write(self, value: str) -> str:
        return value


def _lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A BOM so Excel opens the UTF-8 file with its accents intact.
    yield "\ufeff" + writer.writerow([csv_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([csv_cell(cell) for cell in row])


def csv_stream_response(
    *, header: Sequence[str], rows: Iterable[Sequence[object]], filename: str
) -> StreamingHttpResponse:
    """A streamed CSV download of ``rows`` (consumed lazily while the response is sent)."""
    response = StreamingHttpResponse(_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def export_record(*, user: Any, model: type[Model], what: str, filters: str) -> None:
    """Record a staff export in the admin history (who exported what, with which filters) and in
    the log: exports carry customers' phone numbers out of the system."""
    LogEntry.objects.create(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(model),
        object_id=None,
        object_repr=f"Exportación CSV: {what}"[:200],
        action_flag=CHANGE,
        change_message=f"Exportó {what} a CSV. Filtros: {filters or 'ninguno'}"[:1000],
    )
    logger.info("staff_export what=%s user_id=%s", what, user.pk)
