"""The figures of a report for spreadsheets: ``figures-excel.csv`` and ``figures.xlsx``.

``figures.csv`` is for machines (comma, UTF-8, decimal point). Belgian Excel
opens it as one garbled column, so the same cells are also written as
``figures-excel.csv`` (semicolon, UTF-8 with a byte-order mark, decimal comma)
and as a workbook, ``figures.xlsx``:

- one sheet per report section, holding the figures that section prints
  (numbers stored as numbers with Excel display formats, masked figures
  shown as the report shows them, ``< 5`` or ``x``, with a legend);
- the sheet "toutes les données", cell for cell the rows of ``figures.csv``;
- the sheet "provenance", the report's provenance record.

Which figures a section prints is not declared anywhere and not parsed out of
the ids: the report's `pages.FigureBook` notes each figure a page function
reads (`ReadLog`), under that function's name; a `Section` pairs a heading
with that name. Today the sections come from the funder's notebook
(`notebook_sections`: each heading and the ``page.<function>(...)`` of the
code cell after it); a funder registry listing (heading, page function) can
replace that source without changing the rest.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import units
from .files import write_atomic

EXCEL_CSV = "figures-excel.csv"
XLSX = "figures.xlsx"
ALL_SHEET = "toutes les données"
PROVENANCE_SHEET = "provenance"
PAGES_PACKAGE = "espacep_analysis.pages"
NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
MAX_SHEET_NAME = 31  # Excel's limit
MAX_COLUMN_WIDTH = 60
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what Excel may read as a formula (CSV injection)
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_HEADING = re.compile(r"^#{1,6}\s+(?P<text>.+?)\s*$", re.MULTILINE)
_PAGE_CALL = re.compile(r"\bpage\.(?P<name>\w+)\(")
_PAGE_IMPORT = re.compile(r"from\s+espacep_analysis\.pages\s+import\s+(?P<module>\w+)\s+as\s+page\b")

# Excel number formats by unit: Excel shows them with the reader's separators
# (Belgian Excel: thousands separated by a space or a dot, decimal comma, "35,0%").
PERCENT_FORMAT, COUNT_FORMAT = "0.0%", "#,##0"
NUMBER_FORMATS = {
    **{unit: COUNT_FORMAT for unit in units.COUNT_UNITS},
    "proportion": PERCENT_FORMAT,
    "difference": PERCENT_FORMAT,
    "ratio": "#,##0.00",
    "years": "#,##0.0",
    "days": "#,##0.0",
    "p_value": "0.0000",
    "z": "0.00",
    "verdict": "0",
}
SECTION_COLUMNS = (
    ("label", "Indicateur"),
    ("scope", "Portée"),
    ("year", "Année"),
    ("value", "Valeur"),
    ("numerator", "Numérateur"),
    ("denominator", "Dénominateur"),
    ("lower", "IC inférieur"),
    ("upper", "IC supérieur"),
    ("unit", "Unité"),
    ("indicator", "Identifiant"),
)
PROVENANCE_LABELS = {
    "funder": "Financeur",
    "year": "Année",
    "period_end": "Fin de la période",
    "parameters": "Paramètres",
    "package": "Paquet",
    "git": "Code (git)",
    "rendered_at": "Rendu",
    "inputs": "Fichiers d'entrée (sha256)",
    "rows_left_out": "Lignes rejetées laissées de côté",
    "banners": "Bandeaux",
    "declared_missing": "Chiffres déclarés à compléter",
}

Key = tuple[str, int, str]  # (indicator, year, scope) of a figure


# --- figures-excel.csv -------------------------------------------------------------------------


def text_cell(value: str) -> str:
    """``value`` made safe for a spreadsheet: a leading ``=``, ``+``, ``-``, ``@`` is quoted with ``'``."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def excel_csv(table: pd.DataFrame) -> bytes:
    """``table`` (the rows of ``figures.csv``) as Belgian Excel opens it: ``;``, decimal comma, UTF-8 with BOM.

    Numbers keep the precision of ``figures.csv`` (``%.10g``); text cells that
    Excel would read as a formula are quoted (`text_cell`).
    """
    text = table.copy()
    for column in text.columns:
        if text[column].dtype == object:
            text[column] = text[column].map(lambda v: text_cell(v) if isinstance(v, str) else v)
    data = text.to_csv(index=False, sep=";", decimal=",", float_format="%.10g", lineterminator="\r\n")
    return data.encode("utf-8-sig")


