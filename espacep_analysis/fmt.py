"""Formatting of computed values for the reports (Belgian French by default).

Every value stays unrounded until it reaches one of these functions. They turn
numbers into the strings the reports print, in the conventions of the
published reports:

- **Group separator**: a NO-BREAK SPACE (U+00A0, ``NBSP``) in French, e.g.
  ``"1\\u00a0076"``. Babel's CLDR data for ``fr_BE`` uses a NARROW NO-BREAK
  SPACE (U+202F); we replace it because U+00A0 is what the NGO's reports use (a
  space that never breaks a number across lines), every font has a glyph for it
  (DejaVu Sans, used for the PDF, renders it as an ordinary space) and PDF text
  extraction returns it unchanged. Dutch and English keep their CLDR separators
  (``.`` and ``,``).
- **Percent**: a NO-BREAK SPACE before ``%`` in French (``"95,5\\u00a0%"``), as
  CLDR says for French; none in Dutch or English (``"95,5%"``, ``"95.5%"``).
- **Rounding**: half away from zero, like Excel and the published report
  (``0.125`` -> ``"13 %"`` with no decimals), done in decimal arithmetic on the
  float's shortest representation so that ``0.955`` -> ``"95,5 %"``.
- **Missing values** (``None``, NaN, ``pd.NA``, NaT) print as ``MISSING``, an
  en dash.

``lang`` is a Babel locale identifier: ``fr_BE`` (default), ``nl_BE`` or ``en``;
the short forms ``fr`` and ``nl`` (the CLI's ``--lang``) mean the Belgian ones.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

import pandas as pd
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal

from .document import is_missing  # None, NaN, pd.NA, NaT: one definition, in the page model
from .errors import ParameterError

if TYPE_CHECKING:
    from .document import Table

NBSP = "\u00a0"
NNBSP = "\u202f"
EN_DASH = "\u2013"
MISSING = EN_DASH
DEFAULT_LANG = "fr_BE"
LANGS = ("fr_BE", "nl_BE", "en")
_LANG_ALIASES = {"fr": "fr_BE", "nl": "nl_BE", "en_BE": "en", "en_GB": "en"}

from .units import COUNT_UNITS, FIGURE_UNITS  # noqa: E402  (one vocabulary of units)

_HEADERS = {
    "fr_BE": {
        "indicator": "Indicateur",
        "label": "Indicateur",
        "year": "Année",
        "scope": "Périmètre",
        "numerator": "Nombre",
        "denominator": "Sur",
        "value": "Valeur",
        "ci": "IC 95 %",
        "method": "Méthode",
    },
    "nl_BE": {
        "indicator": "Indicator",
        "label": "Indicator",
        "year": "Jaar",
        "scope": "Bereik",
        "numerator": "Aantal",
        "denominator": "Op",
        "value": "Waarde",
        "ci": "BI 95%",
        "method": "Methode",
    },
    "en": {
        "indicator": "Indicator",
        "label": "Indicator",
        "year": "Year",
        "scope": "Scope",
        "numerator": "Count",
        "denominator": "Out of",
        "value": "Value",
        "ci": "95% CI",
        "method": "Method",
    },
}
DEFAULT_COLUMNS = ("label", "numerator", "denominator", "value", "ci")


def normalize_lang(lang: str) -> str:
    """``fr`` -> ``fr_BE``, ``nl`` -> ``nl_BE``; one of `LANGS` or `EspacepError`."""
    lang = _LANG_ALIASES.get(lang, lang)
    if lang not in LANGS:
        raise ParameterError(
            f"unsupported language {lang!r}: expected one of fr, nl, en ({', '.join(LANGS)})"
        )
    return lang


def _locale(lang: str) -> Locale:
    """The Babel locale for ``lang``; raises `EspacepError` if it is not supported."""
    lang = normalize_lang(lang)
    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError) as exc:  # pragma: no cover - Babel data missing
        raise ParameterError(f"Babel has no locale data for {lang!r}: {exc}") from exc


def _real(x: float | None) -> float:
    """``float(x)`` of a value `is_missing` has ruled out (a None here is a bug of the caller)."""
    if x is None:
        raise ParameterError("a missing value reached a number format")
    return float(x)


def _to_decimal(x: Any) -> Decimal:
    """The float's shortest decimal representation (``0.955`` -> ``Decimal("0.955")``)."""
    if isinstance(x, Decimal):
        return x
    try:
        f = float(x)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"not a number: {x!r}") from exc
    if not math.isfinite(f):
        raise ParameterError(f"cannot format the non-finite number {f!r}")
    return Decimal(repr(f))


