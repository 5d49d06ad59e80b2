"""Confidence intervals for proportions, two-group comparisons and trend tests.

All functions return unrounded values (formatting lives elsewhere). Bad input
(counts that are negative, non-integer or larger than their denominator, an
unknown method, a level outside (0, 1)) raises :class:`EspacepError`; an empty
denominator (``n = 0``) is not an error and gives NaN.

Inputs may be scalars, array-likes (numpy broadcasting) or pandas Series; when
a Series comes in, Series come out with the same index (as statsmodels'
``proportion_confint`` does). Two Series must share the same index: they are
never silently re-aligned.

References
----------
.. [1] Brown LD, Cai TT, DasGupta A (2001). Interval estimation for a binomial
   proportion. Statistical Science 16(2):101-133.
.. [2] Newcombe RG (1998a). Two-sided confidence intervals for the single
   proportion: comparison of seven methods. Statistics in Medicine
   17:857-872.
.. [3] Newcombe RG (1998b). Interval estimation for the difference between
   independent proportions: comparison of eleven methods. Statistics in
   Medicine 17:873-890.
.. [4] Agresti A, Coull BA (1998). Approximate is better than "exact" for
   interval estimation of binomial proportions. The American Statistician
   52(2):119-126.
.. [5] Armitage P (1955). Tests for linear trends in proportions and
   frequencies. Biometrics 11(3):375-386.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _sps

from .errors import ParameterError

CI_METHODS: tuple[str, ...] = ("wilson", "wilson_cc", "exact", "jeffreys", "agresti_coull")

CI_METHOD_LABELS: dict[str, str] = {
    "wilson": "score de Wilson",
    "wilson_cc": "score de Wilson avec correction de continuité",
    "exact": "méthode exacte de Clopper-Pearson",
    "jeffreys": "intervalle de Jeffreys",
    "agresti_coull": "méthode d'Agresti-Coull",
}

DIFFERENCE_METHOD_LABEL = "score hybride de Newcombe (méthode 10)"
TREND_TEST_LABEL = "test de tendance de Cochran-Armitage"


# --- input handling -------------------------------------------------------------


def _check_level(level: Any, where: str) -> float:
    """Return ``level`` as a float strictly between 0 and 1, else raise."""
    if isinstance(level, bool) or not isinstance(level, numbers.Real):
        raise ParameterError(f"{where}: level must be a number in (0, 1), got {level!r}")
    if not 0.0 < float(level) < 1.0:
        raise ParameterError(f"{where}: level must be strictly between 0 and 1 (e.g. 0.95), got {level!r}")
    return float(level)


def _check_method(method: Any, where: str) -> str:
    if method not in CI_METHODS:
        raise ParameterError(
            f"{where}: unknown confidence-interval method {method!r}; "
            f"valid methods: {', '.join(CI_METHODS)}"
        )
    return method


def _to_float_array(value: Any, name: str, where: str) -> np.ndarray:
    """Convert a scalar / array-like / Series to a float array (NA -> NaN)."""
    try:
        if isinstance(value, pd.Series):
            return value.to_numpy(dtype="float64", na_value=np.nan)
        return np.asarray(value, dtype="float64")
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{where}: {name} must be numeric counts, got {value!r}") from exc


def _broadcast(values: dict[str, Any], where: str) -> tuple[list[np.ndarray], Callable]:
    """Broadcast several inputs together and build the output wrapper.

    Returns the float arrays (in the order of ``values``) and ``wrap(array,
    name)`` giving a float for all-scalar input, a pandas Series with the
    common index when any input is a Series, and an ndarray otherwise.
    """
    index = None
    for name, value in values.items():
        if isinstance(value, pd.Series):
            if index is None:
                index = value.index
            elif not value.index.equals(index):
                raise ParameterError(
                    f"{where}: the Series given as {list(values)} must have the same index; "
                    f"{name} differs"
                )
    arrays = [_to_float_array(v, k, where) for k, v in values.items()]
    try:
        arrays = list(np.broadcast_arrays(*arrays))
    except ValueError as exc:
        shapes = {k: np.shape(a) for k, a in zip(values, arrays)}
        raise ParameterError(f"{where}: input shapes do not match: {shapes}") from exc
    scalar = all(a.ndim == 0 for a in arrays)

    def wrap(result: np.ndarray, name: str | None = None) -> Any:
        if scalar:
            return float(result)
        if index is not None:
            return pd.Series(np.asarray(result), index=index, name=name)
        return np.asarray(result)

    return [np.array(a, dtype="float64") for a in arrays], wrap


def _check_counts(x: np.ndarray, n: np.ndarray, where: str, xname: str = "x", nname: str = "n") -> None:
    """Raise unless ``x`` and ``n`` are non-missing integers with 0 <= x <= n."""
    checks = (
        (~np.isfinite(x) | ~np.isfinite(n), "missing or infinite count"),
        ((x != np.round(x)) | (n != np.round(n)), "counts must be whole numbers"),
        ((x < 0) | (n < 0), "counts must not be negative"),
        (x > n, f"numerator {xname} must not exceed denominator {nname}"),
    )
    for bad, rule in checks:
        if np.any(bad):
            pos = tuple(int(i) for i in np.argwhere(bad)[0])
            at = f" (position {pos[0] if len(pos) == 1 else pos})" if pos else ""
            raise ParameterError(f"{where}: {rule}: {xname}={x[pos]:g}, {nname}={n[pos]:g}{at}")


def _z(level: float) -> float:
    """Two-sided standard-normal critical value for confidence ``level``."""
    return float(_sps.norm.isf((1.0 - level) / 2.0))


# --- single-proportion intervals (arrays with n > 0) -------------------------------


def _wilson(x: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    z = _z(level)
    z2 = z * z
    p = x / n
    centre = (x + z2 / 2.0) / (n + z2)
    half = z * np.sqrt(n) / (n + z2) * np.sqrt(p * (1.0 - p) + z2 / (4.0 * n))
    return centre - half, centre + half


def _wilson_cc(x: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    z = _z(level)
    z2 = z * z
    p = x / n
    q = 1.0 - p
    # The radicands are positive for 1 <= x (lower) and x <= n - 1 (upper); the
    # other cases are replaced by the boundary conventions in the caller.
    rad_low = np.maximum(z2 - 2.0 - 1.0 / n + 4.0 * p * (n * q + 1.0), 0.0)
    rad_upp = np.maximum(z2 + 2.0 - 1.0 / n + 4.0 * p * (n * q - 1.0), 0.0)
    denom = 2.0 * (n + z2)
    lower = (2.0 * n * p + z2 - 1.0 - z * np.sqrt(rad_low)) / denom
    upper = (2.0 * n * p + z2 + 1.0 + z * np.sqrt(rad_upp)) / denom
    return lower, upper


def _exact(x: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    tail = (1.0 - level) / 2.0
    # x = 0 (lower) and x = n (upper) have no Beta quantile; placeholders are
    # overwritten by the boundary conventions in the caller.
    lower = _sps.beta.ppf(tail, np.where(x > 0, x, 1.0), n - x + 1.0)
    upper = _sps.beta.isf(tail, x + 1.0, np.where(x < n, n - x, 1.0))
    return lower, upper


def _jeffreys(x: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    tail = (1.0 - level) / 2.0
    lower = _sps.beta.ppf(tail, x + 0.5, n - x + 0.5)
    upper = _sps.beta.isf(tail, x + 0.5, n - x + 0.5)
    return lower, upper


def _agresti_coull(x: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    z = _z(level)
    n_tilde = n + z * z
    p_tilde = (x + z * z / 2.0) / n_tilde
    half = z * np.sqrt(p_tilde * (1.0 - p_tilde) / n_tilde)
    return p_tilde - half, p_tilde + half


_CORES = {
    "wilson": _wilson,
    "wilson_cc": _wilson_cc,
    "exact": _exact,
    "jeffreys": _jeffreys,
    "agresti_coull": _agresti_coull,
}


def _interval(x: np.ndarray, n: np.ndarray, method: str, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Bounds for validated float arrays: NaN where n = 0, boundary conventions, [0, 1]."""
    empty = n == 0
    n_safe = np.where(empty, 1.0, n)
    x_safe = np.where(empty, 0.0, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower, upper = _CORES[method](x_safe, n_safe, level)
    lower = np.clip(np.where(x_safe == 0, 0.0, lower), 0.0, 1.0)
    upper = np.clip(np.where(x_safe == n_safe, 1.0, upper), 0.0, 1.0)
    return np.where(empty, np.nan, lower), np.where(empty, np.nan, upper)


# --- public API: single proportions --------------------------------------------------


def proportion_ci(x: Any, n: Any, method: str = "wilson", level: float = 0.95) -> tuple[Any, Any]:
    """Two-sided confidence interval for a binomial proportion ``x / n``.

    Parameters
    ----------
    x : int, array-like or pandas Series
        Numerators (number of persons with the event). Whole numbers, 0 <= x <= n.
    n : int, array-like or pandas Series
        Denominators (number of persons tested). Broadcast against ``x``.
    method : {"wilson", "wilson_cc", "exact", "jeffreys", "agresti_coull"}
        Interval method (see Notes); ``CI_METHODS`` lists them and
        ``CI_METHOD_LABELS`` gives their French names for footnotes.
    level : float
        Confidence level, strictly between 0 and 1 (default 0.95).

    Returns
    -------
    lower, upper : float, ndarray or pandas Series
        Floats for scalar input; Series (index of the input Series, names
        ``"lower"`` and ``"upper"``) when ``x`` or ``n`` is a Series; arrays
        otherwise. NaN where ``n == 0``.

    Raises
    ------
    EspacepError
        Unknown method, level outside (0, 1), missing, negative or
        non-integer counts, ``x > n``, Series with different indexes.

    Notes
    -----
    With ``p = x/n``, ``z`` the ``1 - (1 - level)/2`` normal quantile:

    - ``wilson``: score interval (Newcombe 1998a method 3),
      ``(x + z²/2)/(n + z²) ± z√n/(n + z²) · √(p(1-p) + z²/(4n))``.
      Mean coverage close to nominal; recommended by Brown, Cai & DasGupta
      (2001) for n <= 40 and generally.
    - ``wilson_cc``: continuity-corrected score interval (Newcombe 1998a
      method 4), ``L = (2np + z² - 1 - z√(z² - 2 - 1/n + 4p(nq + 1)))/(2(n + z²))``,
      ``U = (2np + z² + 1 + z√(z² + 2 - 1/n + 4p(nq - 1)))/(2(n + z²))``;
      conservative (coverage mostly above nominal).
    - ``exact``: Clopper-Pearson, Beta quantiles ``B(α/2; x, n-x+1)`` and
      ``B(1-α/2; x+1, n-x)``; guaranteed coverage >= nominal, hence wide.
    - ``jeffreys``: equal-tailed Beta(x + 1/2, n - x + 1/2) posterior interval;
      coverage close to nominal on average.
    - ``agresti_coull``: Wald interval around ``p̃ = (x + z²/2)/(n + z²)`` with
      ``ñ = n + z²``; slightly conservative for small n.

    Boundary conventions (Brown, Cai & DasGupta 2001; Newcombe 1998a): for
    every method the lower bound is exactly 0 when ``x = 0`` and the upper
    bound exactly 1 when ``x = n``. For Wilson this is what the formula gives;
    for Clopper-Pearson and Jeffreys it is the convention of BCD (so at
    ``x = 0`` the Clopper-Pearson upper bound is ``1 - (α/2)^(1/n)``, one
    tail only, with coverage ``1 - α/2`` there); for ``wilson_cc`` it is
    Newcombe's rule ("if p = 0, L is taken as 0; if p = 1, U is 1").
    Agresti-Coull and ``wilson_cc`` bounds are clipped to [0, 1].
    statsmodels' ``proportion_confint(method="jeffreys")`` does *not* apply
    the Jeffreys convention (its lower bound at ``x = 0`` is a small positive
    Beta quantile); all other bounds agree with it.

    ``n = 0`` gives NaN bounds (no information), not an error.

    References
    ----------
    Brown LD, Cai TT, DasGupta A (2001). Stat Sci 16:101-133.
    Newcombe RG (1998a). Stat Med 17:857-872.
    Agresti A, Coull BA (1998). Am Stat 52:119-126.

    Examples
    --------
    >>> lo, hi = proportion_ci(81, 263)          # Newcombe 1998a, Table I
    >>> round(lo, 4), round(hi, 4)
    (0.2553, 0.3662)
    """
    where = "proportion_ci"
    method = _check_method(method, where)
    level = _check_level(level, where)
    (xa, na), wrap = _broadcast({"x": x, "n": n}, where)
    _check_counts(xa, na, where)
    lower, upper = _interval(xa, na, method, level)
    return wrap(lower, "lower"), wrap(upper, "upper")


@dataclass(frozen=True)
class Proportion:
    """A proportion with its confidence interval (one row of a figures table).

    Attributes
    ----------
    numerator, denominator : int
    estimate : float
        ``numerator / denominator``; NaN when the denominator is 0.
    lower, upper : float
        Confidence bounds (NaN when the denominator is 0).
    method : str
        One of ``CI_METHODS``.
    level : float
        Confidence level.
    """

    numerator: int
    denominator: int
    estimate: float
    lower: float
    upper: float
    method: str
    level: float

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (tidy-table row)."""
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "estimate": self.estimate,
            "lower": self.lower,
            "upper": self.upper,
            "method": self.method,
            "level": self.level,
        }


def proportion(x: int, n: int, method: str = "wilson", level: float = 0.95) -> Proportion:
    """Estimate and confidence interval of one proportion ``x / n``.

    Parameters
    ----------
    x, n : int
        Numerator and denominator, 0 <= x <= n.
    method : str
        One of ``CI_METHODS`` (see :func:`proportion_ci`).
    level : float
        Confidence level in (0, 1).

    Returns
    -------
    Proportion
        Frozen dataclass with numerator, denominator, estimate, lower, upper,
        method, level. With ``n = 0`` estimate and bounds are NaN.

    Notes
    -----
    Same validation and conventions as :func:`proportion_ci`.
    """
    if np.ndim(x) != 0 or np.ndim(n) != 0:
        raise ParameterError("proportion: x and n must be single counts; use proportion_table")
    lower, upper = proportion_ci(x, n, method=method, level=level)
    xi, ni = int(x), int(n)
    estimate = xi / ni if ni > 0 else float("nan")
    return Proportion(xi, ni, estimate, lower, upper, method, float(level))


def proportion_table(x: pd.Series, n: pd.Series, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """Proportions and confidence intervals for several groups at once.

    Parameters
    ----------
    x, n : pandas Series
        Numerators and denominators per group, with the same index (``n``
        may also be a scalar common denominator).
    method : str
        One of ``CI_METHODS`` (see :func:`proportion_ci`).
    level : float
        Confidence level in (0, 1).

    Returns
    -------
    pandas DataFrame
        Index of ``x``; columns ``numerator`` and ``denominator`` (int64),
        ``estimate``, ``lower``, ``upper`` (float64; NaN where the
        denominator is 0) and ``method``. ``df.attrs["level"]`` holds the level.

    Notes
    -----
    Built on the same vectorised core as :func:`proportion_ci`, so each row
    equals ``proportion(x_i, n_i, method, level)``.
    """
    if not isinstance(x, pd.Series):
        raise ParameterError(f"proportion_table: x must be a pandas Series, got {type(x).__name__}")
    lower, upper = proportion_ci(x, n, method=method, level=level)
    (xa, na), _ = _broadcast({"x": x, "n": n}, "proportion_table")
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = np.where(na > 0, xa / np.where(na > 0, na, 1.0), np.nan)
    table = pd.DataFrame(
        {
            "numerator": xa.astype("int64"),
            "denominator": na.astype("int64"),
            "estimate": estimate,
            "lower": lower.to_numpy(),
            "upper": upper.to_numpy(),
            "method": method,
        },
        index=x.index,
    )
    table.attrs["level"] = float(level)
    return table


# --- two independent proportions ---------------------------------------------------------


@dataclass(frozen=True)
class ProportionComparison:
    """Comparison of two independent proportions (group 1 minus group 2).

    Attributes are floats for scalar input, arrays or Series (same index as
    the input Series) for vectorised input.

    Attributes
    ----------
    difference : p1 - p2
    lower, upper : Newcombe hybrid score interval for the difference
    p_value : Fisher's exact test, two-sided
    p_chi2 : Pearson chi-square test without continuity correction
    p_chi2_yates : Pearson chi-square test with Yates' correction
    p1, p2 : the two proportions
    x1, n1, x2, n2 : the counts
    level : confidence level of the interval
    """

    difference: Any
    lower: Any
    upper: Any
    p_value: Any
    p_chi2: Any
    p_chi2_yates: Any
    p1: Any
    p2: Any
    x1: Any
    n1: Any
    x2: Any
    n2: Any
    level: float


def _newcombe_hybrid(
    x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Newcombe (1998b) method 10 on validated float arrays: (diff, lower, upper)."""
    l1, u1 = _interval(x1, n1, "wilson", level)
    l2, u2 = _interval(x2, n2, "wilson", level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
    diff = p1 - p2
    lower = diff - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = diff + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return p1, p2, diff, lower, upper


def _chi2_pvalues(
    x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pearson chi-square p-values (plain, Yates) of the 2x2 tables; NaN if a margin is 0."""
    a, b, c, d = x1, n1 - x1, x2, n2 - x2
    total = n1 + n2
    margins = n1 * n2 * (a + c) * (b + d)
    det = np.abs(a * d - b * c)
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = np.where(margins > 0, total * det**2 / margins, np.nan)
        # Yates: |O - E| reduced by min(0.5, |O - E|), as R's chisq.test and scipy
        yates = np.where(margins > 0, total * np.maximum(det - total / 2.0, 0.0) ** 2 / margins, np.nan)
    return _sps.chi2.sf(chi2, 1), _sps.chi2.sf(yates, 1)


def _fisher_pvalues(x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """Fisher's exact two-sided p-values (scipy, R's minimum-likelihood rule)."""
    out = np.full(x1.shape, np.nan)
    for idx in np.ndindex(x1.shape):
        if n1[idx] > 0 and n2[idx] > 0:
            table = [[int(x1[idx]), int(n1[idx] - x1[idx])], [int(x2[idx]), int(n2[idx] - x2[idx])]]
            out[idx] = _sps.fisher_exact(table, alternative="two-sided").pvalue
    return out


def compare_proportions(x1: Any, n1: Any, x2: Any, n2: Any, level: float = 0.95) -> ProportionComparison:
    """Difference between two independent proportions, its interval and tests.

    Parameters
    ----------
    x1, n1 : int, array-like or pandas Series
        Numerator and denominator of group 1 (e.g. the report year).
    x2, n2 : int, array-like or pandas Series
        Numerator and denominator of group 2 (e.g. the previous year).
        All four are broadcast together.
    level : float
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    ProportionComparison
        ``difference = p1 - p2``, ``lower``/``upper`` (Newcombe hybrid score
        interval), ``p_value`` (Fisher exact, two-sided), ``p_chi2`` and
        ``p_chi2_yates`` (Pearson chi-square, 1 df, without / with Yates'
        correction), ``p1``, ``p2``, the counts and the level.

    Raises
    ------
    EspacepError
        Invalid counts (as :func:`proportion_ci`) or level.

    Notes
    -----
    Interval: Newcombe (1998b) method 10, from the Wilson intervals
    ``(l1, u1)`` and ``(l2, u2)`` of each proportion:
    ``L = d - √((p1 - l1)² + (u2 - p2)²)``, ``U = d + √((u1 - p1)² + (p2 - l2)²)``.
    It stays inside [-1, 1], is defined with zero cells (0/n, n/n) and has
    coverage close to nominal (Newcombe 1998b).

    Fisher's p-value sums the probabilities of all tables with the same
    margins that are no more likely than the observed one (relative tolerance
    1e-7), the convention of R's ``fisher.test`` and ``scipy.stats.fisher_exact``.

    Chi-square: ``N (|ad - bc| - c)² / (r1 r2 c1 c2)`` with ``c = 0`` or, for
    Yates, ``c = min(N/2, |ad - bc|)`` (R's ``chisq.test`` rule).

    Edge cases: a zero denominator (``n1 = 0`` or ``n2 = 0``) gives NaN for
    everything but the counts. Zero cells are allowed. When both groups have
    no event (or both only events) the chi-square is undefined (a zero
    margin) and its p-values are NaN, as in R, while Fisher's p is 1 and the
    interval is still defined. Identical proportions give difference 0 and
    p-values 1.

    References
    ----------
    Newcombe RG (1998b). Stat Med 17:873-890.
    """
    where = "compare_proportions"
    level = _check_level(level, where)
    arrays, wrap = _broadcast({"x1": x1, "n1": n1, "x2": x2, "n2": n2}, where)
    a1, m1, a2, m2 = arrays
    _check_counts(a1, m1, where, "x1", "n1")
    _check_counts(a2, m2, where, "x2", "n2")
    p1, p2, diff, lower, upper = _newcombe_hybrid(a1, m1, a2, m2, level)
    p_chi2, p_yates = _chi2_pvalues(a1, m1, a2, m2)
    p_fisher = _fisher_pvalues(a1, m1, a2, m2)

    def count(a: np.ndarray, name: str) -> Any:
        out = wrap(a, name)
        return int(out) if isinstance(out, float) else out.astype("int64")

    return ProportionComparison(
        difference=wrap(diff, "difference"),
        lower=wrap(lower, "lower"),
        upper=wrap(upper, "upper"),
        p_value=wrap(p_fisher, "p_value"),
        p_chi2=wrap(p_chi2, "p_chi2"),
        p_chi2_yates=wrap(p_yates, "p_chi2_yates"),
        p1=wrap(p1, "p1"),
        p2=wrap(p2, "p2"),
        x1=count(a1, "x1"),
        n1=count(m1, "n1"),
        x2=count(a2, "x2"),
        n2=count(m2, "n2"),
        level=level,
    )


# --- trend over ordered groups -----------------------------------------------------------


@dataclass(frozen=True)
class TrendTest:
    """Cochran-Armitage test for a linear trend in proportions.

    Attributes
    ----------
    z : float
        Signed statistic; positive when the proportion increases with the score.
    chi2 : float
        ``z²``, the 1-df chi-square of R's ``prop.trend.test``.
    p_value : float
        Two-sided p-value.
    scores : tuple of float
        The scores used, one per group.
    """

    z: float
    chi2: float
    p_value: float
    scores: tuple[float, ...]


def _trend_inputs(x: Any, n: Any, scores: Any, where: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated 1-d float arrays (x, n, scores) for :func:`trend_test`."""
    if scores is None:
        index = next((v.index for v in (x, n) if isinstance(v, pd.Series)), None)
        if index is not None and pd.api.types.is_numeric_dtype(index.dtype):
            scores = np.asarray(index, dtype="float64")
        else:
            scores = np.arange(len(np.atleast_1d(np.asarray(x, dtype=object))), dtype="float64")
    (xa, na, sa), _ = _broadcast({"x": x, "n": n, "scores": scores}, where)
    if xa.ndim != 1:
        raise ParameterError(f"{where}: x, n and scores must be one-dimensional, got shape {xa.shape}")
    if len(xa) < 2:
        raise ParameterError(f"{where}: the trend test needs at least 2 groups, got {len(xa)}")
    _check_counts(xa, na, where)
    if not np.all(np.isfinite(sa)):
        raise ParameterError(f"{where}: scores must be finite numbers, got {sa.tolist()}")
    return xa, na, sa


def trend_test(x: Any, n: Any, scores: Any = None) -> TrendTest:
    """Cochran-Armitage chi-square test for a linear trend in proportions.

    Parameters
    ----------
    x : array-like or pandas Series
        Numerators per ordered group (e.g. positives per year), at least 2.
    n : array-like or pandas Series
        Denominators per group, same length.
    scores : array-like, optional
        Group scores (e.g. the years). Default: the index of ``x`` (or ``n``)
        when it is a Series with a numeric index (years), else 0, 1, ..., k-1.

    Returns
    -------
    TrendTest
        ``z``, ``chi2 = z²`` and the two-sided ``p_value``, plus the scores.

    Raises
    ------
    EspacepError
        Fewer than 2 groups, invalid counts, non-finite scores, length mismatch.

    Notes
    -----
    With ``N = Σ n_i``, ``p̄ = Σ x_i / N`` and ``s̄ = Σ n_i s_i / N``::

        z = Σ x_i (s_i - s̄) / √( p̄ (1 - p̄) Σ n_i (s_i - s̄)² )

    Armitage's (1955) variance without the ``N/(N-1)`` factor, so ``z²``
    equals the regression chi-square of R's ``prop.trend.test`` (the weighted
    linear regression of ``x_i/n_i`` on ``s_i`` with weights ``n_i / (p̄(1-p̄))``);
    the linear-by-linear association test uses ``N - 1`` instead and gives
    ``z² (N-1)/N``. ``z`` is invariant to affine rescaling of the scores
    (``a + b s`` with ``b > 0``; the sign flips when ``b < 0``), so years or
    0..k-1 give the same result for consecutive years.

    With two groups (or two distinct scores) the test is defined and ``z²``
    is the Pearson chi-square without continuity correction of the (pooled)
    2x2 table, ``N (ad - bc)² / (r1 r2 c1 c2)``, whatever the two scores: the
    value R's ``prop.trend.test`` gives for two groups, and that of
    ``prop.test(..., correct = FALSE)``: with two scores the centred score is
    proportional to the indicator of the second group, so the numerator is
    ``(x_2 n_1 - x_1 n_2) (s_2 - s_1) / N`` and the scores cancel.

    Groups with ``n_i = 0`` contribute nothing. Degenerate cases give
    ``z = chi2 = p_value = NaN`` (no test is possible): no observation at all,
    all proportions 0 or all 1 (``p̄ (1 - p̄) = 0``), or a single distinct
    score among the groups with observations.

    References
    ----------
    Armitage P (1955). Tests for linear trends in proportions and frequencies.
    Biometrics 11:375-386.
    Agresti A (2002). Categorical Data Analysis, 2nd ed., Wiley (the Cochran-Armitage trend test).
    R Core Team, ``prop.trend.test`` (package stats), ``R/prop.trend.test.R``.
    """
    where = "trend_test"
    xa, na, sa = _trend_inputs(x, n, scores, where)
    total = na.sum()
    used = na > 0
    nan = float("nan")
    if total == 0 or np.ptp(sa[used]) == 0:
        return TrendTest(nan, nan, nan, tuple(sa.tolist()))
    pbar = xa.sum() / total
    centred = sa - (na * sa).sum() / total
    variance = pbar * (1.0 - pbar) * (na * centred**2).sum()
    if variance <= 0:
        return TrendTest(nan, nan, nan, tuple(sa.tolist()))
    z = float((xa * centred).sum() / np.sqrt(variance))
    return TrendTest(z, z * z, float(2.0 * _sps.norm.sf(abs(z))), tuple(sa.tolist()))
