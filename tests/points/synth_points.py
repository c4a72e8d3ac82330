"""A small synthetic points set-up shared by the explanation/audit tests (not a test module)."""

from __future__ import annotations

import numpy as np
import polars as pl

INDS = ["rd", "pat", "staff", "rev_g", "debt", "cert"]


def synth_data(n: int = 60, seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    revenue = rng.lognormal(2.0, 1.2, n)
    data = {
        "uCode": [f"U{i:03d}" for i in range(n)],
        "revenue": revenue,
        "grp": rng.choice(["a", "b"], n).tolist(),
        "rd": np.round(revenue * rng.uniform(0.01, 0.2, n), 4),
        "pat": rng.poisson(3, n).astype(float),
        "staff": np.round(rng.uniform(5, 200, n)),
        "rev_g": np.round(rng.normal(0.1, 0.2, n), 5),
        "debt": np.round(rng.uniform(0.1, 0.9, n), 5),
        "cert": rng.integers(0, 4, n).astype(float),
        "flag_bad": (rng.uniform(size=n) < 0.1).astype(float),
        "flag_good": (rng.uniform(size=n) < 0.2).astype(float),
    }
    return pl.DataFrame(data)


def synth_meta() -> pl.DataFrame:
    rows = [
        (1, "rd", "Tech", 1, 2.0, "revenue"),
        (1, "pat", "Tech", 1, 1.0, None),
        (1, "staff", "Tech", 1, 1.0, None),
        (1, "rev_g", "Growth", 1, 1.0, None),
        (1, "debt", "Growth", -1, 1.0, None),
        (1, "cert", "Growth", 1, 0.5, None),
        (2, "Tech", "Index", 1, 1.0, None),
        (2, "Growth", "Index", 1, 1.0, None),
        (3, "Index", None, 1, 1.0, None),
    ]
    return pl.DataFrame(
        {"Level": [r[0] for r in rows], "iCode": [r[1] for r in rows], "Parent": [r[2] for r in rows],
         "Direction": [float(r[3]) for r in rows], "Weight": [r[4] for r in rows],
         "Denominator": [r[5] for r in rows],
         "Type": ["Indicator" if r[0] == 1 else "Aggregate" for r in rows]})


def synth_spec(method: str = "minmax", cohort: str | None = "stage", aggregate: str = "arithmetic",
               treat: str = "none", **norm) -> dict:
    spec = {
        "name": "synthetic", "version": "1",
        "denominate": {"enabled": True},
        "treat": {"method": treat},
        "normalise": {"method": method, "cohort": cohort, **norm},
        "aggregate": {"method": aggregate},
        "stages": {"bands": [{"name": "small", "when": {"revenue": [None, 5]}},
                             {"name": "mid", "when": {"revenue": [5, 15]}},
                             {"name": "large", "when": {"revenue": [15, None]}}]},
        "weights": {"by_stage": {"small": {"Tech": 2.0}, "large": {"Growth": 2.0}}},
        "bonus": {"cap": 10, "items": [{"column": "flag_good", "points": 5}]},
        "penalty": {"items": [{"column": "flag_bad", "points": 8}]},
        "tiers": [{"name": "A", "top": 0.1}, {"name": "B", "top": 0.3}, {"name": "C", "top": 0.6}],
    }
    if method in ("minmax", "efficacy"):
        spec["normalise"].setdefault("lower", 0)
        spec["normalise"].setdefault("upper", 100)
    return spec
