"""Reads the other apps' results (points, ladder, benefits) for the pages and the bank API.

The points and ladder apps are written in parallel; every function here degrades to "no data"
when their models are not installed yet, so the pages work against the region models alone.
Callers pass querysets already narrowed by ``restrict``; nothing here widens them."""

from __future__ import annotations

from django.apps import apps


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def latest_run():
    ScoringRun = _model("points.ScoringRun")
    if ScoringRun is None:
        return None
    fields = {f.name for f in ScoringRun._meta.get_fields()}
    order = "-finished_at" if "finished_at" in fields else "-pk"
    return ScoringRun.objects.order_by(order).first()


def scores_for(enterprise_ids, run=None) -> dict[int, dict]:
    """``{enterprise_id: {"points", "tier", "stage", "rank"}}`` from the latest scoring run."""
    EnterpriseScore = _model("points.EnterpriseScore")
    run = run or latest_run()
    if EnterpriseScore is None or run is None:
        return {}
    out = {}
    qs = EnterpriseScore.objects.filter(run=run, enterprise_id__in=enterprise_ids)
    for s in qs:
        out[s.enterprise_id] = {"points": getattr(s, "points", None), "tier": getattr(s, "tier", "") or "",
                                "stage": getattr(s, "stage", "") or "", "rank": getattr(s, "rank", None),
                                "breakdown": getattr(s, "breakdown", None) or {}}
    return out


def rungs_for(enterprise_ids) -> dict[int, dict]:
    """``{enterprise_id: {"rung", "next"}}`` from the latest ladder run."""
    LadderOutcome = _model("ladder.LadderOutcome")
    LadderRun = _model("ladder.LadderRun")
    if LadderOutcome is None or LadderRun is None:
        return {}
    run = LadderRun.objects.order_by("-pk").first()
    if run is None:
        return {}
    out = {}
    for o in LadderOutcome.objects.filter(run=run, enterprise_id__in=enterprise_ids):
        out[o.enterprise_id] = {"rung": getattr(o, "rung", "") or "", "next": getattr(o, "next_rung", "") or ""}
    return out


def breakdown_items(breakdown) -> list[dict]:
    """A score's breakdown JSON as ``[{"indicator", "value", "contribution"}]`` (any of the shapes
    ``{code: number}``, ``{code: {...}}`` or ``[{"indicator": code, ...}]``), largest first."""
    items = []
    if isinstance(breakdown, dict):
        source = breakdown.get("indicators", breakdown) if isinstance(breakdown.get("indicators"), dict | list) \
            else breakdown
    else:
        source = breakdown or []
    if isinstance(source, dict):
        for code, v in source.items():
            if isinstance(v, dict):
                items.append({"indicator": code, "value": v.get("value", v.get("raw")),
                              "contribution": v.get("contribution", v.get("points", v.get("score")))})
            elif isinstance(v, int | float):
                items.append({"indicator": code, "value": None, "contribution": float(v)})
    elif isinstance(source, list):
        for v in source:
            if isinstance(v, dict):
                code = v.get("indicator") or v.get("code") or v.get("iCode")
                items.append({"indicator": code, "value": v.get("value", v.get("raw")),
                              "contribution": v.get("contribution", v.get("points", v.get("score")))})
    items = [i for i in items if i["indicator"] and isinstance(i["contribution"], int | float)]
    items.sort(key=lambda i: -i["contribution"])
    return items


def score_runs():
    ScoringRun = _model("points.ScoringRun")
    if ScoringRun is None:
        return None
    return ScoringRun.objects.order_by("-pk")


def scores_of_run(run) -> dict[int, dict]:
    EnterpriseScore = _model("points.EnterpriseScore")
    if EnterpriseScore is None or run is None:
        return {}
    return {s.enterprise_id: {"points": getattr(s, "points", None), "tier": getattr(s, "tier", "") or "",
                              "stage": getattr(s, "stage", "") or "",
                              "breakdown": getattr(s, "breakdown", None) or {}}
            for s in EnterpriseScore.objects.filter(run=run)}


