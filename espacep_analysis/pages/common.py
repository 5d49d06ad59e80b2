"""What a report page is made of, and how the notebooks build and show it.

A page section is a list of blocks of the format-neutral page model
(`document`: `Text`, `Table`, `Chart`, ...): the sentence the report prints, a
table of typed cells, a seaborn chart with its data. No markup here: `show`
displays the blocks through the HTML renderer (`blocks_html`). Sections are built
from a `FigureBook`: the figures table of one report (every figure computed once
by `indicators`, after disclosure control) with lookups that return the
formatted French strings. No block ever holds a row-level record.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import document, fmt
from ..document import Chart, Heading, Note, Table, Text
from ..errors import EspacepError
from ..indicators.common import ALL, FIGURE_COLUMNS
from ..schemas import check_figures

__all__ = ["Chart", "FigureBook", "Heading", "Note", "Table", "Text", "prose", "rows_table", "show"]


WITHHELD = "valeur non publiée"  # a masked figure inside a sentence (`FigureBook.say`)
# What a masked count counts, by unit, for the reason of a withheld clause ("moins de 5 personnes")
COUNT_NOUNS = {
    "persons": "personnes",
    "consultations": "consultations",
    "results": "résultats",
    "acts": "actes",
    "doses": "doses",
}


def prose(*paragraphs: str) -> Text:
    """A generated sentence block: the non-empty ``paragraphs``, one blank line apart, each capitalised.

    Every figure in these sentences is worded by `FigureBook.say` (or a whole clause by
    `FigureBook.clause`), which never returns a mask symbol: a masked figure reads ``"moins de 5"`` or
    ``"valeur non publiée"``, never ``"x"`` or ``"< 5"`` (``tests/test_sentences.py`` reads the 2019 pages
    for them). The labels from the params print as they are written, so they are not checked here.
    """
    return Text("\n\n".join(fmt.capitalized(p) for p in paragraphs if p))


@dataclass
class FigureBook:
    """The figures of one report and their formatted values.

    Parameters
    ----------
    figures : DataFrame
        The tidy figures table (`FIGURE_COLUMNS`, optionally ``suppressed``).
    year : int
        The report year; ``previous`` are the other years in ``figures``, latest first.
    lang : str
        Babel locale for numbers (``fr_BE``, ``nl_BE``, ``en``).
    masked : str
        What a count masked for being small prints as (``"< 5"``); any other
        masked figure (derived from a small count, or complementary) prints as
        ``secondary`` (``"x"``), as the methods note explains.
    method, level : str, float
        The confidence-interval method and level the figures were computed
        with (footnotes; the level is also the comparisons' test level).
    period_end : date, optional
        The last date of the data when the year is partial (`period`).
    published : DataFrame, optional
        Published values of years before the record-level data
        (``params/history.yaml``, see `declared.history_for`): quoted by
        `history` after the computed years, as published values; never in
        tables, comparisons or ``previous``.
    """

    figures: pd.DataFrame
    year: int
    lang: str = fmt.DEFAULT_LANG
    masked: str = "< 5"
    secondary: str = "x"
    method: str = "wilson"
    level: float = 0.95
    period_end: _dt.date | None = None  # last date of a partial year (--partial); None: the whole year
    published: pd.DataFrame | None = None
    _index: dict = field(init=False, repr=False)

    @property
    def period(self) -> str:
        """The report's period in a sentence: ``"en 2019"`` or ``"du 1er janvier au 19 mars 2020"`` (`fmt.period`)."""
        return fmt.period(self.year, self.period_end)

    @property
    def period_capitalized(self) -> str:
        """`period` at the start of a sentence: ``"En 2019"``, ``"Du 1er janvier au 19 mars 2020"``."""
        return self.period[:1].upper() + self.period[1:]

    def __post_init__(self) -> None:
        self.figures = check_figures(self.figures, "FigureBook")
        if "suppressed" in self.figures.columns:
            kinds = self.figures.get("suppression", pd.Series("", index=self.figures.index))
            labels = kinds.eq("primary").map({True: self.masked, False: self.secondary})
            self.figures = self.figures.assign(
                mask_label=labels.where(self.figures["suppressed"].astype(bool))
            )
        keys = zip(self.figures["indicator"], self.figures["year"].astype(int), self.figures["scope"])
        self._index = {key: i for i, key in enumerate(keys)}
        frame = self.figures
        compared = zip(
            frame["base_indicator"].fillna(""), frame["unit"], frame["year"].astype(int), frame["scope"]
        )
        self._compared: dict[tuple, list[int]] = {}
        for i, key in enumerate(compared):
            if key[0]:
                self._compared.setdefault(key, []).append(i)

    @property
    def previous(self) -> list[int]:
        years = sorted({int(y) for y in self.figures["year"]} - {self.year}, reverse=True)
        return [y for y in years if y < self.year]

    def has(self, indicator: str, year: int | None = None, scope: str = ALL) -> bool:
        return (indicator, int(year or self.year), scope) in self._index

    def row(self, indicator: str, year: int | None = None, scope: str = ALL) -> dict:
        key = (indicator, int(year or self.year), scope)
        if key not in self._index:
            raise EspacepError(f"no figure {indicator!r} for year {key[1]}, scope {scope!r}")
        return self.figures.iloc[self._index[key]].to_dict()

    def comparison(
        self,
        indicator: str,
        unit: str,
        scope: str = ALL,
        *,
        method: str | None = None,
        year_from: int | None = None,
    ) -> dict | None:
        """The report year's comparison row of ``indicator`` in ``unit``, or None.

        Read from the columns ``base_indicator``, ``method`` and ``year_from``
        (`indicators.comparisons`): ``method`` tells the Fisher p-value from
        the trend test's, ``year_from`` the year a difference compares with.
        """
        rows = [
            self.figures.iloc[i].to_dict()
            for i in self._compared.get((indicator, unit, self.year, scope), ())
        ]
        found = [
            r
            for r in rows
            if (method is None or r["method"] == method)
            and (year_from is None or (not pd.isna(r["year_from"]) and int(r["year_from"]) == int(year_from)))
        ]
        if len(found) > 1:
            raise EspacepError(f"several {unit} comparison rows of {indicator!r} ({scope}, {self.year})")
        return found[0] if found else None

    def value(self, indicator: str, year: int | None = None, scope: str = ALL) -> float:
        """The unrounded value (NaN when suppressed)."""
        return float(self.row(indicator, year, scope)["value"])

    def is_suppressed(self, indicator: str, year: int | None = None, scope: str = ALL) -> bool:
        return bool(self.row(indicator, year, scope).get("suppressed", False))

    def text(self, indicator: str, year: int | None = None, scope: str = ALL, decimals: int = 1) -> str:
        """The figure formatted by its unit (``1 076``, ``48,2 %``, ``2,6``), or the mask."""
        row = self.row(indicator, year, scope)
        if row.get("suppressed", False):
            return self.mask(row)
        return fmt.figure_value(row, self.lang, percent_decimals=decimals)

    def mask(self, row: dict) -> str:
        """What a masked row prints: ``masked`` ("< 5") for a small count, ``secondary`` ("x") otherwise."""
        return self.masked if row.get("suppression") == "primary" else self.secondary

    @property
    def threshold(self) -> int:
        """The disclosure threshold behind `masked` (``"< 5"`` -> 5)."""
        digits = "".join(c for c in self.masked if c.isdigit())
        return int(digits) if digits else 0

    def say(self, indicator: str, year: int | None = None, scope: str = ALL, decimals: int = 1) -> str:
        """The figure as a sentence says it: `text`, or in words when it is masked (never a bare symbol).

        A count masked for being small reads ``"moins de 5"`` (``"moins de 5 victimes …"``); any other masked
        figure reads ``"valeur non publiée"`` (in a list of earlier years: ``"valeur non publiée en 2018"``). A
        clause whose
        subject is a masked figure is replaced as a whole by `clause`.
        """
        row = self.row(indicator, year, scope)
        if not row.get("suppressed", False):
            return fmt.figure_value(row, self.lang, percent_decimals=decimals)
        return self.masked_words(row)

    def masked_words(self, row: dict) -> str:
        """A masked figure in words: ``"moins de 5"`` for a small count, `WITHHELD` otherwise."""
        if row.get("suppression") == "primary" and row.get("unit") in fmt.COUNT_UNITS and self.threshold:
            return f"moins de {self.threshold}"
        return WITHHELD

    def count_say(self, indicator: str, year: int | None = None, scope: str = ALL) -> str:
        """The numerator of a proportion as a sentence says it (`count_text`, `WITHHELD` when masked)."""
        row = self.row(indicator, year, scope)
        if row.get("suppressed", False):
            return WITHHELD
        return fmt.number(row["numerator"], 0, self.lang)

    def reason(self, row: dict, noun: str = "personnes") -> str:
        """Why a masked figure is withheld, in words (the parenthesis of `clause`)."""
        n = self.threshold
        if row.get("suppression") == "primary":
            return f"moins de {n} {COUNT_NOUNS.get(str(row.get('unit')), noun)}"
        if row.get("suppression") == "secondary":
            return (
                f"masquage complémentaire : un effectif de moins de {n} {noun} ne doit pas pouvoir être "
                "retrouvé par différence"
            )
        return f"effectif de moins de {n} {noun}"

    def clause(self, text: str, refs: Sequence, withheld: str = "", noun: str = "personnes") -> str:
        """``text`` when its figures ``refs`` can all be said, else what is withheld and why.

        Parameters
        ----------
        text : str
            The clause with its figures (formatted by `say`).
        refs : sequence
            The figures of ``text``: ids (report year, scope ``all``) or ``(id, year, scope)`` tuples.
        withheld : str
            The clause that replaces ``text`` when a figure reads `WITHHELD` (`say`), e.g. ``"la part de
            nationalité belge n'est pas publiée"``; default: ``"<label> : chiffre non publié"``.
        noun : str
            What the figures count, for the reason (``"(moins de 5 personnes)"``).

        Returns
        -------
        str
            ``text``, or ``"<withheld> (<reason>)"``: ``"la part de nationalité belge n'est pas publiée
            (calculé sur un effectif de moins de 5 personnes)"``.
        """
        for ref in refs:
            ind, year, scope = (ref, None, ALL) if isinstance(ref, str) else ref
            row = self.row(ind, year, scope)
            if row.get("suppressed", False) and self.masked_words(row) == WITHHELD:
                head = withheld or f"{row['label']} : chiffre non publié"
                return f"{head} ({self.reason(row, noun)})"
        return text

    def count_text(self, indicator: str, year: int | None = None, scope: str = ALL) -> str:
        """The numerator of a proportion (the count of persons), formatted."""
        row = self.row(indicator, year, scope)
        if row.get("suppressed", False):
            return self.secondary
        return fmt.number(row["numerator"], 0, self.lang)

    def history(
        self, indicator: str, scope: str = ALL, decimals: int = 1, template: str = "{value} en {year}"
    ) -> str:
        """``"51,0 % en 2018, 53,0 % en 2017"``: the previous years present, latest first (`say`: a masked
        year reads ``"valeur non publiée en 2018"``).

        Published values of earlier years (``published``) follow, marked as
        such: ``"…, 53,0 % en 2017 ; valeurs publiées : 66 % en 2016, 59 % en 2015"``.
        """
        parts = [
            template.format(value=self.say(indicator, y, scope, decimals), year=y)
            for y in self.previous
            if self.has(indicator, y, scope)
        ]
        quoted = [
            template.format(value=self.published_text(row), year=int(row["year"]))
            for row in self.published_rows(indicator, scope)
        ]
        if not quoted:
            return ", ".join(parts)
        published = "valeurs publiées : " + ", ".join(quoted)
        return f"{', '.join(parts)} ; {published}" if parts else published

    def published_text(self, row: dict) -> str:
        """A published value with the precision it was published with (``66 %``, ``0,1 %``, ``421``)."""
        value = float(row["value"]) * (100 if row["unit"] == "proportion" else 1)
        decimals = next(d for d in (0, 1, 2, 3) if abs(value - round(value, d)) < 1e-9 or d == 3)
        return fmt.figure_value(row, self.lang, percent_decimals=decimals)

    def published_rows(self, indicator: str, scope: str = ALL) -> list[dict]:
        """The published values (``published``) of ``indicator`` before the report year, latest first."""
        frame = self.published
        if frame is None or frame.empty:
            return []
        rows = frame[
            (frame["indicator"] == indicator) & (frame["scope"] == scope) & (frame["year"] < self.year)
        ]
        return rows.sort_values("year", ascending=False).to_dict("records")

    def paren_history(self, indicator: str, scope: str = ALL, decimals: int = 1) -> str:
        """``" (51,0 % en 2018, 53,0 % en 2017)"`` or ``""`` when no previous year exists."""
        text = self.history(indicator, scope, decimals)
        return f" ({text})" if text else ""

    def select(self, indicators: list[str], years: list[int] | None = None, scope: str = ALL) -> pd.DataFrame:
        """The rows of ``indicators`` (in that order) for ``years`` (default: report year)."""
        years = years or [self.year]
        frame = self.figures
        mask = frame["indicator"].isin(indicators) & frame["year"].isin(years) & (frame["scope"] == scope)
        rows = frame.loc[mask].copy()
        rows["_order"] = rows["indicator"].map({k: i for i, k in enumerate(indicators)})
        return rows.sort_values(["_order", "year"]).drop(columns="_order")

    def members(self, indicators: Sequence[str], year: int | None = None, scope: str = ALL) -> pd.DataFrame:
        """The rows of ``indicators`` (a declared family) of ``year`` (default: report year), in table order."""
        frame = self.figures
        mask = (
            frame["indicator"].isin(list(indicators))
            & (frame["year"] == int(year or self.year))
            & (frame["scope"] == scope)
        )
        return frame.loc[mask]


def rows_table(
    header: Sequence[str],
    rows: Sequence[tuple[Sequence[str], bool]],
    caption: str = "",
    footnote: str = "",
    key: str = "",
) -> Table:
    """A table of formatted cells; ``rows`` are ``(cells, is_total)``, totals in bold.

    The first column is text (the row's label, `fmt.row_label`: with its capital), the others are
    numbers (right-aligned). A table with masked cells (``"< 5"``, ``"x"``) gets their legend
    (`fmt.mask_legend`) as its last footnote (`fmt.legend_footnotes`).
    """
    head = tuple(document.Cell(str(h), numeric=i > 0) for i, h in enumerate(header))
    body = tuple(
        document.cells([fmt.row_label(str(texts[0])), *texts[1:]] if texts else texts, bold=total)
        for texts, total in rows
    )
    return Table((head,), body, caption, fmt.legend_footnotes(footnote, body), key)


def show(blocks: list) -> None:
    """Display blocks in a notebook through the HTML renderer; closes the charts.

    Tables and charts are numbered first (`document.number`, in report
    order) and the text's references resolved. A `Text` is rendered from the
    Markdown subset of `markup.markdown_html` (raw HTML, images and non-http(s)
    links print as text) and a `Table` is passed through `markup.sanitize_html`:
    no string from the params or the data can become markup in the notebook
    or the report. Each output also carries the block itself
    (`document.BLOCK_MIME`), from which the other formats (Word) are rendered.
    """
    from IPython.display import display

    from .. import markup, plots
    from ..blocks_html import chart_data_html, table_html

    for block in document.number(blocks):
        record = {document.BLOCK_MIME: json.loads(json.dumps(document.to_dict(block), default=float))}
        if isinstance(block, Text | Note | Heading):
            source = (
                block.markdown if not isinstance(block, Heading) else "#" * block.level + " " + block.text
            )
            rendered = markup.markdown_html(source, headings=isinstance(block, Heading))
            display({"text/html": rendered, "text/plain": source, **record}, raw=True)
        elif isinstance(block, Table):
            display(
                {"text/html": markup.sanitize_html(table_html(block)), "text/plain": "", **record}, raw=True
            )
        elif isinstance(block, Chart):
            plots.show(block.figure, alt=block.alt, caption=block.title, extra=record)
            display({"text/html": markup.sanitize_html(chart_data_html(block)), "text/plain": ""}, raw=True)
        else:
            raise EspacepError(f"cannot show {type(block).__name__}")


def figure_sources(figures: pd.DataFrame) -> pd.Series:
    """``source`` of each row: ``declared`` for ``<funder>.declared.*`` ids, else ``computed``."""
    return (
        figures["indicator"]
        .str.contains(".declared.", regex=False)
        .map({True: "declared", False: "computed"})
    )


def figures_table(
    figures: pd.DataFrame, published: pd.DataFrame | None = None, missing: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every figure shown, one row each, as ``figures.csv`` holds them (see `write_figures_csv`)."""
    columns = FIGURE_COLUMNS + (["suppressed"] if "suppressed" in figures.columns else [])
    parts = [figures.assign(source=figure_sources(figures))]
    for extra, source in ((published, "history"), (missing, "declared_missing")):
        if extra is not None and len(extra):
            parts.append(
                extra.assign(source=source, suppressed=False)
                if "suppressed" in columns
                else extra.assign(source=source)
            )
    table = check_figures(pd.concat(parts, ignore_index=True), "figures.csv").loc[:, columns + ["source"]]
    return table.sort_values(["year", "indicator", "scope"], kind="stable").reset_index(drop=True)


def write_figures_csv(
    figures: pd.DataFrame,
    output_dir: str | Path,
    published: pd.DataFrame | None = None,
    missing: pd.DataFrame | None = None,
) -> Path:
    """Write ``figures.csv`` and ``figures-excel.csv`` (every figure shown, one row each) atomically.

    Column ``source``: ``computed`` (from the rows), ``declared`` (params of
    the year), ``history`` (``published``: values of earlier reports,
    ``params/history.yaml``) or ``declared_missing`` (``missing``: an item
    still to fill, no value; only in a draft). ``figures.csv`` is for
    machines (comma, UTF-8, decimal point); ``figures-excel.csv`` holds the
    same cells for Belgian Excel (`spreadsheet.excel_csv`). Returns the path
    of ``figures.csv``.
    """
    return write_table_csv(figures_table(figures, published, missing), output_dir)


def write_table_csv(table: pd.DataFrame, output_dir: str | Path) -> Path:
    """Write the figures ``table`` (`figures_table`) as ``figures.csv`` and ``figures-excel.csv``; the former's path."""
    from ..files import write_atomic
    from ..spreadsheet import EXCEL_CSV, excel_csv

    data = table.to_csv(index=False, float_format="%.10g", lineterminator="\n").encode("utf-8")
    write_atomic(Path(output_dir) / EXCEL_CSV, excel_csv(table))
    return write_atomic(Path(output_dir) / "figures.csv", data)
