"""Year-over-year comparisons of proportions and the verdict the reports print.

Everything here reads the numerators and denominators already in a figures
table (the figures are defined once, in the funder modules) and calls
:func:`espacep_analysis.stats.compare_proportions` and
:func:`espacep_analysis.stats.trend_test`; nothing is recomputed from rows.

Comparison rows (figures-table format, year = the report year, same scope as
the compared figure; ``<id>`` is the full id of a proportion, e.g.
``inami.prevalence.syphilis``):

- ``<id>.diff.<Y0>`` (unit ``difference``, method ``newcombe_hybrid``):
  ``p(year) - p(Y0)`` with the Newcombe hybrid score interval in ``lower`` /
  ``upper``; ``numerator`` / ``denominator`` empty.
- ``<id>.fisher_p.<Y0>`` (unit ``p_value``, method ``fisher_exact``): Fisher's
  exact two-sided p-value of the same 2x2 table.
- ``<id>.trend_p`` (unit ``p_value``, method ``cochran_armitage``) and
  ``<id>.trend_z`` (unit ``z``): Cochran-Armitage test over all the years
  present (scores = the years), only when there are at least 3.
- ``<id>.verdict`` (unit ``verdict``): the decision the report prints
  (:func:`change_verdict`): ``value`` +1 (rise), 0 (stable), -1 (fall) with
  ``method`` the test that decided (``cochran_armitage`` from 3 years,
  ``fisher_exact`` with 2); or ``value`` NaN with ``method`` ``min_cases``
  when fewer than ``min_cases`` positives over the years allow no conclusion.
  No numerator or denominator: the row is a decision, not a count.

Every comparison row names what it compares in columns of its own:
``base_indicator`` (``<id>``), ``year_from`` (``Y0``, or the first year of
the trend) and ``year_to`` (the report year); no code reads them back out of
the id. Disclosure control masks a comparison row whenever its compared
figure is masked in a year it covers (see
:func:`espacep_analysis.disclosure.release_verdicts` for when a verdict can
still be published). The words ("en hausse", ...) are `fmt`'s; the
sentences are the pages'.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import schemas, stats
from ..errors import EspacepError
from . import common

COMPARISON_UNITS: tuple[str, ...] = ("difference", "p_value", "z", "verdict")
DIFFERENCE_METHOD = "newcombe_hybrid"
FISHER_METHOD = "fisher_exact"
TREND_METHOD = "cochran_armitage"
MIN_TREND_YEARS = 3
MIN_CASES_METHOD = "min_cases"  # verdict row: too few positives to test
DEFAULT_MIN_CASES = 5
TESTED_CHANGE = 0.2  # "more than a fifth"
VERDICT_VALUES: dict[str, float] = {"rise": 1.0, "stable": 0.0, "fall": -1.0, "too_few": math.nan}


# --- which rows are comparisons ---------------------------------------------------------------


def is_comparison(figures: pd.DataFrame) -> pd.Series:
    """Per row of a figures table, whether it is a comparison row (it has a ``base_indicator``)."""
    return figures["base_indicator"].fillna("").astype(str) != ""


# --- the counts of a proportion over the years ----------------------------------------------


def _series(figures: pd.DataFrame, ids: Sequence[str], year: int) -> pd.DataFrame:
    """Rows of ``ids`` up to ``year`` with a usable count (denominator > 0), checked to be proportions."""
    if isinstance(figures, pd.DataFrame) and "label" not in figures.columns:
        raise EspacepError("compare_years: the figures table lacks column(s) ['label']")
    figures = schemas.check_figures(figures, "compare_years", core_only=True)
    rows = figures.loc[figures["indicator"].isin(list(ids)) & (figures["year"] <= int(year))]
    bad = rows.loc[rows["unit"] != "proportion", "indicator"]
    if len(bad):
        raise EspacepError(
            f"compare_years: {bad.iloc[0]!r} is not a proportion (unit "
            f"{rows.loc[bad.index[0], 'unit']!r}); only proportions are compared"
        )
    num, den = rows["numerator"].to_numpy(dtype=float), rows["denominator"].to_numpy(dtype=float)
    usable = np.isfinite(num) & np.isfinite(den) & (den > 0)
    return rows.loc[usable].sort_values(["indicator", "scope", "year"], kind="stable")


def _pairs(rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """One line per (indicator, scope, earlier year) with the counts of both years."""
    current = rows.loc[rows["year"] == int(year), ["indicator", "scope", "label", "numerator", "denominator"]]
    earlier = rows.loc[rows["year"] < int(year), ["indicator", "scope", "year", "numerator", "denominator"]]
    return current.merge(earlier, on=["indicator", "scope"], suffixes=("", "_0"))


def _difference_rows(pairs: pd.DataFrame, year: int, level: float) -> pd.DataFrame:
    if pairs.empty:
        return common.empty_figures()
    comp = stats.compare_proportions(
        pairs["numerator"].to_numpy(),
        pairs["denominator"].to_numpy(),
        pairs["numerator_0"].to_numpy(),
        pairs["denominator_0"].to_numpy(),
        level=level,
    )
    first = pairs["year"].astype(int).to_numpy()
    y0 = first.astype(str).astype(object)
    ind, label, scope = (pairs[c].astype(str).to_numpy(dtype=object) for c in ("indicator", "label", "scope"))
    compared = dict(base_indicator=ind, year_from=first, year_to=year)
    diff = common.figures_frame(
        ind + ".diff." + y0,
        label + f" : différence {year} − " + y0,
        year,
        scope,
        comp.difference,
        "difference",
        lower=comp.lower,
        upper=comp.upper,
        method=DIFFERENCE_METHOD,
        **compared,
    )
    fisher = common.figures_frame(
        ind + ".fisher_p." + y0,
        label + f" : p du test exact de Fisher, {year} contre " + y0,
        year,
        scope,
        comp.p_value,
        "p_value",
        method=FISHER_METHOD,
        **compared,
    )
    return common.concat_figures([diff, fisher])


def _groups(rows: pd.DataFrame, year: int):
    """(id, scope, label in ``year``, years, x, n) of each compared series with ``year`` and an earlier year."""
    for (ind, scope), group in rows.groupby(["indicator", "scope"], sort=False):
        years = group["year"].astype(int).to_numpy()
        if len(years) < 2 or int(year) not in years:
            continue
        label = group["label"].to_numpy(dtype=object)[years == int(year)][0]
        yield ind, scope, label, years, group["numerator"].to_numpy(), group["denominator"].to_numpy()


def _trend_rows(rows: pd.DataFrame, year: int) -> pd.DataFrame:
    cols: dict[str, list] = {k: [] for k in ("indicator", "label", "scope", "value", "unit", "base", "first")}
    for ind, scope, label, years, x, n in _groups(rows, year):
        if len(years) < MIN_TREND_YEARS:
            continue
        test = stats.trend_test(x, n, years)
        what = f"{stats.TREND_TEST_LABEL} {years.min()}-{years.max()}"
        for suffix, text, value, unit in (
            ("trend_p", "p", test.p_value, "p_value"),
            ("trend_z", "z", test.z, "z"),
        ):
            cols["indicator"].append(f"{ind}.{suffix}")
            cols["label"].append(f"{label} : {text} du {what}")
            cols["scope"].append(scope)
            cols["value"].append(value)
            cols["unit"].append(unit)
            cols["base"].append(ind)
            cols["first"].append(int(years.min()))
    if not cols["indicator"]:
        return common.empty_figures()
    return common.figures_frame(
        cols["indicator"],
        cols["label"],
        year,
        cols["scope"],
        cols["value"],
        cols["unit"],
        method=TREND_METHOD,
        base_indicator=cols["base"],
        year_from=cols["first"],
        year_to=year,
    )


def _verdict_rows(rows: pd.DataFrame, year: int, level: float, min_cases: int) -> pd.DataFrame:
    cols: dict[str, list] = {
        k: [] for k in ("indicator", "label", "scope", "value", "method", "base", "first")
    }
    for ind, scope, label, years, x, n in _groups(rows, year):
        verdict = change_verdict(x, n, years, level=level, min_cases=min_cases)
        cols["base"].append(ind)
        cols["first"].append(int(years.min()))
        cols["indicator"].append(f"{ind}.verdict")
        cols["label"].append(f"{label} : évolution {years.min()}-{years.max()}")
        cols["scope"].append(scope)
        cols["value"].append(VERDICT_VALUES[verdict.code])
        cols["method"].append(verdict.test or MIN_CASES_METHOD)
    if not cols["indicator"]:
        return common.empty_figures()
    return common.figures_frame(
        cols["indicator"],
        cols["label"],
        year,
        cols["scope"],
        cols["value"],
        "verdict",
        method=cols["method"],
        base_indicator=cols["base"],
        year_from=cols["first"],
        year_to=year,
    )


def compare_years(
    figures: pd.DataFrame,
    ids: Sequence[str],
    year: int,
    level: float = 0.95,
    min_cases: int = DEFAULT_MIN_CASES,
) -> pd.DataFrame:
    """Comparison rows of proportions across the years of a figures table.

    Parameters
    ----------
    figures : DataFrame
        A figures table (``common.FIGURE_COLUMNS``), unmasked, with the rows of
        ``year`` and of the earlier years to compare with.
    ids : sequence of str
        Full ids of proportions (unit ``proportion``). Ids or scopes absent
        from ``year`` give no row.
    year : int
        The report year: every row compares it with the earlier years.
    level : float
        Confidence level of the difference intervals; the verdict's test
        rejects when ``p < 1 - level``.
    min_cases : int
        Fewest positives over the years for a verdict other than "too few".

    Returns
    -------
    DataFrame
        Figures rows, per (id, scope) present in ``year``: for each earlier year
        ``Y0`` ``<id>.diff.<Y0>`` (``p(year) - p(Y0)``, Newcombe hybrid score
        interval) and ``<id>.fisher_p.<Y0>`` (Fisher exact, two-sided); when at
        least 3 years are present, ``<id>.trend_p`` and ``<id>.trend_z``
        (Cochran-Armitage, years as scores); and ``<id>.verdict``
        (:func:`change_verdict`). Every row has ``base_indicator`` = ``<id>``,
        ``year_from`` = ``Y0`` (first year of the trend or verdict) and
        ``year_to`` = ``year``. Empty with fewer than 2 years.

    Raises
    ------
    EspacepError
        When an id of ``ids`` is not a proportion, or a column is missing.

    Notes
    -----
    A year whose figure has no denominator (0 or missing) is left out: it is
    neither compared nor part of the trend. Counts are those of the table's
    ``numerator`` and ``denominator`` columns, exactly.
    """
    rows = _series(figures, ids, year)
    return common.concat_figures(
        [
            _difference_rows(_pairs(rows, year), int(year), level),
            _trend_rows(rows, int(year)),
            _verdict_rows(rows, int(year), level, min_cases),
        ]
    )


# --- the verdict -------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What the report says about a proportion's change over the years.

    Attributes
    ----------
    code : str
        ``rise``, ``fall``, ``stable``, ``too_few`` or ``no_comparison``.
    test : str
        ``cochran_armitage`` (3 years or more), ``fisher_exact`` (2 years) or
        ``""`` (no test run).
    p_value, statistic : float
        The test's p-value and its signed statistic (z of the trend test, or
        the difference ``p(last) - p(first)`` for Fisher); NaN without a test.
    years : tuple of int
        The years compared, ascending.
    positives, tested : tuple of int
        Numerators and denominators per year.
    tested_changed : bool
        Whether the denominator of the last year differs from the first
        year's by more than a fifth of the first.
    """

    code: str
    test: str
    p_value: float
    statistic: float
    years: tuple[int, ...]
    positives: tuple[int, ...]
    tested: tuple[int, ...]
    tested_changed: bool


