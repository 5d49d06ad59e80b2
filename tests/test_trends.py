"""The verdict on a change over the years, as the reports word it (`pages.trends`), and its disclosure control.

Figures tables are hand-made (`common.proportion_figures` rows, then
`comparisons.compare_years`), with the synthetic data's counts: syphilis
3/666 (2017), 6/801 (2018), 14/775 (2019) and HIV 6/706, 7/801, 3/780.

Independent sources used here, none of them the library's code:

- the Cochran-Armitage test by hand (:func:`armitage`: p̄ = Σx/Σn,
  T = Σ x_i (t_i − t̄), Var = p̄(1 − p̄) Σ n_i (t_i − t̄)², z = T/√Var, with t̄
  the n-weighted mean of the years), which gives for syphilis
  z = 2.588196, p = 0.009648 and for HIV p = 0.2732;
- Fisher's exact test by hand from the hypergeometric distribution
  (:func:`fisher_by_hand`, minimum-likelihood two-sided p as R's fisher.test):
  14/775 vs 3/666 gives p = 0.02489;
- Wilson intervals and the Newcombe hybrid score interval by hand
  (:func:`newcombe_by_hand`).

Every expected string is written out with its NO-BREAK SPACEs (U+00A0, ``NB``):
`fmt` puts one in numbers, before ``%``, before ``pt`` and around ``=`` / ``<``
in ``p = …``.
"""

from __future__ import annotations

import html
import itertools
import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy.stats import hypergeom, norm

from espacep_analysis import disclosure, fmt, publish, stats
from espacep_analysis.blocks_html import table_html
from espacep_analysis.errors import EspacepError
from espacep_analysis.indicators import common, comparisons
from espacep_analysis.pages import trends
from espacep_analysis.pages.common import FigureBook
from espacep_analysis.sites import load_sites

NB = "\u00a0"
MINUS = "\u2212"
SYPHILIS = {2017: (3, 666), 2018: (6, 801), 2019: (14, 775)}
HIV = {2017: (6, 706), 2018: (7, 801), 2019: (3, 780)}
SYPH, HIV_ID = "t.prevalence.syphilis", "t.prevalence.hiv"
SUBJECT = "la prévalence de la syphilis"
HAUSSE_TREND = (
    f"La prévalence de la syphilis est en hausse de 2017 à 2019 (0,5{NB}% en 2017, 0,7{NB}% en 2018, "
    f"1,8{NB}% en 2019) : l'évolution est significative au seuil de 5{NB}% "
    f"(test de tendance de Cochran-Armitage, p{NB}={NB}0,010)."
)


def decide(x, n, y):
    """The verdict value as the rows were computed (defaults: level 0.95, 5 cases)."""
    return comparisons.verdict_value(x, n, y)


# --- independent computations ------------------------------------------------------------------


def armitage(x, n, t):
    """Cochran-Armitage z and two-sided p by the textbook formula (Armitage's variance)."""
    x, n, t = (np.asarray(a, dtype=float) for a in (x, n, t))
    pbar, tbar = x.sum() / n.sum(), (n * t).sum() / n.sum()
    var = pbar * (1 - pbar) * (n * (t - tbar) ** 2).sum()
    if var == 0:
        return 0.0, 1.0
    z = (x * (t - tbar)).sum() / math.sqrt(var)
    return z, 2 * norm.sf(abs(z))


def fisher_by_hand(x1, n1, x2, n2):
    """Two-sided Fisher p: sum of the hypergeometric tables no likelier than the observed (R's rule)."""
    m, total = x1 + x2, n1 + n2
    support = np.arange(max(0, m - n2), min(m, n1) + 1)
    pmf = hypergeom.pmf(support, total, m, n1)
    observed = hypergeom.pmf(x1, total, m, n1)
    return float(min(1.0, pmf[pmf <= observed * (1 + 1e-7)].sum()))


def verdict_by_hand(x, n, years, alpha=0.05, min_cases=5):
    """+1 / 0 / -1 / NaN, from the hand tests above (the rule the issue states)."""
    if sum(x) < min_cases:
        return math.nan
    if len(years) >= 3:
        stat, p = armitage(x, n, years)
    else:
        stat, p = x[-1] / n[-1] - x[0] / n[0], fisher_by_hand(x[-1], n[-1], x[0], n[0])
    return float(np.sign(stat)) if p < alpha and stat != 0 else 0.0


Z95 = norm.ppf(0.975)


def wilson(x, n, z=Z95):
    p, d = x / n, 1 + z * z / n
    centre, half = (p + z * z / (2 * n)) / d, z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return p, centre - half, centre + half


