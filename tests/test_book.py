"""The rapport moral (``espacep report --book``, issue 14 item 4), read back from one real batch.

One batch renders 2019 of the committed synthetic data with ``--book``: the three
funders' reports and the rapport moral composed by ``params/book.yaml``. The book is
then read with tools independent of its renderers (python-docx, BeautifulSoup,
pymupdf, pandas) and checked against the funders' own reports and against the
part headings of the published rapport moral 2019.
"""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pandas as pd
import pymupdf
import pytest
from bs4 import BeautifulSoup
from pagecheck import glyphs_outside, stranded_lines

from espacep_analysis import books, funders
from espacep_analysis.audit import audit_outputs
from espacep_analysis.cli import main
from espacep_analysis.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "synthetic"
PARAMS = ROOT / "params"
# The part headings of the published rapport moral 2019, in its order (its text, as printed).
PUBLISHED_2019 = [
    "Notre projet médical subsidié par l'INAMI",
    "Notre Programme de Promotion de la Santé en milieu de prostitution en région bruxelloise",
    "Notre Programme de Promotion de la Santé subsidié par l'AViQ",
    "Notre Programme d'Action Sociale Globale à Bruxelles",
    "Notre Programme d'Action Sociale Globale en Wallonie",
]
YEAR = "2019"
SPEC = books.load(PARAMS)
ARGS = ["report", "--data", str(DATA), "--years", YEAR, "--book", "--workers", "2"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("book")
    assert main([*ARGS, "--output", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def book(batch) -> Path:
    return batch / YEAR / SPEC.folder


def _figures(path: Path) -> pd.DataFrame:
    """A figures.csv as its text cells, rows in a canonical order."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return table.sort_values(list(table.columns), kind="stable").reset_index(drop=True)


def test_the_book_exists_in_every_format_with_its_stamp(book):
    for name in ("report.html", "report.pdf", "report.docx", "figures.xlsx", "figures.csv", ".stamp.json"):
        assert (book / name).is_file(), name


def test_its_parts_are_in_the_declared_order(book):
    """Word's level-1 headings and the HTML's h2 are the parts, numbered, in the order of book.yaml."""
    import docx

    expected = [f"{i}. {part.heading}" for i, part in enumerate(SPEC.parts, start=1)] + ["Méthodes"]
    document = docx.Document(str(book / "report.docx"))
    words = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [p.text for p in words] == expected
    breaks = [bool(p.paragraph_format.page_break_before) for p in words]
    assert breaks == [True] * len(SPEC.parts) + [False]  # each part starts a page in Word too
    soup = BeautifulSoup((book / "report.html").read_text(encoding="utf-8"), "html.parser")
    assert [" ".join(h.get_text(" ").split()) for h in soup.select("main h2")] == expected


def test_the_declared_order_is_the_published_one():
    """The parts of params/book.yaml are those of the published rapport moral 2019, in its order."""
    assert [part.heading for part in SPEC.parts] == PUBLISHED_2019


def test_the_book_publishes_exactly_the_funders_figures(batch, book):
    """Every row of the funders' figures.csv is in the book's, identical (masked ones masked), and no other."""
    parts = [_figures(batch / YEAR / funder / "figures.csv") for funder in SPEC.funders]
    together = pd.concat(parts, ignore_index=True)
    together = together.sort_values(list(together.columns), kind="stable").reset_index(drop=True)
    ours = _figures(book / "figures.csv")
    pd.testing.assert_frame_equal(ours, together)
    assert (ours["suppressed"] == "True").sum() > 0  # masked figures are there, and masked alike
    assert set(SPEC.funders) == set(funders.ids())  # the book holds every funder of the package


def test_its_tables_are_the_funders_tables_cell_for_cell(batch, book):
    """Every table of a funder's Word report is in the book's, every cell the same text (masks included)."""
    import docx

    def grids(path: Path) -> list[tuple]:
        document = docx.Document(str(path))
        return [tuple(tuple(c.text for c in row.cells) for row in t.rows) for t in document.tables]

    in_book = grids(book / "report.docx")
    masked = 0
    for funder in SPEC.funders:
        theirs = grids(batch / YEAR / funder / "report.docx")
        assert theirs and [g for g in theirs if g not in in_book] == [], funder
        masked += sum(c in ("x", "< 5") for g in theirs for row in g for c in row)
    assert masked > 0  # the comparison covers masked cells
    assert len(in_book) == sum(len(grids(batch / YEAR / f / "report.docx")) for f in SPEC.funders)


def test_one_title_page_one_contents_one_methods_note(book):
    soup = BeautifulSoup((book / "report.html").read_text(encoding="utf-8"), "html.parser")
    assert len(soup.find_all("h1")) == 1 and soup.h1.get_text() == f"{SPEC.title} {YEAR}"
    assert len(soup.select("nav.toc")) == 1
    text = soup.get_text(" ")
    assert text.count("(Brown, Cai et DasGupta 2001 ; Newcombe 1998)") == 1  # the CI sentence
    assert text.count("Provenance") == 1
    for spec in map(funders.get, SPEC.funders):  # each funder's methods paragraph said once
        assert text.count(spec.methods[1:]) == 1, spec.id
    shared = funders.get("aviq").methods  # AViQ's and Cocof's paragraph: said once, naming both
    who = [funders.title(f) for f in SPEC.funders if funders.get(f).methods == shared]
    # after the colon, the paragraph goes on in lower case (French typography)
    assert who == ["Cocof", "AViQ"] and f"Cocof et AViQ : l{shared[1:]}" in text


def test_headings_are_numbered_once_without_gaps(book):
    soup = BeautifulSoup((book / "report.html").read_text(encoding="utf-8"), "html.parser")
    levels = [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
    assert not [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
    numbers = [
        m.group(1)
        for h in soup.select("main h2, main h3, main h4")
        if (m := re.match(r"(\d+(?:\.\d+)*)\.? ", h.get_text()))
    ]
    assert len(numbers) == len(set(numbers)), numbers
    assert "1.1.1" in numbers and "5.1" in numbers  # INAMI's chapters under part 1; Wallonia's sections


def test_book_headings_from_the_spec():
    """Chapters numbered inside their part; a single-chapter part replaces the chapter; labels kept."""
    found = [(h.level, h.text) for h in books.headings(SPEC)]
    assert found[:3] == [
        (2, "1. Notre projet médical subsidié par l'INAMI"),
        (3, "1.1 Les contacts"),
        (4, "1.1.1 Nombre de travailleurs du sexe vus et nombre de consultations (critère 1)"),
    ]
    assert (3, "1.5 La vaccination") in found and (0, "") in found  # a level-2 section is its chapter
    assert (3, "Stratégie 2 : Prévention sur internet") in found
    assert (3, "5.1 Lieu de la première rencontre de l'année") in found
    assert not any("Notre Programme d'Action Sociale Globale en Wallonie" in t for lv, t in found if lv == 3)


def test_every_part_starts_a_page_and_the_layout_checks_pass(book):
    pdf, page_html = book / "report.pdf", book / "report.html"
    assert glyphs_outside(pdf) == []
    assert stranded_lines(pdf, page_html) == []
    with pymupdf.open(pdf) as doc:
        pages = [[line for line in page.get_text().split("\n") if line.strip()] for page in doc]
    body = [lines for lines in pages if not any("....." in line for line in lines)]  # not the contents
    for i, part in enumerate(SPEC.parts, start=1):
        heading = f"{i}. {part.heading}"
        # the part's heading (maybe on two lines) is the first text of its page
        opening = [lines for lines in body if len(lines[0]) > 10 and heading.startswith(lines[0])]
        assert len(opening) == 1, heading


def test_the_audit_passes_and_fails_on_a_planted_pseudonym(book, tmp_path):
    import docx

    assert audit_outputs(book, DATA) == []
    planted = tmp_path / "outputs" / YEAR / SPEC.folder
    shutil.copytree(book, planted)
    pseudonym = pd.read_csv(DATA / "persons.csv", usecols=["pseudonym"])["pseudonym"].iloc[0]
    document = docx.Document(str(planted / "report.docx"))
    document.add_paragraph(f"Suivi de {pseudonym}.")
    document.save(str(planted / "report.docx"))
    found = [(Path(f.file).name, f.kind) for f in audit_outputs(tmp_path / "outputs", DATA)]
    assert found == [("report.docx", "pseudonym")]


def test_the_index_links_the_book(batch):
    soup = BeautifulSoup((batch / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = {a["href"] for a in soup.find_all("a")}
    for name in ("report.html", "report.pdf", "report.docx", "figures.xlsx", "figures.csv"):
        assert f"{YEAR}/{SPEC.folder}/{name}" in links, name
    rows = [tr.td.get_text(" ") for tr in soup.find_all("tr") if tr.td]
    assert any(row.startswith(SPEC.title) for row in rows), rows


def test_a_second_run_finds_the_book_up_to_date(batch, capsys):
    assert main([*ARGS, "--output", str(batch)]) == 0
    assert re.search(rf"{YEAR}/{SPEC.folder}\s+à jour", capsys.readouterr().out)


def _params_with(tmp_path: Path, old: str, new: str) -> Path:
    params = tmp_path / "params"
    shutil.copytree(PARAMS, params)
    text = (params / "book.yaml").read_text(encoding="utf-8")
    assert old in text
    (params / "book.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return params


def test_a_book_naming_an_unknown_section_is_refused(tmp_path):
    params = _params_with(tmp_path, "sections: [social_work]", "sections: [social_wrk]")
    with pytest.raises(ConfigError) as error:
        books.load(params)
    message = str(error.value)
    assert re.search(
        r"book\.yaml:\d+: parts\[3\]\.sections\[0\]: unknown section 'social_wrk' of funder cocof", message
    )
    assert "expected one of: proximity, unplanned" in message


def test_a_book_naming_an_unknown_funder_or_key_is_refused(tmp_path):
    params = _params_with(tmp_path, "funder: inami", "funder: inamy\n    pages: 3")
    with pytest.raises(ConfigError) as error:
        books.load(params)
    assert "parts[0].pages: unknown key" in str(error.value)
    params = _params_with(tmp_path / "b", "funder: inami", "funder: inamy")
    with pytest.raises(
        ConfigError, match=r"parts\[0\]\.funder: unknown funder 'inamy'; expected one of: inami"
    ):
        books.load(params)


def test_a_reordered_book_needs_no_code_change(tmp_path):
    """Moving the Wallonia social action before Brussels' is a params edit; the headings follow."""
    params = _params_with(tmp_path, "", "")
    text = (params / "book.yaml").read_text(encoding="utf-8")
    brussels, wallonia = text.split('  - heading: "Notre Programme d\'Action Sociale Globale à Bruxelles"')
    head, wallonia = wallonia.split('  - heading: "Notre Programme d\'Action Sociale Globale en Wallonie"')
    (params / "book.yaml").write_text(
        brussels
        + '  - heading: "Notre Programme d\'Action Sociale Globale en Wallonie"'
        + wallonia
        + '  - heading: "Notre Programme d\'Action Sociale Globale à Bruxelles"'
        + head,
        encoding="utf-8",
    )
    parts = [h.text for h in books.headings(books.load(params)) if h.level == 2]
    assert parts[3:] == [
        "4. Notre Programme d'Action Sociale Globale en Wallonie",
        "5. Notre Programme d'Action Sociale Globale à Bruxelles",
    ]


def test_the_plan_adds_one_book_per_year_after_the_funders(tmp_path):
    from espacep_analysis.batch import BatchOptions, input_digests, plan_jobs

    options = BatchOptions(DATA, tmp_path, years=[2018, 2019], funders=["inami"], book=True)
    jobs = plan_jobs(options, [2017, 2018, 2019], input_digests(DATA)).jobs
    assert [(j.year, j.funder, j.title) for j in jobs] == [
        (2018, "inami", ""),
        (2018, SPEC.folder, SPEC.title),
        (2019, "inami", ""),
        (2019, SPEC.folder, SPEC.title),
    ]
    assert jobs[1].final_dir == (tmp_path / "2018" / SPEC.folder).resolve()
    assert jobs[1].notebook.name == f"{SPEC.folder}.ipynb" and jobs[1].inputs_hash != jobs[0].inputs_hash


def test_the_book_pdf_is_tagged_in_french_with_its_title(book):
    with pymupdf.open(book / "report.pdf") as doc:
        catalog = doc.xref_object(doc.pdf_catalog(), compressed=True)
        title = doc.metadata["title"]
    assert "/StructTreeRoot" in catalog and "/Lang(fr)" in catalog.replace(" ", "")
    assert title == f"{SPEC.title} {YEAR}"


def test_the_help_documents_book(capsys):
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--book" in text and "le rapport moral" in text and "params/book.yaml" in text


def test_a_part_heading_prints_as_written(tmp_path):
    """A heading of book.yaml is text: no markup of it reaches the document."""
    from espacep_analysis.markup import markdown_html

    written = "Programme <b>gras</b> *pas en italique* {{tab:x}}"
    params = _params_with(tmp_path, "Notre projet médical subsidié par l'INAMI", written)
    first = books.headings(books.load(params))[0]
    rendered = markdown_html(f"{'#' * first.level} {first.text}", headings=True)
    assert BeautifulSoup(rendered, "html.parser").h2.get_text() == f"1. {written}"
    assert "<b>" not in rendered and "<em>" not in rendered
