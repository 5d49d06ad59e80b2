"""Comparisons over the years as the reports word them: verdicts, sentences, the comparison table.

Everything here reads the comparison rows that `indicators.comparisons`
added to the figures table (differences, Fisher and trend p-values,
verdicts), found by their columns ``base_indicator``, ``unit``, ``method``
and ``year_from`` through the report's `FigureBook` (`FigureBook.comparison`),
after disclosure control; nothing is computed, only worded. The same functions
serve the three funders' pages.

What the sentence says follows the verdict row: "en hausse" / "en baisse"
only when the test rejected at the report's level, "stable" when it did not,
"trop peu de cas pour conclure" below the minimum count; it names the test
and gives its p-value. When a count behind the comparison is masked but the
verdict could still be published (`disclosure.release_verdicts`), the exact
p-value is not printed, only its side of the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .. import fmt, stats
from ..errors import EspacepError
from ..indicators import comparisons
from ..indicators.common import ALL
from .common import FigureBook, Table, rows_table

TEST_LABELS: dict[str, str] = {
    comparisons.TREND_METHOD: stats.TREND_TEST_LABEL,
    comparisons.FISHER_METHOD: "test exact de Fisher",
}
# Comparison tables get the compact layout of report.css (class ``comparison``); from this many
# years on they print on a landscape page (class ``landscape``): a portrait A4 page holds four.
LANDSCAPE_YEARS = 5
UNAVAILABLE = "évolution non publiée (effectifs masqués)"
TESTED_NOTE = (
    "le nombre de personnes testées a varié de plus d'un cinquième, " "or plus de tests trouvent plus de cas"
)


@dataclass(frozen=True)
class Trend:
    """The published comparison of one proportion (``indicator``, ``scope``) over the book's years.

    ``state`` is ``"none"`` (no earlier year: no verdict row), ``"masked"``
    (the verdict is not published) or ``"published"``. ``value`` is the
    verdict row's value (+1, 0, -1, NaN = too few cases), ``test`` its
    method; ``p`` the test's p-value, NaN when not published (``p_masked``).
    """

    indicator: str
    scope: str
    years: tuple[int, ...]
    state: str
    value: float
    test: str
    p: float
    p_masked: bool


def _years(book: FigureBook, indicator: str, scope: str) -> tuple[int, ...]:
    """Years up to the report year whose figure has a denominator (those the comparison used)."""
    years = []
    for y in sorted([*book.previous, book.year]):
        if book.has(indicator, y, scope):
            den = book.row(indicator, y, scope)["denominator"]
            if fmt.is_missing(den) or float(den) > 0:
                years.append(y)
    return tuple(years)


def trend(book: FigureBook, indicator: str, scope: str = ALL) -> Trend:
    """The verdict of ``indicator`` in ``book`` and the p-value of the test that made it."""
    years = _years(book, indicator, scope)
    row = book.comparison(indicator, "verdict", scope)
    if row is None:
        return Trend(indicator, scope, years, "none", float("nan"), "", float("nan"), False)
    if row.get("suppressed", False):
        return Trend(indicator, scope, years, "masked", float("nan"), "", float("nan"), True)
    test = str(row["method"])
    first = None if test == comparisons.TREND_METHOD else years[0]  # Fisher: the first year against this one
    p_row = book.comparison(indicator, "p_value", scope, method=test, year_from=first)
    p, p_masked = float("nan"), False
    if test in TEST_LABELS and p_row is not None:
        p_masked = bool(p_row.get("suppressed", False))
        p = float("nan") if p_masked else float(p_row["value"])
    return Trend(indicator, scope, years, "published", float(row["value"]), test, p, p_masked)


def _level(book: FigureBook, level: float | None) -> float:
    """The test level: the book's (the one its verdict rows were computed at); another one is refused."""
    if level is None:
        return book.level
    if abs(float(level) - float(book.level)) > 1e-12:
        raise EspacepError(
            f"comparisons: the verdicts of this report were decided at the level {book.level}; "
            f"they cannot be worded at {level} (compute the figures at that level)"
        )
    return float(level)


def _threshold(level: float, lang: str) -> str:
    return fmt.number(1.0 - level, 2, lang)