def newcombe_by_hand(x1, n1, x2, n2):
    p1, l1, u1 = wilson(x1, n1)
    p2, l2, u2 = wilson(x2, n2)
    d = p1 - p2
    return d, d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(u1 - p1, p2 - l2)


def test_hand_computations_agree_with_the_brief():
    # z = 2.588196, p = 0.009648 (syphilis); p = 0.2732 (HIV); Fisher 14/775 vs 3/666: p = 0.02489
    z, p = armitage([3, 6, 14], [666, 801, 775], [2017, 2018, 2019])
    assert (z, p) == pytest.approx((2.588196, 0.009648), abs=1e-6)
    assert armitage([6, 7, 3], [706, 801, 780], [2017, 2018, 2019])[1] == pytest.approx(0.2732, abs=1e-4)
    assert fisher_by_hand(14, 775, 3, 666) == pytest.approx(0.02489, abs=1e-5)
    # and the library's tests agree with them (the hand versions are used below)
    assert stats.trend_test([3, 6, 14], [666, 801, 775], [2017, 2018, 2019]).z == pytest.approx(z, abs=1e-12)
    assert stats.compare_proportions(14, 775, 3, 666).p_value == pytest.approx(
        fisher_by_hand(14, 775, 3, 666), rel=1e-9
    )


# --- building books -----------------------------------------------------------------------------


def table(series: dict[str, dict[int, tuple[int, int]]], scope: str = "all") -> pd.DataFrame:
    """Proportion rows ``{id: {year: (x, n)}}`` (Wilson CI)."""
    parts = [
        common.proportion_figures(x, n, indicator=ind, label=f"Libellé {ind}", year=year, scope=scope)
        for ind, by_year in series.items()
        for year, (x, n) in by_year.items()
    ]
    return common.concat_figures(parts)


def with_comparisons(raw: pd.DataFrame, year: int = 2019) -> pd.DataFrame:
    ids = list(dict.fromkeys(raw.loc[raw["unit"] == "proportion", "indicator"]))
    return common.concat_figures([raw, comparisons.compare_years(raw, ids, year)])


def book(series, min_cell: int = 0, year: int = 2019) -> FigureBook:
    return FigureBook(disclosure.suppress_figures(with_comparisons(table(series), year), min_cell), year)


def row(frame: pd.DataFrame, indicator: str, year: int = 2019, scope: str = "all") -> dict:
    rows = frame.loc[(frame["indicator"] == indicator) & (frame["year"] == year) & (frame["scope"] == scope)]
    assert len(rows) == 1, (indicator, year, scope)
    return rows.iloc[0].to_dict()


def cells(table_html: str) -> list[list[str]]:
    """The text of each body row's cells (unescaped)."""
    body = table_html.split("<tbody>")[1].split("</tbody>")[0]
    return [
        [html.unescape(c) for c in re.findall(r"<td(?: [^>]*)?>(.*?)</td>", tr)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body)
    ]


@pytest.fixture(scope="module")
def two_series():
    """(raw figures with comparisons, masked at 5, masked then verdicts released)."""
    fig = with_comparisons(table({SYPH: SYPHILIS, HIV_ID: HIV}))
    masked = disclosure.suppress_figures(fig, 5)
    return fig, masked, disclosure.release_verdicts(fig, masked, 5, decide)


# --- sentences on an unmasked book --------------------------------------------------------------


def test_sentence_rise_syphilis():
    # 3/666 = 0.45 %, 6/801 = 0.75 %, 14/775 = 1.81 %; trend p = 0.009648 -> 2 significant digits "0,010"
    b = book({SYPH: SYPHILIS})
    assert trends.verdict_sentence(b, SYPH, SUBJECT, 0.95) == HAUSSE_TREND
    assert trends.short_verdict(b, SYPH, 0.95) == (
        f" ; évolution 2017-2019 : en hausse (test de tendance de Cochran-Armitage, p{NB}={NB}0,010)"
    )
    t = trends.trend(b, SYPH)
    assert (t.state, t.value, t.test, t.years, t.p_masked) == (
        "published",
        1.0,
        "cochran_armitage",
        (2017, 2018, 2019),
        False,
    )
    assert t.p == pytest.approx(0.009648, abs=1e-6)


def test_sentence_stable_hiv():
    # 6/706 = 0.85 %, 7/801 = 0.87 %, 3/780 = 0.38 %; trend p = 0.2732 -> "0,27"; 780/706: +10 %, no note
    b = book({HIV_ID: HIV})
    assert trends.verdict_sentence(b, HIV_ID, "la prévalence du VIH", 0.95) == (
        f"La prévalence du VIH est stable de 2017 à 2019 (0,8{NB}% en 2017, 0,9{NB}% en 2018, 0,4{NB}% en 2019) : "
        f"l'évolution n'est pas significative au seuil de 5{NB}% "
        f"(test de tendance de Cochran-Armitage, p{NB}={NB}0,27)."
    )


