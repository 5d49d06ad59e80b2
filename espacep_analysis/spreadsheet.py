"""The figures of a report for spreadsheets: ``figures-excel.csv`` and ``figures.xlsx``.

``figures.csv`` is for machines (comma, UTF-8, decimal point). Belgian Excel
opens it as one garbled column, so the notebook also writes the same cells as
``figures-excel.csv`` (semicolon, UTF-8 with a byte-order mark, decimal
comma). `write_figures_xlsx` writes ``figures.xlsx`` (the ``xlsx`` format of
the renderer registry, `xlsx_report`):

- one sheet per report section, holding the tables the section prints (and
  the data of its charts), cell for cell: numbers stored as numbers with an
  Excel display format matching the printed text (percentages as
  percentages, thousands separators), masked figures as the report prints
  them (``< 5``, ``x``) under a legend;
- the sheet "toutes les données", the rows of ``figures.csv``;
- the sheet "provenance", the report's provenance record.

A section's figures are the tables its pages display: the typed blocks of the
page model (`document`), read back from the executed notebook like the Word
document (`docx_report.notebook_blocks`), grouped under the heading before
them. Nothing is parsed out of figure ids and nothing is declared twice; when
the sections come from a funder registry, the headings the notebook prints
still delimit them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from . import units
from .files import write_atomic

EXCEL_CSV = "figures-excel.csv"
XLSX = "figures.xlsx"
ALL_SHEET = "toutes les données"
PROVENANCE_SHEET = "provenance"
MAX_SHEET_NAME = 31  # Excel's limit
MAX_COLUMN_WIDTH = 60
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what Excel may read as a formula (CSV injection)
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

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
_GROUPING = "[ \u00a0\u202f.]"  # what separates thousands in a printed number (fmt: narrow no-break space)
_PRINTED_NUMBER = re.compile(
    rf"^(?P<sign>[-\u2212]?)(?P<int>\d{{1,3}}(?:{_GROUPING}\d{{3}})+|\d+)(?:,(?P<dec>\d+))?(?P<pct>[ \u00a0\u202f]?%)?"
    r"(?P<rest>\s+[(\[].*)?$"  # "34,0 % (326/960)", "5,7 % (IC [4,1 – 7,9 %])": the number, then its detail
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
# the entries of the package and git records, in French (the parameters keep their option names)
PROVENANCE_ITEMS = {
    "name": "nom",
    "version": "version",
    "commit": "commit",
    "dirty": "arbre modifié, non validé",
}


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
        if not pd.api.types.is_numeric_dtype(text[column]):  # object or string columns (bool is numeric)
            text[column] = text[column].map(lambda v: text_cell(v) if isinstance(v, str) else v)
    data = text.to_csv(index=False, sep=";", decimal=",", float_format="%.10g", lineterminator="\r\n")
    return data.encode("utf-8-sig")


# --- figures.xlsx ------------------------------------------------------------------------------


def report_sections(blocks: Sequence) -> list[tuple[str, list]]:
    """``(heading, tables)`` of each section printing tables: the `document.Table` s under each heading.

    ``blocks`` are a report's blocks in order (`docx_report.notebook_blocks`);
    a chart counts by its data table (`document.Chart.data_table`).
    """
    from .document import Chart, Heading, Table

    sections: list[tuple[str, list]] = []
    heading = ""
    for block in blocks:
        if isinstance(block, Heading):
            heading = block.text
        elif isinstance(block, Table | Chart):
            table = block.data_table() if isinstance(block, Chart) else block
            if not sections or sections[-1][0] != heading:
                sections.append((heading, []))
            sections[-1][1].append(table)
    return sections


def write_figures_xlsx(
    output_dir: str | Path,
    table: pd.DataFrame,
    sections: Sequence[tuple[str, Sequence]],
    provenance: dict,
    legend: str,
) -> Path:
    """Write ``figures.xlsx`` into ``output_dir`` atomically; returns its path.

    Parameters
    ----------
    table : DataFrame
        The rows of ``figures.csv``: the sheet `ALL_SHEET`.
    sections : list of (heading, tables)
        One sheet each (`report_sections`), its `document.Table` s one below the other.
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
    for heading, tables in sections:
        _section_sheet(book.create_sheet(sheet_name(heading, names)), heading, tables, legend)
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


