"""Every band edge of every banded indicator: just below, at, just above (expected points written out)."""

import pytest

from .helpers import HNTE_OK, SME_OK, TECH_SME_OK, points

# (pack, indicator, base facts, varied column, [(value, expected points), ...])
CASES = [
    # technology-based SME 2017
    ("tech_sme", "tech_staff_share", dict(TECH_SME_OK, employees=1000), "tech_staff",
     [(99, 0), (100, 4), (101, 4), (149, 4), (150, 8), (151, 8), (199, 8), (200, 12), (201, 12),
      (249, 12), (250, 16), (251, 16), (299, 16), (300, 20), (301, 20)]),
    ("tech_sme", "rd_input", dict(TECH_SME_OK, revenue=100_000_000, total_cost=1e12), "rd_expense",
     [(1_999_999, 0), (2_000_000, 10), (2_000_001, 10), (2_999_999, 10), (3_000_000, 20), (3_000_001, 20),
      (3_999_999, 20), (4_000_000, 30), (4_000_001, 30), (4_999_999, 30), (5_000_000, 40), (5_000_001, 40),
      (5_999_999, 40), (6_000_000, 50), (6_000_001, 50)]),
    ("tech_sme", "rd_input", dict(TECH_SME_OK, revenue=1e12, total_cost=100_000_000), "rd_expense",
     [(9_999_999, 0), (10_000_000, 10), (10_000_001, 10), (14_999_999, 10), (15_000_000, 20), (19_999_999, 20),
      (20_000_000, 30), (24_999_999, 30), (25_000_000, 40), (29_999_999, 40), (30_000_000, 50), (30_000_001, 50)]),
    # HNTE 2016: 3-year average of transformations (sum / 3); bands carry expert ranges
    ("hnte", "transformations", dict(HNTE_OK, ip_transformations_prev1=0, ip_transformations_prev2=0),
     "ip_transformations",
     [(2, (0, 0)), (3, (1, 6)), (4, (1, 6)), (5, (1, 6)), (6, (7, 12)), (8, (7, 12)), (9, (13, 18)),
      (11, (13, 18)), (12, (19, 24)), (14, (19, 24)), (15, (25, 30)), (16, (25, 30))]),
    # HNTE sales growth ½·(Y2/Y1 + Y3/Y2) − 1 with Y1 = Y2 = 1000: the rate is (Y3/1000 − 1) / 2
    ("hnte", "sales_growth", dict(HNTE_OK, revenue_prev2=1000, revenue_prev1=1000), "revenue",
     [(999, (0, 0)), (1000, (1, 2)), (1001, (1, 2)), (1099, (1, 2)), (1100, (3, 4)), (1101, (3, 4)),
      (1299, (3, 4)), (1300, (5, 6)), (1301, (5, 6)), (1499, (5, 6)), (1500, (7, 8)), (1501, (7, 8)),
      (1699, (7, 8)), (1700, (9, 10)), (1701, (9, 10))]),
    ("hnte", "net_asset_growth", dict(HNTE_OK, net_assets_prev2=1000, net_assets_prev1=1000), "net_assets",
     [(999, (0, 0)), (1000, (1, 2)), (1099, (1, 2)), (1100, (3, 4)), (1299, (3, 4)), (1300, (5, 6)),
      (1499, (5, 6)), (1500, (7, 8)), (1699, (7, 8)), (1700, (9, 10))]),
    # innovative SME 2022
    ("innovative_sme", "rd_ratio", dict(SME_OK, revenue=100_000_000), "rd_expense",
     [(999_999, 0), (1_000_000, 5), (1_000_001, 5), (1_999_999, 5), (2_000_000, 10), (2_999_999, 10),
      (3_000_000, 15), (4_999_999, 15), (5_000_000, 20), (5_000_001, 20)]),
    ("innovative_sme", "main_growth", dict(SME_OK, main_business_revenue_prev1=1000), "main_business_revenue",
     [(999, 0), (1000, 5), (1001, 5), (1049, 5), (1050, 10), (1099, 10), (1100, 15), (1149, 15),
      (1150, 20), (1151, 20)]),
    ("innovative_sme", "debt_ratio", dict(SME_OK, total_assets=1000), "total_liabilities",
     [(549, 10), (550, 5), (551, 5), (749, 5), (750, 5), (751, 0)]),
    ("innovative_sme", "main_share", dict(SME_OK, revenue=1000), "main_business_revenue",
     [(499, 0), (500, 5), (501, 5), (549, 5), (550, 10), (599, 10), (600, 15), (699, 15), (700, 20), (701, 20)]),
    # 专精特新 SME 2022
    ("srdi_sme", "main_share", dict(SME_OK, revenue=1000), "main_business_revenue",
     [(599, 0), (600, 1), (601, 1), (699, 1), (700, 3), (799, 3), (800, 5), (801, 5)]),
    ("srdi_sme", "main_growth_2y", dict(SME_OK, main_business_revenue_prev2=1000,
                                        main_business_revenue_prev1=1000), "main_business_revenue",
     [(999, 0), (1000, 2), (1079, 2), (1080, 4), (1119, 4), (1120, 6), (1159, 6), (1160, 8), (1199, 8),
      (1200, 10), (1201, 10)]),
    ("srdi_sme", "niche_score", dict(SME_OK), "niche_years",
     [(1, 0), (2, 1), (3, 1), (4, 2), (5, 2), (6, 3), (7, 3), (8, 4), (9, 4), (10, 5), (11, 5)]),
    ("srdi_sme", "chain_role_score", dict(SME_OK), "chain_role", [(0, 0), (1, 3), (2, 5)]),
    ("srdi_sme", "digital_score", dict(SME_OK), "digital_level", [(0, 0), (1, 3), (2, 5)]),
    ("srdi_sme", "quality_score", dict(SME_OK), "quality_certs", [(0, 0), (1, 3), (2, 5), (3, 5)]),
    ("srdi_sme", "net_margin", dict(SME_OK, revenue=1000), "net_profit",
     [(-5, 0), (19, 0), (20, 2), (21, 2), (39, 2), (40, 4), (59, 4), (60, 6), (79, 6), (80, 8), (99, 8),
      (100, 10), (101, 10)]),
    ("srdi_sme", "debt_ratio", dict(SME_OK, total_assets=1000), "total_liabilities",
     [(499, 5), (500, 3), (501, 3), (599, 3), (600, 1), (601, 1), (699, 1), (700, 1), (701, 0)]),
    ("srdi_sme", "rd_input", dict(SME_OK, revenue=1e12), "rd_expense",
     [(999_999, 0), (1_000_000, 2), (1_999_999, 2), (2_000_000, 4), (2_999_999, 4), (3_000_000, 6),
      (3_999_999, 6), (4_000_000, 8), (4_999_999, 8), (5_000_000, 10), (5_000_001, 10)]),
    ("srdi_sme", "rd_input", dict(SME_OK, revenue=1000), "rd_expense",  # ratio option beats amount
     [(29, 0), (30, 2), (39, 2), (40, 4), (59, 4), (60, 6), (79, 6), (80, 8), (99, 8), (100, 10), (101, 10)]),
    ("srdi_sme", "rd_staff_share", dict(SME_OK, employees=1000), "rd_staff",
     [(49, 0), (50, 1), (51, 1), (99, 1), (100, 3), (199, 3), (200, 5), (201, 5)]),
    ("srdi_sme", "rd_institution", dict(SME_OK), "rd_institution_level", [(0, 0), (1, 4), (2, 8), (3, 10)]),
    # unicorn valuation tier
    ("unicorn", "valuation_tier", dict(age_years=3, listed=0), "valuation_usd",
     [(999_999_999, 0), (1_000_000_000, 1), (9_999_999_999, 1), (10_000_000_000, 2), (10_000_000_001, 2)]),
]