def benefits_for(enterprise_id) -> list:
    BenefitGrant = _model("ladder.BenefitGrant")
    if BenefitGrant is None:
        return []
    return list(BenefitGrant.objects.filter(enterprise_id=enterprise_id).order_by("-pk")[:50])


def rung_counts() -> dict[str, int]:
    """Enterprises per ladder rung in the latest ladder run."""
    from django.db.models import Count

    LadderOutcome = _model("ladder.LadderOutcome")
    LadderRun = _model("ladder.LadderRun")
    if LadderOutcome is None or LadderRun is None:
        return {}
    run = LadderRun.objects.order_by("-pk").first()
    if run is None:
        return {}
    return dict(LadderOutcome.objects.filter(run=run).values_list("rung").annotate(n=Count("pk")))


def what_if(enterprise, changes: dict[str, float]):
    """The explain engine's what-if for ``enterprise`` with indicator ``changes``; ``None`` when the
    points app does not offer it yet."""
    try:
        from innoregion.apps.points import services as points_services
    except ImportError:
        return None
    fn = getattr(points_services, "what_if", None)
    if fn is None:
        return None
    return fn(enterprise, changes)


def filter_ids(run, stage=None, tier=None, rung=None):
    """Enterprise ids matching stage/tier (latest run) and rung (latest ladder run); ``None`` when no
    such filter was asked."""
    ids = None
    EnterpriseScore = _model("points.EnterpriseScore")
    if (stage or tier):
        if EnterpriseScore is None or run is None:
            return []
        qs = EnterpriseScore.objects.filter(run=run)
        if stage:
            qs = qs.filter(stage=stage)
        if tier:
            qs = qs.filter(tier=tier)
        ids = qs.values("enterprise_id")
    if rung:
        LadderOutcome = _model("ladder.LadderOutcome")
        LadderRun = _model("ladder.LadderRun")
        lrun = LadderRun.objects.order_by("-pk").first() if LadderRun is not None else None
        if lrun is None:
            return []
        rq = LadderOutcome.objects.filter(run=lrun, rung=rung).values("enterprise_id")
        ids = rq if ids is None else ids.filter(enterprise_id__in=rq)
    return ids


def order_by_points(run, descending: bool = True):
    from django.db.models import OuterRef, Subquery

    EnterpriseScore = _model("points.EnterpriseScore")
    if EnterpriseScore is None or run is None:
        return None
    sub = EnterpriseScore.objects.filter(run=run, enterprise_id=OuterRef("pk")).values("points")[:1]
    expr = Subquery(sub)
    return {"ids": EnterpriseScore.objects.filter(run=run).values("enterprise_id"),
            "case": expr.desc(nulls_last=True) if descending else expr.asc(nulls_last=True)}


def cohort_position(run, enterprise_id, stage):
    """Rank of the enterprise among the scored enterprises of its stage (1 = best)."""
    EnterpriseScore = _model("points.EnterpriseScore")
    if EnterpriseScore is None or run is None:
        return None
    me = EnterpriseScore.objects.filter(run=run, enterprise_id=enterprise_id).first()
    if me is None or getattr(me, "points", None) is None:
        return None
    cohort = EnterpriseScore.objects.filter(run=run)
    if stage:
        cohort = cohort.filter(stage=stage)
    size = cohort.count()
    better = cohort.filter(points__gt=me.points).count()
    return {"rank": better + 1, "size": size, "stage": stage,
            "percentile": round(100.0 * (size - better - 1) / max(1, size - 1), 1) if size > 1 else 100.0}


def explain_move(before, after, top: int = 3) -> list[tuple[str, float]]:
    """The indicators whose contribution changed most between two breakdowns."""
    a = {i["indicator"]: i["contribution"] for i in breakdown_items(before)}
    b = {i["indicator"]: i["contribution"] for i in breakdown_items(after)}
    deltas = [(k, b.get(k, 0.0) - a.get(k, 0.0)) for k in set(a) | set(b)]
    deltas = [d for d in deltas if abs(d[1]) > 1e-9]
    deltas.sort(key=lambda d: -abs(d[1]))
    return deltas[:top]
