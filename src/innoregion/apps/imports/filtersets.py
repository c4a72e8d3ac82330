"""Filters of the import pages: the files by name, department and status; a file's quarantined rows
by column."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from innoregion.apps.imports.models import ImportBatch, QuarantinedRow
from innoregion.apps.region.models import Source


class BatchFilter(django_filters.FilterSet):
    file = django_filters.CharFilter(label=_("File"), field_name="file_name", lookup_expr="icontains")
    source = django_filters.ChoiceFilter(label=_("Source department"), choices=Source.choices,
                                         empty_label="—")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ImportBatch.Status.choices,
                                         empty_label="—")

    class Meta:
        model = ImportBatch
        fields = ["file", "source", "status"]


class QuarantinedRowFilter(django_filters.FilterSet):
    column = django_filters.CharFilter(label=_("Column"), lookup_expr="icontains")

    class Meta:
        model = QuarantinedRow
        fields = ["column"]