def _ids():
    return [f"{c[0]}.{c[1]}.{c[3]}" for c in CASES]


@pytest.mark.parametrize("pack_id,indicator,base,column,expected", CASES, ids=_ids())
def test_band_edges(pack_id, indicator, base, column, expected):
    rows = [dict(base, **{column: value}) for value, _ in expected]
    got = points(pack_id, rows, indicator)
    want = [(p, p) if isinstance(p, int) else p for _, p in expected]
    assert got == [(float(a), float(b)) for a, b in want], list(zip([v for v, _ in expected], got, strict=True))


# IP cases, (class I, class II) -> points
IP_CASES = [
    ("tech_sme", "ip_count", [((1, 0), 30), ((0, 5), 24), ((0, 4), 24), ((0, 3), 18), ((0, 2), 12),
                              ((0, 1), 6), ((0, 0), 0)]),
    ("hnte", "ip_quantity", [((1, 0), (7, 8)), ((0, 6), (5, 6)), ((0, 5), (5, 6)), ((0, 4), (3, 4)),
                             ((0, 3), (3, 4)), ((0, 2), (1, 2)), ((0, 1), (1, 2)), ((0, 0), (0, 0))]),
]


@pytest.mark.parametrize("pack_id,indicator,expected", IP_CASES, ids=[c[0] for c in IP_CASES])
def test_ip_cases(pack_id, indicator, expected):
    rows = [dict(TECH_SME_OK, ip_class1=a, ip_class2=b) for (a, b), _ in expected]
    got = points(pack_id, rows, indicator)
    want = [(p, p) if isinstance(p, int) else p for _, p in expected]
    assert got == [(float(a), float(b)) for a, b in want]


