"""End to end: `espacep report` renders the INAMI reports from the committed synthetic data.

The 2019 report's figures.csv must carry every published figure of
params/targets.yaml (2017-2019, within the printed tolerance), and the PDF's
text must print them in Belgian French; 2017 and 2018 render too. The
published values come from ../shared/reference/rapport_moral_2019.txt via
params/targets.yaml, not from the code under test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from targetcheck import TARGETS, check, key

from espacep_analysis.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "synthetic"
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    # --min-cell 0: an internal run, unmasked, to compare with the published report
    status = main(
        [
            "report",
            "--data",
            str(DATA),
            "--output",
            str(out),
            "--years",
            "2017-2019",
            "--funders",
            "inami",
            "--workers",
            "2",
            "--min-cell",
            "0",
        ]
    )
    assert status == 0
    return out


@pytest.fixture(scope="module")
def figures_2019(rendered):
    return pd.read_csv(rendered / "2019" / "inami" / "figures.csv")


@pytest.fixture(scope="module")
def pdf_text(rendered):
    reader = PdfReader(rendered / "2019" / "inami" / "report.pdf")
    return "\n".join(page.extract_text() for page in reader.pages)


def test_every_year_renders_all_products(rendered):
    for year in (2017, 2018, 2019):
        folder = rendered / str(year) / "inami"
        for name in ("report.ipynb", "report.html", "report.pdf", "figures.csv", "provenance.json"):
            assert (folder / name).stat().st_size > 0, f"{year}: {name}"
        figures = pd.read_csv(folder / "figures.csv")
        assert figures["year"].max() == year


@pytest.mark.parametrize(
    "target",
    [pytest.param(t, id=key(t)) for t in TARGETS if t.get("status", "ok") == "ok"],
)
def test_figures_csv_has_the_published_figure(target, figures_2019):
    check(target, figures_2019)


def test_figures_csv_columns(figures_2019):
    assert list(figures_2019.columns[:11]) == [
        "indicator",
        "label",
        "year",
        "scope",
        "numerator",
        "denominator",
        "value",
        "lower",
        "upper",
        "method",
        "unit",
    ]
    assert figures_2019.duplicated(["indicator", "year", "scope"]).sum() == 0


@pytest.mark.parametrize(
    "printed",
    [
        f"a suivi 1{NBSP}076 travailleurs du sexe (1{NBSP}105 en 2018)",
        f"2{NBSP}779 consultations médicales (2{NBSP}828 en 2018)",
        f"48{NBSP}% des TDS rencontrés en 2019 étaient des nouveaux contacts (51{NBSP}% en 2018, 53{NBSP}% en 2017)",
        "Nouveaux travailleurs du sexe 519",
        "Travailleurs du sexe connus 557",
        f"Femmes 1{NBSP}028 95,54{NBSP}%",
        f"Hommes 10 0,93{NBSP}%",
        f"Transgenres 38 3,53{NBSP}%",
        f"1{NBSP}076 (n) − 144 (pas de données) = 932",
        "197 personnes ont reçu au moins un vaccin",
        "309 vaccins ont été administrés (337 en 2018, 347 en 2017 ; valeurs publiées : 421 en 2016)",
        "171 prescriptions de contraceptifs",
        "290 traitements",
        "75 renvois vers des médecins spécialistes",
        f"1{NBSP}630 conseils médicaux",
        "7 accompagnements vers IVG et 5 suivis de grossesse",
    ],
)
def test_pdf_prints_the_published_figure(printed, pdf_text):
    flat = re.sub(r"\s*\n\s*", " ", pdf_text)
    flat = re.sub(r" +", " ", flat)
    assert printed in flat


def test_provenance_names_inputs_without_paths(rendered):
    record = json.loads((rendered / "2019" / "inami" / "provenance.json").read_text())
    assert set(record["inputs"]) >= {
        "persons.csv",
        "consultations.csv",
        "lab_results.csv",
        "medical_acts.csv",
    }
    assert all(len(digest) == 64 for digest in record["inputs"].values())
    assert "/" not in json.dumps(record["parameters"])


def test_html_has_no_code_and_no_row_level_record(rendered):
    html = (rendered / "2019" / "inami" / "report.html").read_text(encoding="utf-8")
    assert "compute_figures" not in html and "build_report" not in html
    persons = pd.read_csv(DATA / "persons.csv", dtype=str)
    assert not any(p in html for p in persons["pseudonym"].head(200))


@pytest.fixture(scope="module")
def masked(tmp_path_factory):
    """The 2019 report as it leaves the organisation: the funder's threshold (5) from params."""
    out = tmp_path_factory.mktemp("masked")
    assert (
        main(["report", "--data", str(DATA), "--output", str(out), "--years", "2019", "--funders", "inami"])
        == 0
    )
    return out / "2019" / "inami"


