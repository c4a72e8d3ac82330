"""Every normaliser on hand-computed values, directions, degenerate cohorts and inversion."""

import numpy as np
import pytest

from innoregion.engines.points import NORMALISERS, fit_normaliser

X = np.array([2.0, 4.0, 4.0, 10.0, np.nan])


def norm(method, x=X, direction=1.0, target=np.nan, code="x", **settings):
    fit = fit_normaliser(x, {"method": method, **settings}, direction, target, code)
    return fit, fit.apply(x)


def close(a, b):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=0, atol=1e-12, equal_nan=True)


def test_minmax_default_and_bounds():
    close(norm("minmax")[1], [0, 25, 25, 100, np.nan])
    close(norm("minmax", lower=1, upper=5)[1], [1, 2, 2, 5, np.nan])
    close(norm("minmax", direction=-1)[1], [100, 75, 75, 0, np.nan])


def test_zscore_uses_sample_sd_and_targets():
    v = X[:4]
    m, s = v.mean(), v.std(ddof=1)
    close(norm("zscore")[1][:4], (v - m) / s)
    close(norm("zscore", mean=100, sd=10)[1][:4], 100 + 10 * (v - m) / s)
    close(norm("zscore", direction=-1)[1][:4], -(v - m) / s)


def test_rank_borda_percentile():
    close(norm("rank")[1], [1, 2.5, 2.5, 4, np.nan])
    close(norm("rank", ties="min")[1], [1, 2, 2, 4, np.nan])
    close(norm("rank", ties="max")[1], [1, 3, 3, 4, np.nan])
    close(norm("borda")[1], [0, 1, 1, 3, np.nan])
    close(norm("percentile_rank")[1], [0, 1 / 3, 1 / 3, 1, np.nan])
    close(norm("percentile_rank", scale=100)[1], [0, 100 / 3, 100 / 3, 100, np.nan])
    close(norm("rank", direction=-1)[1], [4, 2.5, 2.5, 1, np.nan])


def test_rank_of_new_value_is_insertion_rank():
    fit, _ = norm("rank")
    assert fit.apply(5.0) == 4.0  # above 2, 4, 4 -> rank 4 of the reference
    assert fit.apply(4.0) == 2.5
    assert norm("borda")[0].apply(100.0) == 4.0


def test_distance_and_fraction_methods():
    close(norm("dist_to_max")[1], [0, 0.25, 0.25, 1, np.nan])
    close(norm("fraction_of_max")[1], [0.2, 0.4, 0.4, 1, np.nan])
    close(norm("fraction_of_max", direction=-1)[1], [1, 0.5, 0.5, 0.2, np.nan])
    close(norm("dist_to_target", target=6.0)[1], [0, 0.5, 0.5, 1, np.nan])  # capped at 1
    close(norm("dist_to_target", target=6.0, cap=False)[1], [0, 0.5, 0.5, 2, np.nan])
    close(norm("dist_to_target", targets={"x": 6.0}, scale=100)[1], [0, 50, 50, 100, np.nan])
    # direction -1: target 3 in original units; lower is better
    close(norm("dist_to_target", direction=-1, target=3.0)[1], [1, 6 / 7, 6 / 7, 0, np.nan])


def test_goalposts_and_capped_ratio():
    close(norm("goalposts", goalposts=[3, 8])[1], [0, 0.2, 0.2, 1, np.nan])
    close(norm("goalposts", goalposts={"x": [3, 8]}, scale=100)[1], [0, 20, 20, 100, np.nan])
    close(norm("goalposts", goalposts=[3, 8], direction=-1)[1], [1, 0.8, 0.8, 0, np.nan])
    close(norm("capped_ratio", ref=5.0)[1], [0.4, 0.8, 0.8, 1, np.nan])
    close(norm("capped_ratio", refs={"x": 5.0}, scale=30)[1], [12, 24, 24, 30, np.nan])
    close(norm("capped_ratio", target=4.0, direction=-1)[1], [1, 1, 1, 0.4, np.nan])
    with pytest.raises(ValueError, match="positive reference"):
        norm("capped_ratio", ref=0.0)


def test_efficacy_coefficient():
    close(norm("efficacy")[1], [60, 70, 70, 100, np.nan])
    close(norm("efficacy", direction=-1)[1], [100, 90, 90, 60, np.nan])


def test_none_applies_direction_only():
    close(norm("none", direction=-1)[1], -X)


@pytest.mark.parametrize("method,expected", [
    ("minmax", 50.0), ("efficacy", 80.0), ("zscore", 0.0), ("dist_to_max", 0.5), ("percentile_rank", 0.5),
])
def test_zero_range_and_single_unit_get_the_midpoint(method, expected):
    for x in (np.array([3.0, 3.0, 3.0]), np.array([7.0])):
        fit, y = norm(method, x=x)
        close(y, np.full(x.shape, expected))
        assert fit.degenerate in ("zero range", "one unit")


def test_all_missing_gives_missing_and_empty_fit():
    for method in NORMALISERS:
        settings = {"goalposts": [0, 1], "ref": 1.0, "target": 1.0}
        fit = fit_normaliser(np.array([np.nan, np.nan]), {"method": method, **settings}, 1.0, 1.0, "x")
        assert fit.empty
        assert np.isnan(fit.apply(np.array([1.0, 2.0]))).all()


@pytest.mark.parametrize("method,settings", [
    ("minmax", {"lower": 0, "upper": 100}), ("zscore", {}), ("efficacy", {}), ("dist_to_max", {}),
    ("dist_to_target", {"cap": False}), ("goalposts", {"goalposts": [0, 50]}),
    ("fraction_of_max", {}), ("none", {}),
])
@pytest.mark.parametrize("direction", [1.0, -1.0])
def test_invert_round_trips(method, settings, direction):
    x = np.array([1.0, 3.0, 7.5, 12.0])
    target = 20.0 if direction == 1.0 else 0.5  # beyond the best value in both directions
    fit = fit_normaliser(x, {"method": method, **settings}, direction, target, "x")
    np.testing.assert_allclose(fit.invert(fit.apply(x)), x, atol=1e-9)


def test_rank_methods_are_not_invertible():
    fit, _ = norm("rank")
    with pytest.raises(ValueError, match="not invertible"):
        fit.invert(2.0)
