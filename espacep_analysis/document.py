"""The format-neutral page model: the blocks a report is made of, with no markup of any format.

A report page is a list of blocks:

- `Heading` (text, level);
- `Text` (a paragraph in the Markdown subset of `markup`: emphasis, lists,
  links; ``{{tab:key}}`` / ``{{fig:key}}`` refer to the table or chart
  registered under ``key`` and print as "tableau 3" / "figure 2");
- `Table` (typed `Cell` s: the unrounded value, the formatted text, the masked
  flag; header rows; a caption; footnotes);
- `Chart` (its data as a small DataFrame, its matplotlib drawing, its alt text
  and its caption);
- `Note` (a methods or provenance paragraph, in italics or small print).

Renderers (`renderers`: HTML through `blocks_html`, Word through `docx_report`)
turn blocks into documents. `number` gives every table and chart its number in
the report, in display order, and resolves the references of the text; the
numbered blocks are what `to_dict` serialises into the executed notebook
(`BLOCK_MIME`), from which the Word document is built.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from .errors import EspacepError


def is_missing(x: object) -> bool:
    """True for None, NaN, ``pd.NA`` and ``NaT`` (`fmt.is_missing` is this function)."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


# The MIME type of a block serialised into a notebook output (`to_dict`); HTML exporters ignore it.
BLOCK_MIME = "application/vnd.espacep.block+json"
TABLE_WORD, CHART_WORD = "Tableau", "Figure"
DASH = "\u2013"
_REF = re.compile(r"\{\{(tab|fig):([A-Za-z0-9_.-]+)\}\}")


@dataclass(frozen=True)
class Cell:
    """One table cell: the text a reader sees and what it stands for.

    ``value`` is the unrounded number behind ``text`` (None for a label);
    ``masked`` marks a figure withheld by disclosure control (``text`` is then
    the mask, ``"< 5"`` or ``"x"``); ``numeric`` cells are right-aligned;
    ``row_header`` cells head their row; ``bold`` marks a total.
    """

    text: str
    value: float | None = None
    masked: bool = False
    numeric: bool = False
    row_header: bool = False
    bold: bool = False


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2
    new_page: bool = False  # starts a new page (a part of the rapport moral: `render.NEW_PAGE_TAG`)


@dataclass(frozen=True)
class Text:
    """A paragraph (or several, separated by blank lines) in the Markdown subset of `markup`."""

    markdown: str


@dataclass(frozen=True)
class Note:
    """A paragraph set apart from the running text (methods, provenance): same Markdown as `Text`."""

    markdown: str


