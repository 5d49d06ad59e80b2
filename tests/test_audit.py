"""The identifier audit: seeded identifiers leaked into each kind of rendered file are found.

A fake data directory holds identifiable values (pseudonyms like
``SYN-ABC123``, birth dates, a real-export file name); each test writes an
output that leaks one of them (or none) and checks the audit's findings.
"""

from __future__ import annotations

import datetime
import io
import json
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from openpyxl import Workbook

from espacep_analysis import renderers
from espacep_analysis.audit import (
    Finding,
    audit_exit_status,
    audit_outputs,
    collect_identifiers,
    format_findings,
    run_audit,
)
from espacep_analysis.errors import EspacepError

PSEUDONYMS = ["SYN-ABC123", "SYN-XYZ789", "SYN-QRS456"]


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    """persons.csv (Windows-1252, semicolons, a title row), an XLSX export, a raw export."""
    root = tmp_path / "data"
    root.mkdir()
    persons = (
        "Export Espace P\u2026 \u2013 personnes\n"  # title row above the header
        "pseudonym;birth_year;gender;nationality;inclusion_date;birth_date\n"
        "SYN-ABC123;1990;woman;BE;2018-03-01;17/05/1990\n"
        "SYN-XYZ789;1985;woman;RO;2019-01-10;1985-11-02\n"
        "AB;1999;man;FR;2019-01-10;\n"
    )  # too short to search
    (root / "persons.csv").write_bytes(persons.encode("cp1252"))
    book = Workbook()
    sheet = book.active
    sheet.append(["pseudonym", "date", "site"])
    sheet.append(["SYN-QRS456", "2019-02-02", "liege"])
    book.save(root / "consultations.xlsx")
    raw = root / "raw"
    raw.mkdir()
    (raw / "export_marie_dupont_2019.csv").write_text("pseudonym,date\nSYN-ABC123,2019-01-01\n")
    (raw / "persons.csv").write_text("pseudonym\nSYN-ABC123\n")
    return root


def _notebook(path: Path, outputs=(), metadata=None) -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("display(table)")
    cell.outputs = list(outputs)
    nb.cells.append(cell)
    nb.metadata.update(metadata or {})
    nbformat.write(nb, str(path))


_PDF_CACHE: dict[str, bytes] = {}


def _pdf(path: Path, text: str) -> None:
    """A small PDF made with WeasyPrint (the project's PDF engine), cached per text."""
    if text not in _PDF_CACHE:
        from weasyprint import HTML

        html = f"<html><body><h1>Rapport 2019</h1><p>{text}</p></body></html>"
        _PDF_CACHE[text] = HTML(string=html).write_pdf()
    path.write_bytes(_PDF_CACHE[text])


