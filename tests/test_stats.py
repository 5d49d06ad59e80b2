"""Tests for espacep_analysis.stats.

Reference values: ``tests/reference/stats_reference.json``, produced by
``.venv/bin/python tests/reference/make_stats_reference.py`` with statsmodels
0.15.0 / scipy 1.17.1 (versions recorded in the file), plus published tables
(Newcombe 1998a Table I, Newcombe 1998b Table II, R's ``?prop.trend.test`` and
``?fisher.test`` examples) and hand computations.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from espacep_analysis.errors import EspacepError
from espacep_analysis.stats import (
    CI_METHOD_LABELS,
    CI_METHODS,
    Proportion,
    compare_proportions,
    proportion,
    proportion_ci,
    proportion_table,
    trend_test,
)

REF = json.loads((Path(__file__).parent / "reference" / "stats_reference.json").read_text("utf-8"))
TOL = dict(rtol=1e-9, atol=1e-12)


def _frame(key: str) -> pd.DataFrame:
    return pd.DataFrame(REF[key])


# --- reference provenance ------------------------------------------------------------------


def test_reference_file_records_its_provenance():
    assert REF["versions"]["statsmodels"] == "0.15.0"
    assert REF["versions"]["scipy"] == "1.17.1"
    assert REF["command"].endswith("tests/reference/make_stats_reference.py")


def test_method_constants():
    assert CI_METHODS == ("wilson", "wilson_cc", "exact", "jeffreys", "agresti_coull")
    assert set(CI_METHOD_LABELS) == set(CI_METHODS)
    assert CI_METHOD_LABELS["wilson"] == "score de Wilson"


# --- single proportion: independent reference values ---------------------------------------------


@pytest.mark.parametrize("method", ["wilson", "exact", "jeffreys", "agresti_coull"])
def test_proportion_ci_matches_statsmodels(method):
    ref = _frame("proportion_confint").query("method == @method")
    assert len(ref) > 200
    for level, grp in ref.groupby("level"):
        lower, upper = proportion_ci(grp["x"].to_numpy(), grp["n"].to_numpy(), method, level)
        if method == "jeffreys":
            # statsmodels does not apply the BCD convention at x = 0 / x = n: checked below
            keep_lo, keep_hi = grp["x"].to_numpy() > 0, grp["x"].to_numpy() < grp["n"].to_numpy()
        else:
            keep_lo = keep_hi = np.ones(len(grp), bool)
        np.testing.assert_allclose(lower[keep_lo], grp["lower"].to_numpy()[keep_lo], **TOL)
        np.testing.assert_allclose(upper[keep_hi], grp["upper"].to_numpy()[keep_hi], **TOL)


def test_jeffreys_boundary_convention_differs_from_statsmodels():
    ref = _frame("proportion_confint").query("method == 'jeffreys'")
    at0, atn = ref[ref["x"] == 0], ref[ref["x"] == ref["n"]]
    assert (at0["lower"] > 0).all() and (atn["upper"] < 1).all()  # statsmodels: no convention
    for frame, col, expected in ((at0, 0, 0.0), (atn, 1, 1.0)):
        for level, grp in frame.groupby("level"):
            bounds = proportion_ci(grp["x"].to_numpy(), grp["n"].to_numpy(), "jeffreys", level)
            assert (bounds[col] == expected).all()  # Brown, Cai & DasGupta (2001), sec. 4.1.2


def test_wilson_cc_matches_root_of_its_score_equation():
    ref = _frame("wilson_cc_root")
    for level, grp in ref.groupby("level"):
        lower, upper = proportion_ci(grp["x"].to_numpy(), grp["n"].to_numpy(), "wilson_cc", level)
        np.testing.assert_allclose(lower, grp["lower"].to_numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(upper, grp["upper"].to_numpy(), rtol=1e-9, atol=1e-12)


# Newcombe (1998a) Table I, examples (a)-(d); methods 3 (score), 4 (score, cc), 5 (exact)
NEWCOMBE_1998A = [
    (81, 263, "wilson", 0.2553, 0.3662),
    (15, 148, "wilson", 0.0624, 0.1605),
    (0, 20, "wilson", 0.0000, 0.1611),
    (1, 29, "wilson", 0.0061, 0.1718),
    (81, 263, "wilson_cc", 0.2535, 0.3682),
    (15, 148, "wilson_cc", 0.0598, 0.1644),
    (0, 20, "wilson_cc", 0.0000, 0.2005),
    (1, 29, "wilson_cc", 0.0018, 0.1963),
    (81, 263, "exact", 0.2527, 0.3676),
    (15, 148, "exact", 0.0578, 0.1617),
    (0, 20, "exact", 0.0000, 0.1684),
    (1, 29, "exact", 0.0009, 0.1776),
]


@pytest.mark.parametrize("x, n, method, lo, hi", NEWCOMBE_1998A)
def test_newcombe_1998a_published_intervals(x, n, method, lo, hi):
    lower, upper = proportion_ci(x, n, method)
    assert round(lower, 4) == lo and round(upper, 4) == hi


def test_boundary_values_by_hand():
    z = 1.959963984540054  # qnorm(0.975)
    # Wilson 0/n upper = z²/(n + z²)
    assert proportion_ci(0, 20)[1] == pytest.approx(z**2 / (20 + z**2), rel=1e-12)
    # Clopper-Pearson 0/n upper = 1 - (α/2)^(1/n); n/n lower = (α/2)^(1/n)
    assert proportion_ci(0, 20, "exact")[1] == pytest.approx(1 - 0.025 ** (1 / 20), rel=1e-12)
    assert proportion_ci(20, 20, "exact")[0] == pytest.approx(0.025 ** (1 / 20), rel=1e-12)
    for method in CI_METHODS:
        assert proportion_ci(0, 7, method)[0] == 0.0
        assert proportion_ci(7, 7, method)[1] == 1.0


def test_agresti_coull_is_clipped():
    # unclipped lower at 0/5 is negative: p~ = 1.92/8.84 = 0.2173, half = 1.96*sqrt(p~q~/8.84) = 0.2719
    assert proportion_ci(0, 5, "agresti_coull")[0] == 0.0
    assert proportion_ci(5, 5, "agresti_coull")[1] == 1.0


@pytest.mark.parametrize("method", CI_METHODS)
def test_zero_denominator_gives_nan(method):
    lower, upper = proportion_ci(0, 0, method)
    assert math.isnan(lower) and math.isnan(upper)
    lower, upper = proportion_ci([0, 3], [0, 10], method)
    assert np.isnan(lower[0]) and np.isnan(upper[0]) and np.isfinite([lower[1], upper[1]]).all()


# --- single proportion: invariants and containers ------------------------------------------------


def _grid():
    n = np.array([n for n in (1, 2, 5, 13, 100, 977) for _ in range(n + 1) if n < 100] + [100] * 101)
    x = np.concatenate([np.arange(k + 1) for k in (1, 2, 5, 13)] + [np.arange(101)])
    return x, n


@pytest.mark.parametrize("method", CI_METHODS)
@pytest.mark.parametrize("level", [0.90, 0.95, 0.99])
def test_bounds_contain_estimate(method, level):
    x, n = _grid()
    lower, upper = proportion_ci(x, n, method, level)
    p = x / n
    assert (lower >= 0).all() and (lower <= p).all() and (p <= upper).all() and (upper <= 1).all()


@pytest.mark.parametrize("method", CI_METHODS)
def test_higher_level_gives_wider_interval(method):
    x, n = _grid()
    lo90, hi90 = proportion_ci(x, n, method, 0.90)
    lo99, hi99 = proportion_ci(x, n, method, 0.99)
    assert (lo99 <= lo90).all() and (hi99 >= hi90).all()


@pytest.mark.parametrize("method", CI_METHODS)
def test_interval_narrows_as_n_grows(method):
    n = np.array([4, 40, 400, 4000, 40000])
    lower, upper = proportion_ci(n // 4, n, method)
    assert (np.diff(upper - lower) < 0).all()


@pytest.mark.parametrize("method", CI_METHODS)
def test_vectorised_equals_elementwise_and_grouped_equals_per_group(method):
    x = pd.Series([0, 3, 7, 12, 0], index=pd.Index(["a", "b", "c", "d", "e"], name="site"))
    n = pd.Series([10, 10, 7, 250, 0], index=x.index)  # e: empty group
    x_before, n_before = x.copy(), n.copy()
    lower, upper = proportion_ci(x, n, method, 0.9)
    table = proportion_table(x, n, method, 0.9)
    assert x.equals(x_before) and n.equals(n_before)  # inputs not mutated
    assert lower.index.equals(x.index) and upper.index.equals(x.index)
    assert table.index.equals(x.index)
    assert list(table.columns) == ["numerator", "denominator", "estimate", "lower", "upper", "method"]
    for key in x.index:
        single = proportion(int(x[key]), int(n[key]), method, 0.9)
        lo, hi = proportion_ci(int(x[key]), int(n[key]), method, 0.9)
        np.testing.assert_equal([lower[key], upper[key]], [lo, hi])
        row = table.loc[key]
        np.testing.assert_equal(
            [row["numerator"], row["denominator"], row["estimate"], row["lower"], row["upper"]],
            [single.numerator, single.denominator, single.estimate, single.lower, single.upper],
        )
        assert row["method"] == single.method == method


def test_broadcasting_and_return_types():
    lower, upper = proportion_ci(3, [10, 20, 30])
    assert isinstance(lower, np.ndarray) and lower.shape == (3,)
    assert isinstance(proportion_ci(3, 10)[0], float)
    x = pd.Series([1, 2], index=[2018, 2019])
    lower, _ = proportion_ci(x, 10)
    assert isinstance(lower, pd.Series) and list(lower.index) == [2018, 2019]
    nullable = pd.Series([1, 2], dtype="Int64", index=[2018, 2019])
    np.testing.assert_allclose(proportion_ci(nullable, 10)[0].to_numpy(), lower.to_numpy(), rtol=0)


def test_proportion_dataclass():
    p = proportion(81, 263, "wilson")
    assert isinstance(p, Proportion)
    assert p.estimate == 81 / 263 and (round(p.lower, 4), round(p.upper, 4)) == (0.2553, 0.3662)
    assert p.as_dict()["method"] == "wilson"
    empty = proportion(0, 0)
    assert math.isnan(empty.estimate) and math.isnan(empty.lower)
    with pytest.raises(AttributeError):
        p.lower = 0.0  # frozen


# --- single proportion: errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: proportion_ci(3, 10, "wald"),
            "unknown confidence-interval method 'wald'; valid methods: wilson, wilson_cc, exact",
        ),
        (lambda: proportion_ci(11, 10), "numerator x must not exceed denominator n: x=11, n=10"),
        (lambda: proportion_ci([1, 11], [5, 10]), "x=11, n=10 (position 1)"),
        (lambda: proportion_ci(-1, 10), "counts must not be negative: x=-1, n=10"),
        (lambda: proportion_ci(3, -1), "counts must not be negative"),
        (lambda: proportion_ci(2.5, 10), "counts must be whole numbers: x=2.5, n=10"),
        (lambda: proportion_ci(np.nan, 10), "missing or infinite count"),
        (
            lambda: proportion_ci(3, 10, level=1.5),
            "level must be strictly between 0 and 1 (e.g. 0.95), got 1.5",
        ),
        (lambda: proportion_ci(3, 10, level=0), "level must be strictly between 0 and 1"),
        (lambda: proportion_ci(3, 10, level="95%"), "level must be a number in (0, 1)"),
        (lambda: proportion_ci("a", 10), "x must be numeric counts"),
        (lambda: proportion_ci([1, 2], [3, 4, 5]), "input shapes do not match"),
        (
            lambda: proportion_ci(pd.Series([1, 2], index=[1, 2]), pd.Series([3, 4], index=[2, 1])),
            "same index",
        ),
        (lambda: proportion_table([1, 2], [3, 4]), "x must be a pandas Series"),
        (lambda: proportion([1, 2], [3, 4]), "use proportion_table"),
    ],
)
def test_errors_have_clear_messages(call, message):
    with pytest.raises(EspacepError) as info:
        call()
    assert message in str(info.value)


# --- two proportions ----------------------------------------------------------------------------


def test_compare_matches_statsmodels_and_scipy():
    ref = _frame("two_groups")
    for level, grp in ref.groupby("level"):
        cols = [grp[c].to_numpy() for c in ("x1", "n1", "x2", "n2")]
        res = compare_proportions(*cols, level=level)
        np.testing.assert_allclose(res.lower, grp["lower"].to_numpy(), **TOL)
        np.testing.assert_allclose(res.upper, grp["upper"].to_numpy(), **TOL)
        np.testing.assert_allclose(res.p_value, grp["p_fisher"].to_numpy(), **TOL)
        np.testing.assert_allclose(res.p_chi2, grp["p_chi2"].to_numpy(), **TOL)
        np.testing.assert_allclose(res.p_chi2_yates, grp["p_chi2_yates"].to_numpy(), **TOL)


# Newcombe (1998b) Table II, method 10 (hybrid score, no cc), examples (a)-(f).
# The brief quoted 0.0381, 0.8263 for (c) 6/7 - 2/7; that is not method 10: both this
# implementation and statsmodels' independent "newcomb" give 0.0582, 0.8062, which is the
# value I recall from the printed table (not re-checked against the paper here).
NEWCOMBE_1998B = [
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775),
    (10, 10, 0, 20, 0.6791, 1.0000),
]


@pytest.mark.parametrize("x1, n1, x2, n2, lo, hi", NEWCOMBE_1998B)
def test_newcombe_1998b_published_intervals(x1, n1, x2, n2, lo, hi):
    res = compare_proportions(x1, n1, x2, n2)
    assert (round(res.lower, 4), round(res.upper, 4)) == (lo, hi)
    assert res.difference == x1 / n1 - x2 / n2


def _fisher_by_enumeration(x1, n1, x2, n2):
    """Two-sided Fisher p (R's rule), exact rationals over the hypergeometric support."""
    m, total = x1 + x2, n1 + n2
    prob = {
        k: Fraction(math.comb(n1, k) * math.comb(n2, m - k), math.comb(total, m))
        for k in range(max(0, m - n2), min(n1, m) + 1)
    }
    observed = prob[x1]
    return float(sum(p for p in prob.values() if p <= observed * Fraction(10**7 + 1, 10**7)))


@pytest.mark.parametrize(
    "table", [(3, 4, 1, 4), (9, 10, 3, 10), (5, 56, 0, 29), (2, 3, 40, 50), (12, 140, 7, 151)]
)
def test_fisher_equals_exact_enumeration(table):
    assert compare_proportions(*table).p_value == pytest.approx(_fisher_by_enumeration(*table), rel=1e-9)


def test_fisher_tea_tasting_example_of_r():
    # R ?fisher.test, TeaTasting matrix(c(3, 1, 1, 3)): p-value = 0.4857 (= 34/70)
    assert compare_proportions(3, 4, 1, 4).p_value == pytest.approx(34 / 70, rel=1e-12)


def test_chi2_by_hand():
    # a,b,c,d = 3,1,1,3: N=8, ad-bc=8, margins 4*4*4*4=256
    # plain chi2 = 8*8^2/256 = 2 ; Yates = 8*(8-4)^2/256 = 0.5
    res = compare_proportions(3, 4, 1, 4)
    assert res.p_chi2 == pytest.approx(math.erfc(math.sqrt(2 / 2)), rel=1e-12)
    assert res.p_chi2_yates == pytest.approx(math.erfc(math.sqrt(0.5 / 2)), rel=1e-12)


def test_compare_edge_cases():
    empty = compare_proportions(0, 0, 3, 10)
    assert all(
        math.isnan(v)
        for v in (empty.difference, empty.lower, empty.upper, empty.p_value, empty.p_chi2, empty.p_chi2_yates)
    )
    zeros = compare_proportions(0, 10, 0, 20)  # zero margin: chi2 undefined (R gives NaN)
    assert zeros.difference == 0 and zeros.p_value == 1.0
    assert math.isnan(zeros.p_chi2) and math.isnan(zeros.p_chi2_yates)
    same = compare_proportions(5, 10, 5, 10)
    assert same.difference == 0 and same.p_value == same.p_chi2 == same.p_chi2_yates == 1.0
    assert same.lower < 0 < same.upper and same.lower == pytest.approx(-same.upper, rel=1e-12)
    assert (same.x1, same.n1, same.x2, same.n2) == (5, 10, 5, 10)


@pytest.mark.parametrize(
    "table", [(56, 70, 48, 80), (5, 56, 0, 29), (0, 10, 0, 20), (10, 10, 0, 20), (1, 3, 2, 3)]
)
def test_swapping_groups_negates_difference(table):
    x1, n1, x2, n2 = table
    ab, ba = compare_proportions(x1, n1, x2, n2), compare_proportions(x2, n2, x1, n1)
    assert ba.difference == -ab.difference
    assert ba.lower == pytest.approx(-ab.upper, abs=1e-15) and ba.upper == pytest.approx(-ab.lower, abs=1e-15)
    assert ba.p_value == pytest.approx(ab.p_value, rel=1e-12)
    np.testing.assert_allclose([ba.p_chi2, ba.p_chi2_yates], [ab.p_chi2, ab.p_chi2_yates], rtol=1e-12)


def test_compare_vectorised_equals_elementwise_with_series():
    idx = pd.Index(["hiv", "syphilis", "hbsag"], name="test")
    x1, n1 = pd.Series([2, 9, 0], index=idx), pd.Series([300, 310, 290], index=idx)
    x2, n2 = pd.Series([1, 4, 0], index=idx), pd.Series([280, 300, 0], index=idx)
    res = compare_proportions(x1, n1, x2, n2, level=0.9)
    assert res.lower.index.equals(idx) and res.p_value.index.equals(idx)
    for key in idx:
        one = compare_proportions(int(x1[key]), int(n1[key]), int(x2[key]), int(n2[key]), level=0.9)
        np.testing.assert_equal(
            [res.difference[key], res.lower[key], res.upper[key], res.p_value[key], res.p_chi2[key]],
            [one.difference, one.lower, one.upper, one.p_value, one.p_chi2],
        )


def test_compare_errors():
    with pytest.raises(EspacepError, match="x2 must not exceed denominator n2: x2=5, n2=4"):
        compare_proportions(1, 2, 5, 4)
    with pytest.raises(EspacepError, match="level must be strictly between 0 and 1"):
        compare_proportions(1, 2, 1, 4, level=95)


# --- trend test ---------------------------------------------------------------------------------------


def test_trend_r_documented_example():
    # R ?prop.trend.test: smokers/patients -> X-squared = 8.2249, df = 1, p-value = 0.004132
    res = trend_test([83, 90, 129, 70], [86, 93, 136, 82])
    assert round(res.chi2, 4) == 8.2249 and round(res.p_value, 6) == 0.004132
    assert res.z < 0  # proportions fall: 0.965, 0.968, 0.949, 0.854
    assert res.scores == (0.0, 1.0, 2.0, 3.0)


def test_trend_matches_weighted_regression_and_linear_by_linear():
    for row in REF["trend"]:
        res = trend_test(row["x"], row["n"], scores=row["scores"])
        assert res.chi2 == pytest.approx(row["chi2_wls_ess"], rel=1e-9)
        assert res.p_value == pytest.approx(row["p_chi2"], rel=1e-9)
        assert np.sign(res.z) == row["slope_sign"]
        total = sum(row["n"])
        assert res.z == pytest.approx(row["z_linear_by_linear"] * math.sqrt(total / (total - 1)), rel=1e-9)


def test_trend_affine_invariance_of_scores():
    x, n = [12, 18, 25, 20], [150, 160, 171, 120]
    base = trend_test(x, n, scores=[0, 1, 2, 3])
    shifted = trend_test(x, n, scores=[2016, 2017, 2018, 2019])
    scaled = trend_test(x, n, scores=[-5.0, 5.0, 15.0, 25.0])
    flipped = trend_test(x, n, scores=[3, 0, -3, -6])
    assert shifted.z == pytest.approx(base.z, rel=1e-9) and scaled.z == pytest.approx(base.z, rel=1e-9)
    assert flipped.z == pytest.approx(-base.z, rel=1e-9) and flipped.p_value == pytest.approx(
        base.p_value, rel=1e-9
    )


def test_trend_two_effective_groups_equals_pearson_chi2():
    plain = compare_proportions(12, 150, 25, 171)
    # group with n = 0 contributes nothing
    res = trend_test([12, 0, 25], [150, 0, 171])
    assert res.p_value == pytest.approx(plain.p_chi2, rel=1e-9)
    # two groups sharing a score are pooled: (5 + 7)/(60 + 90) vs 25/171
    pooled = trend_test([5, 7, 25], [60, 90, 171], scores=[0, 0, 1])
    assert pooled.z == pytest.approx(res.z, rel=1e-12)
    # z^2 = N(ad - bc)^2 / (r1 r2 c1 c2) by hand: a,b,c,d = 12,138,25,146
    chi2 = 321 * (12 * 146 - 138 * 25) ** 2 / (150 * 171 * 37 * 284)
    assert res.chi2 == pytest.approx(chi2, rel=1e-12) and res.z > 0


def test_trend_uses_numeric_series_index_as_years():
    x = pd.Series([30, 20, 12], index=[2016, 2017, 2019])
    n = pd.Series([100, 100, 100], index=x.index)
    res = trend_test(x, n)
    assert res.scores == (2016.0, 2017.0, 2019.0)
    assert res.z == pytest.approx(trend_test([30, 20, 12], [100] * 3, scores=[2016, 2017, 2019]).z, rel=1e-12)
    assert res.z != pytest.approx(trend_test([30, 20, 12], [100] * 3).z, rel=1e-6)


@pytest.mark.parametrize(
    "x, n, scores",
    [
        ([0, 0, 0], [10, 20, 30], None),
        ([10, 20, 30], [10, 20, 30], None),
        ([0, 0, 0], [0, 0, 0], None),
        ([1, 2, 3], [10, 10, 10], [5, 5, 5]),
        ([1, 0, 0], [10, 0, 0], None),
    ],
)
def test_trend_degenerate_gives_nan(x, n, scores):
    res = trend_test(x, n, scores)
    assert math.isnan(res.z) and math.isnan(res.chi2) and math.isnan(res.p_value)


@pytest.mark.parametrize(
    "x, n, scores",
    [([12, 25], [150, 171], None), ([3, 9], [40, 35], [2016, 2019]), ([30, 12], [100, 100], [5, -1])],
)
def test_trend_two_groups_is_the_uncorrected_pearson_chi2(x, n, scores):
    # R's prop.trend.test for two groups equals prop.test(correct = FALSE): checked here against the
    # 2x2 formula by hand, statsmodels' proportions_chisquare and scipy's chi2_contingency (no R run)
    from scipy.stats import chi2_contingency
    from statsmodels.stats.proportion import proportions_chisquare

    res = trend_test(x, n, scores=scores)
    (a, c), (n1, n2) = x, n
    b, d = n1 - a, n2 - c
    by_hand = (n1 + n2) * (a * d - b * c) ** 2 / (n1 * n2 * (a + c) * (b + d))
    sm_chi2, sm_p, _ = proportions_chisquare(np.array(x), np.array(n))
    sp_chi2, sp_p, _, _ = chi2_contingency([[a, b], [c, d]], correction=False)
    assert res.chi2 == pytest.approx(by_hand, rel=1e-12)
    assert res.chi2 == pytest.approx(sm_chi2, rel=1e-12) and res.p_value == pytest.approx(sm_p, rel=1e-12)
    assert res.chi2 == pytest.approx(sp_chi2, rel=1e-12) and res.p_value == pytest.approx(sp_p, rel=1e-12)
    ascending = (scores is None or scores[1] > scores[0]) == (c / n2 > a / n1)
    assert (res.z > 0) == ascending


def test_trend_two_groups_published_value():
    # 12/150 vs 25/171: N (ad - bc)^2 / (r1 r2 c1 c2) = 321 * 1698^2 / (150 * 171 * 37 * 284)
    res = trend_test([12, 25], [150, 171])
    assert res.chi2 == pytest.approx(3.433784, abs=5e-7) and res.p_value == pytest.approx(0.063876, abs=5e-7)


def test_trend_errors():
    with pytest.raises(EspacepError, match="at least 2 groups, got 1"):
        trend_test([1], [10])
    with pytest.raises(EspacepError, match="numerator x must not exceed denominator n: x=11, n=10"):
        trend_test([1, 11, 2], [10, 10, 10])
    with pytest.raises(EspacepError, match="scores must be finite"):
        trend_test([1, 2, 3], [10, 10, 10], scores=[0, np.nan, 2])
    with pytest.raises(EspacepError, match="input shapes do not match"):
        trend_test([1, 2, 3], [10, 10, 10], scores=[0, 1])
