"""Outcomes: three-valued logic, alternative routes, sub-score minimums, HNTE formula and review
bounds, version selection by year, gap texts."""

import polars as pl

from innoregion.engines.rules import evaluate

from .helpers import HNTE_OK, SME_OK, TECH_SME_OK, frame, packs, run


def one(pack_id, **facts):
    return run(pack_id, [facts])[0]


# ---------------------------------------------------------------- unknown vs not met
def test_tech_sme_met_by_score():
    r = one("tech_sme", **TECH_SME_OK)
    # tech staff 30 % -> 20, R&D 7 % of sales -> 50, one I-class -> 30
    assert (r["outcome"], r["score_lo"], r["score_hi"], r["route"]) == ("met", 100, 100, "standard")
    assert r["valid_until"] == 2024


def test_false_condition_with_unknowns_is_not_met():
    r = one("tech_sme", **dict(TECH_SME_OK, employees=600, rd_expense=None, total_assets=None))
    assert r["outcome"] == "not_met"
    assert "Employees 600; needs ≤ 500" in r["gaps_en"]


def test_all_true_except_unknown_is_unknown_with_missing_fields():
    r = one("tech_sme", **dict(TECH_SME_OK, total_assets=None))
    assert r["outcome"] == "unknown"
    assert r["missing"] == "total_assets"


def test_missing_score_data_that_cannot_change_the_result_is_ignored():
    # staff 20 + R&D 50 already 70 >= 60: the unknown IP counts cannot make it fail
    r = one("tech_sme", **dict(TECH_SME_OK, ip_class1=None, ip_class2=None))
    assert (r["outcome"], r["score_lo"], r["score_hi"]) == ("met", 70, 100)


def test_missing_score_data_that_decides_is_unknown():
    # staff 20 + IP 0 known; R&D unknown: 20..70 straddles 60
    r = one("tech_sme", **dict(TECH_SME_OK, ip_class1=0, rd_expense=None))
    assert (r["outcome"], r["score_lo"], r["score_hi"]) == ("unknown", 20, 70)
    assert r["missing"] == "rd_expense"


def test_failed_score_with_unknown_direct_route_is_unknown():
    low = dict(TECH_SME_OK, tech_staff=12, rd_expense=100_000, ip_class1=0)
    assert one("tech_sme", **low)["outcome"] == "not_met"
    r = one("tech_sme", **dict(low, hnte_certified=None))
    assert r["outcome"] == "unknown"
    assert r["missing"] == "hnte_certified"


# ---------------------------------------------------------------- alternative routes
def test_direct_confirmation_route():
    low = dict(TECH_SME_OK, tech_staff=12, rd_expense=100_000, ip_class1=0)
    for col, value, route in (("hnte_certified", 1, "hnte_valid"), ("national_award_top3_5y", 1, "national_award"),
                              ("rd_institution_level", 2, "rd_institution"), ("standards_led_5y", 1, "standard_led")):
        r = one("tech_sme", **dict(low, **{col: value}))
        assert (r["outcome"], r["route"]) == ("met", route), col
    # direct confirmation still needs the eligibility conditions
    assert one("tech_sme", **dict(low, hnte_certified=1, revenue=300_000_000))["outcome"] == "not_met"


def test_take_the_better_rd_option():
    # R&D / sales 2.5 % (10 points) but R&D / costs 26 % (40 points)
    r = one("tech_sme", **dict(TECH_SME_OK, revenue=10_000_000, total_cost=961_538, rd_expense=250_000))
    assert r["details"]["rd_input"]["option"] == "rd_cost"
    assert r["details"]["rd_input"]["lo"] == 40
    assert r["details"]["rd_input"]["band_label"] == "≥ 25 % and < 30 %"
    assert r["details"]["tech_staff_share"]["band_label"] == "≥ 30 %"


