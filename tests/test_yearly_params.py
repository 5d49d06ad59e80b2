"""The yearly cycle's params: standalone funders, drafts, history quoted in the pages, figures.csv sources.

Built in-process with `pages.build_report` on the committed synthetic data and a
temporary params folder (fast); the CLI's refusal of unfilled params runs
before any notebook.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from pypdf import PdfReader

from espacep_analysis import banners, declared, index, publish, render
from espacep_analysis.cli import main
from espacep_analysis.errors import ConfigError
from espacep_analysis.load import load_dataset
from espacep_analysis.pages import build_report, inami, methods_note

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "synthetic"
NB = "\u00a0"


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


def params_with(tmp_path: Path, *files: str) -> Path:
    """A params folder holding sites, origins and only ``files`` (``"2019/aviq.yaml"``, ``"history.yaml"``) of the committed ones."""
    root = tmp_path / "params"
    for name in (
        "sites.yaml",
        "origins.yaml",
        *files,
    ):  # a params directory holds sites and origins (settings)
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "params" / name, root / name)
    root.mkdir(exist_ok=True)
    return root


def unfilled(params: Path, funder: str, old: str) -> None:
    """Replace ``old`` (a ``value: N`` line) by A_COMPLETER in ``params/2019/<funder>.yaml``."""
    path = params / "2019" / f"{funder}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, "value: A_COMPLETER", 1), encoding="utf-8")


# --- each funder's report stands alone ---------------------------------------------------------------


def test_inami_renders_with_no_aviq_or_cocof_params_and_protection_keeps_every_funder(tmp_path, cache):
    report = build_report("inami", 2019, DATA, params_dir=params_with(tmp_path), cache_dir=cache)
    assert report.declared is None and report.banners == [banners.SYNTHETIC] and report.min_cell == 5
    assert report.book.has("inami.persons_seen")
    # the joint protection of the year still holds the AViQ and Cocof row-derived figures
    joint = publish.protected_year(load_dataset(DATA), 2019, "wilson", 0.95, 5, cache)
    assert {"aviq.contacts", "cocof.contacts"} <= set(joint["aviq"]["indicator"]) | set(
        joint["cocof"]["indicator"]
    )
    assert not any(joint[f]["indicator"].str.contains(".declared.", regex=False).any() for f in joint)


def test_aviq_renders_without_cocof_params(tmp_path, cache):
    params = params_with(tmp_path, "2019/aviq.yaml", "2018/aviq.yaml")
    report = build_report("aviq", 2019, DATA, min_cell=0, params_dir=params, cache_dir=cache)
    assert report.book.text("aviq.declared.facebook_friends") == f"1{NB}231"


def test_a_missing_funder_params_file_names_it_and_new_year(tmp_path, cache, monkeypatch):
    monkeypatch.chdir(tmp_path)
    params = params_with(tmp_path, "2019/aviq.yaml")
    with pytest.raises(ConfigError) as info:
        build_report("cocof", 2019, DATA, min_cell=0, params_dir="params", cache_dir=cache)
    assert str(info.value).startswith("params/2019/cocof.yaml: file not found")
    assert "run `espacep new-year 2019`" in str(info.value)
    assert params.is_dir()


# --- drafts -------------------------------------------------------------------------------------------


def test_unfilled_params_are_refused_without_draft(tmp_path, cache):
    params = params_with(tmp_path, "2019/aviq.yaml")
    unfilled(params, "aviq", "value: 1231")
    with pytest.raises(declared.UnfilledParams, match=r"aviq.yaml: internet.facebook_friends"):
        build_report("aviq", 2019, DATA, min_cell=0, params_dir=params, cache_dir=cache)


def test_cli_refuses_unfilled_params_listing_every_item_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    params = params_with(tmp_path, "2019/aviq.yaml", "2019/cocof.yaml")
    unfilled(params, "aviq", "value: 1231")
    unfilled(params, "cocof", "value: 55000")
    status = main(
        [
            "report",
            "--data",
            str(DATA),
            "--output",
            str(tmp_path / "out"),
            "--years",
            "2019",
            "--no-pdf",
            "--workers",
            "1",
        ]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert "2 declared item(s) still read A_COMPLETER; fill them, or render a draft with --draft" in err
    assert "  params/2019/aviq.yaml: internet.facebook_friends\n" in err
    assert "  params/2019/cocof.yaml: internet.website_visits\n" in err
    assert not (tmp_path / "out" / "2019").exists()


@pytest.fixture(scope="module")
def draft(tmp_path_factory, cache):
    tmp = tmp_path_factory.mktemp("draft")
    params = params_with(tmp, "2019/aviq.yaml", "2018/aviq.yaml")
    unfilled(params, "aviq", "value: 1231")
    report = build_report("aviq", 2019, DATA, min_cell=0, params_dir=params, cache_dir=cache, draft=True)
    out = tmp / "out" / "2019" / "aviq"
    report.save_figures(out)
    return report, out


def test_draft_carries_the_banner_and_lists_the_missing_items(draft):
    report, out = draft
    assert report.banners == [
        banners.SYNTHETIC,
        banners.INTERNAL,
        "BROUILLON – chiffres déclarés à compléter",
    ]
    assert declared.DRAFT_BANNER == banners.BANNERS["draft"] == "BROUILLON – chiffres déclarés à compléter"
    assert report.missing == [f"{report.declared.path}: internet.facebook_friends"]
    assert "internet.facebook\\_friends" in methods_note(report).markdown
    record = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert record["banners"] == report.banners and record["declared_missing"] == report.missing


def test_draft_flags_the_missing_items_in_figures_csv(draft):
    _, out = draft
    figures = pd.read_csv(out / "figures.csv")
    row = figures[figures["indicator"] == "aviq.declared.facebook_friends"]
    assert list(zip(row["year"], row["source"])) == [(2018, "declared"), (2019, "declared_missing")]
    assert row["value"].iloc[1] != row["value"].iloc[1]  # no value (NaN)


def test_draft_banner_on_the_title_page_and_every_pdf_page(draft, tmp_path):
    report, _ = draft
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Section\n\n" + "Texte. " * 900)])
    nb.metadata["espacep"] = {"provenance": report.provenance}
    path = tmp_path / "report.ipynb"
    nbformat.write(nb, path)
    html = render.to_html(path, tmp_path / "report.html", title="Rapport AViQ 2019").read_text(
        encoding="utf-8"
    )
    title = html[html.index("<body>") : html.index("</header>")]
    # one banner mechanism (banners.py): the band above the title page, the PDF's running header
    assert '<span class="banner">BROUILLON – chiffres déclarés à compléter</span>' in title
    assert html.count("BROUILLON – chiffres déclarés à compléter") == 1
    assert "@top-center { content: string(banners)" in html and "string-set: banners content()" in html
    pages = PdfReader(render.to_pdf(tmp_path / "report.html", tmp_path / "report.pdf")).pages
    assert len(pages) >= 3 and all(
        p.extract_text().count("BROUILLON – chiffres déclarés à compléter") == 1 for p in pages
    )  # once per page


def test_draft_is_listed_in_the_index(draft):
    _, out = draft
    page = index.render_index(index.collect_entries(out.parent.parent))
    assert "BROUILLON – chiffres déclarés à compléter" in page
    assert "Chiffres déclarés à compléter" in page and "internet.facebook_friends" in page


# --- history: published values quoted with the computed years ----------------------------------------


@pytest.fixture(scope="module")
def inami_2019(tmp_path_factory, cache):
    report = build_report("inami", 2019, DATA, min_cell=0, cache_dir=cache)
    out = tmp_path_factory.mktemp("inami")
    report.save_figures(out)
    return report, pd.read_csv(out / "figures.csv")


def test_history_is_quoted_in_the_sentence_as_published_values(inami_2019):
    report, _ = inami_2019
    text = " ".join(b.markdown for b in inami.coverage(report.book) if hasattr(b, "markdown"))
    # the published report: "56% (60% en 2018, 63% en 2017, 66% en 2016, 59% en 2015 et 2014 // 52% en 2013)"
    assert (
        f"en 2017 ; valeurs publiées : 66{NB}% en 2016, 59{NB}% en 2015, 59{NB}% en 2014, 52{NB}% en 2013)"
        in text
    )
    vaccination = " ".join(b.markdown for b in inami.vaccination(report.book) if hasattr(b, "markdown"))
    assert "en 2017 ; valeurs publiées : 421 en 2016)" in vaccination
    assert "valeurs publiées" in methods_note(report).markdown


def test_figures_csv_source_column(inami_2019):
    _, figures = inami_2019
    assert set(figures["source"]) == {"computed", "history"}
    history = figures[figures["source"] == "history"]
    assert set(history["year"]) == {2013, 2014, 2015, 2016}
    row = history[(history["indicator"] == "inami.vaccine_doses")]
    assert list(row["value"]) == [421]
