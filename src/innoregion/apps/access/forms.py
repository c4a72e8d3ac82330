from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innoregion.apps.access.models import Bank


class ConsentForm(forms.Form):
    bank = forms.ModelChoiceField(queryset=Bank.objects.none(), label=_("Bank"))
    scopes = forms.MultipleChoiceField(
        label=_("What the bank may read"), widget=forms.CheckboxSelectMultiple, initial=["summary"],
        choices=[("summary", _("summary (points, tier, rung)")), ("breakdown", _("points breakdown")),
                 ("filings", _("filings"))])
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    expires_on = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, banks=None, **kwargs):
        super().__init__(*args, **kwargs)
        if banks is not None:
            self.fields["bank"].queryset = banks
        self.fields["expires_on"].initial = (timezone.localdate() + dt.timedelta(days=180)).isoformat()

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        if value <= timezone.localdate():
            raise forms.ValidationError(_("The expiry must be in the future."))
        return value


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), widget=forms.CheckboxSelectMultiple, initial=["summary"],
        choices=[("summary", _("summary (points, tier, rung)")), ("breakdown", _("points breakdown")),
                 ("filings", _("filings"))])
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=90)
