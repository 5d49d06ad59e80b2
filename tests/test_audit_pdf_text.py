"""The audit searches the text the renderer drew into a PDF instead of parsing the PDF back (issue 15).

`render.to_pdf` keeps, per sha256 of the PDF it wrote, the text of its line boxes,
SVG images, document information and XMP metadata; the batch hands it to the audit,
which uses it only for a PDF with exactly that sha256. The independent reference is
pypdf's extraction of the same PDF (what the audit read before): every word pypdf
finds must be in the renderer's text. No side file is written anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest

from espacep_analysis import render
from espacep_analysis.audit import _pdf_text, audit_outputs

PLANTED = "SYN-ABC123"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
    '<text x="5" y="20" font-size="12">axe SYN-SVG777</text></svg>'
)
HTML = f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Titre {PLANTED}</title>
<style>@page {{ size: A5; @bottom-center {{ content: "pied SYN-FOOT42 " counter(page); }} }}</style>
</head><body><h1>Rapport 2019</h1>
<p>Cas index SYN-<b>ABC</b><i>123</i>, suivi.</p>
<table><tr><th>pseudonyme</th><td>SYN-TAB999</td></tr></table>
<img alt="graphique SYN-ALT555" src="data:image/svg+xml;base64,{base64.b64encode(SVG.encode()).decode()}">
<p style="page-break-before: always">Deuxième page : 1 076 TDS rencontrés en 2019.</p>
</body></html>"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("pdf")
    (root / "report.html").write_text(HTML, encoding="utf-8")
    render.take_page_texts()
    pdf = render.to_pdf(root / "report.html", root / "report.pdf")
    return pdf, render.take_page_texts()


def _words(text: str) -> set[str]:
    return set(re.findall(r"[\w-]+", text))


def test_renderer_text_holds_every_word_pypdf_reads(rendered):
    pdf, texts = rendered
    assert list(texts) == [hashlib.sha256(pdf.read_bytes()).hexdigest()]
    text = texts[hashlib.sha256(pdf.read_bytes()).hexdigest()]
    read_back = _pdf_text(pdf)
    assert PLANTED in read_back and "SYN-FOOT42" in read_back  # the reference finds them
    assert _words(read_back) <= _words(text)
    for planted in (PLANTED, "SYN-TAB999", "SYN-FOOT42", "SYN-SVG777", "SYN-ALT555", f"Titre {PLANTED}"):
        assert planted in text
    assert render.take_page_texts() == {}  # taken once


def test_page_text_is_not_written_next_to_the_pdf(rendered):
    pdf, _ = rendered
    assert sorted(p.name for p in pdf.parent.iterdir()) == ["report.html", "report.pdf"]


def _data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "persons.csv").write_text(f"pseudonym,birth_year\n{PLANTED},1990\n", encoding="utf-8")
    return data


def _outputs(tmp_path: Path, pdf: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.pdf").write_bytes(pdf.read_bytes())
    return out


def test_audit_uses_the_renderer_text_only_for_that_pdf(rendered, tmp_path, monkeypatch):
    pdf, texts = rendered
    data, out = _data(tmp_path), _outputs(tmp_path, pdf)
    monkeypatch.setattr("espacep_analysis.audit._pdf_text", lambda path: pytest.fail("PDF parsed"))
    findings = audit_outputs(out, data, pdf_texts=texts)
    assert {(Path(f.file).name, f.kind, f.match) for f in findings} == {("report.pdf", "pseudonym", PLANTED)}


@pytest.mark.parametrize("side", ["absent", "stale", "other pdf"])
def test_planted_pseudonym_found_when_the_renderer_text_does_not_match(rendered, tmp_path, side):
    pdf, texts = rendered
    data, out = _data(tmp_path), _outputs(tmp_path, pdf)
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    given = {
        "absent": {},
        "stale": {hashlib.sha256(b"the PDF before it changed").hexdigest(): "rien"},
        "other pdf": {digest: texts[digest]},
    }[side]
    if side == "other pdf":  # the PDF changed after rendering (one byte of its trailer comment)
        (out / "report.pdf").write_bytes(pdf.read_bytes() + b"\n%")
        given = {digest: "Rapport 2019, sans identifiant."}
    findings = audit_outputs(out, data, pdf_texts=given)
    assert {(Path(f.file).name, f.kind, f.match) for f in findings} == {("report.pdf", "pseudonym", PLANTED)}


def test_batch_audit_parses_no_pdf_it_rendered_and_writes_no_side_file(tmp_path, monkeypatch):
    import io

    from espacep_analysis import audit
    from espacep_analysis.batch import BatchOptions, run_batch

    parsed: list[list[Path]] = []
    start = audit._start_pdf_texts
    monkeypatch.setattr(audit, "_start_pdf_texts", lambda paths: parsed.append(list(paths)) or start(paths))
    data = Path(__file__).resolve().parent.parent / "data" / "synthetic"
    out = tmp_path / "out"
    options = BatchOptions(data, out, years=[2019], funders=["inami"], formats=("html", "pdf"), workers=1)
    text = io.StringIO()
    assert run_batch(options, out=text) == 0, text.getvalue()
    assert "audit : aucun identifiant trouvé" in text.getvalue()
    assert parsed == [[]]  # the one PDF was searched in the renderer's text
    report = out / "2019" / "inami"
    assert sorted(p.name for p in report.iterdir()) == [
        ".stamp.json",
        "figures-excel.csv",
        "figures.csv",
        "provenance.json",
        "report.html",
        "report.ipynb",
        "report.pdf",
    ]
    assert sorted(p.suffix for p in (out / ".cache").iterdir()) == [".pkl"]
    assert audit.audit_outputs(out, data) == []  # `espacep audit`: no texts, the PDF is parsed
    assert parsed[-1] == [report / "report.pdf"]


def test_html_audit_searches_the_text_of_its_svg_charts(tmp_path):
    # issue 15: charts' labels are SVG <text> (not glyph outlines) since the SVG change; in the
    # HTML the chart is a base64 data URI, which the audit decodes and searches like the page
    data = tmp_path / "data"
    data.mkdir()
    (data / "persons.csv").write_text("pseudonym,birth_year\nSYN-SVG777,1990\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text(HTML.replace('alt="graphique SYN-ALT555"', 'alt=""'), encoding="utf-8")
    found = {(Path(f.file).name, f.kind, f.match) for f in audit_outputs(out, data)}
    assert found == {("report.html", "pseudonym", "SYN-SVG777")}
