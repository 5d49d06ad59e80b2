"""The page model (`document`): numbering, references, alt text from data, serialisation, HTML of blocks."""

from __future__ import annotations

import pandas as pd
import pytest

from espacep_analysis import document, fmt, plots
from espacep_analysis.blocks_html import chart_data_html, table_html
from espacep_analysis.document import Cell, Chart, Numbering, Table, Text
from espacep_analysis.errors import EspacepError

NBSP = "\u00a0"


def _table(key: str = "", caption: str = "Contacts") -> Table:
    return Table(
        (document.cells(["Antenne", "TDS vus"]),), (document.cells(["Liège", "412"]),), caption, (), key
    )


def test_tables_and_charts_are_numbered_in_order_across_calls_and_references_resolve():
    state = Numbering()
    first = document.number([Text("Voir {{tab:b}}."), _table("a"), _table("b")], state)
    assert [b.number for b in first[1:]] == [1, 2]
    assert first[0].markdown == "Voir tableau 2."  # named: no "Voir ..." paragraph added
    second = document.number([Text("Texte."), _table(), Chart(caption="Âges")], state)
    assert second[1].title == "Tableau 3 \u2013 Contacts" and second[2].title == "Figure 1 \u2013 Âges"
    assert second[0].markdown == "Texte.\n\nVoir le tableau 3 et la figure 1."
    again = document.number([Text("Comme le {{tab:a}} le montre.")], state)  # an earlier section's table
    assert again[0].markdown == "Comme le tableau 1 le montre."
    with pytest.raises(EspacepError, match="tab:nowhere"):
        document.number([Text("{{tab:nowhere}}")], state)


def test_see_groups_by_kind():
    items = [Table((), (), number=n) for n in (8, 9, 10)] + [Chart(number=4)]
    assert document.see(items) == "Voir les tableaux 8, 9 et 10 et la figure 4."


def test_chart_alt_is_generated_from_the_data_of_the_drawing():
    rows = pd.DataFrame({"label": ["Rue", "Bar", "Vitrine"], "value": [0.412, 0.301, float("nan")]})
    rows["mask_label"] = [None, None, "< 5"]
    fig = plots.bar_shares(rows, title="Lieu de rencontre en 2019")
    chart = Chart(fig)
    # Hand-written: 41,2 % rounds to 41 % (bar labels have no decimal), 30,1 % to 30 %; the masked bar reads "< 5".
    assert chart.alt == (
        f"Barres horizontales : lieu de rencontre en 2019. Rue : 41{NBSP}% ; Bar : 30{NBSP}% ; Vitrine : < 5."
    )
    assert chart.caption == "Lieu de rencontre en 2019"
    numbered = document.number([chart], Numbering())[0]
    assert numbered.alt == chart.alt  # numbering keeps the generated text (no second generation)
    html = chart_data_html(numbered)
    assert html.startswith('<details class="chart-data"><summary>Données de la figure 1')
    assert f'<th scope="row">Rue</th><td class="num">41{NBSP}%</td>' in html


def test_long_alt_texts_count_what_they_leave_to_the_data_table():
    data = pd.DataFrame({"label": [f"s{i}" for i in range(14)], "text": [str(i) for i in range(14)]})
    alt = document.chart_alt("Barres", "sites", data, limit=12)
    assert alt.endswith("s11 : 11 ; et 2 autres valeurs (tableau de données).")


def test_serialised_blocks_come_back_equal():
    table = document.number([_table("k")], Numbering())[0]
    table = Table(
        table.header, (*table.rows, (Cell("Namur"), Cell("< 5", None, True, True))), table.caption, ("n",)
    )
    assert document.from_dict(document.to_dict(table)) == table
    chart = Chart(None, "alt", pd.DataFrame({"label": ["a"], "text": ["1"], "value": [1.0]}), "c", "k", 2)
    back = document.from_dict(document.to_dict(chart))
    assert (back.alt, back.caption, back.number, back.data.to_dict("records")) == (
        "alt",
        "c",
        2,
        [{"label": "a", "text": "1", "value": 1.0}],
    )


def test_table_html_keeps_the_reports_markup_and_escapes():
    table = Table(
        (document.cells(["Site <b>", "N"]),),
        ((Cell("Total", row_header=True, bold=True), Cell("1 076", 1076.0, numeric=True, bold=True)),),
        "A & B",
        ("note 1", "note 2"),
        number=3,
    )
    assert table_html(table) == (
        '<table class="figures"><caption>Tableau 3 \u2013 A &amp; B</caption><thead><tr>'
        '<th scope="col">Site &lt;b&gt;</th><th scope="col" class="num">N</th></tr></thead><tbody>'
        '<tr><th scope="row"><strong>Total</strong></th><td class="num"><strong>1 076</strong></td></tr></tbody>'
        '<tfoot><tr><td colspan="2">note 1</td></tr><tr><td colspan="2">note 2</td></tr></tfoot></table>'
    )


def test_figures_table_cells_carry_value_and_mask():
    rows = pd.DataFrame(
        {
            "label": ["VIH", "Syphilis"],
            "numerator": [3, 2],
            "denominator": [412, 400],
            "value": [3 / 412, 0.005],
            "unit": ["proportion"] * 2,
            "suppressed": [False, True],
            "mask_label": [None, "< 5"],
        }
    )
    table = fmt.figures_table(rows, columns=("label", "numerator", "value"))
    hiv, syph = table.rows
    assert hiv[2].value == pytest.approx(3 / 412) and hiv[2].text == f"0,7{NBSP}%" and not hiv[2].masked
    assert (syph[2].text, syph[2].masked, syph[2].value) == ("< 5", True, None)
    assert (syph[1].text, syph[1].masked) == ("x", True)


def test_a_label_from_the_data_cannot_make_a_reference():
    from espacep_analysis import markup

    label = markup.plain("Site {{tab:x}}")  # a site name from params: printed as written, never resolved
    (block,) = document.number([Text(f"À {label}.")], Numbering())
    assert markup.markdown_html(block.markdown).strip() == "<p>À Site {{tab:x}}.</p>"
