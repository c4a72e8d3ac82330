"""Scoring runs: read the region's effective values, build the engine input for a methodology, run the
points engine, store the run and one row per enterprise. Thin: the work is in
``innoregion.engines.points`` (pure)."""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
from collections import OrderedDict
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from innoregion.apps.points.models import EnterpriseScore, ScoringRun
from innoregion.apps.region.models import Enterprise
from innoregion.engines.points import load_spec, run_pipeline
from innoregion.engines.points.audit import audit
from innoregion.engines.points.explain import Explainer
from innoregion.engines.points.region_input import build_input, load_methodology
from innoregion.version import code_version


def _num(v: Any) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def spec_sha256(spec_dict: dict) -> str:
    """SHA-256 of the validated spec (defaults filled in), as canonical JSON."""
    spec = load_spec(spec_dict)
    text = json.dumps(spec.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def inputs_sha256(values: pl.DataFrame, enterprises: pl.DataFrame) -> str:
    """SHA-256 of the canonical input: the long value table sorted by (credit_code, year, indicator)
    with values as shortest round-trip reprs, then the enterprise table sorted by credit code."""
    h = hashlib.sha256()
    v = values.select("credit_code", "year", "indicator", "value").sort("credit_code", "year", "indicator")
    for code, year, ind, val in v.iter_rows():
        h.update(f"{code}\t{int(year)}\t{ind}\t{float(val)!r}\n".encode())
    h.update(b"--enterprises--\n")
    e = enterprises.select("credit_code", "founded", "cluster", "zone", "industry").sort("credit_code")
    for row in e.iter_rows():
        h.update(("\t".join("" if x is None else str(x) for x in row) + "\n").encode())
    return h.hexdigest()


def region_inputs(year: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The effective values of ``year`` and ``year - 1`` and the enterprise table, from the database."""
    from innoregion.apps.imports.selectors import effective_values

    frames = [effective_values(y) for y in (year - 1, year)]
    values = pl.concat(frames).select("credit_code", "year", "indicator", "value")
    rows = list(Enterprise.objects.values_list("credit_code", "founded", "cluster__code", "zone__code", "industry"))
    ent = pl.DataFrame(rows, schema={"credit_code": pl.String, "founded": pl.Date, "cluster": pl.String,
                                     "zone": pl.String, "industry": pl.String}, orient="row")
    return values, ent


def breakdowns(result, data: pl.DataFrame) -> dict[str, dict]:
    """Per uCode: indicators (raw, normalised, weight, points), groups, bonus, penalty."""
    h = result.hierarchy
    inds = h.indicators
    groups = [c for c in h.aggregates]
    raw = result.raw.select("uCode", *inds).rows()
    norm = {r[0]: r[1:] for r in result.normalised.select("uCode", *inds).rows()}
    eff = {r[0]: r[1:] for r in result.effective_weights.select("uCode", *inds).rows()}
    agg = {r[0]: r[1:] for r in result.aggregated.select("uCode", *groups).rows()}
    bp = {r[0]: r[1:] for r in result.bonus_penalty.select("uCode", "base", "bonus", "penalty").rows()}
    out = {}
    for r in raw:
        u = r[0]
        ind = {}
        for k, c in enumerate(inds):
            y, w = _num(norm[u][k]), _num(eff[u][k]) or 0.0
            ind[c] = {"raw": _num(r[1 + k]), "normalised": y, "weight": w,
                      "points": (w * y * result.spec.base_factor) if y is not None else None}
        b = bp[u]
        out[u] = {"indicators": ind, "groups": {g: _num(agg[u][k]) for k, g in enumerate(groups)},
                  "base": _num(b[0]), "bonus": _num(b[1]), "penalty": _num(b[2])}
    return out


def score_region(methodology: str, year: int, user=None, *, values: pl.DataFrame | None = None,
                 enterprises: pl.DataFrame | None = None) -> ScoringRun:
    """Score every enterprise with filings in ``year`` under ``methodology``; store and return the run.

    ``values``/``enterprises`` default to the database (effective values of ``year`` and ``year - 1``;
    the enterprise register). A failure is stored as a run with status ``failed`` and re-raised.
    """
    m = load_methodology(methodology)
    run = ScoringRun.objects.create(
        methodology=m.id, methodology_version=m.version, spec_sha256=spec_sha256(m.spec),
        code_version=code_version(), year=year, started_at=timezone.now(), status=ScoringRun.Status.RUNNING,
        created_by=user if getattr(user, "pk", None) else None)
    try:
        if values is None or enterprises is None:
            values, enterprises = region_inputs(year)
        run.inputs_sha256 = inputs_sha256(values, enterprises)
        data, meta = build_input(values, enterprises, m, year)
        if data.height == 0:
            raise ValueError(f"no enterprise has filings for {year}")
        result = run_pipeline(data, meta, m.spec)
        summary = audit(result)["summary"]
        parts = breakdowns(result, data)
        ids = dict(Enterprise.objects.filter(credit_code__in=data["uCode"].to_list())
                   .values_list("credit_code", "pk"))
        rows = []
        for r in result.scores.iter_rows(named=True):
            u = r["uCode"]
            if u not in ids:
                continue
            rows.append(EnterpriseScore(
                run=run, enterprise_id=ids[u], stage=r["stage"] or "", score=_num(r["score"]),
                rank=r["Rank"], stage_rank=r["StageRank"], tier=r["tier"] or "", breakdown=parts[u]))
        missing = sorted(set(data["uCode"].to_list()) - set(ids))
        warnings = list(result.warnings)
        if missing:
            warnings.append(f"{len(missing)} credit code(s) with filings are not in the enterprise register: "
                            + ", ".join(missing[:10]))
        with transaction.atomic():
            EnterpriseScore.objects.bulk_create(rows, batch_size=2000)
            run.units = len(rows)
            run.warnings = warnings
            run.audit_summary = json.loads(json.dumps(summary, default=_num))
            run.status = ScoringRun.Status.DONE
            run.finished_at = timezone.now()
            run.save()
    except Exception as exc:
        run.status = ScoringRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"
        run.finished_at = timezone.now()
        run.save()
        raise
    return run


def verify_run(run: ScoringRun) -> dict:
    """Recompute a stored run from the database as it is now and compare, number for number.

    Returns ``{"reproduced": bool, "inputs_match": bool, "spec_match": bool, "differences": [...]}``.
    When the inputs hash differs the data changed since the run (a later import or correction), and
    the score comparison says by how much; when it matches, every score, rank and tier must be equal.
    """
    m = load_methodology(run.methodology)
    values, enterprises = region_inputs(run.year)
    inputs_match = inputs_sha256(values, enterprises) == run.inputs_sha256
    spec_match = spec_sha256(m.spec) == run.spec_sha256
    data, meta = build_input(values, enterprises, m, run.year)
    result = run_pipeline(data, meta, m.spec)
    fresh = {r["uCode"]: (_num(r["score"]), r["Rank"], r["StageRank"], r["tier"] or "")
             for r in result.scores.iter_rows(named=True)}
    differences = []
    stored = run.scores.select_related("enterprise").values_list(
        "enterprise__credit_code", "score", "rank", "stage_rank", "tier")
    for code, score, rank, stage_rank, tier in stored:
        now = fresh.pop(code, None)
        if now != (score, rank, stage_rank, tier):
            differences.append({"credit_code": code, "stored": [score, rank, stage_rank, tier],
                                "recomputed": list(now) if now else None})
    differences += [{"credit_code": code, "stored": None, "recomputed": list(v)} for code, v in fresh.items()
                    if Enterprise.objects.filter(credit_code=code).exists()]
    return {"reproduced": inputs_match and spec_match and not differences, "inputs_match": inputs_match,
            "spec_match": spec_match, "differences": differences}


# ---------------------------------------------------------------- explain engine, once per run per process
# Building an Explainer re-reads the run's input from the database and re-runs the pipeline (seconds at
# 30,000 enterprises); afterwards an explanation or a what-if takes milliseconds. Each worker process
# keeps the explainers of the last EXPLAINER_CACHE_SIZE runs it was asked about (least recently used
# first out). Memory, measured at 30,000 enterprises and 23 indicators: each cached explainer keeps
# ~45-110 MiB resident (33 MiB of float64 arrays, 29 MiB of pipeline tables, the code->row dicts);
# the first build in a process peaks ~250 MiB above the idle worker (input frames, polars). With the
# default of 2 runs, count ~0.25 GB per worker that served a what-if. INNOREGION_EXPLAINER_CACHE=0
# turns the cache off (every what-if rebuilds, as before this cache).
EXPLAINER_CACHE_SIZE = int(os.environ.get("INNOREGION_EXPLAINER_CACHE", "2"))
_explainers: OrderedDict[tuple, Explainer] = OrderedDict()
_explainers_lock = threading.Lock()  # gthread workers: one build per run, the other threads wait for it
_building: dict[tuple, threading.Lock] = {}


def _explainer_key(run: ScoringRun) -> tuple:
    """The run's id and what identifies its content (an id can come back after a rollback)."""
    return run.pk, run.inputs_sha256, run.started_at.isoformat() if run.started_at else ""


def build_explainer(run: ScoringRun) -> Explainer:
    """The explain engine for ``run``: its methodology on the region's current values of its year."""
    m = load_methodology(run.methodology)
    values, enterprises = region_inputs(run.year)
    data, meta = build_input(values, enterprises, m, run.year)
    return Explainer(run_pipeline(data, meta, m.spec), data)


def explainer_for(run: ScoringRun | None) -> Explainer | None:
    """The explainer of ``run`` from this process's LRU cache, built on first use (once per run per
    process, even when several threads ask at once)."""
    if run is None:
        return None
    key = _explainer_key(run)
    with _explainers_lock:
        if key in _explainers:
            _explainers.move_to_end(key)
            return _explainers[key]
        building = _building.setdefault(key, threading.Lock())
    with building:
        with _explainers_lock:
            if key in _explainers:
                _explainers.move_to_end(key)
                return _explainers[key]
        try:
            explainer = build_explainer(run)
        finally:
            with _explainers_lock:
                _building.pop(key, None)
        with _explainers_lock:
            if EXPLAINER_CACHE_SIZE > 0:
                _explainers[key] = explainer
                while len(_explainers) > EXPLAINER_CACHE_SIZE:
                    _explainers.popitem(last=False)
    return explainer


def clear_explainers() -> None:
    """Forget every cached explainer (tests; after re-importing a year's data in a long-lived shell)."""
    with _explainers_lock:
        _explainers.clear()
