"""End to end: the INAMI 2019 report as ``report.docx`` and the numbered, accessible HTML (issues 13 and 14).

The batch renders the report (HTML, PDF, DOCX); the Word document must open
with python-docx and hold real headings, the numbered tables (with the same
cells as the HTML) and the charts as pictures whose alt text reads their data.
The number of tables (18) and charts is the report's (issue 13); the total of
persons seen, 1 076, is the published 2019 figure (params/targets.yaml, from
../shared/reference/rapport_moral_2019.txt).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from espacep_analysis import docx_report
from espacep_analysis.audit import audit_outputs
from espacep_analysis.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "synthetic"
NBSP = "\u00a0"
INAMI_TABLES = 18


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    argv = ["report", "--data", str(DATA), "--output", str(out), "--years", "2019", "--funders", "inami"]
    assert main([*argv, "--workers", "1"]) == 0
    return out / "2019" / "inami"


@pytest.fixture(scope="module")
def word(rendered):
    import docx

    return docx.Document(rendered / "report.docx")


@pytest.fixture(scope="module")
def soup(rendered):
    return BeautifulSoup((rendered / "report.html").read_text(encoding="utf-8"), "html.parser")


def test_docx_has_word_headings_contents_field_and_page_numbers(word, rendered):
    styles = [(p.style.name, p.text) for p in word.paragraphs]
    assert ("Title", "Rapport INAMI 2019") in styles
    assert ("Heading 1", "1. Les contacts") in styles
    assert ("Heading 2", "4.1 Les analyses des IST (critère 9)") in styles
    body = (rendered / "report.docx").read_bytes()
    import zipfile

    with zipfile.ZipFile(rendered / "report.docx") as z:
        document_xml = z.read("word/document.xml").decode()
        footers = [z.read(n).decode() for n in z.namelist() if n.startswith("word/footer")]
    assert body and 'TOC \\o "1-3"' in document_xml
    assert any(" PAGE " in f for f in footers)


def test_docx_tables_are_the_numbered_html_tables(word, soup):
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption" and p.text.startswith("Tableau")]
    html_captions = [c.get_text() for c in soup.find_all("caption") if c.find_parent("details") is None]
    assert len(word.tables) == INAMI_TABLES == len(captions)
    assert captions == html_captions
    assert captions == [c for c in captions if re.match(r"Tableau \d+ \u2013 \S", c)]  # every table captioned
    assert [int(re.match(r"Tableau (\d+)", c).group(1)) for c in captions] == list(range(1, INAMI_TABLES + 1))
    # The same cells: table 2 (new and known contacts) ends with the published total 1 076.
    assert [c.text for c in word.tables[1].rows[-1].cells] == ["Total", f"1{NBSP}076"]
    html_rows = soup.find_all("table", class_="figures")[1].find_all("tr")
    assert [td.get_text() for td in html_rows[-1].find_all(["td", "th"])] == ["Total", f"1{NBSP}076"]


def test_docx_charts_are_pictures_with_alt_text_from_their_data(word, rendered):
    figures = pd.read_csv(rendered / "figures.csv")
    shapes = list(word.inline_shapes)
    alts = [s._inline.docPr.get("descr") for s in shapes]
    assert len(shapes) >= 4 and all(alts)
    # The place-of-work chart reads each share out, rounded as its bars are labelled (0 decimals).
    street = figures[(figures.indicator == "inami.workplace.street") & (figures.year == 2019)]["value"].item()
    assert f"Rue : {round(street * 100)}{NBSP}%" in alts[0]
    figure_captions = [
        p.text for p in word.paragraphs if p.style.name == "Caption" and p.text.startswith("Fig")
    ]
    assert figure_captions[0] == "Figure 1 \u2013 Lieu de rencontre des TDS en 2019"


def test_html_charts_have_alt_text_from_data_and_a_data_table(soup, rendered):
    images = soup.find_all("img")
    details = soup.find_all("details", class_="chart-data")
    assert images and len(details) == len(images)
    for number, (img, data) in enumerate(zip(images, details, strict=True), start=1):
        assert img["alt"].count(" : ") >= 2, img["alt"]  # "kind : subject. label : value ; ..."
        assert img.find_parent("figure").figcaption.get_text().startswith(f"Figure {number} \u2013 ")
        assert data.summary.get_text().startswith(f"Données de la figure {number} \u2013 ")
        assert data.table.find_all("tr")[1:]  # one row per mark
    nav = soup.find("nav", class_="toc").get_text(" ")
    assert "Liste des tableaux" in nav and "Liste des figures" in nav and "Tableau 18 \u2013" in nav
    assert "Voir le tableau 1." in soup.get_text()


def test_audit_reads_docx_and_finds_a_pseudonym_split_over_runs(rendered, tmp_path):
    import docx

    out = tmp_path / "outputs" / "2019" / "inami"
    out.mkdir(parents=True)
    doc = docx.Document(rendered / "report.docx")
    paragraph = doc.add_paragraph("Personne ")
    paragraph.add_run("SYN-")
    paragraph.add_run("ABC123")  # Word splits text into runs: the audit must join them
    doc.save(out / "report.docx")
    data = tmp_path / "data"
    data.mkdir()
    (data / "persons.csv").write_text("pseudonym,birth_year\nSYN-ABC123,1990\n", encoding="utf-8")
    findings = audit_outputs(tmp_path / "outputs", data)
    assert [(f.kind, f.match) for f in findings] == [("pseudonym", "SYN-ABC123")]
    assert "SYN-ABC123" in docx_report.docx_text(out / "report.docx")


def test_docx_is_byte_identical_on_a_second_render(rendered, tmp_path):
    import datetime as dt

    day = dt.date(2020, 1, 1)
    first = docx_report.write_docx(
        rendered / "report.ipynb", tmp_path / "a.docx", "Rapport INAMI 2019", date=day
    )
    second = docx_report.write_docx(
        rendered / "report.ipynb", tmp_path / "b.docx", "Rapport INAMI 2019", date=day
    )
    assert first.read_bytes() == second.read_bytes()
    import zipfile

    with zipfile.ZipFile(first) as package:  # dated by the report, not by the clock
        assert {info.date_time for info in package.infolist()} == {(2020, 1, 1, 0, 0, 0)}


def test_libreoffice_converts_the_docx_to_pdf(rendered, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: the headless DOCX -> PDF check is skipped")
    result = subprocess.run(
        [
            soffice,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(rendered / "report.docx"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "report.pdf").stat().st_size > 10_000


def _printed_html(soup) -> str:
    """The text the HTML report prints, without the charts' data tables (the Word document has the pictures)."""
    page = BeautifulSoup(str(soup), "html.parser")
    for details in page.find_all("details", class_="chart-data"):
        details.decompose()
    return page.get_text(" ")


