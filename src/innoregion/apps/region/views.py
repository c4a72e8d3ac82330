"""The enterprise pages: the officials' list of enterprises and an enterprise's page (points,
ladder, benefits, filings, what-if), read through the permission policy."""

from __future__ import annotations

import html
from typing import NamedTuple

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from innoregion.apps.access import audit
from innoregion.apps.access.policy import allowed, requires, restrict
from innoregion.apps.ladder import selectors as ladder_selectors
from innoregion.apps.points import selectors as points_selectors
from innoregion.apps.region.filtersets import EnterpriseFilter
from innoregion.apps.region.forms import WhatIfForm
from innoregion.apps.region.models import Enterprise, Filing, Source
from innoregion.apps.region.selectors import place_name
from innoregion.apps.region.tables import EnterpriseTable
from innoregion.site import charts
from innoregion.site.lists import list_page
from innoregion.site.numbers import TwoDecimals


@requires("region.list_enterprises")
def enterprise_list(request):
    # points, stage, tier and rung are read for the page's enterprises only (EnterpriseTable.fill)
    run = points_selectors.latest_run()
    return list_page(request, "region/enterprise_list.html",
                     queryset=restrict(Enterprise.objects.all(), request.user, "view"),
                     table_class=EnterpriseTable, filterset_class=EnterpriseFilter,
                     table_kwargs={"run": run}, filterset_kwargs={"run": run}, export_name="enterprises")


class FilingRow(NamedTuple):
    """One line of the enterprise page's filings table, formatted here (localised number, yes/no)."""

    year: int
    year_text: str  # "2025", not the localised "2,025"
    indicator_name: str
    value_text: str
    source_label: str
    file_name: str
    row_text: str  # "" when the row is not known
    current_text: str


def _filing_rows(filings, names: dict[str, str]) -> list[FilingRow]:
    from django.template.defaultfilters import yesno

    labels = dict(Source.choices)
    yes_no = {True: yesno(True), False: yesno(False)}
    number = TwoDecimals()  # floatformat:"-2g", the separators looked up once
    return [FilingRow(year, str(year), names.get(code, code), number(value), labels.get(source, source),
                      file_name, str(row_number) if row_number else "", yes_no[bool(is_current)])
            for year, code, value, source, file_name, row_number, is_current in filings.values_list(
                "year", "indicator__code", "value", "source", "batch__file_name", "row_number", "is_current")]


def _filings_html(rows: list[FilingRow]) -> str:
    """The filings table's rows as HTML, every cell escaped. Written in Python rather than with a
    template loop: a year's filings are ~45 rows × 7 cells, and the template engine's per-variable
    cost made them most of the page's rendering time."""
    row_word = html.escape(_("row"))
    return mark_safe("".join(
        f"<tr><td>{html.escape(r.year_text)}</td><td>{html.escape(r.indicator_name)}</td>"
        f'<td class="num">{html.escape(r.value_text)}</td><td>{html.escape(r.source_label)}</td>'
        f"<td>{html.escape(r.file_name)}{f' · {row_word} {html.escape(r.row_text)}' if r.row_text else ''}</td>"
        f"<td>{html.escape(r.current_text)}</td></tr>\n" for r in rows))


def _enterprise_for(request, pk: int) -> Enterprise:
    # the cluster's and zone's names come from the cached reference tables (region.selectors.place_name)
    ent = restrict(Enterprise.objects.all(), request.user, "view").filter(pk=pk).first()
    if ent is None:
        raise Http404
    return ent


@requires("region.view_enterprise_page")
def enterprise_detail(request, pk: int):
    ent = _enterprise_for(request, pk)
    run = points_selectors.latest_run()
    score = points_selectors.scores_for([ent.pk], run, breakdown=True).get(ent.pk, {})
    items = points_selectors.breakdown_items(score.get("breakdown"))
    names = points_selectors.all_indicator_names(run)
    for i in items:
        i["name"] = names.get(i["indicator"], i["indicator"])
    chart = charts.hbar([(i["name"], i["contribution"]) for i in items[:15]], title=_("Points breakdown"),
                        digits=1) if items else None
    # strengths and weaknesses from the stored breakdown (normalised value of each weighted indicator);
    # the explain engine is only started for a what-if (it rebuilds the run's input once per process)
    weighted = [i for i in items if (i.get("weight") or 0) > 0 and i.get("normalised") is not None]
    weighted.sort(key=lambda i: (-i["normalised"], i["indicator"]))
    strengths = weighted[:3]
    weaknesses = sorted(weighted, key=lambda i: (i["normalised"], i["indicator"]))[:3]
    next_tier = points_selectors.next_tier(run, score.get("tier")) if score else None
    cohort = points_selectors.cohort_position(run, ent.pk, score.get("stage"), known=score)
    rung = ladder_selectors.rungs_for([ent.pk]).get(ent.pk, {})
    filings = (restrict(Filing.objects.filter(enterprise=ent), request.user, "filings")
               .order_by("-year", "indicator__code", "source"))
    show_history = request.GET.get("history") == "1"
    if not show_history:
        filings = filings.filter(is_current=True)
    # one year at a time (the newest by default): a page of ~60 rows, not every year's
    filing_years = list(filings.order_by("-year").values_list("year", flat=True).distinct())
    try:
        filing_year = int(request.GET.get("year", ""))
    except ValueError:
        filing_year = None
    if filing_year not in filing_years:
        filing_year = filing_years[0] if filing_years else None
    if filing_year is not None:
        filings = filings.filter(year=filing_year)
    whatif_form = WhatIfForm(request.POST or None,
                             indicators=[(i["indicator"], i["name"]) for i in items] or list(names.items()))
    whatif = None
    if request.method == "POST" and whatif_form.is_valid():
        d = whatif_form.cleaned_data
        if d["target"] == "tier" and not next_tier:
            messages.info(request, _("Already in the top tier, or not scored."))
        else:
            value = next_tier if d["target"] == "tier" else (d.get("points") or 5.0)
            whatif = points_selectors.what_if(run, ent, d["indicator"], d["target"], value)
            if whatif is None:
                messages.info(request, _("This enterprise or indicator is not in the latest scoring run."))
            else:
                whatif.indicator_name = names.get(whatif.indicator, whatif.indicator)
                audit.record(request.user, "page.whatif", ent,
                             after={"indicator": whatif.indicator, "target": d["target"], "value": value,
                                    "status": whatif.status})
    if request.method == "GET" and allowed(request.user, "region.audit_page_reads"):
        audit.record_reads(request.user, None, "page.read.enterprise", {ent.pk: None})
    filing_rows = _filing_rows(filings, names)
    return render(request, "region/enterprise_detail.html", {
        "e": ent, "cluster_name": place_name("region.Cluster", ent.cluster_id),
        "zone_name": place_name("region.Zone", ent.zone_id), "score": score, "items": items,
        "chart": chart, "strengths": strengths, "weaknesses": weaknesses, "next_tier": next_tier,
        "cohort": cohort, "rung": rung, "benefits": ladder_selectors.benefits_for(ent.pk),
        "filings": filing_rows, "filings_html": _filings_html(filing_rows), "show_history": show_history,
        "filing_years": filing_years, "filing_year": filing_year,
        "whatif_form": whatif_form, "whatif": whatif, "run": run,
    })