def _rounded(d: Decimal, decimals: int) -> Decimal:
    """``d`` rounded half away from zero to ``decimals`` places."""
    if decimals < 0:
        raise ParameterError(f"decimals must be >= 0, got {decimals}")
    return d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _decimal_str(d: Decimal, decimals: int, lang: str) -> str:
    """Locale formatting of an already rounded Decimal with exactly ``decimals`` places."""
    if d == 0:
        d = abs(d)  # no "-0"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(d, format=pattern, locale=_locale(lang))
    return text.replace(NNBSP, NBSP)


def number(x: float | int | None, decimals: int = 0, lang: str = DEFAULT_LANG) -> str:
    """A count or measure: ``number(1076)`` -> ``"1 076"`` (NBSP), ``number(2.345, 1)`` -> ``"2,3"``.

    Parameters
    ----------
    x : float or int or None
        The unrounded value; missing values give `MISSING`.
    decimals : int
        Digits after the decimal separator (rounded half away from zero).
    lang : str
        ``fr_BE``, ``nl_BE`` or ``en``.

    Returns
    -------
    str
    """
    if is_missing(x):
        return MISSING
    return _decimal_str(_rounded(_to_decimal(x), decimals), decimals, lang)


def _percent_affixes(lang: str) -> tuple[str, str]:
    """The locale's text before and after the number in a percentage (CLDR pattern)."""
    pattern = _locale(lang).percent_formats[None].pattern.split(";")[0]
    first = min(i for i, c in enumerate(pattern) if c in "#0")
    last = max(i for i, c in enumerate(pattern) if c in "#0")
    return pattern[:first], pattern[last + 1 :]


def percent(p: float | None, decimals: int = 1, lang: str = DEFAULT_LANG) -> str:
    """A proportion in [0, 1] as a percentage: ``percent(0.955)`` -> ``"95,5 %"`` (NBSP).

    Parameters
    ----------
    p : float or None
        The proportion (not multiplied by 100); missing gives `MISSING`.
    decimals : int
        Digits after the decimal separator of the percentage.
    lang : str
        ``fr_BE``, ``nl_BE`` or ``en``.

    Returns
    -------
    str
    """
    if is_missing(p):
        return MISSING
    d = _rounded(_to_decimal(p) * 100, decimals)
    prefix, suffix = _percent_affixes(lang)
    return prefix + _decimal_str(d, decimals, lang) + suffix


def ci(lower: float | None, upper: float | None, decimals: int = 1, lang: str = DEFAULT_LANG) -> str:
    """A confidence interval of a proportion: ``ci(0.939, 0.966)`` -> ``"[93,9 – 96,6 %]"``.

    The spaces around the en dash are NBSP so an interval never breaks across
    lines; the percent sign follows the locale (see `percent`). Either bound
    missing gives `MISSING`.

    Returns
    -------
    str
    """
    if is_missing(lower) or is_missing(upper):
        return MISSING
    low = percent(lower, decimals, lang)
    high = percent(upper, decimals, lang)
    prefix, suffix = _percent_affixes(lang)
    low = low[len(prefix) : len(low) - len(suffix)]
    return f"[{low}{NBSP}{EN_DASH}{NBSP}{high}]"


def mean(x: float | None, decimals: int = 1, lang: str = DEFAULT_LANG) -> str:
    """A mean (age, consultations per person): ``mean(33.96)`` -> ``"34,0"``."""
    return number(x, decimals, lang)


