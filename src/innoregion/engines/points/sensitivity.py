"""Uncertainty and sensitivity analysis of a points methodology (pure: Polars/NumPy).

The uncertain *dimensions* (each optional):

- ``weights``: every nominal weight (indicators and aggregates, all stages) is multiplied by its own
  factor drawn uniformly in ``[1 - w, 1 + w]`` (``w = 0.25`` for +/-25 %);
- ``normaliser``: one of a list of ``normalise`` blocks (the cohort setting of the spec is kept,
  per-indicator overrides are dropped so the alternative applies to all indicators);
- ``aggregator``: one of a list of ``aggregate`` blocks;
- ``treatment``: a list of ``treat`` blocks (e.g. the spec's and ``{method: none}``);
- ``imputation``: a list of ``impute`` blocks.

The model maps a point ``X`` of the unit hypercube (one column per weight factor, one per discrete
dimension) to every unit's score, overall rank and rank within its stage. Discrete combinations of
(imputation, treatment, normaliser) are run once through :func:`run_pipeline` and cached; each draw
then only re-aggregates the cached normalised table with its weights and aggregator through the
engine's ``aggregate_tree``, adds bonus/penalty, and ranks (ties "min", descending).

:func:`uncertainty` draws ``n`` seeded points and reports each unit's nominal, median and 5-95 %
rank. :func:`sobol_indices` implements the Saltelli design with the Saltelli (2010) first-order and
Jansen (1999) total-order estimators for groups of inputs; :func:`sensitivity` applies it to the
dimensions above (one group per dimension), on the mean absolute rank shift from the nominal
ranking and, averaged over units, on each unit's rank. Same seed, same numbers.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from innoregion.engines.points.pipeline import NO_STAGE, aggregate_tree
from innoregion.engines.points.result import ALL_COHORTS
from innoregion.engines.points.spec import Spec, load_spec

DEFAULT_NORMALISERS = [{"method": "minmax", "lower": 1, "upper": 100},
                       {"method": "percentile_rank", "scale": 100},
                       {"method": "efficacy"}]
DEFAULT_AGGREGATORS = [{"method": "arithmetic"}, {"method": "geometric"}]


# ---------------------------------------------------------------------------- Sobol machinery
def saltelli_matrices(n: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two independent (n, d) uniform sample matrices A and B (scrambled Sobol points, seeded)."""
    from scipy.stats import qmc

    m = math.ceil(math.log2(max(n, 2)))
    pts = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random_base2(m)[:n]
    return pts[:, :d], pts[:, d:]


