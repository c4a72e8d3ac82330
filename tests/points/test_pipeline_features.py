"""Pipeline features on small hand-made data: stages, weights, cohorts, bonus/penalty, ranks, tiers,
imputation, screening, panels and every degenerate case (each recorded in ``warnings``)."""

import numpy as np
import polars as pl
import pytest

from innoregion.engines.points import SpecError, load_spec, run_pipeline
from innoregion.engines.points.pipeline import DataError, build_hierarchy

META = pl.DataFrame({
    "Level": [1, 1, 1, 2, 2, 3], "iCode": ["a", "b", "c", "P", "Q", "Top"],
    "Parent": ["P", "P", "Q", "Top", "Top", None], "Direction": [1, -1, 1, 1, 1, 1],
    "Weight": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0], "Type": ["Indicator"] * 3 + ["Aggregate"] * 3,
    "Denominator": [None] * 6, "Target": [None] * 6,
}, schema_overrides={"Denominator": pl.String, "Target": pl.Float64})


def make_data(n=10):
    return pl.DataFrame({
        "uCode": [f"u{i}" for i in range(n)],
        "revenue": [0.1, 0.3, 1, 2, 3, 6, 8, 10, 50, 200][:n],
        "g": ["x", "x", "y", "y", "y", "x", "x", "y", "y", "y"][:n],
        "a": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10][:n],
        "b": [5.0, 4, 3, 2, 1, 0, 1, 2, 3, 4][:n],
        "c": [3.0, 1, 4, 1, 5, 9, 2, 6, 5, 3][:n],
        "bon": [0, 1, 0, 0, 1, 0, 0, 0, 0, 3][:n],
        "pen": [0, 0, 0, 0, 0, 0, 1, 0, 0, 0][:n],
    })


STAGES = {"bands": [{"name": "small", "when": {"revenue": [None, 5]}},
                    {"name": "big", "when": {"revenue": [5, None]}}]}


def test_simple_scores_by_hand():
    r = run_pipeline(make_data(), META, load_spec({}))
    s = r.scores.sort("uCode")
    a = (np.arange(1, 11) - 1) / 9 * 100
    b = (5 - np.array([5, 4, 3, 2, 1, 0, 1, 2, 3, 4.0])) / 5 * 100
    c = (np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3.0]) - 1) / 8 * 100
    expected = ((a + b) / 2 + c) / 2
    order = np.argsort([f"u{i}" for i in range(10)])
    np.testing.assert_allclose(s["Top"].to_numpy(), expected[order], atol=1e-12)
    assert r.warnings == []


def test_stage_assignment_is_lower_inclusive_and_ordered():
    data = make_data().with_columns(pl.Series("revenue", [0.0, 4.999, 5, 5.0001, 100, None, 1, 2, 3, 4]))
    spec = load_spec({"stages": {"bands": [{"name": "s1", "when": {"revenue": [0, 5]}},
                                           {"name": "s2", "when": {"revenue": [5, 100]}}],
                                 "default": "s1"}})
    r = run_pipeline(data, META, spec)
    st = dict(r.stages.iter_rows())
    assert st["u0"] == "s1" and st["u1"] == "s1" and st["u2"] == "s2" and st["u3"] == "s2"
    assert st["u4"] == "s1" and st["u5"] == "s1"  # 100 is outside [5, 100); None -> default
    assert any("matched no band" in w and "default stage 's1'" in w for w in r.warnings)


def test_two_column_bands_and_unmatched_units():
    data = make_data().with_columns(pl.Series("age", [1, 1, 5, 5, 1, 1, 5, 5, 1, 1]))
    spec = load_spec({"stages": {"bands": [
        {"name": "young-small", "when": {"age": [0, 3], "revenue": [None, 5]}},
        {"name": "old", "when": {"age": [3, None]}}]}})
    r = run_pipeline(data, META, spec)
    st = dict(r.stages.iter_rows())
    assert st["u0"] == "young-small" and st["u2"] == "old" and st["u5"] is None
    assert any("no stage" in w for w in r.warnings)
    assert r.scores.filter(pl.col("uCode") == "u5")["StageRank"][0] is not None