# --- which figures each section prints ---------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A report section: its heading and the qualified name of the page function that builds it."""

    heading: str
    page: str  # e.g. "espacep_analysis.pages.inami.contacts"


@dataclass
class ReadLog:
    """The figures each page function read, in the order first read (see the module docstring)."""

    by_page: dict[str, dict[Key, None]] = field(default_factory=dict)

    def note(self, keys: Iterable[Key]) -> None:
        """Record ``keys`` under the page function being run (nothing when no page function is running)."""
        page = running_page(sys._getframe(1))
        if page is not None:
            seen = self.by_page.setdefault(page, {})
            for indicator, year, scope in keys:
                seen.setdefault((str(indicator), int(year), str(scope)), None)

    def keys(self, page: str) -> list[Key]:
        return list(self.by_page.get(page, {}))


def running_page(frame) -> str | None:
    """The outermost function of `PAGES_PACKAGE` (not ``pages.common``) on the stack, as ``module.name``.

    That is the section function the notebook called (``page.contacts(...)``);
    helpers it calls, in its module or another page module, count for it.
    """
    found = None
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith(PAGES_PACKAGE) and module != PAGES_PACKAGE + ".common":
            found = f"{module}.{frame.f_code.co_name}"
        elif found is not None:
            return found
        frame = frame.f_back
    return found


def notebook_sections(funder: str, notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Section]:
    """The sections of ``funder``'s notebook: each ``page.<name>(...)`` call under the heading before it.

    A notebook that is absent or imports no page module gives no section.
    """
    path = Path(notebooks_dir) / f"{funder}.ipynb"
    if not path.is_file():
        return []
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    sources = [(c.get("cell_type"), "".join(c.get("source", ""))) for c in cells]
    module = next((m["module"] for _, s in sources for m in _PAGE_IMPORT.finditer(s)), None)
    heading, sections = "", []
    for kind, source in sources:
        if kind == "markdown":
            headings = _HEADING.findall(source)
            heading = headings[-1] if headings else heading
        elif kind == "code" and module is not None:
            sections += [
                Section(heading, f"{PAGES_PACKAGE}.{module}.{m['name']}") for m in _PAGE_CALL.finditer(source)
            ]
    return sections


def section_rows(
    figures: pd.DataFrame, sections: Sequence[Section], log: ReadLog
) -> list[tuple[str, pd.DataFrame]]:
    """``(heading, rows)`` of each heading whose page functions read figures: its rows of ``figures``.

    Rows come in the order the section read them, each once; page functions
    under the same heading share its sheet.
    """
    keys = zip(figures["indicator"], figures["year"].astype(int), figures["scope"])
    position = {key: i for i, key in enumerate(keys)}
    found: dict[str, dict[int, None]] = {}
    for section in sections:
        rows = found.setdefault(section.heading, {})
        rows.update((position[k], None) for k in log.keys(section.page) if k in position)
    return [(heading, figures.iloc[list(rows)]) for heading, rows in found.items() if rows]


# --- figures.xlsx ------------------------------------------------------------------------------


def write_figures_xlsx(
    output_dir: str | Path,
    table: pd.DataFrame,
    sections: Sequence[tuple[str, pd.DataFrame]],
    provenance: dict,
    legend: str,
) -> Path:
    """Write ``figures.xlsx`` into ``output_dir`` atomically; returns its path.

    Parameters
    ----------
    table : DataFrame
        The rows of ``figures.csv`` (`pages.common.figures_table`): the sheet `ALL_SHEET`.
    sections : list of (heading, rows)
        One sheet each (`section_rows`); ``rows`` are figures with, when
        masked, ``suppressed`` True and ``mask_label`` what the report prints.
    provenance : dict
        The report's provenance record (sheet `PROVENANCE_SHEET`).
    legend : str
        What the masks mean (the methods note's sentence), under each section's heading.
    """
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    names: set[str] = set()
    for heading, rows in sections:
        _section_sheet(book.create_sheet(sheet_name(heading, names)), heading, rows, legend)
    _all_sheet(book.create_sheet(sheet_name(ALL_SHEET, names)), table)
    _provenance_sheet(book.create_sheet(sheet_name(PROVENANCE_SHEET, names)), provenance)
    buffer = io.BytesIO()
    book.save(buffer)
    return write_atomic(Path(output_dir) / XLSX, buffer.getvalue())


