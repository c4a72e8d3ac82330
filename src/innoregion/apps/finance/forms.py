"""The financing application form (an enterprise applies to a bank it has given consent to)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from innoregion.apps.access.models import Bank


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[
        ("credit", gettext_lazy("points-based credit")), ("ip", gettext_lazy("intellectual-property pledge")),
        ("equity", gettext_lazy("equity pledge"))])
    bank = forms.ModelChoiceField(label=gettext_lazy("Bank"), queryset=Bank.objects.none())
    amount = forms.DecimalField(label=gettext_lazy("Amount (CNY)"), min_value=1, max_digits=14, decimal_places=2)
    pledged = forms.CharField(label=gettext_lazy("Pledged IP or equity (for a pledge)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, banks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = banks