def test_sentence_fall():
    # the syphilis counts in reverse order: with the same scores z -> -z, p unchanged (0.009648 -> "0,010");
    # 666 vs 775 tested: |666 - 775| = 109 <= 775/5 = 155, no note
    falling = {2017: (14, 775), 2018: (6, 801), 2019: (3, 666)}
    z, _ = armitage([14, 6, 3], [775, 801, 666], [2017, 2018, 2019])
    assert z == pytest.approx(-2.588196, abs=1e-6)
    assert trends.verdict_sentence(book({SYPH: falling}), SYPH, SUBJECT, 0.95) == (
        f"La prévalence de la syphilis est en baisse de 2017 à 2019 (1,8{NB}% en 2017, 0,7{NB}% en 2018, "
        f"0,5{NB}% en 2019) : l'évolution est significative au seuil de 5{NB}% "
        f"(test de tendance de Cochran-Armitage, p{NB}={NB}0,010)."
    )


def test_sentence_two_years_fisher():
    # 14/775 vs 3/666: Fisher p = 0.02489 (hand, hypergeometric) -> "0,025"
    b = book({SYPH: {2017: (3, 666), 2019: (14, 775)}})
    assert trends.verdict_sentence(b, SYPH, SUBJECT, 0.95) == (
        f"La prévalence de la syphilis est en hausse de 2017 à 2019 (0,5{NB}% en 2017, 1,8{NB}% en 2019) : "
        f"l'évolution est significative au seuil de 5{NB}% (test exact de Fisher, p{NB}={NB}0,025)."
    )


def test_sentence_too_few_cases():
    # 1 + 1 + 2 = 4 positives < 5: no test; 1/300 = 0.33 %, 2/300 = 0.67 %
    b = book({SYPH: {2017: (1, 300), 2018: (1, 300), 2019: (2, 300)}})
    assert trends.verdict_sentence(b, SYPH, SUBJECT, 0.95) == (
        f"La prévalence de la syphilis : trop peu de cas pour conclure (moins de 5 cas positifs de 2017 à 2019 ; "
        f"0,3{NB}% en 2017, 0,3{NB}% en 2018, 0,7{NB}% en 2019)."
    )
    assert trends.short_verdict(b, SYPH, 0.95) == " ; évolution 2017-2019 : trop peu de cas pour conclure"
    t = trends.trend(b, SYPH)
    assert t.test == comparisons.MIN_CASES_METHOD and math.isnan(t.value) and math.isnan(t.p)


def test_tested_changed_note():
    # 100 -> 121 tested: +21 % > a fifth. 5/100 = 5,0 %, 10/121 = 8,26 %; Fisher p = 0.4252 (hand) -> "0,43"
    assert fisher_by_hand(10, 121, 5, 100) == pytest.approx(0.4252, abs=1e-4)
    b = book({SYPH: {2018: (5, 100), 2019: (10, 121)}})
    assert trends.verdict_sentence(b, SYPH, SUBJECT, 0.95) == (
        f"La prévalence de la syphilis est stable de 2018 à 2019 (5,0{NB}% en 2018, 8,3{NB}% en 2019) : "
        f"l'évolution n'est pas significative au seuil de 5{NB}% (test exact de Fisher, p{NB}={NB}0,43). "
        "Attention : le nombre de personnes testées a varié de plus d'un cinquième, or plus de tests trouvent "
        "plus de cas (100 en 2018, 121 en 2019)."
    )
    # 100 -> 120 is exactly a fifth: no note
    assert "Attention" not in trends.verdict_sentence(
        book({SYPH: {2018: (5, 100), 2019: (10, 120)}}), SYPH, SUBJECT, 0.95
    )
    # the note also follows a "too few" verdict (more tests find more cases either way): 1/1000 -> 2/2000
    few = trends.verdict_sentence(book({SYPH: {2018: (1, 1000), 2019: (2, 2000)}}), SYPH, SUBJECT, 0.95)
    assert few.endswith(f"plus de cas (1{NB}000 en 2018, 2{NB}000 en 2019).")


def test_single_year_gives_nothing():
    b = book({SYPH: {2019: (14, 775)}})
    assert trends.verdict_sentence(b, SYPH, SUBJECT, 0.95) == ""
    assert trends.short_verdict(b, SYPH, 0.95) == ""
    assert trends.trend(b, SYPH).state == "none"


# --- masked book, then the verdicts released -----------------------------------------------------


