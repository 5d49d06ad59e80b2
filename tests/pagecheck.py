"""Page-box checks of a rendered PDF (issue 13): what a funder sees on paper.

Read with pymupdf, independently of the code that laid the pages out:

- `glyphs_outside` lists every character whose box leaves the page's content
  box horizontally (the page less its left and right margins: the running
  footer sits between the same margins) or leaves the page vertically.
  Characters outside the media box are read too (pymupdf drops them by
  default: ``TEXT_MEDIABOX_CLIP`` is turned off here).
- `stranded_lines` lists the pages whose last line of body text (above the
  footer's margin) belongs to a table caption or a heading of the HTML the PDF
  was printed from: a caption or heading separated from what it introduces (a
  chart's caption is under its chart: it may end a page).
"""

from __future__ import annotations

import re
from pathlib import Path

import pymupdf

CM = 72 / 2.54
MARGIN_X = 2 * CM  # left and right margins of report.css's @page rules (portrait and landscape)
MARGIN_BOTTOM = 2.4 * CM
TOLERANCE = 1.0  # points: rounding of glyph boxes


def _chars(page):
    flags = pymupdf.TEXTFLAGS_RAWDICT & ~pymupdf.TEXT_MEDIABOX_CLIP
    for block in page.get_text("rawdict", flags=flags)["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                for char in span["chars"]:
                    if char["c"].strip():
                        yield char["c"], pymupdf.Rect(char["bbox"])


def glyphs_outside(pdf: Path) -> list[str]:
    """``"page 4: 'p (tendance)…' x=602"`` for every page with a character outside its content box."""
    found = []
    with pymupdf.open(pdf) as doc:
        for page in doc:
            box = page.rect
            left, right = box.x0 + MARGIN_X - TOLERANCE, box.x1 - MARGIN_X + TOLERANCE
            out = [
                (c, r)
                for c, r in _chars(page)
                if r.x0 < left or r.x1 > right or r.y0 < box.y0 - TOLERANCE or r.y1 > box.y1 + TOLERANCE
            ]
            if out:
                text = "".join(c for c, _ in out[:40])
                worst = max(r.x1 for _, r in out)
                found.append(
                    f"page {page.number + 1}: {len(out)} glyph(s) outside, {text!r}, x1 max {worst:.0f}"
                )
    return found


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def html_captions_and_headings(html_path: Path) -> list[str]:
    """The texts of the HTML's table ``<caption>`` and ``h1``-``h4`` of the body: what introduces what follows.

    A chart's ``<figcaption>`` is under its picture, in the same unbreakable ``figure.chart``: it
    may end a page.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main") or soup
    return [_norm(t.get_text(" ")) for t in main.find_all(["caption", "h1", "h2", "h3", "h4"])]


def _body_lines(page) -> list[str]:
    """The page's lines of text above the bottom margin, top to bottom (pymupdf's reading order)."""
    limit = page.rect.y1 - MARGIN_BOTTOM
    lines = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            if line["bbox"][3] <= limit:
                text = _norm("".join(span["text"] for span in line["spans"]))
                if text:
                    lines.append((line["bbox"][3], text))
    return [text for _, text in sorted(lines, key=lambda x: x[0])]


def stranded_lines(pdf: Path, html_path: Path) -> list[str]:
    """``"page 11: 'Tableau …'"`` for every page but the last whose last body line is a caption's or a heading's."""
    targets = [t for t in html_captions_and_headings(html_path) if len(t) >= 6]
    found = []
    with pymupdf.open(pdf) as doc:
        for page in list(doc)[:-1]:
            lines = _body_lines(page)
            if not lines:
                continue
            last = lines[-1]
            if len(last) >= 6 and any(last in t for t in targets):
                found.append(f"page {page.number + 1}: {last!r}")
    return found
