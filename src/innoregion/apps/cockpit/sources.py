"""Reads the other apps' results (points, ladder, benefits) for the pages and the bank API.

The points and ladder apps are written in parallel; every function here degrades to "no data"
when their models are not installed yet, so the pages work against the region models alone.
Callers pass querysets already narrowed by ``restrict``; nothing here widens them."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import NamedTuple

from django.apps import apps
from django.db import connection


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


# ---------------------------------------------------------------- the "current" pointers, cached
# Every page asks "which scoring run, which ladder run is the latest?" and "what are the indicators
# called?". The answers change a few times a year, so each process keeps them for a few seconds
# (setting INNOREGION_POINTER_CACHE_SECONDS, default 5; 0 turns the cache off). A save or delete of a
# run or an indicator in this process forgets them at once (signals, see CockpitConfig.ready); other
# gunicorn workers see the change within the TTL.
_cache: dict[str, tuple[float, object]] = {}
_cache_lock = threading.Lock()


def _cache_seconds() -> float:
    from django.conf import settings

    return float(getattr(settings, "INNOREGION_POINTER_CACHE_SECONDS", 5.0))


def _cached(key: str, compute):
    ttl = _cache_seconds()
    if ttl <= 0:
        return compute()
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    value = compute()
    with _cache_lock:
        _cache[key] = (now, value)
    return value


def forget_cached(**_signal_kwargs) -> None:
    """Drops the cached pointers (connected to the runs' and indicators' save and delete)."""
    with _cache_lock:
        _cache.clear()


def latest_run():
    ScoringRun = _model("points.ScoringRun")
    if ScoringRun is None:
        return None
    return _cached("scoring_run", lambda: ScoringRun.objects.filter(status="done")
                   .order_by("-finished_at", "-pk").first())


def _rows_of_run(model, run_id: int, enterprise_ids, fields: list[str], order: tuple[str, ...] = ()) -> list[tuple]:
    """``fields`` of ``model``'s rows in run ``run_id`` for these enterprises (ids the caller has
    already read through ``restrict``), as tuples. On PostgreSQL the ids go as one array
    (``enterprise_id = ANY(%s)``) in SQL written from the model's metadata: the ORM's ``__in`` builds
    and adapts one placeholder per id, ≈ 1 ms of CPU for a page of 50. Elsewhere, the ORM."""
    import json

    from django.db import models

    ids = list(enterprise_ids)
    if connection.vendor != "postgresql":
        return list(model.objects.filter(run_id=run_id, enterprise_id__in=ids).order_by(*order)
                    .values_list(*fields))
    meta, quote = model._meta, connection.ops.quote_name
    columns = [meta.get_field(f) for f in fields]
    sql = (f"SELECT {', '.join(quote(c.column) for c in columns)} FROM {quote(meta.db_table)} "
           f"WHERE {quote(meta.get_field('run').column)} = %s "
           f"AND {quote(meta.get_field('enterprise').column)} = ANY(%s)")
    if order:
        sql += " ORDER BY " + ", ".join(quote(meta.get_field(f).column) for f in order)
    with connection.cursor() as cursor:
        cursor.execute(sql, [run_id, ids])
        rows = cursor.fetchall()
    json_at = [k for k, c in enumerate(columns) if isinstance(c, models.JSONField)]
    if json_at:  # Django reads jsonb as text and decodes it in the field; so do we
        rows = [tuple(json.loads(v) if k in json_at and isinstance(v, str) else v for k, v in enumerate(row))
                for row in rows]
    return rows


def scores_for(enterprise_ids, run=None, *, breakdown: bool = False) -> dict[int, dict]:
    """``{enterprise_id: {"points", "tier", "stage", "rank", "stage_rank"[, "breakdown"]}}`` from the
    latest scoring run (the breakdown JSON only when asked: it is the heavy part)."""
    EnterpriseScore = _model("points.EnterpriseScore")
    run = run or latest_run()
    if EnterpriseScore is None or run is None:
        return {}
    fields = ["enterprise_id", "score", "tier", "stage", "rank", "stage_rank"] + (["breakdown"] if breakdown else [])
    out = {}
    for row in _rows_of_run(EnterpriseScore, run.pk, enterprise_ids, fields):
        d = {"points": row[1], "tier": row[2] or "", "stage": row[3] or "", "rank": row[4], "stage_rank": row[5]}
        if breakdown:
            d["breakdown"] = row[6] or {}
        out[row[0]] = d
    return out


def ladder():
    """The cultivation ladder definition (rungs, side tracks, labels, 2027 targets) or ``None``."""
    try:
        from innoregion.engines.rules.ladder import load_ladder
    except ImportError:
        return None
    return load_ladder()


def ladder_label(pack: str | None) -> str:
    if not pack:
        return ""
    lad = ladder()
    names = (lad.labels.get(pack) if lad else None) or {}
    return names.get(_lang_key()) or names.get("en") or pack


def latest_ladder_run():
    LadderRun = _model("ladder.LadderRun")
    if LadderRun is None:
        return None
    return _cached("ladder_run", lambda: LadderRun.objects.filter(finished_at__isnull=False)
                   .order_by("-finished_at", "-pk").first())


def _lang_key() -> str:
    from django.utils.translation import get_language

    lang = (get_language() or "zh-hans").lower()
    return "ko" if lang.startswith("ko") else "en" if lang.startswith("en") else "zh"


def pick_name(names: dict[str, str]) -> str:
    """From ``{"zh", "ko", "en"}`` names, the active language's, else Chinese, else English, else ``""``."""
    return names.get(_lang_key()) or names.get("zh") or names.get("en") or ""