def test_masked_book_says_unpublished(two_series):
    _, masked, _ = two_series
    # syphilis 2017 has 3 positives (< 5): the proportion is masked ("derived"), so is its verdict
    assert (row(masked, SYPH, 2017)["suppression"], row(masked, f"{SYPH}.verdict")["suppression"]) == (
        "derived",
        "derived",
    )
    b = FigureBook(masked, 2019)
    assert trends.verdict_sentence(b, SYPH, SUBJECT, 0.95) == (
        "La prévalence de la syphilis : évolution non publiée (effectifs masqués)."
    )
    assert trends.short_verdict(b, SYPH, 0.95) == " ; évolution 2017-2019 non publiée (effectifs masqués)"


def test_syphilis_verdict_released(two_series):
    raw, masked, released = two_series
    # independent justification: with 2, 3 or 4 positives in 2017 (what "< 5" leaves open next to 3),
    # the trend stays a significant rise (p = 0.0034, 0.0096, 0.0235 by the hand formula)
    for x17 in (2, 3, 4):
        test = stats.trend_test([x17, 6, 14], [666, 801, 775], [2017, 2018, 2019])
        assert test.p_value < 0.05 and test.z > 0
        assert test.p_value == pytest.approx(
            armitage([x17, 6, 14], [666, 801, 775], [2017, 2018, 2019])[1], rel=1e-9
        )
    v = row(released, f"{SYPH}.verdict")
    assert (v["value"], v["method"], bool(v["suppressed"]), v["suppression"]) == (
        1.0,
        "cochran_armitage",
        False,
        "",
    )
    # what gives counts back stays masked: the p-values, z and differences, and the 2017 proportion itself
    for ident in ("trend_p", "trend_z", "diff.2017", "diff.2018", "fisher_p.2017", "fisher_p.2018"):
        r = row(released, f"{SYPH}.{ident}")
        assert r["suppressed"] and math.isnan(r["value"]), ident
    assert row(released, SYPH, 2017)["suppressed"]
    # only verdict rows changed
    changed = released["suppressed"] != masked["suppressed"]
    assert set(released.loc[changed, "unit"]) == {"verdict"}
    b = FigureBook(released, 2019)
    assert trends.verdict_sentence(b, SYPH, SUBJECT, 0.95) == (
        f"La prévalence de la syphilis est en hausse de 2017 à 2019 (valeur non publiée en 2017, 0,7{NB}% en 2018, 1,8{NB}% en 2019) : "
        f"l'évolution est significative au seuil de 5{NB}% (test de tendance de Cochran-Armitage, "
        f"p{NB}<{NB}0,05 ; valeur exacte non publiée, un effectif étant masqué)."
    )


def test_hiv_stable_verdict_released(two_series):
    _, _, released = two_series
    # HIV 2019 has 3 positives: 2, 3, 4 all give p >= 0.05 (0.15, 0.27, 0.44 by hand), stable
    ps = [armitage([6, 7, x19], [706, 801, 780], [2017, 2018, 2019])[1] for x19 in (2, 3, 4)]
    assert min(ps) >= 0.05
    assert row(released, f"{HIV_ID}.verdict")["value"] == 0.0
    assert trends.verdict_sentence(FigureBook(released, 2019), HIV_ID, "la prévalence du VIH", 0.95) == (
        f"La prévalence du VIH est stable de 2017 à 2019 (0,8{NB}% en 2017, 0,9{NB}% en 2018, valeur non publiée en 2019) : "
        f"l'évolution n'est pas significative au seuil de 5{NB}% (test de tendance de Cochran-Armitage, "
        f"p{NB}≥{NB}0,05 ; valeur exacte non publiée, un effectif étant masqué)."
    )


def test_fisher_verdict_released_two_years():
    # 3/666 -> 14/775 over two years; 2017 masked. Fisher with 2, 3, 4 in 2017: p = 0.009, 0.025, 0.055:
    # the neighbour 4 is no longer significant, so the verdict stays masked
    ps = [fisher_by_hand(14, 775, x17, 666) for x17 in (2, 3, 4)]
    assert ps[0] < 0.05 and ps[1] < 0.05 and ps[2] >= 0.05
    fig = with_comparisons(table({SYPH: {2017: (3, 666), 2019: (14, 775)}}))
    out = disclosure.release_verdicts(fig, disclosure.suppress_figures(fig, 5), 5, decide)
    assert row(out, f"{SYPH}.verdict")["suppressed"]
    # 2/666 -> 20/775: 1, 2, 3 in 2017 all give p < 0.05 (hand) -> released, Fisher p shown as "< 0,05"
    assert max(fisher_by_hand(20, 775, x, 666) for x in (1, 2, 3)) < 0.05
    fig = with_comparisons(table({SYPH: {2017: (2, 666), 2019: (20, 775)}}))
    out = disclosure.release_verdicts(fig, disclosure.suppress_figures(fig, 5), 5, decide)
    assert (row(out, f"{SYPH}.verdict")["value"], row(out, f"{SYPH}.verdict")["method"]) == (
        1.0,
        "fisher_exact",
    )
    assert trends.short_verdict(FigureBook(out, 2019), SYPH, 0.95) == (
        f" ; évolution 2017-2019 : en hausse (test exact de Fisher, p{NB}<{NB}0,05 ; valeur exacte non publiée, "
        "un effectif étant masqué)"
    )


