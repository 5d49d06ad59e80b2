"""The figures a report publishes: computed once per funder, then disclosure-controlled.

Disclosure control runs on the reports of one year together, so that a figure
masked in one funder's report cannot be recovered from the figures another
funder's report prints (Brussels and Wallonia make up the INAMI total). Every
notebook calls `published_figures` for its own funder and gets the same masks
the other notebooks get.

The partitions (figures that add up to a total inside a report) come from the
funders' indicator modules (``partitions()`` and the ``hierarchy`` each
indicator declares, `partitions_of`), the relations (figures equal across
reports) from the funder registry (`relations`): nothing here names a funder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__, definitions, disclosure, files, funders, schemas, settings
from .dataset import Dataset
from .disclosure import Partition
from .errors import EspacepError
from .indicators.common import year_memo

# The disclosure cache when none is given: relative, hence under the project (`settings.in_project`);
# the batch passes <output>/.cache or --cache.
DEFAULT_CACHE_DIR = Path(settings.SCRATCH) / settings.CACHE


def compute(ds: Dataset, funder: str, year: int, method: str, level: float) -> pd.DataFrame:
    """The unmasked row-derived figures of one funder's report (declared figures are not in it).

    Joint protection uses these for every funder and year, whether or not
    the funders' params exist: declared figures come from the params, not
    from the rows, and are added to each report by `with_declared`.
    """
    figures = _indicator_module(funder).compute_figures(ds, year, method=method, level=level)
    return schemas.check_figures(figures, f"{funder} indicators")


def _indicator_module(funder: str):
    """The indicator module of ``funder`` (`funders.FunderSpec.indicators`; unknown funder: `EspacepError`)."""
    return funders.get(funder).indicator_module()


def with_declared(
    figures: pd.DataFrame, funder: str, year: int, threshold: int, params_dir: Path | None = None
) -> pd.DataFrame:
    """``figures`` (masked) and the funder's declared figures of ``year`` and the two years before.

    The declared rows are masked on their own (a declared count of 1 to
    ``threshold - 1`` persons is masked, zero never): no row-derived figure
    adds up with them. INAMI has no declared figure; an AViQ or Cocof report
    needs ``params/<year>/<funder>.yaml`` (`declared.load_declared` names it).
    """
    from . import declared

    if funders.get(funder).declared is None:  # INAMI: every figure comes from the rows
        return figures

    rows = declared.declared_history(funder, year, params_dir=params_dir)  # None: the active params directory
    masked = disclosure.suppress_figures(rows, threshold if threshold > 1 else 0)
    return (
        pd.concat([figures, masked.reindex(columns=figures.columns)], ignore_index=True)
        if len(rows)
        else figures
    )


def partitions_of(funder: str, figures: pd.DataFrame, sites) -> list[Partition]:
    """The figures of ``funder``'s report that add up (disclosure control), for any funder.

    Its indicator module's ``partitions()`` (none without one), then the site
    hierarchy lines of each indicator its ``DEFINITIONS`` declare a
    ``hierarchy`` (`definitions.HIERARCHIES`, in that order, then in
    declaration order) over the funder's scope; ``figures`` are the report's,
    for the lines made only where their parts are published. A spec naming
    its own ``partitions(figures, sites)`` (`funders.FunderSpec.partitions`) gets those instead.
    """
    spec = funders.get(funder)
    if spec.partitions:
        return funders.resolve(spec.partitions)(figures, sites)
    module = spec.indicator_module()
    parts = list(module.partitions()) if hasattr(module, "partitions") else []
    present = set(zip(figures["indicator"], figures["scope"]))
    declared = module.DEFINITIONS.values()
    for how in definitions.HIERARCHIES:
        for indicator in (i for i in declared if i.hierarchy == how):
            parts += disclosure.hierarchy_lines(sites, spec.scope, indicator.id, how, present)
    return parts


def published_figures(
    ds: Dataset,
    funder: str,
    year: int,
    method: str = "wilson",
    level: float = 0.95,
    min_cell: int | None = None,
    cache_dir: Path | None = DEFAULT_CACHE_DIR,
    params_dir: Path | None = None,
) -> tuple[pd.DataFrame, int]:
    """The figures ``funder``'s report publishes for ``year``, and the threshold applied.

    ``min_cell`` None takes the funder's threshold from ``params/sites.yaml``;
    0 or 1 switches masking off (internal runs). With masking on, every
    funder's figures of the year are computed and protected together; the
    result is cached in ``cache_dir`` (aggregates only) under a key of every
    input, so the three notebooks of a year pay the protection once. The
    funder's declared figures (``params_dir``, default ``params/``) are added
    after the protection (`with_declared`).
    """
    spec = funders.get(funder)
    threshold = ds.sites.funder_min_cell.get(spec.threshold_key, 5) if min_cell is None else int(min_cell)
    if threshold <= 1:
        figures = disclosure.suppress_figures(compute(ds, funder, year, method, level), 0)
    else:
        figures = protected_year(ds, year, method, level, threshold, cache_dir)[funder]
    return with_declared(figures, funder, year, threshold, params_dir), threshold


def protected_year(
    ds: Dataset,
    year: int,
    method: str,
    level: float,
    threshold: int,
    cache_dir: Path | None = DEFAULT_CACHE_DIR,
) -> dict[str, pd.DataFrame]:
    """Every funder's masked figures of report year ``year`` (see `protected_years`)."""
    every = protected_years(ds, method, level, threshold, cache_dir)
    if int(year) not in every:
        raise EspacepError(f"no report for {year}: the data have consultations in {sorted(every)}")
    return every[int(year)]


