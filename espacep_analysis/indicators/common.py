"""Building blocks shared by the funders' indicator modules (INAMI, AViQ, Cocof).

Every function here is pure (inputs are never mutated) and vectorised (groupby,
no per-person Python loop). Figure builders return tidy DataFrames with exactly
:data:`FIGURE_COLUMNS`; values stay unrounded. Definitions: ``docs/indicators_inami.md``.

Scopes are strings: ``all``, ``region:<code>``, ``antenna:<code>``, ``site:<code>``.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np
import pandas as pd

from .. import stats
from ..dataset import Dataset
from ..definitions import FIGURE_COLUMNS
from ..errors import EspacepError
from ..sites import Sites

_TEXT_COLUMNS = ("indicator", "label", "scope", "method", "unit", "base_indicator")
_YEAR_COLUMNS = ("year_from", "year_to")  # whole years, empty on rows that compare nothing
_FLOAT_COLUMNS = ("numerator", "denominator", "value", "lower", "upper")

# Age bands: code -> [lower, upper) in years (age = year - birth_year).
AGE_BANDS: dict[str, tuple[float, float]] = {
    "lt20": (-np.inf, 20),
    "20_24": (20, 25),
    "25_29": (25, 30),
    "30_34": (30, 35),
    "35_39": (35, 40),
    "40_49": (40, 50),
    "50plus": (50, np.inf),
}

ALL = "all"
SCOPE_LEVELS = ("region", "antenna", "province", "site")


# --- figure rows ---------------------------------------------------------------------


def _column(value, n: int, dtype) -> np.ndarray:
    """``value`` as a length-``n`` array of ``dtype`` (scalars are repeated)."""
    if np.ndim(value) == 0:
        return np.full(n, value, dtype=dtype)
    array = np.asarray(value, dtype=dtype)
    if len(array) != n:
        raise ValueError(f"figure column of length {len(array)}, expected {n}")
    return array


def figures_frame(
    indicator,
    label,
    year,
    scope,
    value,
    unit,
    numerator=np.nan,
    denominator=np.nan,
    lower=np.nan,
    upper=np.nan,
    method="",
    base_indicator="",
    year_from=pd.NA,
    year_to=pd.NA,
) -> pd.DataFrame:
    """Figure rows from columns given as scalars or equal-length array-likes.

    Scalars are broadcast to the length of the array arguments (one row if all
    are scalars). Returns a DataFrame with exactly :data:`FIGURE_COLUMNS`, text
    columns as ``str``, ``year`` as int64, ``year_from`` / ``year_to`` as
    nullable Int64 (those of a comparison row, see `comparisons`) and the
    numbers as float64.
    """
    given = dict(
        indicator=indicator,
        label=label,
        year=year,
        scope=scope,
        numerator=numerator,
        denominator=denominator,
        value=value,
        lower=lower,
        upper=upper,
        method=method,
        unit=unit,
        base_indicator=base_indicator,
        year_from=year_from,
        year_to=year_to,
    )
    lengths = {len(v) for v in given.values() if np.ndim(v) > 0}
    if len(lengths) > 1:
        raise ValueError(f"figure columns of different lengths {sorted(lengths)}")
    n = lengths.pop() if lengths else 1
    data = {}
    for name in FIGURE_COLUMNS:
        if name in _TEXT_COLUMNS:
            data[name] = pd.array(_column(given[name], n, object), dtype=str)
        elif name == "year":
            data[name] = _column(given[name], n, "int64")
        elif name in _YEAR_COLUMNS:
            data[name] = pd.array(_column(given[name], n, object), dtype="Int64")
        else:
            data[name] = _column(given[name], n, "float64")
    return pd.DataFrame(data)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    types: dict[str, type | str] = {name: str for name in _TEXT_COLUMNS}
    types.update({name: "float64" for name in _FLOAT_COLUMNS})
    types["year"] = "int64"
    types.update({name: "Int64" for name in _YEAR_COLUMNS})
    return frame.astype(types)


def empty_figures() -> pd.DataFrame:
    """A figures table with no row (and the right columns and dtypes)."""
    return _typed(pd.DataFrame({name: [] for name in FIGURE_COLUMNS}))


_YEAR_MEMO: contextvars.ContextVar[dict | None] = contextvars.ContextVar("year_memo", default=None)


@contextlib.contextmanager
def year_memo() -> Iterator[None]:
    """Inside this block, each report year's section rows are computed once (`rows_by_year`).

    A report computes its year and the previous ones, so the reports of 2017-2020
    compute 9 year-sets per funder where 4 do; the disclosure protection computes
    every report of every year inside one block. The memo ends with the block (no
    stale rows: nothing outlives the one computation it serves).
    """
    token = _YEAR_MEMO.set({})
    try:
        yield
    finally:
        _YEAR_MEMO.reset(token)


def rows_by_year(
    ds: Dataset,
    key: tuple,
    years: Sequence[int],
    compute: Callable[[list[int]], dict[int, list[pd.DataFrame]]],
) -> list[pd.DataFrame]:
    """The section rows of ``years``, in year order: ``compute(years)``, or inside `year_memo` the rows of
    an earlier call with ``ds``, ``key`` and the year (only the years not yet there are computed).

    ``key`` names everything the rows depend on besides ``ds`` and the year (funder,
    last year of the data, method, level). The memo keeps ``ds`` alive, so its ``id``
    stays its own; readers never modify the rows (`concat_figures` copies).
    """
    memo = _YEAR_MEMO.get()
    if memo is None:
        done = compute(list(years))
        return [part for y in years for part in done[y]]
    missing = [y for y in years if (id(ds), *key, y) not in memo]
    if missing:
        for y, rows in compute(missing).items():
            memo[(id(ds), *key, y)] = (ds, rows)
    return [part for y in years for part in memo[(id(ds), *key, y)][1]]


def concat_figures(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate figure tables into one with a fresh RangeIndex."""
    parts = [part for part in parts if len(part)]
    if not parts:
        return empty_figures()
    return pd.concat(parts, ignore_index=True)[FIGURE_COLUMNS]