def test_or_branch_revenue_or_equity():
    base = dict(SME_OK, niche_years=3, rd_expense=1_000_000, revenue=20_000_000)
    assert one("srdi_sme", **base)["details"]["revenue_or_equity"] == "true"
    small = dict(base, revenue=9_000_000, rd_expense=1_000_000)
    assert one("srdi_sme", **dict(small, equity_financing_2y=20_000_000))["details"]["revenue_or_equity"] == "true"
    assert one("srdi_sme", **dict(small, equity_financing_2y=19_999_999))["details"]["revenue_or_equity"] == "false"
    assert one("srdi_sme", **dict(small, equity_financing_2y=None))["details"]["revenue_or_equity"] == "unknown"


def test_srdi_direct_route_replaces_the_score_only():
    base = dict(SME_OK, niche_years=3, rd_expense=1_000_000, revenue=20_000_000, equity_financing_2y=60_000_000,
                provincial_award_top3_3y=0, national_award_top5_3y=0, rd_expense_prev1=0,
                maker_china_top500_3y=0)
    r = one("srdi_sme", **base)
    assert (r["outcome"], r["route"]) == ("met", "equity_60m")
    r = one("srdi_sme", **dict(base, niche_years=1))
    assert r["outcome"] == "not_met"


# ---------------------------------------------------------------- sub-score minimums
def test_tech_staff_score_must_not_be_zero():
    r = one("tech_sme", **dict(TECH_SME_OK, tech_staff=9))  # 9 %: 0 points; total 80
    assert (r["score_lo"], r["outcome"]) == (80, "not_met")
    assert "Tech-staff indicator score 0; needs > 0" in r["gaps_en"]
    assert one("tech_sme", **dict(TECH_SME_OK, tech_staff=10))["outcome"] == "met"


INNOV_BASE = dict(SME_OK, high_value_patents=0, ip_class1_self=0, ip_class1=0, ip_class2=0,
                  revenue=100_000_000, rd_expense=0, main_business_revenue_prev1=100_000_000,
                  main_business_revenue=115_000_000, total_assets=100, total_liabilities=10,
                  strategic_emerging=1, st_award_level=0, hnte_certified=0, innovation_title=0,
                  rd_institution_level=0, equity_financing_3y=0)


def test_innovative_sme_group_minimums():
    # innovation: IP 5 (II-class) + R&D 10 (2 %) = 15 < 20 although the total is 15 + 30 + 30 = 75
    r = one("innovative_sme", **dict(INNOV_BASE, ip_class2=1, rd_expense=2_000_000))
    assert (r["score_lo"], r["outcome"]) == (75, "not_met")
    assert "Innovation score 15; needs ≥ 20" in r["gaps_en"]
    # innovation exactly 20 (IP 10 + R&D 10): met
    r = one("innovative_sme", **dict(INNOV_BASE, ip_class1=1, rd_expense=2_000_000))
    assert (r["score_lo"], r["outcome"]) == (80, "met")
    # growth 10 + 0 = 10 < 15
    r = one("innovative_sme", **dict(INNOV_BASE, ip_class1=1, rd_expense=5_000_000, main_business_revenue=105_000_000,
                                     total_liabilities=80))
    assert r["outcome"] == "not_met" and "Growth score 10; needs ≥ 15" in r["gaps_en"]


def test_innovative_sme_direct_route():
    r = one("innovative_sme", **dict(INNOV_BASE, equity_financing_3y=5_000_000, main_business_revenue=50_000_000))
    assert (r["outcome"], r["route"]) == ("met", "equity_5m")