def _names_table(model_label: str, key: str) -> dict:
    """``{key: {"zh", "ko", "en"}}`` of a reference model with trilingual names (indicators by code,
    clusters and zones by id), from the per-process cache."""
    Model = apps.get_model(model_label)
    return _cached(model_label, lambda: {k: {"zh": zh, "ko": ko, "en": en} for k, zh, ko, en in
                                         Model.objects.values_list(key, "name_zh", "name_ko", "name_en")})


class _Outcome(NamedTuple):
    enterprise_id: int
    year: int
    pack: str
    outcome: str
    distance: float | None
    details: dict | None


def _top_rung(lad, packs_met) -> str:
    """The highest main rung among the packs met ("" when none)."""
    main = [p for p in packs_met if p in lad.rungs]
    return max(main, key=lambda p: lad.rungs[p]) if main else ""


def _latest_ladder():
    """``(LadderOutcome model, latest ladder run, ladder)`` or None while any of them is missing."""
    LadderOutcome, run, lad = _model("ladder.LadderOutcome"), latest_ladder_run(), ladder()
    return None if LadderOutcome is None or run is None or lad is None else (LadderOutcome, run, lad)


def rungs_for(enterprise_ids, *, gaps: bool = True) -> dict[int, dict]:
    """``{enterprise_id: {"rung", "rung_label", "next", "next_label", "distance", "gaps", "side"}}``
    from the latest ladder run (the latest year of each enterprise): the highest main rung met,
    the side tracks met, and the closest rung or track not met yet. ``gaps=False`` skips reading
    the outcomes' details JSON (``"gaps"`` is then empty): the bank list shows the rung only."""
    found = _latest_ladder()
    if found is None:
        return {}
    LadderOutcome, run, lad = found
    rows: dict[int, list] = {}
    fields = ["enterprise_id", "year", "pack", "outcome", "distance"]
    for row in _rows_of_run(LadderOutcome, run.pk, enterprise_ids, [*fields, *(["details"] if gaps else [])],
                            ("enterprise_id", "year", "pack")):
        o = _Outcome(*row) if gaps else _Outcome(*row, None)
        rows.setdefault(o.enterprise_id, []).append(o)
    rank = {"needs_review": 0, "unknown": 1, "not_met": 2}
    out = {}
    for eid, outs in rows.items():
        year = max(o.year for o in outs)
        outs = [o for o in outs if o.year == year and o.pack in lad.packs]
        met = [o.pack for o in outs if o.outcome == "met"]
        top = _top_rung(lad, met)
        top_level = lad.rungs.get(top, 0)
        cands = [o for o in outs if o.outcome in rank
                 and (o.pack not in lad.rungs or lad.rungs[o.pack] > top_level)]
        cands.sort(key=lambda o: (o.distance if o.distance is not None else 0.0, rank[o.outcome],
                                  lad.rungs.get(o.pack, 99)))
        nxt = cands[0] if cands else None
        gaps = ((nxt.details or {}).get("gaps") or {}) if nxt else {}
        out[eid] = {"rung": top, "rung_label": ladder_label(top), "year": year,
                    "side": [ladder_label(p) for p in met if p not in lad.rungs],
                    "next": nxt.pack if nxt else "", "next_label": ladder_label(nxt.pack) if nxt else "",
                    "distance": nxt.distance if nxt else None,
                    "gaps": gaps.get(_lang_key()) or gaps.get("en") or ""}
    return out


