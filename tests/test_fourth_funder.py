"""A fourth funder, defined in the test suite, renders end to end through the real batch (issue 12).

`fourth_funder.py` declares it; it is registered through ``ESPACEP_FUNDERS``
(no shared module names it) and its params live in a temporary params
directory: a ``funders:`` entry in ``sites.yaml`` and ``2019/pasop.yaml``. The
batch renders it beside INAMI (HTML, PDF, figures.csv, index, audit), protects
it jointly with the other reports, and runs the notebook generated from its
spec (there is none in ``notebooks/``). Expected values are recounted here with
the csv module over the raw export.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from espacep_analysis import funders
from espacep_analysis.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "synthetic"
MODULE = Path(__file__).resolve().parent / "fourth_funder.py"
DECLARED = """funder: pasop
year: 2019
sections:
  outreach:
    narrative: Permanences hebdomadaires à Saint-Trond avec l'équipe de Pasop.
    items:
      - key: permanences
        label: Permanences tenues
        value: 48
        unit: sessions
"""


def _recount(year: str) -> tuple[int, int]:
    """Persons seen at the Pasop site in ``year``, and those seen in the street (raw export, csv module)."""
    seen, street = set(), set()
    with open(DATA / "consultations.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["site"] == "saint_trond" and row["date"].startswith(year):
                seen.add(row["pseudonym"])
                if row["workplace"] == "street":
                    street.add(row["pseudonym"])
    return len(seen), len(street)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("fourth")
    params = root / "params"
    shutil.copytree(ROOT / "params", params)
    sites = (params / "sites.yaml").read_text(encoding="utf-8")
    (params / "sites.yaml").write_text(
        sites.rstrip("\n") + '\n  pasop: {label: "Pasop", regions: [flandre], min_cell: 5}\n',
        encoding="utf-8",
    )
    (params / "2019" / "pasop.yaml").write_text(DECLARED, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(funders.ENV, str(MODULE))
        assert funders.ids() == ("inami", "aviq", "cocof", "pasop")
        status = main(
            [
                "report",
                "--data",
                str(DATA),
                "--output",
                str(root / "out"),
                "--params",
                str(params),
                "--years",
                "2019",
                "--funders",
                "inami,pasop",
                "--workers",
                "1",
            ]
        )
    assert funders.ids() == ("inami", "aviq", "cocof")  # registered for the run only
    return status, root / "out"


def _figure(figures: pd.DataFrame, indicator: str, scope: str = "region:flandre") -> pd.Series:
    rows = figures[
        (figures["indicator"] == indicator) & (figures["scope"] == scope) & (figures["year"] == 2019)
    ]
    assert len(rows) == 1, indicator
    return rows.iloc[0]


def test_fourth_funder_renders_every_product_and_passes_the_audit(rendered):
    status, out = rendered
    assert status == 0  # 1 if a report failed or the audit found anything
    folder = out / "2019" / "pasop"
    for name in ("report.html", "report.pdf", "figures.csv", "provenance.json", "report.ipynb"):
        assert (folder / name).is_file(), name
    assert (folder / "report.pdf").read_bytes().startswith(b"%PDF")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Pasop (test)" in index and "2019/pasop/report.html" in index


def test_fourth_funder_figures_are_the_recount_and_are_masked(rendered):
    _, out = rendered
    seen, street = _recount("2019")
    assert (seen, street) == (91, 1)
    figures = pd.read_csv(out / "2019" / "pasop" / "figures.csv")
    persons = _figure(figures, "pasop.persons_seen")
    assert float(persons["value"]) == seen and not persons["suppressed"]
    hidden = _figure(figures, "pasop.persons_street")
    assert hidden["suppressed"] and pd.isna(hidden["value"])  # 1 person < min_cell 5
    declared = _figure(figures, "pasop.declared.permanences", scope="all")
    assert float(declared["value"]) == 48
    # the relation declared in the spec: the same count as INAMI's Flanders figure
    inami = pd.read_csv(out / "2019" / "inami" / "figures.csv")
    assert float(_figure(inami, "inami.persons_seen")["value"]) == seen


def test_fourth_funder_report_prints_its_section_title_and_numbers(rendered):
    _, out = rendered
    html = (out / "2019" / "pasop" / "report.html").read_text(encoding="utf-8")
    assert "Travail de proximité" in html
    assert "Permanences hebdomadaires à Saint-Trond" in html
    assert "91 travailleurs du sexe ont été vus en consultation dans l'antenne, dont &lt; 5 en rue" in html
    assert "Pasop (test)" in html  # the title page's funder
    assert "Les chiffres de ce rapport de test viennent des consultations" in html  # the spec's methods
