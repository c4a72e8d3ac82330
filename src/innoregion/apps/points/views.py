"""The points pages: the methodology in plain words, the scoring runs and the comparison of two runs."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from innoregion.apps.access.policy import requires, restrict
from innoregion.apps.points import selectors
from innoregion.apps.points.filtersets import ScoreRunFilter
from innoregion.apps.points.tables import MoveTable, ScoreRunTable
from innoregion.apps.region.models import Enterprise, Indicator
from innoregion.apps.region.selectors import pick_name
from innoregion.engines.points.region_input import list_methodologies, load_methodology
from innoregion.site.lists import build_list, list_page

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
    m = load_methodology(mid)
    spec = m.spec
    indicators = []
    for i in m.indicators:
        num = i.get("numerator", i["code"])
        formula = f"{num}(y) − {num}(y−1)" if i.get("change") else num
        if i.get("denominator"):
            formula += f" / {i['denominator']}" + ("(y−1)" if i.get("denominator_year") == "previous" else "")
        indicators.append({"code": i["code"], "group": i["group"], "name": pick_name(i.get("names", {})),
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
    return {"id": m.id, "version": m.version, "name": pick_name(m.names), "cites": m.cites,
            "choices": m.raw.get("choices", []),
            "groups": [{"code": g["code"], "name": pick_name(g.get("names", {})), "weight": g.get("weight", 1),
                        "rationale": g.get("rationale", "")} for g in m.groups],
            "indicators": indicators, "stages": stages, "weight_rows": weight_rows, "bands": bands,
            "stage_default": (spec.get("stages") or {}).get("default"),
            "formulae": [(k, FORMULAE[k]) for k in (norm, agg) if k in FORMULAE],
            "tiers": spec.get("tiers") or [], "bonus": spec.get("bonus") or {}, "penalty": spec.get("penalty") or {}}


@requires("points.view_methodology")
def methodology(request):
    available = list_methodologies()
    run = selectors.latest_run()
    current = request.GET.get("m") or (run.methodology if run is not None else None) \
        or (available[0] if available else None)
    ctx = _methodology_context(current) if current in available else None
    indicators = restrict(Indicator.objects.all(), request.user, "view")
    return render(request, "points/methodology.html", {"m": ctx, "available": available, "current": current,
                                                        "indicators": indicators})


@requires("points.view_runs")
def score_runs(request):
    return list_page(request, "points/score_runs.html",
                     queryset=restrict(selectors.score_runs().select_related("created_by"), request.user,
                                       "view"),
                     table_class=ScoreRunTable, filterset_class=ScoreRunFilter, export_name="score-runs")


@requires("points.view_runs")
def score_run_diff(request):
    runs = restrict(selectors.score_runs(), request.user, "view")
    a = get_object_or_404(runs, pk=request.GET.get("a") or 0)
    b = get_object_or_404(runs, pk=request.GET.get("b") or 0)
    sa, sb = selectors.scores_of_run(a), selectors.scores_of_run(b)
    visible = set(restrict(Enterprise.objects.filter(pk__in=set(sa) | set(sb)), request.user, "view")
                  .values_list("pk", flat=True))
    names = {pk: pick_name({"zh": zh, "ko": ko, "en": en}) for pk, zh, ko, en in Enterprise.objects
             .filter(pk__in=visible).values_list("pk", "name_zh", "name_ko", "name_en")}
    moves = []
    for eid in visible:
        pa, pb = (sa.get(eid) or {}).get("points"), (sb.get(eid) or {}).get("points")
        if pa is None and pb is None:
            continue
        moves.append({"id": eid, "name": names.get(eid, str(eid)), "a": pa, "b": pb,
                      "delta": (pb or 0) - (pa or 0), "tier_a": (sa.get(eid) or {}).get("tier", ""),
                      "tier_b": (sb.get(eid) or {}).get("tier", "")})
    moves.sort(key=lambda m: (-abs(m["delta"]), m["id"]))  # the largest moves first; why: for the rows shown
    listing = build_list(request, queryset=moves, table_class=MoveTable,
                         table_kwargs={"before": sa, "after": sb}, export_name=f"score-runs-{a.pk}-{b.pk}")
    if listing.export_format is not None:
        return listing.export()
    return render(request, "points/score_diff.html", {
        "a": a, "b": b, "listing": listing, "changed": sum(1 for m in moves if abs(m["delta"]) > 1e-9)})
