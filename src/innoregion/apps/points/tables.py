"""The points pages' lists: the scoring runs (with the two runs to compare), and the enterprises that
moved between two runs (a list built in Python; why each moved is worked out for the rows shown)."""

from __future__ import annotations

import django_tables2 as tables
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from innoregion.apps.points import selectors
from innoregion.site.lists import ListTable

NUM = {"th": {"class": "num"}, "td": {"class": "num"}}


class ScoreRunTable(ListTable):
    """The radio buttons belong to the compare form below the list (``form="compare"``): the filter
    form above it cannot hold them, forms do not nest."""

    a = tables.Column("A", accessor="pk", orderable=False, exclude_from_export=True)
    b = tables.Column("B", accessor="pk", orderable=False, exclude_from_export=True)
    run = tables.Column(_("Run"), accessor="pk", order_by=("pk",))
    methodology = tables.Column(_("Methodology"), order_by=("methodology", "methodology_version", "pk"))
    year = tables.Column(_("Year"), order_by=("year", "pk"))
    status = tables.Column(_("Status"), order_by=("status", "pk"))
    units = tables.Column(_("enterprises"), attrs=NUM, order_by=("units", "pk"))
    finished = tables.DateTimeColumn(verbose_name=_("Finished"), accessor="finished_at", default="—",
                                     format="SHORT_DATETIME_FORMAT", order_by=("finished_at", "pk"))
    who = tables.Column(_("Who"), accessor="created_by", orderable=False, default="—")
    inputs = tables.Column(_("Inputs"), accessor="inputs_sha256", orderable=False, default="—")

    class Meta(ListTable.Meta):
        order_by = ("-run",)
        empty_text = _("No scoring run yet.")

    def __init__(self, *args, **kwargs):
        self.checked: dict[str, int | None] = {"a": None, "b": None}
        super().__init__(*args, **kwargs)

    def fill(self, records):
        # compare the second row (A) with the first (B): the newest run against the one before, by default
        self.checked = {"b": records[0].pk if records else None,
                        "a": records[1].pk if len(records) > 1 else None}

    def _radio(self, name: str, pk: int):
        checked = " checked" if self.checked.get(name) == pk else ""
        return format_html('<input type="radio" form="compare" name="{}" value="{}"{}>', name, pk, checked)

    def render_a(self, value):
        return self._radio("a", value)

    def render_b(self, value):
        return self._radio("b", value)

    def render_run(self, value):
        return str(value)

    def value_run(self, value):
        return value

    def render_methodology(self, value, record):
        return f"{value} {record.methodology_version}"

    def render_year(self, value):
        return str(value)

    def value_year(self, value):
        return value

    def value_finished(self, value):
        return value

    def render_inputs(self, value):
        return format_html('<code title="{}">{}</code>', value, value[:10])

    def value_inputs(self, value):
        return value


class MoveTable(ListTable):
    """Rows are dicts: ``id``, ``name``, ``a``, ``b`` (points in each run), ``delta``, ``tier_a``,
    ``tier_b``; ``why`` is filled for the rows shown (or exported) from the two runs' breakdowns."""

    name = tables.Column(_("Enterprise"))
    a = tables.Column("A", attrs=NUM)
    b = tables.Column("B", attrs=NUM)
    delta = tables.Column(_("Change"), attrs=NUM, initial_sort_descending=True)
    tier = tables.Column(_("Tier"), accessor="id", orderable=False)
    why = tables.Column(_("Why"), accessor="id", orderable=False)

    class Meta(ListTable.Meta):
        empty_text = _("No enterprise moved.")

    def __init__(self, *args, before=None, after=None, **kwargs):
        self.before, self.after = before or {}, after or {}
        self.why: dict[int, list] = {}
        super().__init__(*args, **kwargs)

    def fill(self, records):
        self.why = {r["id"]: selectors.explain_move((self.before.get(r["id"]) or {}).get("breakdown"),
                                                    (self.after.get(r["id"]) or {}).get("breakdown"))
                    for r in records}

    def render_name(self, value, record):
        return format_html('<a href="{}">{}</a>', reverse("region:enterprise", args=[record["id"]]), value)

    def value_name(self, value):
        return value

    def render_a(self, value):
        return floatformat(value, 1)

    def value_a(self, value):
        return round(value, 2)

    def render_b(self, value):
        return floatformat(value, 1)

    def value_b(self, value):
        return round(value, 2)

    def render_delta(self, value):
        return format_html('<span class="{}">{}</span>', "up" if value >= 0 else "down",
                           floatformat(value, 1))

    def value_delta(self, value):
        return round(value, 2)

    def render_tier(self, record):
        return f"{record['tier_a']} → {record['tier_b']}"

    def render_why(self, value):
        return ", ".join(f"{code} ({floatformat(d, 1)})" for code, d in self.why.get(value, []))
