"""Tests of espacep_analysis.plots and espacep_analysis.render.

A tiny notebook (a typed parameters cell, markdown headings, a table, a chart,
a warning on stderr) is executed by papermill with an injected parameter, the
way the batch runs the funder notebooks, then rendered to HTML and PDF. The
assertions read the rendered files back: what a reader sees, and what must
never reach them (code, parameters, warnings, external resources).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import textwrap
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from espacep_analysis import fmt, plots, render
from espacep_analysis.errors import EspacepError

S = fmt.NBSP
EPOCH = 1795000000  # 2026-11-18T...Z (date -u -d @1795000000 -> Wed Nov 18 2026)
SHARES = pd.DataFrame({"label": ["Bar", "Vitrine", "Rue"], "value": [0.5, 0.3, 0.2]})


# --- plots ---------------------------------------------------------------------------------
def test_prevalence_ci_draws_the_given_points_and_intervals():
    figures = pd.DataFrame(
        {
            "label": ["VIH", "Syphilis", "HBsAg"],
            "value": [3 / 412, 0.05, np.nan],
            "lower": [0.0024, 0.03, np.nan],
            "upper": [0.0212, 0.08, np.nan],
        }
    )
    ax = plots.prevalence_ci(figures, title="Prévalence").axes[0]
    data_line, _caps, (bars,) = ax.containers[0].lines
    np.testing.assert_allclose(data_line.get_xdata()[:2], [3 / 412, 0.05], rtol=0, atol=1e-15)
    segments = bars.get_segments()
    # Each error bar spans exactly [lower, upper] at its row; the missing row has none.
    np.testing.assert_allclose(segments[0], [[0.0024, 0], [0.0212, 0]], atol=1e-15)
    np.testing.assert_allclose(segments[1], [[0.03, 1], [0.08, 1]], atol=1e-15)
    assert len(segments[2]) == 0
    assert [t.get_text() for t in ax.get_yticklabels()] == ["VIH", "Syphilis", "HBsAg"]
    assert [t.get_text() for t in ax.texts] == [f"0,7{S}%", f"5,0{S}%"]
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == f"0{S}%" and all(t.endswith(f"{S}%") for t in ticks)
    assert ax.get_xlabel() == "Prévalence (IC 95 %)" and ax.get_title(loc="left") == "Prévalence"


def test_percent_ticks_take_their_decimals_from_the_tick_step():
    """Ticks 0, 0.5 %, 1 %, ... (step 0.005: one decimal) whether labelled together or one by one."""
    figures = pd.DataFrame(
        {"label": ["A", "B"], "value": [0.01, 0.02], "lower": [0.005, 0.01], "upper": [0.02, 0.03]}
    )
    ax = plots.prevalence_ci(figures).axes[0]
    ax.figure.canvas.draw()
    locs = list(ax.xaxis.get_majorticklocs())
    assert np.allclose(np.diff(locs), 0.005)
    drawn = [t.get_text() for t in ax.get_xticklabels()]
    assert drawn[:3] == [f"0,0{S}%", f"0,5{S}%", f"1,0{S}%"]
    formatter = ax.xaxis.get_major_formatter()
    assert drawn == [formatter(x) for x in locs]  # a label asked alone reads the axis's step


def test_age_histogram_counts_by_five_year_bins():
    ages = [18, 19, 20, 24, 25, 33, 47, 47, 60]
    ax = plots.age_histogram(ages).axes[0]
    lefts = [p.get_x() for p in ax.patches]
    heights = [p.get_height() for p in ax.patches]
    # By hand: [15,20): 18 19; [20,25): 20 24; [25,30): 25; [30,35): 33; [45,50): 47 47; [60,65): 60
    assert lefts == [15, 20, 25, 30, 35, 40, 45, 50, 55, 60]
    assert heights == [2, 2, 1, 1, 0, 0, 2, 0, 0, 1]
    assert sum(heights) == len(ages)  # invariant: every person in exactly one bin
    assert [t.get_text() for t in ax.texts] == ["moyenne 32,6"]  # 293 / 9 = 32.56
    assert ax.get_xlabel() == "Âge (années)" and ax.get_ylabel() == "Nombre de personnes"
    with pytest.raises(EspacepError, match="no ages"):
        plots.age_histogram([])


def test_bar_shares_widths_labels_and_order():
    ax = plots.bar_shares(SHARES, "Lieux de travail").axes[0]
    assert [p.get_width() for p in ax.patches] == [0.5, 0.3, 0.2]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Bar", "Vitrine", "Rue"]
    assert [t.get_text() for t in ax.texts] == [f"50{S}%", f"30{S}%", f"20{S}%"]
    # first row on top
    assert ax.patches[0].get_y() < ax.patches[1].get_y() and ax.yaxis_inverted()
    with pytest.raises(EspacepError, match="duplicate labels"):
        plots.bar_shares(pd.concat([SHARES, SHARES]))


def test_masked_rows_print_their_mask_on_the_chart_as_in_the_table():
    """A masked share or prevalence draws nothing but prints its mask ("x"), never "–" (empty)."""
    shares = SHARES.assign(value=[0.5, np.nan, 0.2], mask_label=["", "x", ""])
    ax = plots.bar_shares(shares, "Lieux").axes[0]
    assert [t.get_text() for t in ax.texts] == [f"50{S}%", "x", f"20{S}%"]
    assert [p.get_width() for p in ax.patches] == [0.5, 0.0, 0.2]
    prevalence = pd.DataFrame(
        {
            "label": ["VIH", "Syphilis"],
            "value": [np.nan, 0.05],
            "lower": [np.nan, 0.03],
            "upper": [np.nan, 0.08],
            "mask_label": ["x", ""],
        }
    )
    ax = plots.prevalence_ci(prevalence).axes[0]
    assert [t.get_text() for t in ax.texts] == ["x", f"5,0{S}%"]
    assert ax.texts[0].xy == (0.0, 0.0)


def test_png_is_byte_stable_and_has_no_version_metadata(tmp_path):
    first = plots.png_bytes(plots.bar_shares(SHARES, "Lieux"))
    second = plots.png_bytes(plots.bar_shares(SHARES, "Lieux"))
    assert first == second and first.startswith(b"\x89PNG")
    assert b"matplotlib version" not in first and b"Software" not in first
    svg = plots.save(plots.bar_shares(SHARES, "Lieux"), tmp_path / "c.svg").read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg


def test_show_publishes_a_vector_chart_with_its_alt_text(monkeypatch):
    """Issue 13 item 6: SVG (prints sharp), one font family with the text around it, byte-stable."""
    import IPython.display

    published = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: published.append((a, k)))
    monkeypatch.setenv(plots.PNG_ENV, "1")  # as the batch sets it for a report rendered in Word
    plots.show(plots.bar_shares(SHARES, "Lieux de travail"))
    (((data,), kwargs),) = published
    meta = {"alt": "Lieux de travail"}
    assert kwargs == {"raw": True, "metadata": {"image/svg+xml": meta, "image/png": meta}}
    assert data["text/plain"] == "Lieux de travail"
    # the PNG is for the Word document only (docx_report); the HTML prints the SVG (checked below)
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    svg = data["image/svg+xml"]
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert svg.encode() == plots.svg_bytes(plots.bar_shares(SHARES, "Lieux de travail"))
    # issue 15: text as <text> (not a path per glyph), in the report text's fonts, in their order
    css = (Path(render.__file__).parent / "templates/espacep/static/report.css").read_text()
    (body,) = re.findall(r"^html \{ font-family: ([^;]+);", css, flags=re.M)

    def names(families: str) -> tuple[str, ...]:
        return tuple(name.strip().strip("'\"") for name in families.split(","))

    assert {names(f) for f in re.findall(r"font-family: ([^;\"]+)", svg)} == {names(body)}
    assert "Lieux de travail</text>" in svg
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert len(re.findall(r"fill: #0072b2\b", svg)) == 3  # the three bars, Okabe-Ito blue


def test_show_leaves_the_png_out_when_no_format_reads_it(monkeypatch):
    """Issue 15: the batch sets `plots.PNG_ENV` to "0" for a report without Word; the SVG is unchanged."""
    import IPython.display

    published = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: published.append((a, k)))
    monkeypatch.setenv(plots.PNG_ENV, "0")
    plots.show(plots.bar_shares(SHARES, "Lieux de travail"))
    monkeypatch.setenv(plots.PNG_ENV, "1")
    plots.show(plots.bar_shares(SHARES, "Lieux de travail"))
    (((lean,), lean_kwargs), ((full,), full_kwargs)) = published
    assert sorted(lean) == ["image/svg+xml", "text/plain"] and "image/png" in full
    assert lean["image/svg+xml"] == full["image/svg+xml"] and lean["text/plain"] == full["text/plain"]
    assert lean_kwargs == {"raw": True, "metadata": {"image/svg+xml": {"alt": "Lieux de travail"}}}
    # a hand run (JupyterLab, papermill by hand: the variable unset) draws no PNG either (issue 15 (c))
    monkeypatch.delenv(plots.PNG_ENV)
    plots.show(plots.bar_shares(SHARES, "Lieux de travail"))
    assert published[-1] == published[0]


def test_place_colours_follow_the_order_of_sites_yaml_in_every_report():
    """A province has one colour whatever the report and the order of its bars (issue 13 item 6)."""
    import yaml

    from espacep_analysis.pages.charts import bar_counts
    from espacep_analysis.settings import params_file

    raw = yaml.safe_load(params_file("sites.yaml").read_text(encoding="utf-8"))
    provinces = list(raw["provinces"])
    colours = plots.place_colours("province")
    okabe_ito = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
    for i, code in enumerate(provinces):
        assert colours[code] == colours[raw["provinces"][code]["label"]] == okabe_ito[i % 8]
    namur = colours["namur"]
    for order in (["Liège", "Namur"], ["Namur", "Hainaut"]):
        rows = pd.DataFrame({"label": order, "value": [3.0, 4.0], "group": order})
        chart = bar_counts(rows, colours=colours)
        bars = {lab: patch.get_facecolor() for lab, patch in zip(order, chart.axes[0].patches)}
        assert matplotlib_colour(bars["Namur"]) == namur.lower()
    with pytest.raises(EspacepError, match="level"):
        plots.place_colours("site")


def matplotlib_colour(rgba) -> str:
    from matplotlib.colors import to_hex

    return to_hex(rgba)


# --- rendering: a notebook executed the way the batch does it --------------------------------
# The kernel only uses IPython (no pandas / seaborn imports: keeps this file fast); the table
# and the chart are made here with fmt and plots and passed in as papermill parameters, the
# chart published exactly as plots.show publishes it (tested above).
NOTEBOOK_CELLS = [
    ("code", ["parameters"], 'year: int = 2019\nsecret = "PARAM-MARKER"\ntable_html = ""\nchart_png = ""'),
    ("code", [], "import sys\nfrom IPython.display import HTML, Markdown, display"),
    ("markdown", [], "## Personnes rencontrées\n\nIntroduction de la section."),
    (
        "code",
        [],
        textwrap.dedent("""\
        display(Markdown(f"En {year}, 1\\u00a0076 TDS ont été vus."))
        display(HTML(table_html))"""),
    ),
    ("markdown", [], "### Lieux de travail"),
    (
        "code",
        [],
        textwrap.dedent("""\
        display({"image/png": chart_png, "text/plain": "Lieux de travail"}, raw=True,
                metadata={"image/png": {"alt": "Lieux de travail"}})"""),
    ),
    ("code", [], 'print("WARN-MARKER", file=sys.stderr)'),
    ("markdown", [], "## Dépistage des IST\n\n" + "\n\n".join(f"Paragraphe {i}." for i in range(60))),
    ("markdown", [], "## Personnes rencontrées"),  # duplicate heading text: needs a distinct id
]
TABLE = pd.DataFrame(
    [
        {
            "label": "TDS vus",
            "value": 1076.0,
            "unit": "persons",
            "numerator": None,
            "denominator": None,
            "lower": None,
            "upper": None,
        }
    ]
)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook above, executed by papermill with year=2018 injected."""
    import papermill

    work = tmp_path_factory.mktemp("nb")
    nb = new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    for i, (kind, tags, source) in enumerate(NOTEBOOK_CELLS):
        make = new_code_cell if kind == "code" else new_markdown_cell
        nb.cells.append(make(source, metadata={"tags": tags}, id=f"cell-{i}"))
    nbformat.write(nb, work / "in.ipynb")
    png = base64.b64encode(plots.png_bytes(plots.bar_shares(SHARES, "Lieux de travail"))).decode("ascii")
    parameters = {"year": 2018, "table_html": fmt.figures_table_html(TABLE), "chart_png": png}
    papermill.execute_notebook(
        str(work / "in.ipynb"),
        str(work / "out.ipynb"),
        parameters=parameters,
        cwd=str(work),
        progress_bar=False,
        kernel_name="python3",
    )
    return work / "out.ipynb"


