"""Filters of the benefit runs: policy and year."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from innoregion.apps.ladder.models import BenefitRun


class BenefitRunFilter(django_filters.FilterSet):
    policy = django_filters.ChoiceFilter(label=_("Policy"), empty_label="—")
    year = django_filters.NumberFilter(label=_("Year"))

    class Meta:
        model = BenefitRun
        fields = ["policy", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the policies of the runs this user may see (the queryset is already restricted)
        names = self.queryset.order_by("policy").values_list("policy", flat=True).distinct()
        self.filters["policy"].extra["choices"] = [(p, p) for p in names]
