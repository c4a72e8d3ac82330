"""The shipped methodologies validate, build from a synthetic region and run; docs match the YAML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from innoregion.engines.points import load_spec, run_pipeline
from innoregion.engines.points.explain import Explainer
from innoregion.engines.points.region_input import (
    build_input,
    list_methodologies,
    load_methodology,
    methodology_markdown,
)
from tests.points.synth_region import synth_region

DOCS = Path(__file__).resolve().parents[2] / "docs" / "methodology"
IDS = ["national-trial-2024", "v2-2025", "changchun-new-area"]


@pytest.fixture(scope="module")
def region():
    return synth_region(120, 2025, seed=1)


def test_all_three_editions_ship():
    assert set(IDS) <= set(list_methodologies())


@pytest.mark.parametrize("mid", IDS)
def test_spec_validates_and_cites_policy(mid):
    m = load_methodology(mid)
    spec = load_spec(m.spec)
    assert spec.tiers and m.cites and any("§1" in c for c in m.cites)
    for ind in m.indicators:
        assert ind.get("rationale"), ind["code"]
        assert {"zh", "ko", "en"} <= set(ind["names"]), ind["code"]
    for g in m.groups:
        assert {"zh", "ko", "en"} <= set(g["names"])
    choices = m.raw["choices"]
    assert choices and all(("[unknown]" in c["evidence"] or "[weak]" in c["evidence"]
                            or "[confirmed]" in c["evidence"] or "our rule" in c["evidence"]) for c in choices)


def test_national_shape():
    m = load_methodology("national-trial-2024")
    assert len(m.indicators) == 18
    assert [g["code"] for g in m.groups] == ["tech", "growth", "aux"]
    assert set(m.spec["weights"]["by_stage"]) == {"startup", "growth", "stable"}
    v2 = load_methodology("v2-2025")
    assert len(v2.indicators) == 9 and len(v2.spec["bonus"]["items"]) == 3 and v2.spec["bonus"]["cap"] == 30
    cc = load_methodology("changchun-new-area")
    assert len(cc.indicators) == 23  # 18 + M
    assert {it["column"] for it in cc.spec["penalty"]["items"]} == {"safety_incident", "research_misconduct",
                                                                    "dishonest_debtor"}


@pytest.mark.parametrize("mid", IDS)
def test_docs_are_generated_from_the_yaml(mid):
    assert (DOCS / f"{mid}.md").read_text(encoding="utf-8") == methodology_markdown(load_methodology(mid))


def test_build_input_columns_ratios_and_stage_inputs(region):
    values, ent = region
    data, meta = build_input(values, ent, "national-trial-2024", 2025)
    assert data.height == 120 and data["uCode"].is_sorted()
    m = load_methodology("national-trial-2024")
    assert meta.filter(pl.col("Type") == "Indicator")["iCode"].to_list() == m.indicator_codes
    code = data["uCode"][5]
    cur = values.filter((pl.col("credit_code") == code) & (pl.col("year") == 2025))
    prev = values.filter((pl.col("credit_code") == code) & (pl.col("year") == 2024))

    def val(f, k):
        return f.filter(pl.col("indicator") == k)["value"][0]

    row = data.filter(pl.col("uCode") == code).row(0, named=True)
    assert row["rd_intensity"] == val(cur, "rd_expense") and row["den_revenue"] == val(cur, "revenue")
    assert row["revenue_growth"] == pytest.approx(val(cur, "revenue") - val(prev, "revenue"))
    assert row["den_revenue_prev"] == val(prev, "revenue")
    assert row["stage_revenue"] == val(cur, "revenue")
    founded = ent.filter(pl.col("credit_code") == code)["founded"][0]
    assert row["age_years"] == pytest.approx((dt.date(2025, 12, 31) - founded).days / 365.25)
    res = run_pipeline(data, meta, m.spec)
    den = res.denominated.filter(pl.col("uCode") == code).row(0, named=True)
    assert den["rd_intensity"] == pytest.approx(val(cur, "rd_expense") / val(cur, "revenue"))
    assert den["debt_ratio"] == pytest.approx(val(cur, "total_liabilities") / val(cur, "total_assets"))


def test_stage_assignment(region):
    values, ent = region
    data, meta = build_input(values, ent, "national-trial-2024", 2025)
    res = run_pipeline(data, meta, load_methodology("national-trial-2024").spec)
    st = data.join(res.stages, on="uCode")
    young = st.filter(pl.col("age_years") < 3)
    assert (young["stage"] == "startup").all()
    old = st.filter(pl.col("age_years") >= 3)
    assert (old.filter(pl.col("stage_revenue") >= 1e8)["stage"] == "stable").all()
    assert (old.filter((pl.col("stage_revenue") >= 5e6) & (pl.col("stage_revenue") < 1e8))["stage"]
            == "growth").all()
    assert (old.filter(pl.col("stage_revenue") < 5e6)["stage"] == "startup").all()
    assert set(st["stage"].to_list()) == {"startup", "growth", "stable"}


@pytest.mark.parametrize("mid", IDS)
def test_runs_on_synthetic_region(region, mid):
    values, ent = region
    data, meta = build_input(values, ent, mid, 2025)
    m = load_methodology(mid)
    res = run_pipeline(data, meta, m.spec)
    s = res.scores
    assert s.height == 120 and s["score"].null_count() == 0
    assert s["tier"].drop_nulls().len() > 0
    base = s["Points"].to_numpy()
    assert np.all((base >= 0) & (base <= 100))
    if mid == "v2-2025":
        assert s["bonus"].max() <= 30 and s["bonus"].max() > 0
    ex = Explainer(res, data)
    e = ex.explain(s.filter(pl.col("tier").is_null())["uCode"][0], points=1.0)
    assert any(w.status == "ok" for w in e.whatif)


def test_changchun_deductions_and_bonus(region):
    values, ent = region
    data, meta = build_input(values, ent, "changchun-new-area", 2025)
    res = run_pipeline(data, meta, load_methodology("changchun-new-area").spec)
    j = data.join(res.scores, on="uCode")
    bad = j.filter(pl.col("dishonest_debtor") == 1)
    assert bad.height > 0 and (bad["penalty"] >= 20).all()
    clean = j.filter((pl.col("dishonest_debtor") == 0) & (pl.col("research_misconduct") == 0)
                     & (pl.col("safety_incident") == 0))
    assert (clean["penalty"] == 0).all()
    assert (j.filter(pl.col("cluster").is_not_null())["bonus"] >= 3).all()
    assert (j["score"] >= 0).all() and (j["bonus"] <= 10).all()
    # featured indicators are scored
    assert {"class1_other_ip", "pct_applications"} <= set(res.normalised.columns)


def test_build_input_is_deterministic(region):
    values, ent = region
    a = build_input(values, ent, "changchun-new-area", 2025)
    b = build_input(values.sample(fraction=1.0, shuffle=True, seed=3), ent.reverse(), "changchun-new-area", 2025)
    assert a[0].equals(b[0]) and a[1].equals(b[1])


def test_whatif_on_a_methodology_respects_whole_numbers_and_reruns(region):
    import copy

    from innoregion.engines.points.region_input import whatif_constraints

    values, ent = region
    data, meta = build_input(values, ent, "national-trial-2024", 2025)
    spec = copy.deepcopy(load_methodology("national-trial-2024").spec)
    spec["treat"] = {"method": "none"}  # a re-run would re-fit the treatment; keep it out of the check
    res = run_pipeline(data, meta, spec)
    bounds, integral = whatif_constraints("national-trial-2024")
    assert {"invention_patents", "rd_staff_share", "hnte_certified"} <= integral
    assert "revenue_growth" not in bounds and bounds["hnte_certified"] == (0.0, 1.0)
    ex = Explainer(res, data, bounds=bounds, integral=integral)
    unit = res.scores.filter(pl.col("tier").is_null()).sort("score", descending=True)["uCode"][0]
    checked = 0
    for w in ex.explain(unit, points=1.0).whatif:
        if w.status not in ("ok", "beyond_valid_range"):
            continue
        if w.indicator in integral:
            assert w.required_raw == int(w.required_raw)
        if w.status == "beyond_valid_range":
            lo, hi = bounds[w.indicator]
            assert not lo <= w.required_raw <= hi
            continue
        d2 = data.with_columns(pl.when(pl.col("uCode") == unit).then(pl.lit(w.required_raw))
                               .otherwise(pl.col(w.indicator)).alias(w.indicator))
        row = run_pipeline(d2, meta, spec).scores.filter(pl.col("uCode") == unit).row(0, named=True)
        assert row["score"] == pytest.approx(w.new_score, abs=1e-9) and row["tier"] == w.new_tier
        checked += 1
    assert checked >= 5