def _decide(x: np.ndarray, n: np.ndarray, years: np.ndarray, alpha: float, min_cases: int):
    """(code, test, p, statistic) from validated counts."""
    if len(years) < 2:
        return "no_comparison", "", math.nan, math.nan
    if x.sum() < min_cases:
        return "too_few", "", math.nan, math.nan
    if len(years) >= MIN_TREND_YEARS:
        trend = stats.trend_test(x, n, years)
        test, p, statistic = TREND_METHOD, trend.p_value, trend.z
    else:
        pair = stats.compare_proportions(x[-1], n[-1], x[0], n[0])
        test, p, statistic = FISHER_METHOD, pair.p_value, pair.difference
    if not (np.isfinite(p) and p < alpha and statistic != 0):
        return "stable", test, p, statistic
    return ("rise" if statistic > 0 else "fall"), test, p, statistic


def _check_verdict_inputs(x, n, years, level, min_cases):
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    years = np.asarray(years, dtype=int)
    if not (x.ndim == n.ndim == years.ndim == 1 and len(x) == len(n) == len(years)):
        raise EspacepError(
            f"change_verdict: x, n and years must be 1-d of the same length, got "
            f"{len(np.atleast_1d(x))}, {len(np.atleast_1d(n))}, {len(np.atleast_1d(years))}"
        )
    if len(years) and not np.all(np.diff(years) > 0):
        raise EspacepError(f"change_verdict: years must be strictly increasing, got {years.tolist()}")
    if isinstance(min_cases, bool) or not isinstance(min_cases, int | np.integer) or min_cases < 0:
        raise EspacepError(f"change_verdict: min_cases must be a whole number >= 0, got {min_cases!r}")
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise EspacepError(f"change_verdict: level must be strictly between 0 and 1, got {level!r}")
    stats.proportion_ci(x, n)  # validates the counts (whole, 0 <= x <= n)
    if np.any(n == 0):
        raise EspacepError(f"change_verdict: a year without anyone tested cannot be compared: n={n.tolist()}")
    return x, n, years