# --- release_verdicts: what keeps a verdict masked ---------------------------------------------------


def test_release_keeps_masked_at_the_decision_boundary():
    # search 2017 = v/600 (v in 1..4, masked), 2018 = 6/600, 2019 = x/600 for a series where v gives a rise
    # and a neighbour within [1, 4] does not (hand trend test). E.g. x = 10: v = 3 -> p = 0.048 (rise),
    # v = 4 -> p = 0.0985 (stable)
    found = None
    for x19, v in itertools.product(range(8, 20), range(1, 5)):
        verdicts = {w: verdict_by_hand([w, 6, x19], [600] * 3, [2017, 2018, 2019]) for w in range(1, 5)}
        if verdicts[v] == 1.0 and any(verdicts[w] != 1.0 for w in (v - 1, v + 1) if 1 <= w <= 4):
            found = (x19, v)
            break
    assert found is not None
    x19, v = found
    fig = with_comparisons(table({SYPH: {2017: (v, 600), 2018: (6, 600), 2019: (x19, 600)}}))
    assert row(fig, f"{SYPH}.verdict")["value"] == 1.0
    masked = disclosure.suppress_figures(fig, 5)
    assert list(masked.loc[masked.unit == "proportion", "suppressed"]) == [True, False, False]
    out = disclosure.release_verdicts(fig, masked, 5, decide)
    assert row(out, f"{SYPH}.verdict")["suppressed"] and math.isnan(row(out, f"{SYPH}.verdict")["value"])
    # the explicit case of the comment: 3 -> rise, 4 -> stable; kept masked
    assert [verdict_by_hand([w, 6, 10], [600] * 3, [2017, 2018, 2019]) for w in (2, 3, 4)] == [1.0, 1.0, 0.0]
    fig = with_comparisons(table({SYPH: {2017: (3, 600), 2018: (6, 600), 2019: (10, 600)}}))
    out = disclosure.release_verdicts(fig, disclosure.suppress_figures(fig, 5), 5, decide)
    assert row(out, f"{SYPH}.verdict")["suppressed"]


def test_release_keeps_masked_when_a_denominator_is_masked():
    # t.q 2017 = 666/668: its complement 2 is small, so 666 is a hidden count of 2017; the syphilis 2017
    # denominator (666) equals it and is masked with the proportion. The same series without t.q is
    # released (test_syphilis_verdict_released), so only the masked denominator keeps it masked.
    raw = common.concat_figures([table({SYPH: SYPHILIS}), table({"t.q": {2017: (666, 668)}})])
    fig = with_comparisons(raw)
    masked = disclosure.suppress_figures(fig, 5)
    assert math.isnan(row(masked, SYPH, 2017)["denominator"])
    out = disclosure.release_verdicts(fig, masked, 5, decide)
    assert row(out, f"{SYPH}.verdict")["suppressed"]
    # a count of 1 with min_cell = 2 has no neighbour in [1, 1]: kept masked too
    fig = with_comparisons(table({SYPH: {2017: (1, 666), 2018: (6, 801), 2019: (14, 775)}}))
    masked = disclosure.suppress_figures(fig, 2)
    assert row(masked, f"{SYPH}.verdict")["suppressed"]
    assert row(disclosure.release_verdicts(fig, masked, 2, decide), f"{SYPH}.verdict")["suppressed"]


def test_release_noop_without_threshold_and_inputs_untouched(two_series):
    raw, masked, _ = two_series
    raw_before, masked_before = raw.copy(), masked.copy()
    for min_cell in (0, 1):
        pd.testing.assert_frame_equal(disclosure.release_verdicts(raw, masked, min_cell, decide), masked)
    out = disclosure.release_verdicts(raw, masked, 5, decide)
    assert out["suppressed"].sum() < masked["suppressed"].sum()  # something was released ...
    pd.testing.assert_frame_equal(raw, raw_before)  # ... without touching the inputs
    pd.testing.assert_frame_equal(masked, masked_before)
    with pytest.raises(EspacepError, match="min_cell"):
        disclosure.release_verdicts(raw, masked, -1, decide)


# --- invariants on random small series ------------------------------------------------------------


def _box(v: float, n: float, min_cell: int = 5) -> list[float]:
    low, high = (1, min_cell - 1) if 1 <= v < min_cell else (0, n)
    return [w for w in (v - 1, v, v + 1) if low <= w <= high]


