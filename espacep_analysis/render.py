"""Executed notebook -> self-contained HTML (nbconvert, our template) -> PDF (WeasyPrint).

- `to_html` renders with the ``espacep`` template of ``templates/``: a title page
  (title, subtitle, funder, year, date), a table of contents built from the
  ``h2``/``h3`` headings, then the markdown cells and the outputs of code cells.
  No code, no prompts, no scripts, no external resources. Markdown (cells and
  outputs) is rendered by `markup.markdown_html` (no raw HTML, no images,
  http(s) links only) and every HTML output is cleaned by
  `markup.sanitize_html`; the only images are the notebook's own ``image/png``,
  ``image/jpeg`` and ``image/svg+xml`` outputs, embedded as data URIs (nbconvert's
  ``embed_images``, which reads any local file a Markdown ``<img>`` names, is off). The cells tagged ``parameters``, ``injected-parameters`` (papermill)
  or ``remove-cell`` are dropped entirely; ``remove-output`` drops a cell's
  outputs.
- `to_pdf` prints that HTML with WeasyPrint (no LaTeX, no browser): A4, the title
  page, the table of contents with page numbers (CSS ``target-counter``), page
  numbers in the footer; a tagged PDF (PDF/UA-1) with the document's language and title.
- Deterministic: the same notebook and arguments give a byte-identical HTML (no
  random ids, no clock; the only date is `render_date`, which honours
  ``SOURCE_DATE_EPOCH``) and, with the same fonts and WeasyPrint version, a
  byte-identical PDF (fixed document identifier, dates from the HTML).
- Every file is written to a temporary name in its directory, then renamed: a
  reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import unicodedata
from functools import cache, partial
from pathlib import Path

from . import __version__, fmt, markup
from .errors import EspacepError
from .files import write_atomic

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "espacep"
HIDDEN_CELL_TAGS = ("parameters", "injected-parameters", "remove-cell")
HIDDEN_OUTPUT_TAGS = ("remove-output",)
ORGANISATION = "Espace P…"
TOC_MARKER = "<!--ESPACEP-TOC-->"
# A tagged PDF (structure tree from the HTML, alt texts, reading order) whose language and title
# come from <html lang> and <title>: WeasyPrint's PDF/UA-1 variant.
PDF_VARIANT = "pdf/ua-1"
# The document is in French whatever ``lang`` says: ``lang`` selects the number formats only
# (`fmt`). There is no translation of the sentences, headings and tables, so the title page,
# the contents and ``<html lang>`` do not pretend otherwise.
DOCUMENT_LANG = "fr"
_WORDS = {
    "toc": "Table des matières",
    "funder": "Financeur",
    "year": "Année",
    "date": "Date du rapport",
    "figure": "Graphique",
    "period": "Période",
}


def render_date(environ: dict | None = None) -> dt.date:
    """Today's date, or the UTC date of ``SOURCE_DATE_EPOCH`` when that variable is set.

    Raises
    ------
    EspacepError
        If ``SOURCE_DATE_EPOCH`` is not a whole number of seconds.
    """
    return render_time(environ).date()


def render_time(environ: dict | None = None) -> dt.datetime:
    """Now (UTC, to the second), or ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    env = os.environ if environ is None else environ
    raw = env.get("SOURCE_DATE_EPOCH")
    if raw is None or raw == "":
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        return dt.datetime.fromtimestamp(int(raw), dt.UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise EspacepError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, got {raw!r}") from exc


@cache
def _exporter(lang: str):
    """An HTMLExporter with our template, the hidden-cell filter and no input/prompt.

    One per language and process, reused for every report, as ``jupyter nbconvert`` converts
    all its notebooks with one exporter: its Jinja templates are compiled once (a quarter of
    an HTML's CPU when compiled for each report).
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = set(HIDDEN_CELL_TAGS)
    config.TagRemovePreprocessor.remove_all_outputs_tags = set(HIDDEN_OUTPUT_TAGS)
    exporter = HTMLExporter(
        config=config,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=False,  # never read a file named by markdown: only the outputs' own images
        language_code=lang.split("_")[0],
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    exporter.register_filter("espacep_markdown", markup.markdown_html)
    exporter.register_filter("espacep_markdown_headings", partial(markup.markdown_html, headings=True))
    exporter.register_filter("espacep_sanitize", markup.sanitize_html)
    return exporter


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "section"


def _add_toc(html: str, toc_title: str) -> str:
    """Give every h2/h3 of ``<main>`` a stable id and put a linked contents list at the marker."""
    from bs4 import BeautifulSoup

    head, marker, rest = html.partition(TOC_MARKER)
    if not marker:
        raise EspacepError("the report template lacks the table-of-contents marker")
    soup = BeautifulSoup(rest, "html.parser")
    used: set[str] = set()
    items = []
    for heading in soup.find_all(["h2", "h3"]):
        for link in heading.find_all("a", class_="anchor-link"):
            link.decompose()
        text = " ".join(heading.get_text(" ").split())
        base = f"s-{_slug(text)}"
        ident, n = base, 1
        while ident in used:
            n += 1
            ident = f"{base}-{n}"
        used.add(ident)
        heading["id"] = ident
        items.append((heading.name, ident, text))
    listed = _number_captions(soup)
    if not items and not listed:
        return head + str(soup)
    lines = [f'<nav class="toc" aria-label="{toc_title}">', f'<p class="toc-title">{toc_title}</p>', "<ol>"]
    for level, ident, text in items:
        lines.append(f'<li class="toc-{level}"><a href="#{ident}">{_escape(text)}</a></li>')
    lines += ["</ol>"]
    for title, entries in listed:
        if entries:
            lines += [f'<p class="toc-title toc-list">{_escape(title)}</p>', '<ol class="toc-list">']
            lines += [f'<li><a href="#{ident}">{_escape(text)}</a></li>' for ident, text in entries]
            lines += ["</ol>"]
    lines += ["</nav>"]
    return head + "\n".join(lines) + str(soup)


def _number_captions(soup) -> list[tuple[str, list[tuple[str, str]]]]:
    """Give every numbered table caption and chart caption an id; the list of tables and the list of figures.

    Numbered captions (``Tableau 3 – …``, ``Figure 2 – …``) are those of
    `document.number`; the charts' data tables (in ``<details>``) are not listed.
    """
    from .document import CHART_WORD, TABLE_WORD

    tables: list[tuple[str, str]] = []
    figures: list[tuple[str, str]] = []
    for caption in soup.find_all(["caption", "figcaption"]):
        text = " ".join(caption.get_text(" ").split())
        if caption.find_parent("details") is not None:
            continue
        for word, found, prefix in ((TABLE_WORD, tables, "t"), (CHART_WORD, figures, "f")):
            match = re.match(rf"{word} (\d+)\b", text)
            if match:
                ident = f"{prefix}-{match.group(1)}"
                (caption.find_parent("figure") if prefix == "f" else caption.find_parent("table"))["id"] = (
                    ident
                )
                found.append((ident, text))
    return [("Liste des tableaux", tables), ("Liste des figures", figures)]


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def to_html(
    executed_ipynb: str | Path,
    html_path: str | Path,
    title: str,
    subtitle: str = "",
    *,
    funder: str | None = None,
    year: int | None = None,
    date: dt.date | None = None,
    lang: str = fmt.DEFAULT_LANG,
    organisation: str = ORGANISATION,
) -> Path:
    """Render an executed notebook to a self-contained, print-ready HTML report.

    Parameters
    ----------
    executed_ipynb : path
        The notebook executed by papermill (its outputs are rendered, its code is not).
    html_path : path
        Where to write the HTML (atomically).
    title, subtitle : str
        Shown on the title page; ``title`` is also the ``<title>`` and the PDF footer.
    funder : str, optional
        Funder code (``inami``, ``aviq``, ``cocof``; shown with its label from
        ``params/sites.yaml``) or a label; shown on the title page.
    year : int, optional
        Report year, shown on the title page.
    date : datetime.date, optional
        Render date on the title page; default `render_date` (``SOURCE_DATE_EPOCH``).
    lang : str
        ``fr_BE`` (default), ``nl_BE`` or ``en``: the number formats of the notebook's outputs.
        The document itself is French (`DOCUMENT_LANG`: ``<html lang="fr">``, title page,
        contents), whatever ``lang`` is.
    organisation : str

    Returns
    -------
    Path
        ``html_path``.
    """
    import nbformat

    fmt.normalize_lang(lang)  # refused if unknown; the notebook already formatted its numbers with it
    path = Path(executed_ipynb)
    if not path.is_file():
        raise EspacepError(f"executed notebook not found: {path}")
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several types for unreadable files
        raise EspacepError(f"{path}: not a readable notebook ({exc})") from exc
    words = _WORDS
    date = date or render_date()
    facts = title_facts(nb, funder, year, date, lang)
    resources = {
        "espacep": {
            "title": title,
            "subtitle": subtitle,
            "organisation": organisation,
            "facts": facts,
            "html_lang": DOCUMENT_LANG,
            "date_iso": date.isoformat(),
            "version": __version__,
            "figure_alt": words["figure"],
            "banners": notebook_banners(nb),
        },
        "metadata": {"name": path.stem, "path": str(path.parent)},
    }
    body, _ = _exporter(DOCUMENT_LANG).from_notebook_node(nb, resources=resources)
    html = _add_toc(body, words["toc"])
    return write_atomic(html_path, html.encode("utf-8"))


def title_facts(nb, funder: str | None, year: int | None, date: dt.date, lang: str) -> list[tuple[str, str]]:
    """The title page's facts ``(name, value)``: funder, year, period of a partial year, report date.

    French words and date whatever ``lang`` (the document is French, `DOCUMENT_LANG`); ``lang``
    is kept for the renderers' common signature.
    """
    words = _WORDS
    facts = []
    if funder:
        facts.append((words["funder"], _funder_label(funder)))
    if year is not None:
        facts.append((words["year"], fmt.year(year)))
    end = _provenance(nb).get("period_end")
    if year is not None and end:  # a partial year (espacep report --partial)
        facts.append((words["period"], fmt.period(year, dt.date.fromisoformat(end))))
    facts.append((words["date"], fmt.date(date, fmt.DEFAULT_LANG)))
    return facts


def notebook_banners(nb) -> list[str]:
    """The report's warning banners (`banners`), from the provenance in the executed notebook's metadata.

    The batch puts ``provenance.json`` there (``metadata.espacep.provenance``); a
    notebook without it has no banner.
    """
    found = _provenance(nb).get("banners", [])
    return [str(text) for text in found] if isinstance(found, list) else []


def _provenance(nb) -> dict:
    """The provenance record the batch put into the executed notebook (``metadata.espacep.provenance``), or {}."""
    record = nb.metadata.get("espacep", {}).get("provenance", {})
    return record if isinstance(record, dict) else {}


def _funder_label(funder: str) -> str:
    """The printed name of a funder code (`funders.FunderSpec.title`), or ``funder`` itself."""
    from . import funders

    return funders.title(funder)


def to_pdf(html_path: str | Path, pdf_path: str | Path) -> Path:
    """Print the HTML report to PDF with WeasyPrint (A4, title page, contents, page numbers).

    The PDF's document identifier is derived from the HTML's bytes and its
    dates come from the HTML's ``dcterms`` meta tags, so the same HTML gives
    the same PDF (with the same fonts and WeasyPrint version).

    Parameters
    ----------
    html_path : path
        A report written by `to_html` (self-contained: nothing is fetched).
    pdf_path : path
        Where to write the PDF (atomically).

    Returns
    -------
    Path
        ``pdf_path``.
    """
    html_path = Path(html_path)
    if not html_path.is_file():
        raise EspacepError(f"HTML report not found: {html_path}")
    try:
        from weasyprint import DEFAULT_OPTIONS, HTML
    except OSError as exc:  # the system libraries (Pango) are missing
        raise EspacepError(
            "WeasyPrint cannot load its system libraries; on Debian/Ubuntu install "
            "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core "
            f"(run `make report` as root, or apt-get install them): {exc}"
        ) from exc
    data = html_path.read_bytes()
    text = data.decode("utf-8")
    identifier = hashlib.sha256(data).hexdigest()[:32].encode("ascii")
    document = HTML(string=text, base_url=str(html_path.parent.resolve()), url_fetcher=_fetcher())
    with _font_timestamp(text):
        # what HTML.write_pdf does, keeping the laid-out pages for their text
        options = {**DEFAULT_OPTIONS, "pdf_identifier": identifier, "pdf_variant": PDF_VARIANT}
        rendered = document.render(**options)
        written: list[str | None] = []
        pdf = rendered.write_pdf(finisher=lambda _doc, pdf: written.append(_pdf_metadata(pdf)), **options)
    pages = page_text(rendered)
    if pages is not None and len(written) == 1 and written[0] is not None:
        _PAGE_TEXTS[hashlib.sha256(pdf).hexdigest()] = f"{pages}\n{written[0]}"
    return write_atomic(pdf_path, pdf)


def _pdf_metadata(pdf) -> str | None:
    """The document information and the XMP metadata of the PDF about to be written (a ``pydyf.PDF``);
    None when they are not where this function looks (the audit then reads the PDF)."""
    try:
        values = [str(getattr(value, "string", value)) for value in pdf.info.values()]
        xmp = pdf.catalog.get("Metadata")
        if xmp is not None:
            if isinstance(xmp, bytes):  # an indirect reference, b"12 0 R"
                number, generation, r = xmp.split()
                if (generation, r) != (b"0", b"R"):
                    return None
                xmp = pdf.objects[int(number)]
            values += [_decode(chunk) for chunk in xmp.stream]
    except (AttributeError, ValueError, IndexError, TypeError):
        return None
    return "\n".join(values)


def _decode(chunk) -> str:
    return chunk.decode("utf-8", errors="replace") if isinstance(chunk, bytes) else str(chunk)


# sha256 of each PDF `to_pdf` wrote in this process -> the text of its pages (`take_page_texts`)
_PAGE_TEXTS: dict[str, str] = {}


def take_page_texts() -> dict[str, str]:
    """The page texts of the PDFs written by `to_pdf` since the last call (sha256 of the PDF -> text), forgotten.

    The batch hands them to the identifier audit, which uses one only for a PDF
    with that exact sha256 (and still reads the PDF's document information).
    """
    texts = dict(_PAGE_TEXTS)
    _PAGE_TEXTS.clear()
    return texts


def page_text(document) -> str | None:
    """Every text WeasyPrint drew on the pages of ``document``, one line a line box, pages split by ``\f``.

    The text of the line boxes (page margins too), the images' ``alt`` (the
    figures' alternative text of the tagged PDF) and all the text of the SVG
    images (their drawn text would be PDF text); `to_pdf` adds the document
    information and XMP metadata it writes. None when the layout holds a
    box this function does not know how to read (the audit then reads the PDF).
    """
    from weasyprint.formatting_structure import boxes
    from weasyprint.images import SVGImage

    lines: list[str] = []

    def svg_text(box) -> None:
        if not isinstance(box, boxes.ReplacedBox):
            return
        if box.element is not None and box.element.get("alt"):  # the tagged PDF's /Alt of the figure
            lines.append(box.element.get("alt"))
        if isinstance(box.replacement, SVGImage):
            lines.append(" ".join(box.replacement._svg.tree._etree_node.itertext()))

    def walk(box) -> None:
        if isinstance(box, boxes.LineBox):  # inline boxes split a word: join them as they are drawn
            inside = list(box.descendants())
            lines.append("".join(d.text for d in inside if isinstance(d, boxes.TextBox)))
            for d in inside:  # inline images
                svg_text(d)
        elif isinstance(box, boxes.TextBox):
            lines.append(box.text)
        elif isinstance(box, boxes.ParentBox):
            for child in box.children:
                walk(child)
        else:
            svg_text(box)

    try:
        for page in document.pages:
            walk(page._page_box)
            lines.append("\f")
    except AttributeError:  # another WeasyPrint's private structure
        return None
    return "\n".join(lines)


@contextlib.contextmanager
def _font_timestamp(html: str):
    """Pin the time fontTools writes into subset fonts (``head.modified``).

    Without libharfbuzz-subset, WeasyPrint subsets fonts with fontTools, which
    stamps each subset with the current time unless ``SOURCE_DATE_EPOCH`` is
    set. When it is not, set it for the duration of the call to midnight UTC of
    the report's date (its ``dcterms.created`` meta), so the PDF depends on the
    HTML only.
    """
    if os.environ.get("SOURCE_DATE_EPOCH"):
        yield
        return
    tag = re.search(r'<meta\b[^>]*\bname="dcterms\.created"[^>]*>', html)
    match = re.search(r'\bcontent="(\d{4}-\d{2}-\d{2})', tag.group(0)) if tag else None
    day = dt.date.fromisoformat(match.group(1)) if match else dt.date(1970, 1, 1)
    epoch = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def _fetcher():
    """A URL fetcher that allows data URIs only: a report never reads disk or network.

    ``URLFetcher`` is WeasyPrint >= 68 (the release that fixed CVE-2025-68616).
    """
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def render_html(job) -> Path:
    """The ``html`` format (`renderers`): the executed notebook -> ``report.html``."""
    return to_html(
        job.executed,
        job.work / "report.html",
        title=job.title,
        funder=job.funder,
        year=job.year,
        lang=job.lang,
    )


def render_pdf(job) -> Path:
    """The ``pdf`` format (`renderers`): ``report.html`` -> ``report.pdf``."""
    return to_pdf(job.work / "report.html", job.work / "report.pdf")


def pdf_text(path: Path) -> str:
    """The PDF's text (pypdf), as the identifier audit reads it."""
    from .audit import _pdf_text as read

    return read(path)


def html_text(path: Path) -> str:
    return Path(path).read_text(encoding="utf-8", errors="replace")