def year(y: int | None) -> str:
    """A calendar year, without group separator: ``year(2019)`` -> ``"2019"``."""
    if is_missing(y):
        return MISSING
    f = _real(y)
    if f != int(f):
        raise ParameterError(f"a year must be a whole number, got {y!r}")
    return str(int(f))


def period(y: int, end: _dt.date | None = None) -> str:
    """The period of a report in a French sentence: ``"en 2019"``, or for a partial year (data ending on
    ``end``, ``espacep report --partial``) ``"du 1er janvier au 19 mars 2020"``."""
    if end is None:
        return f"en {year(y)}"
    if end.year != int(y):
        raise ParameterError(f"the end of the period, {end.isoformat()}, is not in {y}")
    return f"du 1er janvier au {date(end, 'fr_BE')}"


def date(d: _dt.date | _dt.datetime | str | None, lang: str = DEFAULT_LANG) -> str:
    """A date in words: ``date(datetime.date(2026, 11, 28))`` -> ``"28 novembre 2026"``.

    Parameters
    ----------
    d : date, datetime, ISO string or None
    lang : str

    Returns
    -------
    str
    """
    if is_missing(d):
        return MISSING
    if isinstance(d, str):
        try:
            d = _dt.date.fromisoformat(d[:10])
        except ValueError as exc:
            raise ParameterError(f"not an ISO date (YYYY-MM-DD): {d!r}") from exc
    if isinstance(d, _dt.datetime):
        d = d.date()
    text = format_date(d, format="long", locale=_locale(lang))
    return text.replace(NNBSP, NBSP)


def points(d: float | None, decimals: int = 1, lang: str = DEFAULT_LANG) -> str:
    """A difference of proportions in percentage points, signed: ``0.013`` -> ``"+1,3 pt"``."""
    if is_missing(d):
        return MISSING
    text = number(abs(_real(d)) * 100, decimals, lang)
    sign = "+" if _real(d) > 0 else ("\u2212" if _real(d) < 0 and text.strip("0,.\u00a0") else "")
    return f"{sign}{text}{NBSP}pt"


def p_value(p: float | None, lang: str = DEFAULT_LANG) -> str:
    """A p-value: ``"< 0,001"`` below 0.001, else 2 significant digits and 2 to 3 decimals.

    ``0.2732`` -> ``"0,27"``, ``0.0096`` -> ``"0,010"``, ``0.04`` -> ``"0,040"``,
    ``1.0`` -> ``"1,00"`` (the convention of most journals: never ``"0,000"``).
    """
    if is_missing(p):
        return MISSING
    p = _real(p)
    if p < 0.001:
        return f"<{NBSP}{number(0.001, 3, lang)}"
    rounded = float(f"{p:.2g}")  # 0.0995 -> 0.1: the digits are counted after rounding
    decimals = min(3, max(2, 1 - math.floor(math.log10(rounded))))
    return number(p, decimals, lang)


def p_statement(p: float | None, lang: str = DEFAULT_LANG) -> str:
    """``"p = 0,010"``, ``"p < 0,001"`` (see :func:`p_value`)."""
    text = p_value(p, lang)
    return f"p{NBSP}{text}" if text.startswith("<") else f"p{NBSP}={NBSP}{text}"


# The words of a comparison's verdict (unit ``verdict``: +1, 0, -1; NaN = too few cases)
VERDICT_WORDS: dict[float, str] = {1.0: "en hausse", 0.0: "stable", -1.0: "en baisse"}
TOO_FEW_WORDS = "trop peu de cas pour conclure"


def verdict(value: float | None) -> str:
    """``"en hausse"``, ``"stable"``, ``"en baisse"``, or ``"trop peu de cas pour conclure"`` (NaN)."""
    if is_missing(value):
        return TOO_FEW_WORDS
    if _real(value) not in VERDICT_WORDS:
        raise ParameterError(f"verdict: expected +1, 0, -1 or missing, got {value!r}")
    return VERDICT_WORDS[_real(value)]


