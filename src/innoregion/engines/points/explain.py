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

    def __init__(self, result: PipelineResult, data: pl.DataFrame):
        self.result = result
        self.spec = result.spec
        h = self.h = result.hierarchy
        self.inds = list(h.indicators)
        self.col = {c: j for j, c in enumerate(self.inds)}
        ucode = result.normalised["uCode"].cast(pl.String)
        self.ucodes = ucode.to_list()
        self.row = {u: i for i, u in enumerate(self.ucodes)}
        n = self.n = len(self.ucodes)

        def mat(tab: pl.DataFrame) -> np.ndarray:
            t = tab.select(pl.col(self.inds).cast(pl.Float64))
            return t.to_numpy().astype(float, copy=True) if n else np.zeros((0, len(self.inds)))

        self.raw = mat(result.raw)
        self.den = mat(result.denominated)
        self.treated = mat(result.treated)
        self.norm = mat(result.normalised)
        self.eff = np.nan_to_num(mat(result.effective_weights), nan=0.0)

        d = data
        if "Time" in d.columns:
            times = d["Time"].drop_nulls().unique().sort()
            period = times[-1] if self.spec.time in (None, "latest") else self.spec.time
            d = d.filter(pl.col("Time") == period)
        d = d.with_columns(pl.col("uCode").cast(pl.String))
        aligned = pl.DataFrame({"uCode": ucode}).join(d, on="uCode", how="left", maintain_order="left")
        # raw -> denominated: raw / denv * scale (exactly as the pipeline), held fixed in what-if
        self.denv = np.ones((n, len(self.inds)))
        self.den_scale = np.ones(len(self.inds))
        conf = self.spec.denominate
        self.den_col: dict[str, str | None] = {}
        if conf["enabled"]:
            for c in self.inds:
                den = conf["denominators"].get(c, h.denominator.get(c))
                self.den_col[c] = den
                if den is not None and den in aligned.columns:
                    self.denv[:, self.col[c]] = aligned[den].cast(pl.Float64).to_numpy().astype(float)
                    self.den_scale[self.col[c]] = conf["scale"]
        self.stage_cols = {col for b in self.spec.stages for col in b.when}

        sc = result.scores
        bp = result.bonus_penalty
        self.score = sc["score"].cast(pl.Float64).fill_null(float("nan")).to_numpy().astype(float)
        self.base = bp["base"].cast(pl.Float64).fill_null(float("nan")).to_numpy().astype(float)
        self.bonus = bp["bonus"].cast(pl.Float64).to_numpy().astype(float)
        self.penalty = bp["penalty"].cast(pl.Float64).to_numpy().astype(float)
        self.rank = sc["Rank"].to_list()
        self.stage_rank = sc["StageRank"].to_list()
        self.tier = sc["tier"].to_list()
        self.top = sc[h.top].cast(pl.Float64).fill_null(float("nan")).to_numpy().astype(float)
        stage = sc["stage"]
        self.stage = stage.to_list()
        self.weight_key = stage.fill_null(ALL_COHORTS).to_list()
        grp = stage.fill_null(NO_STAGE)
        self.grp_labels, self.grp_code = _codes(grp)
        self.stage_sorted = []
        for g in range(len(self.grp_labels)):
            s = self.score[self.grp_code == g]
            self.stage_sorted.append(np.sort(s[~np.isnan(s)]))
        if result.cohort_column is None:
            cser = pl.Series([ALL_COHORTS] * n, dtype=pl.String)
        elif result.cohort_column == "stage":
            cser = grp
        else:
            cser = aligned[result.cohort_column].cast(pl.String).fill_null("(missing)")
        self.cohort_labels, self.cohort_code = _codes(cser)
        order = np.argsort(self.cohort_code, kind="stable")
        bounds = np.searchsorted(self.cohort_code[order], np.arange(len(self.cohort_labels) + 1))
        self.cohort_rows = [order[bounds[g]:bounds[g + 1]] for g in range(len(self.cohort_labels))]
        self.pos_in_cohort = np.empty(n, dtype=np.int64)
        for rows in self.cohort_rows:
            self.pos_in_cohort[rows] = np.arange(rows.size)
        self.arithmetic = all(self.spec.aggregator_for(lvl)["method"] == "arithmetic"
                              or (self.spec.aggregator_for(lvl)["method"] == "generalised"
                                  and self.spec.aggregator_for(lvl).get("p") == 1)
                              for lvl in sorted(h.levels)[1:])
        self._sorted: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        for j in range(len(self.inds)):
            for g in range(len(self.cohort_labels)):
                self.sorted_cohort(j, g)

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

    # ------------------------------------------------------------------ exact evaluation
    def exact(self, r: int, j: int, t_new: float, *, precise: bool = False) -> tuple[float, int, bool, float]:
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
        aff = aff[aff != r]
        y_own = float(nf.apply(t_new))
        s_own = float(self.own_scores(r, j, np.array([y_own]), precise=precise)[0])
        if aff.size:
            y_aff = np.asarray(nf.apply(self.treated[aff, j]), dtype=float)
            old = self.norm[aff, j]
            ch = ~((y_aff == old) | (np.isnan(y_aff) & np.isnan(old)))
            aff, y_aff = aff[ch], y_aff[ch]
            new_scores = self._rescore(aff, j, y_aff, precise=precise)
        else:
            new_scores = np.zeros(0)
        rank = self.stage_rank_for(r, s_own, aff, new_scores)
        return s_own, rank, altered, y_own

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
        for j in range(len(self.inds)):
            if next_tier is not None:
                exp.whatif.append(self.whatif(r, j, "tier", next_tier))
            if points is not None:
                exp.whatif.append(self.whatif(r, j, "points", points))
        return exp

    # ------------------------------------------------------------------ what-if
    def whatif(self, r: int, j: int, target: str, value: Any) -> WhatIf:
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
            if fit.method == "capped_ratio" and not self.spec.normaliser_for(code).get("cap", True):
                y_cap = math.inf
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
        if not np.isnan(t0) and self._cond_exact(r, j, d * lo, cond)[0]:
            w.status = "already"
            return w
        hi = max(u0, d * t_hint) if t_hint is not None else u0 + span / 4
        if hi <= lo:
            hi = lo + span / 4
        ok = False
        tf = self.result.treatment_fits.get(code)
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
        _ = tf
        return self._finalise(r, j, w, d * hi, cond, exact=True)

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

        def check(xv: float):
            t = self.t_from_raw(r, j, xv)
            if exact or not self.fixed_ok(r, j, t):
                return self._cond_exact(r, j, t, cond, precise=True)
            y = float(self.fit(j, r).apply(t))
            s = float(self.own_scores(r, j, np.array([y]), precise=True)[0])
            rank = self.stage_rank_for(r, s)
            return cond(s, rank), (s, rank, False, y)

        ok, info = check(x)
        step = 0
        while not ok and step < 60:
            # round-off: step towards the good direction by growing multiples of one ulp
            gap = abs(np.spacing(x)) * (2.0 ** step)
            x = x + d * gap
            ok, info = check(x)
            step += 1
        if not ok:
            w.status = "unreachable"
            w.notes.append("the proposed value failed its forward check")
            return w
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


def explain_unit(result: PipelineResult, data: pl.DataFrame, ucode: str, **kwargs) -> Explanation:
    """One-off convenience: ``Explainer(result, data).explain(ucode, **kwargs)``."""
    return Explainer(result, data).explain(ucode, **kwargs)
