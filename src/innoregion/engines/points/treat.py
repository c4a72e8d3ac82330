"""Outlier treatment: the JRC skew/kurtosis rule (as COINr's ``Treat``) and IQR fences."""

from __future__ import annotations

from typing import Any

import numpy as np


def excel_skew(x: np.ndarray) -> float:
    """Sample-adjusted skewness (Excel SKEW, scipy ``skew(bias=False)``); NaN ignored.

    NaN when fewer than 3 values or no spread.
    """
    v = np.asarray(x, dtype=float)
    v = v[~np.isnan(v)]
    n = v.size
    if n < 3:
        return float("nan")
    dev = v - v.mean()
    s2 = (dev @ dev) / (n - 1)
    if s2 == 0:
        return float("nan")
    return float(n / ((n - 1) * (n - 2)) * np.sum(dev**3) / s2**1.5)


def excel_kurtosis(x: np.ndarray) -> float:
    """Sample-adjusted *excess* kurtosis (Excel KURT, scipy ``kurtosis(bias=False)``); NaN ignored.

    NaN when fewer than 4 values or no spread.
    """
    v = np.asarray(x, dtype=float)
    v = v[~np.isnan(v)]
    n = v.size
    if n < 4:
        return float("nan")
    dev = v - v.mean()
    s2 = (dev @ dev) / (n - 1)
    if s2 == 0:
        return float("nan")
    d2 = dev * dev
    m4 = np.sum(d2 * d2) / s2**2
    return float(n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * m4 - 3.0 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


def _skew_kurt(v: np.ndarray) -> tuple[float, float]:
    """Both statistics in one pass over the non-missing values ``v``."""
    n = v.size
    if n < 4:
        return (excel_skew(v), float("nan"))
    dev = v - v.mean()
    d2 = dev * dev
    s2 = d2.sum() / (n - 1)
    if s2 == 0:
        return (float("nan"), float("nan"))
    skew = n / ((n - 1) * (n - 2)) * np.sum(d2 * dev) / s2**1.5
    kurt = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * np.sum(d2 * d2) / s2**2 \
        - 3.0 * (n - 1) ** 2 / ((n - 2) * (n - 3))
    return (float(skew), float(kurt))


def _fails(skew: float, kurt: float, s: float, k: float) -> bool:
    # NaN statistics (too few points, no spread) never trigger treatment
    return bool(abs(skew) >= s and kurt >= k)


def _clip_to_fences(x: np.ndarray, valid: np.ndarray, v0: np.ndarray, k: float,
                    det: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """``method: iqr``: clip the values beyond ``[Q1 - k IQR, Q3 + k IQR]`` to the fences."""
    q1, q3 = np.quantile(v0, [0.25, 0.75])
    lo, hi = q1 - k * (q3 - q1), q3 + k * (q3 - q1)
    n_lo, n_hi = int((v0 < lo).sum()), int((v0 > hi).sum())
    if n_lo + n_hi == 0:
        return x, det
    out = x.copy()
    out[valid] = np.clip(v0, lo, hi)
    s1, k1 = _skew_kurt(out[valid])
    det.update(treated=True, method="iqr", nwin=n_lo + n_hi, winsorised_low=n_lo, winsorised_high=n_hi,
               skew1=s1, kurt1=k1, lower_bound=float(lo) if n_lo else -np.inf,
               upper_bound=float(hi) if n_hi else np.inf)
    return out, det


def _winsorise(v0: np.ndarray, skew: float, kurt: float, s_t: float, k_t: float, maxwin: int):
    """Move the maximum (skew >= 0) or the minimum to its neighbour, all tied points together, while the
    skew/kurtosis check fails and fewer than ``maxwin`` points have moved.

    Returns the values, the mask of the points moved, how many moved down from the top and up from
    the bottom, whether the check still fails, and the final skew and kurtosis.
    """
    v = v0.copy()
    winz = np.zeros(v.size, dtype=bool)
    n_lo = n_hi = 0
    fails = True
    while fails and int(winz.sum()) < maxwin:
        if skew >= 0:
            top = v.max()
            idx = v == top
            if idx.all():
                break
            v[idx] = v[~idx].max()
            n_hi += int((idx & ~winz).sum())
        else:
            bot = v.min()
            idx = v == bot
            if idx.all():
                break
            v[idx] = v[~idx].min()
            n_lo += int((idx & ~winz).sum())
        winz |= idx
        skew, kurt = _skew_kurt(v)
        fails = _fails(skew, kurt, s_t, k_t)
    return v, winz, n_lo, n_hi, fails, skew, kurt


def treat_indicator(x: np.ndarray, settings: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """Treat one indicator's values (NaN = missing, left as is). Returns ``(treated, details)``.

    ``settings`` is the spec ``treat`` block. ``method: jrc``: treat only when |skew| >= ``skew`` AND
    kurtosis >= ``kurtosis``; while the check fails and fewer than ``max_winsorised`` distinct points
    have been winsorised, move the current maximum (all tied points together) to the next-highest
    value if skew >= 0, else the minimum to the next-lowest value; if it still fails, log-transform
    the ORIGINAL values: ``log(x - min + 0.01 (max - min))`` (when ``log_fallback``).
    ``method: iqr``: values beyond ``[Q1 - k IQR, Q3 + k IQR]`` are clipped to the fences.

    ``details`` keys: treated, method, skew0, kurt0, nwin, winsorised_low, winsorised_high, logged,
    skew1, kurt1, lower_bound, upper_bound, log_min, log_shift (NaN where not applicable).
    """
    x = np.asarray(x, dtype=float)
    valid = ~np.isnan(x)
    v0 = x[valid]  # a copy: the input is never modified (an untreated input is returned as is)
    method = settings.get("method", "jrc")
    nan = float("nan")
    det: dict[str, Any] = {"treated": False, "method": "none", "skew0": nan, "kurt0": nan, "nwin": 0,
                           "winsorised_low": 0, "winsorised_high": 0, "logged": False, "skew1": nan,
                           "kurt1": nan, "lower_bound": -np.inf, "upper_bound": np.inf,
                           "log_min": nan, "log_shift": nan}
    skew, kurt = _skew_kurt(v0)
    det["skew0"], det["kurt0"] = skew, kurt
    if v0.size == 0:
        return x, det
    if method == "iqr":
        return _clip_to_fences(x, valid, v0, float(settings.get("k", 1.5)), det)
    s_t, k_t = float(settings.get("skew", 2.0)), float(settings.get("kurtosis", 3.5))
    if not _fails(skew, kurt, s_t, k_t):
        return x, det
    maxwin = int(settings.get("max_winsorised", 5))
    v, winz, n_lo, n_hi, fails, skew, kurt = _winsorise(v0, skew, kurt, s_t, k_t, maxwin)
    det.update(treated=True, method="winsorise", nwin=int(winz.sum()), winsorised_low=n_lo, winsorised_high=n_hi)
    if fails and settings.get("log_fallback", True):
        mn, mx = float(v0.min()), float(v0.max())
        shift = 0.01 * (mx - mn)
        v = np.log(v0 - mn + shift)
        skew, kurt = _skew_kurt(v)
        det.update(method="log", logged=True, nwin=0, winsorised_low=0, winsorised_high=0,
                   log_min=mn, log_shift=shift)
    else:
        if n_hi:
            det["upper_bound"] = float(v.max())
        if n_lo:
            det["lower_bound"] = float(v.min())
    det["skew1"], det["kurt1"] = skew, kurt
    out = x.copy()
    out[valid] = v
    return out, det