def figure_value(row: Mapping, lang: str = DEFAULT_LANG, percent_decimals: int = 1) -> str:
    """One figure's value formatted according to its ``unit``.

    Counts (``persons``, ``consultations``, ``results``, ``acts``, ``doses``) as
    integers, ``proportion`` as a percentage, ``ratio`` with one decimal,
    ``years`` with one decimal unless the value is whole (ages min / max).

    Raises
    ------
    EspacepError
        For an unknown unit.
    """
    unit, value = row.get("unit"), row.get("value")
    if _is_masked(row):
        return _mask_text(row)
    if unit in COUNT_UNITS:
        return number(value, 0, lang)
    if unit == "proportion":
        return percent(value, percent_decimals, lang)
    if unit == "ratio":
        return number(value, 1, lang)
    if unit == "years":
        whole = not is_missing(value) and _real(value) == int(_real(value))
        return number(value, 0 if whole else 1, lang)
    if unit == "difference":
        return points(value, percent_decimals, lang)
    if unit == "p_value":
        return p_value(value, lang)
    if unit == "z":
        return number(value, 2, lang)
    if unit == "days":
        return number(value, 0, lang)
    if unit == "verdict":
        return verdict(value)
    raise ParameterError(
        f"figure {row.get('indicator')!r}: unknown unit {unit!r} (expected one of {', '.join(FIGURE_UNITS)})"
    )


def _is_masked(row: Mapping) -> bool:
    """True for a figure masked by disclosure control (``suppressed`` column)."""
    flag = row.get("suppressed", False)
    return bool(flag) and not is_missing(flag)


def _mask_text(row: Mapping) -> str:
    """What a masked figure prints as: its ``mask_label`` (``"< 5"``, ``"x"``), else ``"x"``."""
    label = row.get("mask_label")
    return "x" if label is None or is_missing(label) else str(label)


def _cell(row: Mapping, column: str, lang: str, percent_decimals: int) -> tuple[str, bool]:
    """The formatted text of one table cell and whether it is numeric (right-aligned).

    A masked figure (``suppressed`` true) prints its mask in the value, numerator and CI cells.
    """
    if _is_masked(row) and column in ("value", "numerator", "ci"):
        return _mask_text(row if column == "value" else {**row, "mask_label": "x"}), True
    if column == "value":
        return figure_value(row, lang, percent_decimals), True
    if column in ("numerator", "denominator"):
        return number(row.get(column), 0, lang), True
    if column == "ci":
        return ci(row.get("lower"), row.get("upper"), percent_decimals, lang), True
    if column == "year":
        return year(row.get("year")), True
    value = row.get(column)
    if is_missing(value):
        return MISSING, False
    return (row_label(str(value)) if column == "label" else str(value)), False


_NUMERIC_COLUMNS = ("numerator", "denominator", "value", "ci", "year")


