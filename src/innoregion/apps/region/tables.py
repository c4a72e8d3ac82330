"""The enterprise list as a table. Stage, points, tier and rung are not columns of the enterprise:
``fill`` reads them for the page's enterprises only (two queries a page, one pair a chunk of a
download); sorting by points orders the queryset by the run's points (``points_expression``)."""

from __future__ import annotations

import django_tables2 as tables
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from innoregion.apps.ladder import selectors as ladder_selectors
from innoregion.apps.points import selectors as points_selectors
from innoregion.apps.region.selectors import names_table, pick_name
from innoregion.site.lists import ListTable

NUM = {"th": {"class": "num"}, "td": {"class": "num"}}


class EnterpriseTable(ListTable):
    code = tables.Column(_("Credit code"), accessor="credit_code", order_by=("credit_code",))
    name = tables.Column(_("Name"), accessor="name", order_by=("name_zh", "credit_code"))
    cluster = tables.Column(_("Cluster"), accessor="cluster_id", orderable=False, default="—")
    zone = tables.Column(_("Zone"), accessor="zone_id", orderable=False, default="—")
    founded = tables.Column(_("Founded"), order_by=("founded", "credit_code"))
    stage = tables.Column(_("Stage"), accessor="pk", orderable=False)
    points = tables.Column(_("Points"), accessor="pk", attrs=NUM, initial_sort_descending=True)
    tier = tables.Column(_("Tier"), accessor="pk", orderable=False)
    rung = tables.Column(_("Rung"), accessor="pk", orderable=False)

    class Meta(ListTable.Meta):
        order_by = ("code",)
        empty_text = _("No enterprise matches.")

    def __init__(self, *args, run=None, **kwargs):
        self.run = run
        self.scores: dict[int, dict] = {}
        self.rungs: dict[int, dict] = {}
        self.places: dict[str, dict[int, str]] = {}
        super().__init__(*args, **kwargs)

    def fill(self, records):
        ids = [e.pk for e in records]
        if not self.places:  # the cached reference tables, looked up once (not once a cell)
            self.places = {label: {pk: pick_name(names) for pk, names in names_table(label, "pk").items()}
                           for label in ("region.Cluster", "region.Zone")}
        self.scores = points_selectors.scores_for(ids, self.run) if self.run is not None else {}
        self.rungs = ladder_selectors.rungs_for(ids, gaps=False)  # the list shows the rung, not the gaps

    def order_points(self, queryset, is_descending):
        if self.run is None:
            return queryset.order_by("credit_code"), True
        points = points_selectors.points_expression(self.run)
        order = points.desc(nulls_last=True) if is_descending else points.asc(nulls_last=True)
        return queryset.order_by(order, "credit_code"), True

    def render_name(self, value, record):
        return format_html('<a href="{}">{}</a>', reverse("region:enterprise", args=[record.pk]), value)

    def value_name(self, value):
        return value

    def _place(self, label: str, pk) -> str:
        return self.places.get(label, {}).get(pk) or ""

    def render_cluster(self, value):
        return self._place("region.Cluster", value) or "—"

    def value_cluster(self, value):
        return self._place("region.Cluster", value)

    def render_zone(self, value):
        return self._place("region.Zone", value) or "—"

    def value_zone(self, value):
        return self._place("region.Zone", value)

    def render_founded(self, value):
        return str(value.year)

    def value_founded(self, value):
        return value

    def _score(self, pk) -> dict:
        return self.scores.get(pk) or {}

    def render_stage(self, value):
        return self._score(value).get("stage") or "—"

    def value_stage(self, value):
        return self._score(value).get("stage") or ""

    def render_points(self, value):
        points = self._score(value).get("points")
        return "—" if points is None else floatformat(points, 1)

    def value_points(self, value):
        points = self._score(value).get("points")
        return None if points is None else round(points, 2)

    def render_tier(self, value):
        return self._score(value).get("tier") or "—"

    def value_tier(self, value):
        return self._score(value).get("tier") or ""

    def render_rung(self, value):
        return (self.rungs.get(value) or {}).get("rung_label") or "—"

    def value_rung(self, value):
        return (self.rungs.get(value) or {}).get("rung_label") or ""