def sheet_name(title: str, taken: set[str]) -> str:
    """``title`` as an Excel sheet name: no ``[]:*?/\\``, at most 31 characters, unique in ``taken`` (added)."""
    base = " ".join(_SHEET_FORBIDDEN.sub(" ", title).split()) or "feuille"
    lowered = {t.lower() for t in taken}

    def cut(text: str, room: int) -> str:
        return text if len(text) <= room else text[: room - 1].rstrip() + "…"

    name, n = cut(base, MAX_SHEET_NAME), 1
    while name.lower() in lowered:
        n += 1
        suffix = f" ({n})"
        name = cut(base, MAX_SHEET_NAME - len(suffix)) + suffix
    taken.add(name)
    return name


def _put(sheet, row: int, column: int, value, number_format: str | None = None):
    """Write one cell: text as a text cell (never a formula, no control character), NaN as empty, numbers as numbers."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    elif value is None or (isinstance(value, float) and value != value):
        value = None
    elif hasattr(value, "item"):  # numpy scalar
        value = value.item()
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula
    if number_format and isinstance(value, int | float) and not isinstance(value, bool):
        cell.number_format = number_format
    return cell


def _header(sheet, row: int, titles: Sequence[str]) -> None:
    from openpyxl.styles import Font

    for column, title in enumerate(titles, start=1):
        _put(sheet, row, column, title).font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)


def _widths(sheet, first_row: int = 1, minimum: int = 8) -> None:
    """Column widths from the longest cell from ``first_row`` on (the heading and legend above left out)."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is not None:
                shown = len(str(cell.value)) if not isinstance(cell.value, float) else 10
                widths[cell.column] = max(widths.get(cell.column, minimum), shown + 2)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(width, MAX_COLUMN_WIDTH)


def _section_sheet(sheet, heading: str, rows: pd.DataFrame, legend: str) -> None:
    """Heading, legend, then one line per figure; a masked figure shows its mask (``< 5``, ``x``)."""
    from openpyxl.styles import Alignment, Font

    _put(sheet, 1, 1, heading).font = Font(bold=True, size=13)
    _put(sheet, 2, 1, legend).alignment = Alignment(wrap_text=False)
    _header(sheet, 3, [title for _, title in SECTION_COLUMNS])
    masked = rows["suppressed"].astype(bool) if "suppressed" in rows else pd.Series(False, index=rows.index)
    for i, (record, hidden) in enumerate(zip(rows.to_dict("records"), masked), start=4):
        shape = NUMBER_FORMATS.get(record["unit"])
        for column, (name, _) in enumerate(SECTION_COLUMNS, start=1):
            value = record.get(name)
            if hidden and name == "value":
                value = record.get("mask_label") or "x"
            fmt = COUNT_FORMAT if name in ("numerator", "denominator", "year") else shape
            if name == "year":
                fmt = "0"
            _put(sheet, i, column, value, fmt)
    _widths(sheet, first_row=3)


def _all_sheet(sheet, table: pd.DataFrame) -> None:
    """The rows of ``figures.csv``, column for column; values keep the display format of their unit."""
    columns = list(table.columns)
    _header(sheet, 1, columns)
    formats = table["unit"].map(NUMBER_FORMATS) if "unit" in table else pd.Series(None, index=table.index)
    for i, (record, shape) in enumerate(zip(table.to_dict("records"), formats), start=2):
        for column, name in enumerate(columns, start=1):
            fmt = shape if name in ("value", "lower", "upper") else None
            fmt = COUNT_FORMAT if name in ("numerator", "denominator") else fmt
            _put(sheet, i, column, record[name], fmt if isinstance(fmt, str) else None)
    _widths(sheet)


def provenance_lines(record: dict) -> list[tuple[str, str, str]]:
    """``(rubrique, élément, valeur)`` of each entry of a provenance record (nested dicts and lists unfolded)."""
    lines = []
    for key, value in record.items():
        label = PROVENANCE_LABELS.get(key, key)
        if isinstance(value, dict):
            for sub, inner in value.items():
                shown = json.dumps(inner, ensure_ascii=False) if isinstance(inner, dict | list) else inner
                lines.append((label, str(sub), "" if shown is None else str(shown)))
        elif isinstance(value, list):
            lines += [(label, "", str(item)) for item in value] or [(label, "", "")]
        else:
            lines.append((label, "", "" if value is None else str(value)))
    return lines


def _provenance_sheet(sheet, record: dict) -> None:
    _header(sheet, 1, ["Rubrique", "Élément", "Valeur"])
    for i, line in enumerate(provenance_lines(record), start=2):
        for column, value in enumerate(line, start=1):
            _put(sheet, i, column, value)
    _widths(sheet)
