"""Filters of the talent registry: tier, field, cluster."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from innoregion.apps.talent.models import Field, Talent


class TalentFilter(django_filters.FilterSet):
    tier = django_filters.ChoiceFilter(label=_("tier"), empty_label="—")
    field = django_filters.ChoiceFilter(label=_("field"), choices=Field.choices, empty_label="—")
    cluster = django_filters.CharFilter(label=_("cluster"), field_name="cluster__code", max_length=40)

    class Meta:
        model = Talent
        fields = ["tier", "field", "cluster"]

    def __init__(self, *args, tiers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tiers is None:  # the tiers of the talents this user may see (the queryset is already restricted)
            tiers = self.queryset.order_by("tier").values_list("tier", flat=True).distinct()
        self.filters["tier"].extra["choices"] = [(t, t) for t in tiers if t]
