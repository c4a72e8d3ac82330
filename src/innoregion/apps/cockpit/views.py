"""The officials' pages: the cockpit of the eight tasks, the enterprise list and page, the
methodology, score runs and imports. Every read goes through ``restrict``."""

from __future__ import annotations

import csv
import html
import io
from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innoregion.apps.access import audit
from innoregion.apps.access.decorators import role_required
from innoregion.apps.access.models import Consent, Role
from innoregion.apps.access.restrict import Who, restrict
from innoregion.apps.cockpit import charts, sources
from innoregion.apps.cockpit.forms import EnterpriseFilterForm, ImportForm, WhatIfForm
from innoregion.apps.cockpit.numbers import TwoDecimals
from innoregion.apps.region.models import (
    Cluster,
    Enterprise,
    Filing,
    FilingConflict,
    Indicator,
    Platform,
    Source,
    Zone,
)

OFFICIALS = (Role.OFFICIAL, Role.ADMIN)

TASKS = [
    ("platforms", gettext_lazy("Building platforms")),
    ("entities", gettext_lazy("Cultivating innovation entities")),
    ("factors", gettext_lazy("Agglomerating factors: talent, finance, data")),
    ("chains", gettext_lazy("Building innovation chains")),
    ("industry", gettext_lazy("Promoting industry clusters")),
    ("layout", gettext_lazy("Optimising the layout")),
    ("opening", gettext_lazy("Widening opening-up")),
    ("governance", gettext_lazy("Strengthening governance")),
]


