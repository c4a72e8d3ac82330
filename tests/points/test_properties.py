"""Property tests (hypothesis): monotonicity, row-order independence, scale invariance, weights."""

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innoregion.engines.points import load_spec, run_pipeline

K = 4
META = pl.DataFrame({
    "Level": [1, 1, 1, 1, 2, 2, 3], "iCode": ["i0", "i1", "i2", "i3", "P", "Q", "Top"],
    "Parent": ["P", "P", "Q", "Q", "Top", "Top", None], "Direction": [1, -1, 1, 1, 1, 1, 1],
    "Weight": [1.0, 2.0, 1.0, 3.0, 1.0, 2.0, 1.0], "Type": ["Indicator"] * 4 + ["Aggregate"] * 3,
})
MONOTONE = ["minmax", "zscore", "rank", "borda", "percentile_rank", "dist_to_max", "efficacy", "goalposts",
            "fraction_of_max", "capped_ratio", "dist_to_target"]
PROP = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def panels(draw, min_units=2, max_units=12):
    n = draw(st.integers(min_units, max_units))
    vals = st.integers(0, 1000)
    cols = {f"i{j}": [float(draw(vals)) for _ in range(n)] for j in range(K)}
    rev = [float(draw(st.integers(0, 20))) for _ in range(n)]
    return pl.DataFrame({"uCode": [f"u{i:02d}" for i in range(n)], "revenue": rev, **cols})


def spec_for(method, cohort=False, aggregate="arithmetic"):
    d = {"normalise": {"method": method, "goalposts": [0, 1000], "ref": 800.0, "target": 900.0},
         "aggregate": {"method": aggregate}}
    if cohort:
        d["stages"] = {"bands": [{"name": "s", "when": {"revenue": [None, 10]}},
                                 {"name": "l", "when": {"revenue": [10, None]}}]}
        d["normalise"]["cohort"] = "stage"
        d["weights"] = {"by_stage": {"l": {"P": 4.0}}}
    return load_spec(d)


@PROP
@given(data=panels(), method=st.sampled_from(MONOTONE), unit=st.integers(0, 11), delta=st.integers(1, 500),
       cohort=st.booleans(), j=st.sampled_from(["i0", "i2", "i3"]))
def test_improving_a_positive_indicator_never_lowers_the_score(data, method, unit, delta, cohort, j):
    unit = unit % data.height
    spec = spec_for(method, cohort)
    before = run_pipeline(data, META, spec).scores.sort("uCode")["score"].to_numpy()
    better = data.with_columns(
        pl.when(pl.int_range(pl.len()) == unit).then(pl.col(j) + delta).otherwise(pl.col(j)).alias(j))
    after = run_pipeline(better, META, spec).scores.sort("uCode")["score"].to_numpy()
    assert after[unit] >= before[unit] - 1e-9


@PROP
@given(data=panels(), method=st.sampled_from(MONOTONE), perm_seed=st.integers(0, 2**32 - 1),
       cohort=st.booleans(), treat=st.booleans())
def test_row_order_does_not_matter(data, method, perm_seed, cohort, treat):
    spec = spec_for(method, cohort)
    if treat:
        raw = spec.to_dict()
        raw["treat"] = {"method": "jrc"}
        spec = load_spec(raw)
    perm = np.random.default_rng(perm_seed).permutation(data.height)
    a = run_pipeline(data, META, spec).scores.sort("uCode")
    b = run_pipeline(data[perm], META, spec).scores.sort("uCode")
    np.testing.assert_allclose(a["score"].to_numpy(), b["score"].to_numpy(), rtol=0, atol=1e-9)
    assert a["Rank"].to_list() == b["Rank"].to_list()
    assert a["StageRank"].to_list() == b["StageRank"].to_list()


@PROP
@given(data=panels(), method=st.sampled_from(["minmax", "rank", "borda", "percentile_rank"]),
       factor=st.floats(0.01, 100.0), j=st.sampled_from(["i0", "i1", "i2", "i3"]), cohort=st.booleans())
def test_minmax_and_rank_unchanged_by_positive_rescaling(data, method, factor, j, cohort):
    spec = spec_for(method, cohort)
    a = run_pipeline(data, META, spec)
    b = run_pipeline(data.with_columns(pl.col(j) * factor), META, spec)
    np.testing.assert_allclose(a.normalised[j].to_numpy(), b.normalised[j].to_numpy(), rtol=0, atol=1e-9)
    np.testing.assert_allclose(a.scores["score"].to_numpy(), b.scores["score"].to_numpy(), rtol=0, atol=1e-9)
    if method != "minmax":
        assert a.scores["Rank"].to_list() == b.scores["Rank"].to_list()


@PROP
@given(data=panels(), weights=st.lists(st.floats(0.01, 10.0), min_size=7, max_size=7),
       stage_w=st.lists(st.floats(0.0, 10.0), min_size=4, max_size=4), holes=st.lists(st.integers(0, 47), max_size=6))
def test_weights_within_a_parent_sum_to_one(data, weights, stage_w, holes):
    meta = META.with_columns(pl.Series("Weight", weights))
    spec = load_spec({"stages": {"bands": [{"name": "s", "when": {"revenue": [None, 10]}},
                                           {"name": "l", "when": {"revenue": [10, None]}}]},
                      "weights": {"by_stage": {"l": {"i0": stage_w[0] + 0.01, "i1": stage_w[1],
                                                     "i2": stage_w[2] + 0.01, "i3": stage_w[3]}}}})
    for h in holes:  # knock out some values: renormalisation must keep the sums at 1
        r, c = h % data.height, f"i{h % K}"
        data = data.with_columns(pl.when(pl.int_range(pl.len()) == r).then(None).otherwise(pl.col(c)).alias(c))
    res = run_pipeline(data, meta, spec)
    sums = res.weights.group_by("cohort", "Parent").agg(pl.col("rescaled").sum())["rescaled"].to_numpy()
    np.testing.assert_allclose(sums, 1.0, atol=1e-12)
    ew = res.effective_weights.select([f"i{j}" for j in range(K)]).to_numpy()
    scored = ~np.isnan(res.scores["score"].to_numpy().astype(float))
    np.testing.assert_allclose(ew[scored].sum(axis=1), 1.0, atol=1e-12)