def figures_table(
    figures: pd.DataFrame,
    columns: Sequence[str] = DEFAULT_COLUMNS,
    labels: Mapping[str, str] | None = None,
    caption: str | None = None,
    footnote: str | None = None,
    lang: str = DEFAULT_LANG,
    percent_decimals: int = 1,
    key: str = "",
    level: float = 0.95,
) -> Table:
    """A table of figures (one row per figure), formatted for the report (`document.Table`).

    Parameters
    ----------
    figures : DataFrame
        Rows of the tidy figures table (columns ``indicator, label, year, scope,
        numerator, denominator, value, lower, upper, method, unit``), in the
        order to print.
    columns : sequence of str
        Columns to show, among the figures-table columns and ``ci`` (the
        interval from ``lower`` and ``upper``).
    labels : mapping, optional
        Header text per column, overriding the French defaults (``lang`` formats the numbers only).
    caption, footnote : str, optional
        Plain text shown above / below the table.
    lang : str
    percent_decimals : int
        Decimals of percentages and CIs.
    key : str
        The name the text refers to the table by (``{{tab:key}}``).
    level : float
        The confidence level of the intervals: the header of ``ci`` (`ci_header`: ``"IC 90 %"``).

    Masked cells print ``"< 5"`` or ``"x"``; a table holding one gets the `mask_legend` as its last
    footnote (`legend_footnotes`), in every format (HTML, Word, Excel).

    Returns
    -------
    document.Table
        Cells with the unrounded value, the formatted text and the masked flag.
    """
    from .document import Cell, Table

    known = set(_HEADERS[DEFAULT_LANG])
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ParameterError(f"figures_table: unknown column(s) {unknown}; expected among {sorted(known)}")
    missing = {"value", "unit"} - set(figures.columns)
    if missing:
        raise ParameterError(f"figures_table: the figures lack column(s) {sorted(missing)}")
    # the document is French (the CI header too, at the book's level); lang: numbers only
    headers = {**_HEADERS[DEFAULT_LANG], "ci": ci_header(level), **(labels or {})}
    head = tuple(Cell(headers[c], numeric=c in _NUMERIC_COLUMNS) for c in columns)
    rows = []
    for row in figures.to_dict("records"):
        cells = []
        for c in columns:
            text, numeric = _cell(row, c, lang, percent_decimals)
            masked = _is_masked(row) and c in ("value", "numerator", "ci")
            cells.append(Cell(text, _cell_value(row, c, masked), masked, numeric))
        rows.append(tuple(cells))
    return Table((head,), tuple(rows), caption or "", legend_footnotes(footnote, rows), key)


def _cell_value(row: Mapping[str, Any], column: str, masked: bool) -> float | None:
    """The unrounded number behind a cell (None for text, a CI or a masked figure)."""
    if masked or column not in ("value", "numerator", "denominator", "year"):
        return None
    value = row.get(column)
    return None if value is None or is_missing(value) else float(value)


def figures_table_html(*args: Any, **kwargs: Any) -> str:
    """`figures_table` in the reports' HTML (`blocks_html.table_html`): ``<table class="figures">...</table>``."""
    from .blocks_html import table_html

    return table_html(figures_table(*args, **kwargs))


def figures_wide(
    figures: pd.DataFrame,
    by: str = "year",
    row: str = "label",
    labels: Mapping[object, str] | None = None,
    caption: str | None = None,
    footnote: str | None = None,
    lang: str = DEFAULT_LANG,
    percent_decimals: int = 1,
    key: str = "",
) -> Table:
    """A table (`document.Table`) with one row per ``row`` value and one column per ``by`` value.

    Typical use: the report year and the two years before side by side
    (``by="year"``), or antennas side by side (``by="scope"``). Each cell is
    the figure's value formatted by its unit (`figure_value`); a combination
    absent from ``figures`` prints `MISSING`; masked cells get the `mask_legend` in the footnote.

    Parameters
    ----------
    figures : DataFrame
        Tidy figures rows; rows appear in order of first appearance, columns
        in ascending order of ``by``.
    by, row : str
        Figures-table columns spread across columns / down the rows.
    labels : mapping, optional
        Header text per column value and for the key ``row`` (the first header).
    caption, footnote, lang, percent_decimals, key
        As in `figures_table`.

    Returns
    -------
    document.Table

    Raises
    ------
    EspacepError
        If two figures share the same (row, by) cell.
    """
    from .document import Cell, Table

    labels = dict(labels or {})
    records = figures.to_dict("records")
    cells: dict[tuple, Mapping] = {}
    for rec in records:
        at = (rec[row], rec[by])  # not ``key``: that is the table's name, passed to Table below
        if at in cells:
            raise ParameterError(f"figures_wide: two figures for {row}={at[0]!r}, {by}={at[1]!r}")
        cells[at] = rec
    rows = list(dict.fromkeys(rec[row] for rec in records))
    cols = sorted({rec[by] for rec in records})
    headers = _HEADERS[DEFAULT_LANG]  # French headers whatever lang (numbers only)
    head = [Cell(str(labels.get(row, headers.get(row, row))))]
    head += [Cell(labels.get(c, year(c) if by == "year" else str(c)), numeric=True) for c in cols]
    body = []
    for r in rows:
        line = [Cell(row_label(str(r)), row_header=True)]
        for c in cols:
            rec = cells.get((r, c))
            if rec is None:
                line.append(Cell(MISSING, numeric=True))
            else:
                masked = _is_masked(rec)
                line.append(
                    Cell(
                        figure_value(rec, lang, percent_decimals),
                        _cell_value(rec, "value", masked),
                        masked,
                        True,
                    )
                )
        body.append(tuple(line))
    return Table((tuple(head),), tuple(body), caption or "", legend_footnotes(footnote, body), key)