@pytest.fixture(scope="module")
def rendered(executed, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    kwargs = dict(
        title="Rapport INAMI 2019",
        subtitle="Projet médical",
        funder="inami",
        year=2019,
        date=dt.date(2026, 11, 28),
    )
    html = render.to_html(executed, out / "report.html", **kwargs)
    pdf = render.to_pdf(html, out / "report.pdf")
    return {"html": html, "pdf": pdf, "text": html.read_text("utf-8"), "kwargs": kwargs, "dir": out}


def test_html_has_no_code_no_parameters_no_warnings_no_external_resources(rendered):
    text = rendered["text"]
    for leaked in (
        "PARAM-MARKER",
        "import sys",
        "display(",
        "chart_png",
        "WARN-MARKER",
        "year = 2018",
        "In&nbsp;[",
        "Out[",
    ):
        assert leaked not in text, leaked
    assert "<script" not in text and "mathjax" not in text.lower() and "require.js" not in text
    assert not re.search(r"""(src|href)=["'](https?:|file:|//)""", text)
    assert '<link rel="stylesheet"' not in text
    assert '<html lang="fr">' in text


def test_html_shows_the_notebook_outputs(rendered):
    text = rendered["text"]
    assert f"En 2018, 1{S}076 TDS ont été vus." in text  # the injected parameter was used
    assert f'<td class="num">1{S}076</td>' in text  # fmt table, NBSP kept
    assert "Introduction de la section." in text


def test_html_embeds_the_chart_as_the_exact_png(rendered):
    images = re.findall(r'<img alt="([^"]*)" src="data:image/png;base64,([^"]+)"', rendered["text"])
    assert len(images) == 1
    alt, payload = images[0]
    assert alt == "Lieux de travail"
    # embedded unchanged, and a fresh drawing gives the same bytes: deterministic charts
    assert base64.b64decode(payload) == plots.png_bytes(plots.bar_shares(SHARES, "Lieux de travail"))


def test_html_title_page_and_table_of_contents(rendered):
    text = rendered["text"]
    assert '<h1 class="report-title">Rapport INAMI 2019</h1>' in text
    assert "<dt>Financeur</dt><dd>INAMI</dd>" in text and "<dt>Année</dt><dd>2019</dd>" in text
    assert "<dt>Date du rapport</dt><dd>28 novembre 2026</dd>" in text
    toc = re.findall(r'<li class="toc-(h[23])"><a href="#([^"]+)">([^<]+)</a></li>', text)
    assert toc == [
        ("h2", "s-personnes-rencontrees", "Personnes rencontrées"),
        ("h3", "s-lieux-de-travail", "Lieux de travail"),
        ("h2", "s-depistage-des-ist", "Dépistage des IST"),
        ("h2", "s-personnes-rencontrees-2", "Personnes rencontrées"),
    ]
    for level, ident, title in toc:  # every entry points at its heading
        assert f'<{level} id="{ident}">{title}</{level}>' in text


def test_html_is_byte_identical_on_a_second_render(rendered, executed, tmp_path):
    again = render.to_html(executed, tmp_path / "again.html", **rendered["kwargs"])
    assert again.read_bytes() == rendered["html"].read_bytes()


def test_html_exporter_built_once_and_its_reuse_changes_no_byte(rendered, executed, tmp_path, monkeypatch):
    # issue 15: the exporter (its compiled templates) is reused across reports, as `jupyter nbconvert`
    # reuses one for all its notebooks; a report rendered after another is the same bytes as alone
    import nbconvert

    built = []
    real_init = nbconvert.HTMLExporter.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        real_init(self, *args, **kwargs)

    render._exporter.cache_clear()
    monkeypatch.setattr(nbconvert.HTMLExporter, "__init__", counting)
    other = dict(rendered["kwargs"], title="Rapport Cocof 2018", funder="cocof", year=2018)
    render.to_html(executed, tmp_path / "first.html", **other)
    after = render.to_html(executed, tmp_path / "after.html", **rendered["kwargs"]).read_bytes()
    assert len(built) == 1
    assert after == rendered["html"].read_bytes()


def test_render_date_honours_source_date_epoch(executed, tmp_path, monkeypatch):
    assert render.render_date({"SOURCE_DATE_EPOCH": str(EPOCH)}) == dt.date(2026, 11, 18)
    assert render.render_time({"SOURCE_DATE_EPOCH": "0"}) == dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(EspacepError, match="SOURCE_DATE_EPOCH"):
        render.render_date({"SOURCE_DATE_EPOCH": "yesterday"})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    html = render.to_html(executed, tmp_path / "r.html", title="T").read_text("utf-8")
    assert "<dd>18 novembre 2026</dd>" in html and 'content="2026-11-18" name="dcterms.created"' in html


def test_writes_are_atomic_and_leave_no_temporary_file(rendered, tmp_path):
    target = tmp_path / "report.html"
    target.write_text("previous good report")
    with pytest.raises(EspacepError, match="not found"):
        render.to_html(tmp_path / "missing.ipynb", target, title="T")
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    with pytest.raises(EspacepError, match="not a readable notebook"):
        render.to_html(bad, target, title="T")
    assert target.read_text() == "previous good report"
    assert sorted(p.name for p in rendered["dir"].iterdir()) == ["report.html", "report.pdf"]


# --- PDF -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pdf_pages(rendered):
    from pypdf import PdfReader

    reader = PdfReader(rendered["pdf"])
    return reader, [page.extract_text() for page in reader.pages]


def test_pdf_title_page(pdf_pages):
    reader, pages = pdf_pages
    first = pages[0]
    for expected in (
        "Espace P…",
        "Rapport INAMI 2019",
        "Projet médical",
        "INAMI",
        "2019",
        "28 novembre 2026",
    ):
        assert expected in first
    assert not re.search(r"\d+ / \d+", first)  # no page number on the title page
    assert reader.metadata.title == "Rapport INAMI 2019"
    assert reader.metadata["/CreationDate"] == "D:20261128"


def test_pdf_contents_page_numbers_point_at_the_headings(pdf_pages):
    _, pages = pdf_pages
    assert "Table des matières" in pages[1]
    entries = re.findall(r"^(.+?) \.{3,} ?(\d+)$", pages[1], flags=re.M)
    assert [title for title, _ in entries] == [
        "Personnes rencontrées",
        "Lieux de travail",
        "Dépistage des IST",
        "Personnes rencontrées",
    ]
    numbers = [int(n) for _, n in entries]
    # The long "Dépistage" section pushes the last heading to a later page.
    assert numbers[0] == 3 and numbers[3] > numbers[2] >= numbers[0]
    for (title, _), number in zip(entries, numbers):
        assert title in pages[number - 1]


def test_pdf_page_numbers_in_the_footer(pdf_pages):
    _, pages = pdf_pages
    total = len(pages)
    assert total >= 4
    for number, text in enumerate(pages[1:], start=2):
        assert text.rstrip().endswith(f"{number} / {total}")
        assert "Rapport INAMI 2019" in text  # running footer


def test_pdf_has_no_code_and_keeps_french_spaces(pdf_pages):
    _, pages = pdf_pages
    text = "\n".join(pages)
    assert "PARAM-MARKER" not in text and "import" not in text and "WARN-MARKER" not in text
    assert f"1{S}076" in text


def test_pdf_is_byte_identical_on_a_second_render(rendered, tmp_path):
    again = render.to_pdf(rendered["html"], tmp_path / "again.pdf")
    assert again.read_bytes() == rendered["pdf"].read_bytes()


def _struct_types(node, seen: set, found: dict) -> None:
    """Walk a PDF structure tree (pypdf objects): structure type -> list of the elements' dicts."""
    node = node.get_object()
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, dict):
        if "/S" in node:
            found.setdefault(str(node["/S"]), []).append(node)
        kids = node.get("/K")
        if kids is not None:
            for kid in kids if isinstance(kids, list) else [kids]:
                if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict | list):
                    _struct_types(kid, seen, found)
    elif isinstance(node, list):
        for kid in node:
            _struct_types(kid, seen, found)


