"""The talent registry as a table (pseudonymous ids only: no personal data is listed or exported)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from innoregion.site.lists import ListTable


class TalentTable(ListTable):
    id = tables.Column(_("id"), accessor="pseudonymous_id", order_by=("pseudonymous_id",))
    tier = tables.Column(_("tier"), order_by=("tier", "pseudonymous_id"), default="—")
    field = tables.Column(_("field"), order_by=("field", "pseudonymous_id"))
    cluster = tables.Column(_("cluster"), accessor="cluster__code", default="",
                            order_by=("cluster__code", "pseudonymous_id"))
    affiliation = tables.Column(_("affiliation"), accessor="affiliation_type",
                                order_by=("affiliation_type", "affiliation_name", "pseudonymous_id"))

    class Meta(ListTable.Meta):
        order_by = ("id",)
        empty_text = _("No talent matches.")

    def render_id(self, value):
        return format_html('<a href="{}">{}</a>', reverse("talent:detail", args=[value]), value)

    def value_id(self, value):
        return value

    def render_affiliation(self, value, record):
        return f"{value} · {record.affiliation_name}"
