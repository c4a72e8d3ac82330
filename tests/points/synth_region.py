"""A small synthetic region (long filing table + enterprise table) for the methodology tests."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from innoregion.data.catalogue import load_catalogue

CLUSTERS = ["pharma-valley", "optics-valley", "new-materials", "modern-services", "future-industries", None]


def synth_region(n: int = 120, year: int = 2025, seed: int = 1) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    cat = load_catalogue()
    codes = [f"91220101MA{i:07d}" for i in range(n)]  # not check-digit valid: the engine does not care
    founded = [dt.date(year, 6, 30) - dt.timedelta(days=int(d)) for d in rng.uniform(100, 9000, n)]
    ent = pl.DataFrame({
        "credit_code": codes, "founded": founded,
        "cluster": [CLUSTERS[k] for k in rng.integers(0, len(CLUSTERS), n)],
        "zone": rng.choice(["south", "north", "airport"], n).tolist(),
        "industry": rng.choice(["C27", "C39", "C26", "I65"], n).tolist(),
    })
    rows = []
    size = rng.lognormal(16.5, 1.6, n)  # revenue around ¥15 M, wide spread
    for y in (year - 1, year):
        grow = rng.normal(1.0 if y < year else 1.12, 0.15, n)
        rev = size * grow
        for i, c in enumerate(codes):
            vals = {
                "revenue": rev[i], "rd_expense": rev[i] * rng.uniform(0.01, 0.15),
                "high_tech_revenue": rev[i] * rng.uniform(0, 0.9), "net_profit": rev[i] * rng.normal(0.06, 0.08),
                "total_assets": rev[i] * rng.uniform(0.8, 2.0), "tax_paid": rev[i] * rng.uniform(0.01, 0.06),
                "employees": float(max(3, int(rev[i] / 4e5))),
            }
            vals["total_liabilities"] = vals["total_assets"] * rng.uniform(0.1, 0.85)
            vals["rd_staff"] = float(int(vals["employees"] * rng.uniform(0.05, 0.4)))
            vals["graduate_staff"] = float(int(vals["employees"] * rng.uniform(0.2, 0.8)))
            for k in ("invention_patents", "high_value_patents", "invention_applications", "pct_applications",
                      "ip_transformations", "standards_led", "class1_other_ip", "leading_talents", "quality_certs"):
                vals[k] = float(rng.poisson(2.0 if k != "class1_other_ip" else 0.3))
            vals["rd_institution_level"] = float(rng.integers(0, 4))
            vals["st_award_level"] = float(rng.integers(0, 3))
            vals["chain_role"] = float(rng.integers(0, 3))
            vals["equity_financing"] = float(rng.uniform(0, 5e7)) if rng.uniform() < 0.3 else 0.0
            for k in ("hnte_certified", "strategic_emerging"):
                vals[k] = float(rng.uniform() < 0.4)
            for k in ("safety_incident", "research_misconduct", "dishonest_debtor"):
                vals[k] = float(rng.uniform() < 0.04)
            if rng.uniform() < 0.05:  # some filings missing
                vals.pop("tax_paid")
            for k, v in vals.items():
                assert k in cat.indicators, k
                rows.append((c, y, k, float(v)))
    values = pl.DataFrame(rows, schema={"credit_code": pl.String, "year": pl.Int64, "indicator": pl.String,
                                        "value": pl.Float64}, orient="row")
    return values, ent