def test_stage_weights_rescaled_and_effective_weights():
    spec = load_spec({"stages": STAGES, "weights": {"by_stage": {"big": {"P": 3}}}})
    r = run_pipeline(make_data(), META, spec)
    w = r.weights
    sums = w.group_by("cohort", "Parent").agg(pl.col("rescaled").sum())
    np.testing.assert_allclose(sums["rescaled"].to_numpy(), 1.0)
    big = w.filter((pl.col("cohort") == "big") & (pl.col("iCode") == "P"))["rescaled"][0]
    assert big == 0.75
    ew = r.effective_weights.sort("uCode")
    u5 = ew.filter(pl.col("uCode") == "u5").row(0, named=True)
    assert (u5["a"], u5["b"], u5["c"]) == (0.375, 0.375, 0.25)
    u0 = ew.filter(pl.col("uCode") == "u0").row(0, named=True)
    assert (u0["a"], u0["b"], u0["c"]) == (0.25, 0.25, 0.5)
    # the score is the effective-weighted sum of normalised values
    x = r.normalised.sort("uCode").select("a", "b", "c").to_numpy()
    np.testing.assert_allclose((ew.select("a", "b", "c").to_numpy() * x).sum(axis=1),
                               r.aggregated.sort("uCode")["Top"].to_numpy(), atol=1e-12)


def test_effective_weights_with_missing_values():
    data = make_data().with_columns(pl.Series("a", [None, 2, 3, 4, 5, 6, 7, 8, 9, 10], dtype=pl.Float64))
    r = run_pipeline(data, META, load_spec({}))
    u0 = r.effective_weights.filter(pl.col("uCode") == "u0").row(0, named=True)
    assert (u0["a"], u0["b"], u0["c"]) == (0.0, 0.5, 0.5)


def test_normalisation_within_stage_cohort_and_group_cohort():
    r = run_pipeline(make_data(), META, load_spec({"stages": STAGES, "normalise": {"cohort": "stage"}}))
    n = r.normalised.sort("uCode")
    # within 'small' (u0..u4) a spans 1..5; within 'big' 6..10
    np.testing.assert_allclose(n["a"].to_numpy(), [0, 25, 50, 75, 100] * 2)
    assert r.normalise_value("a", "big", 8.0) == 50.0
    assert r.normalise_value("a", "small", 3.0) == 50.0
    r2 = run_pipeline(make_data(), META, load_spec({"normalise": {"cohort": "g"}}))
    assert r2.normalise_value("a", "x", 7.0) == 100.0  # x: a in {1, 2, 6, 7}
    assert set(r2.normaliser_params["cohort"].to_list()) == {"x", "y"}


def test_per_indicator_normaliser_override():
    spec = load_spec({"normalise": {"method": "minmax", "indicators": {"c": {"method": "rank"}}}})
    r = run_pipeline(make_data(), META, spec)
    assert r.normalised.sort("uCode")["c"].to_list() == [4.5, 1.5, 6, 1.5, 7.5, 10, 3, 9, 7.5, 4.5]
    assert r.normaliser_params.filter(pl.col("iCode") == "c")["method"][0] == "rank"


def test_bonus_penalty_caps_floor_and_ceiling():
    spec = load_spec({"bonus": {"cap": 15, "items": [{"column": "bon", "points": 10}]},
                      "penalty": {"cap": 30, "items": [{"column": "pen", "points": 50}]},
                      "score": {"floor": 0}})
    r = run_pipeline(make_data(), META, spec)
    bp = r.bonus_penalty.sort("uCode")
    assert bp["bonus_raw"].to_list()[9] == 30 and bp["bonus"].to_list()[9] == 15
    assert bp["penalty_raw"].to_list()[6] == 50 and bp["penalty"].to_list()[6] == 30
    base = bp["base"].to_numpy()
    np.testing.assert_allclose(bp["score"].to_numpy(), np.maximum(base + bp["bonus"].to_numpy()
                                                                  - bp["penalty"].to_numpy(), 0))
    spec2 = load_spec({"bonus": {"items": [{"column": "bon", "points": 10, "cap": 12}]},
                       "score": {"base_factor": 1.0, "ceiling": 100}})
    bp2 = run_pipeline(make_data(), META, spec2).bonus_penalty.sort("uCode")
    assert bp2["bonus"].to_list()[9] == 12
    assert bp2["score"].max() <= 100


