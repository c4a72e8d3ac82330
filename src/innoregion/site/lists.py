"""The list pages' one machinery: filtering (django-filter), sorting and pagination (django-tables2),
and the download of a whole list as CSV or XLSX through the one formula guard (``innoregion.exports``).

A view reads its rows through ``restrict`` and hands them over::

    return list_page(request, "region/enterprise_list.html", queryset=restrict(qs, request.user, "view"),
                     table_class=EnterpriseTable, filterset_class=EnterpriseFilter, export_name="enterprises")

- the FilterSet narrows the queryset it is given (already restricted), so a filter can never show a
  row the user may not see, and neither can an export;
- the table sorts (``?sort=name``, ``?sort=-name``) and pages (``?page=``, ``?per_page=`` up to
  ``MAX_PER_PAGE``); nothing is cut: the page says how many rows the filtered list holds;
- ``?export=csv`` / ``?export=xlsx`` answers with every row of the filtered, sorted list (not just the
  page): the header is the table's column names in the reader's language, the cells the table's plain
  values (``value_<column>`` where a column renders HTML), every cell through ``exports.safe_cell``;
- columns that are not in the queryset (points, rungs, why a score moved) are filled by
  ``ListTable.fill(records)``: for the rows of the page shown, or chunk by chunk for an export; never
  one query per row.

A page with several lists gives each a prefix (``build_list(..., prefix="credit-")``: its parameters
become ``credit-sort``, ``credit-page``, ``credit-export`` and the filters ``credit-<name>``) and answers
an export with ``export_response(*listings)``. The page's template includes ``_list.html`` with
``listing`` set (filter form, row count, download links, table, pager).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeData
from django_tables2 import RequestConfig
from django_tables2.rows import BoundRow

from innoregion import exports

TABLE_TEMPLATE = "_table.html"
MAX_PER_PAGE = 200  # ``?per_page=`` above this is cut to it: a page is a page, the download is the list
EXPORT_CHUNK = 500  # rows read (and filled) at a time for a download
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ListTable(tables.Table):
    """The base of every list table: the site's table template, a bounded page size, and the
    ``fill`` hook for columns computed outside the queryset. Subclasses write
    ``class Meta(ListTable.Meta)`` to keep these options."""

    class Meta:
        template_name = TABLE_TEMPLATE
        attrs = {"class": "list"}
        per_page = 50

    def __init__(self, data=None, **kwargs):
        kwargs.setdefault("template_name", TABLE_TEMPLATE)
        super().__init__(data, **kwargs)

    def fill(self, records: list) -> None:
        """Compute what the computed columns show for ``records`` (the page shown, or one chunk of a
        download) in a few queries, before they are rendered. Nothing by default."""

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        per_page = max(1, min(int(per_page or self._meta.per_page), MAX_PER_PAGE))
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)

    def page_cells(self) -> Iterator[tuple[BoundRow, list]]:
        """The page's rows, each with its ``(" td attributes", rendered cell)`` pairs. The attributes are
        worked out once per column, not once per cell (tables2 recomputes them for every cell, a
        noticeable part of a 50-row page)."""
        columns = list(self.columns)
        cell_attrs = [format_html(" {}", a) if (a := column.attrs["td"].as_html()) else "" for column in columns]
        names = [column.name for column in columns]
        for row in self.paginated_rows:
            yield row, [(attrs, row.get_cell(name)) for attrs, name in zip(cell_attrs, names, strict=True)]


def plain(value):
    """A cell value as a download holds it: no HTML, no lazy translation, local naive date-times
    (spreadsheets have no time zones), lists joined; numbers and dates stay numbers and dates."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, SafeData):  # a column that renders HTML and has no value_<column>
        return html.unescape(strip_tags(str(value))).strip()
    if isinstance(value, str):
        return value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(force_str(plain(v)) for v in value if v is not None)
    if isinstance(value, Model):
        return str(value)
    return force_str(value)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class Listing:
    """One list of a page: its table (sorted, paginated, the page filled), its FilterSet, and the
    links and answer of its download."""

    def __init__(self, request, table: ListTable, filterset, *, prefix: str, export_name: str,
                 export_format: str | None):
        self.request = request
        self.table = table
        self.filter = filterset
        self.prefix = prefix
        self.export_name = export_name
        self.export_format = export_format

    # ---------------------------------------------------------------- the page
    @property
    def total(self) -> int:
        """How many rows the filtered list holds (every page, not just this one)."""
        return self.table.paginator.count

    @property
    def export_param(self) -> str:
        return f"{self.prefix}export"

    def _url(self, **updates) -> str:
        params = self.request.GET.copy()
        params.pop(self.table.prefixed_page_field, None)
        for key, value in updates.items():
            params[key] = value
        return "?" + params.urlencode()

    @property
    def csv_url(self) -> str:
        return self._url(**{self.export_param: "csv"})

    @property
    def xlsx_url(self) -> str:
        return self._url(**{self.export_param: "xlsx"})

    @property
    def hidden_fields(self) -> list[tuple[str, str]]:
        """The query parameters the filter form must carry over: the sort, other lists' parameters.
        Not the filters themselves, nor the page (a new filter starts at page 1), nor a download."""
        own = {bound.html_name for bound in self.filter.form} if self.filter is not None else set()
        own |= {self.table.prefixed_page_field, self.export_param}
        return [(key, value) for key, values in self.request.GET.lists() if key not in own for value in values]

    # ---------------------------------------------------------------- the download
    def header(self) -> list[str]:
        return [force_str(column.header) for column in self._export_columns()]

    def _export_columns(self) -> list:
        return [column for column in self.table.columns.iterall() if not column.column.exclude_from_export]

    def rows(self) -> Iterator[list]:
        """Every row of the filtered, sorted list as plain values, read and filled ``EXPORT_CHUNK`` at
        a time."""
        table = self.table
        names = [column.name for column in self._export_columns()]
        data = table.data.data  # the queryset (or list) as the table ordered it
        records = data.iterator(chunk_size=EXPORT_CHUNK) if isinstance(data, QuerySet) else iter(data)
        for chunk in _chunks(records, EXPORT_CHUNK):
            table.fill(chunk)
            for record in chunk:
                row = BoundRow(record, table=table)
                yield [plain(row.get_cell_value(name)) for name in names]

    def export(self) -> HttpResponse:
        """The whole list as the asked format, as an attachment; the download is written to the audit
        log (who, which list, which filters, how many rows) for signed-in users."""
        fmt = self.export_format or "csv"
        header = self.header()
        count = 0

        def counted():
            nonlocal count
            for row in self.rows():
                count += 1
                yield row

        if fmt == "xlsx":
            body = exports.xlsx_bytes([(self.export_name[:31], header, counted())])
        else:
            body = exports.csv_text(header, counted())
        filename = f"{self.export_name}-{timezone.localdate().isoformat()}.{fmt}"
        response = HttpResponse(body, content_type=EXPORT_FORMATS[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            from innoregion.apps.access import audit

            params = {key: values for key, values in self.request.GET.lists() if key != self.export_param}
            audit.record(user, "list.export", object_type="list", object_id=self.export_name,
                         after={"format": fmt, "rows": count, "query": params})
        return response


def build_list(request, *, queryset, table_class: type[ListTable], filterset_class=None, per_page: int = 50,
               prefix: str = "", export_name: str, table_kwargs: dict | None = None,
               filterset_kwargs: dict | None = None) -> Listing:
    """Filter ``queryset`` (already read through ``restrict``) with ``filterset_class``, put it in a
    ``table_class`` table sorted as the request asks, and either page it (filling the page's computed
    columns) or, when the request asks for this list's download, leave it whole for ``export()``.
    ``queryset`` may also be a list of dicts (no FilterSet then; the table sorts it in Python)."""
    filterset = None
    data = queryset
    if filterset_class is not None:
        filterset = filterset_class(request.GET or None, queryset=queryset, request=request,
                                    prefix=prefix.rstrip("-") or None, **(filterset_kwargs or {}))
        data = filterset.qs  # invalid fields are shown with their errors and not applied
    table = table_class(data, prefix=prefix, **(table_kwargs or {}))
    fmt = request.GET.get(f"{prefix}export")
    if fmt in EXPORT_FORMATS:
        RequestConfig(request, paginate=False).configure(table)
        return Listing(request, table, filterset, prefix=prefix, export_name=export_name, export_format=fmt)
    RequestConfig(request, paginate={"per_page": per_page}).configure(table)
    table.fill(list(table.page.object_list.data))  # the page's records: one read, reused when rendering
    return Listing(request, table, filterset, prefix=prefix, export_name=export_name, export_format=None)


def export_response(*listings: Listing) -> HttpResponse | None:
    """The download one of a page's lists was asked for, else ``None``."""
    for listing in listings:
        if listing.export_format is not None:
            return listing.export()
    return None


def list_page(request, template: str, *, queryset, table_class: type[ListTable], filterset_class=None,
              extra_context: dict | None = None, per_page: int = 50, export_name: str,
              table_kwargs: dict | None = None, filterset_kwargs: dict | None = None) -> HttpResponse:
    """A page of one list: the download if one is asked for, else ``template`` rendered with
    ``listing`` (and ``table``, ``filter``) and ``extra_context``."""
    listing = build_list(request, queryset=queryset, table_class=table_class, filterset_class=filterset_class,
                         per_page=per_page, export_name=export_name, table_kwargs=table_kwargs,
                         filterset_kwargs=filterset_kwargs)
    if listing.export_format is not None:
        return listing.export()
    return render(request, template, {"listing": listing, "table": listing.table, "filter": listing.filter,
                                      **(extra_context or {})})
