"""Explanations and exact what-if for one enterprise of a points run (pure: Polars/NumPy, no Django).

For a unit of a :class:`~innoregion.engines.points.result.PipelineResult` the :class:`Explainer` gives,
per indicator: the raw value, the denominated and treated values, the normalised value, the effective
weight (the share the indicator carries in the top aggregate for that unit), the points contributed
(``base_factor * effective weight * normalised`` -- exact for arithmetic aggregation, a first-order
share otherwise), and the percentile of the unit within its normalisation cohort; the top strengths
and weaknesses; and the **what-if**: for each indicator, the smallest change of its *raw* value (the
numerator when the indicator is a ratio; the denominator, stage, other indicators, bonus and penalty
held fixed) that lifts the unit into the next tier of its stage, or raises its score by a given number
of points.

How the what-if stays exact
---------------------------
1. *Fitted parameters fixed.* With the cohort's normaliser and the outlier treatment fixed, the
   score is a monotone function of the indicator's normalised value ``y``. For arithmetic aggregation
   it is linear (``score = score0 + base_factor * e_i * (y - y0)``) and solved in closed form; other
   aggregators are solved by vectorised bisection through the engine's own ``aggregate_tree``. The
   required ``y`` is mapped back through ``NormaliserFit.invert`` and the inverse of the treatment.
   A tier target is the score of the k-th best *other* unit of the stage (ties rank "min", as the
   pipeline), so reaching it gives ``StageRank <= ceil(StageSize * cut)``.
2. *When the change would alter the cohort's parameters* -- the value leaves the cohort's
   ``[min, max]`` under min-max-type normalisers (or the unit is the one holding the min/max),
   any change under z-scores (mean and sd move), any change under rank-based normalisers (the other
   units' ranks move) -- the candidate is evaluated **exactly as a re-run would normalise it**: the
   cohort's normaliser is refitted with the new value substituted (for rank methods the fitted
   reference is updated by one deletion and one insertion), the other units whose normalised value
   changes are re-scored, and the unit's stage rank is recounted against the updated scores. The
   smallest value is then searched on this exact evaluation: over the distinct cohort values (and the
   values just above them) for rank-based normalisers, by bisection otherwise. ``alters_cohort`` says
   when this happened.
3. Every proposed raw value is pushed forward through the same chain (denominate, treatment, the
   (refitted) normaliser, aggregation, bonus/penalty, floor/ceiling, stage rank) before it is
   returned; floating-point round-off is repaired by stepping to the next representable value.

What is held fixed, and said so in ``notes``: the outlier treatment's fitted bounds (a value beyond a
winsorisation bound is capped, so a target needing more is ``capped_by_treatment``: a re-run would
re-fit the treatment), the unit's stage (an indicator that is also a stage-band column is flagged),
denominators, imputation of *other* units, and the other units' values.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl

from innoregion.engines.points.normalise import RANK_METHODS, NormaliserFit, fit_normaliser
from innoregion.engines.points.pipeline import NO_STAGE, aggregate_tree
from innoregion.engines.points.result import ALL_COHORTS, PipelineResult
from innoregion.engines.points.treat import treat_indicator

MINMAX_LIKE = ("minmax", "efficacy", "dist_to_max")
FIXED_PARAMS = ("goalposts", "capped_ratio", "none")


# ---------------------------------------------------------------------------- result objects
@dataclass
class IndicatorExplanation:
    code: str
    raw: float | None
    denominated: float | None
    treated: float | None
    normalised: float | None
    effective_weight: float
    points: float | None
    percentile: float | None
    cohort: str


@dataclass
class WhatIf:
    """The smallest change of one indicator's raw value reaching ``target``.

    ``status``: ``ok``; ``already`` (the target is met now); ``unreachable`` (no value of this
    indicator alone reaches it with the fixed items); ``capped_by_treatment`` (it would need a value
    beyond the fitted winsorisation bound); ``not_applicable`` (no score, or top tier already).
    """

    indicator: str
    target: str  # "tier" or "points"
    target_value: Any  # tier name, or the score to reach
    status: str
    current_raw: float | None = None
    required_raw: float | None = None
    delta: float | None = None
    relative_delta: float | None = None
    required_normalised: float | None = None
    new_score: float | None = None
    new_stage_rank: int | None = None
    new_tier: str | None = None
    method: str = ""
    alters_cohort: bool = False
    alters_treatment: bool | None = None  # None: not checked (Explainer(check_treatment=False))
    strict: bool = False  # rank-based: the value must exceed ``required_raw``'s neighbour; see notes
    notes: list[str] = field(default_factory=list)


@dataclass
class Explanation:
    uCode: str
    stage: str | None
    cohort: str
    score: float | None
    base: float | None
    bonus: float
    penalty: float
    rank: int | None
    stage_rank: int | None
    stage_size: int
    tier: str | None
    next_tier: str | None
    indicators: list[IndicatorExplanation]
    strengths: list[str]
    weaknesses: list[str]
    whatif: list[WhatIf]

    def to_dict(self) -> dict[str, Any]:
        return _clean(asdict(self))


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, float | np.floating):
        v = float(obj)
        return v if math.isfinite(v) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def _f(v: float) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


# ---------------------------------------------------------------------------- explainer
class Explainer:
    """Precomputes the arrays one run needs, then explains any unit quickly.

    ``data`` is the table given to :func:`run_pipeline` (needed for denominators and for a cohort
    column other than ``stage``). Construction sorts each indicator within each cohort once
    (O(n log n)); :meth:`explain` is then O(k log n) for the fixed-parameter cases.
    """

    def __init__(self, result: PipelineResult, data: pl.DataFrame, *,
                 bounds: dict[str, tuple[float, float]] | None = None, integral: set[str] | None = None,
                 check_treatment: bool = False):
        """``bounds``: valid raw range per indicator (a proposal outside is reported with status
        ``beyond_valid_range``); ``integral``: indicators whose raw value is a whole number (counts,
        levels, flags) -- proposals are rounded up to the next whole number and re-verified.
        :func:`innoregion.engines.points.region_input.whatif_constraints` gives both for a methodology.
        ``check_treatment``: re-run the outlier treatment on the indicator's column with each proposal
        substituted (O(n) per proposal) and report in ``alters_treatment`` whether a re-run would treat
        it differently (then the proposal, computed with the fitted treatment, may not reproduce)."""
        self.check_treatment = check_treatment
        self.bounds = dict(bounds or {})
        self.integral = set(integral or ())
        self.result = result
        self.spec = result.spec
        h = self.h = result.hierarchy
        self.inds = list(h.indicators)
        self.col = {c: j for j, c in enumerate(self.inds)}
        ucode = result.normalised["uCode"].cast(pl.String)
        self.ucodes = ucode.to_list()
        self.row = {u: i for i, u in enumerate(self.ucodes)}
        self.n = len(self.ucodes)
        self.raw = self._matrix(result.raw)
        self.den = self._matrix(result.denominated)
        self.treated = self._matrix(result.treated)
        self.norm = self._matrix(result.normalised)
        self.eff = np.nan_to_num(self._matrix(result.effective_weights), nan=0.0)
        aligned = self._aligned(data, ucode)
        self._read_denominators(aligned)
        self.stage_cols = {col for b in self.spec.stages for col in b.when}
        self._read_scores(result)
        grp = result.scores["stage"].fill_null(NO_STAGE)
        self._group_stages(grp)
        self._group_cohorts(result, aligned, grp)
        self.arithmetic = all(self.spec.aggregator_for(lvl)["method"] == "arithmetic"
                              or (self.spec.aggregator_for(lvl)["method"] == "generalised"
                                  and self.spec.aggregator_for(lvl).get("p") == 1)
                              for lvl in sorted(h.levels)[1:])
        self._sorted: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        for j in range(len(self.inds)):
            for g in range(len(self.cohort_labels)):
                self.sorted_cohort(j, g)
        self._pending: list | None = None
        self._limit: dict[tuple[int, int], np.ndarray] = {}
        if self.arithmetic:
            for j, c in enumerate(self.inds):
                if self.spec.normaliser_for(c).get("method") in MINMAX_LIKE:
                    for g in range(len(self.grp_labels)):
                        self.limit_scores(j, g)

    def _matrix(self, tab: pl.DataFrame) -> np.ndarray:
        t = tab.select(pl.col(self.inds).cast(pl.Float64))
        return t.to_numpy().astype(float, copy=True) if self.n else np.zeros((0, len(self.inds)))

    def _aligned(self, data: pl.DataFrame, ucode: pl.Series) -> pl.DataFrame:
        """The scored period's rows of ``data``, in the order of the result's units."""
        d = data
        if "Time" in d.columns:
            times = d["Time"].drop_nulls().unique().sort()
            period = times[-1] if self.spec.time in (None, "latest") else self.spec.time
            d = d.filter(pl.col("Time") == period)
        d = d.with_columns(pl.col("uCode").cast(pl.String))
        return pl.DataFrame({"uCode": ucode}).join(d, on="uCode", how="left", maintain_order="left")

    def _read_denominators(self, aligned: pl.DataFrame) -> None:
        # raw -> denominated: raw / denv * scale (exactly as the pipeline), held fixed in what-if
        self.denv = np.ones((self.n, len(self.inds)))
        self.den_scale = np.ones(len(self.inds))
        conf = self.spec.denominate
        self.den_col: dict[str, str | None] = {}
        if not conf["enabled"]:
            return
        for c in self.inds:
            den = conf["denominators"].get(c, self.h.denominator.get(c))
            self.den_col[c] = den
            if den is not None and den in aligned.columns:
                self.denv[:, self.col[c]] = aligned[den].cast(pl.Float64).to_numpy().astype(float)
                self.den_scale[self.col[c]] = conf["scale"]

    def _read_scores(self, result: PipelineResult) -> None:
        sc = result.scores
        bp = result.bonus_penalty
        self.score = sc["score"].cast(pl.Float64).fill_null(float("nan")).to_numpy().astype(float)
        self.base = bp["base"].cast(pl.Float64).fill_null(float("nan")).to_numpy().astype(float)
        self.bonus = bp["bonus"].cast(pl.Float64).to_numpy().astype(float)
        self.penalty = bp["penalty"].cast(pl.Float64).to_numpy().astype(float)
        self.rank = sc["Rank"].to_list()
        self.stage_rank = sc["StageRank"].to_list()
        self.tier = sc["tier"].to_list()
        self.top = sc[self.h.top].cast(pl.Float64).fill_null(float("nan")).to_numpy().astype(float)
        stage = sc["stage"]
        self.stage = stage.to_list()
        self.weight_key = stage.fill_null(ALL_COHORTS).to_list()

    def _group_stages(self, grp: pl.Series) -> None:
        """The rows of each stage, and each stage's scores (ascending, NaN left out) with their rows."""
        self.grp_labels, self.grp_code = _codes(grp)
        self.stage_sorted = []
        g_order = np.argsort(self.grp_code, kind="stable")
        g_bounds = np.searchsorted(self.grp_code[g_order], np.arange(len(self.grp_labels) + 1))
        self.stage_rows = [g_order[g_bounds[g]:g_bounds[g + 1]] for g in range(len(self.grp_labels))]
        self.stage_by_score = []  # rows of each stage ordered by score (ascending, NaN left out)
        for g in range(len(self.grp_labels)):
            rows = self.stage_rows[g]
            s = self.score[rows]
            ok = ~np.isnan(s)
            o = np.argsort(s[ok], kind="stable")
            self.stage_sorted.append(s[ok][o])
            self.stage_by_score.append(rows[ok][o])

    def _group_cohorts(self, result: PipelineResult, aligned: pl.DataFrame, grp: pl.Series) -> None:
        """The normalisation cohorts: their rows, and each unit's position within its cohort."""
        if result.cohort_column is None:
            cser = pl.Series([ALL_COHORTS] * self.n, dtype=pl.String)
        elif result.cohort_column == "stage":
            cser = grp
        else:
            cser = aligned[result.cohort_column].cast(pl.String).fill_null("(missing)")
        self.cohort_labels, self.cohort_code = _codes(cser)
        order = np.argsort(self.cohort_code, kind="stable")
        bounds = np.searchsorted(self.cohort_code[order], np.arange(len(self.cohort_labels) + 1))
        self.cohort_rows = [order[bounds[g]:bounds[g + 1]] for g in range(len(self.cohort_labels))]
        self.pos_in_cohort = np.empty(self.n, dtype=np.int64)
        for rows in self.cohort_rows:
            self.pos_in_cohort[rows] = np.arange(rows.size)

    # ------------------------------------------------------------------ cached per-cohort arrays
    def sorted_cohort(self, j: int, g: int) -> tuple[np.ndarray, np.ndarray]:
        """(direction-applied treated values sorted ascending, their row indices) in cohort g."""
        key = (j, g)
        if key not in self._sorted:
            rows = self.cohort_rows[g]
            u = self.treated[rows, j] * self.h.direction[self.inds[j]]
            ok = ~np.isnan(u)
            rows, u = rows[ok], u[ok]
            o = np.argsort(u, kind="stable")
            self._sorted[key] = (u[o], rows[o])
        return self._sorted[key]

    def limit_scores(self, j: int, g: int) -> np.ndarray:
        """Sorted scores the units of stage g tend to when another unit's value of indicator j goes to
        infinity under a min-max-type normaliser (their normalised value falls to the scale's bottom
        L): ``base + bonus - penalty + b e_j (L - y_j)`` (arithmetic aggregation)."""
        key = (j, g)
        if key not in self._limit:
            m = self.spec.normaliser_for(self.inds[j])
            lo = {"minmax": float(m.get("lower", 0.0)), "efficacy": 60.0}.get(m.get("method"), 0.0)
            rows = self.stage_rows[g]
            y = self.norm[rows, j]
            e = self.eff[rows, j]
            drop = np.where(np.isnan(y) | (e == 0), 0.0, self.spec.base_factor * e * (lo - np.nan_to_num(y)))
            lim = self.base[rows] + self.bonus[rows] - self.penalty[rows] + drop
            lim = lim[~np.isnan(self.score[rows])]
            self._limit[key] = np.sort(lim)
        return self._limit[key]

    def rows_above(self, r: int, s: float) -> np.ndarray:
        """Rows of unit r's stage whose current score is above ``s``."""
        g = self.grp_code[r]
        return self.stage_by_score[g][int(np.searchsorted(self.stage_sorted[g], s, side="right")):]

    def fit(self, j: int, r: int) -> NormaliserFit:
        return self.result.normaliser_fits[(self.inds[j], self.cohort_labels[self.cohort_code[r]]
                                            if self.result.cohort_column is not None else ALL_COHORTS)]

    # ------------------------------------------------------------------ scoring pieces
    def _finish(self, top: np.ndarray, r: int) -> np.ndarray:
        s = top * self.spec.base_factor + self.bonus[r] - self.penalty[r]
        if self.spec.floor is not None:
            s = np.where(np.isnan(s), np.nan, np.maximum(s, self.spec.floor))
        if self.spec.ceiling is not None:
            s = np.where(np.isnan(s), np.nan, np.minimum(s, self.spec.ceiling))
        return s

    def own_scores(self, r: int, j: int, y: np.ndarray, *, precise: bool = False) -> np.ndarray:
        """Unit r's score with indicator j's normalised value set to each of ``y`` (others fixed).

        ``precise`` evaluates through the engine's ``aggregate_tree`` (bit-identical to a re-run);
        otherwise arithmetic trees use the linear form ``top0 + e (y - y0)`` (equal up to round-off).
        """
        y = np.atleast_1d(np.asarray(y, dtype=float))
        m = y.size
        if not precise and self.arithmetic and not np.isnan(self.norm[r, j]) and not np.isnan(self.top[r]):
            top = self.top[r] + self.eff[r, j] * (y - self.norm[r, j])
            return self._finish(top, r)
        cols = {c: np.full(m, self.norm[r, k]) for k, c in enumerate(self.inds)}
        cols[self.inds[j]] = y
        aggs, _ = aggregate_tree(cols, self.h, self.spec, self.result.stage_weights, None, warnings=[],
                                 want_effective=False, stage_codes=np.zeros(m, dtype=np.int64),
                                 stage_labels=[str(self.weight_key[r])])
        return self._finish(aggs[self.h.top], r)

    def _rescore(self, rows: np.ndarray, j: int, y_new: np.ndarray, *, precise: bool = False) -> np.ndarray:
        """New scores of other units ``rows`` whose indicator j's normalised value becomes ``y_new``."""
        if rows.size == 0:
            return np.zeros(0)
        if self.arithmetic and not precise:
            y_old = self.norm[rows, j]
            dy = np.where(np.isnan(y_old) | np.isnan(y_new), 0.0, y_new - y_old)
            base = self.base[rows] + self.spec.base_factor * self.eff[rows, j] * dy
            s = base + self.bonus[rows] - self.penalty[rows]
        else:
            cols = {c: self.norm[rows, k] for k, c in enumerate(self.inds)}
            cols[self.inds[j]] = np.where(np.isnan(self.norm[rows, j]), np.nan, y_new)
            keys = [str(self.weight_key[r]) for r in rows]
            labels, codes = _codes(pl.Series(keys, dtype=pl.String))
            aggs, _ = aggregate_tree(cols, self.h, self.spec, self.result.stage_weights, None, warnings=[],
                                     want_effective=False, stage_codes=codes, stage_labels=labels)
            s = aggs[self.h.top] * self.spec.base_factor + self.bonus[rows] - self.penalty[rows]
        if self.spec.floor is not None:
            s = np.where(np.isnan(s), np.nan, np.maximum(s, self.spec.floor))
        if self.spec.ceiling is not None:
            s = np.where(np.isnan(s), np.nan, np.minimum(s, self.spec.ceiling))
        return s

    def stage_rank_for(self, r: int, s_new: float, changed_rows: np.ndarray | None = None,
                       changed_scores: np.ndarray | None = None) -> int:
        """StageRank (ties "min") unit r would have with score ``s_new``; other units keep their
        scores except ``changed_rows`` which get ``changed_scores``."""
        g = self.grp_code[r]
        arr = self.stage_sorted[g]
        cnt = arr.size - int(np.searchsorted(arr, s_new, side="right"))
        if not np.isnan(self.score[r]) and self.score[r] > s_new:
            cnt -= 1
        if changed_rows is not None and changed_rows.size:
            inst = self.grp_code[changed_rows] == g
            old = self.score[changed_rows][inst]
            new = changed_scores[inst]
            cnt -= int(np.sum(old > s_new))
            cnt += int(np.sum(new > s_new))
        return cnt + 1

    def tier_for(self, r: int, stage_rank: int) -> str | None:
        size = self.stage_sorted[self.grp_code[r]].size
        for name, cut in self.spec.tiers:
            if stage_rank <= math.ceil(size * cut - 1e-9):
                return name
        return None

    # ------------------------------------------------------------------ raw <-> treated
    def t_from_raw(self, r: int, j: int, x: float) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.float64(x) / self.denv[r, j] * self.den_scale[j]
        return float(self.result.treat_value(self.inds[j], z))

    def raw_from_t(self, r: int, j: int, t: float) -> tuple[float | None, str | None]:
        """Raw value whose treated value is ``t`` (None + reason when the treatment caps it)."""
        tf = self.result.treatment_fits.get(self.inds[j])
        z = t
        if tf:
            if tf.get("logged"):
                z = math.exp(t) + tf["log_min"] - tf["log_shift"]
            else:
                lo = tf.get("lower_bound", -math.inf)
                hi = tf.get("upper_bound", math.inf)
                lo = -math.inf if lo is None or (isinstance(lo, float) and math.isnan(lo)) else lo
                hi = math.inf if hi is None or (isinstance(hi, float) and math.isnan(hi)) else hi
                if t > hi or t < lo:
                    return None, "capped_by_treatment"
        dv = self.denv[r, j]
        if not np.isfinite(dv) or dv == 0:
            return None, "no denominator"
        return float(z / self.den_scale[j] * dv), None

    def treatment_changes(self, r: int, j: int, x: float) -> bool:
        """Would the outlier treatment of indicator j be fitted differently with unit r's raw value x?"""
        conf = self.spec.treat
        code = self.inds[j]
        if conf["method"] == "none" or code in conf["exclude"]:
            return False
        col = self.den[:, j].copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            col[r] = np.float64(x) / self.denv[r, j] * self.den_scale[j]
        _, det = treat_indicator(col, conf)
        old = self.result.treatment_fits.get(code)
        if not det["treated"]:
            return bool(old)
        if not old:
            return True
        keys = ("logged", "lower_bound", "upper_bound", "log_min", "log_shift")

        def same(a, b) -> bool:
            a = np.nan if a is None else float(a)
            b = np.nan if b is None else float(b)
            return a == b or (np.isnan(a) and np.isnan(b))
        return not all(same(det[k], old.get(k)) for k in keys)

    # ------------------------------------------------------------------ exact evaluation
    def exact(self, r: int, j: int, t_new: float, *, precise: bool = False) -> tuple[float, int, bool, float]:  # noqa: PLR0912, PLR0915
        """Score, stage rank, whether the cohort's fit changed, and own normalised value, when unit
        r's treated value of indicator j becomes ``t_new`` and the cohort's normaliser is refitted as
        a re-run would refit it (other units' values unchanged)."""
        code = self.inds[j]
        fit = self.fit(j, r)
        d = self.h.direction[code]
        t_old = self.treated[r, j]
        g = self.cohort_code[r]
        svals, srows = self.sorted_cohort(j, g)
        if fit.method in RANK_METHODS:
            ref = fit.reference
            u_new = d * t_new
            if not np.isnan(t_old):
                u_old = d * t_old
                ref2 = np.delete(ref, int(np.searchsorted(ref, u_old, side="left")))
            else:
                u_old = math.nan
                ref2 = ref
            ref2 = np.insert(ref2, int(np.searchsorted(ref2, u_new)), u_new)
            if precise:  # the engine's own fit on the new values (O(n log n))
                nf = fit_normaliser(d * ref2, self.spec.normaliser_for(code), d, self.h.target[code], code)
            else:  # the same fit without re-sorting: reference updated, degenerate case as the engine's
                nf = replace(fit, reference=ref2, n=int(ref2.size), params=dict(fit.params), degenerate=None)
                if fit.method == "percentile_rank" and ref2[0] == ref2[-1]:
                    nf.params["midpoint"] = 0.5 * fit.params["scale"]
                    nf.degenerate = "zero range"
            if np.isnan(u_old) and fit.method == "percentile_rank":
                aff = srows
            elif np.isnan(u_old):
                aff = srows[np.searchsorted(svals, u_new, side="left"):]
            else:
                a = int(np.searchsorted(svals, min(u_old, u_new), side="left"))
                b = int(np.searchsorted(svals, max(u_old, u_new), side="right"))
                aff = srows[a:b]
            altered = True
        else:
            rows = self.cohort_rows[g]
            tc = self.treated[rows, j].copy()
            tc[self.pos_in_cohort[r]] = t_new
            nf = fit_normaliser(tc, self.spec.normaliser_for(code), d, self.h.target[code], code)
            altered = nf.params != fit.params or nf.degenerate != fit.degenerate
            aff = rows if altered else rows[:0]
        y_own = float(nf.apply(t_new))
        s_own = float(self.own_scores(r, j, np.array([y_own]), precise=precise)[0])
        if aff.size and self._only_down(fit, nf, d):
            # every other unit's normalised value can only fall: only those above the unit's new
            # score can matter for its stage rank
            aff = self.rows_above(r, s_own)
            if self.result.cohort_column not in (None, "stage"):
                aff = aff[self.cohort_code[aff] == g]
        aff = aff[aff != r]
        if aff.size:
            y_aff = np.asarray(nf.apply(self.treated[aff, j]), dtype=float)
            old = self.norm[aff, j]
            ch = ~((y_aff == old) | (np.isnan(y_aff) & np.isnan(old)))
            aff, y_aff = aff[ch], y_aff[ch]
            new_scores = self._rescore(aff, j, y_aff)
            if precise and self.arithmetic and aff.size:
                # only scores within round-off of the unit's own can flip the count: recompute those
                # through the engine's aggregation
                near = np.abs(new_scores - s_own) <= 1e-9 * max(1.0, abs(s_own))
                if near.any():
                    new_scores[near] = self._rescore(aff[near], j, y_aff[near], precise=True)
        else:
            new_scores = np.zeros(0)
        rank = self.stage_rank_for(r, s_own, aff, new_scores)
        return s_own, rank, altered, y_own

    @staticmethod
    def _only_down(fit: NormaliserFit, nf: NormaliserFit, d: float) -> bool:
        """True when the refit can only lower every other unit's normalised value."""
        if fit.degenerate or nf.degenerate or fit.method != nf.method:
            return False
        p, q = fit.params, nf.params
        if fit.method in MINMAX_LIKE:
            return q["hi"] >= p["hi"] and q["lo"] >= p["lo"] and q["lo"] <= p["hi"]
        if fit.method == "fraction_of_max" and d == 1.0:
            return q["ref"] >= p["ref"] > 0
        return False

    def fixed_ok(self, r: int, j: int, t_new: float) -> bool:
        """True when substituting ``t_new`` leaves the cohort's fitted parameters unchanged."""
        fit = self.fit(j, r)
        m = fit.method
        if m in FIXED_PARAMS or fit.empty:
            return m in FIXED_PARAMS
        if m in RANK_METHODS or m == "zscore":
            return t_new == self.treated[r, j]
        if fit.degenerate:
            return False
        d = self.h.direction[self.inds[j]]
        svals, _ = self.sorted_cohort(j, self.cohort_code[r])
        if not np.isnan(self.treated[r, j]):  # drop one copy of the unit's own value
            if svals.size < 2:
                return False
            k = int(np.searchsorted(svals, d * self.treated[r, j], side="left"))
            lo_o = svals[1] if k == 0 else svals[0]
            hi_o = svals[-2] if k == svals.size - 1 else svals[-1]
        else:
            if svals.size == 0:
                return False
            lo_o, hi_o = svals[0], svals[-1]
        u = d * t_new
        lo_n, hi_n = min(lo_o, u), max(hi_o, u)
        if m in MINMAX_LIKE:
            return lo_n == fit.params["lo"] and hi_n == fit.params["hi"]
        if m == "dist_to_target":
            return lo_n == fit.params["lo"]
        if m == "fraction_of_max":  # ref = max raw value (direction +1) or min raw value (-1)
            return (hi_n if d == 1.0 else -hi_n) == fit.params["ref"]
        return False

    # ------------------------------------------------------------------ public
    def explain(self, ucode: str, *, points: float | None = 5.0, whatif: bool = True,
                top_n: int = 3) -> Explanation:
        """Explain unit ``ucode``; what-if for the next tier and (when ``points``) for +points."""
        if ucode not in self.row:
            raise KeyError(f"unit {ucode!r} is not in the scored result (excluded or unknown)")
        r = self.row[ucode]
        inds: list[IndicatorExplanation] = []
        pct = {}
        for j, c in enumerate(self.inds):
            g = self.cohort_code[r]
            svals, _ = self.sorted_cohort(j, g)
            t = self.treated[r, j]
            p = None
            if not np.isnan(t) and svals.size:
                u = self.h.direction[c] * t
                less = int(np.searchsorted(svals, u, side="left"))
                eq = int(np.searchsorted(svals, u, side="right")) - less
                p = 50.0 if svals.size == 1 else 100.0 * (less + 0.5 * (eq - 1)) / (svals.size - 1)
            pct[c] = p
            y = self.norm[r, j]
            e = float(self.eff[r, j])
            pts = e * y * self.spec.base_factor if not np.isnan(y) else None
            inds.append(IndicatorExplanation(
                code=c, raw=_f(self.raw[r, j]), denominated=_f(self.den[r, j]), treated=_f(t),
                normalised=_f(y), effective_weight=e, points=_f(pts) if pts is not None else None,
                percentile=p, cohort=self.cohort_labels[g]))
        weighted = [c for c, ie in zip(self.inds, inds, strict=True)
                    if ie.effective_weight > 0 and pct[c] is not None]
        by_pct = sorted(weighted, key=lambda c: (-pct[c], c))
        strengths = by_pct[:top_n]
        weaknesses = sorted(weighted, key=lambda c: (pct[c], c))[:top_n]
        cur_tier = self.tier[r]
        tier_names = [t for t, _ in self.spec.tiers]
        ti = tier_names.index(cur_tier) if cur_tier in tier_names else len(tier_names)
        next_tier = tier_names[ti - 1] if ti > 0 and tier_names else None
        g = self.grp_code[r]
        exp = Explanation(
            uCode=ucode, stage=self.stage[r], cohort=self.cohort_labels[self.cohort_code[r]],
            score=_f(self.score[r]), base=_f(self.base[r]), bonus=float(self.bonus[r]),
            penalty=float(self.penalty[r]), rank=self.rank[r], stage_rank=self.stage_rank[r],
            stage_size=int(self.stage_sorted[g].size), tier=cur_tier, next_tier=next_tier,
            indicators=inds, strengths=strengths, weaknesses=weaknesses, whatif=[])
        if not whatif:
            return exp
        self._pending = []
        try:
            for j in range(len(self.inds)):
                if next_tier is not None:
                    exp.whatif.append(self.whatif(r, j, "tier", next_tier))
                if points is not None:
                    exp.whatif.append(self.whatif(r, j, "points", points))
            self._verify_pending()
        finally:
            self._pending = None
        return exp

    # ------------------------------------------------------------------ what-if
    def whatif(self, r: int, j: int, target: str, value: Any) -> WhatIf:  # noqa: C901, PLR0912, PLR0915
        """Smallest raw change of indicator j for unit row r reaching a tier (``value`` = tier name)
        or ``value`` more points."""
        code = self.inds[j]
        s0 = self.score[r]
        x0 = self.raw[r, j]
        w = WhatIf(indicator=code, target=target, target_value=value, status="not_applicable",
                   current_raw=_f(x0))
        if np.isnan(s0):
            w.notes.append("the unit has no score")
            return w
        if code in self.stage_cols:
            w.notes.append(f"{code} is also a stage-band column: the stage is held fixed")
        if code in self.den_col.values():
            w.notes.append(f"{code} is also a denominator of other indicators: they are held fixed")
        if target == "tier":
            k_cut = math.ceil(self.stage_sorted[self.grp_code[r]].size * dict(self.spec.tiers)[value] - 1e-9)
            w.target_value = value
            if self.stage_rank[r] is not None and self.stage_rank[r] <= k_cut:
                w.status = "already"
                return w
            arr = self.stage_sorted[self.grp_code[r]]
            if k_cut < 1:
                w.notes.append(f"tier {value!r} holds no unit in a stage of {arr.size}")
                return w
            T = float(arr[arr.size - k_cut])  # the k-th best score among the others

            def cond_fixed(s: float, rank: int) -> bool:
                return rank <= k_cut
        else:
            T = float(s0 + float(value))
            w.target_value = T
            if float(value) <= 0:
                w.status = "already"
                return w

            def cond_fixed(s: float, rank: int) -> bool:
                return s >= T
        fit = self.fit(j, r)
        d = self.h.direction[code]
        if fit.empty:
            w.status = "unreachable"
            w.notes.append("no data for this indicator in the cohort")
            return w
        if fit.method in RANK_METHODS:
            return self._search_rank(r, j, w, cond_fixed)
        # ---- step 1: the required normalised value with the fitted parameters fixed
        y0 = self.norm[r, j]
        svals, _ = self.sorted_cohort(j, self.cohort_code[r])
        u_hi = svals[-1] if svals.size else math.nan
        if fit.method in MINMAX_LIKE or fit.method == "fraction_of_max":
            y_cap = float(fit.apply(d * u_hi)) if not fit.degenerate else math.nan
        elif fit.method in ("goalposts", "dist_to_target", "capped_ratio"):
            y_cap = float(fit.params.get("scale", 1.0)) if fit.method != "dist_to_target" or fit.params.get(
                "cap", True) else math.inf
        else:
            y_cap = math.inf
        y_start = y0 if not np.isnan(y0) else (float(fit.apply(d * svals[0])) if svals.size else 0.0)
        y_req = None
        if fit.degenerate or fit.method == "zscore":
            y_req = None  # every change refits: go to the exact search
        elif self.arithmetic and not np.isnan(y0) and self.eff[r, j] > 0:
            top_req = (T - self.bonus[r] + self.penalty[r]) / self.spec.base_factor
            y_req = y0 + (top_req - self.top[r]) / self.eff[r, j]
        else:
            hi = y_cap if np.isfinite(y_cap) else max(abs(y_start), 1.0) * 1e6
            y_req = _bisect_vec(lambda ys: self.own_scores(r, j, ys) >= T, y_start, hi)
            if y_req is None:
                y_req = math.inf
        if target == "points" and (fit.method in MINMAX_LIKE or fit.method == "fraction_of_max") \
                and np.isfinite(y_cap) and y_req > y_cap:
            w.status = "unreachable"
            w.notes.append(f"the normalised value saturates at {y_cap:g} (the cohort maximum); beyond it the "
                           "scale changes but the unit's own value stays at the top")
            return w
        t_req = None
        if y_req is not None and np.isfinite(y_req) and y_req <= y_cap * (1 + 1e-12) + 1e-12:
            y_req = min(y_req, y_cap)
            try:
                t_req = float(fit.invert(y_req))
            except ValueError:
                t_req = None
        if t_req is not None and self.fixed_ok(r, j, t_req):
            w.method = "closed form" if self.arithmetic else "bisection"
            return self._finalise(r, j, w, t_req, cond_fixed, exact=False)
        # ---- step 2: the cohort's parameters change -> exact search on refitted evaluations
        if fit.method in ("goalposts", "capped_ratio", "dist_to_target") and y_req is not None \
                and y_req > y_cap:
            w.status = "unreachable"
            w.notes.append(f"the normalised value is capped at {y_cap:g} ({fit.method})")
            return w
        return self._search_continuous(r, j, w, cond_fixed, t_req)

    def _verify_pending(self) -> None:
        """Forward-check every deferred fixed-parameter proposal through the engine's aggregation in
        one vectorised call; a proposal that fails (round-off) is redone one by one."""
        pending, self._pending = self._pending or [], None
        if not pending:
            return
        r = pending[0][1]
        rows = np.array([self.norm[r]] * len(pending))
        for k, (_, rr, j, _, t, _, _) in enumerate(pending):
            rows[k, j] = float(self.fit(j, rr).apply(t))
        cols = {c: rows[:, k] for k, c in enumerate(self.inds)}
        aggs, _ = aggregate_tree(cols, self.h, self.spec, self.result.stage_weights, None, warnings=[],
                                 want_effective=False, stage_codes=np.zeros(len(pending), dtype=np.int64),
                                 stage_labels=[str(self.weight_key[r])])
        scores = self._finish(aggs[self.h.top], r)
        for k, (w, rr, j, x, _, t_req, cond) in enumerate(pending):
            s = float(scores[k])
            rank = self.stage_rank_for(rr, s)
            if cond(s, rank):
                self._accept(rr, j, w, x, (s, rank, False, float(rows[k, j])))
            else:
                self._finalise(rr, j, w, t_req, cond, exact=False)

    def _cond_exact(self, r: int, j: int, t: float, cond, precise: bool = False) -> tuple[bool, tuple]:
        s, rank, altered, y = self.exact(r, j, t, precise=precise)
        return cond(s, rank), (s, rank, altered, y)

    def _search_continuous(self, r: int, j: int, w: WhatIf, cond, t_hint: float | None) -> WhatIf:
        code = self.inds[j]
        d = self.h.direction[code]
        w.method = "exact refit, bisection"
        w.alters_cohort = True
        w.notes.append("the change alters the cohort's fitted normaliser; evaluated by refitting it")
        t0 = self.treated[r, j]
        svals, _ = self.sorted_cohort(j, self.cohort_code[r])
        u0 = d * t0 if not np.isnan(t0) else (svals[0] if svals.size else 0.0)
        span = (svals[-1] - svals[0]) if svals.size > 1 else max(abs(u0), 1.0)
        span = span if span > 0 else max(abs(u0), 1.0)
        lo = u0
        if not np.isnan(t0) and cond(self.score[r], self.stage_rank[r]):
            w.status = "already"
            return w
        closed = self._beyond_max_closed_form(r, j, w, cond, u0, svals)
        if closed is not None:
            return closed
        hi = max(u0, d * t_hint) if t_hint is not None else u0 + span / 4
        if hi <= lo:
            hi = lo + span / 4
        ok = False
        for _ in range(80):
            ok = self._cond_exact(r, j, d * hi, cond)[0]
            if ok:
                break
            lo = hi
            hi = u0 + (hi - u0) * 2.0 + span
            if not math.isfinite(hi):
                break
        if not ok:
            w.status = "unreachable"
            w.notes.append("no value of this indicator alone reaches the target")
            return w
        for _ in range(200):
            mid = lo + (hi - lo) / 2.0
            if mid <= lo or mid >= hi:
                break
            if self._cond_exact(r, j, d * mid, cond)[0]:
                hi = mid
            else:
                lo = mid
        return self._finalise(r, j, w, d * hi, cond, exact=True)

    def _beyond_max_closed_form(self, r: int, j: int, w: WhatIf, cond, u0: float, svals: np.ndarray):  # noqa: C901, PLR0912, PLR0915
        """Tier target beyond the cohort's maximum under a min-max-type normaliser and arithmetic
        aggregation, solved in closed form (None when not applicable).

        For u' above the other units' maximum the unit's own normalised value stays at the top of the
        scale while every other unit v of the cohort falls to ``L + (u_v - lo) R / (u' - lo)``; its
        score crosses the unit's (constant) score at ``lo + (u_v - lo) R / g_v`` with
        ``g_v = (S* - s_v) / (b e_v) + y_v - L``. The answer is the (k - n_never)-th largest crossing.
        """
        if w.target != "tier" or not self.arithmetic:
            return None
        fit = self.fit(j, r)
        code = self.inds[j]
        d = self.h.direction[code]
        m = fit.method
        if m not in MINMAX_LIKE or fit.degenerate or svals.size < 2 or self.result.cohort_column not in (
                None, "stage"):
            return None
        own_valid = not np.isnan(self.treated[r, j])
        if own_valid:
            k_own = int(np.searchsorted(svals, u0, side="left"))
            lo_o = svals[1] if k_own == 0 else svals[0]
            hi_o = svals[-2] if k_own == svals.size - 1 else svals[-1]
        else:
            lo_o, hi_o = svals[0], svals[-1]
        if hi_o <= lo_o:
            return None
        if own_valid and k_own == 0 and svals[0] < svals[1]:
            ok_hi, _ = self._cond_exact(r, j, d * hi_o, cond)  # the unit holds the minimum: lo moves
        else:  # at the others' maximum nothing is refitted: the unit reaches the top of the scale
            s_top = float(self.own_scores(r, j, np.array([float(fit.apply(d * hi_o))]))[0])
            ok_hi = cond(s_top, self.stage_rank_for(r, s_top))
        if ok_hi:
            return None  # the answer is inside the cohort's range: bisection handles it
        p = fit.params
        if m == "minmax":
            L, R = p["lower"], p["upper"] - p["lower"]
        elif m == "efficacy":
            L, R = 60.0, 40.0
        else:
            L, R = 0.0, p["scale"]
        k_cut = math.ceil(self.stage_sorted[self.grp_code[r]].size * dict(self.spec.tiers)[w.target_value] - 1e-9)
        s_star = float(self.own_scores(r, j, np.array([L + R]))[0])
        if self.spec.ceiling is None or s_star < self.spec.ceiling:
            # O(log n) test: even with the value at infinity, do k or more other units stay above?
            lim = self.limit_scores(j, self.grp_code[r])
            above_inf = lim.size - int(np.searchsorted(lim, s_star, side="right"))
            y_r, e_r = self.norm[r, j], self.eff[r, j]
            own_lim = self.base[r] + self.bonus[r] - self.penalty[r] + (
                0.0 if np.isnan(y_r) or e_r == 0 else self.spec.base_factor * e_r * (L - y_r))
            if not np.isnan(self.score[r]) and own_lim > s_star:
                above_inf -= 1
            if above_inf > k_cut - 1 + 1:  # one unit of slack for round-off: the exact count decides
                w.status = "unreachable"
                w.alters_cohort = True
                w.method = "exact refit, closed form beyond the cohort maximum"
                w.notes.append(f"even far beyond the cohort maximum {above_inf} other units stay above "
                               f"(the tier admits {k_cut})")
                return w
        rows = self.rows_above(r, s_star)  # only units above S* can stay above it
        rows = rows[rows != r]
        sv = self.score[rows]
        u_v = d * self.treated[rows, j]
        c_v = self.spec.base_factor * self.eff[rows, j]
        t_v = self.base[rows] + self.bonus[rows] - self.penalty[rows]
        y0 = self.norm[rows, j]
        active = (~np.isnan(u_v)) & (c_v > 0) & (~np.isnan(sv))
        const_above = int(np.sum((~active) & (sv > s_star)))
        ua, ca, ta, ya = u_v[active], c_v[active], t_v[active], y0[active]
        g = (s_star - ta) / ca + ya - L
        at_lo = ua - lo_o <= 0
        never = int(np.sum(at_lo & (g < 0))) + int(np.sum(~at_lo & (g <= 0)))
        cross = lo_o + (ua - lo_o) * R / np.where(g > 0, g, np.inf)
        cross = cross[~at_lo & (g > 0)]
        room = k_cut - 1 - never - const_above
        if room < 0:
            w.status = "unreachable"
            w.alters_cohort = True
            w.method = "exact refit, closed form beyond the cohort maximum"
            w.notes.append("even far beyond the cohort maximum too many units stay above")
            return w
        if room < cross.size:  # the (room + 1)-th largest crossing
            u_req = max(hi_o, float(np.partition(cross, cross.size - 1 - room)[cross.size - 1 - room]))
        else:
            u_req = hi_o
        w.method = "exact refit, closed form beyond the cohort maximum"
        w.alters_cohort = True
        w.notes.append("beyond the cohort maximum the scale stretches: the unit's normalised value stays at "
                       "the top and the others' fall; solved exactly by refitting")
        return self._finalise(r, j, w, d * u_req, cond, exact=True)

    def _search_rank(self, r: int, j: int, w: WhatIf, cond) -> WhatIf:
        code = self.inds[j]
        d = self.h.direction[code]
        w.method = "exact, rank candidates"
        w.alters_cohort = True
        t0 = self.treated[r, j]
        svals, _ = self.sorted_cohort(j, self.cohort_code[r])
        u0 = d * t0 if not np.isnan(t0) else -math.inf
        above = np.unique(svals[svals > u0])
        if above.size == 0:
            w.status = "unreachable"
            w.notes.append("already the best value in the cohort")
            return w
        # candidates in increasing order: u0+, v_1, v_1+, v_2, v_2+, ... (x+ = the next float above x:
        # leaving a tie with the unit's current value, tying with v, passing v)
        cands = np.empty(above.size * 2)
        cands[0::2] = above
        cands[1::2] = np.nextafter(above, np.inf)
        if np.isfinite(u0):
            cands = np.concatenate([[np.nextafter(u0, np.inf)], cands])
        lo, hi = -1, cands.size - 1
        if not self._cond_exact(r, j, d * cands[hi], cond)[0]:
            w.status = "unreachable"
            w.notes.append("even the best value in the cohort does not reach the target")
            return w
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._cond_exact(r, j, d * cands[mid], cond)[0]:
                hi = mid
            else:
                lo = mid
        shift = 1 if np.isfinite(u0) else 0
        if (hi - shift) % 2 == 1 or hi < shift:
            w.strict = True
            ref_v = u0 if hi < shift else above[(hi - shift) // 2]
            w.notes.append(f"any value strictly better than {d * ref_v:.10g} (treated scale) ranks the "
                           "same; the smallest such float is given")
        w.notes.append("rank-based normaliser: the other units' ranks are updated as a re-run would")
        return self._finalise(r, j, w, d * cands[hi], cond, exact=True)

    def _finalise(self, r: int, j: int, w: WhatIf, t_req: float, cond, *, exact: bool) -> WhatIf:
        d = self.h.direction[self.inds[j]]
        x, why = self.raw_from_t(r, j, t_req)
        if x is None:
            w.status = why or "unreachable"
            if why == "capped_by_treatment":
                w.notes.append("it needs a value beyond the fitted winsorisation bound; a re-run would "
                               "re-fit the outlier treatment")
            return w

        integral = self.inds[j] in self.integral
        if integral:
            x = float(math.ceil(x - 1e-9 * max(1.0, abs(x)))) if d > 0 else \
                float(math.floor(x + 1e-9 * max(1.0, abs(x))))

        def check(xv: float):
            t = self.t_from_raw(r, j, xv)
            if exact or not self.fixed_ok(r, j, t):
                return self._cond_exact(r, j, t, cond, precise=True)
            y = float(self.fit(j, r).apply(t))
            s = float(self.own_scores(r, j, np.array([y]), precise=True)[0])
            rank = self.stage_rank_for(r, s)
            return cond(s, rank), (s, rank, False, y)

        if not exact and self._pending is not None:
            t = self.t_from_raw(r, j, x)
            if self.fixed_ok(r, j, t):  # verified later, all at once (see _verify_pending)
                w.status = "pending"
                self._pending.append((w, r, j, x, t, t_req, cond))
                return w
        ok, info = check(x)
        step = 0
        while not ok and step < 60:
            # round-off: step towards the good direction by growing multiples of one ulp
            gap = 1.0 if integral else abs(np.spacing(x)) * (2.0 ** step)
            x = x + d * gap
            ok, info = check(x)
            step += 1
        if not ok:
            w.status = "unreachable"
            w.notes.append("the proposed value failed its forward check")
            return w
        return self._accept(r, j, w, x, info)

    def _accept(self, r: int, j: int, w: WhatIf, x: float, info: tuple) -> WhatIf:
        s, rank, altered, y = info
        x0 = self.raw[r, j]
        w.status = "ok"
        w.required_raw = float(x)
        w.delta = _f(x - x0) if not np.isnan(x0) else None
        w.relative_delta = _f((x - x0) / abs(x0)) if not np.isnan(x0) and x0 != 0 else None
        w.required_normalised = _f(y)
        w.new_score = _f(s)
        w.new_stage_rank = int(rank)
        w.new_tier = self.tier_for(r, rank)
        w.alters_cohort = w.alters_cohort or bool(altered)
        if self.check_treatment:
            w.alters_treatment = self.treatment_changes(r, j, x)
            if w.alters_treatment:
                w.notes.append("a re-run would fit the outlier treatment differently with this value")
        b = self.bounds.get(self.inds[j])
        if b is not None and not (b[0] <= x <= b[1]):
            w.status = "beyond_valid_range"
            w.notes.append(f"the required value is outside the indicator's valid range [{b[0]:g}, {b[1]:g}]")
        return w


def _codes(s: pl.Series) -> tuple[list[str], np.ndarray]:
    labels = s.unique(maintain_order=True).to_list()
    pos = {v: i for i, v in enumerate(labels)}
    if len(labels) == 1:
        return [str(labels[0])], np.zeros(s.len(), dtype=np.int64)
    codes = s.replace_strict(pos, return_dtype=pl.Int64).to_numpy()
    return [str(x) for x in labels], codes.astype(np.int64)


def _bisect_vec(pred, lo: float, hi: float, points: int = 33, rounds: int = 12) -> float | None:
    """Smallest y in [lo, hi] with pred(y) true for a monotone pred, by refining a grid."""
    if not pred(np.array([hi]))[0]:
        return None
    if pred(np.array([lo]))[0]:
        return lo
    for _ in range(rounds):
        grid = np.linspace(lo, hi, points)
        ok = pred(grid)
        k = int(np.argmax(ok))
        lo, hi = grid[max(k - 1, 0)], grid[k]
        if hi - lo <= abs(hi) * 1e-15:
            break
    return float(hi)