def test_innovative_sme_ip_levels():
    rows = [dict(SME_OK, high_value_patents=1, ip_class1_self=1, ip_class1=1, ip_class2=1),
            dict(SME_OK, high_value_patents=0, ip_class1_self=1, ip_class1=1, ip_class2=0),
            dict(SME_OK, high_value_patents=0, ip_class1_self=0, ip_class1=2, ip_class2=0),
            dict(SME_OK, high_value_patents=0, ip_class1_self=0, ip_class1=0, ip_class2=3),
            dict(SME_OK, high_value_patents=0, ip_class1_self=0, ip_class1=0, ip_class2=0),
            # unknown high-value count, but an own I-class item: 15 or 20 points
            dict(SME_OK, high_value_patents=None, ip_class1_self=1, ip_class1=1, ip_class2=0)]
    assert points("innovative_sme", rows, "ip_level") == [(20, 20), (15, 15), (10, 10), (5, 5), (0, 0), (15, 20)]


def test_strategic_emerging_flag():
    rows = [dict(SME_OK, strategic_emerging=1), dict(SME_OK, strategic_emerging=0),
            dict(SME_OK, strategic_emerging=None)]
    assert points("innovative_sme", rows, "strategic_emerging_product") == [(10, 10), (5, 5), (5, 10)]


def test_srdi_ip_levels_weak_mapping():
    rows = [dict(SME_OK, high_value_patents=1, ip_class1_self=0, ip_class1=1, ip_class2=0),
            dict(SME_OK, high_value_patents=0, ip_class1_self=1, ip_class1=1, ip_class2=0),
            dict(SME_OK, high_value_patents=0, ip_class1_self=0, ip_class1=1, ip_class2=0),
            dict(SME_OK, high_value_patents=0, ip_class1_self=0, ip_class1=0, ip_class2=1),
            dict(SME_OK, high_value_patents=0, ip_class1_self=0, ip_class1=0, ip_class2=0)]
    assert points("srdi_sme", rows, "ip_score") == [(10, 10), (8, 8), (6, 6), (2, 2), (0, 0)]


def test_srdi_distinctiveness_is_expert_judged():
    assert points("srdi_sme", [dict(SME_OK)], "distinctive_indicators") == [(0, 15)]