def test_ranks_ties_min_overall_and_within_stage():
    data = make_data().with_columns(pl.lit(1.0).alias("b"), pl.lit(1.0).alias("c"),
                                    pl.Series("a", [1.0, 1, 2, 2, 3, 1, 1, 5, 5, 5]))
    r = run_pipeline(data, META, load_spec({"stages": STAGES}))
    rk = r.ranks.sort("uCode")
    assert rk["Rank"].to_list() == [7, 7, 5, 5, 4, 7, 7, 1, 1, 1]
    assert rk["StageRank"].to_list() == [4, 4, 2, 2, 1, 4, 4, 1, 1, 1]


def test_tiers_within_each_stage():
    n = 40
    data = pl.DataFrame({"uCode": [f"u{i:02d}" for i in range(n)], "revenue": [0.0] * 20 + [10.0] * 20,
                         "a": np.arange(n, dtype=float), "b": np.zeros(n), "c": np.arange(n, dtype=float)})
    spec = load_spec({"stages": STAGES, "tiers": [{"name": "top5", "top": 0.05}, {"name": "5-10", "top": 0.10},
                                                  {"name": "10-20", "top": 0.20}]})
    r = run_pipeline(data, META, spec)
    t = r.tiers.sort("StageRank")
    for stage in ("small", "big"):
        s = t.filter(pl.col("stage") == stage)
        assert s["StageSize"][0] == 20
        assert s["tier"].to_list()[:5] == ["top5", "5-10", "10-20", "10-20", None]
    assert r.scores["tier"].null_count() == 32


def test_impute_mean_median_overall_and_by_group():
    data = make_data().with_columns(pl.Series("a", [None, 2, 3, 4, 5, 6, 7, 8, 9, None], dtype=pl.Float64))
    r = run_pipeline(data, META, load_spec({"impute": {"method": "mean"}}))
    a = dict(r.imputed.select("uCode", "a").iter_rows())
    assert a["u0"] == a["u9"] == pytest.approx(44 / 8)
    r = run_pipeline(data, META, load_spec({"impute": {"method": "median", "by": "g"}}))
    a = dict(r.imputed.select("uCode", "a").iter_rows())
    assert a["u0"] == 6.0  # group x: 2, 6, 7
    assert a["u9"] == 5.0  # group y: 3, 4, 5, 8, 9
    r = run_pipeline(data, META, load_spec({"impute": {"method": "mean", "by": "g"}}))
    assert dict(r.imputed.select("uCode", "a").iter_rows())["u0"] == 5.0


def test_impute_group_without_data_warns():
    data = make_data().with_columns(
        pl.when(pl.col("g") == "x").then(None).otherwise(pl.col("a")).alias("a"))
    r = run_pipeline(data, META, load_spec({"impute": {"method": "mean", "by": "g"}}))
    assert any("could not be imputed" in w for w in r.warnings)
    assert r.imputed["a"].null_count() == 4


def test_screening_units_and_indicators():
    data = make_data().with_columns(
        pl.Series("a", [None, None, 3, 4, 5, 6, 7, 8, 9, 10], dtype=pl.Float64),
        pl.Series("b", [None, 1, 3, 4, 5, 6, 7, 8, 9, 10], dtype=pl.Float64),
        pl.Series("c", [None] * 9 + [1.0], dtype=pl.Float64))
    r = run_pipeline(data, META, load_spec({"screen": {"min_availability": 0.5,
                                                       "indicator_min_availability": 0.5}}))
    assert r.excluded_units == ["u0", "u1"]
    assert r.dropped_indicators == ["c"]
    assert "u0" not in r.scores["uCode"].to_list() and r.scores.height == 8
    assert r.raw.height == 8 and r.screened["c"].null_count() == 8
    assert any("excluded" in w for w in r.warnings) and any("indicator c dropped" in w for w in r.warnings)


