"""Filters of the scoring runs: methodology, year, status."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from innoregion.apps.points.models import ScoringRun


class ScoreRunFilter(django_filters.FilterSet):
    methodology = django_filters.ChoiceFilter(label=_("Methodology"), empty_label="—")
    year = django_filters.NumberFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ScoringRun.Status.choices,
                                         empty_label="—")

    class Meta:
        model = ScoringRun
        fields = ["methodology", "year", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the methodologies of the runs this user may see (the queryset is already restricted)
        names = self.queryset.order_by("methodology").values_list("methodology", flat=True).distinct()
        self.filters["methodology"].extra["choices"] = [(m, m) for m in names]