def top_rungs_for(enterprise_ids) -> dict[int, str]:
    """``{enterprise_id: rung}``: what ``rungs_for`` calls ``"rung"`` (the highest main rung met in the
    enterprise's latest year of the latest ladder run), without the labels, side tracks and next step,
    for lists that show the rung alone (the bank API: a third of the cost)."""
    found = _latest_ladder()
    if found is None:
        return {}
    LadderOutcome, run, lad = found
    latest: dict[int, int] = {}
    met: dict[int, list[tuple[int, str]]] = {}
    for eid, year, pack, outcome in _rows_of_run(LadderOutcome, run.pk, enterprise_ids,
                                                  ["enterprise_id", "year", "pack", "outcome"],
                                                  ("enterprise_id", "year", "pack")):
        if year > latest.get(eid, year - 1):
            latest[eid] = year
        if outcome == "met" and pack in lad.packs:
            met.setdefault(eid, []).append((year, pack))
    return {eid: _top_rung(lad, [pack for y, pack in met.get(eid, ()) if y == year])
            for eid, year in latest.items()}


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
                              "contribution": v.get("contribution", v.get("points", v.get("score"))),
                              "normalised": v.get("normalised"), "weight": v.get("weight")})
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


def stages_and_tiers(run=None) -> tuple[list[str], list[str]]:
    """The stages and tiers that occur in the latest scoring run (for the list filters)."""
    EnterpriseScore = _model("points.EnterpriseScore")
    run = run or latest_run()
    if EnterpriseScore is None or run is None:
        return [], []
    qs = EnterpriseScore.objects.filter(run=run)
    stages = sorted(s for s in qs.values_list("stage", flat=True).distinct() if s)
    tiers = sorted(t for t in qs.values_list("tier", flat=True).distinct() if t)
    return stages, tiers


def score_runs():
    ScoringRun = _model("points.ScoringRun")
    if ScoringRun is None:
        return None
    return ScoringRun.objects.order_by("-pk")


def scores_of_run(run) -> dict[int, dict]:
    EnterpriseScore = _model("points.EnterpriseScore")
    if EnterpriseScore is None or run is None:
        return {}
    return {eid: {"points": score, "tier": tier or "", "stage": stage or "", "breakdown": breakdown or {}}
            for eid, score, tier, stage, breakdown in EnterpriseScore.objects.filter(run=run).values_list(
                "enterprise_id", "score", "tier", "stage", "breakdown")}


CENTS = Decimal("0.01")


class BenefitRow(NamedTuple):
    year: int
    measure: str
    cite: str
    status: str
    status_label: str
    paid: Decimal
    missing: str


