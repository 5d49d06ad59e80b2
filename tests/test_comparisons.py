"""Year-over-year comparisons (`indicators.comparisons`) on hand-made figures tables.

The counts are those of the synthetic data's syphilis prevalence (3/666 in
2017, 6/801 in 2018, 14/775 in 2019) and HIV prevalence (6/706, 7/801, 3/780).
Every comparison value must equal `stats.compare_proportions` / `stats.trend_test`
on the same counts (those functions are tested against R / statsmodels
references in test_stats.py); the trend z is also checked against a hand
computation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from espacep_analysis import disclosure, stats
from espacep_analysis.errors import EspacepError
from espacep_analysis.indicators import common, comparisons
from espacep_analysis.indicators.comparisons import change_verdict, compare_years

SYPHILIS = {2017: (3, 666), 2018: (6, 801), 2019: (14, 775)}
HIV = {2017: (6, 706), 2018: (7, 801), 2019: (3, 780)}


def table(series: dict[str, dict[int, tuple[int, int]]], scope: str = "all") -> pd.DataFrame:
    """A figures table of proportions ``{id: {year: (x, n)}}`` plus one count row per year."""
    parts = []
    for ind, by_year in series.items():
        for year, (x, n) in by_year.items():
            parts.append(
                common.proportion_figures(x, n, indicator=ind, label=f"Libellé {ind}", year=year, scope=scope)
            )
            parts.append(common.count_figure("t.persons_seen", "Vus", year, n, "persons", scope))
    figures = common.concat_figures(parts)
    return figures.drop_duplicates(["indicator", "year", "scope"]).reset_index(drop=True)


def rows_by_id(frame: pd.DataFrame) -> dict:
    assert not frame.duplicated(["indicator", "scope"]).any()
    return {r["indicator"]: r for r in frame.to_dict("records")}


@pytest.fixture(scope="module")
def three_years():
    figures = table({"t.prevalence.syphilis": SYPHILIS, "t.prevalence.hiv": HIV})
    return figures, compare_years(figures, ["t.prevalence.syphilis", "t.prevalence.hiv"], 2019)


# --- compare_years ----------------------------------------------------------------------------


def test_row_ids_units_and_methods(three_years):
    _, comp = three_years
    ids = set(comp["indicator"])
    expected = {
        f"t.prevalence.{t}.{kind}.{y}"
        for t in ("syphilis", "hiv")
        for kind in ("diff", "fisher_p")
        for y in (2017, 2018)
    }
    expected |= {
        f"t.prevalence.{t}.{s}" for t in ("syphilis", "hiv") for s in ("trend_p", "trend_z", "verdict")
    }
    assert ids == expected
    assert list(comp.columns) == common.FIGURE_COLUMNS
    assert (comp["year"] == 2019).all() and (comp["scope"] == "all").all()
    by_unit = comp.groupby("unit")["method"].agg(set).to_dict()
    assert by_unit == {
        "difference": {"newcombe_hybrid"},
        "p_value": {"fisher_exact", "cochran_armitage"},
        "z": {"cochran_armitage"},
        "verdict": {"cochran_armitage"},
    }
    assert comp["numerator"].isna().all() and comp["denominator"].isna().all()
    assert comp.loc[comp.unit != "difference", ["lower", "upper"]].isna().all().all()
    # what each row compares is in columns of its own, not in its id
    assert comparisons.is_comparison(comp).all()
    expected_base = {i: i.split(".diff.")[0].split(".fisher_p.")[0] for i in ids}  # the test reads the ids
    expected_base = {
        i: b.removesuffix(".trend_p").removesuffix(".trend_z").removesuffix(".verdict")
        for i, b in expected_base.items()
    }
    assert dict(zip(comp["indicator"], comp["base_indicator"])) == expected_base
    assert (comp["year_to"] == 2019).all()
    pairwise = comp["unit"].isin(["difference"]) | (comp["method"] == "fisher_exact")
    assert dict(zip(comp.loc[pairwise, "indicator"], comp.loc[pairwise, "year_from"])) == {
        i: int(i[-4:]) for i in comp.loc[pairwise, "indicator"]
    }
    assert (comp.loc[~pairwise, "year_from"] == 2017).all()  # trend and verdict: from the first year


def test_values_equal_stats_on_the_same_counts(three_years):
    _, comp = three_years
    r = rows_by_id(comp)
    for name, counts in (("syphilis", SYPHILIS), ("hiv", HIV)):
        x1, n1 = counts[2019]
        for y0 in (2017, 2018):
            x0, n0 = counts[y0]
            ref = stats.compare_proportions(x1, n1, x0, n0)
            diff = r[f"t.prevalence.{name}.diff.{y0}"]
            assert (diff["value"], diff["lower"], diff["upper"]) == (ref.difference, ref.lower, ref.upper)
            assert r[f"t.prevalence.{name}.fisher_p.{y0}"]["value"] == ref.p_value
        years = [2017, 2018, 2019]
        trend = stats.trend_test([counts[y][0] for y in years], [counts[y][1] for y in years], years)
        assert r[f"t.prevalence.{name}.trend_p"]["value"] == trend.p_value
        assert r[f"t.prevalence.{name}.trend_z"]["value"] == trend.z


def test_syphilis_by_hand(three_years):
    _, comp = three_years
    r = rows_by_id(comp)
    # difference 2019 - 2017 = 14/775 - 3/666 = 0.0180645 - 0.0045045 = 0.0135600
    assert r["t.prevalence.syphilis.diff.2017"]["value"] == pytest.approx(14 / 775 - 3 / 666, abs=1e-15)
    # Cochran-Armitage, scores 0, 1, 2 (affine in the years): N = 2242, pbar = 23/2242 = 0.0102587,
    # sbar = (801 + 2*775)/2242 = 1.048617; sum x(s - sbar) = 3(-1.048617) + 6(-0.048617) + 14(0.951383) = 9.881809;
    # sum n(s - sbar)^2 = 666(1.099598) + 801(0.002364) + 775(0.905130) = 1435.70;
    # z = 9.881809 / sqrt(0.0102587 * 0.9897413 * 1435.70) = 9.881809 / 3.81801 = 2.5882
    assert r["t.prevalence.syphilis.trend_z"]["value"] == pytest.approx(2.5882, abs=1e-4)
    assert r["t.prevalence.syphilis.trend_p"]["value"] == pytest.approx(
        0.00965, abs=1e-5
    )  # 2 * (1 - Phi(2.5882))
    # the difference with 2017 is significant at 5 % (interval above 0), with 2018 it is not
    assert r["t.prevalence.syphilis.diff.2017"]["lower"] > 0 > r["t.prevalence.syphilis.diff.2018"]["lower"]


def test_fewer_years_give_fewer_rows():
    two = table({"t.p": {2018: (6, 801), 2019: (14, 775)}})
    comp = compare_years(two, ["t.p"], 2019)
    assert set(comp["indicator"]) == {
        "t.p.diff.2018",
        "t.p.fisher_p.2018",
        "t.p.verdict",
    }  # no trend, 2 years
    one = table({"t.p": {2019: (14, 775)}})
    assert compare_years(one, ["t.p"], 2019).empty
    # the report year absent (or its denominator 0): nothing is compared
    assert compare_years(table({"t.p": {2017: (3, 666), 2018: (6, 801)}}), ["t.p"], 2019).empty
    zero = table({"t.p": {2017: (3, 666), 2018: (0, 0), 2019: (14, 775)}})
    comp = compare_years(zero, ["t.p"], 2019)
    assert set(comp["indicator"]) == {"t.p.diff.2017", "t.p.fisher_p.2017", "t.p.verdict"}  # 2018 left out
    # later years are not compared with the report year
    later = table({"t.p": {2018: (6, 801), 2019: (14, 775), 2020: (1, 10)}})
    assert set(compare_years(later, ["t.p"], 2019)["indicator"]) == {
        "t.p.diff.2018",
        "t.p.fisher_p.2018",
        "t.p.verdict",
    }


def test_scopes_are_compared_separately():
    figures = common.concat_figures([table({"t.p": SYPHILIS}), table({"t.p": HIV}, scope="antenna:liege")])
    comp = compare_years(figures, ["t.p"], 2019)
    liege = comp.loc[comp.scope == "antenna:liege"].set_index("indicator")["value"]
    assert liege["t.p.diff.2017"] == pytest.approx(3 / 780 - 6 / 706, abs=1e-15)
    whole = comp.loc[comp.scope == "all"].set_index("indicator")["value"]
    assert whole["t.p.diff.2017"] == pytest.approx(14 / 775 - 3 / 666, abs=1e-15)


def test_non_proportion_raises():
    figures = table({"t.p": SYPHILIS})
    with pytest.raises(EspacepError, match="t.persons_seen.*not a proportion"):
        compare_years(figures, ["t.p", "t.persons_seen"], 2019)
    with pytest.raises(EspacepError, match="lacks column"):
        compare_years(figures.drop(columns="denominator"), ["t.p"], 2019)


# --- invariants --------------------------------------------------------------------------------


def test_swapping_years_negates_differences():
    forward = compare_years(table({"t.p": {2018: (6, 801), 2019: (14, 775)}}), ["t.p"], 2019)
    backward = compare_years(table({"t.p": {2018: (14, 775), 2019: (6, 801)}}), ["t.p"], 2019)
    f, b = rows_by_id(forward), rows_by_id(backward)
    assert b["t.p.diff.2018"]["value"] == pytest.approx(-f["t.p.diff.2018"]["value"], abs=1e-15)
    assert b["t.p.diff.2018"]["lower"] == pytest.approx(-f["t.p.diff.2018"]["upper"], abs=1e-15)
    assert b["t.p.diff.2018"]["upper"] == pytest.approx(-f["t.p.diff.2018"]["lower"], abs=1e-15)
    assert b["t.p.fisher_p.2018"]["value"] == pytest.approx(f["t.p.fisher_p.2018"]["value"], abs=1e-15)
    # reversing the order of three years flips the sign of z, keeps p
    rev = compare_years(
        table({"t.p": {2017: SYPHILIS[2019], 2018: SYPHILIS[2018], 2019: SYPHILIS[2017]}}), ["t.p"], 2019
    )
    fwd = compare_years(table({"t.p": SYPHILIS}), ["t.p"], 2019)
    assert rows_by_id(rev)["t.p.trend_z"]["value"] == pytest.approx(-rows_by_id(fwd)["t.p.trend_z"]["value"])
    assert rows_by_id(rev)["t.p.trend_p"]["value"] == pytest.approx(rows_by_id(fwd)["t.p.trend_p"]["value"])


def test_uses_exactly_the_counts_of_the_table(three_years):
    figures, comp = three_years
    # every difference equals stats on the numerator/denominator read back from the table
    counts = figures.set_index(["indicator", "year"])[["numerator", "denominator"]]
    for r in comp.loc[comp.unit == "difference"].to_dict("records"):
        base, y0 = r["base_indicator"], int(r["year_from"])
        x1, n1 = counts.loc[(base, 2019)]
        x0, n0 = counts.loc[(base, y0)]
        assert r["value"] == stats.compare_proportions(x1, n1, x0, n0).difference
    # a table whose 2017 value disagrees with its counts: the counts win (the value is not read)
    tampered = figures.copy()
    tampered.loc[(tampered.indicator == "t.prevalence.syphilis") & (tampered.year == 2017), "value"] = 0.9
    pd.testing.assert_frame_equal(
        compare_years(tampered, ["t.prevalence.syphilis"], 2019),
        compare_years(figures, ["t.prevalence.syphilis"], 2019),
    )


def test_bounds_bracket_and_p_values_in_range(three_years):
    _, comp = three_years
    diff = comp[comp.unit == "difference"]
    assert ((diff.lower <= diff.value) & (diff.value <= diff.upper)).all()
    assert ((diff.lower >= -1) & (diff.upper <= 1)).all()
    p = comp[comp.unit == "p_value"]["value"]
    assert ((p > 0) & (p <= 1)).all()


def test_disclosure_masks_comparisons_of_masked_figures(three_years):
    figures, comp = three_years
    masked = disclosure.suppress_figures(common.concat_figures([figures, comp]), 5)
    hidden = masked.loc[masked.suppressed, "indicator"]
    # syphilis 2017 (3 positives) and HIV 2019 (3) are masked, so are all their comparison rows
    assert set(hidden[comparisons.is_comparison(masked)]) == set(comp["indicator"])


# --- verdicts --------------------------------------------------------------------------------------


def counts(series):
    years = sorted(series)
    return [series[y][0] for y in years], [series[y][1] for y in years], years


def test_verdict_rise_with_trend_test():
    v = change_verdict(*counts(SYPHILIS))
    assert (v.code, v.test) == ("rise", "cochran_armitage")
    assert v.p_value == stats.trend_test([3, 6, 14], [666, 801, 775], [2017, 2018, 2019]).p_value
    # by hand: p = 23/2242, T = sum x_i (t_i - tbar), Var = p(1-p) sum n_i (t_i - tbar)^2 -> z = 2.5882
    assert v.statistic == pytest.approx(2.588196, abs=1e-6) and v.p_value == pytest.approx(0.009648, abs=1e-6)
    assert (
        v.positives == (3, 6, 14) and v.tested == (666, 801, 775) and not v.tested_changed
    )  # 775/666 = +16 %


def test_verdict_fall_and_stable():
    fall = change_verdict([14, 6, 3], [775, 801, 666], [2017, 2018, 2019])
    assert fall.code == "fall" and fall.statistic < 0
    stable = change_verdict(*counts(HIV))
    assert (stable.code, stable.test) == ("stable", "cochran_armitage")
    assert stable.p_value == pytest.approx(0.2732, abs=1e-4)  # z = -1.0957


def test_verdict_two_years_uses_fisher_and_the_level():
    # 14/775 vs 3/666: Fisher p = 0.0249
    v = change_verdict([3, 14], [666, 775], [2017, 2019])
    assert (v.code, v.test) == ("rise", "fisher_exact")
    assert v.p_value == stats.compare_proportions(14, 775, 3, 666).p_value
    assert change_verdict([3, 14], [666, 775], [2017, 2019], level=0.99).code == "stable"


def test_verdict_too_few_cases():
    v = change_verdict([1, 1, 2], [300, 300, 300], [2017, 2018, 2019])  # 4 positives < 5
    assert (v.code, v.test) == ("too_few", "") and np.isnan(v.p_value)
    # the threshold is a parameter: with min_cases=4 a test is run
    assert change_verdict([1, 1, 2], [300, 300, 300], [2017, 2018, 2019], min_cases=4).code == "stable"
    # 5 positives are enough by default (even if all in one year)
    assert change_verdict([0, 0, 5], [300, 300, 300], [2017, 2018, 2019]).code == "rise"


def test_verdict_edge_cases_all_zero_and_all_positive():
    # 0/n and n/n every year: nothing changes, the trend test's z is 0 (no division by zero)
    assert change_verdict([0, 0, 0], [50, 60, 70], [2017, 2018, 2019], min_cases=0).code == "stable"
    assert change_verdict([50, 60, 70], [50, 60, 70], [2017, 2018, 2019]).code == "stable"


def test_verdict_tested_count_note():
    # 100 -> 121: +21 % > a fifth; 100 -> 120: exactly a fifth, not more
    assert change_verdict([5, 10], [100, 121], [2018, 2019]).tested_changed
    assert not change_verdict([5, 10], [100, 120], [2018, 2019]).tested_changed
    assert change_verdict([5, 10], [100, 79], [2018, 2019]).tested_changed  # -21 %
    assert change_verdict([1, 1], [100, 200], [2018, 2019]).tested_changed  # too few cases too
    assert comparisons.tested_changed(100, 121) and not comparisons.tested_changed(100, 80)


def test_verdict_single_year_and_bad_input():
    assert change_verdict([3], [666], [2019]).code == "no_comparison"
    with pytest.raises(EspacepError, match="increasing"):
        change_verdict([3, 14], [666, 775], [2019, 2017])
    with pytest.raises(EspacepError, match="without anyone tested"):
        change_verdict([0, 14], [0, 775], [2018, 2019])
    with pytest.raises(EspacepError, match="exceed"):
        change_verdict([7, 14], [5, 775], [2018, 2019])
    with pytest.raises(EspacepError, match="min_cases"):
        change_verdict([3, 14], [666, 775], [2018, 2019], min_cases=-1)
    with pytest.raises(EspacepError, match="same length"):
        change_verdict([3, 14], [666], [2018, 2019])


def test_verdict_rows_agree_with_change_verdict(three_years):
    figures, comp = three_years
    r = rows_by_id(comp)
    assert r["t.prevalence.syphilis.verdict"]["value"] == 1.0  # rise
    assert r["t.prevalence.hiv.verdict"]["value"] == 0.0  # stable
    assert (
        r["t.prevalence.syphilis.verdict"]["label"] == "Libellé t.prevalence.syphilis : évolution 2017-2019"
    )
    for name, series in (("syphilis", SYPHILIS), ("hiv", HIV)):
        expected = comparisons.verdict_value(*counts(series))
        assert r[f"t.prevalence.{name}.verdict"]["value"] == expected
    # a report for 2018 only looks at the years up to 2018: Fisher on 2017-2018 (6/801 vs 3/666: stable)
    r18 = rows_by_id(compare_years(figures, ["t.prevalence.syphilis"], 2018))
    assert (
        r18["t.prevalence.syphilis.verdict"]["method"],
        r18["t.prevalence.syphilis.verdict"]["value"],
    ) == ("fisher_exact", 0.0)
    # too few cases: no test, value NaN, method "min_cases"
    few = compare_years(table({"t.p": {2018: (1, 300), 2019: (2, 300)}}), ["t.p"], 2019)
    row = rows_by_id(few)["t.p.verdict"]
    assert np.isnan(row["value"]) and row["method"] == comparisons.MIN_CASES_METHOD