def protected_years(
    ds: Dataset, method: str, level: float, threshold: int, cache_dir: Path | None = DEFAULT_CACHE_DIR
) -> dict[int, dict[str, pd.DataFrame]]:
    """Every report of every year of the data, masked together (read from the cache when present).

    A report prints earlier years beside its own, so the same count appears
    in several years' reports: they are protected as one set of linked
    tables, and a count masked in one report is masked in all of them.
    """
    if cache_dir is None:
        return _compute_protection(ds, method, level, threshold, None)
    path = settings.in_project(cache_dir) / f"disclosure-{_cache_key(ds, method, level, threshold)}.pkl"
    if path.is_file():
        return _read_pickle(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _cache_lock(path.parent):  # the batch's warm-up computes it: wait for it rather than compute it too
        if path.is_file():
            return _read_pickle(path)
        return _compute_protection(ds, method, level, threshold, path)


def _read_pickle(path: Path):
    with open(path, "rb") as handle:
        return pickle.load(handle)


@contextlib.contextmanager
def _cache_lock(directory: Path) -> Iterator[None]:
    """An exclusive ``flock`` on the cache directory itself (no lock file: the output folder holds only
    what the audit knows), released when the block ends or the process dies; none where ``flock`` is absent."""
    try:
        import fcntl
    except ImportError:  # not POSIX: two processes may compute the same protection, as before
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):  # a file system without flock: compute, as before
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _compute_protection(
    ds: Dataset, method: str, level: float, threshold: int, path: Path | None
) -> dict[int, dict[str, pd.DataFrame]]:
    """Every report of every year masked together (`protected_years`), written to ``path`` when given."""
    with year_memo():  # each (funder, year) computed once, not once per report that prints it
        raw = {y: {f: _report_figures(ds, f, y, method, level) for f in funders.ids()} for y in ds.years}
    masked = _protect_years(raw, ds.sites, threshold)
    masked = {
        y: {f: _fold_extremes(ds, f, table, threshold) for f, table in reports.items()}
        for y, reports in masked.items()
    }
    masked = {
        y: {
            f: disclosure.release_verdicts(raw[y][f], masked[y][f], threshold, _decider(level))
            for f in raw[y]
        }
        for y in raw
    }
    if path is not None:  # atomic, and no temporary file is left when the disk is full
        files.write_atomic(path, pickle.dumps(masked, protocol=pickle.HIGHEST_PROTOCOL))
    return masked


def _report_figures(ds: Dataset, funder: str, year: int, method: str, level: float) -> pd.DataFrame:
    """The unmasked figures a report may publish (internal-only tables left out)."""
    figures = compute(ds, funder, year, method, level)
    # The age pyramid by gender is the finest table (men and trans persons per age band are
    # mostly 0 to 4): with masking on it is not published at all rather than mostly masked.
    internal = definitions.ids_where(_indicator_module(funder).DEFINITIONS, "internal")
    return figures[~figures["indicator"].isin(internal)].reset_index(drop=True)


def extreme_age_label(side: str, k: int) -> str:
    """The label of a folded extreme age (what the figure then measures)."""
    return f"Âge de la {k}e personne la plus {'jeune' if side == 'youngest' else 'âgée'}"


def _fold_extremes(ds: Dataset, funder: str, table: pd.DataFrame, k: int) -> pd.DataFrame:
    """The extremes ``funder`` declares (``Indicator.extreme``) folded to the ``k``-th youngest and oldest.

    As in the report's age histogram: an age that fewer than ``k`` persons
    reach describes one person, so the report prints the age of the
    ``k``-th youngest (those ``k`` persons are that age or younger) and of
    the ``k``-th oldest, read from the distribution the indicator names
    (``Indicator.distribution``, a function of its module). With fewer than
    ``k`` ages known, nothing is printed.
    """
    module = _indicator_module(funder)
    out = table.copy()
    for extreme in (i for i in module.DEFINITIONS.values() if i.extreme):
        for i in np.flatnonzero((out["indicator"] == extreme.id).to_numpy()):
            values = getattr(module, extreme.distribution)(ds, int(out["year"].iloc[i]))
            ages = values.sort_values(ignore_index=True)
            folded = np.nan
            if len(ages) >= k and not out["suppressed"].iloc[i]:
                folded = float(ages.iloc[k - 1] if extreme.extreme == "youngest" else ages.iloc[-k])
            out.loc[out.index[i], ["value", "label", "method"]] = [
                folded,
                extreme_age_label(extreme.extreme, k),
                f"folded_{k}",
            ]
            if np.isnan(folded):
                out.loc[out.index[i], ["suppressed", "suppression"]] = [True, "derived"]
    return out


