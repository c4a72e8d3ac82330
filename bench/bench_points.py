"""Benchmark the points engine: 1,000,000 units x 30 indicators with stage cohorts, one thread.

Run: ``.venv/bin/python bench/bench_points.py [--units N] [--repeat R]``. Prints wall time and peak RSS
for the full pipeline, and the time of COINr's ASEM canonical pipeline through our engine.
Figures go to docs/benchmarks.md ("## Points engine").
"""

from __future__ import annotations

import os

os.environ["POLARS_MAX_THREADS"] = "1"  # must be set before polars is imported
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from innoregion.engines.points import load_spec, run_pipeline  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "reference" / "coinr-asem"
N_IND = 30
TABLES = ("raw", "denominated", "screened", "imputed", "treated", "normalised", "aggregated",
          "treatment_details", "weights", "effective_weights", "stages", "ranks", "tiers", "bonus_penalty",
          "scores", "normaliser_params")
STAGES = ["seed", "start-up", "growth", "expansion", "mature"]


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(n: int, seed: int = 20251126) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    cols: dict[str, np.ndarray] = {"uCode": np.char.add("U", np.arange(n).astype(str))}
    cols["district"] = rng.integers(0, 12, n).astype(np.int64)
    cols["age"] = rng.gamma(2.0, 3.0, n)
    cols["revenue"] = np.exp(rng.normal(1.0, 1.6, n))  # CNY M, log-normal
    cols["staff"] = rng.integers(1, 500, n).astype(np.float64)
    for i in range(N_IND):
        if i % 5 == 0:
            x = rng.lognormal(0.0, 1.2, n)  # skewed: exercises outlier treatment
        elif i % 5 == 1:
            x = rng.poisson(3.0, n).astype(np.float64)
        else:
            x = rng.normal(50.0, 10.0, n)
        x[rng.random(n) < 0.02] = np.nan
        cols[f"I{i:02d}"] = x
    cols["strategic"] = (rng.random(n) < 0.1).astype(np.float64)
    cols["talent"] = rng.poisson(0.3, n).astype(np.float64)
    cols["accident"] = (rng.random(n) < 0.01).astype(np.float64)
    data = pl.DataFrame(cols)
    pillars = [f"P{k}" for k in range(6)]
    rows = []
    for i in range(N_IND):
        rows.append({"Level": 1, "iCode": f"I{i:02d}", "Parent": pillars[i // 5],
                     "Direction": -1 if i % 7 == 3 else 1, "Weight": 1.0 + (i % 3), "Type": "Indicator",
                     "Denominator": "staff" if i % 10 == 9 else None, "Target": None})
    for k, p in enumerate(pillars):
        rows.append({"Level": 2, "iCode": p, "Parent": "Input" if k < 3 else "Output", "Direction": 1,
                     "Weight": 1.0, "Type": "Aggregate", "Denominator": None, "Target": None})
    for p in ("Input", "Output"):
        rows.append({"Level": 3, "iCode": p, "Parent": "Points", "Direction": 1, "Weight": 1.0,
                     "Type": "Aggregate", "Denominator": None, "Target": None})
    rows.append({"Level": 4, "iCode": "Points", "Parent": None, "Direction": 1, "Weight": 1.0,
                 "Type": "Aggregate", "Denominator": None, "Target": None})
    meta = pl.DataFrame(rows, schema={"Level": pl.Int64, "iCode": pl.String, "Parent": pl.String,
                                      "Direction": pl.Int64, "Weight": pl.Float64, "Type": pl.String,
                                      "Denominator": pl.String, "Target": pl.Float64})
    bands = [0.5, 5, 20, 100]
    edges = [None, *bands, None]
    spec = {
        "name": "synthetic bench", "version": "1",
        "denominate": {"enabled": True},
        "order": ["denominate", "screen", "impute", "treat"],
        "screen": {"min_availability": 0.8},
        "impute": {"method": "mean", "by": "district"},
        "treat": {"method": "jrc"},
        "stages": {"bands": [{"name": STAGES[k], "when": {"revenue": [edges[k], edges[k + 1]]}}
                             for k in range(5)]},
        "weights": {"by_stage": {"seed": {"Input": 2.0, "Output": 1.0}, "mature": {"Input": 1.0, "Output": 2.0}}},
        "normalise": {"method": "minmax", "lower": 0, "upper": 100, "cohort": "stage"},
        "aggregate": {"method": "arithmetic", "min_availability": 0.5},
        "bonus": {"cap": 30, "items": [{"column": "strategic", "points": 20}, {"column": "talent", "points": 5}]},
        "penalty": {"items": [{"column": "accident", "points": 40}]},
        "score": {"floor": 0},
        "tiers": [{"name": "A", "top": 0.05}, {"name": "B", "top": 0.10}, {"name": "C", "top": 0.20}],
    }
    return data, meta, spec


def tune_glibc_malloc() -> bool:
    """Keep freed NumPy buffers in the heap (no mmap/munmap per 8 MB column): same as running with
    MALLOC_MMAP_THRESHOLD_=268435456 MALLOC_TRIM_THRESHOLD_=4294967296. Returns False if not glibc."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        ok = libc.mallopt(-3, 256 * 1024 * 1024)  # M_MMAP_THRESHOLD
        ok &= libc.mallopt(-1, 2**31 - 1)  # M_TRIM_THRESHOLD
        return bool(ok)
    except (OSError, AttributeError):
        return False


def bench_synthetic(n: int, repeat: int) -> None:
    t0 = time.perf_counter()
    data, meta, spec_dict = synthetic(n)
    spec = load_spec(spec_dict)
    print(f"generated {n:,} units x {N_IND} indicators in {time.perf_counter() - t0:.2f} s; "
          f"RSS after generation {rss_mb():,.0f} MB; polars threads {pl.thread_pool_size()}")
    times, cpus, mats, mat_cpus = [], [], [], []
    for i in range(repeat):
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        t = time.perf_counter()
        result = run_pipeline(data, meta, spec)
        times.append(time.perf_counter() - t)
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime)
        cpus.append(sum(cpu))
        t = time.perf_counter()
        cells = sum(result.stage(name).width for name in TABLES)  # materialise every stage table
        mat = time.perf_counter() - t
        r2 = resource.getrusage(resource.RUSAGE_SELF)
        mats.append(mat)
        mat_cpus.append(r2.ru_utime - r1.ru_utime + r2.ru_stime - r1.ru_stime)
        print(f"  run {i + 1}: pipeline wall {times[-1]:.2f} s (CPU user {cpu[0]:.2f} s + sys {cpu[1]:.2f} s); "
              f"materialising all {len(TABLES)} tables ({cells} columns) wall {mat:.2f} s "
              f"(CPU {mat_cpus[-1]:.2f} s); peak RSS so far {peak_rss_mb():,.0f} MB")
        stages = result.scores.group_by("stage").len().sort("stage")
        del result
    print(f"full pipeline: wall best {min(times):.2f} s / median {sorted(times)[len(times) // 2]:.2f} s; "
          f"CPU best {min(cpus):.2f} s; + all tables: wall best {min(t + m for t, m in zip(times, mats, strict=True)):.2f} s, "
          f"CPU best {min(c + m for c, m in zip(cpus, mat_cpus, strict=True)):.2f} s; over {repeat} run(s); "
          f"peak RSS {peak_rss_mb():,.0f} MB; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("units per stage:", dict(stages.iter_rows()))


def bench_asem(repeat: int) -> None:
    data = pl.read_csv(SHARED / "asem_idata.csv", infer_schema_length=None)
    meta = pl.read_csv(SHARED / "asem_imeta.csv", infer_schema_length=None)
    spec = load_spec(ROOT / "examples" / "coinr-asem" / "canonical.yaml")
    run_pipeline(data, meta, spec)  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        run_pipeline(data, meta, spec)
        times.append(time.perf_counter() - t)
    print(f"COINr ASEM canonical (51 x 49): best {min(times) * 1000:.1f} ms, median "
          f"{sorted(times)[len(times) // 2] * 1000:.1f} ms over {repeat} runs")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-asem", action="store_true")
    ap.add_argument("--tune-malloc", action="store_true",
                    help="keep freed buffers in the glibc heap (see tune_glibc_malloc)")
    args = ap.parse_args()
    if args.tune_malloc:
        print("glibc malloc tuned:", tune_glibc_malloc())
    if not args.skip_asem and SHARED.exists():
        bench_asem(20)
    bench_synthetic(args.units, args.repeat)


if __name__ == "__main__":
    main()