def test_masked_report_publishes_no_small_count(masked):
    from espacep_analysis.disclosure import COUNT_UNITS

    figures = pd.read_csv(masked / "figures.csv")
    counts = figures[figures["unit"].isin(COUNT_UNITS) & figures["numerator"].isna()]
    assert not counts["value"].between(1, 4).any()
    assert not figures["numerator"].between(1, 4).any()
    complement = figures["denominator"] - figures["numerator"]
    assert not complement.between(1, 4).any()
    assert figures["suppressed"].sum() > 0
    # HIV: 3 positive persons in 2019 (published), masked here with everything derived from it
    hiv = figures[(figures["indicator"] == "inami.prevalence.hiv") & (figures["year"] == 2019)].iloc[0]
    assert bool(hiv["suppressed"]) and pd.isna(hiv["value"]) and pd.isna(hiv["lower"])


def test_masked_report_prints_the_mask_and_the_rule(masked):
    from espacep_analysis.disclosure import cross_report_check

    html = (masked / "report.html").read_text(encoding="utf-8")
    assert "&lt; 5" in html or "< 5" in html
    assert "masqu" in html  # the methods note states the rule
    figures = pd.read_csv(masked / "figures.csv")
    assert cross_report_check({"inami": figures}, [], min_cell=5) == []


# --- issue 4: the syphilis sentence of 2019 comes from the trend test ------------------------------
# Counts 3/666, 6/801, 14/775 (2017-2019); Cochran-Armitage by hand (test_comparisons.py): z = 2.588,
# p = 0.00965 -> "p = 0,010" (2 significant digits), significant at 5 %: "en hausse".


def test_unmasked_report_generates_the_syphilis_sentence(rendered, figures_2019):
    html = (rendered / "2019" / "inami" / "report.html").read_text(encoding="utf-8").replace(NBSP, " ")
    assert (
        "la prévalence de la syphilis est en hausse de 2017 à 2019 (0,5 % en 2017, 0,7 % en 2018, "
        "1,8 % en 2019) : l'évolution est significative au seuil de 5 % (test de tendance de "
        "Cochran-Armitage, p = 0,010)"
    ) in html
    rows = figures_2019.set_index(["indicator", "scope"])
    assert rows.loc[("inami.prevalence.syphilis.verdict", "all"), "value"] == 1.0
    assert rows.loc[("inami.prevalence.syphilis.trend_p", "all"), "value"] == pytest.approx(
        0.009648, abs=1e-6
    )
    diff = rows.loc[("inami.prevalence.syphilis.diff.2017", "all")]
    assert (
        diff["value"] == pytest.approx(14 / 775 - 3 / 666, abs=1e-9) and diff["lower"] > 0
    )  # 10 digits in csv


def test_masked_report_still_says_the_syphilis_rise(masked):
    # 2017's 3 cases are masked; the verdict is the same for 2, 3 or 4 cases (disclosure.release_verdicts),
    # so it is published without the exact p-value, which would give the count back
    html = (masked / "report.html").read_text(encoding="utf-8").replace(NBSP, " ")
    assert (
        "la prévalence de la syphilis est en hausse de 2017 à 2019 (x en 2017, 0,7 % en 2018, 1,8 % en 2019) : "
        "l'évolution est significative au seuil de 5 % (test de tendance de Cochran-Armitage, p &lt; 0,05 ; "
        "valeur exacte non publiée, un effectif étant masqué)"
    ) in html
    rows = pd.read_csv(masked / "figures.csv").set_index(["indicator", "scope"])
    assert rows.loc[("inami.prevalence.syphilis.verdict", "all"), "value"] == 1.0
    assert bool(rows.loc[("inami.prevalence.syphilis.trend_p", "all"), "suppressed"])


