"""Filters of the access pages' lists: the audit log by action (its code, or its first part: "bank."
is every bank read) and by who; an access log, consents and tokens by bank, enterprise or name."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from innoregion.apps.access.models import ApiToken, AuditEntry, Bank, Consent
from innoregion.apps.access.policy import restrict
from innoregion.apps.region.selectors import enterprise_search


def _banks(request):
    return restrict(Bank.objects.all(), request.user if request is not None else None, "view")


class AuditFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(label=_("Action"), lookup_expr="startswith")
    who = django_filters.CharFilter(label=_("Who"), field_name="actor_label", lookup_expr="icontains")

    class Meta:
        model = AuditEntry
        fields = ["action", "who"]


class EnterpriseLogFilter(django_filters.FilterSet):
    bank = django_filters.ModelChoiceFilter(label=_("Bank"), queryset=_banks, empty_label="—")

    class Meta:
        model = AuditEntry
        fields = ["bank"]


class ConsentFilter(django_filters.FilterSet):
    bank = django_filters.ModelChoiceFilter(label=_("Bank"), queryset=_banks, empty_label="—")

    class Meta:
        model = Consent
        fields = ["bank"]


class BankConsentFilter(django_filters.FilterSet):
    enterprise = django_filters.CharFilter(label=_("Enterprise"), method="search")

    class Meta:
        model = Consent
        fields = ["enterprise"]

    def search(self, queryset, name, value):
        q = value.strip()
        if not q:
            return queryset
        return queryset.filter(enterprise_search(q, "enterprise__"))


class TokenFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(label=_("Name"), lookup_expr="icontains")

    class Meta:
        model = ApiToken
        fields = ["name"]
