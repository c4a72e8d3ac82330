"""Normalisers: fit on a cohort's values, then apply (and, where possible, invert) exactly.

Every normaliser sees the values *after* the indicator's direction is applied: for a Direction -1
indicator the values are multiplied by -1 first (as COINr does), except the ratio methods
(``fraction_of_max``, ``capped_ratio``) where a negated value has no meaning: for those, direction -1
uses the inverse ratio (see docs/methodology/spec.md).

Degenerate data (documented in docs/methodology/spec.md): a cohort whose values do not vary (zero
range, including a cohort of one unit) gets the *midpoint* of the method's scale; the fit records
``degenerate`` so the pipeline can warn. A cohort with no data at all gives missing values and a
warning; the indicator is then dropped from aggregation for those units.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NORMALISERS = ("minmax", "zscore", "rank", "borda", "percentile_rank", "dist_to_max", "dist_to_target",
               "fraction_of_max", "goalposts", "capped_ratio", "efficacy", "none")
RANK_METHODS = ("rank", "borda", "percentile_rank")


@dataclass
class NormaliserFit:
    """A fitted normaliser for one indicator and one cohort.

    ``params`` holds the fitted numbers (e.g. ``lo``/``hi`` for min-max, ``mean``/``sd`` for z-score);
    ``reference`` the sorted fitted values (direction applied) for rank-based methods.
    ``apply(x)`` maps raw (treated-scale) values to normalised values; ``invert(y)`` the reverse where
    the method is invertible.
    """

    method: str
    direction: float
    params: dict[str, float]
    n: int
    reference: np.ndarray | None = None
    degenerate: str | None = None
    empty: bool = False
    notes: list[str] = field(default_factory=list)

    def params_json(self) -> str:
        return json.dumps({k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                           for k, v in self.params.items()}, sort_keys=True)

    # ------------------------------------------------------------------ apply
    def apply(self, x: Any) -> Any:
        arr = np.asarray(x, dtype=float)
        out = self._apply(arr)
        return out[()] if np.ndim(out) == 0 else out

    def _apply(self, x: np.ndarray) -> np.ndarray:
        m, p, d = self.method, self.params, self.direction
        if self.empty:
            return np.full(x.shape, np.nan)
        if m in ("fraction_of_max", "capped_ratio"):
            return _ratio(x, m, p, d)
        xd = x * d if d != 1.0 else x
        if m == "none":
            return xd.copy()
        if m in RANK_METHODS and not self.degenerate:
            return _rank_apply(xd, self.reference, m, p)
        if self.degenerate:
            out = np.full(x.shape, p["midpoint"])
            out[np.isnan(x)] = np.nan
            return out
        return _scale_apply(xd, m, p)

    # ------------------------------------------------------------------ invert
    def invert(self, y: Any) -> Any:
        """Map normalised values back to raw (treated-scale) values.

        Exact for minmax, efficacy, zscore, dist_to_max, dist_to_target, goalposts and the ratio
        methods inside their unclipped range (a clipped/capped value maps to the bound). Rank-based
        methods, degenerate fits and empty fits are not invertible: ``ValueError``.
        """
        y = np.asarray(y, dtype=float)
        m, p, d = self.method, self.params, self.direction
        if self.empty or self.degenerate or m in RANK_METHODS:
            raise ValueError(f"normaliser {m} ({self.degenerate or 'rank-based'}) is not invertible")
        if m == "none":
            xd = y
        elif m == "minmax":
            xd = p["lo"] + (y - p["lower"]) / (p["upper"] - p["lower"]) * (p["hi"] - p["lo"])
        elif m == "efficacy":
            xd = p["lo"] + (y - 60.0) / 40.0 * (p["hi"] - p["lo"])
        elif m == "zscore":
            xd = p["mean"] + (y - p["mean_target"]) / p["sd_target"] * p["sd"]
        elif m == "dist_to_max":
            xd = p["hi"] - (1.0 - y / p["scale"]) * (p["hi"] - p["lo"])
        elif m == "dist_to_target":
            xd = p["target"] - (1.0 - y / p["scale"]) * (p["target"] - p["lo"])
        elif m == "goalposts":
            xd = p["gp_lo"] + np.clip(y / p["scale"], 0, 1) * (p["gp_hi"] - p["gp_lo"])
        elif m in ("fraction_of_max", "capped_ratio"):
            r = y / p["scale"]
            ref = p["ref"]
            if d == 1.0:
                return _scalar(r * ref)
            with np.errstate(divide="ignore"):
                return _scalar(np.where(r > 0, ref / r, np.inf))
        else:
            raise ValueError(f"unknown normaliser {m!r}")
        return _scalar(xd * d if d != 1.0 else xd)


def _scalar(a: np.ndarray) -> Any:
    return a[()] if np.ndim(a) == 0 else a


def _scale_apply(xd: np.ndarray, m: str, p: dict) -> np.ndarray:
    """The methods that rescale the direction-adjusted values ``xd`` with the fitted parameters."""
    if m == "minmax":
        # in place on one buffer; same operation order as lower + (x - lo) / (hi - lo) * (upper - lower)
        y = np.subtract(xd, p["lo"])
        y /= p["hi"] - p["lo"]
        y *= p["upper"] - p["lower"]
        y += p["lower"]
        return y
    if m == "efficacy":
        y = np.subtract(xd, p["lo"])
        y *= 40.0
        y /= p["hi"] - p["lo"]
        y += 60.0
        return y
    if m == "zscore":
        return p["mean_target"] + (xd - p["mean"]) / p["sd"] * p["sd_target"]
    if m == "dist_to_max":
        return (1.0 - (p["hi"] - xd) / (p["hi"] - p["lo"])) * p["scale"]
    if m == "dist_to_target":
        y = 1.0 - (p["target"] - xd) / (p["target"] - p["lo"])
        if p["cap"]:
            y = np.minimum(y, 1.0)
        return y * p["scale"]
    if m == "goalposts":
        y = np.clip((xd - p["gp_lo"]) / (p["gp_hi"] - p["gp_lo"]), 0.0, 1.0)
        return y * p["scale"]
    raise ValueError(f"unknown normaliser {m!r}")


def _ratio(x: np.ndarray, method: str, p: dict, d: float) -> np.ndarray:
    ref = p["ref"]
    if p.get("midpoint") is not None and np.isfinite(p.get("midpoint", np.nan)):
        out = np.full(x.shape, p["midpoint"])
        out[np.isnan(x)] = np.nan
        return out
    with np.errstate(divide="ignore", invalid="ignore"):
        if d == 1.0:
            r = x / ref
        else:
            # inverse ratio: the best (smallest) value scores 1; x <= 0 counts as best
            r = np.where(x > 0, ref / np.where(x > 0, x, 1.0), 1.0)
            r = np.where(np.isnan(x), np.nan, r)
    if method == "capped_ratio":
        r = np.minimum(r, 1.0)
    return r * p["scale"]


def _rank_apply(xd: np.ndarray, ref: np.ndarray, method: str, p: dict) -> np.ndarray:
    n = ref.size
    less = np.searchsorted(ref, xd, side="left").astype(float)
    leq = np.searchsorted(ref, xd, side="right").astype(float)
    ties = p.get("ties", "average" if method == "rank" else "min")
    if method == "rank":
        if ties == "average":
            # a new value not in the reference is ranked as if inserted
            r = np.where(leq > less, less + (leq - less + 1.0) / 2.0, less + 1.0)
        elif ties == "min":
            r = less + 1.0
        else:
            r = np.maximum(leq, less + 1.0)
        out = r
    elif method == "borda":
        out = less
    else:  # percentile_rank: (rank_min - 1) / (n - 1)
        out = less / (n - 1) * p["scale"] if n > 1 else np.full(xd.shape, 0.5 * p["scale"])
    out = np.asarray(out, dtype=float)
    out[np.isnan(xd)] = np.nan
    return out


def fit_normaliser(x: np.ndarray, settings: dict[str, Any], direction: float = 1.0,
                   target: float = float("nan"), code: str = "") -> NormaliserFit:
    """Fit the normaliser described by ``settings`` (a spec ``normalise`` block) on values ``x``.

    ``x`` may contain NaN (missing; ignored in the fit). ``direction`` is +1 or -1; ``target`` is
    the indicator's target/reference in original units (iMeta Target) used by ``dist_to_target`` and
    ``capped_ratio`` when the spec gives none.
    """
    method = settings.get("method", "minmax")
    d = float(direction) if direction in (1, -1, 1.0, -1.0) else 1.0
    x = np.asarray(x, dtype=float)
    n = int(x.size - np.count_nonzero(np.isnan(x)))
    if n == 0:
        return NormaliserFit(method, d, {}, 0, empty=True)
    scale = float(settings.get("scale", 1.0))
    if method in ("minmax", "efficacy", "dist_to_max"):
        # min and max without copying the column (fmin/fmax ignore NaN)
        lo, hi = float(np.fmin.reduce(x)), float(np.fmax.reduce(x))
        if d == -1.0:
            lo, hi = -hi, -lo
        return _fit_range(method, d, n, lo, hi, settings, scale)
    valid = x[~np.isnan(x)]
    if method in ("fraction_of_max", "capped_ratio"):
        return _fit_ratio(valid, method, settings, d, target, code, scale)
    xd = valid * d if d != 1.0 else valid
    if method in RANK_METHODS:
        return _fit_rank(xd, method, settings, d, n, scale)
    if method == "none":
        return NormaliserFit(method, d, {}, n)
    return _fit_spread(xd, method, settings, d, n, target, code, scale)


def _fit_rank(xd: np.ndarray, method: str, settings: dict, d: float, n: int, scale: float) -> NormaliserFit:
    ref = np.sort(xd)
    params: dict[str, float] = {"scale": scale}
    if method == "rank":
        params["ties"] = settings.get("ties", "average")
    fit = NormaliserFit(method, d, params, n, reference=ref)
    if method == "percentile_rank" and ref[0] == ref[-1]:
        # one unit, or all tied: nobody is above anybody -> the midpoint of the scale
        params["midpoint"] = 0.5 * scale
        fit.degenerate = "one unit" if n == 1 else "zero range"
    return fit


def _fit_spread(xd: np.ndarray, method: str, settings: dict, d: float, n: int, target: float, code: str,
                scale: float) -> NormaliserFit:
    """zscore, dist_to_target and goalposts, fitted on the direction-adjusted values ``xd``."""
    lo, hi = float(xd.min()), float(xd.max())
    fit = NormaliserFit(method, d, {"lo": lo, "hi": hi}, n)
    p = fit.params
    zero_range = hi == lo
    if method == "zscore":
        p["mean"] = float(xd.mean())
        p["sd"] = float(xd.std(ddof=1)) if n > 1 else 0.0
        p["mean_target"] = float(settings.get("mean", 0.0))
        p["sd_target"] = float(settings.get("sd", 1.0))
        p["midpoint"] = p["mean_target"]
        zero_range = p["sd"] == 0.0
    elif method == "dist_to_target":
        t = settings.get("targets", {}).get(code, settings.get("target", target))
        if t is None or not np.isfinite(t):
            raise ValueError(f"indicator {code!r}: dist_to_target needs a target (spec or iMeta Target)")
        p["target"] = float(t) * d
        p["cap"] = bool(settings.get("cap", True))
        p["scale"] = scale
        p["midpoint"] = scale  # degenerate: every unit already at or beyond the target
        zero_range = p["target"] - lo <= 0
        if zero_range:
            fit.degenerate = "target at or below the minimum"
            return fit
    elif method == "goalposts":
        gp = settings.get("goalposts")
        if isinstance(gp, dict):
            gp = gp.get(code)
        if gp is None:
            raise ValueError(f"indicator {code!r}: goalposts method needs goalposts [lower, upper]")
        g_lo, g_hi = float(gp[0]), float(gp[1])
        if d == -1.0:
            g_lo, g_hi = -g_hi, -g_lo
        p.update(gp_lo=g_lo, gp_hi=g_hi, scale=scale)
        return fit  # fixed goalposts: never degenerate
    else:
        raise ValueError(f"unknown normaliser {method!r}")
    if zero_range:
        fit.degenerate = "one unit" if n == 1 else "zero range"
    return fit


def _fit_range(method: str, d: float, n: int, lo: float, hi: float, settings: dict, scale: float) -> NormaliserFit:
    fit = NormaliserFit(method, d, {"lo": lo, "hi": hi}, n)
    p = fit.params
    if method == "minmax":
        p["lower"] = float(settings.get("lower", 0.0))
        p["upper"] = float(settings.get("upper", 100.0))
        p["midpoint"] = (p["lower"] + p["upper"]) / 2.0
    elif method == "efficacy":
        p["midpoint"] = 80.0
    else:
        p["scale"] = scale
        p["midpoint"] = 0.5 * scale
    if hi == lo:
        fit.degenerate = "one unit" if n == 1 else "zero range"
    return fit


def _fit_ratio(valid: np.ndarray, method: str, settings: dict, d: float, target: float, code: str,
               scale: float) -> NormaliserFit:
    p: dict[str, float] = {"scale": scale, "midpoint": float("nan")}
    fit = NormaliserFit(method, d, p, int(valid.size))
    if method == "fraction_of_max":
        ref = float(valid.max()) if d == 1.0 else float(valid.min())
        p["ref"] = ref
        if (d == 1.0 and ref <= 0) or (d == -1.0 and ref < 0):
            p["midpoint"] = 0.5 * scale
            fit.degenerate = "reference (max) not positive" if d == 1.0 else "negative minimum"
    else:
        ref = settings.get("refs", {}).get(code, settings.get("ref", target))
        if ref is None or not np.isfinite(ref) or ref <= 0:
            raise ValueError(f"indicator {code!r}: capped_ratio needs a positive reference value "
                             f"(spec normalise.refs / ref or iMeta Target), got {ref!r}")
        p["ref"] = float(ref)
    return fit
