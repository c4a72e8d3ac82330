"""Bench: every shipped rule pack over 1,000,000 synthetic enterprise-years, one thread.

    .venv/bin/python bench/bench_rules.py [--rows 1000000] [--explain 100000]

Prints the time of the core evaluation (outcome, score bounds, route, distance for every pack) and,
with --explain N, the time with the plain-words gaps, missing fields and details over N rows.
"""

from __future__ import annotations

import os

os.environ["POLARS_MAX_THREADS"] = "1"  # before polars is imported

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from innoregion.engines.rules import evaluate, load_packs  # noqa: E402


def synthetic_facts(n: int, seed: int = 7, missing: float = 0.05) -> pl.DataFrame:
    """n enterprise-years with plausible magnitudes and ``missing`` share of nulls per column."""
    rng = np.random.default_rng(seed)
    revenue = rng.lognormal(16.5, 1.6, n)
    employees = rng.integers(3, 1500, n).astype(float)
    cols = {
        "credit_code": [f"91220101{i:010d}" for i in range(n)],
        "year": rng.integers(2019, 2026, n),
        "revenue": revenue,
        "revenue_prev1": revenue / rng.uniform(0.7, 1.5, n),
        "revenue_prev2": revenue / rng.uniform(0.6, 2.0, n),
        "revenue_prev3": revenue / rng.uniform(0.5, 2.5, n),
        "main_business_revenue": revenue * rng.uniform(0.4, 1.0, n),
        "main_business_revenue_prev1": revenue * rng.uniform(0.3, 1.0, n),
        "main_business_revenue_prev2": revenue * rng.uniform(0.3, 1.0, n),
        "high_tech_revenue": revenue * rng.uniform(0, 1, n),
        "rd_expense": revenue * rng.uniform(0, 0.12, n),
        "rd_expense_prev1": revenue * rng.uniform(0, 0.12, n),
        "rd_expense_prev2": revenue * rng.uniform(0, 0.12, n),
        "rd_expense_domestic": revenue * rng.uniform(0, 0.1, n),
        "rd_expense_domestic_prev1": revenue * rng.uniform(0, 0.1, n),
        "rd_expense_domestic_prev2": revenue * rng.uniform(0, 0.1, n),
        "st_activity_expense": revenue * rng.uniform(0, 0.15, n),
        "total_cost": revenue * rng.uniform(0.5, 1.1, n),
        "net_profit": revenue * rng.uniform(-0.1, 0.2, n),
        "total_assets": revenue * rng.uniform(0.5, 3, n),
        "total_liabilities": revenue * rng.uniform(0.1, 2, n),
        "net_assets": revenue * rng.uniform(0.1, 1.5, n),
        "net_assets_prev1": revenue * rng.uniform(0.1, 1.5, n),
        "net_assets_prev2": revenue * rng.uniform(0, 1.5, n),
        "employees": employees,
        "employees_prev3": employees / rng.uniform(0.5, 3, n),
        "tech_staff": employees * rng.uniform(0, 0.6, n),
        "rd_staff": employees * rng.uniform(0, 0.5, n),
        "ip_class1": rng.poisson(0.8, n).astype(float),
        "ip_class1_self": rng.poisson(0.5, n).astype(float),
        "high_value_patents": rng.poisson(0.2, n).astype(float),
        "ip_class2": rng.poisson(3, n).astype(float),
        "ip_transformations": rng.poisson(2, n).astype(float),
        "ip_transformations_prev1": rng.poisson(2, n).astype(float),
        "ip_transformations_prev2": rng.poisson(2, n).astype(float),
        "standards_led_5y": rng.poisson(0.2, n).astype(float),
        "equity_financing_2y": rng.exponential(5e6, n),
        "equity_financing_3y": rng.exponential(8e6, n),
        "valuation_usd": rng.lognormal(17, 2, n),
        "age_years": rng.integers(0, 30, n).astype(float),
        "niche_years": rng.integers(0, 15, n).astype(float),
        "national_market_share": rng.uniform(0, 0.3, n),
        "rd_institution_level": rng.integers(0, 4, n).astype(float),
        "st_award_level": rng.integers(0, 3, n).astype(float),
        "digital_level": rng.integers(0, 3, n).astype(float),
        "chain_role": rng.integers(0, 3, n).astype(float),
        "quality_certs": rng.poisson(1, n).astype(float),
    }
    for flag, p in (("sme", 0.9), ("listed", 0.02), ("private_funded", 0.3), ("hnte_certified", 0.2),
                    ("hnte_field", 0.6), ("safety_incident", 0.02), ("research_misconduct", 0.01),
                    ("abnormal_operation", 0.03), ("restricted_products", 0.01), ("strategic_emerging", 0.4),
                    ("own_brand", 0.5), ("overseas_certification", 0.2), ("innovation_title", 0.05),
                    ("national_award_top3_5y", 0.01), ("provincial_award_top3_3y", 0.02),
                    ("national_award_top5_3y", 0.01), ("award_top3_3y", 0.02), ("maker_china_top500_3y", 0.02),
                    ("maker_china_top50_3y", 0.005)):
        cols[flag] = (rng.uniform(0, 1, n) < p).astype(float)
    df = pl.DataFrame(cols)
    if missing:
        df = df.with_columns(
            pl.when(pl.lit(rng.uniform(0, 1, n) < missing)).then(None).otherwise(pl.col(c)).alias(c)
            for c in df.columns if c not in ("credit_code", "year")
        )
    return df


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--explain", type=int, default=0, metavar="ROWS",
                    help="also time the gap texts, missing fields and details (en) over the first ROWS rows")
    args = ap.parse_args()
    packs = load_packs()
    t0 = time.perf_counter()
    facts = synthetic_facts(args.rows)
    t1 = time.perf_counter()
    print(f"polars {pl.__version__}, threads {pl.thread_pool_size()}, rows {args.rows:,}, "
          f"packs {len(packs)} versions of {len({p.id for p in packs})} ids")
    print(f"generate facts: {t1 - t0:.2f} s")
    evaluate(facts.head(1000), packs)  # compile plans
    t2, c2 = time.perf_counter(), time.process_time()
    out = evaluate(facts, packs)
    t3, c3 = time.perf_counter(), time.process_time()
    print(f"evaluate all packs (core): wall {t3 - t2:.2f} s, CPU {c3 - c2:.2f} s -> {out.height:,} outcome rows")
    print(out.group_by("pack", "outcome").len().sort("pack", "outcome"))
    if args.explain:
        t4, c4 = time.perf_counter(), time.process_time()
        out = evaluate(facts.head(args.explain), packs, explain=True, langs=("en",))
        t5, c5 = time.perf_counter(), time.process_time()
        print(f"evaluate all packs with explanations (en) over {args.explain:,} rows: "
              f"wall {t5 - t4:.2f} s, CPU {c5 - c4:.2f} s")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
