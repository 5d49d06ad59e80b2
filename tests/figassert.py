"""Assertions shared by the indicator tests."""

from __future__ import annotations

import pytest

from espacep_analysis import stats


def assert_prop(r, name, num, den, method="wilson"):
    """Figure row ``r``: value = num/den and bounds = stats.proportion_ci(num, den)."""
    assert (r["numerator"], r["denominator"]) == (num, den), name
    assert r["value"] == pytest.approx(num / den, abs=1e-12)
    lower, upper = stats.proportion_ci(num, den, method=method)
    assert (r["lower"], r["upper"]) == pytest.approx((lower, upper), abs=1e-12)
    assert r["method"] == method and r["unit"] == "proportion"
