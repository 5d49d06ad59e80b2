"""The pages of a first year as a funder reads them (issue 13: page-by-page review).

The 2017 reports are the first year of the synthetic exports: no earlier year to compare with,
and the 2017 params (``params/2017/*.yaml``) leave several sections of AViQ and Cocof without
narrative or item. Every section of the three funders is built as the notebook builds it
(``spec.section(key)(report)``) and read: a heading is never followed by nothing, a sentence
that sends the reader to "le tableau" has a table beside it, and a table's row labels start with
a capital (French typography: a line of a table starts like a sentence; only a sub-row "dont ..."
keeps its lower case).

Independent sources: which sections the 2017 params fill is read from the YAML files themselves;
the expected capitals are written out by hand.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
import yaml

from espacep_analysis import document, fmt
from espacep_analysis.declared import Declared, Item
from espacep_analysis.funders import get
from espacep_analysis.indicators.common import figures_frame
from espacep_analysis.pages import Chart, FigureBook, Table, Text, build_report, methods_note
from espacep_analysis.pages.outreach import nothing_to_report

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "synthetic"
YEAR = 2017
FUNDERS = ("inami", "aviq", "cocof")


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict:
    """funder -> its report of the first year of the data."""
    cache = tmp_path_factory.mktemp("cache")
    out = {f: build_report(f, YEAR, DATA, cache_dir=cache, params_dir=ROOT / "params") for f in FUNDERS}
    assert all(r.book.previous == [] for r in out.values())  # the premise: a first year
    return out


@pytest.fixture(scope="module")
def sections(reports) -> dict[str, dict[str, list]]:
    """funder -> section key -> the section's blocks, as the notebook builds them."""
    out = {}
    for funder, report in reports.items():
        spec = get(funder)
        out[funder] = {s.key: spec.section(s.key)(report) for s in spec.sections}
    return out


def _texts(blocks: list) -> str:
    return "\n".join(b.markdown for b in blocks if isinstance(b, Text))


def _params_sections(funder: str) -> set[str]:
    raw = yaml.safe_load((ROOT / "params" / str(YEAR) / f"{funder}.yaml").read_text(encoding="utf-8"))
    return set((raw.get("sections") or {}).keys())


@pytest.mark.parametrize("funder", FUNDERS)
def test_no_heading_is_followed_by_nothing(sections, funder):
    assert [key for key, blocks in sections[funder].items() if not blocks] == []


@pytest.mark.parametrize(
    ("funder", "key"),
    [
        ("aviq", "clients"),
        ("aviq", "advocacy"),
        ("aviq", "evaluation"),
        ("cocof", "unplanned"),
        ("cocof", "tools"),
    ],
)
def test_a_section_the_params_leave_empty_says_nothing_to_report(sections, funder, key):
    assert key not in _params_sections(funder)  # the premise, from the YAML file itself
    assert sections[funder][key] == [Text("*Rien à signaler en 2017.*")]


def test_a_filled_section_gets_no_such_note(sections):
    assert "proximity" in _params_sections("aviq")
    assert "Rien à signaler" not in _texts(sections["aviq"]["proximity"])


def _one_figure(year: int):
    return figures_frame("aviq.contacts", "Contacts avec les TDS", year, "all", 5434.0, "contacts")


def test_a_draft_section_with_items_to_fill_says_so():
    book = FigureBook(_one_figure(YEAR), YEAR)
    todo = Declared("aviq", YEAR, {"clients": (Item("clients", "stands", "Stands", None, "count"),)})
    assert nothing_to_report(book, todo, "clients") == Text("*Chiffres déclarés à compléter.*")
    assert nothing_to_report(book, todo, "advocacy") == Text("*Rien à signaler en 2017.*")


def test_nothing_to_report_of_a_partial_year_names_its_period():
    book = FigureBook(_one_figure(2020), 2020, period_end=datetime.date(2020, 3, 19))
    assert nothing_to_report(book, None, "clients") == Text(
        "*Rien à signaler du 1er janvier au 19 mars 2020.*"
    )