def tested_changed(n_first: float, n_last: float) -> bool:
    """Whether the number tested changed by more than a fifth (:data:`TESTED_CHANGE`) of the first year's."""
    return bool(abs(float(n_last) - float(n_first)) > TESTED_CHANGE * float(n_first))


def change_verdict(x, n, years, *, level: float = 0.95, min_cases: int = DEFAULT_MIN_CASES) -> Verdict:
    """Verdict on the change of a proportion over the years.

    Parameters
    ----------
    x, n : sequence of int
        Positives and persons tested per year (denominators > 0).
    years : sequence of int
        The years, strictly increasing (the last one is the report year).
    level : float
        The test rejects when ``p < 1 - level``.
    min_cases : int
        Below this total of positives over the years the verdict is ``too_few``.

    Returns
    -------
    Verdict

    Notes
    -----
    Rules, in order: one year -> ``no_comparison``; fewer than ``min_cases``
    positives over all the years -> ``too_few`` (no test); 3 years or more ->
    Cochran-Armitage trend test (scores = years), 2 years -> Fisher's exact
    test; ``rise`` / ``fall`` (sign of z, or of the difference) when
    ``p < 1 - level``, ``stable`` otherwise (also when all years are 0/n or
    n/n: the trend test's z is then 0). Independently, ``tested_changed`` is
    set when ``|n_last - n_first| > n_first / 5``: more tests find more cases,
    and the page says so.
    """
    x, n, years = _check_verdict_inputs(x, n, years, level, min_cases)
    code, test, p, statistic = _decide(x, n, years, 1.0 - level, int(min_cases))
    changed = bool(len(n) >= 2 and tested_changed(n[0], n[-1]))
    return Verdict(
        code,
        test,
        float(p),
        float(statistic),
        tuple(int(y) for y in years),
        tuple(int(v) for v in x),
        tuple(int(v) for v in n),
        changed,
    )


def verdict_value(x, n, years, *, level: float = 0.95, min_cases: int = DEFAULT_MIN_CASES) -> float:
    """The ``value`` of the ``<id>.verdict`` row for these counts (+1, 0, -1, NaN for too few)."""
    return VERDICT_VALUES.get(change_verdict(x, n, years, level=level, min_cases=min_cases).code, math.nan)