def _csv_rows(path: Path, encoding: str, delimiter: str) -> list[list[str]]:
    import csv

    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def test_figures_excel_csv_holds_the_cells_of_figures_csv_for_belgian_excel(masked):
    raw = (masked / "figures-excel.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    excel = _csv_rows(masked / "figures-excel.csv", "utf-8-sig", ";")
    plain = _csv_rows(masked / "figures.csv", "utf-8", ",")
    assert excel[0] == plain[0] and len(excel) == len(plain) > 800
    decimal = re.compile(r"-?\d+\.\d+(e-?\d+)?")
    commas = 0
    for ours, theirs in zip(excel[1:], plain[1:]):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            if decimal.fullmatch(b):
                assert a == b.replace(".", ",")
                commas += 1
            else:
                assert a == b
    assert commas > 100
    # the 2019 INAMI published figure read the way a Belgian spreadsheet does
    row = next(r for r in excel if r[:4] == ["inami.persons_seen", r[1], "2019", "all"])
    target = next(t for t in TARGETS if key(t) == "inami.persons_seen-2019-all")
    assert float(row[excel[0].index("value")].replace(",", ".")) == target["value"]


def _printed(text: str) -> tuple[float, float] | None:
    """A number as the HTML prints it (``1 076``, ``48,2 %``, ``2,6``) and half its last unit; None for text."""
    match = re.fullmatch(r"(-?[\d\s\u00a0\u202f]+)(?:,(\d+))?\s*(%?)", text.replace("\u2212", "-"))
    if match is None or not match.group(1).strip(" -"):
        return None
    decimals = len(match.group(2) or "")
    scale = 100 if match.group(3) else 1
    value = float(re.sub(r"[\s\u00a0\u202f]", "", match.group(1)) + "." + (match.group(2) or "0")) / scale
    return value, 10.0**-decimals / scale / 2


def _sheet_frame(sheet, header_row: int) -> pd.DataFrame:
    rows = list(sheet.iter_rows(min_row=header_row, values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_figures_xlsx_has_the_tables_of_each_section_and_figures_csv(masked):
    from openpyxl import load_workbook

    from espacep_analysis.spreadsheet import ALL_SHEET, PROVENANCE_SHEET

    book = load_workbook(masked / "figures.xlsx")
    names = book.sheetnames
    assert names[-2:] == [ALL_SHEET, PROVENANCE_SHEET] and len(names) >= 12
    first = book[names[0]]
    assert (
        first["A1"].value == "1.1 Nombre de travailleurs du sexe vus et nombre de consultations (critère 1)"
    )
    assert "« < 5 »" in first["A2"].value.replace(NBSP, " ")  # the legend
    csv_rows = pd.read_csv(masked / "figures.csv")
    figure = csv_rows.set_index(["indicator", "year", "scope"])
    # the contacts table: one line per antenna, numbers stored as numbers
    lines = {r[0].value: r for r in first.iter_rows() if isinstance(r[0].value, str)}
    header = next(r for r in first.iter_rows() if r[0].value == "Antenne")
    column = [c.value for c in header].index("TDS vus")
    cell = lines["Bruxelles"][column]
    assert cell.value == figure.loc[("inami.persons_seen", 2019, "antenna:bruxelles"), "value"] == 410
    assert cell.number_format == "#,##0" and first.freeze_panes == f"A{header[0].row + 1}"
    # the tables of the HTML report, cell for cell: every printed number is a number of the sheets
    sections = [book[n] for n in names[:-2]]
    cells = [
        c for sheet in sections for row in sheet.iter_rows(min_row=4) for c in row if c.value is not None
    ]
    numbers = [c.value for c in cells if isinstance(c.value, int | float)]
    html = BeautifulSoup((masked / "report.html").read_text(encoding="utf-8"), "html.parser")
    printed = [td.get_text(" ", strip=True) for td in html.select("table.figures td")]
    shown = [(c.value, c.number_format) for c in cells if isinstance(c.value, int | float)]
    checked = detailed = 0
    for text in printed:
        head, detail = re.fullmatch(r"(.*?)((?:\s+\(.*\))?)", text).groups()
        number = _printed(head)
        if number is not None:
            value, half = number  # "34,0 % (326/960)": 0.34 shown with its detail, in the display format
            suffix = f'"{detail}"' if detail else ""
            assert any(abs(v - value) <= half + 1e-12 and f.endswith(suffix) for v, f in shown), text
            checked += 1
            detailed += bool(detail)
    assert checked > 150 and detailed > 30
    masks = [c.value for c in cells if c.value in ("< 5", "x")]
    assert sorted(masks) == sorted(t for t in printed if t in ("< 5", "x")) and "< 5" in masks
    # so the published figures the report prints in its tables are there, as numbers
    persons_at = {
        t["scope"]: t["value"] for t in TARGETS if t["id"] == "inami.persons_seen" and t["year"] == 2019
    }
    assert persons_at["site:saint_trond"] == 91 and 91 in numbers
    percents = [v for v, f in shown if f.split('"')[0].endswith("%")]  # the format before its detail
    assert len(percents) > 50 and all(-1 <= v <= 1 for v in percents)
    # "toutes les données": figures.csv cell for cell, numbers as numbers
    every = book[ALL_SHEET]
    assert every.freeze_panes == "A2"
    data = _sheet_frame(every, 1)
    assert list(data.columns) == list(csv_rows.columns) and len(data) == len(csv_rows)
    for name in csv_rows.columns:
        ours, theirs = data[name], csv_rows[name]
        if theirs.dtype.kind == "f":
            assert all(isinstance(v, int | float) or v is None for v in ours), name
            assert pd.Series(ours, dtype=float).to_numpy() == pytest.approx(
                theirs.to_numpy(), rel=1e-9, nan_ok=True
            ), name
        else:
            assert ours.astype(str).tolist() == theirs.astype(str).tolist(), name
    proportion = next(r for r in every.iter_rows(min_row=2) if r[10].value == "proportion" and r[6].value)
    assert proportion[6].number_format == "0.0%"
    # the provenance on its own sheet
    record = json.loads((masked / "provenance.json").read_text(encoding="utf-8"))
    lines = {(a, b): c for a, b, c in book[PROVENANCE_SHEET].iter_rows(min_row=2, values_only=True)}
    assert lines[("Paramètres", "min_cell")] == "5"
    for name, digest in record["inputs"].items():
        assert lines[("Fichiers d'entrée (sha256)", name)] == digest
