"""Reads of the points results for pages and APIs: the latest scoring run, an enterprise's score
and breakdown, cohorts, tiers, run comparisons. Callers pass enterprise ids they have already read
through ``restrict``; nothing here widens them."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable

from django.db import connection, models
from django.db.models import OuterRef, Subquery

from innoregion.apps.points.models import EnterpriseScore, ScoringRun
from innoregion.apps.region.selectors import catalogue_indicator_names, lang_key
from innoregion.site.cache import FOREVER, remembered


def latest_run() -> ScoringRun | None:
    """The newest finished scoring run (kept for a few seconds per process: every page asks)."""
    return remembered("points:latest_run", lambda: ScoringRun.objects.filter(status=ScoringRun.Status.DONE)
                      .order_by("-finished_at", "-pk").first())


def score_runs():
    return ScoringRun.objects.order_by("-pk")


def rows_of_run(model, run_id: int, enterprise_ids: Iterable[int], fields: list[str],
                order: tuple[str, ...] = ()) -> list[tuple]:
    """``fields`` of ``model``'s rows in run ``run_id`` for these enterprises, as tuples.

    On PostgreSQL the ids go as one array (``enterprise_id = ANY(%s)``) in SQL written from the
    model's metadata: the ORM's ``__in`` builds and adapts one placeholder per id, ≈ 1 ms of CPU for
    a page of 50 (docs/decisions/0003-speed-bypasses.md; the tests in
    tests/platform/test_platform_bank_list.py compare both paths). Elsewhere, the ORM."""
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
    run = run or latest_run()
    if run is None:
        return {}
    fields = ["enterprise_id", "score", "tier", "stage", "rank", "stage_rank"] + (["breakdown"] if breakdown else [])
    out = {}
    for row in rows_of_run(EnterpriseScore, run.pk, enterprise_ids, fields):
        d = {"points": row[1], "tier": row[2] or "", "stage": row[3] or "", "rank": row[4], "stage_rank": row[5]}
        if breakdown:
            d["breakdown"] = row[6] or {}
        out[row[0]] = d
    return out


def scores_of_run(run) -> dict[int, dict]:
    if run is None:
        return {}
    return {eid: {"points": score, "tier": tier or "", "stage": stage or "", "breakdown": breakdown or {}}
            for eid, score, tier, stage, breakdown in EnterpriseScore.objects.filter(run=run).values_list(
                "enterprise_id", "score", "tier", "stage", "breakdown")}


def breakdown_items(breakdown) -> list[dict]:
    """A score's breakdown JSON as ``[{"indicator", "value", "contribution", "normalised", "weight"}]``,
    largest contribution first. The points service stores ``{"indicators": {code: {...}}, ...}``."""
    source = breakdown.get("indicators", {}) if isinstance(breakdown, dict) else {}
    items = [{"indicator": code, "value": v.get("raw"), "contribution": v.get("points"),
              "normalised": v.get("normalised"), "weight": v.get("weight")}
             for code, v in source.items() if isinstance(v, dict)]
    items = [i for i in items if i["indicator"] and isinstance(i["contribution"], int | float)]
    items.sort(key=lambda i: -i["contribution"])
    return items


def stages_and_tiers(run=None) -> tuple[list[str], list[str]]:
    """The stages and tiers that occur in the latest scoring run (for the list filters)."""
    run = run or latest_run()
    if run is None:
        return [], []
    # without the model's ordering (run, rank), which DISTINCT would otherwise count in: one row per
    # stage, not one per score
    qs = EnterpriseScore.objects.filter(run=run).order_by()
    stages = sorted(s for s in qs.values_list("stage", flat=True).distinct() if s)
    tiers = sorted(t for t in qs.values_list("tier", flat=True).distinct() if t)
    return stages, tiers


def enterprise_ids_scored(run, stage: str | None = None, tier: str | None = None):
    """A subquery of the enterprise ids in ``run`` with this stage and tier."""
    qs = EnterpriseScore.objects.filter(run=run)
    if stage:
        qs = qs.filter(stage=stage)
    if tier:
        qs = qs.filter(tier=tier)
    return qs.values("enterprise_id")


def points_expression(run):
    """An expression over enterprises: their points in ``run`` (for ordering a list by points)."""
    return Subquery(EnterpriseScore.objects.filter(run=run, enterprise_id=OuterRef("pk")).values("score")[:1])


@functools.cache
def _tier_names(methodology: str) -> tuple[str, ...]:
    """The tier names of a methodology, best first (a file shipped in the package: read once)."""
    from innoregion.engines.points.region_input import load_methodology

    return tuple(t["name"] if isinstance(t, dict) else t[0]
                 for t in load_methodology(methodology).spec.get("tiers") or [])


@functools.cache
def _methodology_names(methodology: str) -> dict[str, dict[str, str]]:
    """Names (zh/ko/en) of a methodology's own indicators, derived ratios included."""
    from innoregion.engines.points.region_input import load_methodology

    return {i["code"]: i.get("names", {}) for i in load_methodology(methodology).indicators if i.get("names")}