def _word_text(path: Path) -> str:
    """The text of the Word document's paragraphs (body, table cells) and footnotes, one paragraph a line."""
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    lines = []
    with zipfile.ZipFile(path) as package:
        for part in ("word/document.xml", "word/footnotes.xml"):
            root = etree.fromstring(package.read(part))
            lines += ["".join(t.text or "" for t in p.iter(f"{w}t")) for p in root.iter(f"{w}p")]
    return "\n".join(lines)


def _holds(text: str, figure: str) -> bool:
    return re.search(rf"(?<![\d,]){re.escape(figure)}(?![\d,])", text) is not None


def test_docx_holds_every_figure_the_report_prints_masked_ones_as_masks(word, soup, rendered):
    from espacep_analysis import fmt

    html_text, word_text = _printed_html(soup), _word_text(rendered / "report.docx")
    # the tables, cell for cell (header and body; the notes are checked below)
    html_tables = [t for t in soup.select("table.figures") if t.find_parent("details") is None]
    for table, html_table in zip(word.tables, html_tables, strict=True):
        rows = [
            [c.get_text() for c in tr.find_all(["td", "th"])]
            for tr in html_table.select("thead tr, tbody tr")
        ]
        assert [[c.text for c in row.cells] for row in table.rows] == rows
    # every figure of figures.csv the HTML prints, formatted by fmt, is printed by the Word document too
    figures = pd.read_csv(rendered / "figures.csv")
    printed = masked = 0  # figures checked in the HTML and the Word text; masked figures
    for row in figures[figures["source"].isin(["computed", "declared"])].to_dict("records"):
        if row["suppressed"]:
            assert fmt.figure_value(row) in ("< 5", "x") and pd.isna(row["value"])  # no value to leak
            masked += 1
            continue
        for decimals in (0, 1, 2):
            text = fmt.figure_value(row, percent_decimals=decimals)
            if _holds(html_text, text):
                assert _holds(word_text, text), (row["indicator"], row["year"], row["scope"], text)
                printed += 1
    assert printed > 300 and masked > 10
    masks = [
        c.text for table in word.tables for row in table.rows for c in row.cells if c.text in ("< 5", "x")
    ]
    assert "< 5" in masks and "x" in masks  # as the HTML prints them (the cells compared above)
    # the published total of persons seen (params/targets.yaml: 1 076 in 2019)
    assert _holds(word_text, f"1{NBSP}076")
    # the notes of the tables: every HTML table footnote is a Word footnote or the legend under the table
    notes = [
        td.get_text() for td in soup.select("table.figures tfoot td") if td.find_parent("details") is None
    ]
    assert notes and all(
        note in word_text.splitlines() or f" {note}" in word_text.splitlines() for note in notes
    )
