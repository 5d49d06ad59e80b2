"""``report.docx``: the report as an editable Word document (python-docx), from the page model.

Where the document comes from: the executed notebook itself. Every output that
`pages.show` displays carries its block (`document.BLOCK_MIME`: the typed
table, the chart's caption, alt text and data, the paragraph), next to its
HTML and its PNG; the notebook's Markdown cells give the headings. So the Word
document holds exactly the blocks the HTML and the PDF print, numbered the
same, without parsing HTML back and without a second file in the work
directory (the executed notebook is already there and already audited).

The document: a title page (organisation, title, funder, year, date; the
warning banners above), the contents as a Word TOC field (Word fills it on
opening, F9 updates it), the lists of tables and figures, headings in Word's
heading styles (``##`` -> Titre 1, ``###`` -> Titre 2), paragraphs with
emphasis, tables in a Word table style (header row repeated, numbers
right-aligned, footnotes below), charts as PNG pictures with their alt text,
page numbers in the footer, and the provenance block the notebook ends with.
Dates come from `render.render_date` (``SOURCE_DATE_EPOCH``).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path

from . import document, fmt
from .document import BLOCK_MIME, Chart, Heading, Note, Table, Text
from .errors import EspacepError
from .files import write_atomic

TABLE_STYLE = "Light Grid Accent 1"
PICTURE_WIDTH_CM = 16.0
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_INLINE = re.compile(r"(\*\*[^*]+\*\*|\*[^*]+\*|_[^_]+_|\[[^\]]+\]\([^)]+\))")
_ESCAPED = re.compile(r"\\([\\`*_\[\]<>!&~|#+\-.()={}])")


def notebook_blocks(nb) -> list[tuple[document.Block, bytes | None]]:
    """The blocks of an executed report notebook, in order, each with its PNG (charts) or None.

    Markdown cells give `Heading` and `Text` blocks; code-cell outputs give the
    blocks `pages.show` serialised. Cells hidden from the report
    (`render.HIDDEN_CELL_TAGS`, `render.HIDDEN_OUTPUT_TAGS`) are skipped.
    """
    from .notebooks import NEW_PAGE_TAG
    from .render import HIDDEN_CELL_TAGS, HIDDEN_OUTPUT_TAGS

    found: list[tuple[document.Block, bytes | None]] = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & set(HIDDEN_CELL_TAGS):
            continue
        if cell.cell_type == "markdown":
            blocks = markdown_blocks(cell.source)
            if NEW_PAGE_TAG in tags and blocks and isinstance(blocks[0], Heading):
                blocks[0] = replace(blocks[0], new_page=True)
            found += [(block, None) for block in blocks]
        elif cell.cell_type == "code" and not tags & set(HIDDEN_OUTPUT_TAGS):
            for output in cell.get("outputs", []):
                record = output.get("data", {}).get(BLOCK_MIME)
                if record is None:
                    continue
                png = output["data"].get("image/png")
                found.append((document.from_dict(dict(record)), base64.b64decode(png) if png else None))
    return found


def markdown_blocks(source: str) -> list[document.Block]:
    """A Markdown cell as blocks: each ``#`` line a `Heading`, the paragraphs between them a `Text`."""
    blocks: list[document.Block] = []
    pending: list[str] = []

    def flush() -> None:
        text = "\n".join(pending).strip()
        if text:
            blocks.append(Text(text))
        pending.clear()

    for line in str(source).splitlines():
        match = _HEADING.match(line)
        if match:
            flush()
            blocks.append(Heading(match.group(2).strip(), len(match.group(1))))
        else:
            pending.append(line)
    flush()
    return blocks


def write_docx(
    executed_ipynb: str | Path,
    docx_path: str | Path,
    title: str,
    *,
    funder: str | None = None,
    year: int | None = None,
    date: dt.date | None = None,
    lang: str = fmt.DEFAULT_LANG,
) -> Path:
    """Render an executed report notebook to ``report.docx`` (atomically); returns ``docx_path``."""
    import nbformat

    from . import render

    path = Path(executed_ipynb)
    if not path.is_file():
        raise EspacepError(f"executed notebook not found: {path}")
    nb = nbformat.read(path, as_version=4)
    date = date or render.render_date()
    doc = _new_document(title, date)
    _title_page(doc, title, render.notebook_banners(nb), render.title_facts(nb, funder, year, date, lang))
    blocks = notebook_blocks(nb)
    _contents(doc, [b for b, _ in blocks])
    for block, png in blocks:
        _add_block(doc, block, png)
    buffer = io.BytesIO()
    doc.save(buffer)
    return write_atomic(docx_path, _stable_zip(buffer.getvalue(), date))


