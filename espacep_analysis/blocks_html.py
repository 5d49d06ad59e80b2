"""The HTML of the page model's blocks (`document`): what the notebooks display and the HTML report prints.

Markup of the reports' tables: ``<table class="figures">`` (and the table's layout
classes, `Table.classes`), a ``<caption>``
("Tableau 3 – …"), header cells ``<th scope="col">``, numbers in cells of class
``num``, row headers ``<th scope="row">``, totals in ``<strong>``, footnotes in
``<tfoot>``. Every text is escaped; nothing here reads a file.
"""

from __future__ import annotations

import html

from .document import Cell, Chart, Table

NUMERIC = ' class="num"'


def _text(cell: Cell, quote: bool) -> str:
    text = html.escape(cell.text, quote=quote)
    return f"<strong>{text}</strong>" if cell.bold else text


def _head_cell(cell: Cell) -> str:
    return f'<th scope="col"{NUMERIC if cell.numeric else ""}>{_text(cell, True)}</th>'


def _body_cell(cell: Cell) -> str:
    cls = NUMERIC if cell.numeric else ""
    if cell.row_header:
        return f'<th scope="row"{cls}>{_text(cell, True)}</th>'
    return f"<td{cls}>{_text(cell, False)}</td>"


def table_html(table: Table, css_class: str = "figures") -> str:
    """``<table class="figures">…</table>``: caption, header rows, body, footnotes; deterministic, no ids.

    The table's own `Table.classes` follow ``css_class`` (``class="figures comparison landscape"``).
    """
    classes = " ".join((css_class, *table.classes))
    parts = [f'<table class="{html.escape(classes)}">']
    if table.title:
        parts.append(f"<caption>{html.escape(table.title)}</caption>")
    parts.append("<thead>")
    parts.extend("<tr>" + "".join(_head_cell(c) for c in row) + "</tr>" for row in table.header)
    parts.append("</thead><tbody>")
    parts.extend("<tr>" + "".join(_body_cell(c) for c in row) + "</tr>" for row in table.rows)
    parts.append("</tbody>")
    if table.footnotes:
        span = table.columns
        foot = "".join(f'<tr><td colspan="{span}">{html.escape(note)}</td></tr>' for note in table.footnotes)
        parts.append(f"<tfoot>{foot}</tfoot>")
    parts.append("</table>")
    return "".join(parts)


def chart_data_html(chart: Chart) -> str:
    """The chart's data as a table in a ``<details>`` below the chart (screen readers, copy-paste)."""
    data = chart.data_table()
    summary = html.escape(
        f"Données de la {chart.title[:1].lower()}{chart.title[1:]}" if chart.title else "Données"
    )
    return (
        f'<details class="chart-data"><summary>{summary}</summary>'
        + table_html(Table(data.header, data.rows), "figures chart-data-table")
        + "</details>"
    )
