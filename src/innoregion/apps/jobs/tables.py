"""The job list as a django-tables2 table (sortable; the page paginates it)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from innoregion.apps.jobs import registry
from innoregion.apps.jobs.models import Job


class JobTable(tables.Table):
    id = tables.Column(verbose_name=_("job"), linkify=("jobs:detail", {"pk": tables.A("pk")}))
    kind = tables.Column(verbose_name=_("kind"))
    status = tables.Column(verbose_name=_("status"))
    progress = tables.Column(verbose_name=_("progress"), empty_values=(), orderable=False)
    started_by = tables.Column(verbose_name=_("started by"), order_by=("started_by__username",),
                               default=_("command line"))
    created_at = tables.DateTimeColumn(verbose_name=_("created"), format="Y-m-d H:i:s")
    finished_at = tables.DateTimeColumn(verbose_name=_("finished"), format="Y-m-d H:i:s", default="—")
    retry_of = tables.Column(verbose_name=_("retry of"), linkify=("jobs:detail", {"pk": tables.A("retry_of_id")}),
                             default="—", order_by=("retry_of_id",))

    class Meta:
        model = Job
        fields = ("id", "kind", "status", "progress", "started_by", "created_at", "finished_at", "retry_of")
        sequence = fields
        order_by = ("-created_at",)
        attrs = {"class": "data jobs"}
        row_attrs = {"data-status": lambda record: record.status}
        empty_text = _("No job matches.")
        template_name = "jobs/table.html"

    def render_kind(self, value):
        return registry.kind_label(value)

    def render_started_by(self, value):
        return value.get_username()

    def render_retry_of(self, value):
        return value.pk

    def render_progress(self, record):
        percent = record.percent
        if percent is None:
            return number_format(record.progress_done, force_grouping=True) if record.progress_done else "—"
        return format_html('<progress max="100" value="{}"></progress> {} %', percent, percent)
