"""What the funders receive, read back from a real batch (issue 13): paper, phone, screen reader.

One batch renders every report of the committed synthetic data (2017-2020, the three
funders, published masking, PDF). Then, read with tools independent of the renderer:

- every PDF page, with pymupdf (`pagecheck`): no glyph outside the page's content box,
  no caption or heading as the last line of a page;
- every HTML: headings without gaps (h1, h2, h3: never h2 then h4);
- every PDF: tagged (structure tree, marked content), language ``fr``;
- every HTML and ``index.html`` in Debian's headless Chromium at 375 px (a phone):
  the page is no wider than the screen (``document.documentElement.scrollWidth``);
  screenshots at 375 px and 1280 px are kept in ``outputs/.test-artefacts/layout/``
  (git-ignored) for a reviewer's eye.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pymupdf
import pytest
from bs4 import BeautifulSoup
from pagecheck import glyphs_outside, stranded_lines

from espacep_analysis.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "synthetic"
YEARS = "2017-2020"
ARTEFACTS = ROOT / "outputs" / ".test-artefacts" / "layout"
CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))),
    None,
)
PHONE, DESKTOP = 375, 1280
# Appended to a copy of a page: the page's width, as the browser laid it out, into the DOM Chromium dumps.
WIDTH_PROBE = (
    "<script>document.documentElement.setAttribute("
    '"data-scroll-width", document.documentElement.scrollWidth)</script>'
)


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("layout")
    status = main(["report", "--data", str(DATA), "--output", str(out), "--years", YEARS, "--workers", "2"])
    assert status == 0
    return out


def _reports(batch: Path) -> list[Path]:
    """The report folders of the batch (``<year>/<funder>``)."""
    found = sorted(p.parent for p in batch.glob("20*/*/report.pdf"))
    assert len(found) == 12, found  # 4 years x 3 funders
    return found


def test_no_glyph_leaves_the_page(batch):
    """The clipped comparison tables of issue 13 (INAMI 2019 pp. 4, 7-10, 12...) stay inside the margins."""
    found = {str(r.relative_to(batch)): glyphs_outside(r / "report.pdf") for r in _reports(batch)}
    assert not {k: v for k, v in found.items() if v}


def test_no_caption_or_heading_ends_a_page(batch):
    """A caption is printed with its table and a heading with what follows it."""
    found = {
        str(r.relative_to(batch)): stranded_lines(r / "report.pdf", r / "report.html")
        for r in _reports(batch)
    }
    assert not {k: v for k, v in found.items() if v}


def _heading_levels(html: str) -> list[int]:
    soup = BeautifulSoup(html, "html.parser")
    return [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]


def test_headings_have_no_gaps(batch):
    """One h1 (the title), then no level skipped on the way down (screen readers list them)."""
    for report in _reports(batch):
        levels = _heading_levels((report / "report.html").read_text(encoding="utf-8"))
        assert levels[0] == 1 and levels.count(1) == 1, (report, levels)
        gaps = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
        assert not gaps, (report, gaps)
    assert _heading_levels("<h1>a</h1><h2>b</h2><h4>c</h4>") == [1, 2, 4]  # the check sees a gap


def test_pdf_is_tagged_in_french(batch):
    for report in _reports(batch):
        with pymupdf.open(report / "report.pdf") as doc:
            catalog = doc.xref_object(doc.pdf_catalog(), compressed=True)
            title = doc.metadata["title"]
        assert "/StructTreeRoot" in catalog and "/Lang(fr)" in catalog.replace(" ", ""), (report, catalog)
        assert re.search(r"/MarkInfo<</Marked true>>", catalog), catalog
        assert title.startswith("Rapport ") and title.endswith(report.parent.name), title


def _browser(page: Path, width: int, *args: str) -> str:
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
        + [f"--window-size={width},2000", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _page_width(page: Path, width: int, tmp_path: Path) -> int:
    """``document.documentElement.scrollWidth`` of ``page`` in a ``width`` px wide window."""
    probe = tmp_path / f"probe-{page.parent.parent.name}-{page.parent.name}-{page.name}"
    probe.write_text(page.read_text(encoding="utf-8") + WIDTH_PROBE, encoding="utf-8")
    dom = _browser(probe, width, "--dump-dom")
    found = re.search(r'data-scroll-width="(\d+)"', dom)
    assert found, dom[:500]
    return int(found.group(1))


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium (make test installs it as root on Debian)")
def test_every_page_fits_a_phone_screen(batch, tmp_path):
    """At 375 px, tables and charts scroll inside their own box: the page is never wider than the screen."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    pages = [r / "report.html" for r in _reports(batch)] + [batch / "index.html"]
    widths = {}
    for page in pages:
        name = "index" if page.name == "index.html" else f"{page.parent.parent.name}-{page.parent.name}"
        widths[name] = _page_width(page, PHONE, tmp_path)
        for width in (PHONE, DESKTOP):
            _browser(page, width, f"--screenshot={ARTEFACTS / f'{name}-{width}.png'}")
    assert all(width <= PHONE for width in widths.values()), widths
    assert (ARTEFACTS / f"index-{PHONE}.png").is_file()


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium (make test installs it as root on Debian)")
def test_width_probe_sees_a_page_wider_than_the_phone(tmp_path):
    """The probe is not blind: a 900 px table outside a scroll box makes the page 900 px wide."""
    page = tmp_path / "wide.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width, initial-scale=1">'
        '</head><body style="margin:0"><table style="width:900px"><tr><td>x</td></tr></table></body></html>',
        encoding="utf-8",
    )
    assert _page_width(page, PHONE, tmp_path) == 900


# --- a comparison over many years: a landscape page (no batch needed) ---------------------------


def _printed_comparison(years: range, tmp_path: Path) -> Path:
    """A notebook whose only output is `trends.comparison_table` over ``years``, printed to PDF."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output
    from test_trends import table, with_comparisons

    from espacep_analysis import disclosure, render
    from espacep_analysis.pages import trends
    from espacep_analysis.pages.common import FigureBook

    series = {f"ind{i}": {y: (10 + 3 * i + k, 900 + 37 * k) for k, y in enumerate(years)} for i in range(4)}
    last = years[-1]
    book = FigureBook(disclosure.suppress_figures(with_comparisons(table(series), last), 0), last)
    items = [(ind, "all", f"Indicateur numéro {ind[-1]} (toutes antennes)") for ind in series]
    html = trends.comparison_table(book, items, "Évolution sur plusieurs années").html
    nb = new_notebook(
        cells=[new_code_cell("x", outputs=[new_output("display_data", data={"text/html": html})])]
    )
    nbformat.write(nb, tmp_path / "nb.ipynb")
    render.to_html(tmp_path / "nb.ipynb", tmp_path / "r.html", title="Essai", year=last)
    return render.to_pdf(tmp_path / "r.html", tmp_path / "r.pdf")


@pytest.mark.parametrize("years, landscape", [(range(2016, 2020), False), (range(2013, 2020), True)])
def test_a_comparison_too_wide_for_portrait_prints_on_a_landscape_page(years, landscape, tmp_path):
    pdf = _printed_comparison(years, tmp_path)
    assert glyphs_outside(pdf) == []
    with pymupdf.open(pdf) as doc:
        (page,) = [p for p in doc if "Évolution sur plusieurs années" in p.get_text()]
        assert (page.rect.width > page.rect.height) is landscape
        assert doc[0].rect.width < doc[0].rect.height  # the title page stays portrait
