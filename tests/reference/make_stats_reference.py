"""Produce ``tests/reference/stats_reference.json`` from statsmodels and scipy.

Independent reference values for ``espacep_analysis.stats`` (this script does
NOT import the project). Run from the repository root:

    .venv/bin/python tests/reference/make_stats_reference.py

Sources (versions are recorded in the JSON):

- ``statsmodels.stats.proportion.proportion_confint`` methods wilson, beta
  (Clopper-Pearson), jeffreys, agresti_coull;
- ``statsmodels.stats.proportion.confint_proportions_2indep(method="newcomb",
  compare="diff")`` for Newcombe's hybrid score interval;
- ``scipy.stats.fisher_exact`` and ``scipy.stats.chi2_contingency`` with and
  without Yates' correction;
- R's ``prop.trend.test`` algorithm re-run with statsmodels: the explained sum
  of squares of ``WLS(freq ~ score, weights = n / (pbar (1 - pbar)))``, and the
  linear-by-linear association test of ``statsmodels...Table.test_ordinal_association``;
- the continuity-corrected Wilson interval obtained by root finding
  (``scipy.optimize.brentq``) on its defining score equation
  ``|p - pi| - 1/(2n) = z sqrt(pi (1 - pi) / n)``, not on the closed form.
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
import sys
from pathlib import Path

import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import optimize, stats
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

OUT = Path(__file__).with_name("stats_reference.json")
LEVELS = (0.90, 0.95, 0.99)
NS = (1, 2, 3, 5, 10, 20, 29, 50, 100, 148, 263, 1000, 100_000)
SM_METHODS = {"wilson": "wilson", "exact": "beta", "jeffreys": "jeffreys", "agresti_coull": "agresti_coull"}


def xs_for(n: int) -> list[int]:
    return sorted({x for x in (0, 1, 2, n // 3, n // 2, n - 1, n) if 0 <= x <= n})


def single_intervals() -> list[dict]:
    rows = []
    for level in LEVELS:
        for n in NS:
            for x in xs_for(n):
                for ours, theirs in SM_METHODS.items():
                    lo, hi = proportion_confint(x, n, alpha=1 - level, method=theirs)
                    rows.append(
                        {
                            "x": x,
                            "n": n,
                            "level": level,
                            "method": ours,
                            "statsmodels_method": theirs,
                            "lower": float(lo),
                            "upper": float(hi),
                        }
                    )
    return rows


def wilson_cc_by_root(x: int, n: int, level: float) -> tuple[float, float]:
    z = stats.norm.isf((1 - level) / 2)
    p, h = x / n, 0.5 / n

    def f_low(pi):
        return (p - h - pi) - z * np.sqrt(pi * (1 - pi) / n)

    def f_upp(pi):
        return (pi - p - h) - z * np.sqrt(pi * (1 - pi) / n)

    lo = 0.0 if x == 0 else optimize.brentq(f_low, 0.0, p - h, xtol=1e-15, rtol=1e-15)
    hi = 1.0 if x == n else optimize.brentq(f_upp, p + h, 1.0, xtol=1e-15, rtol=1e-15)
    return float(lo), float(hi)


def wilson_cc_intervals() -> list[dict]:
    return [
        dict(zip(("x", "n", "level", "lower", "upper"), (x, n, level, *wilson_cc_by_root(x, n, level))))
        for level in LEVELS
        for n in NS
        for x in xs_for(n)
    ]


TABLES = [  # (x1, n1, x2, n2); every margin non-zero so chi2_contingency is defined
    (56, 70, 48, 80),
    (9, 10, 3, 10),
    (6, 7, 2, 7),
    (5, 56, 0, 29),
    (10, 10, 0, 20),
    (3, 4, 1, 4),
    (1, 1, 0, 1),
    (0, 5, 5, 5),
    (12, 140, 7, 151),
    (30, 1000, 28, 1000),
    (5, 10, 5, 10),
    (2, 3, 40, 50),
    (0, 1, 1, 100),
    (180, 400, 150, 420),
    (1, 25, 4, 30),
]


def two_groups() -> list[dict]:
    rows = []
    for x1, n1, x2, n2 in TABLES:
        table = np.array([[x1, n1 - x1], [x2, n2 - x2]])
        fisher = stats.fisher_exact(table, alternative="two-sided")
        plain = stats.chi2_contingency(table, correction=False)
        yates = stats.chi2_contingency(table, correction=True)
        for level in LEVELS:
            lo, hi = confint_proportions_2indep(
                x1, n1, x2, n2, method="newcomb", compare="diff", alpha=1 - level
            )
            rows.append(
                {
                    "x1": x1,
                    "n1": n1,
                    "x2": x2,
                    "n2": n2,
                    "level": level,
                    "lower": float(lo),
                    "upper": float(hi),
                    "p_fisher": float(fisher.pvalue),
                    "p_chi2": float(plain.pvalue),
                    "p_chi2_yates": float(yates.pvalue),
                }
            )
    return rows


TRENDS = [  # (x, n, scores)
    ([83, 90, 129, 70], [86, 93, 136, 82], [1, 2, 3, 4]),  # R ?prop.trend.test example
    ([83, 90, 129, 70], [86, 93, 136, 82], [0, 1, 4, 9]),
    ([12, 18, 25], [150, 160, 171], [2017, 2018, 2019]),
    ([5, 3, 9, 14, 2], [40, 41, 60, 70, 33], [0, 1, 2, 3, 4]),
    ([0, 1, 0], [10, 12, 9], [2017, 2018, 2019]),
    ([30, 20, 10], [100, 100, 100], [2015, 2017, 2019]),
]


def trends() -> list[dict]:
    rows = []
    for x, n, s in TRENDS:
        x, n, s = (np.asarray(v, dtype=float) for v in (x, n, s))
        pbar = x.sum() / n.sum()
        fit = sm.WLS(x / n, sm.add_constant(s), weights=n / (pbar * (1 - pbar))).fit()
        table = np.column_stack([x, n - x])
        # shift_zeros=False: Table adds 0.5 to every cell of a table with a zero otherwise.
        # Scores centred (the test is location invariant): its uncentred sums lose digits
        # with years as scores.
        lbl = Table(table, shift_zeros=False).test_ordinal_association(
            row_scores=s - s.mean(), col_scores=np.array([1.0, 0.0])
        )
        rows.append(
            {
                "x": x.astype(int).tolist(),
                "n": n.astype(int).tolist(),
                "scores": s.tolist(),
                "chi2_wls_ess": float(fit.ess),
                "p_chi2": float(stats.chi2.sf(fit.ess, 1)),
                "slope_sign": float(np.sign(fit.params[1])),
                "z_linear_by_linear": float(lbl.zscore),
            }
        )
    return rows


def main() -> None:
    data = {
        "generated_by": "tests/reference/make_stats_reference.py",
        "command": ".venv/bin/python tests/reference/make_stats_reference.py",
        "date": _dt.date.today().isoformat(),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__,
        },
        "notes": [
            "statsmodels jeffreys does not set lower=0 at x=0 / upper=1 at x=n (Brown, Cai & "
            "DasGupta convention used by espacep_analysis); compare only the other bounds there.",
            "statsmodels agresti_coull and wilson clip to [0, 1], as espacep_analysis does.",
            "test_ordinal_association uses variance with N-1: z_ours = z_lbl * sqrt(N/(N-1)); "
            "its statistic sums row scores over the column scored 1 (events), so signs agree.",
        ],
        "proportion_confint": single_intervals(),
        "wilson_cc_root": wilson_cc_intervals(),
        "two_groups": two_groups(),
        "trend": trends(),
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({sys.argv[0]})")


if __name__ == "__main__":
    main()
