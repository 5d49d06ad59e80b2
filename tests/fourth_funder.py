"""A fourth funder declared inside the test suite, outside the package (``test_fourth_funder.py``).

It is registered as any funder outside the package is: its path is listed in the
environment variable ``ESPACEP_FUNDERS`` (`espacep_analysis.funders`), which the
batch's worker processes and their notebook kernels inherit. Nothing in the
package names it. Its scope is the Pasop antenna (the region ``flandre`` of
``params/sites.yaml``, one antenna); two indicators computed from the exports'
consultations (no ``partitions()``: neither adds up to another figure); one
declared section (``params/<year>/pasop.yaml``); one report section, whose
function has the signature every section has.
"""

from __future__ import annotations

import pandas as pd

from espacep_analysis.definitions import declare
from espacep_analysis.funders import FunderSpec, Section, SharedFigure
from espacep_analysis.indicators import common
from espacep_analysis.pages.common import Text
from espacep_analysis.pages.outreach import declared_section

ID = "pasop"
SCOPE = "region:flandre"
PERSONS = "pasop.persons_seen"
STREET = "pasop.persons_street"

# Each indicator declared once, beside its computation (`espacep_analysis.definitions`)
DEFINITIONS = declare(
    "pasop.",
    {
        "persons_seen": ("TDS vus en consultation", "persons"),
        "persons_street": ("TDS vus en rue", "persons"),
    },
)


def compute_figures(ds, year: int, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """Persons seen in consultation at the funder's sites in ``year``, and those of them seen in the street."""
    cons = common.in_year(ds.consultations, year, "date", ds.sites.funder_sites(ID))
    street = cons.loc[cons["workplace"].astype("string").eq("street").fillna(False).to_numpy(dtype=bool)]
    return common.concat_figures(
        [
            common.count_figure(
                PERSONS, DEFINITIONS[PERSONS].label, year, common.n_persons(cons), "persons", SCOPE
            ),
            common.count_figure(
                STREET, DEFINITIONS[STREET].label, year, common.n_persons(street), "persons", SCOPE
            ),
        ]
    )


def overview(report) -> list:
    """The report's one section: the declared narrative and items, then the two figures."""
    book = report.book
    text = (
        f"En {book.year}, {book.text(PERSONS, scope=SCOPE)} travailleurs du sexe ont été vus en "
        f"consultation dans l'antenne, dont {book.text(STREET, scope=SCOPE)} en rue."
    )
    return declared_section(book, report.declared, "outreach") + [Text(text)]


FUNDER = FunderSpec(
    id=ID,
    title="Pasop (test)",
    scope=ID,
    indicators=__name__,
    declared={"outreach": "Travail de proximité à Saint-Trond"},
    relations=(SharedFigure("inami", "inami.persons_seen", PERSONS, SCOPE),),
    methods="Les chiffres de ce rapport de test viennent des consultations de l'antenne.",
    sections=(
        Section("outreach", "1.", "Travail de proximité", f"{__name__}:overview", "outreach", level=2),
    ),
)