def _random_tables(seed: int = 2019, n_tables: int = 10, per_table: int = 5):
    """Tables of ``per_table`` random series (2 or 3 years, 20-400 tested).

    Prevalences are small (0.3 % to 8 %: small counts, masked as "< 5") except in the last series of
    each table (90 % to 99.5 % of 20-100: small complements, so large masked counts, box within [0, n]).
    """
    rng = np.random.default_rng(seed)
    for _ in range(n_tables):
        series = {}
        for k in range(per_table):
            years = [2017, 2018, 2019][-int(rng.choice([2, 3])) :]
            high = k == per_table - 1
            n = rng.integers(20, 100 if high else 400, size=len(years))
            x = rng.binomial(n, rng.uniform(*((0.9, 0.995) if high else (0.003, 0.08)), size=len(years)))
            series[f"t.s{k}"] = {y: (int(a), int(b)) for y, a, b in zip(years, x, n)}
        yield series


def test_released_verdicts_are_true_and_constant_over_the_box():
    released_count = kept_count = large_boxes = 0
    for series in _random_tables():
        fig = with_comparisons(table(series))
        masked = disclosure.suppress_figures(fig, 5)
        out = disclosure.release_verdicts(fig, masked, 5, decide)
        for ind, by_year in series.items():
            years = sorted(by_year)
            x, n = [by_year[y][0] for y in years], [by_year[y][1] for y in years]
            truth = verdict_by_hand(x, n, years)
            before, after = row(masked, f"{ind}.verdict"), row(out, f"{ind}.verdict")
            assert row(fig, f"{ind}.verdict")["value"] == pytest.approx(truth, nan_ok=True)
            if not before["suppressed"]:
                assert not after["suppressed"]
                continue
            props = [row(masked, ind, y) for y in years]
            hidden = [j for j, r in enumerate(props) if r["suppressed"]]
            boxes = [_box(x[j], n[j]) for j in hidden]
            large_boxes += sum(x[j] >= 5 for j in hidden)
            den_masked = any(math.isnan(r["denominator"]) for r in props)
            constant = (
                not den_masked
                and all(len(b) > 1 for b in boxes)
                and all(
                    verdict_by_hand([dict(zip(hidden, combo)).get(j, x[j]) for j in range(len(x))], n, years)
                    == pytest.approx(truth, nan_ok=True)
                    for combo in itertools.product(*boxes)
                )
            )
            if after["suppressed"]:
                kept_count += 1
                assert not constant, (ind, series[ind])  # nothing releasable was left masked
            else:
                released_count += 1
                assert after["value"] == pytest.approx(truth, nan_ok=True), (ind, series[ind])
                assert constant, (ind, series[ind])
    assert released_count >= 5 and kept_count >= 5 and large_boxes >= 5  # every branch was exercised


def test_sentence_word_follows_the_hand_test():
    # unmasked: the sentence's word is the hand test's decision for every random series
    words = {1.0: "en hausse", 0.0: "stable", -1.0: "en baisse"}
    for series in itertools.islice(_random_tables(seed=7), 4):
        b = FigureBook(disclosure.suppress_figures(with_comparisons(table(series)), 0), 2019)
        for ind, by_year in series.items():
            years = sorted(by_year)
            truth = verdict_by_hand([by_year[y][0] for y in years], [by_year[y][1] for y in years], years)
            text = trends.verdict_sentence(b, ind, "la proportion", 0.95)
            expected = "trop peu de cas pour conclure" if math.isnan(truth) else f"est {words[truth]} de"
            assert expected in text, (ind, by_year, text)


# --- the comparison table --------------------------------------------------------------------------


def test_comparison_table_unmasked():
    b = FigureBook(
        disclosure.suppress_figures(with_comparisons(table({SYPH: SYPHILIS, HIV_ID: HIV})), 0), 2019
    )
    # Newcombe by hand: 14/775 - 3/666 = +1.356 pt [+0.225 ; +2.595]; 3/780 - 6/706 = -0.465 pt [-1.489 ; +0.406]
    d, lo, hi = newcombe_by_hand(14, 775, 3, 666)
    assert (d, lo, hi) == pytest.approx((0.013560, 0.0022546, 0.0259495), abs=1e-7)
    d, lo, hi = newcombe_by_hand(3, 780, 6, 706)
    assert (d, lo, hi) == pytest.approx((-0.0046524, -0.0148895, 0.0040600), abs=1e-7)
    t = trends.comparison_table(
        b, [(SYPH, "all", "Syphilis"), (HIV_ID, "all", "VIH")], "Prévalences", "wilson", 0.95
    )
    assert cells(table_html(t)) == [
        [
            "Syphilis",
            f"0,5{NB}% (3/666)",
            f"0,7{NB}% (6/801)",
            f"1,8{NB}% (14/775)",
            f"+1,4{NB}pt [+0,2 ; +2,6]",
            "0,010",
            "en hausse",
        ],
        [
            "VIH",
            f"0,8{NB}% (6/706)",
            f"0,9{NB}% (7/801)",
            f"0,4{NB}% (3/780)",
            f"{MINUS}0,5{NB}pt [{MINUS}1,5 ; +0,4]",
            "0,27",
            "stable",
        ],
    ]