def figures_wide_html(*args: Any, **kwargs: Any) -> str:
    """`figures_wide` in the reports' HTML (`blocks_html.table_html`)."""
    from .blocks_html import table_html

    return table_html(figures_wide(*args, **kwargs))


# --- words of sentences: plurals, proper names, withheld figures, table legends -------------------


def plural_form(n: float, lang: str = DEFAULT_LANG) -> str:
    """The CLDR plural category of ``n`` in ``lang``: ``"one"`` or ``"other"`` (``"many"`` counts as ``"other"``).

    French puts 0 and 1 (and 1,5) in ``"one"``: ``plural_form(0)`` -> ``"one"``, ``plural_form(2)`` ->
    ``"other"``; English and Dutch put 0 in ``"other"``.
    """
    form = _locale(lang).plural_form(abs(float(n)))
    return "one" if form == "one" else "other"


def noun(n: float | None, one: str, other: str, lang: str = DEFAULT_LANG) -> str:
    """``one`` or ``other`` after the number ``n`` by the plural rules of ``lang`` (Babel, CLDR).

    A missing ``n`` (a count not published, "moins de 5 …") takes the plural: ``noun(None, "personne",
    "personnes")`` -> ``"personnes"``; ``noun(1, ...)`` -> ``"personne"``, ``noun(71, ...)`` -> ``"personnes"``.
    """
    if n is None or is_missing(n):
        return other
    return one if plural_form(float(n), lang) == "one" else other


def quantity(n: float | None, one: str, other: str, lang: str = DEFAULT_LANG, sep: str = NBSP) -> str:
    """A count and its noun: ``quantity(71, "personne", "personnes")`` -> ``"71 personnes"``, ``"1 personne"``.

    The number is formatted by `number` (NBSP between groups) and joined to the noun by ``sep`` (a
    NO-BREAK SPACE in documents; console messages pass ``" "``).
    """
    return f"{number(n, 0, lang)}{sep}{noun(n, one, other, lang)}"