# ---------------------------------------------------------------- HNTE
def test_hnte_growth_formula_edge_cases():
    rows = [
        dict(HNTE_OK, revenue_prev2=0, revenue_prev1=100, revenue=150),   # Y1 = 0: Y3/Y2 − 1 = 50 %
        dict(HNTE_OK, revenue_prev2=0, revenue_prev1=100, revenue=110),   # Y1 = 0: 10 %
        dict(HNTE_OK, revenue_prev2=100, revenue_prev1=0, revenue=500),   # Y2 = 0: 0 points
        dict(HNTE_OK, revenue_prev2=0, revenue_prev1=0, revenue=500),     # both 0: 0 points
        dict(HNTE_OK, revenue_prev2=100, revenue_prev1=90, revenue=80),   # negative growth
        dict(HNTE_OK, revenue_prev2=100, revenue_prev1=120, revenue=None),  # unknown
        dict(HNTE_OK, revenue_prev2=100, revenue_prev1=50, revenue=150),  # ½(0.5 + 3) − 1 = 75 %
    ]
    got = [(r["details"]["sales_growth"]["lo"], r["details"]["sales_growth"]["hi"]) for r in run("hnte", rows)]
    assert got == [(9, 10), (3, 4), (0, 0), (0, 0), (0, 0), (0, 10), (9, 10)]


def test_hnte_needs_review_with_expert_bounds():
    r = one("hnte", **HNTE_OK)
    # computable: IP quantity 7 + transformations 25 + growth 1 + 1 = 34; high end 30 + 30 + 20 + 4 = 84
    assert (r["outcome"], r["score_lo"], r["score_hi"]) == ("needs_review", 34, 84)
    assert "computable 34 of max 100: qualifies only if experts give ≥ 37 of the remaining 50" in r["gaps_en"]
    assert "专家评审部分须在其余50分中至少给出37分" in run("hnte", [HNTE_OK], langs=("zh",))[0]["gaps_zh"]


def test_hnte_not_met_when_experts_cannot_help():
    weak = dict(HNTE_OK, ip_class1=0, ip_class2=1, ip_transformations=0, ip_transformations_prev1=0,
                ip_transformations_prev2=0, revenue_prev2=100, revenue_prev1=90, revenue=80,
                rd_expense=10, rd_expense_prev1=10, rd_expense_prev2=10, high_tech_revenue=60,
                rd_expense_domestic=10, rd_expense_domestic_prev1=10, rd_expense_domestic_prev2=10,
                net_assets_prev2=100, net_assets_prev1=90, net_assets=80)
    r = one("hnte", **weak)
    # IP at most 8 + 8 + 2 + 6 + 2 = 26, transformations 0, R&D organisation 20, growth 0: 46 < 71
    assert (r["outcome"], r["score_hi"]) == ("not_met", 46)


def test_hnte_rd_intensity_tiers_and_gap_text():
    # revenue ≤ ¥50 M needs 5 %; 3-year R&D 4 % of 3-year sales
    r = one("hnte", **dict(HNTE_OK, rd_expense=1_600_000, rd_expense_prev1=1_600_000, rd_expense_prev2=1_600_000,
                           rd_expense_domestic=1_600_000, rd_expense_domestic_prev1=1_600_000,
                           rd_expense_domestic_prev2=1_600_000))
    assert r["outcome"] == "not_met"
    assert ("R&D / sales over 3 years 4 %; needs ≥ 5 %; ¥1.2 M more R&D over the 3 years at this revenue"
            in r["gaps_en"])
    # the same 4 % passes at ¥60 M revenue (needs 4 %)
    big = dict(HNTE_OK, revenue=60_000_000, revenue_prev1=60_000_000, revenue_prev2=60_000_000,
               rd_expense=2_400_000, rd_expense_prev1=2_400_000, rd_expense_prev2=2_400_000,
               high_tech_revenue=40_000_000)
    assert one("hnte", **big)["details"]["rd_intensity"] == "true"
    # above ¥200 M: 3 %
    huge = dict(big, revenue=300_000_000, revenue_prev1=300_000_000, revenue_prev2=300_000_000,
                rd_expense=9_000_000, rd_expense_prev1=9_000_000, rd_expense_prev2=9_000_000,
                high_tech_revenue=200_000_000)
    assert one("hnte", **huge)["details"]["rd_intensity"] == "true"
    assert one("hnte", **dict(huge, rd_expense=8_999_000))["details"]["rd_intensity"] == "false"