def indicator_names(run) -> dict[str, str]:
    """Indicator code -> name in the active language for the methodology of ``run`` (its ratios
    such as R&D intensity are the methodology's, not the catalogue's); empty without a run."""
    if run is None:
        return {}
    key = lang_key()
    return {code: names.get(key) or names.get("en") or code
            for code, names in _methodology_names(run.methodology).items()}


def all_indicator_names(run) -> dict[str, str]:
    """The catalogue's indicator names and the methodology's own ratios of ``run``, in the active
    language (cached per methodology and language)."""

    def build() -> dict[str, str]:
        names = catalogue_indicator_names()
        names.update(indicator_names(run))
        return names

    return remembered(f"points:indicator_names:{run.methodology if run is not None else ''}:{lang_key()}", build)


def next_tier(run, tier: str | None) -> str | None:
    """The tier above ``tier`` in the run's methodology (the lowest tier when unranked)."""
    if run is None:
        return None
    names = list(_tier_names(run.methodology))
    if not names:
        return None
    if tier in names:
        i = names.index(tier)
        return names[i - 1] if i > 0 else None
    return names[-1]


def _run_key(run) -> str:
    """Identifies a run's content, not just its id (ids can be reused after a rollback)."""
    return f"{run.pk}:{run.inputs_sha256}:{run.started_at.isoformat() if run.started_at else ''}"


def cohort_position(run, enterprise_id, stage, known: dict | None = None):
    """Rank of the enterprise among the scored enterprises of its stage (1 = best). ``known`` is the
    enterprise's row of ``scores_for`` in the same run when the caller has it (saves a query)."""
    if run is None:
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

    # a finished run's scores never change: each cohort is counted once per process
    size = remembered(f"points:cohort:{_run_key(run)}:{stage or ''}", lambda: cohort().count(), FOREVER)
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


def what_if(run, enterprise, indicator: str, target: str, value):
    """The smallest change of ``indicator`` for ``enterprise`` to reach the ``target`` (``"tier"``
    with a tier name, or ``"points"`` with a number of points more); ``None`` when not scored."""
    from innoregion.apps.points.services import explainer_for

    ex = explainer_for(run)
    if ex is None or enterprise.credit_code not in ex.row or indicator not in ex.col:
        return None
    return ex.whatif(ex.row[enterprise.credit_code], ex.col[indicator], target, value)


def latest_tiers(enterprise_ids: list[int]) -> dict[int, str]:
    """Each enterprise's tier in the newest finished scoring run (for matchmaking filters)."""
    run = ScoringRun.objects.filter(status=ScoringRun.Status.DONE).order_by("-year", "-finished_at").first()
    if run is None:
        return {}
    return dict(EnterpriseScore.objects.filter(run=run, enterprise_id__in=enterprise_ids)
                .exclude(tier="").values_list("enterprise_id", "tier"))
