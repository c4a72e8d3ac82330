from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from innoregion.apps.matchmaking import services
from innoregion.apps.matchmaking.models import Capability, Scenario
from innoregion.engines.matching import MatchingTextError


def _check(text: str) -> str:
    """The language of the text; a form error if the engine cannot use it."""
    try:
        return services.check_text(text)
    except MatchingTextError as exc:
        raise forms.ValidationError(_("This text cannot be matched: %(reason)s"), params={"reason": exc}) from exc


class ScenarioForm(forms.ModelForm):
    restrict_to_cluster = forms.BooleanField(label=_("Only enterprises of this cluster"), required=False)
    restrict_to_zone = forms.BooleanField(label=_("Only enterprises of this zone"), required=False)
    points_tiers = forms.CharField(label=_("Accepted innovation-points tiers (comma-separated, empty: all)"),
                                   required=False, max_length=100)
    min_ladder_rung = forms.IntegerField(label=_("Lowest cultivation-ladder rung (empty: any)"),
                                         required=False, min_value=1, max_value=10)

    class Meta:
        model = Scenario
        fields = ["title", "description", "owner_organisation", "cluster", "zone", "budget_min", "budget_max",
                  "deadline", "language", "status"]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"}),
                   "description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        filters = (self.instance.candidate_filters or {}) if self.instance else {}
        self.fields["restrict_to_cluster"].initial = "cluster" in filters
        self.fields["restrict_to_zone"].initial = "zone" in filters
        self.fields["points_tiers"].initial = ", ".join(filters.get("points_tier", []))
        self.fields["min_ladder_rung"].initial = filters.get("min_ladder_rung")

    def clean(self):
        data = super().clean()
        if data.get("title") and data.get("description"):
            detected = _check(f"{data['title']}\n{data['description']}")
            if not data.get("language"):
                data["language"] = detected
        bmin, bmax = data.get("budget_min"), data.get("budget_max")
        if bmin is not None and bmax is not None and bmin > bmax:
            self.add_error("budget_max", _("the upper bound must not be below the lower bound"))
        if data.get("restrict_to_cluster") and not data.get("cluster"):
            self.add_error("cluster", _("choose the cluster to restrict to"))
        if data.get("restrict_to_zone") and not data.get("zone"):
            self.add_error("zone", _("choose the zone to restrict to"))
        return data

    def save(self, commit=True):
        scenario = super().save(commit=False)
        data = self.cleaned_data
        filters: dict = {}
        if data.get("restrict_to_cluster") and scenario.cluster_id:
            filters["cluster"] = [scenario.cluster.code]
        if data.get("restrict_to_zone") and scenario.zone_id:
            filters["zone"] = [scenario.zone.code]
        tiers = [t.strip() for t in (data.get("points_tiers") or "").split(",") if t.strip()]
        if tiers:
            filters["points_tier"] = tiers
        if data.get("min_ladder_rung"):
            filters["min_ladder_rung"] = data["min_ladder_rung"]
        scenario.candidate_filters = filters
        if commit:
            scenario.save()
        return scenario


class CapabilityForm(forms.ModelForm):
    keywords_text = forms.CharField(label=_("Technology keywords (comma-separated)"), required=False,
                                    max_length=500)

    class Meta:
        model = Capability
        fields = ["title", "description", "maturity", "references", "language"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6}), "references": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.keywords:
            self.fields["keywords_text"].initial = ", ".join(self.instance.keywords)

    def clean(self):
        data = super().clean()
        if data.get("title") and data.get("description"):
            detected = _check(f"{data['title']}\n{data['description']}")
            if not data.get("language"):
                data["language"] = detected
        return data

    def save(self, commit=True):
        cap = super().save(commit=False)
        text = self.cleaned_data.get("keywords_text") or ""
        cap.keywords = [k.strip() for k in text.replace("，", ",").replace("、", ",").split(",") if k.strip()]
        if commit:
            cap.save()
        return cap


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("accept")), ("reject", _("reject"))])
    note = forms.CharField(required=False, max_length=500)