def count_figure(indicator, label, year: int, value, unit: str | Sequence[str], scope="all") -> pd.DataFrame:
    """Count rows: ``value`` is the count (scalar or array-like), no numerator/denominator/CI."""
    return figures_frame(indicator, label, year, scope, _values(value), unit)


def _values(value) -> np.ndarray | float:
    if np.ndim(value) == 0:
        return float(value)
    return np.asarray(value, dtype="float64")


def proportion_with_ci(num, den, method: str = "wilson", level: float = 0.95):
    """``(value, lower, upper)`` float arrays for counts ``num`` out of ``den``.

    The single place where the indicator modules call
    :func:`espacep_analysis.stats.proportion_ci` (vectorised). ``den == 0``
    gives NaN value and bounds.
    """
    num = np.atleast_1d(np.asarray(num, dtype="float64"))
    den = np.atleast_1d(np.asarray(den, dtype="float64"))
    num, den = np.broadcast_arrays(num, den)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    lower, upper = stats.proportion_ci(num, den, method=method, level=level)
    return value, np.asarray(lower, dtype="float64"), np.asarray(upper, dtype="float64")


def proportion_figures(
    num,
    den,
    *,
    indicator,
    label,
    year: int,
    scope="all",
    method: str = "wilson",
    level: float = 0.95,
    unit: str = "proportion",
) -> pd.DataFrame:
    """Proportion rows ``num / den`` with their CI, one row per element.

    Parameters
    ----------
    num, den : scalar, array-like or pandas Series
        Counts. Two Series must have the same index (they are not re-aligned);
        a scalar ``den`` is broadcast.
    indicator, label, scope : str or array-like
        One per row (or a scalar for all rows), in the order of ``num``.
    year : int
    method, level :
        Passed to :func:`espacep_analysis.stats.proportion_ci`.
    unit : str
    """
    if isinstance(num, pd.Series) and isinstance(den, pd.Series) and not num.index.equals(den.index):
        raise ValueError("proportion_figures: numerator and denominator Series have different indexes")
    value, lower, upper = proportion_with_ci(num, den, method, level)
    num_a, den_a = np.broadcast_arrays(
        np.atleast_1d(np.asarray(num, dtype="float64")), np.atleast_1d(np.asarray(den, dtype="float64"))
    )
    return figures_frame(
        indicator,
        label,
        year,
        scope,
        value,
        unit,
        numerator=num_a,
        denominator=den_a,
        lower=lower,
        upper=upper,
        method=method,
    )


