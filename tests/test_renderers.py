"""The format registry: a registered format joins the batch's products, the index links and the audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_audit import data_dir  # noqa: F401  (the fixture: identifiable exports)

from espacep_analysis import audit_files, batch, index, renderers
from espacep_analysis.audit import audit_outputs
from espacep_analysis.errors import EspacepError


def _rot13_text(path: Path) -> str:
    """The text of a ``.rot`` file (a toy format: ROT13 of UTF-8 text), as a registered format reads it."""
    import codecs

    return codecs.decode(Path(path).read_text(encoding="utf-8"), "rot13")


@pytest.fixture()
def rot_format():
    """A toy format registered for the test, removed afterwards."""
    made = renderers.register(
        "rot",
        renderers.Renderer(".rot", "report.rot", lambda job: job.work / "report.rot", _rot13_text, "ROT"),
    )
    yield made
    renderers._REGISTRY.pop("rot")


def test_builtin_formats_in_rendering_order():
    assert renderers.names()[:2] == ["html", "pdf"]
    assert renderers.products(["pdf", "html"]) == ["report.html", "report.pdf"]
    with pytest.raises(EspacepError, match="unknown format 'odt'"):
        renderers.selected(["html", "odt"])


def test_a_registered_format_is_a_product_a_link_and_scanned(rot_format):
    assert "report.rot" in batch.products()
    assert ("report.rot", "ROT") in index.product_links()
    assert ".rot" in audit_files.scanned_suffixes()


def test_the_audit_reads_a_registered_format_with_its_text_fn(rot_format, data_dir, tmp_path):  # noqa: F811
    import codecs

    out = tmp_path / "outputs"
    (out / "2019" / "inami").mkdir(parents=True)
    planted = codecs.encode("Personne vue : SYN-XYZ789.", "rot13")  # the pseudonym is not in the raw bytes
    (out / "2019" / "inami" / "report.rot").write_text(planted, encoding="utf-8")
    findings = audit_outputs(out, data_dir)
    assert [(f.kind, f.match) for f in findings] == [("pseudonym", "SYN-XYZ789")]


def test_job_formats_without_pdf():
    job = batch.Job(2019, "inami", Path("x.ipynb"), Path("d"), Path("o"), {}, pdf=False, inputs_hash="h")
    assert "pdf" not in job.rendered_formats and "html" in job.rendered_formats
    assert batch.products(job.rendered_formats)[:5] == [
        "report.ipynb",
        "figures.csv",
        "figures-excel.csv",
        "provenance.json",
        "report.html",
    ]


def test_formats_option_is_checked_and_ordered():
    from espacep_analysis.cli import _formats

    assert _formats(None) is None
    assert _formats("docx, pdf") == ("html", "pdf", "docx")  # the PDF is printed from the HTML
    with pytest.raises(EspacepError, match="unknown format 'odt'"):
        _formats("html,odt")
    job = batch.Job(2019, "inami", Path("x.ipynb"), Path("d"), Path("o"), {}, True, "h", formats=("docx",))
    assert job.rendered_formats == ["docx"]
    assert batch.products(job.rendered_formats)[-1] == "report.docx"
