"""The spreadsheet forms of the figures: figures-excel.csv cells, printed numbers, sheet names, the workbook.

Values are checked against the text the reports print (`fmt`) and against
Excel's rules (31-character sheet names, text never read as a formula).
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from espacep_analysis import document
from espacep_analysis.spreadsheet import (
    ALL_SHEET,
    excel_csv,
    printed_number,
    report_sections,
    sheet_name,
    write_figures_xlsx,
)


def test_excel_csv_quotes_what_excel_would_run_as_a_formula():
    table = pd.DataFrame(
        {
            "indicator": ["a.x", "a.y"],
            "label": ['=HYPERLINK("http://x")', "Part ; total"],
            "value": [-0.5, 1.25],
        }
    )
    data = excel_csv(table)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["indicator", "label", "value"],
        ["a.x", '\'=HYPERLINK("http://x")', "-0,5"],  # a negative number stays a number
        ["a.y", "Part ; total", "1,25"],
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1\u202f076", (1076.0, "#,##0", "")),
        ("48,2\u00a0%", (0.482, "0.0%", "")),
        ("2,6", (2.6, "#,##0.0", "")),
        ("2019", (2019.0, "0", "")),
        ("34,0\u00a0% (326/960)", (0.34, "0.0%", " (326/960)")),
        ("< 5", None),
        ("x", None),
        ("[4,0 – 7,7 %]", None),
        ("20 à 24 ans", None),
    ],
)
def test_printed_number(text, expected):
    assert printed_number(text) == expected


def test_sheet_names_are_excel_names_and_unique():
    taken: set[str] = set()
    long = "1.1 Nombre de travailleurs du sexe vus et nombre de consultations (critère 1)"
    first, second = sheet_name(long, taken), sheet_name(long, taken)
    assert first == "1.1 Nombre de travailleurs du…" and len(first) <= 31
    assert second.endswith(" (2)") and len(second) <= 31
    assert sheet_name("1.2 Nouveaux / anciens : [x]?", taken) == "1.2 Nouveaux anciens x"


def test_workbook_from_blocks(tmp_path):
    cell = document.Cell
    table = document.Table(
        ((cell("Antenne"), cell("TDS vus", numeric=True)),),
        (
            (cell("Liège", row_header=True), cell("1\u202f076", 1076.0, numeric=True)),
            (cell("=Arlon", row_header=True), cell("< 5", None, masked=True, numeric=True)),
            (
                cell("Total", bold=True),
                cell("48,3\u00a0% (519/1\u202f076)", 519 / 1076, numeric=True, bold=True),
            ),
        ),
        caption="Contacts",
        footnotes=("Une note.",),
        number=1,
    )
    blocks = [
        document.Heading("1. Contacts", 2),
        document.Text("texte"),
        table,
        document.Heading("Méthodes", 2),
    ]
    sections = report_sections(blocks)
    assert [(h, len(t)) for h, t in sections] == [("1. Contacts", 1)]
    figures = pd.DataFrame(
        {"indicator": ["a.x"], "value": [0.25], "unit": ["proportion"], "suppressed": [False]}
    )
    path = write_figures_xlsx(
        tmp_path, figures, sections, {"year": 2019, "inputs": {"p.csv": "ab"}}, "« < 5 »"
    )
    book = load_workbook(path)
    assert book.sheetnames == ["1. Contacts", ALL_SHEET, "provenance"]
    sheet = book["1. Contacts"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=1)]
    assert values[:2] == [["1. Contacts", None], ["« < 5 »", None]]
    assert values[3:8] == [
        ["Tableau 1 – Contacts", None],
        ["Antenne", "TDS vus"],
        ["Liège", 1076],
        ["=Arlon", "< 5"],
        ["Total", pytest.approx(519 / 1076)],
    ]
    assert sheet["A7"].data_type == "s" and sheet["B7"].data_type == "s"  # text, never a formula
    assert sheet["B6"].number_format == "#,##0"
    assert sheet["B8"].number_format == '0.0%" (519/1\u202f076)"' and sheet["B8"].font.bold
    assert sheet.freeze_panes == "A6" and values[8] == ["Une note.", None]
    every = book[ALL_SHEET]
    assert [c.value for c in every[2]] == ["a.x", 0.25, "proportion", False] and every[
        "B2"
    ].number_format == "0.0%"
    assert [c.value for c in book["provenance"][3]] == ["Fichiers d'entrée (sha256)", "p.csv", "ab"]
