"""Financing pages: an enterprise applies (credit on its points, IP or equity pledge) to a bank it
has given consent to; a bank and officials see the applications they may see."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from innoregion.apps.access.models import Bank
from innoregion.apps.access.policy import allowed, requires, restrict
from innoregion.apps.finance import services
from innoregion.apps.finance.filtersets import CreditApplicationFilter, PledgeApplicationFilter, bank_choices
from innoregion.apps.finance.forms import ApplicationForm
from innoregion.apps.finance.models import CreditApplication, PledgeApplication
from innoregion.apps.finance.tables import CreditApplicationTable, PledgeApplicationTable
from innoregion.apps.region.models import Enterprise
from innoregion.site.lists import build_list, export_response


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
    banks = bank_choices(request.user)  # the two lists' bank filter, read once
    credit = build_list(request, prefix="credit-", export_name="credit-applications",
                        queryset=restrict(CreditApplication.objects.select_related("enterprise", "bank"),
                                          request.user, "view").order_by("-created_at", "-pk"),
                        table_class=CreditApplicationTable, filterset_class=CreditApplicationFilter,
                        filterset_kwargs={"banks": banks})
    pledge = build_list(request, prefix="pledge-", export_name="pledge-applications",
                        queryset=restrict(PledgeApplication.objects.select_related("enterprise", "bank"),
                                          request.user, "view").order_by("-created_at", "-pk"),
                        table_class=PledgeApplicationTable, filterset_class=PledgeApplicationFilter,
                        filterset_kwargs={"banks": banks})
    return export_response(credit, pledge) or render(request, "finance/applications.html", {
        "form": form, "credit": credit, "pledge": pledge})
