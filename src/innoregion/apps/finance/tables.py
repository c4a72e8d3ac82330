"""The financing applications as tables: points-based credit, and IP and equity pledges."""

from __future__ import annotations

import django_tables2 as tables
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from innoregion.site.lists import ListTable

NUM = {"th": {"class": "num"}, "td": {"class": "num"}}


class ApplicationTable(ListTable):
    enterprise = tables.Column(_("Enterprise"), accessor="enterprise__name",
                               order_by=("enterprise__name_zh", "pk"))
    bank = tables.Column(_("Bank"), accessor="bank__name", order_by=("bank__name", "pk"))
    amount = tables.Column(_("Amount (CNY)"), attrs=NUM, order_by=("amount", "pk"))

    class Meta(ListTable.Meta):
        empty_text = _("None.")  # newest first (the models' ordering) until a column is chosen


class CreditApplicationTable(ApplicationTable):
    points = tables.Column(_("Points"), accessor="points_at_application", attrs=NUM,
                           order_by=("points_at_application", "pk"), default="—")
    status = tables.Column(_("Status"), order_by=("status", "pk"))

    class Meta(ApplicationTable.Meta):
        sequence = ("enterprise", "bank", "amount", "points", "status")

    def render_points(self, value):
        return floatformat(value, 1)


class PledgeApplicationTable(ApplicationTable):
    kind = tables.Column(_("Kind"), order_by=("kind", "pk"))
    pledged = tables.Column(_("Pledged"), orderable=False)
    status = tables.Column(_("Status"), order_by=("status", "pk"))
    registration = tables.Column(_("Registration"), accessor="registration_status",
                                 order_by=("registration_status", "pk"))

    class Meta(ApplicationTable.Meta):
        sequence = ("enterprise", "bank", "kind", "pledged", "amount", "status", "registration")

    def render_registration(self, value, record):
        return f"{value} {record.registration_number}".strip()
