"""Aggregators: arithmetic, geometric, harmonic, generalised mean; missing values and thresholds."""

import numpy as np
import pytest

from innoregion.engines.points import aggregate_values

V = np.array([[1.0, 4.0], [2.0, np.nan], [np.nan, np.nan]])
W = np.array([1.0, 3.0])


def test_arithmetic_with_missing_renormalised():
    out = aggregate_values(V, W)
    np.testing.assert_allclose(out[:2], [(1 + 12) / 4, 2.0])
    assert np.isnan(out[2])


def test_geometric_harmonic_generalised():
    x = np.array([[1.0, 4.0]])
    w = np.array([0.5, 0.5])
    assert aggregate_values(x, w, "geometric")[0] == pytest.approx(2.0)
    assert aggregate_values(x, w, "harmonic")[0] == pytest.approx(1.6)
    assert aggregate_values(x, w, "generalised", p=2)[0] == pytest.approx(np.sqrt(8.5))
    for p, m in [(1, "arithmetic"), (0, "geometric"), (-1, "harmonic")]:
        assert aggregate_values(x, w, "generalised", p=p)[0] == pytest.approx(aggregate_values(x, w, m)[0])


def test_zero_and_negative_values_in_nonlinear_means():
    assert aggregate_values(np.array([[0.0, 4.0]]), W, "geometric")[0] == 0.0
    assert aggregate_values(np.array([[0.0, 4.0]]), W, "harmonic")[0] == 0.0
    assert aggregate_values(np.array([[0.0, 4.0]]), W, "generalised", p=2)[0] == pytest.approx(np.sqrt(12))
    out, _, n_bad = aggregate_values(np.array([[-1.0, 4.0]]), W, "geometric", return_details=True)
    assert np.isnan(out[0]) and n_bad == 1


def test_availability_threshold():
    x = np.array([[1.0, np.nan, np.nan], [1.0, 2.0, np.nan]])
    out = aggregate_values(x, np.ones(3), min_availability=0.5)
    assert np.isnan(out[0]) and out[1] == 1.5


def test_per_unit_weights_and_renormalised_weights():
    x = np.array([[10.0, 20.0], [10.0, np.nan]])
    w = np.array([[1.0, 1.0], [3.0, 1.0]])
    out, rw, _ = aggregate_values(x, w, return_details=True)
    np.testing.assert_allclose(out, [15.0, 10.0])
    np.testing.assert_allclose(rw, [[0.5, 0.5], [1.0, 0.0]])


def test_zero_total_weight_is_missing_and_counted():
    out, _, n_bad = aggregate_values(np.array([[1.0, np.nan]]), np.array([0.0, 1.0]), return_details=True)
    assert np.isnan(out[0]) and n_bad == 1
