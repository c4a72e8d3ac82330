"""Financing pages: an enterprise applies (credit on its points, IP or equity pledge) to a bank it
has given consent to; a bank and officials see the applications they may see."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innoregion.apps.access.models import Bank
from innoregion.apps.access.policy import allowed, requires, restrict
from innoregion.apps.finance import services
from innoregion.apps.finance.models import CreditApplication, PledgeApplication
from innoregion.apps.region.models import Enterprise


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


@requires("finance.view_applications")
def applications(request):
    who = request.who
    form = None
    if allowed(who, "finance.apply", who.enterprise_id):
        form = ApplicationForm(request.POST or None, banks=restrict(Bank.objects.all(), request.user, "view"))
        if request.method == "POST" and form.is_valid():
            ent = restrict(Enterprise.objects.all(), request.user, "change").get(pk=who.enterprise_id)
            d = form.cleaned_data
            try:
                if d["kind"] == "credit":
                    services.submit_credit_application(ent, d["bank"], d["amount"], request.user)
                else:
                    services.submit_pledge_application(ent, d["bank"], d["kind"], d["pledged"], d["amount"],
                                                       request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Application submitted."))
                return redirect("finance:applications")
    credit = restrict(CreditApplication.objects.select_related("enterprise", "bank"), request.user, "view")[:200]
    pledge = restrict(PledgeApplication.objects.select_related("enterprise", "bank"), request.user, "view")[:200]
    return render(request, "finance/applications.html", {"form": form, "credit": credit, "pledge": pledge})