def test_pdf_is_tagged_with_its_language_title_headings_table_and_alt_text(pdf_pages):
    """PDF/UA-1 (issue 13): a structure tree a screen reader follows, the language and the title."""
    reader, _ = pdf_pages
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] is True or str(root["/MarkInfo"]["/Marked"]) == "True"
    assert str(root["/Lang"]) == "fr"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title == "Rapport INAMI 2019"
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    found: dict = {}
    _struct_types(root["/StructTreeRoot"], set(), found)
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/Figure"} <= set(found), sorted(found)
    assert [str(f["/Alt"]) for f in found["/Figure"]] == ["Lieux de travail"]


def test_lang_selects_number_formats_only_and_the_document_stays_french(executed, tmp_path):
    """Issue 13 item 7: ``lang=nl_BE`` gives Dutch numbers in a French document, not a Dutch title page."""
    text = render.to_html(
        executed,
        tmp_path / "nl.html",
        title="Rapport INAMI 2019",
        year=2019,
        date=dt.date(2026, 11, 28),
        lang="nl_BE",
    ).read_text("utf-8")
    assert '<html lang="fr">' in text
    assert '<p class="toc-title">Table des matières</p>' in text
    assert (
        "<dt>Année</dt><dd>2019</dd>" in text and "<dt>Date du rapport</dt><dd>28 novembre 2026</dd>" in text
    )
    assert "Inhoudstafel" not in text and "november" not in text
    figures = pd.DataFrame({"label": ["VIH"], "value": [0.0125], "lower": [0.01], "upper": [0.02]})
    (ax,) = plots.prevalence_ci(figures, lang="nl_BE").axes
    assert ax.get_xlabel() == "Prévalence (IC 95 %)"  # French words ...
    assert [t.get_text() for t in ax.texts] == ["1,3%"]  # ... Dutch numbers (Babel nl_BE: no space before %)
    table = fmt.figures_table_html(TABLE, columns=("label", "value"), lang="nl_BE")
    assert '<th scope="col" class="num">Valeur</th>' in table and '<td class="num">1.076</td>' in table
    with pytest.raises(EspacepError):
        render.to_html(executed, tmp_path / "xx.html", title="T", lang="xx")
