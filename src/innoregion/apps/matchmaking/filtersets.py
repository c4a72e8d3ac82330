"""Filters of the matchmaking lists: a search, the language, the cluster and zone (by code); the
capabilities also by lowest TRL; the review by status (proposed by default) and scenario."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from innoregion.apps.matchmaking.models import Capability, Language, Match, Scenario


class _ListFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    language = django_filters.ChoiceFilter(label=_("Language"), choices=Language.choices,
                                           empty_label=_("all"))
    search_fields: tuple[str, ...] = ()

    def search(self, queryset, name, value):
        q = Q()
        for field in self.search_fields:
            q |= Q(**{f"{field}__icontains": value})
        return queryset.filter(q)


class ScenarioFilter(_ListFilter):
    cluster = django_filters.CharFilter(label=_("Cluster"), field_name="cluster__code", max_length=40)
    zone = django_filters.CharFilter(label=_("Zone"), field_name="zone__code", max_length=40)
    search_fields = ("title", "description", "owner_organisation")

    class Meta:
        model = Scenario
        fields = ["q", "language", "cluster", "zone"]


class CapabilityFilter(_ListFilter):
    cluster = django_filters.CharFilter(label=_("Cluster"), field_name="enterprise__cluster__code",
                                        max_length=40)
    zone = django_filters.CharFilter(label=_("Zone"), field_name="enterprise__zone__code", max_length=40)
    min_trl = django_filters.NumberFilter(label=_("Lowest TRL"), field_name="maturity", lookup_expr="gte",
                                          widget=forms.NumberInput(attrs={"min": 1, "max": 9}))
    search_fields = ("title", "description", "enterprise__name_zh", "enterprise__name_en")

    class Meta:
        model = Capability
        fields = ["q", "language", "cluster", "zone", "min_trl"]


class MatchFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Match.Status.choices,
                                         empty_label=_("all"))
    scenario = django_filters.NumberFilter(label=_("Scenario id"), field_name="scenario_id")

    class Meta:
        model = Match
        fields = ["status", "scenario"]

    def __init__(self, data=None, *args, **kwargs):
        # the review opens on the matches still to decide; "all" is an explicit empty choice
        if data is None or "status" not in data:
            data = data.copy() if data is not None else {}
            data["status"] = Match.Status.PROPOSED
        super().__init__(data, *args, **kwargs)