def test_srdi_gap_text_has_money_shortfall():
    r = one("srdi_sme", **dict(SME_OK, niche_years=3, revenue=100_000_000, rd_expense=2_400_000))
    assert "R&D / revenue 2.4 %; needs ≥ 3 %; ¥0.6 M more R&D at this revenue" in r["gaps_en"]
    r = run("srdi_sme", [dict(SME_OK, niche_years=3, revenue=100_000_000, rd_expense=2_400_000)], langs=("zh", "ko"))[0]
    assert "还需研发投入60万元" in r["gaps_zh"]
    assert "연구개발비 ¥0.6 M 추가 필요" in r["gaps_ko"]


# ---------------------------------------------------------------- version selection
LG_2022 = dict(SME_OK, niche_years=3, main_business_revenue=36_000_000, revenue=40_000_000,
               main_business_revenue_prev1=32_000_000, main_business_revenue_prev2=30_000_000, digital_level=1,
               quality_certs=1, total_assets=100, total_liabilities=50, national_market_share=0.12, own_brand=1,
               equity_financing_2y=80_000_000, rd_expense=16_000_000, rd_expense_prev1=14_000_000, rd_staff=60,
               employees=100, rd_institution_level=1, ip_class1=2, award_top3_3y=0, maker_china_top50_3y=0)


def test_little_giant_version_by_year():
    df = frame([LG_2022, LG_2022, LG_2022]).with_columns(pl.Series("year", [2021, 2024, 2025], dtype=pl.Int32))
    out = evaluate(df, packs("little_giant")).sort("year")
    assert out.select("year", "version", "outcome").rows() == [
        (2021, None, "not_applicable"), (2024, "2022", "met"), (2025, "2025", "not_met")]


def test_little_giant_2025_requirements():
    ok = dict(LG_2022, revenue=60_000_000, main_business_revenue=50_000_000, ip_class1=4,
              rd_expense=6_000_000, rd_expense_prev1=6_000_000)
    df = frame([ok, dict(ok, ip_class1=3), dict(ok, rd_expense_prev1=5_999_999)]).with_columns(
        pl.lit(2025, pl.Int32).alias("year"))
    out = evaluate(df, packs("little_giant"), explain=True).sort("credit_code")
    assert out.get_column("outcome").to_list() == ["met", "not_met", "not_met"]
    assert out.get_column("version").to_list() == ["2025"] * 3


def test_tech_sme_before_2017_not_applicable():
    df = frame([TECH_SME_OK]).with_columns(pl.lit(2016, pl.Int32).alias("year"))
    assert evaluate(df, packs("tech_sme")).get_column("outcome").to_list() == ["not_applicable"]


# ---------------------------------------------------------------- growth and unicorn packs
def test_oecd_high_growth_and_gazelle():
    base = dict(employees_prev3=10, employees=10, revenue_prev3=1000, age_years=4)
    rows = [dict(base, revenue=1729), dict(base, revenue=1728), dict(base, employees_prev3=9, revenue=5000),
            dict(base, revenue=None), dict(base, revenue=2000, age_years=6)]
    hg = [r["outcome"] for r in run("high_growth", rows)]
    gz = [r["outcome"] for r in run("gazelle", rows)]
    # 1.729 > 1.2³ = 1.728: strictly more than 20 % a year
    assert hg == ["met", "not_met", "not_applicable", "unknown", "met"]
    assert gz == ["met", "not_met", "not_applicable", "unknown", "not_applicable"]


def test_gazelle_min_growth_parameter():
    p = packs("high_growth")[0].with_params({"min_growth": 0.10})
    df = frame([dict(employees_prev3=10, employees=10, revenue_prev3=1000, revenue=1400)])
    assert evaluate(df, [p]).get_column("outcome").to_list() == ["met"]
    assert evaluate(df, packs("high_growth")).get_column("outcome").to_list() == ["not_met"]


