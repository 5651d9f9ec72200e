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
from typing import TYPE_CHECKING, Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path, reverse
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    # What the mixin relies on (model, admin_site, the changelist) is its admin class's.
    _AdminBase = ModelAdmin[Any]
else:
    _AdminBase = object

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


EXPORT_PERMISSION = "leads.export_leads"


class CsvExportAdminMixin(_AdminBase):
    """An admin changelist with an "Exportar CSV" link (``exportar.csv``) for staff allowed to
    export: the list's current filters and search, streamed, and recorded in the history.

    Subclasses set ``export_what`` (the Spanish name in the file name and history),
    ``export_header`` and ``export_rows``.
    """

    export_what: str
    export_header: Sequence[str]

    def export_rows(self, queryset: QuerySet[Any]) -> Iterable[Sequence[object]]:
        raise NotImplementedError

    def _admin_url(self, view: str) -> str:
        opts = self.model._meta
        return f"admin:{opts.app_label}_{opts.model_name}_{view}"

    def get_urls(self) -> list[URLPattern]:
        export = self.admin_site.admin_view(self.export_csv)
        name = self._admin_url("export").removeprefix("admin:")
        return [path("exportar.csv", export, name=name), *super().get_urls()]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = dict(extra_context or {})
        if request.user.has_perm(EXPORT_PERMISSION):
            query = request.GET.urlencode()
            context["export_url"] = reverse(self._admin_url("export")) + (
                f"?{query}" if query else ""
            )
        return super().changelist_view(request, extra_context=context)

    def export_csv(self, request: HttpRequest) -> HttpResponseBase:
        if not request.user.has_perm(EXPORT_PERMISSION):
            raise PermissionDenied
        try:
            queryset = self.get_changelist_instance(request).queryset
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse(self._admin_url("changelist")) + "?e=1")
        export_record(
            user=request.user,
            model=self.model,
            what=self.export_what,
            filters=request.GET.urlencode(),
        )
        return csv_stream_response(
            header=self.export_header,
            rows=self.export_rows(queryset),
            filename=f"{self.export_what}-{timezone.localdate():%Y%m%d}.csv",
        )
