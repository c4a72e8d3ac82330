"""``site.numbers.TwoDecimals`` writes exactly what ``floatformat:"-2g"`` writes, in every language."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation

from innoregion.site.numbers import TwoDecimals


def _values() -> list:
    rng = random.Random(3)
    edge = [0, 0.0, -0.0, 1, -1, 5.0, 0.5, 0.125, 0.135, 2.675, 1.005, -1.005, 0.001, -0.001, -0.004, -0.005,
            999.995, 999.994, 1234567.5, -1234567.891, 1e15, 1e15 + 0.5, 123456789012345678, 1e21, 1e24, 1e26,
            3.14159e-7, 12345.0, 100000, 10**30, Decimal("100000.00"), Decimal("-0.005"), Decimal("7.10"),
            float("inf"), float("-inf"), float("nan"), "12.5", "abc", None]
    floats = [rng.uniform(-1e7, 1e7) for _ in range(400)] + [rng.uniform(0, 1) for _ in range(200)]
    halves = [round(rng.uniform(0, 1000), 3) for _ in range(200)]  # many x.xx5 cases
    whole = [float(rng.randint(-10**9, 10**9)) for _ in range(100)] + [rng.randint(0, 10**12) for _ in range(100)]
    return edge + floats + halves + whole


@pytest.mark.parametrize("lang", ["en", "zh-hans", "ko"])
def test_same_text_as_floatformat(lang):
    with translation.override(lang):
        number = TwoDecimals()
        different = [(v, number(v), floatformat(v, "-2g")) for v in _values() if number(v) != floatformat(v, "-2g")]
    assert different == []


def test_grouping_follows_the_language():
    with translation.override("en"):
        assert TwoDecimals()(1234567.5) == "1,234,567.50"
        assert TwoDecimals()(-0.001) == "0.00"