def test_comparison_table_masked_and_released(two_series):
    _, masked, released = two_series
    b = FigureBook(released, 2019)
    # a masked proportion is "derived" (computed from a small count), so it prints "x", not "< 5"
    assert row(released, SYPH, 2017)["suppression"] == "derived"
    assert b.mask(row(released, SYPH, 2017)) == "x"
    assert b.mask({"suppressed": True, "suppression": "primary"}) == "< 5"
    t = trends.comparison_table(
        b, [(SYPH, "all", "Syphilis"), (HIV_ID, "all", "VIH")], "Prévalences", "wilson", 0.95
    )
    head = [html.unescape(h) for h in re.findall(r"<th(?: [^>]*)?>(.*?)</th>", table_html(t))]
    assert head == [
        "Indicateur",
        "2017",
        "2018",
        "2019",
        f"Différence 2019 {MINUS} 2017 [IC]",
        "p (tendance)",
        "Évolution",
    ]
    assert cells(table_html(t)) == [
        ["Syphilis", "x", f"0,7{NB}% (6/801)", f"1,8{NB}% (14/775)", "x", f"<{NB}0,05", "en hausse"],
        ["VIH", f"0,8{NB}% (6/706)", f"0,9{NB}% (7/801)", "x", "x", f"≥{NB}0,05", "stable"],
    ]
    foot = html.unescape(re.search(r"<tfoot>(.*)</tfoot>", table_html(t)).group(1))
    assert "score de Wilson" in foot and "Newcombe" in foot and "Cochran-Armitage" in foot
    # before release: the verdict and p cells say the comparison is not published
    t = trends.comparison_table(FigureBook(masked, 2019), [(SYPH, "all", "Syphilis")], "c", "wilson", 0.95)
    assert cells(table_html(t)) == [
        [
            "Syphilis",
            "x",
            f"0,7{NB}% (6/801)",
            f"1,8{NB}% (14/775)",
            "x",
            "x",
            "évolution non publiée (effectifs masqués)",
        ]
    ]


# --- scope classes -----------------------------------------------------------------------------------


def _scope_table() -> tuple[pd.DataFrame, list]:
    """Brussels region: women 3 (primary) + men 7 (secondary, so that 10 - 7 does not give 3) = 10 seen.

    Proportions with numerator 7: one in antenna:liege, one in antenna:bruxelles.
    """
    count = lambda i, v: common.count_figure(i, "c", 2019, v, "persons", "region:bruxelles")  # noqa: E731

    def prop(scope, n):
        return common.proportion_figures(
            7,
            n,
            indicator="t.q",
            label="q",
            year=2019,
            scope=scope,
        )

    fig = common.concat_figures(
        [
            count("t.women", 3),
            count("t.men", 7),
            count("t.seen", 10),
            prop("antenna:liege", 100),
            prop("antenna:bruxelles", 90),
        ]
    )
    parts = [
        disclosure.Partition(
            (("t.women", "region:bruxelles"), ("t.men", "region:bruxelles")), ("t.seen", "region:bruxelles")
        )
    ]
    return fig, parts


CLASSES = {"region:bruxelles": "B", "antenna:bruxelles": "B", "antenna:liege": "L"}


def test_scope_classes_limit_the_hidden_count_rule():
    fig, parts = _scope_table()
    for classes in (None, CLASSES):
        m = disclosure.suppress_figures(fig, 5, partitions=parts, scope_classes=classes)
        assert (
            row(m, "t.women", scope="region:bruxelles")["suppression"],
            row(m, "t.men", scope="region:bruxelles")["suppression"],
        ) == ("primary", "secondary")
        # Brussels' proportion with numerator 7 would give the hidden 7 back: masked either way
        assert row(m, "t.q", scope="antenna:bruxelles")["suppressed"]
        liege = row(m, "t.q", scope="antenna:liege")
        if classes is None:  # default: any scope's hidden count
            assert liege["suppressed"] and liege["suppression"] == "derived"
        else:  # Liège's 7 persons are other persons than Brussels' 7
            assert not liege["suppressed"] and liege["numerator"] == 7