def benefits_for(enterprise_id) -> list[BenefitRow]:
    """The enterprise's benefit grants as the latest run of each policy and year decided them (a
    re-run after corrected data replaces the earlier decision, it does not add to it), newest year
    first: one plain SQL read (the enterprise itself was read through ``restrict`` by the caller),
    the status in the active language."""
    BenefitGrant, BenefitRun = _model("ladder.BenefitGrant"), _model("ladder.BenefitRun")
    if BenefitGrant is None or BenefitRun is None:
        return []
    grants, runs = BenefitGrant._meta.db_table, BenefitRun._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT g.year, g.measure, g.cite, g.status, g.paid, g.missing FROM {grants} g "
            f"JOIN {runs} r ON r.id = g.run_id WHERE g.enterprise_id = %s AND r.id = ("
            f"SELECT latest.id FROM {runs} latest WHERE latest.policy = r.policy AND latest.year = r.year "
            "AND latest.finished_at IS NOT NULL ORDER BY latest.finished_at DESC, latest.id DESC LIMIT 1) "
            "ORDER BY g.year DESC, g.measure, g.id LIMIT 50", [enterprise_id])
        rows = cur.fetchall()
    labels = dict(BenefitGrant.Status.choices)
    return [BenefitRow(year, measure, cite, status, str(labels.get(status, status)),
                       paid if isinstance(paid, Decimal) else Decimal(str(paid)).quantize(CENTS), missing)
            for year, measure, cite, status, paid, missing in rows]


def rung_counts() -> dict[str, int]:
    """Enterprises that meet each ladder pack (main rungs and side tracks), latest ladder run and
    its latest year."""
    from django.db.models import Count, Max

    LadderOutcome = _model("ladder.LadderOutcome")
    run = latest_ladder_run()
    if LadderOutcome is None or run is None:
        return {}
    qs = LadderOutcome.objects.filter(run=run)
    year = qs.aggregate(y=Max("year"))["y"]
    return dict(qs.filter(year=year, outcome="met").values_list("pack").annotate(n=Count("enterprise", distinct=True)))


def explainer_for(run):
    """The explain engine for a scoring run (``None`` without the points app): the points app's
    ``explainer_for``, which builds it once per run per process and keeps it in a small LRU cache."""
    if run is None:
        return None
    try:
        from innoregion.apps.points import services as points_services
    except ImportError:
        return None
    return points_services.explainer_for(run)


@functools.cache
def _tier_names(methodology: str) -> tuple[str, ...]:
    """The tier names of a methodology, best first. Methodologies are files shipped in the package,
    so this is read (YAML, checked against the catalogue) once per process, not once per page."""
    from innoregion.engines.points.region_input import load_methodology

    return tuple(t["name"] if isinstance(t, dict) else t[0]
                 for t in load_methodology(methodology).spec.get("tiers") or [])


@functools.cache
def _methodology_names(methodology: str) -> dict[str, dict[str, str]]:
    """Names (zh/ko/en) of a methodology's own indicators, derived ratios included."""
    from innoregion.engines.points.region_input import load_methodology

    return {i["code"]: i.get("names", {}) for i in load_methodology(methodology).indicators if i.get("names")}


def indicator_names(run) -> dict[str, str]:
    """Indicator code -> name in the active language, for the methodology of ``run``: ratios such as
    R&D intensity are the methodology's, not the catalogue's (empty without a run)."""
    if run is None:
        return {}
    key = _lang_key()
    return {code: names.get(key) or names.get("en") or code
            for code, names in _methodology_names(run.methodology).items()}


def all_indicator_names(run) -> Mapping[str, str]:
    """Indicator code -> name in the active language: the catalogue's indicators (reference data,
    which every signed-in role may view) and the methodology's own ratios of ``run``. Kept in the
    per-process cache by methodology and language, so read-only."""

    def build() -> Mapping[str, str]:
        names = {code: pick_name(n) or code for code, n in _names_table("region.Indicator", "code").items()}
        names.update(indicator_names(run))
        return MappingProxyType(names)

    return _cached(f"indicator_names:{run.methodology if run is not None else ''}:{_lang_key()}", build)


def place_name(model_label: str, pk: int | None) -> str:
    """The name of a cluster or zone (``region.Cluster`` / ``region.Zone``) in the active language,
    from the cached reference table (a handful of rows; every signed-in role may view them)."""
    if pk is None:
        return ""
    return pick_name(_names_table(model_label, "pk").get(pk) or {})