def home(request):
    """``/``: officials get the cockpit; other roles go to their own start page."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    role = Who(request.user).role
    if role == Role.ENTERPRISE:
        return redirect("access:portal")
    if role == Role.BANK:
        return redirect("access:tokens")
    if role not in OFFICIALS:
        raise PermissionDenied
    return cockpit(request)


@role_required(*OFFICIALS)
def cockpit(request):
    user = request.user
    ents = restrict(Enterprise.objects.all(), user, "view")
    platforms = restrict(Platform.objects.all(), user, "view")
    filings = restrict(Filing.objects.filter(is_current=True), user, "view")
    zones = restrict(Zone.objects.all(), user, "view")
    clusters = restrict(Cluster.objects.all(), user, "view")

    total = ents.count()
    by_level = dict(platforms.values_list("level").annotate(n=Count("pk")))
    level_rows = [(str(label), by_level.get(code, 0)) for code, label in Platform.Level.choices]
    by_kind = dict(platforms.values_list("kind").annotate(n=Count("pk")))

    rungs = sources.rung_counts()
    lad = sources.ladder()
    packs = [*lad.rungs, *lad.side] if lad else []
    rung_rows = [(sources.ladder_label(p), rungs.get(p, 0)) for p in packs]
    rung_targets = {sources.ladder_label(p): n for p, _op, n in lad.targets} if lad else {}

    per_zone = dict(ents.values_list("zone").annotate(n=Count("pk")))
    zone_data = [{"code": z.code, "name": z.name, "kind": z.kind, "count": per_zone.get(z.pk, 0),
                  "coordinates": (z.geometry or {}).get("coordinates", [[]])[0]} for z in zones]
    per_cluster = dict(ents.values_list("cluster").annotate(n=Count("pk")))
    cluster_rows = [(c.name, per_cluster.get(c.pk, 0)) for c in clusters]

    run = sources.latest_run()
    scores = sources.scores_of_run(run) if run is not None else {}
    visible = set(ents.values_list("pk", flat=True)) if scores else set()
    scores = {k: v for k, v in scores.items() if k in visible}
    by_stage: dict[str, list[float]] = {}
    by_cluster_pts: dict[str, list[float]] = {}
    cluster_of = dict(ents.values_list("pk", "cluster__code")) if scores else {}
    for eid, s in scores.items():
        if s["points"] is None:
            continue
        by_stage.setdefault(s["stage"] or "-", []).append(s["points"])
        by_cluster_pts.setdefault(cluster_of.get(eid) or "-", []).append(s["points"])
    cluster_names = {c.code: c.name for c in clusters}
    mean_by_cluster = [(cluster_names.get(k, k), sum(v) / len(v)) for k, v in sorted(by_cluster_pts.items())]

    years_filings = list(filings.values_list("year").annotate(n=Count("enterprise", distinct=True)).order_by("year"))
    founded = list(ents.values_list("founded__year").annotate(n=Count("pk")).order_by("founded__year"))
    founded = [(y, n) for y, n in founded if y and y >= 2000]
    latest_year = filings.aggregate(y=Max("year"))["y"]

    def total_of(code):
        if latest_year is None:
            return 0
        return sum(filings.filter(year=latest_year, indicator__code=code).values_list("value", flat=True))

    from innoregion.apps.matchmaking.models import Capability, Scenario
    from innoregion.apps.talent.models import Talent, TalentCredential
    from innoregion.apps.talent.services import region_counts

    talents = region_counts(restrict(Talent.objects.all(), user), restrict(TalentCredential.objects.all(), user))
    scenarios_published = restrict(Scenario.objects.filter(status=Scenario.Status.PUBLISHED), user).count()
    capabilities_published = restrict(Capability.objects.filter(status=Capability.Status.PUBLISHED), user).count()
    tasks = {
        "platforms": {"chart": charts.hbar(level_rows, title=_("Platforms by level")),
                      "chart_title": _("Platforms by level"),
                      "figures": [(_("platforms"), platforms.count()),
                                  (_("national platforms"), by_level.get("national", 0)),
                                  (_("new-type R&D institutions"), by_kind.get("new_rd_institution", 0))]},
        "entities": {"chart": charts.hbar(rung_rows, target=rung_targets, title=_("Enterprises per ladder rung")),
                     "chart_title": _("Enterprises per ladder rung"),
                     "figures": [(_("enterprises"), total)],
                     "note": _("Markers: the 2027 targets (> 1,200 technology-based SMEs, > 1,200 high and new "
                               "technology enterprises, > 850 specialised, refined, distinctive and novel SMEs).")},
        "factors": {"figures": [(_("talent platforms"), by_kind.get("talent_platform", 0)),
                                (_("joint colleges"), by_kind.get("joint_college", 0)),
                                (_("talents registered"), talents["total"]),
                                (_("valid talent codes"), talents["valid_codes"]),
                                (_("two-way posts"), talents["flags"]["two_way_post"]),
                                (_("active bank consents"), restrict(Consent.objects.active(), user, "view").count()),
                                (_("filed values (current)"), filings.count())],
                    "chart": charts.hbar(sorted((tier or "—", n) for tier, n in talents["by_tier"].items()),
                                         title=_("Talents by tier")) if talents["total"] else None,
                    "chart_title": _("Talents by tier")},
        "chains": {"figures": [(_("proof-of-concept centres"), by_kind.get("proof_of_concept", 0)),
                               (_("application scenarios published"), scenarios_published),
                               (_("capabilities published"), capabilities_published),
                               (_("valid invention patents (latest year)"), int(total_of("invention_patents"))),
                               (_("R&D expenditure, CNY (latest year)"), int(total_of("rd_expense")))]},
        "industry": {"chart": charts.hbar(cluster_rows, title=_("Enterprises per cluster")),
                     "chart_title": _("Enterprises per cluster"), "chart2_title": _("Mean points per cluster"),
                     "chart2": charts.hbar(mean_by_cluster, title=_("Mean points per cluster"), digits=1)
                     if mean_by_cluster else None},
        "layout": {"chart": charts.zones_map(zone_data, title=_("Zones map")),
                   "chart_title": _("Zones map: enterprises per zone")},
        "opening": {"chart_title": _("Enterprises founded by year"), "chart": charts.lines({_("enterprises founded"): founded}, title=_("Enterprises founded by year"))
                    if founded else None},
        "governance": {"chart_title": _("Points distribution by stage"),
                       "chart2_title": _("Enterprises with filings by year"), "chart": charts.histogram(by_stage, title=_("Points distribution by stage"))
                       if by_stage else None,
                       "chart2": charts.lines({_("enterprises with filings"): years_filings},
                                              title=_("Enterprises with filings by year")) if years_filings else None,
                       "figures": [(_("scored enterprises (latest run)"), len(scores)),
                                   (_("open filing conflicts"),
                                    restrict(FilingConflict.objects.filter(resolved=False), user, "view").count())]},
    }
    return render(request, "cockpit/cockpit.html", {
        "tasks": [(code, label, tasks[code]) for code, label in TASKS], "run": run, "latest_year": latest_year,
    })


SORTS = {"name": "name_zh", "-name": "-name_zh", "code": "credit_code", "-code": "-credit_code",
         "founded": "founded", "-founded": "-founded"}


@role_required(*OFFICIALS)
def enterprise_list(request):
    qs = restrict(Enterprise.objects.select_related("cluster", "zone"), request.user, "view")
    form = EnterpriseFilterForm(request.GET or None, user=request.user)
    run = sources.latest_run()
    if form.is_valid():
        d = form.cleaned_data
        if d.get("q"):
            q = d["q"].strip()
            qs = qs.filter(Q(name_zh__icontains=q) | Q(name_en__icontains=q) | Q(name_ko__icontains=q)
                           | Q(credit_code__icontains=q.upper()))
        if d.get("cluster"):
            qs = qs.filter(cluster=d["cluster"])
        if d.get("zone"):
            qs = qs.filter(zone=d["zone"])
        filtered = sources.filter_ids(run, stage=d.get("stage"), tier=d.get("tier"), rung=d.get("rung"))
        if filtered is not None:
            qs = qs.filter(pk__in=filtered)
    sort = request.GET.get("sort", "code")
    points_sort = sort in ("points", "-points")
    if points_sort and run is not None:
        order = sources.order_by_points(run, descending=sort == "-points")
        if order is not None:
            qs = qs.filter(pk__in=order["ids"]).order_by(order["case"])
    else:
        qs = qs.order_by(SORTS.get(sort, "credit_code"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    ids = [e.pk for e in page]
    scores = sources.scores_for(ids, run)
    rungs = sources.rungs_for(ids, gaps=False)  # the list shows the rung, not the gaps
    rows = [(e, scores.get(e.pk, {}), rungs.get(e.pk, {})) for e in page]
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    return render(request, "cockpit/enterprise_list.html", {
        "form": form, "page": page, "rows": rows, "sort": sort, "query": params.urlencode(),
        "sort_query": sort_params.urlencode(), "total": page.paginator.count})


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
    # the cluster's and zone's names come from the cached reference tables (sources.place_name)
    ent = restrict(Enterprise.objects.all(), request.user, "view").filter(pk=pk).first()
    if ent is None:
        raise Http404
    return ent


@role_required(Role.OFFICIAL, Role.ADMIN, Role.ENTERPRISE)
def enterprise_detail(request, pk: int):
    ent = _enterprise_for(request, pk)
    run = sources.latest_run()
    score = sources.scores_for([ent.pk], run, breakdown=True).get(ent.pk, {})
    items = sources.breakdown_items(score.get("breakdown"))
    names = sources.all_indicator_names(run)
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
    next_tier = sources.next_tier(run, score.get("tier")) if score else None
    cohort = sources.cohort_position(run, ent.pk, score.get("stage"), known=score)
    rung = sources.rungs_for([ent.pk]).get(ent.pk, {})
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
            whatif = sources.what_if(run, ent, d["indicator"], d["target"], value)
            if whatif is None:
                messages.info(request, _("The what-if engine is not available yet."))
            else:
                whatif.indicator_name = names.get(whatif.indicator, whatif.indicator)
                audit.record(request.user, "page.whatif", ent,
                             after={"indicator": whatif.indicator, "target": d["target"], "value": value,
                                    "status": whatif.status})
    if Who(request.user).role == Role.OFFICIAL and request.method == "GET":
        audit.record_reads(request.user, None, "page.read.enterprise", {ent.pk: None})
    filing_rows = _filing_rows(filings[:300], names)
    return render(request, "cockpit/enterprise_detail.html", {
        "e": ent, "cluster_name": sources.place_name("region.Cluster", ent.cluster_id),
        "zone_name": sources.place_name("region.Zone", ent.zone_id), "score": score, "items": items,
        "chart": chart, "strengths": strengths, "weaknesses": weaknesses, "next_tier": next_tier,
        "cohort": cohort, "rung": rung, "benefits": sources.benefits_for(ent.pk),
        "filings": filing_rows, "filings_html": _filings_html(filing_rows), "show_history": show_history,
        "filing_years": filing_years, "filing_year": filing_year,
        "whatif_form": whatif_form, "whatif": whatif, "run": run,
    })


FORMULAE = {
    "minmax": "x' = (x - min) / (max - min) × 100",
    "zscore": "x' = (x - mean) / sd",
    "rank": "x' = rank(x)",
    "percentile_rank": "x' = percentile rank of x × 100",
    "dist_to_max": "x' = 1 - (max - x) / (max - min)",
    "goalposts": "x' = (x - low) / (high - low), clipped to [0, 1]",
    "arithmetic": "y = Σ wᵢ xᵢ / Σ wᵢ",
    "geometric": "y = Π xᵢ^(wᵢ / Σ w)",
    "harmonic": "y = Σ wᵢ / Σ (wᵢ / xᵢ)",
    "generalised": "y = (Σ wᵢ xᵢ^p / Σ wᵢ)^(1/p)",
}


def _methodology_context(mid: str) -> dict:
    from innoregion.engines.points.region_input import load_methodology

    m = load_methodology(mid)
    spec = m.spec
    indicators = []
    for i in m.indicators:
        num = i.get("numerator", i["code"])
        formula = f"{num}(y) − {num}(y−1)" if i.get("change") else num
        if i.get("denominator"):
            formula += f" / {i['denominator']}" + ("(y−1)" if i.get("denominator_year") == "previous" else "")
        indicators.append({"code": i["code"], "group": i["group"], "name": sources.pick_name(i.get("names", {})),
                           "formula": formula, "direction": int(i.get("direction", 1)),
                           "weight": i.get("weight", 1), "rationale": i.get("rationale", "")})
    by_stage = (spec.get("weights") or {}).get("by_stage") or {}
    stages = list(by_stage)
    codes = [g["code"] for g in m.groups] + [i["code"] for i in m.indicators]
    weight_rows = [(c, [by_stage[s].get(c) for s in stages]) for c in codes if any(c in by_stage[s] for s in stages)]
    norm = (spec.get("normalise") or {}).get("method")
    agg = (spec.get("aggregate") or {}).get("method")
    bands = [{"name": b["name"], "when": ", ".join(f"{k} ∈ [{v[0]}, {v[1]})" for k, v in b["when"].items())}
             for b in (spec.get("stages") or {}).get("bands", [])]
    return {"id": m.id, "version": m.version, "name": sources.pick_name(m.names), "cites": m.cites,
            "choices": m.raw.get("choices", []),
            "groups": [{"code": g["code"], "name": sources.pick_name(g.get("names", {})), "weight": g.get("weight", 1),
                        "rationale": g.get("rationale", "")} for g in m.groups],
            "indicators": indicators, "stages": stages, "weight_rows": weight_rows, "bands": bands,
            "stage_default": (spec.get("stages") or {}).get("default"),
            "formulae": [(k, FORMULAE[k]) for k in (norm, agg) if k in FORMULAE],
            "tiers": spec.get("tiers") or [], "bonus": spec.get("bonus") or {}, "penalty": spec.get("penalty") or {}}


@role_required(Role.OFFICIAL, Role.ADMIN, Role.ENTERPRISE)
def methodology(request):
    try:
        from innoregion.engines.points.region_input import list_methodologies
    except ImportError:
        available = []
    else:
        available = list_methodologies()
    run = sources.latest_run()
    current = request.GET.get("m") or (run.methodology if run is not None else None) \
        or (available[0] if available else None)
    ctx = _methodology_context(current) if current in available else None
    indicators = restrict(Indicator.objects.all(), request.user, "view")
    return render(request, "cockpit/methodology.html", {"m": ctx, "available": available, "current": current,
                                                        "indicators": indicators})


@role_required(*OFFICIALS)
def score_runs(request):
    runs = sources.score_runs()
    runs = restrict(runs, request.user, "view")[:100] if runs is not None else []
    return render(request, "cockpit/score_runs.html", {"runs": runs})


@role_required(*OFFICIALS)
def score_run_diff(request):
    runs = sources.score_runs()
    if runs is None:
        raise Http404
    runs = restrict(runs, request.user, "view")
    a = get_object_or_404(runs, pk=request.GET.get("a") or 0)
    b = get_object_or_404(runs, pk=request.GET.get("b") or 0)
    sa, sb = sources.scores_of_run(a), sources.scores_of_run(b)
    visible = set(restrict(Enterprise.objects.filter(pk__in=set(sa) | set(sb)), request.user, "view")
                  .values_list("pk", flat=True))
    names = dict(Enterprise.objects.filter(pk__in=visible).values_list("pk", "name_zh"))
    moves = []
    for eid in visible:
        pa, pb = (sa.get(eid) or {}).get("points"), (sb.get(eid) or {}).get("points")
        if pa is None and pb is None:
            continue
        delta = (pb or 0) - (pa or 0)
        why = sources.explain_move(sa.get(eid, {}).get("breakdown"), sb.get(eid, {}).get("breakdown"))
        moves.append({"id": eid, "name": names.get(eid, eid), "a": pa, "b": pb, "delta": delta,
                      "tier_a": (sa.get(eid) or {}).get("tier", ""), "tier_b": (sb.get(eid) or {}).get("tier", ""),
                      "why": why})
    moves.sort(key=lambda m: -abs(m["delta"]))
    return render(request, "cockpit/score_diff.html", {"a": a, "b": b, "moves": moves[:200],
                                                       "changed": sum(1 for m in moves if abs(m["delta"]) > 1e-9)})


# ---------------------------------------------------------------- imports
@role_required(*OFFICIALS)
def imports(request):
    from innoregion.apps.imports.models import ImportBatch

    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        from innoregion.apps.imports import services as import_services

        try:
            batch = import_services.import_upload(form.cleaned_data["file"], form.cleaned_data["source"],
                                                  request.user)
        except Exception as exc:  # the service's own errors (unreadable file, unknown source, ...)
            messages.error(request, _("The import failed: %(reason)s") % {"reason": exc})
        else:
            audit.record(request.user, "imports.upload", batch,
                         after={"file": batch.file_name, "status": batch.status,
                                "rows_accepted": batch.rows_accepted, "rows_quarantined": batch.rows_quarantined,
                                "already_imported": bool(getattr(batch, "already_imported", False))})
            if getattr(batch, "already_imported", False):
                messages.info(request, _("This very file was imported before; nothing changed."))
            return redirect("cockpit:import-detail", pk=batch.pk)
    batches = restrict(ImportBatch.objects.all(), request.user, "view")[:100]
    return render(request, "cockpit/imports.html", {"form": form, "batches": batches})


@role_required(*OFFICIALS)
def import_detail(request, pk: int):
    from innoregion.apps.imports.models import ImportBatch, QuarantinedRow

    batch = get_object_or_404(restrict(ImportBatch.objects.all(), request.user, "view"), pk=pk)
    rows = restrict(QuarantinedRow.objects.filter(batch=batch), request.user, "view")[:200]
    return render(request, "cockpit/import_detail.html", {"batch": batch, "rows": rows})


@role_required(*OFFICIALS)
def import_rejected(request, pk: int):
    from innoregion.apps.finance.api import safe_cell
    from innoregion.apps.imports.models import ImportBatch, QuarantinedRow

    batch = get_object_or_404(restrict(ImportBatch.objects.all(), request.user, "view"), pk=pk)
    rows = restrict(QuarantinedRow.objects.filter(batch=batch), request.user, "view").order_by("row_number")
    keys: list[str] = []
    for r in rows:
        for k in (r.raw or {}):
            if k not in keys:
                keys.append(k)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([_("row"), _("column"), _("reason"), *keys])  # the reader's language, as the reasons
    for r in rows:
        w.writerow([r.row_number, safe_cell(r.column), safe_cell(r.localised_reason()),
                    *[safe_cell((r.raw or {}).get(k, "")) for k in keys]])
    resp = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="rejected-{batch.pk}.csv"'
    return resp