# Proper names that keep their capital inside a sentence (the style list of the reports): a label that
# starts with one of them is printed as it is, any other label starts with a lower-case letter.
PROPER_NAMES: tuple[str, ...] = (
    "Afrique",
    "Amérique",
    "Asie",
    "Belgique",
    "Europe",
    "Océanie",
    "Bruxelles",
    "Wallonie",
    "Flandre",
    "Liège",
    "Namur",
    "Mons",
    "Charleroi",
    "Arlon",
    "Athus",
    "Tournai",
    "Seraing",
    "Ans",
    "Saint-Trond",
    "Pasop",
    "Espace P",
    "Facebook",
    "Internet",
    "VIH",
    "AgHBs",
    "Ac",
    "ASCUS",
    "LSIL",
    "HSIL",
    "IST",
    "TDS",
    "TEH",
    "IVG",
    "FLE",
)


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: proper names (`PROPER_NAMES`) keep their capital.

    ``in_sentence("Europe de l'Est")`` -> ``"Europe de l'Est"``, ``in_sentence("Afrique subsaharienne")``
    -> ``"Afrique subsaharienne"``, ``in_sentence("Au bureau")`` -> ``"au bureau"``.
    """
    text = str(label)
    if any(re.match(re.escape(name.strip()) + r"(?![\w])", text) for name in PROPER_NAMES):
        return text
    return text[:1].lower() + text[1:]


def capitalized(text: str) -> str:
    """``text`` with its first letter in upper case (the start of a sentence or a table cell)."""
    return text[:1].upper() + text[1:]


def row_label(text: str) -> str:
    """A table's row label: it starts with a capital, as a line of a table does in French.

    Labels are stored as they read in a sentence (``"syphilis"``, ``"moins de 20 ans"``);
    ``row_label("syphilis")`` -> ``"Syphilis"``. A sub-row (``"dont dose 3 dans les 6 mois"``,
    under the row it details) keeps its lower case.
    """
    return text if re.match(r"dont\b", text) else capitalized(text)


def ci_header(level: float, lang: str = DEFAULT_LANG) -> str:
    """The header of a confidence-interval column at ``level``: ``"IC 95 %"``, ``"IC 90 %"`` (NBSP)."""
    pct = number(float(level) * 100, 0 if float(level) * 100 == int(float(level) * 100) else 1, lang)
    lang = normalize_lang(lang)
    if lang == "en":
        return f"{pct}% CI"
    if lang == "nl_BE":
        return f"BI {pct}%"
    return f"IC {pct}{NBSP}%"


# The masks of disclosure control (`disclosure.masked_label`): "< 5" for a count below the threshold,
# "x" for every other masked figure (derived from a small count, or masked as a complement).
SECONDARY_MASK = "x"
_PRIMARY_MASK = re.compile(r"^< (\d+)$")  # an ASCII space: a p-value side prints "<\u00a00,05"


def is_mask(text: str) -> bool:
    """True when a formatted cell is a mask: ``"< 5"`` (any threshold) or ``"x"``."""
    return text == SECONDARY_MASK or bool(_PRIMARY_MASK.match(text))


def mask_legend(cells: Iterable[str]) -> str:
    """The legend line of a table whose ``cells`` hold masks, ``""`` when none does.

    ``"« < 5 » : effectif de 1 à 4, masqué. « x » : chiffre masqué parce qu'il dérive d'un petit effectif
    ou qu'il permettrait d'en retrouver un par différence. Voir la note méthodologique."``; only the
    symbols present are explained, in the words of the methods note (`disclosure.methods_note`).
    """
    texts = set(cells)
    primary = sorted({m.group(1) for t in texts if (m := _PRIMARY_MASK.match(t))}, key=int)
    secondary = SECONDARY_MASK in texts
    if not primary and not secondary:
        return ""
    top = int(primary[0]) - 1 if primary else None
    small = "égal à 1" if top == 1 else f"de 1 à {top}"
    parts = []
    if primary:
        parts.append(f"«{NBSP}< {primary[0]}{NBSP}» : effectif {small}, masqué.")
    if secondary:
        parts.append(
            f"«{NBSP}x{NBSP}» : chiffre masqué parce qu'il dérive d'un petit effectif ou qu'il "
            "permettrait d'en retrouver un par différence."
        )
    return " ".join(parts) + " Voir la note méthodologique."


def with_legend(footnote: str | None, cells: Iterable[str]) -> str | None:
    """``footnote`` followed by the `mask_legend` of ``cells`` (unchanged when no cell is masked)."""
    legend = mask_legend(cells)
    if not legend:
        return footnote
    return f"{footnote} {legend}" if footnote else legend


def legend_footnotes(footnote: str | None, rows: Iterable[Sequence[Any]]) -> tuple[str, ...]:
    """The footnotes of a typed table (`document.Table`): ``footnote``, then the `mask_legend` of ``rows``.

    ``rows`` are the table's body rows of `document.Cell`; the legend explains the masks its cells print
    (a masked cell, or a number cell whose text is a mask), and is left out when none does.
    """
    texts = (cell.text for cells in rows for cell in cells if cell.masked or cell.numeric)
    return tuple(note for note in (footnote, mask_legend(texts)) if note)


def enumeration(items: Sequence[str], last: str = "et") -> str:
    """``"Bruxelles, Liège et Namur"``: the items joined by commas, the last one by ``last``."""
    items = [str(i) for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"
