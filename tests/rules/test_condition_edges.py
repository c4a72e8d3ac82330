"""Threshold edges of the hard conditions (just below, at, just above), read from the condition states."""

import pytest

from .helpers import HNTE_OK, SME_OK, TECH_SME_OK, run

T, F, U = "true", "false", "unknown"

LG = dict(SME_OK, niche_years=3, main_business_revenue=36_000_000, revenue=40_000_000,
          main_business_revenue_prev1=32_000_000, main_business_revenue_prev2=30_000_000, digital_level=1,
          quality_certs=1, total_assets=1000, total_liabilities=500, national_market_share=0.12, own_brand=1,
          equity_financing_2y=80_000_000, rd_expense=16_000_000, rd_expense_prev1=14_000_000, rd_staff=60,
          employees=100, rd_institution_level=1, ip_class1=2, award_top3_3y=0, maker_china_top50_3y=0)

CASES = [
    ("tech_sme", "employees_max", TECH_SME_OK, "employees", [(499, T), (500, T), (501, F), (None, U)]),
    ("tech_sme", "revenue_max", TECH_SME_OK, "revenue", [(199_999_999, T), (200_000_000, T), (200_000_001, F)]),
    ("tech_sme", "assets_max", TECH_SME_OK, "total_assets", [(200_000_000, T), (200_000_001, F)]),
    ("tech_sme", "no_major_incident", TECH_SME_OK, "safety_incident", [(0, T), (1, F), (None, U)]),
    ("hnte", "registered_one_year", HNTE_OK, "age_years", [(0, F), (1, T), (2, T)]),
    ("hnte", "tech_staff_share", dict(HNTE_OK, employees=1000), "tech_staff", [(99, F), (100, T), (101, T)]),
    ("hnte", "hightech_revenue_share", dict(HNTE_OK, revenue=1000), "high_tech_revenue",
     [(599, F), (600, T), (601, T)]),
    ("hnte", "rd_in_china", dict(HNTE_OK, rd_expense_domestic_prev1=0, rd_expense_domestic_prev2=0,
                                 rd_expense=1000, rd_expense_prev1=0, rd_expense_prev2=0), "rd_expense_domestic",
     [(599, F), (600, T), (601, T)]),
    # revenue tier edge: at ¥50 M the 5 % rule applies, just above it the 4 % rule
    ("hnte", "rd_intensity", dict(HNTE_OK, revenue_prev1=50_000_000, revenue_prev2=50_000_000,
                                  rd_expense=2_100_000, rd_expense_prev1=2_100_000, rd_expense_prev2=2_100_000),
     "revenue", [(50_000_000, F), (50_000_001, T)]),
    ("hnte", "owns_ip", dict(HNTE_OK, ip_class1=0), "ip_class2", [(0, F), (1, T), (None, U)]),
    ("srdi_sme", "niche_two_years", SME_OK, "niche_years", [(1, F), (2, T), (3, T)]),
    ("srdi_sme", "rd_amount", SME_OK, "rd_expense", [(999_999, F), (1_000_000, T), (1_000_001, T)]),
    ("srdi_sme", "rd_ratio_min", dict(SME_OK, revenue=1000), "rd_expense", [(29, F), (30, T), (31, T)]),
    ("srdi_sme", "revenue_or_equity", dict(SME_OK, equity_financing_2y=0), "revenue",
     [(9_999_999, F), (10_000_000, T), (10_000_001, T)]),
    ("little_giant", "niche_three_years", LG, "niche_years", [(2, F), (3, T), (4, T)]),
    ("little_giant", "main_share", dict(LG, revenue=1000), "main_business_revenue", [(699, F), (700, T), (701, T)]),
    ("little_giant", "main_growth_2y", dict(LG, main_business_revenue_prev2=1000, main_business_revenue_prev1=1000),
     "main_business_revenue", [(1099, F), (1100, T), (1101, T)]),
    ("little_giant", "debt_ratio", LG, "total_liabilities", [(699, T), (700, T), (701, F)]),
    ("little_giant", "market_share", LG, "national_market_share", [(0.0999, F), (0.10, T), (0.1001, T)]),
    ("little_giant", "class1_ip", LG, "ip_class1", [(1, F), (2, T), (3, T)]),
    ("little_giant", "certification", dict(LG, overseas_certification=0), "quality_certs", [(0, F), (1, T)]),
    # R&D tiers (2022): ≥ ¥100 M needs 3 % in both years; ¥50–100 M needs 6 %
    ("little_giant", "rd_requirement", dict(LG, revenue_prev1=100_000_000, rd_expense=3_000_000,
                                            rd_expense_prev1=3_000_000, equity_financing_2y=0),
     "revenue", [(99_999_999, F), (100_000_000, T), (100_000_001, F)]),
    ("little_giant", "rd_requirement", dict(LG, revenue=60_000_000, revenue_prev1=60_000_000, rd_expense_prev1=3_600_000,
                                            equity_financing_2y=0), "rd_expense",
     [(3_599_999, F), (3_600_000, T), (3_600_001, T)]),
    ("little_giant", "rd_requirement", dict(LG, revenue=40_000_000, rd_expense=16_000_000, rd_expense_prev1=14_000_000),
     "equity_financing_2y", [(79_999_999, F), (80_000_000, T), (None, U)]),
    ("high_growth", "growth_3y", dict(employees_prev3=10, employees=10, revenue_prev3=1000), "revenue",
     [(1728, F), (1729, T)]),
    ("potential_unicorn", "valuation_by_age", dict(age_years=5, listed=0), "valuation_usd",
     [(99_999_999, F), (100_000_000, T), (999_999_999, T), (1_000_000_000, F)]),
    ("unicorn", "valuation_1bn", dict(age_years=3, listed=0, private_funded=1), "valuation_usd",
     [(999_999_999, F), (1_000_000_000, T)]),
]


@pytest.mark.parametrize("pack_id,item,base,column,expected", CASES,
                         ids=[f"{c[0]}.{c[1]}.{c[3]}.{i}" for i, c in enumerate(CASES)])
def test_condition_edges(pack_id, item, base, column, expected):
    rows = [dict(base, **{column: v}) for v, _ in expected]
    got = [r["details"][item] for r in run(pack_id, rows)]
    assert got == [s for _, s in expected], list(zip([v for v, _ in expected], got, strict=True))


def test_little_giant_2025_edges():
    ok = dict(LG, revenue=60_000_000, main_business_revenue=50_000_000, ip_class1=4,
              rd_expense=6_000_000, rd_expense_prev1=6_000_000, year=2025)
    rows = [dict(ok, revenue=49_999_999), dict(ok, revenue=50_000_000, main_business_revenue=42_000_000),
            dict(ok, rd_expense=5_999_999), dict(ok, ip_class1=3)]
    states = [(r["details"]["revenue_50m"], r["details"]["rd_two_years"], r["details"]["class1_ip"])
              for r in run("little_giant", rows)]
    assert states == [(F, T, T), (T, T, T), (T, F, T), (T, T, F)]