def ratio_figure(num, den, *, indicator, label, year: int, scope="all", unit: str = "ratio") -> pd.DataFrame:
    """Ratio rows ``num / den`` (e.g. consultations per person), no CI; NaN when ``den == 0``."""
    num_a, den_a = np.broadcast_arrays(
        np.atleast_1d(np.asarray(num, dtype="float64")), np.atleast_1d(np.asarray(den, dtype="float64"))
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(den_a > 0, num_a / np.where(den_a > 0, den_a, 1), np.nan)
    return figures_frame(indicator, label, year, scope, value, unit, numerator=num_a, denominator=den_a)


# --- selecting rows ------------------------------------------------------------------------

# Event tables and their date column
EVENT_TABLES = {"consultations": "date", "lab_results": "sample_date", "medical_acts": "date"}


def as_category(values: pd.Series) -> pd.Series:
    """Text as a categorical with lexicographically sorted categories (so sorting keeps code order)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values
    codes, uniques = pd.factorize(values, sort=True)
    categories = pd.Index(np.asarray(uniques, dtype=object))
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=categories), index=values.index, name=values.name
    )


def _compact(table: pd.DataFrame, person_index: pd.Index, name: str) -> pd.DataFrame:
    """``table`` with integer person codes and categorical text columns; raises on unknown persons."""
    columns = {}
    for column in table.columns:
        values = table[column]
        if column == "pseudonym":
            codes = person_index.get_indexer(values)
            if (codes < 0).any():
                missing = pd.unique(values[codes < 0].astype(object))
                shown = ", ".join(map(str, missing[:5]))
                raise EspacepError(
                    f"{name}: {len(missing)} pseudonym(s) absent from persons (e.g. {shown}); "
                    "rule: every row must refer to a known person"
                )
            columns[column] = pd.Series(codes.astype("int64"), index=table.index, name=column)
        elif values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            columns[column] = as_category(values)
        else:
            columns[column] = values
    return pd.DataFrame(columns, index=table.index)


def prepare(ds: Dataset, sites: Sequence[str], years: Sequence[int] | None = None) -> Dataset:
    """A compact copy of ``ds`` for fast indicators: same figures, much faster grouping.

    Keeps the event rows at ``sites`` (and, when given, dated from the first
    to the last of ``years``); pseudonyms become integer codes (the row number
    in ``persons``) and text codes become categoricals with sorted categories,
    so ties broken "by site code" still follow alphabetical order. ``ds`` is
    not modified. Preparing an already prepared data set (e.g. to cut one year
    out of several) is cheap: no string is hashed again.

    Raises
    ------
    EspacepError
        When an event row refers to a pseudonym absent from ``persons``, or
        ``persons`` has duplicate pseudonyms.
    """
    person_index = pd.Index(ds.persons["pseudonym"])
    if not person_index.is_unique:
        dup = person_index[person_index.duplicated()][:5]
        raise EspacepError(
            f"persons: duplicate pseudonym(s) {', '.join(map(str, dup))}; rule: one row per person"
        )
    tables = {}
    for name, date_column in EVENT_TABLES.items():
        table = getattr(ds, name)
        if years is not None and len(years):
            start = pd.Timestamp(year=int(min(years)), month=1, day=1)
            end = pd.Timestamp(year=int(max(years)) + 1, month=1, day=1)
            dates = table[date_column]
            table = table.loc[((dates >= start) & (dates < end)).fillna(False).astype(bool)]
        table = _compact(table, person_index, name)  # categorical sites: the site filter below is cheap
        tables[name] = table.loc[table["site"].isin(list(sites)).fillna(False).astype(bool)]
    persons = _compact(ds.persons, person_index, "persons")
    return Dataset(persons=persons, sites=ds.sites, sources=dict(ds.sources), **tables)


def in_year(
    table: pd.DataFrame, year: int, date_column: str = "date", sites: Sequence[str] | None = None
) -> pd.DataFrame:
    """Rows of ``table`` whose ``date_column`` falls in calendar ``year`` (and ``site`` in ``sites``)."""
    start = pd.Timestamp(year=int(year), month=1, day=1)
    end = pd.Timestamp(year=int(year) + 1, month=1, day=1)
    dates = table[date_column]
    mask = (dates >= start) & (dates < end)
    if sites is not None:
        mask &= table["site"].isin(list(sites))
    mask = mask.fillna(False).astype(bool)
    if mask.all():
        return table  # nothing to drop (e.g. a table from `prepare` for this year); never mutated
    return table.loc[mask]


def persons_in(table: pd.DataFrame) -> pd.Index:
    """Distinct pseudonyms of ``table`` (e.g. persons seen, from consultations of a year)."""
    return pd.Index(table["pseudonym"].dropna().unique(), name="pseudonym")


def n_persons(table: pd.DataFrame) -> int:
    """Number of distinct pseudonyms in ``table``."""
    return int(table["pseudonym"].nunique())


def n_rows(table: pd.DataFrame) -> int:
    """Number of rows (consultations, results, acts) in ``table``."""
    return int(len(table))


def count_codes(values: pd.Series, codes: Sequence[str]) -> pd.Series:
    """Occurrences of each of ``codes`` in ``values`` (0 when absent), indexed by code in that order."""
    counts = values.value_counts(dropna=True)
    counts.index = pd.Index(counts.index.astype(object))
    return counts.reindex(list(codes), fill_value=0).astype("int64")


# --- person-level attributes -----------------------------------------------------------


def person_attributes(
    persons: pd.DataFrame, pseudonyms: pd.Index, table: str = "consultations"
) -> pd.DataFrame:
    """Rows of ``persons`` for ``pseudonyms``, indexed by pseudonym, in that order.

    Raises
    ------
    EspacepError
        When some pseudonyms are absent from ``persons`` (the loader normally
        rejects such rows; an indicator must not drop them silently).
    """
    indexed = persons.set_index("pseudonym")
    missing = pseudonyms.difference(indexed.index)
    if len(missing):
        shown = ", ".join(map(str, list(missing[:5])))
        raise EspacepError(
            f"{table}: {len(missing)} pseudonym(s) absent from persons (e.g. {shown}); "
            "rule: every row must refer to a known person"
        )
    return indexed.loc[pseudonyms]


def ages(persons: pd.DataFrame, year: int) -> pd.Series:
    """Age reached during ``year`` (``year - birth_year``), same index as ``persons``, float (NaN if unknown)."""
    return (int(year) - persons["birth_year"].astype("Float64")).astype("float64").rename("age")


def age_band_counts(age: pd.Series) -> pd.Series:
    """Number of known ages in each of :data:`AGE_BANDS` (indexed by band code)."""
    edges = [bounds[0] for bounds in AGE_BANDS.values()] + [np.inf]
    bands = pd.cut(age.dropna(), bins=edges, right=False, labels=list(AGE_BANDS))
    return bands.value_counts().reindex(list(AGE_BANDS), fill_value=0).astype("int64")


def first_per_person(table: pd.DataFrame, order: Sequence[str] = ("date", "site")) -> pd.DataFrame:
    """Each person's first row by ``order`` (earliest date; ties: smallest site code), indexed by pseudonym."""
    ordered = table.sort_values(list(order), kind="stable")
    return ordered.drop_duplicates("pseudonym", keep="first").set_index("pseudonym")


def last_known_per_person(
    table: pd.DataFrame,
    column: str,
    unknown: Sequence[str] = ("unknown",),
    order: Sequence[str] = ("date", "site"),
) -> pd.Series:
    """Each person's last known value of ``column``, indexed by pseudonym.

    Rows where ``column`` is missing or in ``unknown`` are ignored; among the
    rest, the last row by ``order`` wins (latest date; ties: largest site
    code). Persons with no known value are absent from the result ("no data").
    """
    values = table[column]
    known = table.loc[values.notna() & ~values.isin(list(unknown))]
    last = known.sort_values(list(order), kind="stable").drop_duplicates("pseudonym", keep="last")
    return last.set_index("pseudonym")[column]


def persons_tested_positive(lab: pd.DataFrame, tests: Sequence[str]) -> pd.DataFrame:
    """Per test: persons tested and persons positive (per person, not per test).

    Tested: at least one ``positive`` or ``negative`` result for that test in
    ``lab`` (indeterminate-only persons are not tested). Positive: at least one
    ``positive``. Returns a frame indexed by test (in ``tests`` order) with
    int columns ``tested`` and ``positive``.
    """
    rows = lab.loc[lab["test"].isin(list(tests)) & lab["result"].isin(["positive", "negative"])]
    rows = rows.assign(is_positive=(rows["result"] == "positive").astype(bool))
    per_person = rows.groupby(["test", "pseudonym"], observed=True)["is_positive"].any()
    by_test = per_person.groupby(level="test", observed=True).agg(["size", "sum"])
    by_test.index = pd.Index(by_test.index.astype(object))
    by_test = by_test.rename(columns={"size": "tested", "sum": "positive"})
    return by_test.reindex(list(tests), fill_value=0).astype("int64")


# --- scopes ---------------------------------------------------------------------------------


def scope_label(level: str, code: str | None = None) -> str:
    """``all`` or ``<level>:<code>``."""
    return ALL if level == ALL else f"{level}:{code}"


def with_hierarchy(
    table: pd.DataFrame, sites: Sites, levels: Sequence[str] = ("antenna", "region")
) -> pd.DataFrame:
    """A copy of ``table`` with the ``levels`` columns (antenna, province, region) of each row's ``site``."""
    extra = {level: table["site"].map(sites.frame[level]).astype("string") for level in levels}
    return table.assign(**extra)


def _site_to_scope(sites: Sites, level: str, site_codes: Iterable[str]) -> dict[str, str]:
    codes = list(site_codes)
    if level == ALL:
        return {code: ALL for code in codes}
    if level == "site":
        return {code: scope_label("site", code) for code in codes}
    if level not in SCOPE_LEVELS:
        raise EspacepError(f"unknown scope level {level!r}; expected all or one of {SCOPE_LEVELS}")
    column = sites.frame[level]
    return {code: scope_label(level, column[code]) for code in codes if code in column.index}


def scope_order(sites: Sites, levels: Sequence[str], site_codes: Sequence[str] | None = None) -> list[str]:
    """All scopes of ``levels`` for ``site_codes`` (default: every site), in hierarchy order."""
    codes = list(sites.frame.index) if site_codes is None else list(site_codes)
    order: list[str] = []
    for level in levels:
        for scope in _site_to_scope(sites, level, codes).values():
            if scope not in order:
                order.append(scope)
    return order


def rows_by_scope(
    table: pd.DataFrame, sites: Sites, levels: Sequence[str] = (ALL, "region", "antenna")
) -> pd.Series:
    """Row counts per scope (scopes with at least one row), in hierarchy order."""
    per_site = table["site"].value_counts()
    per_site = per_site[per_site > 0]
    per_site.index = pd.Index(per_site.index.astype(object))
    parts = []
    for level in levels:
        mapping = _site_to_scope(sites, level, per_site.index)
        parts.append(per_site.groupby(per_site.index.map(mapping)).sum())
    counts = pd.concat(parts) if parts else pd.Series(dtype="int64")
    order = [s for s in scope_order(sites, levels, list(per_site.index)) if s in counts.index]
    return counts.reindex(order).astype("int64").rename("rows")


def person_scopes(
    table: pd.DataFrame, sites: Sites, levels: Sequence[str] = (ALL, "region", "antenna")
) -> pd.DataFrame:
    """Distinct (scope, pseudonym) pairs: a person seen at sites of two antennas appears in both.

    ``scope`` is a categorical whose categories are the scopes of ``levels``
    for the sites present, in hierarchy order.
    """
    pairs = table[["pseudonym", "site"]].drop_duplicates()
    site = as_category(pairs["site"])
    site_codes = list(site.cat.categories)
    scopes = scope_order(sites, levels, site_codes)
    position: dict[str | None, int] = {scope: i for i, scope in enumerate(scopes)}
    codes = site.cat.codes.to_numpy()
    pseudonyms = pairs["pseudonym"].to_numpy()
    parts = []
    for level in levels:
        mapping = _site_to_scope(sites, level, site_codes)
        lookup = np.array([position.get(mapping.get(code), -1) for code in site_codes] + [-1], dtype="int64")
        scope_codes = lookup[codes]
        keep = scope_codes >= 0
        part = pd.DataFrame({"scope": scope_codes[keep], "pseudonym": pseudonyms[keep]})
        parts.append(part.drop_duplicates())
    both = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"scope": [], "pseudonym": []})
    scope = pd.Categorical.from_codes(
        both["scope"].to_numpy(dtype="int64"), categories=pd.Index(scopes, dtype=object)
    )
    return pd.DataFrame({"scope": scope, "pseudonym": both["pseudonym"]})