def _p_side(t: Trend, level: float, lang: str) -> str:
    """``"< 0,05"`` (a rise or fall) or ``"≥ 0,05"`` (stable): all a released verdict says of its p-value."""
    return f"{'<' if t.value != 0 else '≥'}{fmt.NBSP}{_threshold(level, lang)}"


def describe_test(t: Trend, level: float, lang: str = fmt.DEFAULT_LANG) -> str:
    """``"test de tendance de Cochran-Armitage, p = 0,010"``; with a masked count ``"…, p < 0,05"``."""
    label = TEST_LABELS[t.test]
    if not t.p_masked:
        return f"{label}, {fmt.p_statement(t.p, lang)}"
    return (
        f"{label}, p{fmt.NBSP}{_p_side(t, level, lang)} ; valeur exacte non publiée, un effectif étant masqué"
    )


def _span(book: FigureBook, t: Trend) -> str:
    return ", ".join(f"{book.say(t.indicator, y, t.scope)} en {y}" for y in t.years)


def short_verdict(book: FigureBook, indicator: str, level: float | None = None, scope: str = ALL) -> str:
    """``" ; évolution 2017-2019 : en hausse (test …, p = 0,010)"`` for a figure's line, ``""`` without earlier year.

    ``level`` defaults to the book's; another level raises (the verdict rows were decided at the book's).
    """
    level = _level(book, level)
    t = trend(book, indicator, scope)
    if t.state == "none":
        return ""
    span = f" {t.years[0]}-{t.years[-1]}" if len(t.years) > 1 else ""
    if t.state == "masked":
        return f" ; évolution{span} non publiée (effectifs masqués)"
    words = fmt.verdict(t.value)
    if t.test in TEST_LABELS:
        return f" ; évolution{span} : {words} ({describe_test(t, level, book.lang)})"
    return f" ; évolution{span} : {words}"


def tested_note(book: FigureBook, t: Trend) -> str:
    """``" Attention : le nombre de personnes testées a varié …"`` when it changed by more than a fifth, else ``""``."""
    if len(t.years) < 2:
        return ""
    first, last = t.years[0], t.years[-1]
    n0, n1 = (book.row(t.indicator, y, t.scope)["denominator"] for y in (first, last))
    if fmt.is_missing(n0) or fmt.is_missing(n1) or not comparisons.tested_changed(n0, n1):
        return ""
    return (
        f" Attention : {TESTED_NOTE} ({fmt.number(n0, 0, book.lang)} en {first}, "
        f"{fmt.number(n1, 0, book.lang)} en {last})."
    )


def verdict_sentence(
    book: FigureBook,
    indicator: str,
    subject: str,
    level: float | None = None,
    scope: str = ALL,
    min_cases: int = comparisons.DEFAULT_MIN_CASES,
) -> str:
    """The sentence on the change of ``indicator`` over the years, ``""`` without an earlier year.

    ``subject`` starts the sentence (``"la prévalence de la syphilis"``); ``level`` as in :func:`short_verdict`.
    """
    level = _level(book, level)
    t = trend(book, indicator, scope)
    subject = subject[:1].upper() + subject[1:]
    if t.state == "none":
        return ""
    if t.state == "masked":
        return f"{subject} : {UNAVAILABLE}."
    first, last = t.years[0], t.years[-1]
    span, words = _span(book, t), fmt.verdict(t.value)
    threshold = fmt.percent(1.0 - level, 0, book.lang)
    if t.test not in TEST_LABELS:
        text = f"{subject} : {words} (moins de {min_cases} cas positifs de {first} à {last} ; {span})."
    elif t.value == 0:
        text = (
            f"{subject} est {words} de {first} à {last} ({span}) : l'évolution n'est pas significative "
            f"au seuil de {threshold} ({describe_test(t, level, book.lang)})."
        )
    else:
        text = (
            f"{subject} est {words} de {first} à {last} ({span}) : l'évolution est significative au "
            f"seuil de {threshold} ({describe_test(t, level, book.lang)})."
        )
    return text + tested_note(book, t)


def _share_with_counts(book: FigureBook, indicator: str, year: int, scope: str) -> str:
    """``"1,8 % (14/775)"``, the mask, or an en dash."""
    if not book.has(indicator, year, scope):
        return fmt.MISSING
    row = book.row(indicator, year, scope)
    if row.get("suppressed", False):
        return book.mask(row)
    if fmt.is_missing(row["denominator"]) or not row["denominator"]:
        return fmt.MISSING
    count = f"{fmt.number(row['numerator'], 0, book.lang)}/{fmt.number(row['denominator'], 0, book.lang)}"
    return f"{book.text(indicator, year, scope)} ({count})"


