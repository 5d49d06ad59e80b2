"""The analysts' front door: a few documented functions over the package's modules.

Everything here is re-exported by the package root (``import espacep_analysis as ep``)
and listed in its ``__all__``. Nothing here writes a file unless asked: no
disclosure cache unless ``cache_dir`` is given, no ``figures.csv`` unless
`Figures.to_csv` is called.

Figures come in a `Figures` object that says whether small counts are
masked: its repr starts with "NON MASQUÉES" when they are not, and writing
unmasked figures to a file warns (`UnmaskedFiguresWarning`).
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import settings
from .errors import ParameterError

if TYPE_CHECKING:
    from .dataset import Dataset
    from .pages import Report

#: Key of ``DataFrame.attrs`` saying whether a figures table is masked
MASKED_ATTR = "espacep_masked"
#: What an unmasked table says of itself
UNMASKED_NOTE = "NON MASQUÉES : petits effectifs visibles, usage interne, ne pas diffuser"


class UnmaskedFiguresWarning(UserWarning):
    """Unmasked figures (small counts visible) are being written to a file."""


class Figures:
    """A tidy figures table (one row per figure) and whether disclosure control masked it.

    Parameters
    ----------
    table : DataFrame
        Columns ``indicator, label, year, scope, numerator, denominator,
        value, lower, upper, method, unit`` (and ``suppressed``,
        ``suppression`` once masked). Values are unrounded.
    masked : bool
        True when counts from 1 to ``min_cell - 1`` (and the cells that
        would reveal them) are masked.
    min_cell : int, optional
        The threshold applied (None when unmasked).

    Notes
    -----
    ``table.attrs["espacep_masked"]`` carries the flag too, so a table taken
    out of the object still says what it is.
    """

    def __init__(self, table: pd.DataFrame, masked: bool, min_cell: int | None = None) -> None:
        self.table = table.copy()
        self.table.attrs[MASKED_ATTR] = bool(masked)
        self.masked = bool(masked)
        self.min_cell = min_cell if masked else None

    def _status(self) -> str:
        if self.masked:
            return f"masquées (seuil {self.min_cell})"
        return UNMASKED_NOTE

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        return f"Figures {self._status()} — {len(self.table)} lignes\n{self.table!r}"

    def _repr_html_(self) -> str:
        from html import escape

        style = "" if self.masked else ' style="color:#b00020;font-weight:bold"'
        head = f"<p{style}>Figures {escape(self._status())} — {len(self.table)} lignes</p>"
        return head + str(self.table._repr_html_())

    def select(self, prefix: str) -> Figures:
        """The figures whose indicator id starts with ``prefix`` (same masking)."""
        rows = self.table.loc[self.table["indicator"].astype(str).str.startswith(prefix)]
        return Figures(rows.reset_index(drop=True), self.masked, self.min_cell)

    def to_csv(self, path: str | Path) -> Path:
        """Write the table as CSV (UTF-8); warns with `UnmaskedFiguresWarning` when unmasked."""
        if not self.masked:
            warnings.warn(f"{path} : figures {UNMASKED_NOTE}", UnmaskedFiguresWarning, stacklevel=2)
        path = Path(path)
        self.table.to_csv(path, index=False, encoding="utf-8")
        return path


def load_dataset(
    data_dir: str | Path | None = None,
    params_dir: str | Path | None = None,
    accept_rejections: bool = False,
) -> Dataset:
    """Validate the exports of ``data_dir`` and return the typed `Dataset`.

    Parameters
    ----------
    data_dir : path, optional
        The exports (default: ``data/synthetic`` of the project, the synthetic example).
    params_dir : path, optional
        The params directory to use (``sites.yaml``, ...; default: ``params/`` of the project).
    accept_rejections : bool
        Keep the accepted rows when validation rejects some (a `UserWarning`
        counts them) instead of raising `DataError`.
    """
    from .load import load_dataset as _load

    settings.activate(Path(params_dir) if params_dir else settings.in_project(settings.PARAMS))
    data = Path(data_dir) if data_dir else settings.in_project(settings.DATA_DEFAULT)
    return _load(data, allow_rejections=accept_rejections)


def compute_figures(
    ds: Dataset, funder: str, year: int, method: str = "wilson", level: float = 0.95
) -> Figures:
    """The funder's row-derived figures of ``year``, UNMASKED (see `published_figures`, `protect`).

    Parameters
    ----------
    ds : Dataset
    funder : str
        A funder id (``inami``, ``aviq``, ``cocof``).
    year : int
    method : str
        Confidence-interval method of the proportions (`stats.CI_METHODS`).
    level : float
        Confidence level.
    """
    from . import publish

    return Figures(publish.compute(ds, funder, int(year), method, level), masked=False)


def published_figures(
    ds: Dataset,
    funder: str,
    year: int,
    min_cell: int | None = None,
    method: str = "wilson",
    level: float = 0.95,
    cache_dir: str | Path | None = None,
) -> Figures:
    """The figures the funder's report publishes: protected jointly with the other reports, declared ones added.

    ``min_cell`` None takes the funder's threshold from ``params/sites.yaml``;
    0 or 1 switches masking off. Nothing is cached unless ``cache_dir`` is given.
    """
    from . import publish

    table, threshold = publish.published_figures(
        ds, funder, int(year), method, level, min_cell, Path(cache_dir) if cache_dir else None
    )
    return Figures(table, masked=threshold > 1, min_cell=threshold)


def protect(figures: Figures | pd.DataFrame, min_cell: int = 5) -> Figures:
    """Mask the small counts of a figures table and what would reveal them (one table on its own).

    For a report's figures use `published_figures`, which also protects the
    relations between reports. ``min_cell`` 0 or 1 switches masking off.
    """
    from .disclosure import suppress_figures

    table = figures.table if isinstance(figures, Figures) else figures
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(f"protect : un tableau de figures est attendu, pas {type(figures).__name__}")
    return Figures(suppress_figures(table, min_cell), masked=min_cell > 1, min_cell=min_cell)


def mask_counts(counts: pd.DataFrame, min_cell: int = 5, total_label: str = "Total") -> pd.DataFrame:
    """A two-way table of counts with its totals, small counts masked, ready to show.

    Parameters
    ----------
    counts : DataFrame
        Whole numbers >= 0, without totals (e.g. ``pd.crosstab``).
    min_cell : int
        Counts from 1 to ``min_cell - 1`` show "< min_cell"; the cells masked
        so that they cannot be recomputed from the totals show "x".
    total_label : str

    Returns
    -------
    DataFrame
        Object cells: the count where published, the label where masked.
    """
    from .disclosure import mask_labels, suppress_table, with_totals

    masked, mask = suppress_table(counts, min_cell, total_label=total_label)
    labels = mask_labels(with_totals(counts, True, True, total_label), mask, min_cell)
    shown = masked.astype(object).where(~mask, labels)
    return shown.map(lambda v: int(v) if isinstance(v, float) else v)


def build_report(funder: str, year: int, data_dir: str | Path = "", **options: Any) -> Report:
    """Everything a funder's report shows (`pages.build_report`), without writing anything.

    The options are those of `pages.build_report` (``ci_method``, ``min_cell``,
    ``params_dir``, ``draft``, ...). Unless ``cache_dir`` is given, the
    disclosure cache lives in a temporary folder removed on return.
    ``Report.save_figures(folder)`` writes ``figures.csv`` when asked.
    """
    from .pages import build_report as _build

    if options.get("cache_dir"):
        return _build(funder, year, data_dir, **options)
    with tempfile.TemporaryDirectory(prefix="espacep-cache-") as scratch:
        return _build(funder, year, data_dir, **{**options, "cache_dir": scratch})
