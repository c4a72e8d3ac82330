from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from innoregion.apps.access.restrict import restrict
from innoregion.apps.region.models import Cluster, Source, Zone


class EnterpriseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    cluster = forms.ModelChoiceField(queryset=Cluster.objects.none(), required=False, label=_("Cluster"))
    zone = forms.ModelChoiceField(queryset=Zone.objects.none(), required=False, label=_("Zone"))
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    rung = forms.ChoiceField(label=_("Rung"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        from innoregion.apps.cockpit import sources

        super().__init__(*args, **kwargs)
        lad = sources.ladder()
        packs = [*lad.rungs, *lad.side] if lad else []
        self.fields["rung"].choices = [("", "—"), *[(p, sources.ladder_label(p)) for p in packs]]
        stages, tiers = sources.stages_and_tiers()
        self.fields["stage"].choices = [("", "—"), *[(x, x) for x in stages]]
        self.fields["tier"].choices = [("", "—"), *[(x, x) for x in tiers]]
        self.fields["cluster"].queryset = restrict(Cluster.objects.all(), user, "view")
        self.fields["zone"].queryset = restrict(Zone.objects.all(), user, "view")


class WhatIfForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"))
    target = forms.ChoiceField(label=_("Target"), choices=[("tier", _("the next tier")),
                                                           ("points", _("more points"))], initial="tier")
    points = forms.FloatField(label=_("Points more"), min_value=0.1, max_value=1000, initial=5, required=False)

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = list(indicators)


class ImportForm(forms.Form):
    source = forms.ChoiceField(label=_("Department"), choices=[("auto", _("from the file name")), *Source.choices])
    file = forms.FileField(label=_("File (CSV or XLSX)"))
