"""Word layout of typed tables (issue 14): landscape sections, widths within the page, real footnotes.

The tables are built here as the pages build them (`pages.common.rows_table`:
the table's note, then the legend of its masks from `fmt.legend_footnotes`)
and rendered with `docx_report.add_blocks`; the document is saved, opened
again with python-docx and its XML parts read with lxml. The page sizes are
A4 (21 x 29.7 cm) with the margins of report.css's ``@page`` (2 cm, 2.4 cm
at the bottom), written out here rather than read from the module.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.shared import Cm
from lxml import etree

from espacep_analysis import docx_report
from espacep_analysis.audit import audit_outputs
from espacep_analysis.document import Heading, Table, Text
from espacep_analysis.pages.common import rows_table

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PORTRAIT_TEXT_CM = 21.0 - 2 * 2.0
LANDSCAPE_TEXT_CM = 29.7 - 2 * 2.0
NOTE = "Proportions : IC à 95 % par la méthode « Wilson »."
# The order of w:tblPr's children in ECMA-376 (CT_TblPr): Word refuses a document that breaks it.
TBLPR_ORDER = [
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
    "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
]  # fmt: skip


def _comparison(years: range, landscape: bool) -> Table:
    """A comparison table as `pages.trends.comparison_table` lays it out: label, years, difference, p, verdict."""
    header = ["Indicateur", *map(str, years), f"Différence {years[-1]} − {years[0]} [IC]", "p", "Évolution"]
    row = ["Part des TDS sans médecin traitant", *["48,2 % (123/255)"] * len(years)]
    masked = ["Part des TDS testées positives au VIH", *["< 5"] * len(years)]
    table = rows_table(
        header,
        [
            ([*row, "+1,2 [−3,4 ; 5,6]", "0,123", "pas de changement"], False),
            ([*masked, "x", "x", "x"], False),
        ],
        caption="Évolution des indicateurs",
        footnote=NOTE,
    )
    classes = ("comparison", "landscape") if landscape else ("comparison",)
    return Table(table.header, table.rows, table.caption, table.footnotes, number=1, classes=classes)


def _render(tmp_path: Path, blocks: list) -> Path:
    doc = docx_report.new_document("Rapport")
    docx_report.add_blocks(doc, [(b, None) for b in blocks])
    path = tmp_path / "report.docx"
    doc.save(path)
    return path


def _section_of_tables(path: Path) -> list[int]:
    """The index of the section (in `Document.sections`) each table of the body sits in."""
    body = docx.Document(path).element.body
    found, section = [], 0
    for child in body:
        if child.tag == f"{W}tbl":
            found.append(section)
        elif child.tag == f"{W}p" and child.find(f"{W}pPr/{W}sectPr") is not None:
            section += 1
    return found


@pytest.fixture()
def two_tables(tmp_path):
    wide, narrow = _comparison(range(2015, 2020), True), _comparison(range(2018, 2020), False)
    path = _render(
        tmp_path, [Heading("Évolution", 2), Text("Voir le tableau 1."), wide, Text("Suite."), narrow]
    )
    return path, docx.Document(path)


def test_a_landscape_table_sits_in_a_landscape_section_then_portrait_again(two_tables):
    path, doc = two_tables
    sections = doc.sections
    assert [s.orientation for s in sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    assert _section_of_tables(path) == [1, 2]  # the five-year table on the landscape page, the other after
    portrait, landscape = sections[0], sections[1]
    assert (landscape.page_width, landscape.page_height) == (portrait.page_height, portrait.page_width)
    assert round(portrait.page_width.cm, 2) == 21.0 and round(portrait.page_height.cm, 2) == 29.7
    for section in sections:  # same margins on every page
        margins = (section.top_margin, section.right_margin, section.bottom_margin, section.left_margin)
        assert [round(m.cm, 2) for m in margins] == [2.0, 2.0, 2.4, 2.0]
    # the caption is on the landscape page with its table; the footer (page numbers) carries on
    captions = [p for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions[0].text.startswith("Tableau 1 – Évolution")
    assert all(s.footer.is_linked_to_previous for s in sections[1:])
    assert " PAGE " in sections[2].footer.paragraphs[0]._p.xml
    with zipfile.ZipFile(path) as package:
        document_xml = package.read("word/document.xml").decode()
    assert "pgNumType" not in document_xml  # no restart of the numbering


def test_tables_are_exactly_as_wide_as_the_text_of_their_page(two_tables):
    _, doc = two_tables
    for table, text_cm in zip(doc.tables, (LANDSCAPE_TEXT_CM, PORTRAIT_TEXT_CM), strict=True):
        grid = [int(c.get(f"{W}w")) for c in table._tbl.tblGrid.findall(f"{W}gridCol")]
        assert len(grid) == len(table.columns)
        assert sum(grid) == pytest.approx(Cm(text_cm).twips, abs=1)  # twips
        assert table._tbl.tblPr.find(f"{W}tblLayout").get(f"{W}type") == "fixed"
        assert table._tbl.tblPr.find(f"{W}tblW").get(f"{W}type") == "dxa"
        tags = [etree.QName(e).localname for e in table._tbl.tblPr]
        assert tags == sorted(tags, key=TBLPR_ORDER.index) and tags.count("tblW") == 1
        widths = [int(c.width) for row in table.rows for c in row.cells]
        assert sum(widths) == len(table.rows) * sum(grid) * 635  # EMU: each row fills the width
        # the label column is the widest, the p-value column narrower than a year's
        assert grid[0] == max(grid) and grid[-2] < grid[1]


def test_a_table_with_many_columns_fits_a_portrait_page(tmp_path):
    many = rows_table(
        [f"Colonne numéro {i}" for i in range(14)], [([f"1{i} 076,5" for i in range(14)], False)]
    )
    doc = docx.Document(_render(tmp_path, [many]))
    grid = [int(c.get(f"{W}w")) for c in doc.tables[0]._tbl.tblGrid.findall(f"{W}gridCol")]
    assert len(grid) == 14 and sum(grid) <= Cm(PORTRAIT_TEXT_CM).twips
    assert [s.orientation for s in doc.sections] == [WD_ORIENT.PORTRAIT]  # not a comparison: stays portrait


def test_table_notes_are_real_footnotes_and_the_mask_legend_stays_under_the_table(two_tables):
    path, doc = two_tables
    with zipfile.ZipFile(path) as package:
        document_xml = etree.fromstring(package.read("word/document.xml"))
        footnotes_xml = etree.fromstring(package.read("word/footnotes.xml"))
        relations = package.read("word/_rels/document.xml.rels").decode()
        types = package.read("[Content_Types].xml").decode()
        settings = package.read("word/settings.xml").decode()
    references = [int(r.get(f"{W}id")) for r in document_xml.iter(f"{W}footnoteReference")]
    notes = {int(n.get(f"{W}id")): n for n in footnotes_xml.findall(f"{W}footnote")}
    assert references == [1, 2]  # one note per table, referenced from its caption
    assert set(references) <= set(notes) and {-1, 0} <= set(notes)
    assert [notes[-1].get(f"{W}type"), notes[0].get(f"{W}type")] == ["separator", "continuationSeparator"]
    assert "".join(notes[1].itertext()).strip() == NOTE
    assert "relationships/footnotes" in relations and "footnotes+xml" in types
    assert '<w:footnote w:id="-1"/>' in settings
    assert settings.index("<w:footnotePr>") < settings.index("<w:compat>")  # the schema's order
    captions = [p for p in doc.paragraphs if p.style.name == "Caption"]
    assert all(p._p.find(f".//{W}footnoteReference") is not None for p in captions)
    # the legend of the masks: a "Note de tableau" paragraph right after each table, not a footnote
    body = list(doc.element.body)
    for table in doc.tables:
        after = body[body.index(table._tbl) + 1]
        legend = docx.text.paragraph.Paragraph(after, doc)
        assert legend.style.name == docx_report.NOTE_STYLE
        assert legend.text.startswith("«\u00a0< 5\u00a0» : effectif de 1 à 4, masqué.")
    assert "masqué" not in "".join(footnotes_xml.itertext())


def test_the_audit_reads_the_footnotes(tmp_path):
    out = tmp_path / "outputs" / "2019" / "inami"
    out.mkdir(parents=True)
    table = rows_table(["Antenne", "TDS vus"], [(["Liège", "12"], False)], "Contacts", "Source : SYN-ABC123.")
    path = _render(out, [Table(table.header, table.rows, table.caption, table.footnotes, number=1)])
    assert "SYN-ABC123" not in docx.Document(path).element.xml  # only in word/footnotes.xml
    assert "Source : SYN-ABC123." in docx_report.docx_text(path)
    data = tmp_path / "data"
    data.mkdir()
    (data / "persons.csv").write_text("pseudonym,birth_year\nSYN-ABC123,1990\n", encoding="utf-8")
    findings = audit_outputs(tmp_path / "outputs", data)
    assert [(f.kind, f.match) for f in findings] == [("pseudonym", "SYN-ABC123")]


def test_a_table_without_caption_carries_its_note_in_its_first_row(tmp_path):
    table = rows_table(
        ["Antenne", "TDS vus"], [(["Liège", "12"], False)], footnote="Une personne par antenne."
    )
    doc = docx.Document(_render(tmp_path, [table]))
    first_row = doc.tables[0].rows[0].cells
    assert first_row[-1]._tc.find(f".//{W}footnoteReference").get(f"{W}id") == "1"
    assert first_row[0]._tc.find(f".//{W}footnoteReference") is None
    assert not [p for p in doc.paragraphs if p.style.name == docx_report.NOTE_STYLE]  # no mask: no legend


def test_an_undated_document_is_dated_as_a_report_not_by_a_fixed_year(monkeypatch):
    """`new_document` without a date takes the render date (SOURCE_DATE_EPOCH here), never a year of its own."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")  # date -u -d @1795000000: 2026-11-18
    props = docx_report.new_document("Rapport").core_properties
    assert props.created.date() == props.modified.date() == dt.date(2026, 11, 18)
