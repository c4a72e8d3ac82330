"""Statistical audit of a points run (pure: Polars/NumPy): the checks of the OECD/JRC handbook.

- :func:`indicator_stats` -- per-indicator statistics and flags with COINr's ``get_stats`` columns
  (``Min, Max, Mean, Median, Std, Skew, Kurt, N.Avail, N.NonZero, N.Unique, N.Same, Frc.*, Flag.*``):
  ``Std`` is the sample standard deviation, ``Skew``/``Kurt`` the sample-adjusted skewness and
  excess kurtosis (Excel SKEW/KURT); ``N.Same`` is the count of the most frequent value; the ``Frc``
  columns divide by the number of units (availability) or by ``N.Avail`` (the others). Flags:
  availability ``LOW`` below ``t_avail`` (0.65), non-zero and unique fractions ``LOW`` below
  ``t_zero`` / ``t_unique`` (0.5), ``OUT`` when |skew| > ``t_skew`` (2) and kurtosis > ``t_kurt`` (3.5).
- :func:`correlations` -- Pearson correlation of each indicator (and aggregate) with its parent,
  and the pairwise correlations within each group (long form).
- :func:`cronbach_alpha` and :func:`group_reliability` -- Cronbach's alpha per group (complete cases)
  and the share of variance explained by each principal component of the group's correlation matrix.
- :func:`audit` -- all of it for a :class:`PipelineResult`, with a JSON-able summary.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from innoregion.engines.points.result import PipelineResult
from innoregion.engines.points.treat import excel_kurtosis, excel_skew

STATS_COLUMNS = ["iCode", "Min", "Max", "Mean", "Median", "Std", "Skew", "Kurt", "N.Avail", "N.NonZero",
                 "N.Unique", "N.Same", "Frc.Avail", "Frc.NonZero", "Frc.Unique", "Frc.Same", "Flag.Avail",
                 "Flag.NonZero", "Flag.Unique", "Flag.SkewKurt"]


def _nan(v: float) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


def indicator_stats(table: pl.DataFrame, codes: list[str] | None = None, *, t_avail: float = 0.65,
                    t_zero: float = 0.5, t_unique: float = 0.5, t_skew: float = 2.0,
                    t_kurt: float = 3.5) -> pl.DataFrame:
    """Per-column statistics and flags of ``table`` (every numeric column but ``uCode``/``codes``)."""
    if codes is None:
        codes = [c for c in table.columns if c != "uCode" and table[c].dtype.is_numeric()]
    n = table.height
    rows = []
    for c in codes:
        x = table[c].cast(pl.Float64).fill_nan(None).drop_nulls().to_numpy()
        na = x.size
        if na:
            vals, counts = np.unique(x, return_counts=True)
            n_unique, n_same = int(vals.size), int(counts.max())
            n_nonzero = int(np.count_nonzero(x))
            sd = float(np.std(x, ddof=1)) if na > 1 else math.nan
            sk, ku = excel_skew(x), excel_kurtosis(x)
            mn, mx, mean, med = float(x.min()), float(x.max()), float(x.mean()), float(np.median(x))
        else:
            n_unique = n_same = n_nonzero = 0
            sd = sk = ku = mn = mx = mean = med = math.nan
        frc_avail = na / n if n else math.nan

        def frc(k: int, na: int = na) -> float:
            return k / na if na else math.nan

        out = abs(sk) > t_skew and ku > t_kurt if math.isfinite(sk) and math.isfinite(ku) else False
        rows.append({
            "iCode": c, "Min": _nan(mn), "Max": _nan(mx), "Mean": _nan(mean), "Median": _nan(med),
            "Std": _nan(sd), "Skew": _nan(sk), "Kurt": _nan(ku), "N.Avail": na, "N.NonZero": n_nonzero,
            "N.Unique": n_unique, "N.Same": n_same, "Frc.Avail": _nan(frc_avail),
            "Frc.NonZero": _nan(frc(n_nonzero)), "Frc.Unique": _nan(frc(n_unique)),
            "Frc.Same": _nan(frc(n_same)),
            "Flag.Avail": "LOW" if frc_avail < t_avail else "ok",
            "Flag.NonZero": "LOW" if na and frc(n_nonzero) < t_zero else "ok",
            "Flag.Unique": "LOW" if na and frc(n_unique) < t_unique else "ok",
            "Flag.SkewKurt": "OUT" if out else "ok",
        })
    schema = {c: pl.Float64 for c in STATS_COLUMNS}
    schema.update({"iCode": pl.String, "N.Avail": pl.Int64, "N.NonZero": pl.Int64, "N.Unique": pl.Int64,
                   "N.Same": pl.Int64, "Flag.Avail": pl.String, "Flag.NonZero": pl.String,
                   "Flag.Unique": pl.String, "Flag.SkewKurt": pl.String})
    return pl.DataFrame(rows, schema=schema)


def _pearson(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    ok = ~(np.isnan(a) | np.isnan(b))
    k = int(ok.sum())
    if k < 3:
        return math.nan, k
    a, b = a[ok] - a[ok].mean(), b[ok] - b[ok].mean()
    den = math.sqrt(float(a @ a) * float(b @ b))
    return (float(a @ b) / den if den > 0 else math.nan), k


def correlations(result: PipelineResult) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(with_parent, within_group)``: Pearson correlations on the aggregated table.

    ``with_parent``: ``iCode, Parent, Level, r, n``. ``within_group``: ``group, i, j, r, n`` for each
    pair of children of each aggregate.
    """
    h = result.hierarchy
    agg = result.aggregated
    cols = {c: agg[c].cast(pl.Float64).fill_null(float("nan")).to_numpy() for c in agg.columns if c != "uCode"}
    level_of = {c: k for k, cs in h.levels.items() for c in cs}
    wp, wg = [], []
    for code, par in h.parent.items():
        if par is None or code not in cols or par not in cols:
            continue
        r, k = _pearson(cols[code], cols[par])
        wp.append({"iCode": code, "Parent": par, "Level": level_of[code], "r": _nan(r), "n": k})
    for par, ch in h.children.items():
        for a in range(len(ch)):
            for b in range(a + 1, len(ch)):
                if ch[a] in cols and ch[b] in cols:
                    r, k = _pearson(cols[ch[a]], cols[ch[b]])
                    wg.append({"group": par, "i": ch[a], "j": ch[b], "r": _nan(r), "n": k})
    s1 = {"iCode": pl.String, "Parent": pl.String, "Level": pl.Int64, "r": pl.Float64, "n": pl.Int64}
    s2 = {"group": pl.String, "i": pl.String, "j": pl.String, "r": pl.Float64, "n": pl.Int64}
    return pl.DataFrame(wp, schema=s1), pl.DataFrame(wg, schema=s2)


