"""The import pages' lists: the department files imported, and a file's quarantined rows."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from innoregion.site.lists import ListTable

NUM = {"th": {"class": "num"}, "td": {"class": "num"}}


class BatchTable(ListTable):
    file = tables.Column(_("File"), accessor="file_name", order_by=("file_name", "-pk"))
    source = tables.Column(_("Source department"), order_by=("source", "-pk"))
    status = tables.Column(_("Status"), order_by=("status", "-pk"))
    accepted = tables.Column(_("Rows accepted"), accessor="rows_accepted", attrs=NUM,
                             order_by=("rows_accepted", "-pk"))
    quarantined = tables.Column(_("Rows quarantined"), accessor="rows_quarantined", attrs=NUM,
                                order_by=("rows_quarantined", "-pk"))
    started = tables.DateTimeColumn(verbose_name=_("Started"), accessor="started_at",
                                    format="SHORT_DATETIME_FORMAT", order_by=("started_at", "pk"))

    class Meta(ListTable.Meta):
        order_by = ("-started",)
        empty_text = _("No file imported yet.")

    def render_file(self, value, record):
        return format_html('<a href="{}">{}</a>', reverse("imports:import-detail", args=[record.pk]), value)

    def value_file(self, value):
        return value

    def value_started(self, value):
        return value


class QuarantinedRowTable(ListTable):
    row = tables.Column(_("row"), accessor="row_number", attrs=NUM, order_by=("row_number", "pk"))
    column = tables.Column(_("Column"), order_by=("column", "row_number", "pk"))
    reason = tables.Column(_("Reason"), accessor="pk", orderable=False)

    class Meta(ListTable.Meta):
        order_by = ("row",)
        empty_text = _("No row was quarantined.")

    def render_row(self, value):
        return str(value)  # a row number, not a localised quantity ("1,234")

    def value_row(self, value):
        return value

    def render_reason(self, record):
        return record.localised_reason()  # in the reader's language, from the stored kind and values