@dataclass(frozen=True)
class Table:
    """A table of figures.

    Parameters
    ----------
    header : tuple of tuple of Cell
        The header rows (usually one).
    rows : tuple of tuple of Cell
        The body rows.
    caption : str
        What the table shows (without its number).
    footnotes : tuple of str
        Printed below the table.
    key : str
        The name the text refers to it by (``{{tab:key}}``); empty: not referred to.
    number : int or None
        Its number in the report (`number`); None until displayed.
    classes : tuple of str
        Layout classes of the HTML table besides ``figures`` (``comparison``: the compact
        layout of report.css; ``landscape``: printed on a landscape page).
    """

    header: tuple[tuple[Cell, ...], ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    footnotes: tuple[str, ...] = ()
    key: str = ""
    number: int | None = None
    classes: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """``"Tableau 3 – caption"`` (numbered), or the caption alone."""
        return numbered(TABLE_WORD, self.number, self.caption)

    @property
    def columns(self) -> int:
        return max((len(r) for r in (*self.header, *self.rows)), default=0)


@dataclass(frozen=True)
class Chart:
    """A chart: its drawing, the data it draws, its alt text and caption.

    Parameters
    ----------
    figure : matplotlib Figure or None
        The drawing (None once serialised: the image is in the notebook output).
    alt : str
        The alternative text; `chart_alt` generates it from ``data``.
    data : DataFrame or None
        One row per mark: ``label`` and ``text`` (the formatted value, or the
        mask), optionally ``value`` (unrounded) and ``group``.
    caption : str
        What the chart shows (without its number).
    key, number
        As for `Table`.
    """

    figure: object = None
    alt: str = ""
    data: pd.DataFrame | None = field(default=None, compare=False)
    caption: str = ""
    key: str = ""
    number: int | None = None

    def __post_init__(self) -> None:
        """Complete a chart drawn by `plots` from what the drawing kept: data, caption, alt text from the data."""
        drawn = getattr(self.figure, "espacep_chart", None)
        if not drawn or self.alt.startswith(
            f"{drawn['kind']} : "
        ):  # not drawn by plots, or already completed
            return
        if self.data is None and drawn["data"] is not None:
            object.__setattr__(self, "data", drawn["data"])
        if not self.caption and drawn["title"]:
            object.__setattr__(self, "caption", drawn["title"])
        subject = self.alt or self.caption
        if not subject:
            subject = "graphique"
        elif subject[1:2].islower():
            subject = subject[:1].lower() + subject[1:]
        object.__setattr__(self, "alt", chart_alt(drawn["kind"], subject, self.data))

    @property
    def title(self) -> str:
        return numbered(CHART_WORD, self.number, self.caption)

    def data_table(self) -> Table:
        """The chart's data as a table (the HTML's equivalent of the drawing)."""
        frame = self.data if self.data is not None else pd.DataFrame(columns=["label", "text"])
        groups = "group" in frame.columns
        head = [Cell("Catégorie")] + ([Cell("Groupe")] if groups else []) + [Cell("Valeur", numeric=True)]
        rows = []
        for rec in frame.to_dict("records"):
            cells = [Cell(str(rec["label"]), row_header=True)]
            if groups:
                cells.append(Cell(str(rec["group"])))
            value = rec.get("value")
            number_ = None if value is None or is_missing(value) else float(value)
            cells.append(Cell(str(rec["text"]), number_, bool(rec.get("masked", False)), numeric=True))
            rows.append(tuple(cells))
        return Table(
            (tuple(head),), tuple(rows), caption=f"Données de la {self.title[:1].lower()}{self.title[1:]}"
        )


Block = Heading | Text | Note | Table | Chart


def numbered(word: str, number: int | None, caption: str) -> str:
    """``"Tableau 3 – Contacts par antenne"``; without a number, the caption alone."""
    if number is None:
        return caption
    return f"{word} {number} {DASH} {caption}" if caption else f"{word} {number}"


def cells(texts: Sequence[str], numeric_from: int = 1, bold: bool = False) -> tuple[Cell, ...]:
    """Text cells: the first ``numeric_from`` are labels, the others numbers (right-aligned)."""
    return tuple(Cell(str(t), numeric=i >= numeric_from, bold=bold) for i, t in enumerate(texts))


def chart_alt(kind: str, subject: str, data: pd.DataFrame, limit: int = 12) -> str:
    """An alt text from a chart's data: what it shows and its main values.

    ``"Barres horizontales : part des TDS par lieu de rencontre en 2019. Rue : 41,2 % ;
    Bar : 30,1 % ; … (3 autres valeurs dans le tableau de données)."``

    Parameters
    ----------
    kind : str
        The kind of chart (``"Barres horizontales"``, ``"Histogramme"``).
    subject : str
        What it shows (a noun phrase).
    data : DataFrame
        The chart's data (``label``, ``text``, optionally ``group``), in the chart's order.
    limit : int
        At most this many values are read out; the rest are counted.
    """
    if data is None or data.empty:
        return f"{kind} : {subject}. Aucune donnée."
    parts = []
    for rec in data.head(limit).to_dict("records"):
        group = f" ({rec['group']})" if "group" in rec and not is_missing(rec["group"]) else ""
        parts.append(f"{rec['label']}{group} : {rec['text']}")
    rest = len(data) - limit
    more = f" ; et {rest} autres valeurs (tableau de données)" if rest > 0 else ""
    return f"{kind} : {subject}. " + " ; ".join(parts) + more + "."


# --- numbering -------------------------------------------------------------------------------------


@dataclass
class Numbering:
    """The numbers given so far in one report: per kind, and per key for the text's references."""

    counts: dict[str, int] = field(default_factory=lambda: {"tab": 0, "fig": 0})
    keys: dict[tuple[str, str], int] = field(default_factory=dict)
    items: list[tuple[str, int, str]] = field(default_factory=list)  # (kind, number, caption) in order


_CURRENT = Numbering()


def reset() -> None:
    """Start numbering a new report (`pages.build_report` calls it)."""
    global _CURRENT
    _CURRENT = Numbering()


def number(blocks: Sequence[Block], numbering: Numbering | None = None) -> list[Block]:
    """Number the tables and charts of ``blocks`` (in order, after those already numbered) and resolve the references.

    A block already numbered keeps its number. References (``{{tab:key}}``)
    may name a table or chart of ``blocks`` or of an earlier call.

    Raises
    ------
    EspacepError
        For a reference to a key never numbered.
    """
    state = numbering if numbering is not None else _CURRENT
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Table | Chart) and block.number is None:
            kind = "tab" if isinstance(block, Table) else "fig"
            number = state.counts[kind] = state.counts[kind] + 1
            block = replace(block, number=number)
            if block.key:
                state.keys[(kind, block.key)] = number
            state.items.append((kind, number, block.caption))
        out.append(block)
    return [_resolve(b, state) for b in _see_also(out)]