def printed_number(text: str) -> tuple[float, str, str] | None:
    """``(value, Excel format, detail)`` of a number as the reports print it, or None for other text.

    ``"1 076"`` -> ``(1076, "#,##0", "")``; ``"48,2 %"`` -> ``(0.482, "0.0%", "")``;
    ``"2,6"`` -> ``(2.6, "#,##0.0", "")``; ``"2019"`` -> ``(2019, "0", "")`` (no grouping
    printed); ``"34,0 % (326/960)"`` -> ``(0.34, "0.0%", " (326/960)")``.
    """
    match = _PRINTED_NUMBER.match(text.strip())
    if match is None:
        return None
    digits = re.sub(_GROUPING, "", match["int"]) + (f".{match['dec']}" if match["dec"] else "")
    value = round(float(digits) * (-1 if match["sign"] else 1) / (100 if match["pct"] else 1), 12)
    year_like = len(match["int"]) >= 4 and not re.search(_GROUPING, match["int"])  # "2019": no grouping
    shape = ("0" if year_like or match["pct"] else "#,##0") + (
        "." + "0" * len(match["dec"]) if match["dec"] else ""
    )
    return value, shape + ("%" if match["pct"] else ""), match["rest"] or ""


def _table_cell(sheet, row: int, column: int, cell) -> None:
    """One `document.Cell`: a number displayed as printed, else its text (a mask as printed).

    The number is the cell's unrounded value when the text prints it (else the
    printed number, in a number column); a detail printed after it (``"(326/960)"``) stays in the
    display format, as text, so the cell reads as in the report and sums as a number.
    """
    from openpyxl.styles import Alignment, Font

    parsed = None if cell.masked else printed_number(cell.text)
    if parsed is not None:
        printed, shape, detail = parsed
        decimals = len(shape.split(".")[1].rstrip("%")) if "." in shape else 0
        unit = 10.0**-decimals / (100 if shape.endswith("%") else 1)
        close = cell.value is not None and abs(cell.value - printed) <= unit
        if detail and not (close or (cell.value is None and cell.numeric)):
            parsed = None  # a detail only behind the figure of a number cell, not in a label
        else:
            literal = detail.replace('"', "").replace("\\", "")
            shape = f'{shape}"{literal}"' if literal else shape
            out = _put(sheet, row, column, float(cell.value if close else printed), shape)
    if parsed is None:
        out = _put(sheet, row, column, cell.text)
        if cell.numeric:
            out.alignment = Alignment(horizontal="right")
    if cell.bold:
        out.font = Font(bold=True)


def _section_sheet(sheet, heading: str, tables: Sequence, legend: str) -> None:
    """The section's heading and the mask legend, then each table: its title, header, rows and footnotes."""
    from openpyxl.styles import Font

    _put(sheet, 1, 1, heading).font = Font(bold=True, size=13)
    _put(sheet, 2, 1, legend)
    row = 4
    for table in tables:
        if table.title:
            _put(sheet, row, 1, table.title).font = Font(bold=True)
            row += 1
        for line in table.header:
            for column, cell in enumerate(line, start=1):
                _put(sheet, row, column, cell.text).font = Font(bold=True)
            row += 1
        if len(tables) == 1:
            sheet.freeze_panes = sheet.cell(row=row, column=1)
        for line in table.rows:
            for column, cell in enumerate(line, start=1):
                _table_cell(sheet, row, column, cell)
            row += 1
        for note in table.footnotes:
            _put(sheet, row, 1, note).font = Font(italic=True)
            row += 1
        row += 1
    if len(tables) != 1:
        sheet.freeze_panes = "A3"  # the heading and the legend stay in view
    _widths(sheet, first_row=4)


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
                item = PROVENANCE_ITEMS.get(sub, sub) if key in ("package", "git") else sub
                lines.append((label, str(item), _shown(shown)))
        elif isinstance(value, list):
            lines += [(label, "", str(item)) for item in value] or [(label, "", "")]
        else:
            lines.append((label, "", _shown(value)))
    return lines


def _shown(value: object) -> str:
    """A provenance value as the sheet prints it: ``""`` for None, ``oui`` / ``non`` for a flag."""
    if value is None:
        return ""
    return {True: "oui", False: "non"}[value] if isinstance(value, bool) else str(value)


def _provenance_sheet(sheet, record: dict) -> None:
    _header(sheet, 1, ["Rubrique", "Élément", "Valeur"])
    for i, line in enumerate(provenance_lines(record), start=2):
        for column, value in enumerate(line, start=1):
            _put(sheet, i, column, value)
    _widths(sheet)
