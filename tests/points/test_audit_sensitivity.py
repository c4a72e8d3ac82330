"""Audit statistics (against COINr's stats_raw.csv), Cronbach's alpha, PCA, Sobol indices (Ishigami),
and determinism of the Monte Carlo uncertainty analysis."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from innoregion.engines.points import run_pipeline
from innoregion.engines.points.audit import (
    audit,
    cronbach_alpha,
    indicator_stats,
    pca_variance,
)
from innoregion.engines.points.sensitivity import (
    Dimensions,
    ishigami,
    rank_desc,
    sensitivity,
    sobol_indices,
    uncertainty,
)
from tests.points.synth_points import synth_data, synth_meta, synth_spec


def test_indicator_stats_match_coinr(asem):
    ref_dir, data, meta = asem
    codes = meta.filter(pl.col("Type") == "Indicator")["iCode"].to_list()
    ours = indicator_stats(data, codes)
    ref = pl.read_csv(ref_dir / "stats_raw.csv")
    assert ours["iCode"].to_list() == ref["iCode"].to_list()
    for col in ["Min", "Max", "Mean", "Median", "Std", "Skew", "Kurt", "Frc.Avail", "Frc.NonZero",
                "Frc.Unique", "Frc.Same"]:
        np.testing.assert_allclose(ours[col].to_numpy(), ref[col].to_numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=col)
    for col in ["N.Avail", "N.NonZero", "N.Unique", "N.Same", "Flag.Avail", "Flag.NonZero", "Flag.Unique",
                "Flag.SkewKurt"]:
        assert ours[col].to_list() == ref[col].to_list(), col


def test_cronbach_alpha_compound_symmetry():
    # data whose sample covariance is exactly compound-symmetric (variance 1, covariance c):
    # alpha = k c / (1 + (k - 1) c) (the Spearman-Brown form)
    k, c, n = 4, 0.3, 50
    rng = np.random.default_rng(0)
    z = rng.normal(size=(n, k))
    z -= z.mean(axis=0)
    q, _ = np.linalg.qr(z)
    white = q * math.sqrt(n - 1)  # sample covariance exactly identity
    sigma = np.full((k, k), c) + np.eye(k) * (1 - c)
    x = white @ np.linalg.cholesky(sigma).T + 5.0
    assert cronbach_alpha(x) == pytest.approx(k * c / (1 + (k - 1) * c), rel=1e-12)
    # identical items: alpha 1; independent-looking items give a lower value
    col = rng.normal(size=(n, 1))
    assert cronbach_alpha(np.hstack([col, col, col])) == pytest.approx(1.0)
    assert math.isnan(cronbach_alpha(col))


def test_pca_shares():
    rng = np.random.default_rng(1)
    f = rng.normal(size=(200, 1))
    x = np.hstack([f, f, f + 1e-9 * rng.normal(size=(200, 1))])
    shares = pca_variance(x)
    assert shares[0] == pytest.approx(1.0, abs=1e-6) and sum(shares) == pytest.approx(1.0)


def test_audit_on_a_run():
    data, meta = synth_data(), synth_meta()
    res = run_pipeline(data, meta, synth_spec())
    out = audit(res)
    assert out["stats_raw"].height == 6
    wp = out["with_parent"]
    assert set(wp["iCode"].to_list()) >= {"rd", "Tech", "Growth"}
    assert all(-1 <= r <= 1 for r in wp["r"].drop_nulls().to_list())
    groups = out["summary"]["groups"]
    assert set(groups) == {"Tech", "Growth", "Index"}
    assert out["within_group"].filter(pl.col("group") == "Tech").height == 3  # 3 children -> 3 pairs


def test_sobol_ishigami():
    res = sobol_indices(ishigami, [("x1", 1), ("x2", 1), ("x3", 1)], 2 ** 13, seed=7)
    a, b = 7.0, 0.1
    v = a * a / 8 + b * math.pi ** 4 / 5 + b * b * math.pi ** 8 / 18 + 0.5
    v1, v2, v13 = 0.5 * (1 + b * math.pi ** 4 / 5) ** 2, a * a / 8, 8 * b * b * math.pi ** 8 / 225
    assert res["S1"]["x1"] == pytest.approx(v1 / v, abs=0.02)
    assert res["S1"]["x2"] == pytest.approx(v2 / v, abs=0.02)
    assert res["S1"]["x3"] == pytest.approx(0.0, abs=0.02)
    assert res["ST"]["x1"] == pytest.approx((v1 + v13) / v, abs=0.02)
    assert res["ST"]["x2"] == pytest.approx(v2 / v, abs=0.02)
    assert res["ST"]["x3"] == pytest.approx(v13 / v, abs=0.02)


def test_sobol_groups_additive_function():
    # f = x0 + 2 (x1 + x2): group {x1, x2} carries 8/9 of the variance, x0 1/9; no interactions
    res = sobol_indices(lambda x: x[:, 0] + 2 * (x[:, 1] + x[:, 2]), [("a", 1), ("b", 2)], 2 ** 12, seed=3)
    assert res["S1"]["a"] == pytest.approx(1 / 9, abs=0.01)
    assert res["ST"]["b"] == pytest.approx(8 / 9, abs=0.01)


def test_rank_desc_ties_and_groups():
    s = np.array([[3.0, 5.0, 5.0, np.nan, 1.0]])
    assert rank_desc(s)[0, :3].tolist() == [3.0, 1.0, 1.0] and math.isnan(rank_desc(s)[0, 3])
    g = np.array([0, 0, 1, 1, 1])
    assert rank_desc(s, g)[0].tolist()[:3] == [2.0, 1.0, 1.0]


def test_uncertainty_deterministic_and_seed_dependent():
    data, meta, spec = synth_data(80), synth_meta(), synth_spec(treat="jrc")
    a = uncertainty(data, meta, spec, n=60, seed=11)
    b = uncertainty(data, meta, spec, n=60, seed=11)
    c = uncertainty(data, meta, spec, n=60, seed=12)
    assert a["table"].equals(b["table"]) and a["summary"] == b["summary"]
    assert not a["table"].equals(c["table"])
    t = a["table"]
    assert (t["q05_rank"] <= t["median_rank"]).all() and (t["median_rank"] <= t["q95_rank"]).all()


def test_uncertainty_without_dimensions_reproduces_nominal():
    data, meta, spec = synth_data(50), synth_meta(), synth_spec()
    out = uncertainty(data, meta, spec, Dimensions(weights=None), n=5, seed=0)
    t = out["table"]
    assert (t["median_rank"] == t["nominal_rank"]).all()
    assert (t["q95_rank"] - t["q05_rank"]).max() == 0


def test_sensitivity_deterministic_and_sane():
    data, meta, spec = synth_data(60), synth_meta(), synth_spec()
    dims = Dimensions(weights=0.25, aggregator=[{"method": "arithmetic"}, {"method": "geometric"}])
    a = sensitivity(data, meta, spec, dims, n=32, seed=4)
    assert a == sensitivity(data, meta, spec, dims, n=32, seed=4)
    assert a["dimensions"] == ["weights", "aggregator"] and a["runs"] == 32 * 4
    for g in a["dimensions"]:
        assert a["ST"][g] >= 0
