"""Issue 15: the renderer's text of each PDF of a batch holds every word pypdf reads from that PDF.

Renders every ``<output>/<year>/<funder>/report.html`` again with `render.to_pdf`, checks the
PDF has the published bytes, and that every word of pypdf's extraction (what the audit read
before) is in the text `render.take_page_texts` kept for it. Exit 1 on any difference.

    .venv/bin/python benchmarks/pdf_text_check.py OUTPUT_DIR
"""

from __future__ import annotations

import hashlib
import re
import sys
import tempfile
from pathlib import Path

from espacep_analysis import render
from espacep_analysis.audit import _pdf_text


def words(text: str) -> set[str]:
    return set(re.findall(r"[\w-]+", text))


def main(output: Path) -> int:
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "report.pdf"
        for html in sorted(output.glob("*/*/report.html")):
            render.take_page_texts()
            render.to_pdf(html, pdf)
            text = render.take_page_texts().get(hashlib.sha256(pdf.read_bytes()).hexdigest(), "")
            same = pdf.read_bytes() == (html.parent / "report.pdf").read_bytes()
            missing = sorted(words(_pdf_text(pdf)) - words(text))
            print(
                f"{html.parent.relative_to(output)}: {'same bytes' if same else 'OTHER BYTES'}, missing {missing}"
            )
            bad += bool(missing) or not same
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
