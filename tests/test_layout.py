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

import html
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
PHONE, DESKTOP, HEIGHT = 375, 1280, 2000


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


def _heading_levels(text: str) -> list[int]:
    soup = BeautifulSoup(text, "html.parser")
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
        + [f"--window-size={width},{HEIGHT}", "--virtual-time-budget=5000", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _phone(page: Path, tmp_path: Path) -> Path:
    """A page showing ``page`` in a 375 px wide frame, that writes the frame's page width into its DOM.

    Chromium's window is at least 500 px wide, so the phone is a frame (``srcdoc``: same origin,
    its own 375 px viewport and media queries).
    """
    frame = tmp_path / f"phone-{page.parent.parent.name}-{page.parent.name}-{page.name}"
    probe = "document.documentElement.setAttribute('data-scroll-width', this.contentDocument.documentElement.scrollWidth)"
    frame.write_text(
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe style="border:0;width:{PHONE}px;height:{HEIGHT}px" onload="{probe}" '
        f'srcdoc="{html.escape(page.read_text(encoding="utf-8"), quote=True)}"></iframe></body></html>',
        encoding="utf-8",
    )
    return frame


def _phone_width(frame: Path) -> int:
    """``document.documentElement.scrollWidth`` of the page in the phone frame."""
    dom = _browser(frame, DESKTOP, "--dump-dom")
    found = re.search(r'data-scroll-width="(\d+)"', dom)
    assert found, dom[:300]
    return int(found.group(1))


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium (make test installs it as root on Debian)")
def test_every_page_fits_a_phone_screen(batch, tmp_path):
    """At 375 px, tables and charts scroll inside their own box: the page is never wider than the screen."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    pages = [r / "report.html" for r in _reports(batch)] + [batch / "index.html"]
    widths = {}
    for page in pages:
        name = "index" if page.name == "index.html" else f"{page.parent.parent.name}-{page.parent.name}"
        frame = _phone(page, tmp_path)
        widths[name] = _phone_width(frame)
        _browser(frame, PHONE, f"--screenshot={ARTEFACTS / f'{name}-{PHONE}.png'}")
        _browser(page, DESKTOP, f"--screenshot={ARTEFACTS / f'{name}-{DESKTOP}.png'}")
    assert all(width <= PHONE for width in widths.values()), widths
    assert (ARTEFACTS / f"index-{PHONE}.png").is_file()


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium (make test installs it as root on Debian)")
def test_phone_frame_sees_a_page_wider_than_the_phone(tmp_path):
    """The probe is not blind: a 900 px table outside a scroll box makes the page 900 px wide,
    and a narrow page is the phone's 375 px."""
    for width, expected in ((900, 900), (200, PHONE)):
        page = tmp_path / f"w{width}" / "x" / "page.html"
        page.parent.mkdir(parents=True)
        page.write_text(
            '<!DOCTYPE html><html><body style="margin:0">'
            f'<table style="width:{width}px"><tr><td>x</td></tr></table></body></html>',
            encoding="utf-8",
        )
        assert _phone_width(_phone(page, tmp_path)) == expected


# --- a comparison over many years: a landscape page (no batch needed) ---------------------------


def _printed_comparison(years: range, tmp_path: Path) -> Path:
    """A notebook whose only output is `trends.comparison_table` over ``years``, printed to PDF."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output
    from test_trends import table, with_comparisons

    from espacep_analysis import disclosure, render
    from espacep_analysis.blocks_html import table_html
    from espacep_analysis.pages import trends
    from espacep_analysis.pages.common import FigureBook

    series = {f"ind{i}": {y: (10 + 3 * i + k, 900 + 37 * k) for k, y in enumerate(years)} for i in range(4)}
    last = years[-1]
    book = FigureBook(disclosure.suppress_figures(with_comparisons(table(series), last), 0), last)
    items = [(ind, "all", f"Indicateur numéro {ind[-1]} (toutes antennes)") for ind in series]
    html = table_html(trends.comparison_table(book, items, "Évolution sur plusieurs années"))
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