def persons_by_scope(
    table: pd.DataFrame, sites: Sites, levels: Sequence[str] = (ALL, "region", "antenna")
) -> pd.Series:
    """Distinct persons per scope (scopes with at least one row), in hierarchy order."""
    pairs = person_scopes(table, sites, levels)
    counts = pairs.groupby("scope", observed=True).size()
    counts = counts[counts > 0]
    counts.index = pd.Index(counts.index.astype(object), dtype=object, name="scope")
    return counts.astype("int64").rename("persons")


def category_counts(pairs: pd.DataFrame, category: pd.Series, categories: Sequence[str]) -> pd.DataFrame:
    """Persons per scope and category.

    Parameters
    ----------
    pairs : DataFrame
        Distinct (scope, pseudonym) pairs, as from :func:`person_scopes`.
    category : Series
        Each person's category, indexed by pseudonym (missing or not in
        ``categories`` -> not counted).
    categories : sequence of str
        Columns of the result, in this order (absent categories give 0).

    Returns
    -------
    DataFrame indexed by the scopes present (in the order of ``pairs["scope"]``'s
    categories, or sorted when it is not categorical), one int column per category.
    """
    scope = as_category(pairs["scope"])
    cat_codes = pd.Series(
        pd.Categorical(category.astype(object), categories=list(categories)).codes, index=category.index
    )
    c = pairs["pseudonym"].map(cat_codes).fillna(-1).to_numpy(dtype="int64")
    s = scope.cat.codes.to_numpy(dtype="int64")
    n_scopes, n_cats = len(scope.cat.categories), len(categories)
    ok = (c >= 0) & (s >= 0)
    counts = np.bincount(s[ok] * n_cats + c[ok], minlength=n_scopes * n_cats).reshape(n_scopes, n_cats)
    present = np.bincount(s[s >= 0], minlength=n_scopes) > 0
    index = pd.Index(np.asarray(scope.cat.categories, dtype=object)[present], dtype=object, name="scope")
    return pd.DataFrame(counts[present], index=index, columns=list(categories)).astype("int64")
