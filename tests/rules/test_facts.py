"""The facts table builder and the facts documentation."""

from pathlib import Path

import polars as pl

from innoregion.engines.rules import FACT_COLUMNS, build_facts, load_packs
from innoregion.engines.rules.evaluate import plan_for

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules" / "facts.md"


def test_build_facts_lags_and_derived():
    filings = pl.DataFrame({
        "credit_code": ["A"] * 9 + ["B"] * 2,
        "year": [2021, 2022, 2023, 2023, 2023, 2023, 2023, 2023, 2023, 2023, 2023],
        "indicator": ["revenue", "revenue", "revenue", "invention_patents", "class1_other_ip", "utility_patents",
                      "design_patents", "software_copyrights", "total_assets", "revenue", "total_liabilities"],
        "value": [100.0, 200.0, 300.0, 2, 1, 3, 0, 4, 1000, 50, 10],
    })
    ents = pl.DataFrame({"credit_code": ["A", "B"], "founded": ["2020-05-01", "2023-02-01"], "listed": [0, 1]})
    f = build_facts(filings, ents).sort("credit_code", "year")
    a = f.filter((pl.col("credit_code") == "A") & (pl.col("year") == 2023)).to_dicts()[0]
    assert (a["revenue_prev1"], a["revenue_prev2"], a["revenue_prev3"]) == (200, 100, None)  # 2020 not filed
    assert (a["ip_class1"], a["ip_class2"], a["age_years"], a["listed"]) == (3, 7, 3, 0)
    assert a["net_assets"] is None  # liabilities not filed: unknown, never 0
    b = f.filter(pl.col("credit_code") == "B").to_dicts()[0]
    # founded in 2023: the years before are 0, not unknown
    assert (b["revenue_prev1"], b["revenue_prev2"], b["net_assets"], b["age_years"]) == (0, 0, None, 0)
    assert b["sme"] == 1  # derived: revenue < ¥400 M
    assert set(f.columns) == set(FACT_COLUMNS)


def test_every_column_documented_and_every_pack_column_known():
    text = DOCS.read_text(encoding="utf-8")
    for col in FACT_COLUMNS:
        assert f"`{col}`" in text, col
    used = set()
    for p in load_packs():
        used |= plan_for(p).columns
    assert used <= set(FACT_COLUMNS)


def test_facts_doc_is_current():
    from innoregion.engines.rules.docs import facts_markdown

    assert DOCS.read_text(encoding="utf-8") == facts_markdown(), "regenerate docs/rules/facts.md"


def test_build_facts_assume_absent():
    filings = pl.DataFrame({"credit_code": ["A", "B"], "year": [2024, 2024], "indicator": ["abnormal_operation", "revenue"],
                            "value": [1.0, 5.0]})
    ents = pl.DataFrame({"credit_code": ["A", "B"], "founded": [2010, 2010]})
    strict = build_facts(filings, ents).sort("credit_code").get_column("abnormal_operation").to_list()
    closed = build_facts(filings, ents, assume_absent=["abnormal_operation"]).sort("credit_code")
    assert strict == [1, None] and closed.get_column("abnormal_operation").to_list() == [1, 0]