def cronbach_alpha(x: np.ndarray) -> float:
    """Cronbach's alpha of the columns of ``x`` (units x items), complete cases only.

    ``alpha = k / (k - 1) * (1 - sum(var_i) / var(sum_i x_i))`` with sample variances. NaN with fewer
    than 2 items, fewer than 2 complete units or a zero-variance total.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2:
        return math.nan
    x = x[~np.isnan(x).any(axis=1)]
    if x.shape[0] < 2:
        return math.nan
    k = x.shape[1]
    item_var = x.var(axis=0, ddof=1).sum()
    tot_var = x.sum(axis=1).var(ddof=1)
    if tot_var <= 0:
        return math.nan
    return float(k / (k - 1) * (1.0 - item_var / tot_var))


def pca_variance(x: np.ndarray) -> list[float]:
    """Shares of variance explained by the principal components of the correlation matrix of the
    columns of ``x`` (complete cases), largest first. Empty when not computable."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x).any(axis=1)]
    if x.shape[0] < 3 or x.shape[1] < 2:
        return []
    sd = x.std(axis=0, ddof=1)
    keep = sd > 0
    if keep.sum() < 2:
        return []
    z = (x[:, keep] - x[:, keep].mean(axis=0)) / sd[keep]
    corr = (z.T @ z) / (z.shape[0] - 1)
    ev = np.clip(np.linalg.eigvalsh(corr)[::-1], 0.0, None)
    return [float(v) for v in ev / ev.sum()]


def group_reliability(result: PipelineResult) -> pl.DataFrame:
    """Per aggregate: number of children, Cronbach's alpha, PCA variance shares (first and all)."""
    h = result.hierarchy
    agg = result.aggregated
    rows = []
    for par, ch in h.children.items():
        present = [c for c in ch if c in agg.columns]
        x = agg.select([pl.col(c).cast(pl.Float64) for c in present]).to_numpy().astype(float) \
            if present else np.zeros((0, 0))
        shares = pca_variance(x) if present else []
        rows.append({"group": par, "k": len(present), "alpha": _nan(cronbach_alpha(x)) if present else None,
                     "pc1_share": shares[0] if shares else None, "pc_shares": shares,
                     "n_pc_eigen_gt_1": int(sum(s * len(shares) > 1.0 for s in shares))})
    return pl.DataFrame(rows, schema={"group": pl.String, "k": pl.Int64, "alpha": pl.Float64,
                                      "pc1_share": pl.Float64, "pc_shares": pl.List(pl.Float64),
                                      "n_pc_eigen_gt_1": pl.Int64})


def audit(result: PipelineResult) -> dict[str, Any]:
    """The whole audit: tables (Polars) and a JSON-able ``summary``."""
    stats_raw = indicator_stats(result.raw, result.hierarchy.indicators)
    stats_treated = indicator_stats(result.treated, result.hierarchy.indicators)
    with_parent, within = correlations(result)
    rel = group_reliability(result)
    weak = with_parent.filter(pl.col("r") < 0.2)["iCode"].to_list() if with_parent.height else []
    neg = within.filter(pl.col("r") < -0.4) if within.height else within
    summary = {
        "units": result.scores.height,
        "indicators": len(result.hierarchy.indicators),
        "flags": {
            "low_availability": stats_raw.filter(pl.col("Flag.Avail") == "LOW")["iCode"].to_list(),
            "mostly_zero": stats_raw.filter(pl.col("Flag.NonZero") == "LOW")["iCode"].to_list(),
            "few_unique": stats_raw.filter(pl.col("Flag.Unique") == "LOW")["iCode"].to_list(),
            "skew_kurtosis_raw": stats_raw.filter(pl.col("Flag.SkewKurt") == "OUT")["iCode"].to_list(),
            "skew_kurtosis_treated": stats_treated.filter(pl.col("Flag.SkewKurt") == "OUT")["iCode"].to_list(),
            "weak_with_parent": weak,
            "negative_pairs": [f"{a}~{b}" for a, b in zip(neg["i"].to_list(), neg["j"].to_list(), strict=True)],
        },
        "groups": {r["group"]: {"k": r["k"], "alpha": r["alpha"], "pc1_share": r["pc1_share"]}
                   for r in rel.to_dicts()},
        "warnings": list(result.warnings),
    }
    return {"stats_raw": stats_raw, "stats_treated": stats_treated, "with_parent": with_parent,
            "within_group": within, "reliability": rel, "summary": summary}