def next_tier(run, tier: str | None) -> str | None:
    """The tier above ``tier`` in the run's methodology (the best tier when unranked)."""
    try:
        from innoregion.engines.points import region_input  # noqa: F401
    except ImportError:
        return None
    if run is None:
        return None
    names = list(_tier_names(run.methodology))
    if not names:
        return None
    if tier in names:
        i = names.index(tier)
        return names[i - 1] if i > 0 else None
    return names[-1]


def explanation(run, enterprise):
    """The engine's explanation of ``enterprise`` in ``run`` (strengths, weaknesses, percentiles,
    next tier), without the what-ifs; ``None`` when not scored."""
    ex = explainer_for(run)
    if ex is None or enterprise.credit_code not in ex.row:
        return None
    return ex.explain(enterprise.credit_code, whatif=False)


def what_if(run, enterprise, indicator: str, target: str, value):
    """The smallest change of ``indicator`` for ``enterprise`` to reach the ``target``
    (``"tier"`` with a tier name, or ``"points"`` with a number of points more)."""
    ex = explainer_for(run)
    if ex is None or enterprise.credit_code not in ex.row or indicator not in ex.col:
        return None
    return ex.whatif(ex.row[enterprise.credit_code], ex.col[indicator], target, value)


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
        lrun = latest_ladder_run()
        if lrun is None:
            return []
        rq = LadderOutcome.objects.filter(run=lrun, pack=rung, outcome="met").values("enterprise_id")
        ids = rq if ids is None else ids.filter(enterprise_id__in=rq)
    return ids


def order_by_points(run, descending: bool = True):
    from django.db.models import OuterRef, Subquery

    EnterpriseScore = _model("points.EnterpriseScore")
    if EnterpriseScore is None or run is None:
        return None
    sub = EnterpriseScore.objects.filter(run=run, enterprise_id=OuterRef("pk")).values("score")[:1]
    expr = Subquery(sub)
    return {"ids": EnterpriseScore.objects.filter(run=run).values("enterprise_id"),
            "case": expr.desc(nulls_last=True) if descending else expr.asc(nulls_last=True)}


_COHORT_SIZES: dict[tuple, int] = {}


def _run_key(run) -> tuple:
    """Identifies a run's content, not just its id (ids can be reused after a rollback)."""
    return run.pk, run.inputs_sha256, run.started_at.isoformat() if run.started_at else ""


def cohort_position(run, enterprise_id, stage, known: dict | None = None):
    """Rank of the enterprise among the scored enterprises of its stage (1 = best). ``known`` is the
    enterprise's row of ``scores_for`` in the same run when the caller has it (saves a query)."""
    EnterpriseScore = _model("points.EnterpriseScore")
    if EnterpriseScore is None or run is None:
        return None
    if known:
        score, stage_rank = known.get("points"), known.get("stage_rank")
    else:
        me = EnterpriseScore.objects.filter(run=run, enterprise_id=enterprise_id).only("score", "stage_rank").first()
        if me is None:
            return None
        score, stage_rank = me.score, me.stage_rank
    if score is None:
        return None

    def cohort():
        scored = EnterpriseScore.objects.filter(run=run, score__isnull=False)
        return scored.filter(stage=stage) if stage else scored

    key = (*_run_key(run), stage or "")
    size = _COHORT_SIZES.get(key)
    if size is None:  # a run's scores never change: count each cohort once per process
        size = _COHORT_SIZES[key] = cohort().count()
    rank = stage_rank if stage and stage_rank else cohort().filter(score__gt=score).count() + 1
    return {"rank": rank, "size": size, "stage": stage,
            "percentile": round(100.0 * (size - rank) / max(1, size - 1), 1) if size > 1 else 100.0}


def explain_move(before, after, top: int = 3) -> list[tuple[str, float]]:
    """The indicators whose contribution changed most between two breakdowns."""
    a = {i["indicator"]: i["contribution"] for i in breakdown_items(before)}
    b = {i["indicator"]: i["contribution"] for i in breakdown_items(after)}
    deltas = [(k, b.get(k, 0.0) - a.get(k, 0.0)) for k in set(a) | set(b)]
    deltas = [d for d in deltas if abs(d[1]) > 1e-9]
    deltas.sort(key=lambda d: -abs(d[1]))
    return deltas[:top]
