"""Small facts tables for the rule tests, written out by hand (never derived from the packs)."""

from __future__ import annotations

import json

import polars as pl

from innoregion.engines.rules import evaluate, load_packs

_PACKS = None


def packs(pack_id: str | None = None):
    global _PACKS
    if _PACKS is None:
        _PACKS = load_packs()
    return [p for p in _PACKS if pack_id is None or p.id == pack_id]


def frame(rows: list[dict]) -> pl.DataFrame:
    rows = [{"credit_code": f"E{i:04d}", "year": 2024, **r} for i, r in enumerate(rows)]
    cols = sorted({k for r in rows for k in r})
    data = {c: [r.get(c) for r in rows] for c in cols}
    schema = {c: (pl.String if c == "credit_code" else pl.Int32 if c == "year" else pl.Float64) for c in cols}
    return pl.DataFrame(data, schema=schema)


def run(pack_id: str, rows: list[dict], langs=("en",)) -> list[dict]:
    out = evaluate(frame(rows), packs(pack_id), explain=True, langs=langs)
    out = out.sort("credit_code")
    result = out.to_dicts()
    for r in result:
        r["details"] = json.loads(r["details"]) if r.get("details") else {}
    return result


def points(pack_id: str, rows: list[dict], indicator: str) -> list[tuple[float, float]]:
    return [(r["details"][indicator]["lo"], r["details"][indicator]["hi"]) for r in run(pack_id, rows)]


# A technology-based SME that passes every eligibility condition; tests change what they probe.
TECH_SME_OK = dict(
    employees=100, tech_staff=30, revenue=10_000_000, total_assets=20_000_000, total_cost=9_000_000,
    rd_expense=700_000, ip_class1=1, ip_class2=0, restricted_products=0, safety_incident=0,
    research_misconduct=0, abnormal_operation=0, hnte_certified=0, national_award_top3_5y=0,
    rd_institution_level=0, standards_led_5y=0,
)

# An HNTE candidate meeting every hard condition.
HNTE_OK = dict(
    age_years=5, ip_class1=1, ip_class2=0, hnte_field=1, employees=100, tech_staff=20,
    revenue=40_000_000, revenue_prev1=40_000_000, revenue_prev2=40_000_000,
    rd_expense=3_000_000, rd_expense_prev1=3_000_000, rd_expense_prev2=3_000_000,
    rd_expense_domestic=3_000_000, rd_expense_domestic_prev1=3_000_000, rd_expense_domestic_prev2=3_000_000,
    high_tech_revenue=30_000_000, safety_incident=0, hnte_certified=0,
    ip_transformations=5, ip_transformations_prev1=5, ip_transformations_prev2=5,
    net_assets=100, net_assets_prev1=100, net_assets_prev2=100,
)

# Common SME preconditions of the MIIT ladder.
SME_OK = dict(sme=1, abnormal_operation=0, restricted_products=0, safety_incident=0)