def test_screen_before_impute_order():
    data = make_data().with_columns(pl.Series("a", [None, 2, 3, 4, 5, 6, 7, 8, 9, 10], dtype=pl.Float64))
    spec = load_spec({"order": ["denominate", "screen", "impute", "treat"],
                      "screen": {"min_availability": 0.9}, "impute": {"method": "mean"}})
    r = run_pipeline(data, META, spec)
    assert r.excluded_units == ["u0"]
    assert r.imputed.height == r.screened.height == 9


def test_denominate_and_zero_denominator():
    meta = META.with_columns(pl.when(pl.col("iCode") == "a").then(pl.lit("revenue"))
                             .otherwise(None).alias("Denominator"))
    data = make_data().with_columns(pl.Series("revenue", [0.0, 1, 2, 4, 5, 6, 7, 8, 9, 10]))
    r = run_pipeline(data, meta, load_spec({"denominate": {"enabled": True}}))
    d = r.denominated.sort("uCode")["a"].to_list()
    assert d[0] is None and d[3] == 1.0
    assert any("zero or missing denominator" in w for w in r.warnings)


def test_degenerate_zero_range_indicator_gets_midpoint():
    data = make_data().with_columns(pl.lit(7.0).alias("c"))
    r = run_pipeline(data, META, load_spec({}))
    assert r.normalised["c"].unique().to_list() == [50.0]
    assert any("c: zero range (n=10); every unit gets 50" in w for w in r.warnings)


def test_degenerate_all_missing_indicator_is_dropped_with_warning():
    data = make_data().with_columns(pl.lit(None, dtype=pl.Float64).alias("a"))
    r = run_pipeline(data, META, load_spec({}))
    assert any("normalise: a: no data" in w and "dropped from aggregation" in w for w in r.warnings)
    # P is the mean of b alone; effective weight of a is 0 everywhere
    np.testing.assert_allclose(r.aggregated["P"].to_numpy(), r.normalised["b"].to_numpy())
    assert r.effective_weights["a"].to_list() == [0.0] * 10


def test_degenerate_whole_branch_missing_aggregate_warns():
    data = make_data().with_columns(pl.lit(None, dtype=pl.Float64).alias("c"))
    r = run_pipeline(data, META, load_spec({}))
    assert any("aggregate: Q: missing for 10 unit(s)" in w for w in r.warnings)
    np.testing.assert_allclose(r.aggregated["Top"].to_numpy(), r.aggregated["P"].to_numpy())


def test_degenerate_one_unit_in_a_cohort():
    data = make_data().with_columns(pl.Series("revenue", [1.0] * 9 + [100.0]))
    r = run_pipeline(data, META, load_spec({"stages": STAGES, "normalise": {"cohort": "stage"},
                                            "tiers": [{"name": "A", "top": 0.5}]}))
    u9 = r.scores.filter(pl.col("uCode") == "u9").row(0, named=True)
    assert u9["Top"] == 50.0 and u9["StageRank"] == 1 and u9["tier"] == "A"
    assert any("cohort big: one unit (n=1)" in w for w in r.warnings)


def test_no_score_is_reported_not_silent():
    data = make_data().with_columns(pl.Series("c", [None] + [1.0, 2, 3, 4, 5, 6, 7, 8, 9], dtype=pl.Float64))
    spec = load_spec({"aggregate": {"min_availability": 1.0}})
    r = run_pipeline(data, META, spec)
    u0 = r.scores.filter(pl.col("uCode") == "u0").row(0, named=True)
    assert u0["score"] is None and u0["Rank"] is None
    assert any("have no score" in w for w in r.warnings)


def test_geometric_aggregation_level_override():
    spec = load_spec({"normalise": {"lower": 1, "upper": 10}, "aggregate": {"levels": {3: {"method": "geometric"}}}})
    r = run_pipeline(make_data(), META, spec)
    agg = r.aggregated
    np.testing.assert_allclose(agg["Top"].to_numpy(), np.sqrt(agg["P"].to_numpy() * agg["Q"].to_numpy()))


