"""The matchmaking lists as tables: the public scenario and capability lists, and the caseworkers'
review of proposed matches."""

from __future__ import annotations

import django_tables2 as tables
from django.middleware.csrf import get_token
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from innoregion.site.lists import ListTable


def _link(url_name: str, pk: int, text):
    return format_html('<a href="{}">{}</a>', reverse(url_name, args=[pk]), text)


class ScenarioTable(ListTable):
    title = tables.Column(_("Title"), order_by=("title", "-id"))
    owner = tables.Column(_("Owner"), accessor="owner_organisation", order_by=("owner_organisation", "-id"))
    cluster = tables.Column(_("Cluster"), orderable=False, default="")
    zone = tables.Column(_("Zone"), orderable=False, default="")
    budget = tables.Column(_("Budget (CNY 10,000)"), accessor="pk", orderable=False)
    deadline = tables.Column(_("Deadline"), order_by=("deadline", "-id"), default="")
    language = tables.Column(_("Language"), order_by=("language", "-id"), default="")
    status = tables.Column(_("Status"), order_by=("status", "-id"))

    class Meta(ListTable.Meta):
        per_page = 25
        empty_text = _("No scenarios.")

    def render_title(self, value, record):
        return _link("matchmaking:scenario", record.pk, value)

    def value_title(self, value):
        return value

    def render_budget(self, record):
        if record.budget_min is None and record.budget_max is None:
            return ""
        return "–".join("" if v is None else str(v) for v in (record.budget_min, record.budget_max))

    def value_deadline(self, value):
        return value


class CapabilityTable(ListTable):
    title = tables.Column(_("Title"), order_by=("title", "-id"))
    enterprise = tables.Column(_("Enterprise"), order_by=("enterprise__name_zh", "-id"))
    keywords = tables.Column(_("Keywords"), orderable=False, default="")
    maturity = tables.Column(_("TRL"), order_by=("maturity", "-id"))
    language = tables.Column(_("Language"), order_by=("language", "-id"), default="")

    class Meta(ListTable.Meta):
        per_page = 25
        empty_text = _("No capabilities.")

    def render_title(self, value, record):
        return _link("matchmaking:capability", record.pk, value)

    def value_title(self, value):
        return value

    def render_keywords(self, value):
        return ", ".join(str(k) for k in value)


class MatchTable(ListTable):
    scenario = tables.Column(_("Scenario"), accessor="scenario__title", order_by=("scenario_id", "rank"))
    rank = tables.Column("#", order_by=("rank", "scenario_id"))
    capability = tables.Column(_("Capability"), accessor="capability__title",
                               order_by=("capability__title", "pk"))
    # in the downloads only (the page shows the enterprise under the capability)
    enterprise = tables.Column(_("Enterprise"), accessor="capability__enterprise", orderable=False,
                               visible=False)
    score = tables.Column(_("Score"), order_by=("score", "pk"))
    why = tables.Column(_("Why"), accessor="pk", orderable=False)
    decision = tables.Column(_("Decision"), accessor="status", order_by=("status", "scenario_id", "rank"))

    class Meta(ListTable.Meta):
        per_page = 30
        order_by = ("scenario",)
        empty_text = _("Nothing to review.")

    def render_scenario(self, value, record):
        return _link("matchmaking:scenario", record.scenario_id, value)

    def value_scenario(self, value):
        return value

    def render_capability(self, value, record):
        link = _link("matchmaking:capability", record.capability_id, value)
        return format_html('{}<br><span class="muted">{}</span>', link, record.capability.enterprise)

    def value_capability(self, value):
        return value

    def render_score(self, value):
        return floatformat(value, 3)

    def render_why(self, record):
        return render_to_string("matchmaking/_reasons.html", {"m": record})

    def value_why(self, record):
        terms = (record.reasons or {}).get("matched_terms") or []
        return ", ".join(str(t) for t in terms)

    def render_decision(self, value, record):
        if record.status != record.Status.PROPOSED:
            decided_by = f" · {record.decided_by}" if record.decided_by_id else ""
            return f"{value}{decided_by}"
        return format_html(
            '<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="next" value="{}"><input name="note" placeholder="{}" maxlength="500">'
            '<button name="decision" value="accept">{}</button>'
            '<button name="decision" value="reject">{}</button>'
            "</form>", reverse("matchmaking:decide", args=[record.pk]), get_token(self.request),
            self.request.get_full_path(), gettext("note"), gettext("Accept"), gettext("Reject"))

    def value_decision(self, value, record):
        return f"{value} · {record.decided_by}" if record.decided_by_id else value