@pytest.mark.parametrize("funder", FUNDERS)
def test_a_sentence_sending_to_the_table_has_a_table(sections, funder):
    lonely = [
        key
        for key, blocks in sections[funder].items()
        if "voir le tableau" in _texts(blocks).lower() and not any(isinstance(b, Table) for b in blocks)
    ]
    assert lonely == []


def test_first_contact_of_a_first_year_has_its_table_with_the_masks(sections):
    blocks = sections["aviq"]["first_contact"]
    # some shares of 2017 are masked: the sentence says so once, then refers to the table by its number
    assert _texts(document.number(blocks)) == (
        "Les parts des lieux de la première rencontre de l'année ne sont pas toutes publiées (effectif de "
        "moins de 5 personnes).\n\nVoir le tableau 1 et la figure 1."
    )
    (table,) = [b for b in blocks if isinstance(b, Table)]
    assert table.caption == "Parts des lieux de la première rencontre de l'année 2017"
    cells = {row[0].text: row[1] for row in table.rows}
    assert list(cells) == [
        "Sur le terrain",
        "Au bureau",
        "Au téléphone",
        "Via un autre média (mail, Facebook)",
    ]
    assert cells["Au bureau"].text == "x" and cells["Sur le terrain"].text.startswith("60,0\u00a0%")
    assert any("«\u00a0x\u00a0»" in note for note in table.footnotes)
    # no interval is printed: the footnote names no interval method either
    assert table.footnotes[0] == (
        "Pas d'année antérieure dans les données : la part de l'année, son numérateur et son dénominateur "
        "entre parenthèses."
    )
    assert not any("IC" in note or "Wilson" in note for note in table.footnotes)


def _row_labels(blocks: list) -> list[str]:
    return [row[0].text for b in blocks if isinstance(b, Table) for row in b.rows]


def test_table_row_labels_start_with_a_capital(sections):
    labels = [
        lab for funder in FUNDERS for blocks in sections[funder].values() for lab in _row_labels(blocks)
    ]
    assert labels  # the premise: tables were built
    lower = [lab for lab in labels if lab[:1].islower() and not lab.startswith("dont ")]
    assert lower == []


def test_inami_row_labels_as_a_funder_reads_them(sections):
    labels = set(_row_labels([b for blocks in sections["inami"].values() for b in blocks]))
    for expected in ("Syphilis", "Gonocoque", "Chlamydia", "Normal", "Moins de 20 ans", "Gynécologue"):
        assert expected in labels
    assert {"syphilis", "normal", "moins de 20 ans", "gynécologue"}.isdisjoint(labels)
    # a sub-row keeps its lower case, under the row it details
    assert "dont dose 3 dans les 6 mois" in labels


def test_row_label():
    assert fmt.row_label("syphilis") == "Syphilis"
    assert fmt.row_label("ASCUS") == "ASCUS"
    assert fmt.row_label("dont dose 3 dans les 6 mois") == "dont dose 3 dans les 6 mois"
    assert fmt.row_label("dontologie") == "Dontologie"
    assert fmt.row_label("") == ""


def _chart_labels(blocks: list) -> list[str]:
    return [lab for b in blocks if isinstance(b, Chart) and b.data is not None for lab in b.data["label"]]


def test_chart_labels_start_with_a_capital_as_the_table_rows(sections):
    inami = sections["inami"]
    assert _chart_labels(inami["workplaces"]) == ["Bar", "Privé", "Rue", "Vitrine", "Autre lieu"]
    screening = _chart_labels(inami["screening"])
    assert "Syphilis" in screening and "Chlamydia" in screening
    labels = [
        lab for funder in FUNDERS for blocks in sections[funder].values() for lab in _chart_labels(blocks)
    ]
    assert [lab for lab in labels if str(lab)[:1].islower()] == []


# A guillemet or a % alone at the start or end of a printed line: the space beside it must not break
BREAKABLE = re.compile(r"«(?!\u00a0)|(?<!\u00a0)»|\d %")


@pytest.mark.parametrize("funder", FUNDERS)
def test_methods_note_keeps_its_guillemets_and_percent_signs_on_their_line(reports, funder):
    note = methods_note(reports[funder]).markdown
    assert "«\u00a0moins de 5\u00a0», «\u00a0valeur non publiée\u00a0»" in note
    assert "à 95\u00a0% des proportions" in note
    assert BREAKABLE.findall(note) == []


