"""The benefit runs (the ladder page), each with its workbook for the finance bureau."""

from __future__ import annotations

import django_tables2 as tables
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from innoregion.site.lists import ListTable

NUM = {"th": {"class": "num"}, "td": {"class": "num"}}


def _yuan(value) -> str:
    return floatformat(value, "0g")  # whole yuan with the reader's thousands separator


class BenefitRunTable(ListTable):
    policy = tables.Column(_("Policy"), order_by=("policy", "policy_version", "-pk"))
    year = tables.Column(_("Year"), order_by=("year", "-pk"))
    granted = tables.Column(_("Granted"), attrs=NUM, order_by=("granted", "-pk"))
    pending = tables.Column(_("Pending (missing facts)"), attrs=NUM, order_by=("pending", "-pk"))
    requested = tables.Column(_("Requested (CNY)"), accessor="requested_total", attrs=NUM,
                              order_by=("requested_total", "-pk"))
    paid = tables.Column(_("Paid (CNY)"), accessor="paid_total", attrs=NUM, order_by=("paid_total", "-pk"))
    budget = tables.Column(_("Budget (CNY)"), attrs=NUM, order_by=("budget", "-pk"))
    workbook = tables.Column(_("Workbook"), accessor="pk", orderable=False, exclude_from_export=True)

    class Meta(ListTable.Meta):
        empty_text = _("No benefit run yet.")  # newest first (the view's ordering) until a column is chosen

    def render_policy(self, value, record):
        return f"{value} {record.policy_version}"

    def render_year(self, value):
        return str(value)

    def value_year(self, value):
        return value

    def render_requested(self, value):
        return _yuan(value)

    def value_requested(self, value):
        return value

    def render_paid(self, value):
        return _yuan(value)

    def value_paid(self, value):
        return value

    def render_budget(self, value):
        return _yuan(value)

    def value_budget(self, value):
        return value

    def render_workbook(self, value):
        return format_html('<a href="{}">{}</a>', reverse("ladder:benefits-xlsx", args=[value]),
                           gettext("Download XLSX for the finance bureau"))