def _see_also(blocks: list[Block]) -> list[Block]:
    """Add "Voir le tableau 3 et la figure 2." after a text whose following tables and charts it does not name.

    The tables and charts that follow a `Text` (up to the next one) are what it
    discusses; when the text refers to none of them (``{{tab:key}}``), the
    reference is added as a paragraph of its own.
    """
    out = list(blocks)
    for i, block in enumerate(blocks):
        if not isinstance(block, Text):
            continue
        following = []
        for nxt in blocks[i + 1 :]:
            if isinstance(nxt, Text | Heading):
                break
            if isinstance(nxt, Table | Chart) and nxt.number is not None:
                following.append(nxt)
        named = {m.group(2) for m in _REF.finditer(block.markdown)}
        if following and not any(b.key and b.key in named for b in following):
            out[i] = replace(block, markdown=block.markdown + "\n\n" + see(following))
    return out


def see(items: Sequence[Table | Chart]) -> str:
    """``"Voir le tableau 3, le tableau 4 et la figure 2."``"""
    names = []
    for kind, one, many in ((Table, "le tableau", "les tableaux"), (Chart, "la figure", "les figures")):
        numbers = [str(b.number) for b in items if isinstance(b, kind)]
        if numbers:
            names.append(f"{one} {numbers[0]}" if len(numbers) == 1 else f"{many} {_and(numbers)}")
    return f"Voir {_and(names)}."


def _and(words: list[str]) -> str:
    """``"a"``, ``"a et b"``, ``"a, b et c"``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " et " + words[-1]


def _resolve(block: Block, state: Numbering) -> Block:
    if not isinstance(block, Text | Note):
        return block

    def word(match: re.Match) -> str:
        kind, key = match.group(1), match.group(2)
        if (kind, key) not in state.keys:
            raise EspacepError(f"reference to {kind}:{key}, which no table or chart of the report has")
        return f"{'tableau' if kind == 'tab' else 'figure'} {state.keys[(kind, key)]}"

    text = _REF.sub(word, block.markdown)
    return block if text == block.markdown else replace(block, markdown=text)


# --- serialisation ---------------------------------------------------------------------------------


def _cell_dict(c: Cell) -> dict:
    value = None if c.value is None or (isinstance(c.value, float) and math.isnan(c.value)) else c.value
    return {
        "text": c.text,
        "value": value,
        "masked": c.masked,
        "numeric": c.numeric,
        "row_header": c.row_header,
        "bold": c.bold,
    }


def to_dict(block: Block) -> dict:
    """A JSON-serialisable record of ``block`` (a chart without its drawing, with its data)."""
    if isinstance(block, Heading):
        return {"type": "heading", "text": block.text, "level": block.level}
    if isinstance(block, Text | Note):
        return {"type": type(block).__name__.lower(), "markdown": block.markdown}
    if isinstance(block, Table):
        return {
            "type": "table",
            "header": [[_cell_dict(c) for c in r] for r in block.header],
            "rows": [[_cell_dict(c) for c in r] for r in block.rows],
            "caption": block.caption,
            "footnotes": list(block.footnotes),
            "key": block.key,
            "number": block.number,
            "classes": list(block.classes),
        }
    if isinstance(block, Chart):
        data = block.data if block.data is not None else pd.DataFrame()
        keep = [c for c in ("label", "group", "text", "value", "masked") if c in data.columns]
        records = [
            {k: (None if is_missing(v) else v) for k, v in rec.items()}
            for rec in data.loc[:, keep].to_dict("records")
        ]
        return {
            "type": "chart",
            "alt": block.alt,
            "caption": block.caption,
            "data": records,
            "key": block.key,
            "number": block.number,
        }
    raise EspacepError(f"not a block: {type(block).__name__}")


def from_dict(record: dict) -> Block:
    """The block `to_dict` serialised (a chart's ``figure`` is None)."""
    kind = record.get("type")
    if kind == "heading":
        return Heading(record["text"], int(record["level"]))
    if kind in ("text", "note"):
        return (Text if kind == "text" else Note)(record["markdown"])
    if kind == "table":
        return Table(
            tuple(tuple(Cell(**c) for c in r) for r in record["header"]),
            tuple(tuple(Cell(**c) for c in r) for r in record["rows"]),
            record.get("caption", ""),
            tuple(record.get("footnotes", ())),
            record.get("key", ""),
            record.get("number"),
            tuple(record.get("classes", ())),
        )
    if kind == "chart":
        return Chart(
            None,
            record.get("alt", ""),
            pd.DataFrame(record.get("data", [])),
            record.get("caption", ""),
            record.get("key", ""),
            record.get("number"),
        )
    raise EspacepError(f"not a serialised block: {kind!r}")