def test_panel_latest_and_interpolate_and_period_selection():
    rows = []
    for u, vals in {"u0": [1.0, None, 3.0, None], "u1": [None, 2.0, None, None], "u2": [5.0, 6.0, 7.0, 8.0]}.items():
        for t, v in zip([2019, 2020, 2021, 2022], vals, strict=True):
            rows.append({"uCode": u, "Time": t, "a": v, "b": 1.0 + t - 2019, "c": float(t % 3)})
    data = pl.DataFrame(rows, schema_overrides={"a": pl.Float64})
    r = run_pipeline(data, META, load_spec({"impute": {"method": "latest"}}))
    a = dict(r.imputed.select("uCode", "a").iter_rows())
    assert a == {"u0": 3.0, "u1": 2.0, "u2": 8.0}
    assert dict(r.raw.select("uCode", "a").iter_rows())["u0"] is None
    r = run_pipeline(data, META, load_spec({"impute": {"method": "interpolate"}, "time": 2020}))
    a = dict(r.imputed.select("uCode", "a").iter_rows())
    assert a == {"u0": 2.0, "u1": 2.0, "u2": 6.0}
    assert any("scoring period 2020" in w for w in r.warnings)
    with pytest.raises(SpecError, match="time: period 2030"):
        run_pipeline(data, META, load_spec({"time": 2030}))


def test_panel_asem_with_latest_imputation(asem):
    ref, _, meta = asem
    panel = pl.read_csv(ref / "asem_idata_panel.csv", infer_schema_length=None)
    r = run_pipeline(panel, meta, load_spec({"impute": {"method": "latest"}, "denominate": {"enabled": True}}))
    assert r.scores.height == 51
    assert sum(r.imputed[c].null_count() for c in r.hierarchy.indicators) <= \
        sum(r.denominated[c].null_count() for c in r.hierarchy.indicators)


def test_data_and_meta_errors():
    with pytest.raises(DataError, match="indicator column"):
        run_pipeline(make_data().drop("a"), META, load_spec({}))
    with pytest.raises(DataError, match="appears more than once"):
        run_pipeline(pl.concat([make_data(), make_data().head(1)]), META, load_spec({}))
    with pytest.raises(DataError, match="Direction must be 1 or -1"):
        build_hierarchy(META.with_columns(pl.lit(2).alias("Direction")))
    with pytest.raises(DataError, match="not an aggregate"):
        build_hierarchy(META.with_columns(pl.when(pl.col("iCode") == "a").then(pl.lit("Zed"))
                                          .otherwise(pl.col("Parent")).alias("Parent")))
    with pytest.raises(DataError, match="column 'bon2'"):
        run_pipeline(make_data(), META, load_spec({"bonus": {"items": [{"column": "bon2"}]}}))
    with pytest.raises(SpecError, match="weights.by_stage.big.zz: unknown"):
        run_pipeline(make_data(), META, load_spec({"stages": STAGES, "weights": {"by_stage": {"big": {"zz": 1}}}}))


def test_aggregate_unit_matches_pipeline():
    spec = load_spec({"stages": STAGES, "weights": {"by_stage": {"big": {"P": 3}}}})
    r = run_pipeline(make_data(), META, spec)
    row = r.normalised.filter(pl.col("uCode") == "u7").row(0, named=True)
    out = r.aggregate_unit({k: row[k] for k in ("a", "b", "c")}, "big")
    assert out["Top"] == pytest.approx(r.aggregated.filter(pl.col("uCode") == "u7")["Top"][0], abs=1e-12)


def test_treat_value_reproduces_winsorisation(asem, examples_dir):
    _, data, meta = asem
    r = run_pipeline(data, meta, load_spec(examples_dir / "canonical.yaml"))
    for code in r.treatment_fits:
        x = r.imputed[code].to_numpy()
        np.testing.assert_allclose(r.treat_value(code, x), r.treated[code].to_numpy(), atol=1e-12)
