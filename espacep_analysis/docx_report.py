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
right-aligned, notes as footnotes), charts as PNG pictures with their alt text,
page numbers in the footer, and the provenance block the notebook ends with.
Dates come from `render.render_date` (``SOURCE_DATE_EPOCH``).

Pages are A4 with the PDF's margins (``report.css``). A table of class
``landscape`` (`document.Table.classes`: comparisons over five years or more)
sits in a landscape section of its own, as in the PDF; the footer and its page
numbers carry on. Every table is exactly as wide as the text of its page, its
columns shared out by their contents (`_column_widths`), so none runs off the
page.

The notes of a table are real Word footnotes, the legend of its masks a
paragraph directly under it: why, in `_split_legend`. python-docx has no
footnotes API; `add_footnote` writes the part.
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
# A4 and the margins of report.css's @page (top, right, bottom, left), in centimetres.
A4_CM = (21.0, 29.7)
MARGINS_CM = (2.0, 2.0, 2.4, 2.0)
LANDSCAPE = "landscape"  # the `document.Table.classes` entry of a table printed on a landscape page
NOTE_STYLE = "Note de tableau"
# Column widths: a column's share of the text width follows its longest text, within these bounds (characters).
COLUMN_CHARS = (4, 40)
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
# ``_italic_`` only between word boundaries (``ci_level``, ``fr_BE`` keep their underscores); ``code``
_INLINE = re.compile(r"(\*\*[^*]+\*\*|\*[^*]+\*|(?<!\w)_[^_]+_(?!\w)|`[^`]+`|\[[^\]]+\]\([^)]+\))")
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
    add_blocks(doc, blocks)
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
    _page_setup(doc.sections[0], landscape=False)
    _page_numbers(doc.sections[0])
    return doc


def new_document(title: str = "", date: dt.date | None = None):
    """An empty report document (A4, styles, page numbers): what `write_docx` fills, for tests and other builders.

    Dated ``date``, else as `write_docx` dates a report (`render.render_date`: today, or ``SOURCE_DATE_EPOCH``).
    """
    from . import render

    return _new_document(title, date or render.render_date())


def _page_setup(section, landscape: bool) -> None:
    """A4 portrait or landscape, with the PDF's margins."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    width, height = (Cm(x) for x in A4_CM)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    top, right, bottom, left = (Cm(x) for x in MARGINS_CM)
    section.top_margin, section.bottom_margin = top, bottom
    section.left_margin, section.right_margin = left, right


def _orient(doc, landscape: bool) -> None:
    """Start a new section on a new page when the orientation changes (the footer and page numbers carry on)."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    current = doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    if current != landscape:
        _page_setup(doc.add_section(WD_SECTION.NEW_PAGE), landscape)


def text_width(section) -> int:
    """The width of the text of ``section``'s pages in twips (as Word stores it): the page less its side margins."""
    return section.page_width.twips - section.left_margin.twips - section.right_margin.twips


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


def add_blocks(doc, blocks: list[tuple[document.Block, bytes | None]]) -> None:
    """Add ``blocks`` (each with its PNG or None) to ``doc``; a ``landscape`` table gets a landscape section."""
    for block, png in blocks:
        _orient(doc, isinstance(block, Table) and LANDSCAPE in block.classes)
        _add_block(doc, block, png)


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
    """Runs of ``text``: bold, italic, code (monospace), links.

    ``**bold**``, ``*italic*`` / ``_italic_``, a code span as typed, ``[text](url)`` as "text (url)".
    """
    for part in _INLINE.split(text):
        if not part:
            continue
        bold = part.startswith("**") and part.endswith("**") and len(part) > 4
        emphasis = not bold and len(part) > 2 and part[0] in "*_" and part[-1] == part[0]
        link = re.fullmatch(r"\[([^\]]+)\]\(([^)]+)\)", part)
        if len(part) > 2 and part[0] == part[-1] == "`":  # a code span: as typed, no escapes
            paragraph.add_run(part[1:-1]).font.name = "Courier New"
            continue
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


