"""Outreach building blocks shared by the AViQ and Cocof indicators.

The outreach tables (contacts, social actions, activities) and how a report
year's sections run over them; per-site counts and their sums up the site
hierarchy; rows built from a funder's label registry; the comparison rows
appended after the sections. :mod:`.aviq` and :mod:`.cocof` define their
figures with these; INAMI does not use them.

The medical figures of a region (persons seen, consultations, consultations
per person, migrant share) are INAMI's: :mod:`.regional` takes them from
:mod:`.inami` (this shared module imports no funder's module).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from .. import codes, stats
from ..dataset import Dataset
from ..errors import EspacepError
from ..sites import Sites
from . import common, comparisons
from .common import ALL

HIERARCHY_LEVELS = (ALL, "region", "province", "site")
# Outreach tables and their date column
OUTREACH_TABLES = {"contacts": "date", "social_actions": "date", "activities": "date"}
# Text columns the indicators group or filter on (made categorical once by `compact_outreach`)
GROUPED_TEXT = {
    "contacts": ("site", "pseudonym", "channel", "platform"),
    "social_actions": ("site", "pseudonym", "demand", "place"),
    "activities": ("site", "type"),
}


# --- row builders (label and unit from a funder's registry) ------------------------


def registry_counts(
    registry: Mapping[str, tuple[str, str]], ids, year: int, value, scope=ALL
) -> pd.DataFrame:
    """Count rows for full ids ``ids`` (a str or a list, one per value), label and unit from ``registry``."""
    one = isinstance(ids, str)
    names = [ids] if one else list(ids)
    labels = [registry[i][0] for i in names]
    units = [registry[i][1] for i in names]
    return common.figures_frame(
        names[0] if one else names,
        labels[0] if one else labels,
        year,
        scope,
        common._values(value),
        units[0] if one else units,
    )


def registry_proportions(
    registry, ids, num, den, year: int, method: str, level: float, scope=ALL
) -> pd.DataFrame:
    """Proportion rows ``num / den`` with CI for full ids ``ids``, labels from ``registry``."""
    one = isinstance(ids, str)
    names = [ids] if one else list(ids)
    labels = [registry[i][0] for i in names]
    return common.proportion_figures(
        num,
        den,
        indicator=names[0] if one else names,
        label=labels[0] if one else labels,
        year=year,
        scope=scope,
        method=method,
        level=level,
    )


def registry_ratio(registry, name: str, num, den, year: int, scope=ALL) -> pd.DataFrame:
    """Ratio rows (no CI) for the full id ``name``."""
    return common.ratio_figure(
        num, den, indicator=name, label=registry[name][0], year=year, scope=scope, unit=registry[name][1]
    )


# --- outreach tables, years, sites --------------------------------------------


def outreach_table(ds: Dataset, name: str) -> pd.DataFrame:
    """``ds.<name>`` (contacts, social_actions, activities), or an empty frame with its columns when absent.

    Raises
    ------
    EspacepError
        When the table has rows but lacks a column of the data contract.
    """
    table = getattr(ds, name)
    columns = list(codes.COLUMNS[name])
    if table.empty and not set(columns) <= set(table.columns):
        empty = {c: pd.Series([], dtype="datetime64[ns]" if c == "date" else "string") for c in columns}
        return pd.DataFrame(empty)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise EspacepError(
            f"{name}: missing column(s) {', '.join(missing)}; rule: columns of codes.COLUMNS[{name!r}]"
        )
    return table


def years_with_rows(table: pd.DataFrame, date_column: str = "date") -> set[int]:
    """Calendar years of the dated rows of ``table``."""
    if table.empty:
        return set()
    return {int(y) for y in table[date_column].dt.year.dropna().unique()}


def report_years(ds: Dataset, year: int, n_previous: int = 2) -> list[int]:
    """``year`` and the years ``year - n_previous`` .. ``year - 1`` with any row, ascending.

    A year counts when consultations or an outreach table (contacts, social
    actions, activities) has a row dated in it, at any site.

    Raises
    ------
    EspacepError
        When ``year`` has no row in any of these tables, or ``n_previous`` is
        not a whole number >= 0.
    """
    if isinstance(n_previous, bool) or not isinstance(n_previous, int | np.integer) or n_previous < 0:
        raise EspacepError(f"n_previous must be a whole number >= 0, got {n_previous!r}")
    present = set(ds.years)
    for name, date_column in OUTREACH_TABLES.items():
        present |= years_with_rows(outreach_table(ds, name), date_column)
    if int(year) not in present:
        raise EspacepError(
            f"no consultation, contact, social action or activity dated {year}; "
            f"years present in the data: {sorted(present)}"
        )
    return sorted(y for y in present if int(year) - n_previous <= y <= int(year))


def site_counts(table: pd.DataFrame, site_codes: Sequence[str], weights: str | None = None) -> pd.Series:
    """Rows (or the sum of column ``weights``) per site, for every site of ``site_codes``, in that order (0: none)."""
    if weights is None:
        counts = table["site"].value_counts()
    else:
        counts = table[weights].astype("Float64").fillna(0).groupby(table["site"], observed=True).sum()
    counts.index = pd.Index(counts.index.astype(object))
    return counts.reindex(list(site_codes), fill_value=0).astype("int64")


def first_site_per_person(table: pd.DataFrame) -> pd.Series:
    """Site of each person's first row (earliest date; ties: smallest site code), indexed by pseudonym.

    Rows without a pseudonym are ignored. Vectorised (one lexsort), no
    per-person loop.
    """
    known = table.loc[table["pseudonym"].notna().to_numpy(dtype=bool)]
    if known.empty:
        return pd.Series([], dtype=object, index=pd.Index([], name="pseudonym"), name="site")
    person, persons = pd.factorize(known["pseudonym"])
    site, site_codes = pd.factorize(known["site"].astype(object), sort=True)
    days = known["date"].to_numpy(dtype="datetime64[ns]").astype("int64")
    order = np.lexsort((site, days, person))
    sorted_person = person[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = sorted_person[1:] != sorted_person[:-1]
    rows = order[first]
    return pd.Series(
        np.asarray(site_codes, dtype=object)[site[rows]],
        index=pd.Index(np.asarray(persons, dtype=object)[person[rows]], name="pseudonym"),
        name="site",
    )


def hierarchy_totals(
    per_site: pd.Series,
    sites: Sites,
    levels: Sequence[str] = HIERARCHY_LEVELS,
    groups: Mapping[str, Sequence[str]] | None = None,
) -> pd.Series:
    """Sums of ``per_site`` (indexed by site code) per scope of ``levels``, in hierarchy order.

    ``levels`` among ``all``, ``region``, ``province``, ``antenna``, ``site``;
    ``groups`` adds one ``sites:<name>`` scope per named group of sites. Every
    site of ``per_site`` is kept (zeros included), so the site figures add up
    to their province, the provinces to their region, the regions to ``all``.
    """
    frame = sites.frame.loc[list(per_site.index)]
    parts = []
    for level in levels:
        if level == ALL:
            parts.append(pd.Series([per_site.sum()], index=[ALL]))
        elif level == "site":
            parts.append(pd.Series(per_site.to_numpy(), index=[f"site:{c}" for c in per_site.index]))
        else:
            sums = per_site.groupby(frame[level].to_numpy(), sort=False).sum()
            parts.append(pd.Series(sums.to_numpy(), index=[f"{level}:{c}" for c in sums.index]))
    for name, members in (groups or {}).items():
        parts.append(
            pd.Series([per_site.reindex(list(members), fill_value=0).sum()], index=[f"sites:{name}"])
        )
    return pd.concat(parts).astype("int64")


def demand_counts(actions: pd.DataFrame) -> pd.Series:
    """Social actions per demand code (every code of ``codes.DEMANDS``, in that order)."""
    return common.count_codes(actions["demand"], codes.DEMANDS)


def persons_with_demand(actions: pd.DataFrame, demand: str) -> int:
    """Distinct persons with at least one social action of ``demand``."""
    return common.n_persons(actions.loc[(actions["demand"] == demand).fillna(False).to_numpy(dtype=bool)])


def activity_total(activities: pd.DataFrame, types: Sequence[str], column: str) -> int:
    """Sum of ``column`` (sessions, participants, condoms, brochures) over activities of ``types`` (missing = 0)."""
    rows = activities.loc[activities["type"].isin(list(types)).fillna(False).to_numpy(dtype=bool)]
    return int(rows[column].astype("Float64").fillna(0).sum())


def compact_outreach(ds: Dataset, sites: Sequence[str], years: Sequence[int]) -> Dataset:
    """``ds`` with its outreach tables cut to ``sites`` and the years ``min(years)`` .. ``max(years)``.

    The text columns the indicators read (site, pseudonym, codes) become
    categoricals with sorted categories: the same figures, but grouping, ``isin`` and comparisons no
    longer hash strings (10^6 rows in about a second). ``ds`` is not modified.
    """
    start = pd.Timestamp(year=int(min(years)), month=1, day=1)
    end = pd.Timestamp(year=int(max(years)) + 1, month=1, day=1)
    cut = {}
    for name, date_column in OUTREACH_TABLES.items():
        table = outreach_table(ds, name)
        dates = table[date_column]
        keep = ((dates >= start) & (dates < end)).fillna(False).to_numpy(dtype=bool)
        table = table.loc[keep]
        table = table.loc[table["site"].isin(list(sites)).fillna(False).to_numpy(dtype=bool)]
        cut[name] = table.assign(**{c: common.as_category(table[c]) for c in GROUPED_TEXT[name]})
    return replace(ds, **cut)


def year_cut(ds: Dataset, year: int, sites: Sequence[str]) -> Dataset:
    """``ds`` with its outreach tables cut to ``year`` and ``sites`` (medical tables untouched)."""
    cut = {
        name: common.in_year(outreach_table(ds, name), year, date_column, sites)
        for name, date_column in OUTREACH_TABLES.items()
    }
    return replace(ds, **cut)


# --- a report's sections over the years ---------------------------------------------------------


def check_method(method: str) -> None:
    """Raise :class:`EspacepError` for an unknown confidence-interval method."""
    if method not in stats.CI_METHODS:
        raise EspacepError(
            f"unknown confidence-interval method {method!r}; valid methods: {', '.join(stats.CI_METHODS)}"
        )


def run_sections(
    ds: Dataset, years: Sequence[int], sites: Sequence[str], sections, method: str, level: float
) -> list[pd.DataFrame]:
    """Figure rows of ``sections`` for each of ``years`` whose source table has rows in that year (at any site)."""
    covered = {
        name: years_with_rows(outreach_table(ds, name), column) for name, column in OUTREACH_TABLES.items()
    }
    compact = compact_outreach(ds, sites, years)
    parts: list[pd.DataFrame] = []
    for y in years:
        one = year_cut(compact, y, sites)
        parts.extend(
            section(one, y, method=method, level=level)
            for section, source in sections
            if y in covered[source]
        )
    return parts


def by_year(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate figure parts and order them by year (stable: section order kept within a year)."""
    figures = common.concat_figures(parts)
    return figures.sort_values("year", kind="stable", ignore_index=True)


def sections_by_year(
    ds: Dataset,
    key: tuple,
    years: Sequence[int],
    sites: Sequence[str],
    sections,
    medical,
    method: str,
    level: float,
) -> pd.DataFrame:
    """`by_year` of `run_sections` and ``medical(ds, years, method, level)``; inside `common.year_memo`,
    each year's rows are computed once per ``ds`` and ``key`` (funder, method, level)."""

    def compute(missing: list[int]) -> dict[int, list[pd.DataFrame]]:
        parts = run_sections(ds, missing, sites, sections, method, level)
        parts.append(medical(ds, missing, method, level))
        figures = by_year(parts)
        return {y: [figures.loc[figures["year"] == y]] for y in missing}

    return by_year(common.rows_by_year(ds, key, years, compute))


def with_comparisons(figures: pd.DataFrame, ids: Sequence[str], year: int, level: float) -> pd.DataFrame:
    """``figures`` followed by the comparison rows of ``ids`` across its years (none with one year)."""
    if figures.empty or figures["year"].nunique() < 2:
        return figures
    return common.concat_figures([figures, comparisons.compare_years(figures, ids, year, level)])