def _stable_zip(data: bytes, date: dt.date) -> bytes:
    """The package ``data`` with every entry dated ``date`` (python-docx stamps the current time): same report, same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(
                info.filename, date_time=(max(date.year, 1980), date.month, date.day, 0, 0, 0)
            )
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def _new_document(title: str, date: dt.date):
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    moment = dt.datetime(date.year, date.month, date.day)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, _organisation(), _organisation()
    props.created = props.modified = moment
    props.language, props.revision = "fr-BE", 1
    props.comments = ""
    doc.styles["Normal"].font.name = "DejaVu Sans"
    doc.styles["Normal"].font.size = Pt(10)
    _page_numbers(doc.sections[0])
    return doc


def _organisation() -> str:
    from .render import ORGANISATION

    return ORGANISATION


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A Word field (``PAGE``, ``TOC …``) in ``paragraph``; Word computes it on opening."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str):
        run = OxmlElement("w:r")
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            element.set(qn("w:dirty"), "true")
        run.append(element)
        return run

    code = OxmlElement("w:r")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    code.append(text)
    shown = OxmlElement("w:r")
    shown_text = OxmlElement("w:t")
    shown_text.text = placeholder
    shown.append(shown_text)
    for part in (char("begin"), code, char("separate"), shown, char("end")):
        paragraph._p.append(part)


def _page_numbers(section) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Page ")
    _field(paragraph, "PAGE", "1")


def _title_page(doc, title: str, banners: list[str], facts: list[tuple[str, str]]) -> None:
    from docx.enum.text import WD_BREAK
    from docx.shared import RGBColor

    for text in banners:
        run = doc.add_paragraph().add_run(text)
        run.bold = True
        run.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)
    doc.add_paragraph(_organisation())
    doc.add_heading(title, level=0)
    for name, value in facts:
        paragraph = doc.add_paragraph()
        paragraph.add_run(f"{name} : ").bold = True
        paragraph.add_run(value)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _contents(doc, blocks: list[document.Block]) -> None:
    """The contents (a Word TOC field over the heading styles), then the lists of tables and figures."""
    from docx.enum.text import WD_BREAK

    doc.add_paragraph("Table des matières", style="TOC Heading" if _has_style(doc, "TOC Heading") else None)
    _field(doc.add_paragraph(), 'TOC \\o "1-3" \\h \\z \\u', "Mettez la table à jour (F9) pour la remplir.")
    lists: tuple[tuple[str, type[Table] | type[Chart]], ...] = (
        ("Liste des tableaux", Table),
        ("Liste des figures", Chart),
    )
    for title, kind in lists:
        numbered: list[Table | Chart] = [
            b for b in blocks if isinstance(b, Table | Chart) and isinstance(b, kind) and b.number is not None
        ]
        if numbered:
            doc.add_paragraph().add_run(title).bold = True
            for block in numbered:
                doc.add_paragraph(
                    block.title, style="List Paragraph" if _has_style(doc, "List Paragraph") else None
                )
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _has_style(doc, name: str) -> bool:
    return any(style.name == name for style in doc.styles)


def _add_block(doc, block: document.Block, png: bytes | None) -> None:
    if isinstance(block, Heading):
        heading = doc.add_heading(_unescape(block.text), level=max(1, min(block.level - 1, 9)))
        heading.paragraph_format.page_break_before = block.new_page or None
    elif isinstance(block, Text | Note):
        _add_markdown(doc, block.markdown, italic=isinstance(block, Note))
    elif isinstance(block, Table):
        _add_table(doc, block)
    elif isinstance(block, Chart):
        _add_chart(doc, block, png)
    else:
        raise EspacepError(f"docx: cannot render {type(block).__name__}")


def _unescape(text: str) -> str:
    """Markdown backslash escapes (`markup.plain`) removed: the text as a reader sees it."""
    return _ESCAPED.sub(r"\1", text)


def _add_markdown(doc, source: str, italic: bool = False) -> None:
    """Paragraphs of the Markdown subset: blank-line separated paragraphs, ``-`` bullets, emphasis, links."""
    for chunk in re.split(r"\n\s*\n", source.strip()):
        lines = chunk.splitlines()
        if lines and all(re.match(r"^\s*[-*+]\s+", line) for line in lines if line.strip()):
            for line in lines:
                if line.strip():
                    style = "List Bullet" if _has_style(doc, "List Bullet") else None
                    _inline(doc.add_paragraph(style=style), re.sub(r"^\s*[-*+]\s+", "", line), italic)
        else:
            _inline(doc.add_paragraph(), " ".join(line.strip() for line in lines), italic)


def _inline(paragraph, text: str, italic: bool) -> None:
    """Runs of ``text``: ``**bold**``, ``*italic*`` / ``_italic_``, ``[text](url)`` as "text (url)"."""
    for part in _INLINE.split(text):
        if not part:
            continue
        bold = part.startswith("**") and part.endswith("**") and len(part) > 4
        emphasis = not bold and len(part) > 2 and part[0] in "*_" and part[-1] == part[0]
        link = re.fullmatch(r"\[([^\]]+)\]\(([^)]+)\)", part)
        if bold:
            shown = part[2:-2]
        elif emphasis:
            shown = part[1:-1]
        elif link:
            shown = f"{link.group(1)} ({link.group(2)})"
        else:
            shown = part
        run = paragraph.add_run(_unescape(shown))
        run.bold = bold or None
        run.italic = (italic or emphasis) or None


def _caption(doc, text: str) -> None:
    paragraph = doc.add_paragraph(text, style="Caption" if _has_style(doc, "Caption") else None)
    paragraph.paragraph_format.keep_with_next = True


def _add_table(doc, table: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    if table.title:
        _caption(doc, table.title)
    width = table.columns
    grid = doc.add_table(rows=0, cols=width)
    if _has_style(doc, TABLE_STYLE):
        grid.style = doc.styles[TABLE_STYLE]
    for r, row in enumerate([*table.header, *table.rows]):
        cells = grid.add_row().cells
        is_header = r < len(table.header)
        if is_header:
            trpr = grid.rows[r]._tr.get_or_add_trPr()
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            trpr.append(repeat)
        for c, cell in enumerate(row):
            paragraph = cells[c].paragraphs[0]
            run = paragraph.add_run(cell.text)
            run.bold = (cell.bold or is_header) or None
            run.font.size = Pt(9)
            if cell.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for note in table.footnotes:
        run = doc.add_paragraph().add_run(note)
        run.italic, run.font.size = True, Pt(8)


def _add_chart(doc, chart: Chart, png: bytes | None) -> None:
    from docx.shared import Cm

    if png is None:
        raise EspacepError(f"docx: the chart {chart.title!r} has no image in the notebook")
    doc.add_picture(io.BytesIO(png), width=Cm(PICTURE_WIDTH_CM))
    picture = doc.paragraphs[-1]
    picture.paragraph_format.keep_with_next = True
    for props in picture._p.iter():
        if props.tag.endswith("}docPr"):
            props.set("descr", chart.alt)
            props.set("title", chart.caption)
    if chart.title:
        _caption(doc, chart.title)


# --- the audit's reader ----------------------------------------------------------------------------


def docx_text(path: str | Path) -> str:
    """Every text of a ``.docx`` for the identifier audit: body, tables, headers, footers, alt texts, properties.

    Each XML part is read as text with its tags removed (a paragraph's runs
    joined, so an identifier split over runs is whole again) and with every
    attribute value (alt texts, titles) listed after it.
    """
    parts = []
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if not name.endswith((".xml", ".rels")):
                continue
            xml = archive.read(name).decode("utf-8", errors="replace")
            attributes = re.findall(r'="([^"]*)"', xml)
            body = re.sub(r"<[^>]+>", "", re.sub(r"</w:p>|<w:br/>|<w:tab/>", "\n", xml))
            parts += [html.unescape(body), html.unescape("\n".join(attributes))]
    return "\n".join(parts)


def render(job) -> Path:
    """The ``docx`` format (`renderers`): the executed notebook -> ``report.docx``."""
    return write_docx(
        job.executed, job.work / "report.docx", job.title, funder=job.funder, year=job.year, lang=job.lang
    )
