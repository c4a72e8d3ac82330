"""Outlier treatment: JRC skew/kurtosis rule, winsorisation with ties, log fallback, IQR fences."""

import numpy as np
import pytest
from scipy import stats

from innoregion.engines.points import excel_kurtosis, excel_skew, treat_indicator

JRC = {"method": "jrc", "skew": 2.0, "kurtosis": 3.5, "max_winsorised": 5, "log_fallback": True}


def test_excel_statistics_match_scipy_unbiased():
    rng = np.random.default_rng(1)
    x = rng.lognormal(size=40)
    assert excel_skew(x) == pytest.approx(stats.skew(x, bias=False), abs=1e-12)
    assert excel_kurtosis(x) == pytest.approx(stats.kurtosis(x, bias=False, fisher=True), abs=1e-12)
    assert np.isnan(excel_skew(np.array([1.0, 2.0])))
    assert np.isnan(excel_kurtosis(np.array([1.0, 1.0, 1.0, 1.0])))


def test_no_treatment_when_check_passes():
    x = np.arange(20.0)
    out, det = treat_indicator(x, JRC)
    assert not det["treated"] and det["nwin"] == 0
    np.testing.assert_array_equal(out, x)


def test_single_outlier_is_winsorised_to_next_value():
    x = np.concatenate([np.arange(1.0, 21.0), [1000.0]])
    out, det = treat_indicator(x, JRC)
    assert det["treated"] and det["method"] == "winsorise" and det["nwin"] == 1
    assert out.max() == 20.0 and (out == 20.0).sum() == 2
    assert abs(det["skew1"]) < 2 or det["kurt1"] < 3.5
    assert det["upper_bound"] == 20.0


def test_tied_maxima_move_together():
    x = np.concatenate([np.arange(1.0, 31.0), [500.0, 500.0]])
    out, det = treat_indicator(x, JRC)
    assert det["nwin"] == 2 and det["winsorised_high"] == 2
    assert (out == 30.0).sum() == 3


def test_negative_skew_moves_minimum_up():
    x = -np.concatenate([np.arange(1.0, 21.0), [1000.0]])
    out, det = treat_indicator(x, JRC)
    assert det["winsorised_low"] == 1 and out.min() == -20.0
    assert det["lower_bound"] == -20.0


def test_log_fallback_uses_original_values():
    # six extreme points: 5 winsorisations are not enough -> log of the ORIGINAL values
    x = np.concatenate([np.ones(40), [1e3, 1e4, 1e5, 1e6, 1e7, 1e8]])
    out, det = treat_indicator(x, {**JRC, "max_winsorised": 2})
    assert det["logged"] and det["method"] == "log"
    mn, mx = x.min(), x.max()
    np.testing.assert_allclose(out, np.log(x - mn + 0.01 * (mx - mn)))


def test_without_log_fallback_keeps_winsorised_values():
    x = np.concatenate([np.ones(40), [1e3, 1e4, 1e5, 1e6, 1e7, 1e8]])
    out, det = treat_indicator(x, {**JRC, "max_winsorised": 2, "log_fallback": False})
    assert not det["logged"] and det["nwin"] == 2
    assert out.max() == 1e6


def test_missing_values_are_left_alone():
    x = np.concatenate([np.arange(1.0, 21.0), [1000.0, np.nan]])
    out, det = treat_indicator(x, JRC)
    assert np.isnan(out[-1]) and out[-2] == 20.0


def test_iqr_fences():
    x = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 100])
    out, det = treat_indicator(x, {"method": "iqr", "k": 1.5})
    q1, q3 = np.quantile(x, [0.25, 0.75])
    hi = q3 + 1.5 * (q3 - q1)
    assert det["method"] == "iqr" and det["winsorised_high"] == 1
    assert out[-1] == pytest.approx(hi)
    np.testing.assert_array_equal(out[:-1], x[:-1])