def _difference_text(book: FigureBook, indicator: str, first: int, scope: str) -> str:
    """``"+1,4 pt [+0,2 ; +2,6]"`` (Newcombe interval of ``indicator`` against ``first``), the mask, or an en dash."""
    row = book.comparison(indicator, "difference", scope, year_from=first)
    if row is None:
        return fmt.MISSING
    if row.get("suppressed", False):
        return book.mask(row)
    lo, hi = (fmt.points(row[k], 1, book.lang).removesuffix(f"{fmt.NBSP}pt") for k in ("lower", "upper"))
    return f"{fmt.points(row['value'], 1, book.lang)} [{lo} ; {hi}]"


def _p_cell(book: FigureBook, t: Trend, level: float) -> str:
    if t.state != "published" or t.test not in TEST_LABELS:
        return fmt.MISSING if t.state != "masked" else book.secondary
    if t.p_masked:
        return _p_side(t, level, book.lang)
    return fmt.p_value(t.p, book.lang)


def _verdict_cell(t: Trend) -> str:
    return {"none": fmt.MISSING, "masked": UNAVAILABLE}.get(t.state) or fmt.verdict(t.value)


def comparison_table(
    book: FigureBook,
    items: Sequence[tuple[str, str, str]],
    caption: str,
    method: str | None = None,
    level: float | None = None,
    min_cases: int = comparisons.DEFAULT_MIN_CASES,
) -> Table:
    """One line per ``(indicator, scope, label)``: each year's value, the difference with the first year, the test.

    Columns: the label, every year of the book (``"1,8 % (14/775)"``), the
    difference report year - first year with its Newcombe interval, the
    p-value of the trend test (3 years or more) or of Fisher's exact test,
    and the verdict. The footnote names the CI methods and the tests.
    ``method`` and ``level`` default to the book's.
    """
    level, method = _level(book, level), method or book.method
    years = sorted([*book.previous, book.year])
    first, trend_test = years[0], len(years) >= comparisons.MIN_TREND_YEARS
    pct = fmt.number(level * 100, 0, book.lang)
    if len(years) < 2:  # nothing to compare: the values only
        rows = [
            ([label, _share_with_counts(book, indicator, book.year, scope)], False)
            for indicator, scope, label in items
        ]
        return rows_table(
            ["Indicateur", str(book.year)],
            rows,
            caption=caption,
            # no interval is printed: the footnote names none
            footnote="Pas d'année antérieure dans les données : la part de l'année, son numérateur et son "
            "dénominateur entre parenthèses.",
        )
    header = [
        "Indicateur",
        *map(str, years),
        f"Différence {book.year} − {first} [IC]",
        "p (tendance)" if trend_test else "p (Fisher)",
        "Évolution",
    ]
    rows = []
    for indicator, scope, label in items:
        t = trend(book, indicator, scope)
        rows.append(
            (
                [
                    label,
                    *(_share_with_counts(book, indicator, y, scope) for y in years),
                    _difference_text(book, indicator, first, scope),
                    _p_cell(book, t, level),
                    _verdict_cell(t),
                ],
                False,
            )
        )
    test = (
        f"{stats.TREND_TEST_LABEL} sur {first}-{years[-1]} (années comme scores)"
        if trend_test
        else f"test exact de Fisher, {book.year} contre {first}"
    )
    footnote = (
        f"Proportions : IC à {pct}\u00a0% par la méthode «\u00a0{stats.CI_METHOD_LABELS[method]}\u00a0». Différence en points de "
        f"pourcentage, IC à {pct}\u00a0% : {stats.DIFFERENCE_METHOD_LABEL}. p bilatéral : {test}. «\u00a0En hausse\u00a0» / "
        f"«\u00a0en baisse\u00a0» seulement si p < {_threshold(level, book.lang)} ; «\u00a0trop peu de cas pour conclure\u00a0» "
        f"si moins de {min_cases} cas sur la période."
    )
    table = rows_table(header, rows, caption=caption, footnote=footnote)
    classes = ("comparison", "landscape") if len(years) >= LANDSCAPE_YEARS else ("comparison",)
    return replace(table, classes=classes)