def test_scope_classes_across_reports():
    # Cocof's "all" is Brussels: a count hidden there hides the same number in INAMI's antenna:bruxelles,
    # not in antenna:liege (classes from the site hierarchy: publish.scope_classes)
    sites = load_sites()
    classes = publish.scope_classes(
        sites, ["region:bruxelles", "antenna:bruxelles", "antenna:liege", "region:wallonie"]
    )
    assert (
        classes[("cocof", "all")]
        == classes["region:bruxelles"]
        == classes["antenna:bruxelles"]
        == {"bruxelles"}
    )
    assert classes[("aviq", "all")] == classes["region:wallonie"] != classes["antenna:liege"]
    assert classes["antenna:liege"] == {"liege", "seraing", "ans"}
    cocof = common.concat_figures(
        [
            common.count_figure("c.women", "f", 2019, 3, "persons", "all"),
            common.count_figure("c.men", "h", 2019, 7, "persons", "all"),
            common.count_figure("c.seen", "v", 2019, 10, "persons", "all"),
        ]
    )
    inami = common.concat_figures(
        [
            common.proportion_figures(7, 100, indicator="i.q", label="q", year=2019, scope="antenna:liege"),
            common.proportion_figures(
                7, 90, indicator="i.q", label="q", year=2019, scope="antenna:bruxelles"
            ),
        ]
    )
    parts = {"cocof": [disclosure.Partition(("c.women", "c.men"), "c.seen")]}
    for cls in (None, classes):
        out = disclosure.protect_across_reports(
            {"cocof": cocof, "inami": inami}, [], 5, partitions=parts, scope_classes=cls
        )
        assert row(out["cocof"], "c.men")["suppression"] == "secondary"
        assert row(out["inami"], "i.q", scope="antenna:bruxelles")["suppressed"]
        assert row(out["inami"], "i.q", scope="antenna:liege")["suppressed"] == (cls is None)


# --- defects found by review, fixed: kept as regression tests ------------------------------------------


def test_denominator_mask_respects_scope_classes():
    # Brussels hides 7 (men, secondary). Liège's 2/7 is masked for its small numerator; its denominator 7
    # counts Liège's persons (class L), not Brussels', so it should stay published with classes given.
    fig, parts = _scope_table()
    fig = common.concat_figures(
        [fig, common.proportion_figures(2, 7, indicator="t.r", label="r", year=2019, scope="antenna:liege")]
    )
    m = disclosure.suppress_figures(fig, 5, partitions=parts, scope_classes=CLASSES)
    assert row(m, "t.r", scope="antenna:liege")["suppressed"]
    assert row(m, "t.r", scope="antenna:liege")["denominator"] == 7


def test_p_value_two_significant_digits_across_a_decade():
    assert fmt.p_value(0.0995) == "0,10"


def test_sentence_level_must_match_the_rows():
    # rows computed at 0.95 (Fisher p = 0.0249 < 0.05: rise); worded at 0.99 the sentence would call
    # p = 0,025 significant at 1 %: the mismatch is refused, the book's own level is accepted
    b = book({SYPH: {2017: (3, 666), 2019: (14, 775)}})
    with pytest.raises(EspacepError, match="decided at the level 0.95"):
        trends.verdict_sentence(b, SYPH, SUBJECT, 0.99)
    with pytest.raises(EspacepError, match="decided at the level"):
        trends.comparison_table(b, [(SYPH, "all", "S")], "c", level=0.99)
    assert trends.verdict_sentence(b, SYPH, SUBJECT) == trends.verdict_sentence(b, SYPH, SUBJECT, 0.95)


def test_comparison_table_single_year_has_no_self_comparison():
    t = trends.comparison_table(book({SYPH: {2019: (14, 775)}}), [(SYPH, "all", "S")], "c", "wilson", 0.95)
    text = html.unescape(table_html(t))
    assert f"2019 {MINUS} 2019" not in text and "2019 contre 2019" not in text
    # the values only: 14/775 = 1,8 %, and the reason there is no comparison
    assert f"1,8{NB}% (14/775)" in text and "Pas d'année antérieure" in text


# A guillemet or a % alone at the start or end of a printed line (issue 13: page review)
BREAKABLE = re.compile(r"«(?!\u00a0)|(?<!\u00a0)»|\d %")


def test_comparison_footnote_keeps_its_guillemets_and_percent_signs_on_their_line():
    t = trends.comparison_table(book({SYPH: SYPHILIS}), [(SYPH, "all", "S")], "c", "wilson", 0.95)
    (footnote,) = t.footnotes
    assert f"IC à 95{NB}% par la méthode «{NB}score de Wilson{NB}»" in footnote
    assert f"«{NB}En hausse{NB}» / «{NB}en baisse{NB}»" in footnote
    assert BREAKABLE.findall(footnote) == []
