"""Bench: points explanations with exact what-if at 1,000,000 enterprises, and the uncertainty /
sensitivity analysis (1,000 Monte Carlo draws on 10,000 enterprises).

Targets: one enterprise's explanation with what-if <= 50 ms at 1,000,000 units; 1,000 draws on
10,000 units <= 60 s. Data: synthetic, shaped like the national-trial-2024 methodology (18 indicators,
3 groups, stage bands on age and revenue, stage weights, min-max within stage, JRC treatment).
Usage: .venv/bin/python bench/bench_points_explain.py [--units N] [--explain-units K] [--mc-units M]
       [--draws D] [--sobol-n S]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time

import numpy as np
import polars as pl

from innoregion.engines.points import run_pipeline
from innoregion.engines.points.explain import Explainer
from innoregion.engines.points.region_input import build_meta, load_methodology, whatif_constraints
from innoregion.engines.points.sensitivity import Dimensions, sensitivity, uncertainty


def synthetic(n: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """Wide engine input for national-trial-2024 without going through the long table."""
    m = load_methodology("national-trial-2024")
    meta = build_meta(m)
    rng = np.random.default_rng(seed)
    rev = rng.lognormal(16.5, 1.6, n)
    cols: dict[str, np.ndarray] = {"age_years": rng.uniform(0.2, 25, n), "stage_revenue": rev}
    for i in m.indicators:
        code = i["code"]
        if i.get("denominator"):
            den = rev if i["denominator"] == "revenue" else rng.lognormal(3, 1, n) if \
                i["denominator"] == "employees" else rev * rng.uniform(0.8, 2, n)
            cols[f"den_{i['denominator']}" + ("_prev" if i.get("denominator_year") == "previous" else "")] = den
            cols[code] = den * (rng.uniform(0.0, 0.2, n) if i.get("direction", 1) == 1 else rng.uniform(0.1, 0.9, n))
            if i.get("change"):
                cols[code] = den * rng.normal(0.1, 0.2, n)
        elif code in ("revenue", "rd_expense", "tax_paid", "equity_financing"):
            cols[code] = rev * rng.uniform(0.0, 0.1, n) if code != "revenue" else rev
        elif code in ("rd_institution_level",):
            cols[code] = rng.integers(0, 4, n).astype(float)
        elif code == "hnte_certified":
            cols[code] = (rng.uniform(size=n) < 0.3).astype(float)
        else:
            cols[code] = rng.poisson(2.0, n).astype(float)
    data = pl.DataFrame({"uCode": [f"E{i:07d}" for i in range(n)], **cols})
    return data, meta, m.spec


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_explain(n: int, k: int, seed: int) -> None:
    t0 = time.perf_counter()
    data, meta, spec = synthetic(n, seed)
    t1 = time.perf_counter()
    res = run_pipeline(data, meta, spec)
    t2 = time.perf_counter()
    bounds, integral = whatif_constraints("national-trial-2024")
    ex = Explainer(res, data, bounds=bounds, integral=integral)
    t3 = time.perf_counter()
    print(f"explain: {n:,} units x {len(ex.inds)} indicators; data {t1 - t0:.1f} s, pipeline {t2 - t1:.1f} s, "
          f"load average {os.getloadavg()[0]:.1f}, "
          f"Explainer set-up (sorts every indicator within every cohort once) {t3 - t2:.1f} s")
    rng = np.random.default_rng(seed + 1)
    untiered = np.flatnonzero(res.scores["tier"].is_null().to_numpy())
    picks = rng.choice(untiered, size=k, replace=False)
    times, cpu, n_whatif, n_ok, n_refit = [], [], 0, 0, 0
    for r in picks:
        u = ex.ucodes[r]
        s, c = time.perf_counter(), time.process_time()
        e = ex.explain(u, points=2.0)
        times.append((time.perf_counter() - s) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        n_whatif += len(e.whatif)
        n_ok += sum(w.status == "ok" for w in e.whatif)
        n_refit += sum(w.alters_cohort for w in e.whatif)
    times.sort()
    cpu.sort()
    print(f"explain: {k} enterprises (explanation + what-if for next tier and +2 points on all 18 indicators = "
          f"{n_whatif // k} what-ifs each; {n_ok} ok, {n_refit} needed a refit of the cohort): "
          f"median {statistics.median(times):.1f} ms, p90 {times[int(0.9 * (k - 1))]:.1f} ms, "
          f"max {times[-1]:.1f} ms per enterprise (wall); CPU median {statistics.median(cpu):.1f} ms, "
          f"p90 {cpu[int(0.9 * (k - 1))]:.1f} ms")
    print(f"explain: peak RSS {rss_mb():,.0f} MB")


def bench_mc(n: int, draws: int, sobol_n: int, seed: int) -> None:
    data, meta, spec = synthetic(n, seed)
    dims = Dimensions(weights=0.25,
                      normaliser=[dict(spec["normalise"]), {"method": "percentile_rank", "scale": 100},
                                  {"method": "efficacy"}],
                      aggregator=[{"method": "arithmetic"}, {"method": "geometric"}],
                      treatment=[dict(spec["treat"]), {"method": "none"}],
                      imputation=[{"method": "none"}, {"method": "median"}])
    t0, c0 = time.perf_counter(), time.process_time()
    out = uncertainty(data, meta, spec, dims, n=draws, seed=seed)
    t1, c1 = time.perf_counter(), time.process_time()
    sm = out["summary"]
    print(f"uncertainty: {draws:,} draws x {n:,} units over {', '.join(sm['dimensions'])} "
          f"({sm['discrete_runs']} discrete pipeline runs cached): {t1 - t0:.1f} s wall, {c1 - c0:.1f} s CPU; "
          f"mean |rank shift| "
          f"{sm['mean_abs_rank_shift']:.1f}, mean 5-95 % width {sm['mean_interval_width']:.1f} ranks")
    if sobol_n:
        t0, c0 = time.perf_counter(), time.process_time()
        s = sensitivity(data, meta, spec, dims, n=sobol_n, seed=seed)
        t1, c1 = time.perf_counter(), time.process_time()
        print(f"sensitivity: Saltelli n={sobol_n} ({s['runs']:,} model runs) x {n:,} units: {t1 - t0:.1f} s wall, "
              f"{c1 - c0:.1f} s CPU")
        for g in s["dimensions"]:
            print(f"  {g:<11} S1 {s['S1'][g]:+.3f}  ST {s['ST'][g]:.3f}   (per-unit rank, mean over units: "
                  f"S1 {s['S1_units_mean'][g]:+.3f}, ST {s['ST_units_mean'][g]:.3f})")
    print(f"uncertainty: peak RSS {rss_mb():,.0f} MB; load average {os.getloadavg()[0]:.1f}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--units", type=int, default=1_000_000)
    p.add_argument("--explain-units", type=int, default=50)
    p.add_argument("--mc-units", type=int, default=10_000)
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--sobol-n", type=int, default=256)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--skip-explain", action="store_true")
    p.add_argument("--skip-mc", action="store_true")
    a = p.parse_args()
    if not a.skip_explain:
        bench_explain(a.units, a.explain_units, a.seed)
    if not a.skip_mc:
        bench_mc(a.mc_units, a.draws, a.sobol_n, a.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
