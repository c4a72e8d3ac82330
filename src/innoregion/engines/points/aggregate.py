"""Aggregators: weighted means over the children of one parent, missing values dropped.

``values`` is an (n_units x k_children) array with NaN for missing; ``weights`` a (k,) vector or an
(n, k) array (stage-specific weights). For each unit the weights of the available children are
renormalised to sum to 1. When the fraction of available children is below ``min_availability`` the
aggregate is missing (NaN) -- the pipeline reports it in ``warnings``.

- arithmetic: sum w x
- geometric: prod x ** w  (a zero child gives 0; a negative child makes the aggregate missing)
- harmonic: 1 / sum (w / x)  (a zero child gives 0; a negative child makes the aggregate missing)
- generalised (power mean, power p): (sum w x**p) ** (1/p); p = 1 arithmetic, p = 0 geometric,
  p = -1 harmonic. For p != 1 a negative child makes the aggregate missing.
"""

from __future__ import annotations

import numpy as np

AGGREGATORS = ("arithmetic", "geometric", "harmonic", "generalised")


def renormalised_weights(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(w, avail_fraction)``: per-unit weights over available children, summing to 1.

    ``w`` is 0 for missing children; a unit whose available children all have weight 0 gets NaN.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[None, :]
    avail = ~np.isnan(values)
    w = np.broadcast_to(np.asarray(weights, dtype=float), values.shape) * avail
    tot = w.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(tot > 0, w / np.where(tot > 0, tot, 1.0), np.nan)
    frac = avail.sum(axis=1) / values.shape[1] if values.shape[1] else np.zeros(values.shape[0])
    return w, frac


def _weighted_mean(acc: np.ndarray, tot: np.ndarray, zero: np.ndarray, method: str, p: float) -> np.ndarray:
    """The mean from the accumulated weighted terms ``acc`` and the total weight ``tot`` (``zero``: a
    child with weight is 0, which makes a geometric, harmonic or negative-power mean 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        safe = np.where(tot > 0, tot, 1.0)
        if method == "arithmetic":
            return acc / safe
        if method == "geometric":
            return np.where(zero, 0.0, np.exp(acc / safe))
        if method == "harmonic":
            return np.where(zero, 0.0, safe / np.where(acc > 0, acc, 1.0))
        if p > 0:
            return np.power(np.maximum(acc / safe, 0.0), 1.0 / p)
        return np.where(zero, 0.0, np.power(acc / safe, 1.0 / p))


def aggregate_columns(columns: list[np.ndarray], weights: list[float | np.ndarray], method: str = "arithmetic",
                      p: float = 1.0, min_availability: float = 0.0) -> tuple[np.ndarray, np.ndarray, int]:
    """Column-wise core of :func:`aggregate_values` (fast for many units, few children).

    ``columns``: one (n,) array per child (NaN = missing); ``weights``: one scalar or (n,) array per
    child. Returns ``(aggregate, total_available_weight, n_invalid)``; the renormalised weight of
    child j for a unit is ``w_j * available_j / total``.
    """
    if method == "generalised":
        method = {1.0: "arithmetic", 0.0: "geometric", -1.0: "harmonic"}.get(float(p), method)
    n = columns[0].shape[0]
    k = len(columns)
    tot = np.zeros(n)
    acc = np.zeros(n)
    cnt = np.zeros(n)
    neg = np.zeros(n, dtype=bool)
    zero = np.zeros(n, dtype=bool)
    for x, w in zip(columns, weights, strict=True):
        ok = ~np.isnan(x)
        cnt += ok
        wa = np.where(ok, w, 0.0)
        tot += wa
        if method == "arithmetic":
            acc += wa * np.where(ok, x, 0.0)
            continue
        used = ok & (wa > 0)
        neg |= used & (x < 0)
        zero |= used & (x == 0)
        xp = np.where(used & (x > 0), x, 1.0)
        if method == "geometric":
            acc += wa * np.log(xp)
        elif method == "harmonic":
            acc += wa / xp
        elif method == "generalised":
            term = wa * np.power(xp, p)
            if p > 0:
                term = np.where(used & (x == 0), 0.0, term)
            acc += term
        else:
            raise ValueError(f"unknown aggregation method {method!r}")
    out = _weighted_mean(acc, tot, zero, method, p)
    n_invalid = int(neg.sum()) + int(((tot <= 0) & (cnt > 0)).sum())
    frac = cnt / k
    bad = neg | (tot <= 0) | (frac < min_availability) | (cnt == 0)
    out[bad] = np.nan
    return out, tot, n_invalid


def aggregate_values(values: np.ndarray, weights: np.ndarray, method: str = "arithmetic", p: float = 1.0,
                     min_availability: float = 0.0, *, return_details: bool = False):
    """Aggregate children into their parent for every unit. See module docstring.

    ``values`` is (n, k) (or (k,) for one unit); ``weights`` (k,) or (n, k). Returns the (n,)
    aggregate, or with ``return_details=True`` a tuple ``(aggregate, renormalised_weights, n_invalid)``
    where ``n_invalid`` counts units whose aggregate is missing because of a negative value
    (geometric/harmonic/generalised) or zero total weight.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[None, :]
    w = np.broadcast_to(np.asarray(weights, dtype=float), values.shape)
    cols = [values[:, j] for j in range(values.shape[1])]
    ws = [w[:, j] for j in range(values.shape[1])]
    out, _, n_invalid = aggregate_columns(cols, ws, method=method, p=p, min_availability=min_availability)
    if return_details:
        return out, renormalised_weights(values, w)[0], n_invalid
    return out