def test_torch_gazelle_age_parameter_and_or_branches():
    base = dict(age_years=12, revenue_prev3=20_000_000, revenue=40_000_000, revenue_prev1=35_000_000,
                employees_prev3=50, employees=60, rd_expense=1_200_000, st_activity_expense=None)
    assert one("gazelle_torch", **base)["outcome"] == "not_applicable"
    p = packs("gazelle_torch")[0].with_params({"max_age": 15})
    out = evaluate(frame([base, dict(base, rd_expense=0)]), [p]).sort("credit_code")
    # R&D 3 % of revenue proves S&T spending > 2.5 %; without it the S&T spending is unknown
    assert out.get_column("outcome").to_list() == ["met", "unknown"]


def test_unicorn_and_potential_unicorn():
    rows = [dict(age_years=8, listed=0, private_funded=1, valuation_usd=1_000_000_000),
            dict(age_years=8, listed=1, private_funded=1, valuation_usd=2_000_000_000),
            dict(age_years=11, listed=0, private_funded=1, valuation_usd=2_000_000_000),
            dict(age_years=8, listed=0, private_funded=1, valuation_usd=999_999_999)]
    assert [r["outcome"] for r in run("unicorn", rows)] == ["met", "not_applicable", "not_applicable", "not_met"]
    pot = [dict(age_years=4, listed=0, valuation_usd=50_000_000), dict(age_years=4, listed=0, valuation_usd=49_999_999),
           dict(age_years=5, listed=0, valuation_usd=100_000_000), dict(age_years=5, listed=0, valuation_usd=99_999_999),
           dict(age_years=9, listed=0, valuation_usd=1_000_000_000), dict(age_years=10, listed=0, valuation_usd=1e8)]
    assert [r["outcome"] for r in run("potential_unicorn", pot)] == [
        "met", "not_met", "met", "not_met", "not_met", "not_applicable"]


def test_assume_absent_closes_list_facts_only_when_asked():
    facts = frame([dict(TECH_SME_OK, abnormal_operation=None)])
    assert evaluate(facts, packs("tech_sme")).get_column("outcome").to_list() == ["unknown"]
    out = evaluate(facts, packs("tech_sme"), assume_absent=["abnormal_operation"])
    assert out.get_column("outcome").to_list() == ["met"]


def test_catalogue_lists_close_list_facts_but_not_self_declared_ones():
    from innoregion.engines.rules import catalogue_lists

    lists = catalogue_lists()
    assert {"abnormal_operation", "safety_incident", "research_misconduct", "dishonest_debtor",
            "award_top3_3y", "new_national_platform", "rd_institution_level"} <= set(lists)
    assert not {"restricted_products", "hnte_field", "revenue", "hnte_certified"} & set(lists)
    closed = frame([dict(TECH_SME_OK, abnormal_operation=None, research_misconduct=None)])
    assert evaluate(closed, packs("tech_sme"), assume_absent=lists).get_column("outcome").to_list() == ["met"]
    still_open = frame([dict(TECH_SME_OK, restricted_products=None)])
    assert evaluate(still_open, packs("tech_sme"), assume_absent=lists).get_column("outcome").to_list() == ["unknown"]


def test_hnte_certificate_holder_is_on_the_rung_while_meeting_the_hard_conditions():
    """A valid certificate (3 years) puts an enterprise on the HNTE rung without the expert review a
    new recognition needs; the hard conditions still apply, and an unknown certificate status keeps
    a weak candidate unknown rather than not met."""
    r = one("hnte", **dict(HNTE_OK, hnte_certified=1))
    assert (r["outcome"], r["route"]) == ("met", "certificate_held")
    r = one("hnte", **dict(HNTE_OK, hnte_certified=1, tech_staff=5))  # tech staff 5 % < 10 %
    assert r["outcome"] == "not_met"
    r = one("hnte", **dict(HNTE_OK, hnte_certified=None))
    assert r["outcome"] == "needs_review"  # the standard route may still qualify: experts decide