def _clean_outputs(out: Path) -> None:
    """A report tree that quotes nothing identifying (but look-alikes; the image is a PNG by its signature)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.html").write_text(
        "<html><body><p>1 076 TDS rencontrés ; codes SYN-ABC1234 et XSYN-ABC123 "
        "ne sont pas des pseudonymes ; née en 1990.</p>"
        '<img src="data:image/png;base64,iVBORw0KGgoAU1lOLUFCQzEyMw+SYN/ABC123+AAAA=="></body></html>',
        encoding="utf-8",
    )
    (out / "figures.csv").write_text(
        "indicator,label,year,scope,numerator,denominator,value\n"
        "inami.persons_seen,TDS vus,2019,all,,,1076\n",
        encoding="utf-8",
    )
    _notebook(
        out / "report.ipynb",
        [nbformat.v4.new_output("stream", name="stdout", text="1076 personnes\n")],
        {"papermill": {"parameters": {"year": 2019, "data_dir": "data/synthetic"}}},
    )
    _pdf(out / "report.pdf", "1 076 TDS rencontrés en 2019.")
    _docx(out / "report.docx", "1 076 TDS rencontrés en 2019 (codes SYN-ABC1234).")
    _xlsx(out / "figures.xlsx", [["indicator", "value"], ["inami.persons_seen", 1076]])


def _docx(path: Path, text: str = "Rapport 2019", table: str = "1 076", footer: str = "", author: str = ""):
    """A Word document: a heading, a paragraph, a one-cell table, a footer, an author."""
    import docx

    document = docx.Document()
    document.add_heading("Rapport INAMI 2019", level=1)
    document.add_paragraph(text)
    document.add_table(rows=1, cols=1).cell(0, 0).text = table
    document.sections[0].footer.paragraphs[0].text = footer
    document.core_properties.author = author
    document.save(str(path))


def _xlsx(path: Path, rows: list, comment: str = "", hidden: list | None = None) -> None:
    """A workbook: ``rows`` on its first sheet (a comment on A1), ``hidden`` on a hidden sheet."""
    from openpyxl.comments import Comment

    book = Workbook()
    for row in rows:
        book.active.append(row)
    if comment:
        book.active["A1"].comment = Comment(comment, "espacep")
    if hidden:
        sheet = book.create_sheet("cache")
        sheet.sheet_state = "hidden"
        for row in hidden:
            sheet.append(row)
    book.save(path)


def test_collect_identifiers(data_dir):
    ids = collect_identifiers(data_dir)
    # AB is shorter than MIN_PSEUDONYM_LENGTH; the XLSX and raw exports are read
    assert ids.pseudonyms == frozenset(PSEUDONYMS)
    assert {"1990-05-17", "17/05/1990", "17.05.1990", "1985-11-02", "02/11/1985"} <= ids.birth_dates
    assert str(data_dir.resolve()) in ids.paths
    # persons.csv in raw/ is a plain table name; the other raw export is named after a person
    assert ids.export_names == frozenset({"export_marie_dupont_2019.csv"})


def test_clean_outputs_give_no_finding(data_dir, tmp_path):
    out = tmp_path / "outputs" / "2019" / "inami"
    _clean_outputs(out)
    assert audit_outputs(tmp_path / "outputs", data_dir) == []
    buffer = io.StringIO()
    assert run_audit(tmp_path / "outputs", data_dir, out=buffer) == 0
    assert "aucun identifiant trouvé" in buffer.getvalue()


LEAKS = {
    "html": (
        "report.html",
        lambda p: p.write_text("<html><body><td>SYN&#45;XYZ789</td></body></html>"),
        "pseudonym",
        "SYN-XYZ789",
    ),
    "csv": (
        "figures.csv",
        lambda p: p.write_text("indicator,value\ninami.x,SYN-QRS456\n"),
        "pseudonym",
        "SYN-QRS456",
    ),
    "notebook_output": (
        "report.ipynb",
        lambda p: _notebook(
            p, [nbformat.v4.new_output("stream", name="stdout", text="premier cas: syn-abc123 (2019)\n")]
        ),
        "pseudonym",
        "syn-abc123",
    ),
    "pdf": ("report.pdf", lambda p: _pdf(p, "Cas index SYN-ABC123, suivi."), "pseudonym", "SYN-ABC123"),
    "birth_date": (
        "notes.txt",
        lambda p: p.write_text("née le 17/05/1990 à Liège"),
        "birth_date",
        "17/05/1990",
    ),
    "docx_pseudonym": (
        "report.docx",
        lambda p: _docx(p, "Cas index syn-xyz789, suivi."),
        "pseudonym",
        "syn-xyz789",
    ),
    "docx_birth_date_in_table": (
        "report.docx",
        lambda p: _docx(p, table="née le 2/11/1985"),
        "birth_date",
        "2/11/1985",
    ),
    "docx_machine_path_in_footer": (
        "report.docx",
        lambda p: _docx(p, footer="rendu depuis /home/marie/espacep/outputs"),
        "machine_path",
        "/home/marie/espacep/outputs",
    ),
    "docx_author": ("report.docx", lambda p: _docx(p, author="SYN-QRS456"), "pseudonym", "SYN-QRS456"),
    "xlsx_pseudonym": (
        "figures.xlsx",
        lambda p: _xlsx(p, [["indicator", "value"], ["inami.x", "SYN-ABC123"]]),
        "pseudonym",
        "SYN-ABC123",
    ),
    "xlsx_birth_date_cell": (
        "figures.xlsx",
        lambda p: _xlsx(p, [["indicator", "value"], ["inami.x", datetime.date(1985, 11, 2)]]),
        "birth_date",
        "1985-11-02",
    ),
    "xlsx_machine_path_in_comment": (
        "figures.xlsx",
        lambda p: _xlsx(p, [["indicator"]], comment="source : /tmp/espacep/persons.csv"),
        "machine_path",
        "/tmp/espacep/persons.csv",
    ),
    "xlsx_hidden_sheet": (
        "figures.xlsx",
        lambda p: _xlsx(p, [["indicator"]], hidden=[["SYN-XYZ789"]]),
        "pseudonym",
        "SYN-XYZ789",
    ),
    "export_name": (
        "provenance.json",
        lambda p: p.write_text(json.dumps({"inputs": {"export_marie_dupont_2019.csv": "ab12"}})),
        "export_name",
        "export_marie_dupont_2019.csv",
    ),
}


@pytest.mark.parametrize("case", sorted(LEAKS))
def test_a_leak_in_each_kind_of_file_is_found(case, data_dir, tmp_path):
    out = tmp_path / "outputs"
    _clean_outputs(out)
    name, write, kind, match = LEAKS[case]
    write(out / name)
    findings = audit_outputs(out, data_dir)
    assert [(Path(f.file).name, f.kind, f.match) for f in findings] == [(name, kind, match)]
    assert match in findings[0].context
    assert audit_exit_status(findings) == 1


def test_data_path_in_notebook_metadata_is_found(data_dir, tmp_path):
    out = tmp_path / "outputs"
    out.mkdir()
    absolute = str(data_dir.resolve())
    _notebook(out / "inami.ipynb", metadata={"papermill": {"parameters": {"data_dir": absolute}}})
    findings = audit_outputs(out, data_dir)
    assert [(f.kind, f.match) for f in findings] == [("data_path", absolute)]
    buffer = io.StringIO()
    assert run_audit(out, data_dir, out=buffer) == 1
    text = buffer.getvalue()
    assert "inami.ipynb : data_path" in text and "ÉCHEC, constats : 1, fichiers : 1" in text


def test_pseudonym_inside_a_longer_word_is_not_a_match(data_dir, tmp_path):
    out = tmp_path / "outputs"
    out.mkdir()
    (out / "a.txt").write_text("SYN-ABC1234 ASYN-ABC123 SYN-ABC123_x 1SYN-XYZ789")
    assert audit_outputs(out, data_dir) == []
    (out / "a.txt").write_text("(SYN-ABC123) ; SYN-XYZ789.")
    assert sorted(f.match for f in audit_outputs(out, data_dir)) == ["SYN-ABC123", "SYN-XYZ789"]


def test_row_level_dataframe_in_notebook_output(data_dir, tmp_path):
    out = tmp_path / "outputs"
    out.mkdir()
    # pandas' HTML for a frame of records; pseudonyms replaced so that only
    # the row-records rule can fire
    records = (
        '<table border="1" class="dataframe"><thead><tr><th></th><th>pseudonym</th>'
        "<th>site</th></tr></thead><tbody>"
        + "".join(f"<tr><th>{i}</th><td>P{i}</td><td>liege</td></tr>" for i in range(3))
        + "</tbody></table>"
    )
    aggregate = records.replace("pseudonym", "persons")
    _notebook(
        out / "records.ipynb",
        [nbformat.v4.new_output("display_data", data={"text/html": records, "text/plain": "..."})],
    )
    _notebook(
        out / "aggregate.ipynb",
        [nbformat.v4.new_output("display_data", data={"text/html": aggregate, "text/plain": "..."})],
    )
    findings = audit_outputs(out, data_dir)
    assert [(Path(f.file).name, f.kind, f.match) for f in findings] == [
        ("records.ipynb", "row_records", "3 rows with column pseudonym")
    ]
    assert audit_outputs(out, data_dir, max_record_rows=3) == []


def test_printed_dataframe_of_records(data_dir, tmp_path):
    out = tmp_path / "outputs"
    out.mkdir()
    text = "  pseudonym  site\n0  P1  liege\n1  P2  namur\n"
    _notebook(out / "n.ipynb", [nbformat.v4.new_output("execute_result", data={"text/plain": text})])
    assert [f.match for f in audit_outputs(out, data_dir)] == ["2 rows with column pseudonym"]


def test_unreadable_pdf_fails_the_audit(data_dir, tmp_path):
    out = tmp_path / "outputs"
    out.mkdir()
    (out / "report.pdf").write_bytes(b"not a pdf at all")
    findings = audit_outputs(out, data_dir)
    assert [f.kind for f in findings] == ["unreadable"]


def test_errors(tmp_path, data_dir):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "sites.csv").write_text("code,label\nliege,Liège\n")
    with pytest.raises(EspacepError, match="aucune colonne 'pseudonym'"):
        audit_outputs(tmp_path, empty)
    with pytest.raises(EspacepError, match="n'existe pas"):
        audit_outputs(tmp_path / "nowhere", data_dir)
    with pytest.raises(EspacepError, match="n'existe pas"):
        collect_identifiers(tmp_path / "nowhere")


def test_format_findings():
    assert format_findings([]) == "audit : aucun identifiant trouvé dans les sorties"
    text = format_findings([Finding("out/a.html", "pseudonym", "SYN-ABC123", "cas SYN-ABC123 vu")])
    assert text.splitlines() == [
        "out/a.html : pseudonym : 'SYN-ABC123' dans \u00abcas SYN-ABC123 vu\u00bb",
        "audit : ÉCHEC, constats : 1, fichiers : 1",
    ]


def test_many_pseudonyms_large_file(tmp_path):
    # 5000 pseudonyms, a 2 MB report with one leak at the end: one pass, found
    data = tmp_path / "data"
    data.mkdir()
    names = [f"SYN-{i:06d}" for i in range(5000)]
    (data / "persons.csv").write_text("pseudonym\n" + "\n".join(names) + "\n")
    out = tmp_path / "outputs"
    out.mkdir()
    filler = "<p>1 076 TDS vus en 2019, 95,5 % ; SYN-1234567 ; 000123 </p>\n" * 30000
    (out / "report.html").write_text(filler + "<p>SYN-004711</p>")
    start = time.perf_counter()
    findings = audit_outputs(out, data)
    elapsed = time.perf_counter() - start
    assert [f.match for f in findings] == ["SYN-004711"]
    assert elapsed < 10, elapsed  # generous; about 1 s on a laptop


def test_pdfs_read_in_parallel_find_the_same(data_dir, tmp_path):
    # several PDFs (worker processes): a leak in one, a broken one, a clean one, each reported on its own
    from espacep_analysis import audit

    out = tmp_path / "par"
    out.mkdir()
    _pdf(out / "a.pdf", "Cas index SYN-ABC123, suivi.")
    _pdf(out / "b.pdf", "1 076 TDS rencontrés en 2019.")
    (out / "c.pdf").write_bytes(b"not a pdf at all")
    findings = audit.audit_outputs(out, data_dir)
    assert sorted((Path(f.file).name, f.kind) for f in findings) == [
        ("a.pdf", "pseudonym"),
        ("c.pdf", "unreadable"),
    ]


def test_a_file_inside_a_word_or_excel_file_is_found(data_dir, tmp_path):
    out = tmp_path / "outputs"
    _clean_outputs(out)
    for name in ("report.docx", "figures.xlsx"):
        with zipfile.ZipFile(out / name, "a") as package:
            package.writestr("word/embeddings/persons.bin", b"pseudonym\nSYN-ABC123\n")
            package.writestr("xl/media/image1.png", b"not a png")
    kinds = sorted((Path(f.file).name, f.kind, f.match.split(":")[0]) for f in audit_outputs(out, data_dir))
    assert kinds == [
        (name, "embedded_file", part)
        for name in ("figures.xlsx", "report.docx")
        for part in ("word/embeddings/persons.bin", "xl/media/image1.png")
    ]


def test_a_word_or_excel_file_that_cannot_be_read_fails_the_audit(data_dir, tmp_path):
    out = tmp_path / "outputs"
    _clean_outputs(out)
    (out / "report.docx").write_bytes(b"PK\x03\x04 not a zip")
    findings = audit_outputs(out, data_dir)
    assert [(Path(f.file).name, f.kind) for f in findings] == [("report.docx", "unreadable")]


def test_a_workbook_is_parsed_once_and_its_cells_still_read(data_dir, tmp_path, monkeypatch):
    # the registered reader of .xlsx is the one office_text starts with: its text is reused, not read again
    import openpyxl

    from espacep_analysis import audit_files

    out = tmp_path / "outputs"
    _clean_outputs(out)
    _xlsx(out / "figures.xlsx", [["indicator", "value"], ["inami.x", "SYN-ABC123"]])
    opened: list[str] = []
    real = openpyxl.load_workbook

    def counting(path, *args, **kwargs):
        opened.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", counting)
    findings = audit_outputs(out, data_dir)
    assert opened.count("figures.xlsx") == 1  # (the data directory holds a workbook too)
    assert [(Path(f.file).name, f.kind, f.match) for f in findings] == [
        ("figures.xlsx", "pseudonym", "SYN-ABC123")
    ]
    assert audit_files.office_reader(".xlsx") == renderers.get("xlsx").text_fn.__qualname__
