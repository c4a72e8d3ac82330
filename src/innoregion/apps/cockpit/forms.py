from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from innoregion.apps.access.restrict import restrict
from innoregion.apps.region.models import Cluster, Source, Zone


class EnterpriseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    cluster = forms.ModelChoiceField(queryset=Cluster.objects.none(), required=False, label=_("Cluster"))
    zone = forms.ModelChoiceField(queryset=Zone.objects.none(), required=False, label=_("Zone"))
    stage = forms.CharField(label=_("Stage"), required=False, max_length=40)
    tier = forms.CharField(label=_("Tier"), required=False, max_length=40)
    rung = forms.ChoiceField(label=_("Rung"), required=False, choices=[
        ("", "—"), ("tech_sme", _("technology-based SMEs")), ("hnte", _("high and new technology enterprises")),
        ("srdi", _("specialised, refined, distinctive and novel SMEs")), ("gazelle", _("gazelles")),
        ("unicorn", _("unicorns"))])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = restrict(Cluster.objects.all(), user, "view")
        self.fields["zone"].queryset = restrict(Zone.objects.all(), user, "view")


class WhatIfForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"))
    value = forms.FloatField(label=_("New value"))

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = list(indicators)

    def changes(self) -> dict[str, float]:
        return {self.cleaned_data["indicator"]: self.cleaned_data["value"]}


class ImportForm(forms.Form):
    source = forms.ChoiceField(label=_("Department"), choices=[("auto", _("from the file name")), *Source.choices])
    file = forms.FileField(label=_("File (CSV or XLSX)"))
