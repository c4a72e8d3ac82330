"""The enterprise list's filters: a search over the names and the credit code, cluster, zone, and
the stage, tier (latest scoring run) and rung (latest ladder run)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from innoregion.apps.access.policy import restrict
from innoregion.apps.ladder import selectors as ladder_selectors
from innoregion.apps.points import selectors as points_selectors
from innoregion.apps.region.forms import FastSelect
from innoregion.apps.region.models import Cluster, Enterprise, Zone
from innoregion.apps.region.selectors import enterprise_search


def _clusters(request):
    return restrict(Cluster.objects.all(), request.user if request is not None else None, "view")


def _zones(request):
    return restrict(Zone.objects.all(), request.user if request is not None else None, "view")


def _rungs():
    return [(p, ladder_selectors.ladder_label(p)) for p in ladder_selectors.ladder_packs()]


class EnterpriseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    cluster = django_filters.ModelChoiceFilter(label=_("Cluster"), queryset=_clusters, empty_label="—",
                                               widget=FastSelect)
    zone = django_filters.ModelChoiceFilter(label=_("Zone"), queryset=_zones, empty_label="—",
                                            widget=FastSelect)
    stage = django_filters.ChoiceFilter(label=_("Stage"), method="scored", empty_label="—", widget=FastSelect)
    tier = django_filters.ChoiceFilter(label=_("Tier"), method="scored", empty_label="—", widget=FastSelect)
    rung = django_filters.ChoiceFilter(label=_("Rung"), choices=_rungs, method="on_rung", empty_label="—",
                                       widget=FastSelect)

    class Meta:
        model = Enterprise
        fields = ["q", "cluster", "zone", "stage", "tier", "rung"]

    def __init__(self, *args, run=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.run = run
        stages, tiers = points_selectors.stages_and_tiers(run)  # those of the run the list shows
        self.filters["stage"].extra["choices"] = [(s, s) for s in stages]
        self.filters["tier"].extra["choices"] = [(t, t) for t in tiers]

    def search(self, queryset, name, value):
        q = value.strip()
        if not q:
            return queryset
        return queryset.filter(enterprise_search(q))

    def scored(self, queryset, name, value):
        """Stage and tier in one subquery of the run's scores (the tier's call does nothing when a
        stage is chosen too: the stage's call took both)."""
        stage, tier = self.form.cleaned_data.get("stage"), self.form.cleaned_data.get("tier")
        if name == "tier" and stage:
            return queryset
        if self.run is None:
            return queryset.none()
        ids = points_selectors.enterprise_ids_scored(self.run, stage or None, tier or None)
        return queryset.filter(pk__in=ids)

    def on_rung(self, queryset, name, value):
        return queryset.filter(pk__in=ladder_selectors.enterprise_ids_on_rung(value))