def sobol_indices(func: Callable[[np.ndarray], np.ndarray], groups: Sequence[tuple[str, int]], n: int,
                  seed: int = 0) -> dict[str, Any]:
    """First- and total-order Sobol indices of ``func`` for groups of inputs.

    ``func`` maps an (N, D) array of points in [0, 1) to (N,) or (N, m) outputs; ``groups`` lists
    ``(name, number of columns)`` in column order (D = the sum). The design evaluates A, B and, for
    each group g, A_B^g (A with g's columns taken from B): ``n * (G + 2)`` model runs.

    Estimators: ``V = var([f(A); f(B)])``; first order (Saltelli 2010)
    ``S_g = mean(f(B) * (f(A_B^g) - f(A))) / V``; total order (Jansen 1999)
    ``ST_g = mean((f(A) - f(A_B^g))^2) / (2 V)``. Returns ``{"S1": {g: ...}, "ST": {g: ...},
    "variance": V, "n": n}`` with arrays when the output has several columns (NaN where V = 0).
    """
    d = sum(k for _, k in groups)
    a, b = saltelli_matrices(n, d, seed)
    blocks = [a, b]
    start = 0
    for _, k in groups:
        ab = a.copy()
        ab[:, start:start + k] = b[:, start:start + k]
        blocks.append(ab)
        start += k
    y = np.asarray(func(np.vstack(blocks)), dtype=float)
    multi = y.ndim == 2
    if not multi:
        y = y[:, None]
    fa, fb = y[:n], y[n:2 * n]
    var = np.var(np.vstack([fa, fb]), axis=0, ddof=1)
    s1, st = {}, {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for g, (name, _) in enumerate(groups):
            fab = y[(2 + g) * n:(3 + g) * n]
            v1 = np.nanmean(fb * (fab - fa), axis=0)
            vt = 0.5 * np.nanmean((fa - fab) ** 2, axis=0)
            s1[name] = np.where(var > 0, v1 / var, np.nan)
            st[name] = np.where(var > 0, vt / var, np.nan)
    if not multi:
        s1 = {k: float(v[0]) for k, v in s1.items()}
        st = {k: float(v[0]) for k, v in st.items()}
        var = float(var[0])
    return {"S1": s1, "ST": st, "variance": var, "n": n}


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami test function on [0, 1)^3 mapped to [-pi, pi)^3."""
    z = (np.asarray(x) * 2.0 - 1.0) * math.pi
    return np.sin(z[:, 0]) + a * np.sin(z[:, 1]) ** 2 + b * z[:, 2] ** 4 * np.sin(z[:, 0])


# ---------------------------------------------------------------------------- the points model
@dataclass
class Dimensions:
    """Which choices are uncertain. ``None`` / empty = fixed at the spec's setting."""

    weights: float | None = 0.25
    normaliser: list[dict] | None = None
    aggregator: list[dict] | None = None
    treatment: list[dict] | None = None
    imputation: list[dict] | None = None

    @classmethod
    def default(cls, spec: Spec) -> Dimensions:
        return cls(weights=0.25, normaliser=[dict(spec.raw.get("normalise") or {"method": "minmax"}),
                                             *DEFAULT_NORMALISERS],
                   aggregator=list(DEFAULT_AGGREGATORS),
                   treatment=[dict(spec.raw.get("treat") or {"method": "none"}), {"method": "none"}]
                   if (spec.raw.get("treat") or {}).get("method", "none") != "none" else None,
                   imputation=[dict(spec.raw.get("impute") or {"method": "none"}), {"method": "median"}])


@dataclass
class _Combo:
    norm: dict[str, np.ndarray]
    weight_codes: np.ndarray
    weight_labels: list[str]
    bonus: np.ndarray
    penalty: np.ndarray
    stage_codes: np.ndarray


@dataclass
class PointsModel:
    """Scores the units for points X of the unit hypercube (see module docstring)."""

    data: pl.DataFrame
    meta: pl.DataFrame
    spec: Spec
    dims: Dimensions
    cache: dict[tuple, _Combo] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from innoregion.engines.points.pipeline import run_pipeline

        self._run = run_pipeline
        nominal = run_pipeline(self.data, self.meta, self.spec)
        self.nominal = nominal
        self.h = nominal.hierarchy
        self.ucodes = nominal.scores["uCode"].cast(pl.String).to_list()
        self.n_units = len(self.ucodes)
        stage = nominal.scores["stage"].fill_null(NO_STAGE)
        self.stage_labels = stage.unique(maintain_order=True).to_list()
        pos = {s: i for i, s in enumerate(self.stage_labels)}
        self.stage_of = np.array([pos[s] for s in stage.to_list()], dtype=np.int64)
        self.codes = [c for c in self.h.weight if self.h.parent.get(c) is not None]  # all but the top
        self.groups: list[tuple[str, int]] = []
        if self.dims.weights:
            self.groups.append(("weights", len(self.codes)))
        for name in ("normaliser", "aggregator", "treatment", "imputation"):
            if getattr(self.dims, name):
                self.groups.append((name, 1))
        self.n_inputs = sum(k for _, k in self.groups)
        self._aggspecs: dict[int, Spec] = {}
        self.nominal_rank = rank_desc(nominal.scores["score"].cast(pl.Float64).fill_null(float("nan"))
                                      .to_numpy()[None, :])[0]

    # -- discrete choices
    def _choice(self, name: str, u: float) -> int:
        opts = getattr(self.dims, name)
        return min(int(u * len(opts)), len(opts) - 1)

    def _combo(self, imp: int | None, tr: int | None, nm: int | None) -> _Combo:
        key = (imp, tr, nm)
        if key in self.cache:
            return self.cache[key]
        raw = copy.deepcopy(self.spec.raw)
        if imp is not None:
            raw["impute"] = copy.deepcopy(self.dims.imputation[imp])
        if tr is not None:
            raw["treat"] = copy.deepcopy(self.dims.treatment[tr])
        if nm is not None:
            block = copy.deepcopy(self.dims.normaliser[nm])
            block["cohort"] = (self.spec.raw.get("normalise") or {}).get("cohort")
            raw["normalise"] = block
        res = self._run(self.data, self.meta, load_spec(raw))
        order = pl.DataFrame({"uCode": self.ucodes})
        nt = order.join(res.normalised.with_columns(pl.col("uCode").cast(pl.String)), on="uCode", how="left",
                        maintain_order="left")
        norm = {c: nt[c].cast(pl.Float64).fill_null(float("nan")).to_numpy().astype(float)
                for c in self.h.indicators}
        bp = order.join(res.bonus_penalty.with_columns(pl.col("uCode").cast(pl.String)), on="uCode",
                        how="left", maintain_order="left")
        st = order.join(res.stages.with_columns(pl.col("uCode").cast(pl.String)), on="uCode", how="left",
                        maintain_order="left")["stage"].fill_null(ALL_COHORTS)
        labels = st.unique(maintain_order=True).to_list()
        pos = {s: i for i, s in enumerate(labels)}
        combo = _Combo(norm=norm, weight_codes=np.array([pos[s] for s in st.to_list()], dtype=np.int64),
                       weight_labels=[str(x) for x in labels],
                       bonus=bp["bonus"].cast(pl.Float64).fill_null(0.0).to_numpy(),
                       penalty=bp["penalty"].cast(pl.Float64).fill_null(0.0).to_numpy(),
                       stage_codes=self.stage_of)
        self.cache[key] = combo
        return combo

    def _agg_spec(self, k: int | None) -> Spec:
        key = -1 if k is None else k
        if key not in self._aggspecs:
            raw = copy.deepcopy(self.spec.raw)
            if k is not None:
                raw["aggregate"] = copy.deepcopy(self.dims.aggregator[k])
            self._aggspecs[key] = load_spec(raw)
        return self._aggspecs[key]

    # -- evaluation
    def scores(self, x: np.ndarray) -> np.ndarray:
        """(N, D) points -> (N, n_units) scores."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        out = np.empty((x.shape[0], self.n_units))
        base_w = self.nominal.stage_weights
        col = 0
        wcols = None
        sel: dict[str, np.ndarray] = {}
        for name, k in self.groups:
            if name == "weights":
                wcols = x[:, col:col + k]
            else:
                sel[name] = np.minimum((x[:, col] * len(getattr(self.dims, name))).astype(int),
                                       len(getattr(self.dims, name)) - 1)
            col += k
        w = self.dims.weights or 0.0
        for i in range(x.shape[0]):
            combo = self._combo(int(sel["imputation"][i]) if "imputation" in sel else None,
                                int(sel["treatment"][i]) if "treatment" in sel else None,
                                int(sel["normaliser"][i]) if "normaliser" in sel else None)
            spec = self._agg_spec(int(sel["aggregator"][i]) if "aggregator" in sel else None)
            if wcols is not None:
                f = dict(zip(self.codes, 1.0 - w + 2.0 * w * wcols[i], strict=True))
                weights = {s: {c: v * f.get(c, 1.0) for c, v in t.items()} for s, t in base_w.items()}
            else:
                weights = base_w
            aggs, _ = aggregate_tree(combo.norm, self.h, spec, weights, None, warnings=[], want_effective=False,
                                     stage_codes=combo.weight_codes, stage_labels=combo.weight_labels)
            s = aggs[self.h.top] * spec.base_factor + combo.bonus - combo.penalty
            if spec.floor is not None:
                s = np.where(np.isnan(s), np.nan, np.maximum(s, spec.floor))
            if spec.ceiling is not None:
                s = np.where(np.isnan(s), np.nan, np.minimum(s, spec.ceiling))
            out[i] = s
        return out

    def ranks(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = self.scores(x)
        return rank_desc(s), rank_desc(s, self.stage_of)


def rank_desc(scores: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
    """Rows of ``scores`` ranked descending with ties "min" (1 = best), within ``groups`` if given;
    NaN scores get NaN ranks."""
    scores = np.atleast_2d(scores)
    out = np.full(scores.shape, np.nan)
    if groups is None:
        parts = [np.arange(scores.shape[1])]
    else:
        parts = [np.flatnonzero(groups == g) for g in np.unique(groups)]
    for i in range(scores.shape[0]):
        for ix in parts:
            s = scores[i, ix]
            ok = ~np.isnan(s)
            srt = np.sort(s[ok])
            r = np.full(ix.size, np.nan)
            r[ok] = srt.size - np.searchsorted(srt, s[ok], side="right") + 1
            out[i, ix] = r
    return out


# ---------------------------------------------------------------------------- public API
def uncertainty(data: pl.DataFrame, meta: pl.DataFrame, spec: Spec | dict | str,
                dims: Dimensions | None = None, n: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Seeded Monte Carlo: ``n`` draws over ``dims``; per unit the nominal rank, median rank and the
    5 % and 95 % rank quantiles, overall and within the stage. Returns ``{"table", "summary"}``."""
    spec = load_spec(spec)
    model = PointsModel(data, meta, spec, dims or Dimensions.default(spec))
    rng = np.random.default_rng(seed)
    x = rng.random((n, model.n_inputs))
    rk, srk = model.ranks(x)
    nominal_stage = rank_desc(model.nominal.scores["score"].cast(pl.Float64).fill_null(float("nan"))
                              .to_numpy()[None, :], model.stage_of)[0]

    def q(a: np.ndarray, p: float) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.nanquantile(a, p, axis=0) if a.size else np.zeros(model.n_units)

    table = pl.DataFrame({
        "uCode": model.ucodes,
        "stage": model.nominal.scores["stage"],
        "nominal_rank": model.nominal_rank, "median_rank": q(rk, 0.5), "q05_rank": q(rk, 0.05),
        "q95_rank": q(rk, 0.95),
        "nominal_stage_rank": nominal_stage, "median_stage_rank": q(srk, 0.5),
        "q05_stage_rank": q(srk, 0.05), "q95_stage_rank": q(srk, 0.95),
    })
    shift = np.nanmean(np.abs(rk - model.nominal_rank[None, :]), axis=1)
    summary = {"draws": n, "seed": seed, "dimensions": [g for g, _ in model.groups],
               "mean_abs_rank_shift": float(np.mean(shift)),
               "mean_interval_width": float(np.nanmean(table["q95_rank"] - table["q05_rank"])),
               "discrete_runs": len(model.cache)}
    return {"table": table, "summary": summary}


def sensitivity(data: pl.DataFrame, meta: pl.DataFrame, spec: Spec | dict | str,
                dims: Dimensions | None = None, n: int = 256, seed: int = 0) -> dict[str, Any]:
    """Sobol indices per dimension (one group each; all weight factors form the group ``weights``).

    Outputs: the mean absolute rank shift from the nominal ranking (``S1``/``ST`` per dimension), and
    each unit's overall rank (indices averaged over units with non-zero rank variance:
    ``S1_units_mean``/``ST_units_mean``). ``n * (G + 2)`` evaluations of the model.
    """
    spec = load_spec(spec)
    model = PointsModel(data, meta, spec, dims or Dimensions.default(spec))
    nominal = model.nominal_rank

    def f(x: np.ndarray) -> np.ndarray:
        rk = rank_desc(model.scores(x))
        shift = np.nanmean(np.abs(rk - nominal[None, :]), axis=1)
        return np.column_stack([shift, rk])

    res = sobol_indices(f, model.groups, n, seed)
    names = [g for g, _ in model.groups]
    out = {"dimensions": names, "n": n, "seed": seed, "runs": n * (len(names) + 2),
           "S1": {g: float(res["S1"][g][0]) for g in names}, "ST": {g: float(res["ST"][g][0]) for g in names}}
    var_units = res["variance"][1:]
    ok = var_units > 0
    out["S1_units_mean"] = {g: float(np.nanmean(res["S1"][g][1:][ok])) if ok.any() else None for g in names}
    out["ST_units_mean"] = {g: float(np.nanmean(res["ST"][g][1:][ok])) if ok.any() else None for g in names}
    return out
