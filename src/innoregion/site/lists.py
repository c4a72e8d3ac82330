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
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html, strip_tags
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime
from django_tables2 import RequestConfig
from django_tables2 import utils as table_utils
from django_tables2.columns import ManyToManyColumn
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.data import TableQuerysetData
from django_tables2.rows import BoundRow, BoundRows

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
        self._signatures: dict = {}
        super().__init__(data, **kwargs)

    def fill(self, records: list) -> None:
        """Compute what the computed columns show for ``records`` (the page shown, or one chunk of a
        download) in a few queries, before they are rendered. Nothing by default."""

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        """tables2's ``paginate`` with the page size bounded, and one query fewer on a first page: its
        rows are read first, one more than a page; when that is the whole list, its length is the
        count (no ``COUNT(*)``); either way the rows read are the page's (no second read)."""
        per_page = max(1, min(int(per_page or self._meta.per_page), MAX_PER_PAGE))
        head = count = None
        if str(page) == "1" and isinstance(self.data, TableQuerysetData):
            head = list(self.data.data[: per_page + 1])
            if len(head) <= per_page:
                count = len(head)
            head = head[:per_page]
        self.paginator = paginator_class(self.rows, per_page, *args, **kwargs)
        if count is not None:
            self.paginator.count = count  # a cached_property: known, so never asked of the database
        self.page = self.paginator.page(page)
        if head is not None:
            self.page.object_list = BoundRows(data=head, table=self)
        return self

    def body_html(self) -> str:
        """The page's rows as HTML (``<tr>`` by ``<tr>``), each cell rendered by its column as tables2
        renders it, then localised and escaped as ``{{ cell }}`` would be. Written in Python rather than
        with a template loop, and with each column's ``<td>`` attributes worked out once (tables2 works
        them out for every cell): on a 50-row page the template's per-cell cost was most of the table's
        rendering time (as for the enterprise page's filings, region/views.py)."""
        columns = list(self.columns)
        cell_attrs = [format_html(" {}", a) if (a := column.attrs["td"].as_html()) else ""
                      for column in columns]
        cells = [_CellRenderer(column) for column in columns]
        rows = []
        for record in self.page.object_list.data:
            row = FastRow(record, table=self)
            rows.append("<tr>" + "".join(
                f"<td{attrs}>{conditional_escape(localize(template_localtime(cell(row))))}</td>"
                for attrs, cell in zip(cell_attrs, cells, strict=True)) + "</tr>\n")
        return mark_safe("".join(rows))  # every cell escaped above

    def call_cell_function(self, fn, kwargs: dict):
        """``fn`` (a column's render or value function) called with the arguments it names, as tables2's
        ``call_with_appropriate`` does, with each function's signature read once per table (tables2
        reads it for every cell: a third of the time of a 50-row page)."""
        known = self._signatures.get(fn)
        if known is None:
            known = self._signatures[fn] = table_utils.signature(fn)
        args, catch_all = known
        if catch_all:
            return fn(**kwargs)
        if any(arg not in kwargs for arg in args):
            return None
        return fn(**{arg: kwargs[arg] for arg in args})


class FastRow(BoundRow):
    """A row whose cells are rendered as tables2's ``BoundRow`` renders them, calling the column
    functions through ``ListTable.call_cell_function``."""

    def cell(self, bound_column):
        """``get_cell`` for a bound column in hand (``get_cell(name)`` looks the column up by name
        among all of the table's columns, for every cell)."""
        return self._get_and_render_with(bound_column, render_func=self._call_render,
                                         default=bound_column.default)

    def _call_render(self, bound_column, value=None):
        kwargs = self._optional_cell_arguments(bound_column, value)
        content = self._table.call_cell_function(bound_column.render, kwargs)
        return bound_column.link(content, **kwargs) if bound_column.link else content

    def _call_value(self, bound_column, value=None):
        kwargs = self._optional_cell_arguments(bound_column, value)
        return self._table.call_cell_function(bound_column.value, kwargs)


class _CellRenderer:
    """One column's cells as ``BoundRow.get_cell`` renders them (the model field's display value for a
    field with choices, the column's default for an empty value, its render function, its link), with
    what depends only on the column worked out once: for an accessor that names an attribute or a dict
    key, the value is read directly; anything else (``a__b``, the link and many-to-many columns) goes
    through tables2's own ``get_cell``."""

    def __init__(self, bound_column):
        self.bound = bound_column
        self.column = bound_column.column
        self.name = str(bound_column.accessor)
        self.direct = (self.name.isidentifier()
                       and not isinstance(self.column, BaseLinkColumn | ManyToManyColumn))
        self.display: str | None = None  # "get_<field>_display" for a field with choices, "" otherwise

    def _value(self, record):
        if isinstance(record, dict):
            return record.get(self.name)
        if self.display is None:
            self.display = ""
            try:
                field = record._meta.get_field(self.name)
            except (AttributeError, FieldDoesNotExist):
                field = None
            if field is not None and getattr(field, "choices", None):
                self.display = f"get_{self.name}_display"
        return getattr(record, self.display)() if self.display else getattr(record, self.name)

    def __call__(self, row):
        if not self.direct:
            return row.cell(self.bound)
        try:
            value = self._value(row.record)
        except (AttributeError, KeyError, TypeError):
            return row.cell(self.bound)
        if value in self.column.empty_values:
            return self.bound.default
        return row._call_render(self.bound, value)


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
        return [(key, value) for key, values in self.request.GET.lists() if key not in own
                for value in values]

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
                row = FastRow(record, table=table)
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
    fmt = request.GET.get(f"{prefix}export") if request.method in ("GET", "HEAD") else None
    if fmt in EXPORT_FORMATS:  # a POST (a form sent to a URL with ?export=) is never answered with a file
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