_KEY = ["indicator", "scope", "year"]
_SAME = _KEY + ["numerator", "denominator", "value"]


def _union(tables: list[pd.DataFrame], funder: str) -> pd.DataFrame:
    """One funder's figures of every report year, each (indicator, scope, year) once."""
    union = pd.concat(tables, ignore_index=True).drop_duplicates(_SAME)
    clash = union.duplicated(_KEY, keep=False)
    if clash.any():
        row = union.loc[clash].iloc[0]
        raise EspacepError(
            f"disclosure control: {funder} figure {row['indicator']} ({row['scope']}, {int(row['year'])}) "
            "differs between two years' reports; a figure must have one definition"
        )
    return union.reset_index(drop=True)


def _protect_years(
    raw: dict[int, dict[str, pd.DataFrame]], sites, threshold: int
) -> dict[int, dict[str, pd.DataFrame]]:
    """Mask the union of every year's reports, then cut each report back out of it."""
    union = {f: _union([raw[y][f] for y in raw], f) for f in next(iter(raw.values()))}
    masked = _protect(union, sites, threshold)
    out: dict[int, dict[str, pd.DataFrame]] = {}
    for y, reports in raw.items():
        out[y] = {}
        for f, table in reports.items():
            keyed = masked[f].set_index(_KEY)
            rows = keyed.loc[pd.MultiIndex.from_frame(table[_KEY])].reset_index()
            out[y][f] = rows[list(masked[f].columns)]
    return out


def _decider(level: float):
    """The decision behind the ``<id>.verdict`` rows, for `disclosure.release_verdicts`."""
    from .indicators import comparisons

    def decide(x, n, years) -> float:
        return comparisons.verdict_value(x, n, years, level=level)

    return decide


def _cache_key(ds: Dataset, method: str, level: float, threshold: int) -> str:
    """sha256 of the inputs, the parameters, the params files a report reads and the code version.

    The params are those of the active params directory (`settings.runtime_params_files`:
    the calibration targets are left out).
    """
    digest = hashlib.sha256()
    digest.update(
        json.dumps([sorted(ds.sources.items()), method, float(level), int(threshold), __version__]).encode()
    )
    root = settings.params_dir()
    for path in settings.runtime_params_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + path.read_bytes())
    for path in sorted(Path(__file__).resolve().parent.rglob("*.py")):
        digest.update(path.read_bytes())  # any code change invalidates the cache
    digest.update(funders.code_digest().encode())  # and the funders registered outside the package
    return digest.hexdigest()[:32]


def scope_classes(sites, scopes) -> dict[str, frozenset]:
    """Each scope label (``region:x``, ``antenna:x``, ...) and each report's ``all`` -> the sites it covers.

    Scopes with the same sites count the same persons (Brussels is one
    antenna; Flanders is the Pasop site): disclosure control treats a count
    hidden in one as hidden in the others.
    """
    classes: dict = {}
    for spec in funders.registered().values():  # a report's "all" is its funder's sites
        classes[(spec.id, "all")] = frozenset(sites.funder_sites(spec.scope))
    for scope in scopes:
        level, _, code = str(scope).partition(":")
        if level in ("site", "antenna", "province", "region") and code:
            classes[scope] = frozenset(sites.sites_of(level, code))
        else:
            classes[scope] = frozenset({scope})
    return classes


def _protect(raw: dict[str, pd.DataFrame], sites, threshold: int) -> dict[str, pd.DataFrame]:
    partitions = {f: partitions_of(f, raw[f], sites) for f in raw}
    scopes = {s for table in raw.values() for s in table["scope"]}
    return disclosure.protect_across_reports(
        raw,
        relations(),
        threshold,
        partitions=partitions,
        depends_on=definitions.depends_on(*(_indicator_module(f).DEFINITIONS for f in raw)),
        scope_classes=scope_classes(sites, scopes),
    )


def relations() -> list[disclosure.Relation]:
    """The figures reprinted across reports (`funders.FunderSpec.relations`: AViQ's Wallonia and Cocof's
    Brussels medical figures are INAMI's region figures, migrant share: its count)."""
    return [
        disclosure.Relation(
            total=(shared.source, shared.source_indicator, shared.scope),
            parts=((spec.id, shared.indicator, shared.scope),),
        )
        for spec in funders.registered().values()
        for shared in spec.relations
    ]