def test_table_footnotes_keep_their_guillemets_on_their_line(sections):
    footnotes = [
        n
        for f in FUNDERS
        for bl in sections[f].values()
        for b in bl
        if isinstance(b, Table)
        for n in b.footnotes
    ]
    assert [n for n in footnotes if BREAKABLE.search(n)] == []


def test_word_provenance_keeps_underscores_and_drops_code_marks(reports):
    import docx

    from espacep_analysis import docx_report
    from espacep_analysis.pages import provenance_block

    block = provenance_block(reports["aviq"])
    assert "ci_level" in block.markdown and "`persons.csv`" in block.markdown  # the premise
    doc = docx.Document()
    docx_report.add_blocks(doc, [(block, None)])
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "ci_level = 0.95, ci_method = wilson" in text and "lang = fr_BE" in text
    assert "`" not in text and "persons.csv : " in text
    code = [r for p in doc.paragraphs for r in p.runs if r.text == "persons.csv"]
    assert code and code[0].font.name == "Courier New" and not code[0].italic
    # emphasis between word boundaries is still italic
    doc = docx.Document()
    docx_report.add_blocks(doc, [(Text("une _vraie_ emphase, pas ci_level ni fr_BE"), None)])
    runs = doc.paragraphs[0].runs
    assert [(r.text, bool(r.italic)) for r in runs] == [
        ("une ", False),
        ("vraie", True),
        (" emphase, pas ci_level ni fr_BE", False),
    ]


def test_excel_provenance_is_in_french(reports):
    from espacep_analysis.spreadsheet import provenance_lines

    record = {**reports["aviq"].provenance, "git": {"commit": "2da71b6", "dirty": False}}
    lines = provenance_lines(record)
    assert ("Code (git)", "arbre modifié, non validé", "non") in lines
    assert ("Paquet", "nom", "espacep-analysis") in lines
    assert not [line for line in lines if line[2] in ("True", "False", "None")]


def _consultations_at(site: str, year: int) -> int:
    """Consultations of ``site`` in ``year``, read from the raw export with the csv module."""
    import csv

    with (DATA / "consultations.csv").open(encoding="utf-8") as f:
        return sum(
            1 for row in csv.DictReader(f) if row["site"] == site and row["date"].startswith(str(year))
        )


def test_no_remark_on_a_collaboration_that_saw_no_one(sections):
    assert _consultations_at("saint_trond", YEAR) == 0  # the premise: Pasop's consultations start later
    assert _consultations_at("saint_trond", 2019) > 0
    text = _texts(sections["inami"]["contacts"])
    assert "Pasop" not in text and not re.search(r"(?<![\d\u00a0])0 travailleurs du sexe", text)


def test_first_year_workplace_table_reads_like_the_later_ones(sections):
    (table,) = [b for b in sections["inami"]["workplaces"] if isinstance(b, Table)]
    assert table.caption == "Lieu de rencontre en 2017"  # one year: no "Évolution"
    assert [row[0].text for row in table.rows] == ["Bar", "Privé", "Rue", "Vitrine", "Autre lieu"]
    assert table.rows[0][1].text.startswith("34,0\u00a0% (")
    tables = [b for bl in sections["inami"].values() for b in bl if isinstance(b, Table)]
    assert [t.caption for t in tables if t.caption.startswith("Évolution")] == []
    # the year's prevalences once (no one-year "comparison" repeating the screening table)
    assert [
        t.caption for t in tables if t.caption.startswith(("Dépistage des IST", "Évolution des prévalences"))
    ] == ["Dépistage des IST en 2017"]


def test_book_methods_note_goes_on_in_lower_case_after_a_colon(reports):
    from espacep_analysis.pages.book import book_methods_note

    note = book_methods_note(reports).markdown
    assert "*INAMI : les prévalences comptent des personnes" in note
    assert "*Cocof et AViQ : les chiffres médicaux de la région" in note or (
        "*AViQ et Cocof : les chiffres médicaux de la région" in note
    )
    assert not re.search(r"\*(INAMI|AViQ|Cocof)[^:*]* : [A-Z]", note)
