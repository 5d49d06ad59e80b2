"""Statistical disclosure control for the published figures and tables.

The reports leave the organisation, and the people counted are few in some
places: a count of 1 to ``min_cell - 1`` could point at a person. This module
masks such counts (primary suppression), everything computed from them, and
the further cells (complementary or secondary suppression) without which a
masked count could be recovered by subtraction, within a table, within a
group of figures that add up to a total, and across the reports of the three
funders for the same year.

Two labels are used in the rendered reports (:func:`masked_label`):
``"< 5"`` for a count from 1 to 4 (primary suppression) and ``"x"`` for any
other masked figure (a percentage or ratio derived from a masked count, or a
complementary cell). Zero is never masked.

Public API
----------
- :func:`suppress_figures`, :func:`suppress_partition`: the tidy figures table.
- :func:`suppress_table`, :func:`with_totals`, :func:`mask_labels`: display
  tables of counts with margins.
- :func:`cross_report_check`, :func:`protect_across_reports`: the funders'
  reports of one year together.
- :func:`hierarchy_lines` (:func:`hierarchy_partitions`, :func:`antenna_partitions`,
  :func:`site_partitions`): the partitions of one indicator over the site
  hierarchy, as its definition declares (`definitions.HIERARCHIES`).
- :func:`release_verdicts`: the verdicts on masked counts that give no count back.
- :func:`methods_note`, :func:`masked_label`: the wording the reports print.

References
----------
.. [1] Hundepool A, Domingo-Ferrer J, Franconi L, Giessing S, Schulte Nordholt
   E, Spicer K, de Wolf P-P (2012). *Statistical Disclosure Control*. Wiley.
   Chapter 4 (magnitude tables) and chapter 5 (frequency tables): threshold
   rule, secondary suppression, feasibility intervals computed by linear
   programming, linked tables.
.. [2] Cox LH (1980). Suppression methodology and statistical disclosure
   control. Journal of the American Statistical Association 75:377-385.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import pandas as pd
from highspy._core import _Highs

from .definitions import HIERARCHIES, Denominator, Partition
from .errors import EspacepError, InternalError, ParameterError
from .schemas import FIGURE_CORE_COLUMNS, check_figures

# Units whose `value` is a count of something (a count row has no numerator).
# Units whose small counts could point at a person (counts of things are not masked)
from .units import DISCLOSIVE_UNITS as COUNT_UNITS

SUPPRESSION_KINDS: tuple[str, ...] = ("", "primary", "derived", "secondary")
MASKED_COLUMNS = ("value", "lower", "upper", "numerator")
SECONDARY_LABEL = "x"


# --- labels and wording ------------------------------------------------------------


def _check_min_cell(min_cell) -> int:
    """Return ``min_cell`` as an int >= 0, else raise."""
    if isinstance(min_cell, bool) or not isinstance(min_cell, int | np.integer):
        raise ParameterError(f"min_cell must be a whole number >= 0 (0 = off), got {min_cell!r}")
    if min_cell < 0:
        raise ParameterError(f"min_cell must be >= 0 (0 = off), got {min_cell}")
    return int(min_cell)


def masked_label(min_cell: int, kind: str = "primary") -> str:
    """Text shown in place of a masked figure.

    Parameters
    ----------
    min_cell : int
        The threshold: counts from 1 to ``min_cell - 1`` are masked.
    kind : {"primary", "derived", "secondary"}
        ``"primary"`` (a count below the threshold) gives ``"< 5"`` for
        ``min_cell = 5``; any other masked figure gives ``"x"``.

    Returns
    -------
    str

    Examples
    --------
    >>> masked_label(5)
    '< 5'
    >>> masked_label(5, kind="secondary")
    'x'
    """
    min_cell = _check_min_cell(min_cell)
    if kind not in SUPPRESSION_KINDS[1:]:
        raise ParameterError(f"unknown suppression kind {kind!r}; expected one of {SUPPRESSION_KINDS[1:]}")
    if kind == "primary":
        return f"< {min_cell}"
    return SECONDARY_LABEL


def methods_note(min_cell: int, lang: str = "fr") -> str:
    """The methods-note sentence stating the suppression rule applied.

    Parameters
    ----------
    min_cell : int
        Threshold; 0 or 1 means no suppression (internal runs).
    lang : {"fr", "en"}

    Returns
    -------
    str
        One paragraph, e.g. for ``min_cell=5``: "Pour protéger l'anonymat des
        personnes, les effectifs de 1 à 4 sont masqués (« < 5 »), ainsi que ...".
    """
    min_cell = _check_min_cell(min_cell)
    if lang not in ("fr", "en"):
        raise ParameterError(f"methods_note: unknown language {lang!r}; expected 'fr' or 'en'")
    label = masked_label(max(min_cell, 2))
    top = min_cell - 1
    if lang == "en":
        if min_cell <= 1:
            return "No figure is masked (internal report, disclosure control off)."
        counts = "counts of 1" if top == 1 else f"counts from 1 to {top}"
        return (
            f"To protect anonymity, {counts} are masked (“{label}” in tables). The "
            "percentages, confidence intervals and comparisons derived from them, "
            f"percentages whose complement is from 1 to {top} and the complementary cells "
            "needed so that no masked value can be recovered by subtraction from totals, "
            "other cells or the figures published in the reports to the other funders "
            "are masked too (“x” in tables); complementary cells are chosen among the "
            "smallest non-zero cells. Every table holding a mask repeats this in a legend; "
            "the text says a masked figure in words. Zeros are never masked."
        )
    if min_cell <= 1:
        return "Aucun chiffre n'est masqué (rapport interne, contrôle de la divulgation désactivé)."
    counts = (
        "les effectifs égaux à 1 sont masqués" if top == 1 else (f"les effectifs de 1 à {top} sont masqués")
    )
    nb = "\u00a0"
    return (
        f"Pour protéger l'anonymat des personnes, {counts} («{nb}{label}{nb}» dans les "
        "tableaux). Les pourcentages, intervalles de confiance et comparaisons qui en "
        f"dérivent, les pourcentages dont le complément est de 1 à {top} et les cellules "
        "complémentaires nécessaires pour qu'aucune valeur masquée ne puisse être "
        "retrouvée par différence, à partir des totaux, des autres cellules ou des "
        "chiffres publiés dans les rapports destinés aux autres pouvoirs subsidiants, "
        f"sont également masqués («{nb}x{nb}» dans les tableaux) ; les cellules "
        "complémentaires sont choisies parmi les plus petites cellules non nulles. Chaque "
        "tableau qui contient un masque le rappelle en légende ; dans le texte, un chiffre "
        f"masqué est dit en toutes lettres («\u00a0moins de {min_cell}\u00a0», «\u00a0valeur non publiée\u00a0»). "
        "Les zéros ne sont jamais masqués."
    )


# --- the engine: lines of cells that add up, complementary suppression ---------------


@dataclass(frozen=True)
class _Line:
    """Cells (indices into the cell arrays) with ``sum(parts) == total``.

    ``exact=False`` means ``sum(parts) >= total`` (a person seen in two
    antennas counts once in the region total).
    """

    total: int
    parts: tuple[int, ...]
    exact: bool = True
    label: str = ""

    @property
    def cells(self) -> tuple[int, ...]:
        return self.parts + (self.total,)


def _line_candidate(values: np.ndarray, hidden: np.ndarray, line: _Line) -> int | None:
    """Smallest non-zero published cell of ``line`` (ties: first in order)."""
    best = None
    for i in line.cells:
        v = values[i]
        if hidden[i] or not np.isfinite(v) or v == 0:
            continue
        if best is None or v < values[best]:
            best = i
    return best


def _line_rule(values: np.ndarray, suppressed: np.ndarray, lines: Sequence[_Line]) -> np.ndarray:
    """Apply "one masked cell in a line -> mask its smallest non-zero cell" until stable.

    A cell whose value is NaN is not published at all: a line with a masked
    cell and an unpublished one has two unknowns and needs nothing more.
    """
    supp = suppressed.copy()
    changed = True
    while changed:
        changed = False
        for line in lines:
            unknown = [i for i in line.cells if supp[i] or not np.isfinite(values[i])]
            if len(unknown) == 1 and supp[unknown[0]]:
                cand = _line_candidate(values, supp, line)
                if cand is not None:
                    supp[cand] = True
                    changed = True
    return supp


def _reader_bounds(value: float, min_cell: int) -> tuple[float, float | None]:
    """What a reader knows of a masked cell whose true value is ``value``.

    "< 5" cells are 1..4; other masked cells ("x") were not below the
    threshold and zeros are never masked, so they are >= ``min_cell``; a
    masked zero (a percentage with a masked denominator) and an unpublished
    cell are only known to be >= 0.
    """
    if not np.isfinite(value) or value <= 0:
        return (0.0, None)
    if value < min_cell:
        return (1.0, float(min_cell - 1))
    return (float(min_cell), None)


def _components(lines: Sequence[_Line], unknown: np.ndarray) -> list[list[int]]:
    """Group the lines that contain unknown cells into connected components."""
    parent: dict[int, int] = {}

    def find(a: int) -> int:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    used = [k for k, line in enumerate(lines) if any(unknown[i] for i in line.cells)]
    for k in used:
        cells = [i for i in lines[k].cells if unknown[i]]
        for i in cells[1:]:
            parent[find(i)] = find(cells[0])
    groups: dict[int, list[int]] = {}
    for k in used:
        first = next(i for i in lines[k].cells if unknown[i])
        groups.setdefault(find(first), []).append(k)
    return list(groups.values())


class _Infeasible(Exception):
    def __init__(self, lines: list[_Line]):
        super().__init__("; ".join(line.label or str(line.cells) for line in lines))
        self.lines = lines


def _component_lp(published, lines, comp) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray]:
    """Constraints of one component: (variables, A, lower, upper) with ``lower <= A x <= upper``.

    One column per unknown cell, in cell order; one row per line, the
    inequalities first (``sum(parts) - total >= rhs`` written as
    ``-(sum(parts) - total) <= -rhs``), then the equalities (lower == upper).
    """
    variables = sorted({i for k in comp for i in lines[k].cells if not np.isfinite(published[i])})
    col = {i: j for j, i in enumerate(variables)}
    rows = sorted(comp, key=lambda k: lines[k].exact)  # stable: inequalities first
    a = np.zeros((len(rows), len(variables)))
    rhs = np.zeros(len(rows))
    for r, k in enumerate(rows):
        line = lines[k]
        for i, sign in [(p, 1.0) for p in line.parts] + [(line.total, -1.0)]:
            if np.isfinite(published[i]):
                rhs[r] -= sign * published[i]
            else:
                a[r, col[i]] += sign
    flip = np.array([1.0 if lines[k].exact else -1.0 for k in rows])
    lower = np.where(flip < 0, -np.inf, rhs)
    return variables, a * flip[:, None], lower, rhs * flip


def _highs_model(a: np.ndarray, lower: np.ndarray, upper: np.ndarray, var_bounds) -> _Highs:
    """A silent HiGHS solver holding ``lower <= a x <= upper`` and the variable bounds.

    ``_Highs`` is HiGHS's solver class itself; its Python subclass
    ``highspy.Highs`` prints a banner on the console when first built.
    """
    solver = _Highs()
    solver.setOptionValue("output_flag", False)
    low = np.array([b[0] for b in var_bounds], dtype=float)
    high = np.array([np.inf if b[1] is None else b[1] for b in var_bounds], dtype=float)
    rows, cols = np.nonzero(a)  # row-wise: by row, then by column
    starts = np.searchsorted(rows, np.arange(a.shape[0])).astype(np.int32)
    added = [
        solver.addVars(a.shape[1], low, high),
        solver.addRows(a.shape[0], lower, upper, len(cols), starts, cols.astype(np.int32), a[rows, cols]),
    ]
    if highspy.HighsStatus.kError in added:
        raise InternalError("disclosure control: HiGHS rejected the linear program")
    return solver


def _optimum(solver: _Highs, j: int, sign: float, lines: list[_Line]) -> float:
    """Minimum (``sign`` 1) or maximum (``sign`` -1) of variable ``j`` of ``solver``'s model.

    Only the objective changes between calls, so HiGHS starts from the last
    optimal basis (a warm start). An unbounded program gives ``inf``; an
    infeasible one raises :class:`_Infeasible` naming ``lines`` (the model's).
    """
    n = solver.getNumCol()
    cost = np.zeros(n)
    cost[j] = sign
    solver.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    solver.run()
    status = solver.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        raise _Infeasible(lines)
    if status == highspy.HighsModelStatus.kUnbounded:  # only the maximum can be
        return np.inf
    if status != highspy.HighsModelStatus.kOptimal:
        message = solver.modelStatusToString(status)
        raise InternalError(f"disclosure control: linear program failed: {message}")
    return sign * solver.getObjectiveValue()


def _feasible_ranges(
    published: np.ndarray,
    bounds: Mapping[int, tuple],
    lines: Sequence[_Line],
    targets: Iterable[int],
    memo: dict | None = None,
) -> dict[int, tuple[float, float]]:
    """Min and max of each target cell given the published cells and the lines.

    ``published`` holds NaN for every cell the reader does not see; ``bounds``
    gives (low, high) for those cells (default (0, None)). Raises
    :class:`_Infeasible` when the published figures contradict each other.
    ``memo`` (one dict per set of true values and bounds) keeps the ranges of
    each component, so that a component no new mask touched is not solved again.

    Notes
    -----
    Each connected component of lines is one linear program over the
    continuous relaxation, solved with the simplex solver of HiGHS [1]_: the model
    is built once and solved again for every target cell and both senses
    with only the objective changed, each solve starting from the previous
    optimal basis. The constraint matrices of sums of cells are totally
    unimodular, so the bounds are integers.

    References
    ----------
    .. [1] Huangfu Q, Hall JAJ (2018). Parallelizing the dual revised simplex
       method. Mathematical Programming Computation 10:119-142.
    """
    targets = set(targets)
    memo = {} if memo is None else memo
    unknown = ~np.isfinite(published)
    ranges: dict[int, tuple[float, float]] = {}
    for comp in _components(lines, unknown):
        if not any(i in targets for k in comp for i in lines[k].cells):
            continue
        variables, a, lower, upper = _component_lp(published, lines, comp)
        var_bounds = [bounds.get(i, (0.0, None)) for i in variables]
        key = (tuple(comp), tuple(variables), tuple(var_bounds), tuple(sorted(targets & set(variables))))
        if key in memo:
            ranges.update(memo[key])
            continue
        solver, comp_lines = _highs_model(a, lower, upper, var_bounds), [lines[k] for k in comp]
        found = {
            i: (_optimum(solver, j, 1.0, comp_lines), _optimum(solver, j, -1.0, comp_lines))
            for j, i in enumerate(variables)
            if i in targets
        }
        memo[key] = found
        ranges.update(found)
    return ranges


def _pinned(low: float, high: float) -> bool:
    """True when the integer range [low, high] holds at most one value."""
    return np.floor(high + 1e-6) <= np.ceil(low - 1e-6)


def _exposed(values, suppressed, lines, min_cell, memo: dict | None = None) -> list[int]:
    """Masked cells (in some line) whose value the reader can work out exactly."""
    published = np.where(suppressed, np.nan, values)
    in_lines = {i for line in lines for i in line.cells}
    targets = [int(i) for i in np.flatnonzero(suppressed) if i in in_lines]
    bounds = {i: _reader_bounds(values[i], min_cell) for i in in_lines if suppressed[i]}
    try:
        ranges = _feasible_ranges(published, bounds, lines, targets, memo)
    except _Infeasible as exc:  # only if true values break an exact line
        raise InternalError(f"figures that should add up do not: {exc}") from None
    return [i for i in targets if i in ranges and _pinned(*ranges[i])]


def _check_exact_lines(values: np.ndarray, lines: Sequence[_Line]) -> None:
    """Raise when a line declared exact does not add up on the true values."""
    for line in lines:
        cells = np.array([values[i] for i in line.cells])
        if not line.exact or not np.all(np.isfinite(cells)):
            continue
        parts, total = cells[:-1].sum(), cells[-1]
        if abs(parts - total) > 1e-9 * max(1.0, abs(total)):
            raise InternalError(
                f"disclosure control: the parts of {line.label or 'a partition'} sum to "
                f"{parts:g} but the total is {total:g}; declare it with exact=False if the "
                "total counts a person once across parts"
            )


def _candidates(values: np.ndarray, supp: np.ndarray, lines: Sequence[_Line], reach: set[int]) -> list:
    """``(value, line, cell)`` complementary candidates in the lines of ``reach``, widened hop by hop.

    First the lines holding an exposed cell; when all their cells are masked
    or zero, the lines linked to them through a masked cell (a masked sum
    pinned by another line of its parts), and so on.
    """
    seen: set[int] = set()
    while True:
        found, grown = [], set(reach)
        for k, line in enumerate(lines):
            if k in seen or not any(i in reach for i in line.cells):
                continue
            seen.add(k)
            grown |= {i for i in line.cells if supp[i]}
            cand = _line_candidate(values, supp, line)
            if cand is not None:
                found.append((values[cand], k, cand))
        if found or grown == reach:
            return found
        reach = grown


def _protect(
    values: np.ndarray,
    suppressed: np.ndarray,
    lines: Sequence[_Line],
    min_cell: int,
    memo: dict | None = None,
) -> np.ndarray:
    """Complementary suppression: line rule, then LP audit, adding cells until safe.

    ``memo`` may be shared by calls with the same ``values`` and ``lines``.
    """
    _check_exact_lines(values, lines)
    supp = suppressed.copy()
    memo = {} if memo is None else memo
    for _ in range(len(values) + 1):
        supp = _line_rule(values, supp, lines)
        exposed = _exposed(values, supp, lines, min_cell, memo)
        if not exposed:
            return supp
        candidates = _candidates(values, supp, lines, set(exposed))
        if not candidates:
            raise EspacepError(
                f"disclosure control: cannot protect masked cells {[int(i) for i in exposed]}: every other "
                "cell of their lines is already masked or zero"
            )
        supp[min(candidates)[2]] = True
    raise InternalError("disclosure control: complementary suppression did not converge")


# --- display tables of counts with margins ---------------------------------------------


_TOTAL_NAMES = ("total", "totaux", "ensemble", "all")


def _check_counts_table(counts: pd.DataFrame, total_label: str) -> np.ndarray:
    """Interior cells as a float array; raise on totals already present or bad counts."""
    if not isinstance(counts, pd.DataFrame):
        raise ParameterError(f"suppress_table: expected a DataFrame of counts, got {type(counts).__name__}")
    for axis, labels in (("column", counts.columns), ("row", counts.index)):
        for label in labels:
            if str(label).strip().lower() in _TOTAL_NAMES + (total_label.lower(),):
                raise ParameterError(
                    f"suppress_table: {axis} {label!r} looks like a total; pass the interior "
                    "cells only (totals are added by the function)"
                )
    try:
        values = counts.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"suppress_table: cells must be numeric counts: {exc}") from None
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ParameterError(
            f"suppress_table: cell ({counts.index[r]!r}, {counts.columns[c]!r}) = {values[r, c]!r}: "
            "counts must be whole numbers >= 0"
        )
    return values


def with_totals(
    counts: pd.DataFrame, row_totals: bool = True, col_totals: bool = True, total_label: str = "Total"
) -> pd.DataFrame:
    """The table as published: interior cells plus a total column and/or row.

    Parameters
    ----------
    counts : DataFrame
        Interior cells (whole numbers >= 0), without totals.
    row_totals, col_totals : bool
        Append a ``total_label`` column (each row's sum) / row (each column's sum,
        and the grand total when both are requested).
    total_label : str

    Returns
    -------
    DataFrame of float64.
    """
    values = _check_counts_table(counts, total_label)
    table = pd.DataFrame(values, index=counts.index, columns=counts.columns)
    if row_totals:
        table[total_label] = values.sum(axis=1)
    if col_totals:
        table.loc[total_label] = table.sum(axis=0)
    return table


def _table_lines(n_rows: int, n_cols: int, row_totals: bool, col_totals: bool) -> list[_Line]:
    """Lines of a table laid out as ``with_totals`` lays it out (row-major cells)."""
    width = n_cols + (1 if row_totals else 0)
    cell = lambda r, c: r * width + c  # noqa: E731
    lines = []
    body_rows = n_rows + (1 if col_totals else 0)  # the totals row is a line too
    if row_totals:
        for r in range(body_rows):
            lines.append(_Line(cell(r, n_cols), tuple(cell(r, c) for c in range(n_cols)), label=f"row {r}"))
    if col_totals:
        for c in range(width):
            lines.append(
                _Line(cell(n_rows, c), tuple(cell(r, c) for r in range(n_rows)), label=f"column {c}")
            )
    return lines


def suppress_table(
    counts: pd.DataFrame,
    min_cell: int,
    row_totals: bool = True,
    col_totals: bool = True,
    total_label: str = "Total",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mask small counts of a two-way table and the cells that would reveal them.

    Parameters
    ----------
    counts : DataFrame
        Interior cells (whole numbers >= 0), WITHOUT totals: the function adds
        the margins the published table shows (see :func:`with_totals`).
    min_cell : int
        Counts from 1 to ``min_cell - 1`` are masked; 0 or 1 switches masking off.
    row_totals, col_totals : bool
        Whether the published table shows a total per row (a total column) and
        a total per column (a total row, with the grand total when both).
    total_label : str
        Label of the added total row / column.

    Returns
    -------
    masked : DataFrame
        The table with its totals, float64, NaN in every masked cell.
    mask : DataFrame of bool
        True where masked (same shape and labels as ``masked``); use
        :func:`mask_labels` to get the text to print.

    Notes
    -----
    Primary suppression masks every cell (totals included) from 1 to
    ``min_cell - 1``; zeros are never masked. Complementary suppression then
    follows a documented rule ([1]_, ch. 4-5): in every line of the table (a
    row with its total, a column with its total, the totals row and the
    totals column) that holds exactly one masked cell, mask also the smallest
    non-zero unmasked cell of that line (ties: the first in row-major order,
    the total last); repeat until no line changes.

    The result is then audited: for every masked cell the interval of values
    compatible with what is published (the unmasked cells, the margins, and
    what the labels say: a "< 5" cell is from 1 to 4, an "x" cell is at least
    ``min_cell``) is computed by linear programming (min and max of the cell,
    HiGHS, continuous relaxation of the non-negative
    integer problem; the sum constraints of a table are totally unimodular, so
    its bounds are integers). A cell whose interval holds a single value
    would be recovered exactly; the smallest non-zero unmasked cell of one of
    its lines is masked and the whole procedure repeats until no masked cell
    is exposed. The check guarantees against exact recovery only; it does not
    enforce a minimum width of the interval (a protection level).

    References
    ----------
    .. [1] Hundepool A et al. (2012). Statistical Disclosure Control. Wiley.

    Examples
    --------
    A row 3 | 20 with its total 23: 3 is masked ("< 5"), and 20 must go too,
    or 23 - 20 would give it back; the column totals then force one more cell
    in the other row, and so on.
    """
    min_cell = _check_min_cell(min_cell)
    table = with_totals(counts, row_totals, col_totals, total_label)
    values = table.to_numpy(dtype="float64").ravel()
    primary = (values >= 1) & (values < min_cell) if min_cell > 1 else np.zeros(len(values), bool)
    lines = _table_lines(len(counts.index), len(counts.columns), row_totals, col_totals)
    suppressed = _protect(values, primary, lines, min_cell) if primary.any() else primary
    mask = pd.DataFrame(suppressed.reshape(table.shape), index=table.index, columns=table.columns)
    return table.mask(mask), mask


def mask_labels(table: pd.DataFrame, mask: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Text for the masked cells: "< 5" for a masked count below the threshold, "x" otherwise.

    Parameters
    ----------
    table : DataFrame
        The UNMASKED table with its totals (:func:`with_totals`).
    mask : DataFrame of bool
        From :func:`suppress_table`.
    min_cell : int

    Returns
    -------
    DataFrame of str, "" for the published cells.
    """
    min_cell = _check_min_cell(min_cell)
    if not (table.index.equals(mask.index) and table.columns.equals(mask.columns)):
        raise ParameterError("mask_labels: table and mask must have the same rows and columns")
    small = (table >= 1) & (table < min_cell)
    labels = pd.DataFrame("", index=table.index, columns=table.columns, dtype=object)
    labels = labels.mask(mask & ~small, SECONDARY_LABEL)
    return labels.mask(mask & small, masked_label(max(min_cell, 2)))


# --- the figures table ------------------------------------------------------------------


DENOMINATOR_CELL = "denominator"  # column ``_cell`` of the count row a proportion's denominator becomes


def _denominator_ids(partitions: Iterable[Partition | tuple]) -> set[str]:
    ids = set()
    for part in partitions:
        part = part if isinstance(part, Partition) else Partition(*part)
        ids |= {p.indicator for p in (*part.parts, part.total) if isinstance(p, Denominator)}
    return ids


def _with_denominator_rows(fig: pd.DataFrame, ids: set[str]) -> pd.DataFrame:
    """``fig`` plus one count row per row of a proportion in ``ids`` (its denominator, ``_cell`` set)."""
    rows = fig.loc[fig["indicator"].isin(ids) & np.isfinite(fig["denominator"].to_numpy(dtype=float))]
    if rows.empty:
        return fig
    extra = rows.assign(
        _cell=DENOMINATOR_CELL,
        value=rows["denominator"],
        numerator=np.nan,
        denominator=np.nan,
        unit="persons",
    )
    return pd.concat([fig, extra], ignore_index=True)


@dataclass(frozen=True)
class Relation:
    """Figures of several funders' reports that add up (same year).

    ``total`` and each of ``parts`` are ``(funder, indicator, scope)``.
    Equality (Cocof's Brussels figure is INAMI's ``region:bruxelles`` one) is
    a relation with one part.
    """

    total: tuple[str, str, str]
    parts: tuple[tuple[str, str, str], ...]
    exact: bool = True


def _as_bool(column: pd.Series) -> np.ndarray:
    """A ``suppressed`` column as booleans, also when read back from CSV as text."""
    if pd.api.types.is_bool_dtype(column):
        return column.fillna(False).to_numpy(dtype=bool)
    text = column.astype("string").str.strip().str.lower()
    return text.isin(["true", "1", "1.0", "yes", "vrai"]).fillna(False).to_numpy(dtype=bool)


def _check_figures(figures: pd.DataFrame, where: str) -> pd.DataFrame:
    """A clean copy (RangeIndex) of a figures table, or raise."""
    if not isinstance(figures, pd.DataFrame):
        raise ParameterError(
            f"{where}: expected the figures table (a DataFrame), got {type(figures).__name__}"
        )
    missing = [c for c in FIGURE_CORE_COLUMNS if c not in figures.columns]
    if missing:
        raise ParameterError(f"{where}: the figures table lacks column(s) {missing}")
    if "suppressed" in figures.columns and _as_bool(figures["suppressed"]).any():
        raise ParameterError(
            f"{where}: the figures table is already masked (some 'suppressed' are true); "
            "pass the unmasked figures"
        )
    fig = figures.drop(columns=[c for c in ("suppressed", "suppression") if c in figures.columns])
    fig = fig.reset_index(drop=True)
    for col in ("numerator", "denominator", "value"):
        fig[col] = pd.to_numeric(fig[col], errors="coerce").astype("float64")
    year = pd.to_numeric(fig["year"], errors="coerce")
    bad = year.isna() | (year != year.round())
    if bad.any():
        k = int(np.flatnonzero(bad.to_numpy())[0])
        raise ParameterError(
            f"{where}: row {k} ({fig['indicator'].iloc[k]}): year must be a whole "
            f"number, got {fig['year'].iloc[k]!r}"
        )
    return check_figures(fig, where, core_only=True)


def _roles(fig: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boolean arrays: count rows, fraction rows (proportions), ratio rows."""
    unit = fig["unit"].astype("string").fillna("").to_numpy(dtype=object)
    num, den = fig["numerator"].to_numpy(), fig["denominator"].to_numpy()
    has_nd = np.isfinite(num) & np.isfinite(den)
    is_count = np.isin(unit, COUNT_UNITS) & np.isnan(num) & np.isnan(den)
    is_ratio = has_nd & (unit == "ratio")
    return is_count, has_nd & ~is_ratio, is_ratio


def _cell_values(fig: pd.DataFrame) -> np.ndarray:
    """The count each row carries: its value (counts), its numerator (proportions)."""
    is_count, is_fraction, _ = _roles(fig)
    return np.where(is_count, fig["value"], np.where(is_fraction, fig["numerator"], np.nan))


def _small(x: np.ndarray, min_cell: int) -> np.ndarray:
    return np.isfinite(x) & (x >= 1) & (x < min_cell)


def _initial_kinds(fig: pd.DataFrame, min_cell: int) -> np.ndarray:
    """Primary suppression and the rows derived from a count within the row."""
    is_count, is_fraction, is_ratio = _roles(fig)
    num, den, val = (fig[c].to_numpy() for c in ("numerator", "denominator", "value"))
    kinds = np.full(len(fig), "", dtype=object)
    kinds[is_count & _small(val, min_cell)] = "primary"
    derived = (is_fraction | is_ratio) & (_small(num, min_cell) | _small(den, min_cell))
    derived |= is_fraction & _small(den - num, min_cell)
    kinds[derived & (kinds == "")] = "derived"
    return kinds


def _base_col(fig: pd.DataFrame) -> np.ndarray:
    """Per row, the compared figure's id of a comparison row (``base_indicator``), else ``""``."""
    if "base_indicator" not in fig:
        return np.full(len(fig), "", object)
    return fig["base_indicator"].astype("string").fillna("").to_numpy(dtype=object)


def _cell_ids(fig: pd.DataFrame) -> np.ndarray:
    """Per row, what the row is a cell of: its indicator id, or ``(id, "denominator")`` for a denominator row."""
    ind = fig["indicator"].astype(str).to_numpy(dtype=object)
    if "_cell" not in fig:
        return ind
    out = np.empty(len(fig), dtype=object)
    for k, (i, cell) in enumerate(zip(ind, fig["_cell"].fillna("").astype(str))):
        out[k] = (i, cell) if cell else i
    return out


def _group_col(fig: pd.DataFrame) -> np.ndarray:
    return fig["_group"].to_numpy(dtype=object) if "_group" in fig else np.full(len(fig), "", object)


def _coincidence_keys(fig: pd.DataFrame, scope_classes: Mapping[Any, object] | None) -> list[tuple]:
    """Per row, where a hidden count can reappear: its year, and its scope's class when classes are given."""
    year = fig["year"].astype(int).to_numpy()
    if scope_classes is None:
        return [(int(y),) for y in year]
    scope = fig["scope"].astype(str).to_numpy(dtype=object)
    return [
        (int(y), scope_classes.get((g, s), scope_classes.get(s, s)))
        for y, g, s in zip(year, _group_col(fig), scope)
    ]


def _hidden_by_key(fig: pd.DataFrame, kinds: np.ndarray, keys: list[tuple]) -> dict[tuple, set[float]]:
    cells = _cell_values(fig)
    hidden: dict[tuple, set[float]] = {}
    for key, v, kind in zip(keys, cells, kinds):
        if kind and np.isfinite(v) and v > 0:
            hidden.setdefault(key, set()).add(float(v))
    return hidden


def _derive(
    fig: pd.DataFrame,
    kinds: np.ndarray,
    depends_on: Mapping[str, Sequence[str]],
    scope_classes: Mapping[str, object] | None = None,
) -> np.ndarray:
    """Mask the rows computed from masked figures, until stable (see suppress_figures).

    Also a figure of a scope that covers the same population as a masked one
    (Saint-Trond, the Pasop antenna and Flanders): it is the same number.
    """
    kinds = kinds.copy()
    keys = _coincidence_keys(fig, scope_classes)
    is_count, _, _ = _roles(fig)
    group, ind = _group_col(fig), _cell_ids(fig)
    scope, year = fig["scope"].astype(str).to_numpy(dtype=object), fig["year"].astype(int).to_numpy()
    num, den = fig["numerator"].to_numpy(), fig["denominator"].to_numpy()
    base = _base_col(fig)
    pos = {(g, i, s, y): k for k, (g, i, s, y) in enumerate(zip(group, ind, scope, year))}
    population = keys if scope_classes is not None else list(zip(year, scope))
    while True:
        hidden = _hidden_by_key(fig, kinds, keys)
        masked = [k for k in range(len(fig)) if kinds[k]]
        twins = {(group[j], ind[j], population[j]) for j in masked}  # the same figure of the same population
        new = [k for k in np.flatnonzero(kinds == "") if (group[k], ind[k], population[k]) in twins]
        first_masked: dict[tuple, int] = {}  # (group, id, scope) -> first year masked
        for j in masked:
            key = (group[j], ind[j], scope[j])
            first_masked[key] = min(year[j], first_masked.get(key, year[j]))
        for k in np.flatnonzero(~is_count & (kinds == "")):
            sources = [pos.get((group[k], s, scope[k], year[k])) for s in (depends_on or {}).get(ind[k], ())]
            sources.append(pos.get((group[k], (ind[k], DENOMINATOR_CELL), scope[k], year[k])))
            if (
                any(j is not None and kinds[j] for j in sources)
                or (base[k] and first_masked.get((group[k], base[k], scope[k]), year[k] + 1) <= year[k])
                or any(float(x) in hidden.get(keys[k], ()) for x in (num[k], den[k]) if x > 0)
            ):
                new.append(k)
        if not new:
            return kinds
        kinds[new] = "derived"


def _spec(spec) -> tuple[object, str | None, str]:
    """``(cell id, scope or None, "cell")``: the indicator id, or ``(id, "denominator")`` for a Denominator."""
    if isinstance(spec, str):
        return spec, None, "cell"
    if isinstance(spec, Denominator):
        return (spec.indicator, DENOMINATOR_CELL), spec.scope, "cell"
    if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(s, str) for s in spec):
        return spec[0], spec[1], "cell"
    raise InternalError(
        f"partition: a figure is an indicator id, (indicator, scope) or a Denominator, got {spec!r}"
    )


def _partition_lines(
    fig: pd.DataFrame, partitions: Sequence[Partition], n_cells: int, group: str = ""
) -> tuple[list[_Line], list[float]]:
    """Lines of the partitions over the rows of ``fig`` (rows of ``group`` only).

    Returns the lines and the values of the extra cells they use, numbered
    from ``n_cells`` on: 0 for a part named with its scope that is absent
    from a level the figure is given at that year (a region where nobody was
    seen is left out of the table, and a reader knows it holds no one), NaN
    for a figure the report does not publish.
    """
    groups, ind = _group_col(fig), _cell_ids(fig)
    scope, year = fig["scope"].astype(str).to_numpy(dtype=object), fig["year"].astype(int).to_numpy()
    pos = {(i, s, y): k for k, (g, i, s, y) in enumerate(zip(groups, ind, scope, year)) if g == group}
    values = _cell_values(fig)
    levels = {(i, s.partition(":")[0], y) for (i, s, y) in pos}
    lines, extra = [], []
    for part in partitions:
        if not isinstance(part, Partition):
            part = Partition(*part)
        total_id, total_scope, _ = _spec(part.total)
        specs = [_spec(p) for p in part.parts]
        for k in [
            k for (i, s, y), k in pos.items() if i == total_id and (total_scope is None or s == total_scope)
        ]:
            cells = []
            for pid, pscope, _ in specs:
                j = pos.get((pid, pscope or scope[k], year[k]))
                if j is None:  # a zero when the figure is given at this level that year (nobody there)
                    zero = pscope is not None and (pid, pscope.partition(":")[0], year[k]) in levels
                    extra.append(0.0 if zero else np.nan)
                    j = n_cells + len(extra) - 1
                cells.append(j)
            adds_up = _adds_up(
                np.concatenate([values, np.full(n_cells - len(values), np.nan), extra]), cells, k
            )
            if part.rest and not adds_up:
                extra.append(np.nan)
                cells.append(n_cells + len(extra) - 1)
            label = f"{group + ': ' if group else ''}{total_id} ({scope[k]}, {year[k]})"
            lines.append(_Line(k, tuple(cells), part.exact or adds_up, label))
    return lines, extra


def _adds_up(values: np.ndarray, parts: Sequence[int], total: int) -> bool:
    """Whether the parts (all rows of the table) add up exactly to the total on the true values.

    A line declared with a rest or as ``exact=False`` (persons counted once
    above several parts) is protected as exact when it happens to add up:
    a reader may know or guess that nobody is in two parts, so only the
    rows' true values decide what the protection assumes, never the hope
    that a reader ignores it.
    """
    if not np.isfinite(values[total]):
        return False
    cells = values[list(parts)]
    return bool(np.all(np.isfinite(cells)) and abs(cells.sum() - values[total]) < 1e-9)


def _settle(
    fig: pd.DataFrame,
    kinds: np.ndarray,
    lines: Sequence[_Line],
    extra: Sequence[float],
    min_cell: int,
    depends_on,
    scope_classes: Mapping[str, object] | None = None,
) -> np.ndarray:
    """Alternate derived masking and complementary suppression until nothing changes.

    ``extra`` holds the values of the cells numbered after the rows of ``fig``
    (NaN: not published; a number: a published denominator).
    """
    values = np.concatenate([_cell_values(fig), np.asarray(extra, dtype=float)])
    memo: dict = {}
    while True:
        kinds = _derive(fig, kinds, depends_on, scope_classes)
        supp = np.concatenate([kinds != "", np.zeros(len(extra), bool)])
        protected = _protect(values, supp, lines, min_cell, memo) if lines else supp
        added = (protected & ~supp)[: len(fig)]
        if not added.any():
            return kinds
        kinds[added] = "secondary"


def _apply_mask(
    fig: pd.DataFrame, kinds: np.ndarray, scope_classes: Mapping[str, object] | None = None
) -> pd.DataFrame:
    """Blank the masked figures; add the ``suppressed`` and ``suppression`` columns.

    A masked proportion's denominator is blanked too when it equals a hidden
    count of the same year (and scope class, when ``scope_classes`` is given).
    """
    out = fig.copy()
    supp = kinds != ""
    keys = _coincidence_keys(fig, scope_classes)
    hidden = _hidden_by_key(fig, kinds, keys)
    den = out["denominator"].to_numpy()
    _, is_fraction, is_ratio = _roles(fig)
    small_den = np.array([d in hidden.get(key, ()) for d, key in zip(den, keys)], bool)
    numeric = [
        c
        for c in out.columns
        if c not in ("year", "denominator", "year_from", "year_to")  # the years say what is compared
        and pd.api.types.is_numeric_dtype(out[c])
        and not pd.api.types.is_bool_dtype(out[c])
    ]
    for col in set(numeric) | ({*MASKED_COLUMNS} & set(out.columns)):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64").mask(supp)
    out["denominator"] = out["denominator"].mask(supp & (is_fraction | is_ratio) & small_den)
    out["suppressed"] = supp
    out["suppression"] = pd.Series(kinds, dtype="string")
    return out


def suppress_figures(
    figures: pd.DataFrame,
    min_cell: int,
    *,
    partitions: Sequence[Partition] = (),
    depends_on: Mapping[str, Sequence[str]] | None = None,
    scope_classes: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Mask the figures that could point at a person.

    Parameters
    ----------
    figures : DataFrame
        The unmasked tidy figures table (``indicator, label, year, scope,
        numerator, denominator, value, lower, upper, method, unit``).
    min_cell : int
        Counts from 1 to ``min_cell - 1`` are masked; 0 or 1 switches masking off.
    partitions : sequence of Partition
        Groups of figures that add up to a total (complementary suppression).
    depends_on : mapping, optional
        Full id of a non-count figure -> full ids of the figures it is
        computed from (same report, year and scope), as the definitions
        declare them (`definitions.depends_on`); none by default.
    scope_classes : mapping, optional
        Scope -> the population it covers (e.g. its set of sites): scopes of
        one class count the same persons (``region:bruxelles`` and
        ``antenna:bruxelles``); a key may also be ``(report, scope)`` for a
        scope that means another population in one report (AViQ's ``all`` is
        Wallonia). When given, the "equals a hidden count" rule looks only
        within the row's class; by default it looks at every scope.

    Returns
    -------
    DataFrame
        A copy with ``value``, ``lower``, ``upper``, ``numerator`` (and any other
        numeric column but ``year``) set to NaN on masked rows, plus columns
        ``suppressed`` (bool) and ``suppression`` ("", "primary", "derived",
        "secondary": the kind, for :func:`masked_label`).

    Notes
    -----
    A row is a *count* when its unit is one of ``COUNT_UNITS`` and it has no
    numerator/denominator; a *proportion* when it has both (unit other than
    ``ratio``); a *ratio* when its unit is ``ratio``. Rules, in order:

    1. Primary: a count from 1 to ``min_cell - 1``. Zero is never masked.
    2. Derived: a proportion or ratio whose numerator or denominator is from 1
       to ``min_cell - 1``; a proportion whose complement (denominator -
       numerator) is from 1 to ``min_cell - 1``: the table publishes numerator
       and denominator beside every proportion, so the complement is always
       derivable and the rule applies to every proportion. Then, repeatedly,
       a non-count row (proportion, ratio, mean, comparison)

       - a comparison row whose compared figure (``base_indicator``) is
         masked in the same scope, in a year up to the row's year;
       - listed in ``depends_on`` with a masked source (age mean/min/max of
         the persons seen);
       - whose numerator or denominator equals a count hidden by masking in
         the same year (the count would be given back by the row), in a
         scope of the same class when ``scope_classes`` is given (a count of
         another population may share the number but is not the same count;
         structural links between populations are the partitions' business).
    3. Secondary: the complementary rule of :func:`suppress_table` over the
       lines of ``partitions`` (the count of a proportion is its numerator),
       with the same linear-programming audit; then rule 2 again, until
       nothing changes.

    The denominator of a masked proportion stays published unless it is a
    hidden count itself. Rules 2 and 3 are conservative: they may mask a
    figure that a reader could not have used.

    References
    ----------
    .. [1] Hundepool A et al. (2012). Statistical Disclosure Control. Wiley,
       sections 5.2 (threshold rule, complementary suppression) and 4.4.
    """
    min_cell = _check_min_cell(min_cell)
    fig = _check_figures(figures, "suppress_figures")
    if min_cell <= 1:
        return _apply_mask(fig, np.full(len(fig), "", dtype=object)).set_axis(figures.index)
    n_rows = len(fig)
    fig = _with_denominator_rows(fig, _denominator_ids(partitions))
    lines, extra = _partition_lines(fig, partitions, len(fig))
    kinds = _settle(fig, _initial_kinds(fig, min_cell), lines, extra, min_cell, depends_on, scope_classes)
    masked = _apply_mask(fig, kinds, scope_classes).iloc[:n_rows]
    return masked.drop(columns=["_cell"], errors="ignore").set_axis(figures.index)


def suppress_partition(
    figures: pd.DataFrame,
    parts_ids: Sequence,
    total_id,
    min_cell: int,
    *,
    exact: bool = True,
    depends_on: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """:func:`suppress_figures` with one partition: ``parts_ids`` add up to ``total_id``.

    Parameters
    ----------
    figures : DataFrame
        The unmasked figures table.
    parts_ids : sequence of str or (indicator, scope)
    total_id : str or (indicator, scope)
    min_cell : int
    exact : bool
        False when the total counts once what several parts count (persons).

    Notes
    -----
    The 1-D case of the rule of :func:`suppress_table`: in a partition
    (parts and total) holding exactly one masked cell, the smallest non-zero
    unmasked cell (the total included, last) is masked too; then the
    linear-programming audit.
    """
    return suppress_figures(
        figures, min_cell, depends_on=depends_on, partitions=[Partition(tuple(parts_ids), total_id, exact)]
    )


# --- across the funders' reports -------------------------------------------------------


@dataclass(frozen=True)
class DisclosureProblem:
    """A masked figure a reader can recover, or published figures that contradict."""

    funder: str
    indicator: str
    scope: str
    year: int
    low: float
    high: float
    message: str

    def __str__(self) -> str:
        return self.message


def _combined(figures: Mapping[str, pd.DataFrame], where: str, masked: bool) -> pd.DataFrame:
    """All funders' figures in one table with a ``_group`` column (the funder)."""
    if not figures:
        raise ParameterError(f"{where}: no report given")
    frames = []
    for funder, table in figures.items():
        if masked:
            if "suppressed" not in table.columns:
                raise ParameterError(f"{where}: the figures of {funder!r} lack column(s) ['suppressed']")
            frame = check_figures(table.reset_index(drop=True), f"{where} ({funder})", core_only=True)
        else:
            frame = _check_figures(table, f"{where} ({funder})")
        frames.append(frame.assign(_group=funder))
    return pd.concat(frames, ignore_index=True)


def _relation_lines(
    fig: pd.DataFrame, relations: Sequence[Relation], n_cells: int
) -> tuple[list[_Line], int]:
    """One line per relation and year; figures absent from a report are virtual cells."""
    keys = zip(_group_col(fig), _cell_ids(fig), fig["scope"].astype(str), fig["year"].astype(int))
    pos = {key: k for k, key in enumerate(keys)}
    years = sorted({int(y) for y in fig["year"]})
    lines, n_virtual = [], 0
    for rel in relations:
        if not isinstance(rel, Relation):
            rel = Relation(*rel)
        for year in years:
            refs = list(rel.parts) + [rel.total]
            found = [pos.get((f, i, s, year)) for f, i, s in refs]
            if all(j is None for j in found):
                continue
            cells = []
            for j in found:
                if j is None:
                    j, n_virtual = n_cells + n_virtual, n_virtual + 1
                cells.append(j)
            label = f"{'/'.join(rel.total)} = sum of {len(rel.parts)} figure(s), {year}"
            lines.append(_Line(cells[-1], tuple(cells[:-1]), rel.exact, label))
    return lines, n_virtual


def _problem(fig: pd.DataFrame, k: int, low: float, high: float, message: str) -> DisclosureProblem:
    row = fig.iloc[k]
    return DisclosureProblem(
        str(row["_group"]),
        str(row["indicator"]),
        str(row["scope"]),
        int(row["year"]),
        low,
        high,
        f"{row['_group']}: {row['indicator']} ({row['scope']}, {int(row['year'])}) " f"{message}",
    )


def _contradictions(published: np.ndarray, lines: Sequence[_Line]) -> list[DisclosureProblem]:
    """Lines whose cells are all published and do not add up."""
    problems = []
    for line in lines:
        cells = published[list(line.cells)]
        if not np.all(np.isfinite(cells)):
            continue
        parts, total = cells[:-1].sum(), cells[-1]
        if (abs(parts - total) > 1e-9) if line.exact else (parts < total - 1e-9):
            problems.append(
                DisclosureProblem(
                    "",
                    "",
                    "",
                    0,
                    np.nan,
                    np.nan,
                    f"published figures contradict each other: {line.label}: parts {parts:g}, total {total:g}",
                )
            )
    return problems


def cross_report_check(
    published: Mapping[str, pd.DataFrame], relations: Sequence[Relation], *, min_cell: int = 0
) -> list[DisclosureProblem]:
    """Find masked figures that the funders' published reports give back together.

    Parameters
    ----------
    published : mapping funder -> DataFrame
        Each report's MASKED figures (from :func:`suppress_figures`, with the
        ``suppressed`` column; ``suppression`` is used when present).
    relations : sequence of Relation
        Which figures add up, across reports or within one (e.g. INAMI total
        = Brussels + Wallonia + Flanders; Cocof's Brussels = INAMI's
        ``region:bruxelles``).
    min_cell : int
        When > 1, a masked figure of kind "primary" is known to be from 1 to
        ``min_cell - 1``, and a published count in that range is a problem.

    Returns
    -------
    list of DisclosureProblem
        Empty when safe. A masked figure whose feasible interval (linear
        programming over the published figures of all reports, as in
        :func:`suppress_table`) holds a single value is recoverable; figures
        that contradict a relation are reported too.
    """
    min_cell = _check_min_cell(min_cell)
    fig = _combined(published, "cross_report_check", masked=True)
    n = len(fig)
    lines, n_virtual = _relation_lines(fig, relations, n)
    supp = _as_bool(fig["suppressed"])
    kinds = (
        fig["suppression"].astype("string").fillna("").to_numpy(dtype=object)
        if "suppression" in fig
        else np.where(supp, "derived", "")
    )
    cells = _cell_values(fig)
    problems = (
        [
            _problem(fig, k, cells[k], cells[k], f"publishes {cells[k]:g}, below the threshold {min_cell}")
            for k in np.flatnonzero(~supp & _small(cells, min_cell)).tolist()
        ]
        if min_cell > 1
        else []
    )
    published_cells = np.concatenate([np.where(supp, np.nan, cells), np.full(n_virtual, np.nan)])
    bounds = {
        k: (1.0, float(min_cell - 1) if min_cell > 1 else None)
        for k in range(n)
        if supp[k] and kinds[k] == "primary"
    }
    in_lines = {i for line in lines for i in line.cells}
    targets = [k for k in range(n) if supp[k] and k in in_lines]
    problems += _contradictions(published_cells, lines)
    try:
        ranges = _feasible_ranges(published_cells, bounds, lines, targets)
    except _Infeasible as exc:
        return problems + [
            DisclosureProblem(
                "", "", "", 0, np.nan, np.nan, f"published figures contradict each other: {exc}"
            )
        ]
    for k in targets:
        if k in ranges and _pinned(*ranges[k]):
            low, high = ranges[k]
            problems.append(
                _problem(
                    fig,
                    k,
                    low,
                    high,
                    f"is masked but can be recovered as {round(low):d} from the "
                    "figures published in the reports",
                )
            )
    return problems


def protect_across_reports(
    figures: Mapping[str, pd.DataFrame],
    relations: Sequence[Relation],
    min_cell: int,
    *,
    partitions: Mapping[str, Sequence[Partition]] | None = None,
    depends_on: Mapping[str, Sequence[str]] | None = None,
    scope_classes: Mapping[str, object] | None = None,
) -> dict[str, pd.DataFrame]:
    """Mask every funder's figures so that no masked figure is recoverable from all reports.

    Parameters
    ----------
    figures : mapping funder -> DataFrame
        Each report's UNMASKED figures for the same year(s).
    relations : sequence of Relation
        Figures that add up across (or within) reports.
    min_cell : int
    partitions : mapping funder -> sequence of Partition, optional
        Each report's own partitions (as for :func:`suppress_figures`).
    depends_on : mapping
    scope_classes : mapping, optional
        As for :func:`suppress_figures`.

    Returns
    -------
    dict funder -> DataFrame
        The masked figures, as :func:`suppress_figures` returns them; passes
        :func:`cross_report_check` with the same relations.

    Notes
    -----
    The reports are treated as one set of linked tables ([1]_, section 4.6):
    all rules of :func:`suppress_figures` run on the union of the reports,
    with the lines of the relations (one per relation and year) beside each
    report's partitions. A figure equal to a hidden count in the same year
    is masked in every report (rule 2). A relation line with exactly one
    masked figure gets its smallest non-zero published figure masked, in
    whichever report it is.

    References
    ----------
    .. [1] Hundepool A et al. (2012). Statistical Disclosure Control. Wiley.
    """
    min_cell = _check_min_cell(min_cell)
    fig = _combined(figures, "protect_across_reports", masked=False)
    n_rows = len(fig)
    for funder, parts in (partitions or {}).items():
        more = _with_denominator_rows(fig.loc[fig["_group"] == funder], _denominator_ids(parts))
        fig = pd.concat([fig, more.iloc[int((fig["_group"] == funder).sum()) :]], ignore_index=True)
    if min_cell <= 1:
        kinds = np.full(len(fig), "", dtype=object)
    else:
        lines, n_virtual = _relation_lines(fig, relations, len(fig))
        extra = [np.nan] * n_virtual
        for funder, parts in (partitions or {}).items():
            if funder not in figures:
                raise InternalError(f"protect_across_reports: partitions given for unknown report {funder!r}")
            more, values = _partition_lines(fig, parts, len(fig) + len(extra), group=funder)
            lines, extra = lines + more, extra + values
        kinds = _settle(fig, _initial_kinds(fig, min_cell), lines, extra, min_cell, depends_on, scope_classes)
    masked = _apply_mask(fig, kinds, scope_classes).iloc[:n_rows]
    return {
        funder: masked[masked["_group"] == funder]
        .drop(columns=["_group", "_cell"], errors="ignore")
        .reset_index(drop=True)
        for funder in figures
    }


# --- verdicts on masked counts ------------------------------------------------------


def _verdict_series(table: pd.DataFrame, base: str, scope: str, year: int) -> pd.DataFrame:
    """The rows of proportion ``base`` in ``scope`` up to ``year`` with a denominator > 0, by year."""
    rows = table.loc[(table["indicator"] == base) & (table["scope"] == scope) & (table["year"] <= year)]
    den = pd.to_numeric(rows["denominator"], errors="coerce").to_numpy(dtype=float)
    return rows.loc[~(np.isfinite(den) & (den <= 0))].sort_values("year")


def _neighbours(v: float, n: float, min_cell: int) -> list[float] | None:
    """``v - 1, v, v + 1`` within what "< min_cell" or the denominator allows; None if ``v`` alone."""
    low, high = (1.0, float(min_cell - 1)) if 1 <= v < min_cell else (0.0, float(n))
    values = [w for w in (v - 1, v, v + 1) if low <= w <= high]
    return values if len(values) > 1 else None


def _robust(
    x: np.ndarray, n: np.ndarray, years: np.ndarray, hidden: np.ndarray, min_cell: int, decide
) -> bool:
    """Whether ``decide`` gives the same answer for every count of the box around the hidden ones."""
    boxes = []
    for j in np.flatnonzero(hidden):
        around = _neighbours(float(x[j]), float(n[j]), min_cell)
        if around is None:
            return False
        boxes.append((j, around))
    truth = decide(x, n, years)
    for combo in itertools.product(*(values for _, values in boxes)):
        trial = x.astype(float).copy()
        trial[[j for j, _ in boxes]] = combo
        answer = decide(trial, n, years)
        if not (answer == truth or (np.isnan(answer) and np.isnan(truth))):
            return False
    return True


def release_verdicts(raw: pd.DataFrame, masked: pd.DataFrame, min_cell: int, decide) -> pd.DataFrame:
    """Publish the masked verdict rows (unit ``verdict``) that give no masked count back.

    A verdict ("en hausse", "stable", ...) on a proportion whose count is
    masked in some year is masked with it by :func:`suppress_figures` (its id
    extends the proportion's). It is a coarse statement, though: it is
    released when it stays the same for every count one step away from each
    masked count, so that a reader who knows it cannot pin that count down.

    Parameters
    ----------
    raw : DataFrame
        The unmasked figures of the report (with the verdict rows).
    masked : DataFrame
        The same figures after disclosure control (``suppressed``, ``suppression``).
    min_cell : int
        The threshold applied.
    decide : callable
        ``decide(x, n, years) -> float``: the verdict value for positives
        ``x`` and persons tested ``n`` per year (NaN for "too few cases"), as
        the verdict row was computed.

    Returns
    -------
    DataFrame
        ``masked`` with the released verdict rows unmasked (raw value and
        method; ``suppressed`` False). The p-values and differences stay masked.

    Notes
    -----
    For each masked count ``v`` of the series (denominator ``n``), the box is
    ``{v - 1, v, v + 1}`` cut to ``[1, min_cell - 1]`` when ``v`` is small
    (the reader knows "< 5") or to ``[0, n]`` otherwise. The verdict is
    released when ``decide`` is constant over the product of the boxes. The
    counts of one proportion over the years are in no partition, so what the
    reader knows of them before the verdict is an interval per count that
    holds ``v`` and a neighbour (no masked count is pinned); a verdict
    constant over the box leaves that neighbour possible. A verdict is kept
    masked when a denominator is masked or a box holds ``v`` alone.
    """
    min_cell = _check_min_cell(min_cell)
    out = masked.copy()
    if min_cell <= 1 or "suppressed" not in out.columns:
        return out
    todo = out.index[(out["unit"] == "verdict") & _as_bool(out["suppressed"])]
    for k in todo:
        row = out.loc[k]
        base, scope, year = str(row["base_indicator"]), row["scope"], int(row["year"])
        truth = raw.loc[
            (raw["indicator"] == row["indicator"]) & (raw["scope"] == scope) & (raw["year"] == year)
        ]
        before, after = _verdict_series(raw, base, scope, year), _verdict_series(out, base, scope, year)
        if (
            len(truth) != 1
            or list(before["year"]) != list(after["year"])
            or after["denominator"].isna().any()
        ):
            continue
        x, n = (before[c].to_numpy(dtype=float) for c in ("numerator", "denominator"))
        hidden = _as_bool(after["suppressed"])
        if _robust(x, n, before["year"].to_numpy(dtype=int), hidden, min_cell, decide):
            out.loc[k, ["value", "method"]] = truth[["value", "method"]].to_numpy()[0]
            out.loc[k, "suppressed"] = False
            out.loc[k, "suppression"] = ""
    return out


def hierarchy_partitions(sites, scope: str, indicator: str, exact: bool = True) -> list[Partition]:
    """Partitions of one indicator along the site hierarchy of a funder's scope.

    Parameters
    ----------
    sites : Sites
        From :func:`espacep_analysis.sites.load_sites`.
    scope : str
        The entry of ``funders:`` in ``params/sites.yaml`` whose sites the report covers.
    indicator : str
        Full id, e.g. ``"<funder>.consultations"``.
    exact : bool
        True for additive counts (consultations, acts); False for distinct
        persons (a person seen in two antennas counts once above them).

    Returns
    -------
    list of Partition
        antennas -> each region of the funder, and regions -> ``all``.
    """
    frame = sites.frame[sites.frame.index.isin(sites.funder_sites(scope))]
    regions = list(dict.fromkeys(frame["region"]))
    out = []
    for region in regions:
        antennas = list(dict.fromkeys(frame.loc[frame["region"] == region, "antenna"]))
        out.append(
            Partition(
                tuple((indicator, f"antenna:{a}") for a in antennas), (indicator, f"region:{region}"), exact
            )
        )
    out.append(Partition(tuple((indicator, f"region:{r}") for r in regions), (indicator, "all"), exact))
    return out


def antenna_partitions(sites, scope: str, indicator: str) -> list[Partition]:
    """The antennas of a funder's scope against its ``all`` (for figures given per antenna only).

    ``exact=False``: a person seen at two antennas counts once in ``all``
    (exact when the values add up, see :func:`_adds_up`).
    """
    frame = sites.frame[sites.frame.index.isin(sites.funder_sites(scope))]
    antennas = list(dict.fromkeys(frame["antenna"]))
    return [Partition(tuple((indicator, f"antenna:{a}") for a in antennas), (indicator, "all"), exact=False)]


def site_partitions(sites, scope: str, indicator: str, present: Collection | None = None) -> list[Partition]:
    """sites -> province -> region -> ``all`` lines of an additive indicator of a funder's scope.

    With ``present`` (the ``(indicator, scope)`` pairs of the figures), only the
    lines whose parts are all in it (a table printed per site: a site without
    rows is no line of it).
    """
    frame = sites.frame[sites.frame.index.isin(sites.funder_sites(scope))]
    parts = []
    for province in dict.fromkeys(frame["province"]):
        codes = frame.index[frame["province"] == province]
        parts.append(
            Partition(tuple((indicator, f"site:{c}") for c in codes), (indicator, f"province:{province}"))
        )
    for region in dict.fromkeys(frame["region"]):
        provinces = dict.fromkeys(frame.loc[frame["region"] == region, "province"])
        parts.append(
            Partition(tuple((indicator, f"province:{p}") for p in provinces), (indicator, f"region:{region}"))
        )
        parts.append(Partition(((indicator, f"region:{region}"),), (indicator, "all")))
    if present is None:
        return parts
    return [p for p in parts if all(ref in present for ref in p.parts)]


def hierarchy_lines(sites, scope: str, indicator: str, how: str, present: Collection) -> list[Partition]:
    """The site hierarchy lines of ``indicator`` declared ``how`` (`definitions.HIERARCHIES`).

    ``scope`` is the report's ``funders:`` entry of ``params/sites.yaml``;
    ``present`` the ``(indicator, scope)`` pairs of the report's figures.
    """
    if how in ("exact", "persons"):
        return hierarchy_partitions(sites, scope, indicator, exact=how == "exact")
    if how == "antennas":
        return antenna_partitions(sites, scope, indicator)
    if how == "sites":
        return site_partitions(sites, scope, indicator, present)
    raise InternalError(f"{indicator}: unknown site hierarchy {how!r}; expected one of {list(HIERARCHIES)}")
