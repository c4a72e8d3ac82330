"""Filters of the financing applications: the enterprise (name or credit code), the bank, the status;
for pledges also the kind and the registration status."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from innoregion.apps.access.models import Bank
from innoregion.apps.access.policy import restrict
from innoregion.apps.finance.models import ApplicationStatus, CreditApplication, PledgeApplication
from innoregion.apps.region.selectors import enterprise_search


def bank_choices(user) -> list[tuple[int, str]]:
    """The banks ``user`` may see, as choices (read once for both lists of the page)."""
    return list(restrict(Bank.objects.all(), user, "view").values_list("pk", "name"))


class ApplicationFilter(django_filters.FilterSet):
    enterprise = django_filters.CharFilter(label=_("Enterprise"), method="search")
    bank = django_filters.ChoiceFilter(label=_("Bank"), field_name="bank_id", empty_label="—")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ApplicationStatus.choices,
                                         empty_label="—")

    def __init__(self, *args, banks=None, **kwargs):
        super().__init__(*args, **kwargs)
        if banks is None:
            banks = bank_choices(self.request.user if self.request is not None else None)
        self.filters["bank"].extra["choices"] = banks

    def search(self, queryset, name, value):
        q = value.strip()
        if not q:
            return queryset
        return queryset.filter(enterprise_search(q, "enterprise__"))


class CreditApplicationFilter(ApplicationFilter):
    class Meta:
        model = CreditApplication
        fields = ["enterprise", "bank", "status"]


class PledgeApplicationFilter(ApplicationFilter):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PledgeApplication.Kind.choices,
                                       empty_label="—")
    registration = django_filters.ChoiceFilter(label=_("Registration"), field_name="registration_status",
                                               choices=PledgeApplication.Registration.choices,
                                               empty_label="—")

    class Meta:
        model = PledgeApplication
        fields = ["enterprise", "bank", "status", "kind", "registration"]