def _caption(doc, text: str):
    paragraph = doc.add_paragraph(text, style="Caption" if _has_style(doc, "Caption") else None)
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def _add_table(doc, table: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    notes, legend = _split_legend(table)
    caption = _caption(doc, table.title) if table.title else None
    grid = doc.add_table(rows=0, cols=table.columns)
    if _has_style(doc, TABLE_STYLE):
        grid.style = doc.styles[TABLE_STYLE]
    for r, row in enumerate([*table.header, *table.rows]):
        cells = grid.add_row().cells
        is_header = r < len(table.header)
        if is_header:
            _repeat_header(grid.rows[r])
        for c, cell in enumerate(row):
            paragraph = cells[c].paragraphs[0]
            run = paragraph.add_run(cell.text)
            run.bold = (cell.bold or is_header) or None
            run.font.size = Pt(9)
            if cell.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _fit(grid, _column_widths(table, text_width(doc.sections[-1])))
    # the caption carries the notes' references; without one, the table's first row (its last cell)
    anchor = caption or (grid.rows[0].cells[-1].paragraphs[-1] if grid.rows else doc.add_paragraph())
    for note in notes:
        add_footnote(doc, anchor, note)
    if legend:
        doc.add_paragraph(legend, style=_note_style(doc))


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(repeat)


def _column_widths(table: Table, width: int) -> list[int]:
    """The widths (twips) of ``table``'s columns: ``width`` shared by the length of each column's longest text.

    A header is counted by its longest word (headers wrap), a body cell whole;
    a column's share is bounded by `COLUMN_CHARS`. The widths add up to
    ``width``: a table with many columns fits, its texts wrapping.
    """
    low, high = COLUMN_CHARS
    weights = [low] * table.columns
    for r, row in enumerate([*table.header, *table.rows]):
        for c, cell in enumerate(row):
            size = max(map(len, cell.text.split()), default=0) if r < len(table.header) else len(cell.text)
            weights[c] = max(weights[c], min(size, high))
    total = sum(weights)
    widths = [width * w // total for w in weights]
    widths[-1] += width - sum(widths)
    return widths


def _fit(grid, widths: list[int]) -> None:
    """Fixed column widths in twips (``w:tblW``, ``w:gridCol``, each ``w:tcW``): Word and LibreOffice keep them."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Twips

    grid.autofit = False
    tblPr = grid._tbl.tblPr
    tblW = tblPr.find(qn("w:tblW"))
    if tblW is None:
        tblW = _insert_before(tblPr, OxmlElement("w:tblW"), _AFTER_TBLW)
    tblW.set(qn("w:type"), "dxa")
    tblW.set(qn("w:w"), str(sum(widths)))
    for c, width in enumerate(widths):
        grid.columns[c].width = Twips(width)
        for cell in grid.columns[c].cells:
            cell.width = Twips(width)


# --- notes of tables: footnotes and legends -------------------------------------------------------


def _split_legend(table: Table) -> tuple[list[str], str]:
    """``table``'s notes, and the legend of its masks (`fmt.mask_legend`, the last footnote `fmt.legend_footnotes`
    adds; ``""`` when the table has none).

    The two are rendered differently in Word, on purpose. The legend is a key
    to the symbols the cells print (« < 5 », « x »): as in statistical
    publications, it stays directly under the table, in a small "Note de
    tableau" paragraph, where the reader meets the symbols, and whatever page
    the table ends on. The other notes are what the page model declares as
    the table's footnotes (methods, definitions, sources): they become real
    Word footnotes (`add_footnote`), referenced from the caption, numbered by
    Word, listed in its notes pane and kept with the page of the table.
    """
    body = [cell.text for row in table.rows for cell in row if cell.masked or cell.numeric]
    legend = fmt.mask_legend(body)
    notes = list(table.footnotes)
    if legend and notes and notes[-1] == legend:
        return notes[:-1], legend
    return notes, ""


def _note_style(doc) -> str:
    """The paragraph style of table legends (8 pt, close under the table), created once."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    if not _has_style(doc, NOTE_STYLE):
        style = doc.styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        style.font.size = Pt(8)
        style.paragraph_format.space_before = Pt(3)
        style.paragraph_format.space_after = Pt(9)
    return NOTE_STYLE


_FOOTNOTES_XML = (
    '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)


def _footnotes(doc):
    """The ``w:footnotes`` element of ``doc``'s footnotes part, created with its two separators the first time.

    python-docx has no footnotes API: the part (``word/footnotes.xml``), its
    relationship from the document and its content type are added here; the
    settings name the separators (``w:footnotePr``), as Word writes them.
    """
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import XmlPart
    from docx.oxml import parse_xml

    main = doc.part
    for rel in main.rels.values():
        if rel.reltype == RT.FOOTNOTES:
            return rel.target_part.element
    part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(_FOOTNOTES_XML), main.package)
    main.relate_to(part, RT.FOOTNOTES)
    _separators_in_settings(doc)
    return part.element


def _separators_in_settings(doc) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    settings = doc.settings.element
    if settings.find(qn("w:footnotePr")) is not None:
        return
    footnote_pr = parse_xml(
        f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
    )
    _insert_before(settings, footnote_pr, _AFTER_FOOTNOTEPR)


def add_footnote(doc, paragraph, text: str) -> int:
    """A real Word footnote: its reference (superscript number) at the end of ``paragraph``, ``text`` at the page foot.

    Returns the footnote's id (1, 2, …: Word numbers the notes in their order).
    """
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    notes = _footnotes(doc)
    number = max(int(n.get(qn("w:id"))) for n in notes.findall(qn("w:footnote"))) + 1
    reference = paragraph.add_run()
    reference.font.superscript = True
    mark = OxmlElement("w:footnoteReference")
    mark.set(qn("w:id"), str(number))
    reference._r.append(mark)
    note = OxmlElement("w:footnote")
    note.set(qn("w:id"), str(number))
    notes.append(note)
    body = _append(note, "w:p")
    own = _append(body, "w:r")
    _append(_append(own, "w:rPr"), "w:vertAlign").set(qn("w:val"), "superscript")
    _append(own, "w:footnoteRef")
    run = _append(body, "w:r")
    _append(_append(run, "w:rPr"), "w:sz").set(qn("w:val"), "16")
    shown = _append(run, "w:t")
    shown.set(qn("xml:space"), "preserve")
    shown.text = f" {text}"
    return number


# The elements the schema (ECMA-376) puts after w:tblW in w:tblPr, and after w:footnotePr in w:settings
# (those python-docx's template can hold): a new element goes before the first of them, Word being strict
# about the order.
_AFTER_TBLW = ("jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook")
_AFTER_FOOTNOTEPR = ("endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang")


def _insert_before(parent, child, later: tuple[str, ...]):
    """``child`` put in ``parent`` before its first element named in ``later`` (at the end without one)."""
    from docx.oxml.ns import qn

    following = next((e for e in parent if e.tag in {qn(f"w:{name}") for name in later}), None)
    if following is None:
        parent.append(child)
    else:
        following.addprevious(child)
    return child


def _append(parent, tag: str):
    from docx.oxml import OxmlElement

    child = OxmlElement(tag)
    parent.append(child)
    return child


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
    """Every text of a ``.docx`` for the identifier audit: body, tables, footnotes, headers, footers, alt texts,
    properties.

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
