"""End to end: `espacep report` renders the three funders' 2019 reports from the committed synthetic data.

Checks that every product exists, that the figures printed by two reports are
equal in their rendered figures.csv files (Wallonia: INAMI's `region:wallonie`
figures and AViQ's `aviq.inami.*`; Brussels: INAMI's `region:bruxelles` and
Cocof's `cocof.inami.*`), that the AViQ and Cocof figures of the published
report (params/targets.yaml, from ../shared/reference/rapport_moral_2019.txt)
are in the 2019 figures.csv, and that the AViQ PDF prints the published
sentences in Belgian French.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import targetcheck
from pypdf import PdfReader
from targetcheck import check, key

from espacep_analysis import funders, render
from espacep_analysis.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "synthetic"
NB = "\u00a0"
FUNDERS = funders.ids()  # the funder registry
SHARED = [  # (funder, region): the funder's id = "<funder>." + INAMI's id, same scope
    ("aviq", "wallonie"),
    ("cocof", "bruxelles"),
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    # --min-cell 0: an internal run, unmasked, to compare with the published report
    status = main(
        [
            "report",
            "--data",
            str(DATA),
            "--output",
            str(out),
            "--years",
            "2019",
            "--funders",
            ",".join(FUNDERS),
            "--min-cell",
            "0",
            "--no-pdf",
            "--workers",
            "3",
        ]
    )
    assert status == 0
    return out / "2019"


@pytest.fixture(scope="module")
def figures(rendered):
    return {f: pd.read_csv(rendered / f / "figures.csv") for f in FUNDERS}


def test_every_product_exists(rendered):
    for funder in FUNDERS:
        for name in ("report.ipynb", "report.html", "figures.csv", "provenance.json"):
            assert (rendered / funder / name).stat().st_size > 0, f"{funder}: {name}"


@pytest.mark.parametrize("funder, region", SHARED)
@pytest.mark.parametrize("name", ["persons_seen", "consultations", "migrant_share"])
def test_shared_figures_are_equal_across_reports(funder, region, name, figures):
    scope = f"region:{region}"

    def values(table, indicator):
        rows = table[
            (table["indicator"] == indicator) & (table["scope"] == scope) & (table["source"] == "computed")
        ]
        assert not rows.duplicated("year").any()
        return dict(zip(rows["year"], rows["value"]))

    inami = values(figures["inami"], f"inami.{name}")
    other = values(figures[funder], f"{funder}.inami.{name}")
    assert set(other) == {2017, 2018, 2019} and other == inami


def test_shared_figures_are_the_published_ones(figures):
    """575 TDS dépistés en RW en 2019 (488 en 2017, 584 en 2018), 1449 consultations (published)."""
    table = figures["aviq"].set_index(["indicator", "year", "scope"])["value"]
    assert table[("aviq.inami.persons_seen", 2019, "region:wallonie")] == 575
    assert table[("aviq.inami.persons_seen", 2018, "region:wallonie")] == 584
    assert table[("aviq.inami.persons_seen", 2017, "region:wallonie")] == 488
    assert table[("aviq.inami.consultations", 2019, "region:wallonie")] == 1449


FUNDER_TARGETS = [
    t for f in ("aviq", "cocof") for t in targetcheck.FUNDER_TARGETS[f] if t.get("status", "ok") == "ok"
]


@pytest.mark.parametrize("target", [pytest.param(t, id=key(t)) for t in FUNDER_TARGETS])
def test_figures_csv_has_the_published_figure(target, figures):
    check(target, figures[targetcheck.funder(target)])


def test_every_aviq_and_cocof_target_is_checked():
    assert len(FUNDER_TARGETS) >= 70  # 76 in params/targets.yaml when this test was written


@pytest.fixture(scope="module")
def aviq_pdf_text(rendered, tmp_path_factory):
    pdf = render.to_pdf(rendered / "aviq" / "report.html", tmp_path_factory.mktemp("pdf") / "aviq.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    return re.sub(r" +", " ", re.sub(r"\s*\n\s*", " ", text))


MEDICAL_SENTENCES = [
    "575 TDS ont été dépistés par Espace P… en 2019 en région wallonne (488 en 2017 et 584 en 2018).",
    f"4{NB}469 actes médicaux ont été recensés lors de 1{NB}449 consultations.",
    "Il y a eu 2,5 consultations/TDS en moyenne.",
    "Médecins partenaires dont nos travailleurs ont organisé les tournées en RW : 10",  # a declared item
]
OUTREACH_SENTENCES = [
    "nos équipes wallonnes ont rencontré 221 personnes exerçant la prostitution en privé grâce à leurs contacts "
    "sur Quartier Rouge, Sexy.be, Lili.be, Vivastreet.be, Belswing.be, Quicherchetrouve.be et Youpie.net.",
    f"La lutte contre la violence constituait 5,7{NB}% de nos démarches sociales en Wallonie en 2019 "
    "(141 actions relevées).",
    "139 interventions concernant une problématique assuétude ont été comptabilisées par les travailleurs wallons "
    "en 2019",
]
# Lines of the published tables: (line label, 2019 value); 2019 is the last column (earlier years before it)
TABLE_LINES = [
    ("Total pour la province de Liège", f"1{NB}245"),
    ("Total pour la province du Hainaut", f"3{NB}139"),
    ("Total RW", f"5{NB}810"),  # contacts; the persons-met table's "Total RW 990" follows
    ("Total RW", "990"),
    ("Mons/Tournai", "46"),
    ("Total RW", "105"),  # information sessions
]
NUMBER = rf"\d{{1,3}}(?:{NB}\d{{3}})*"


@pytest.mark.parametrize("printed", MEDICAL_SENTENCES)
def test_aviq_pdf_prints_the_published_sentence(printed, aviq_pdf_text):
    assert printed in aviq_pdf_text


@pytest.mark.parametrize("printed", OUTREACH_SENTENCES)
def test_aviq_pdf_prints_the_published_outreach_sentence(printed, aviq_pdf_text):
    assert printed in aviq_pdf_text


@pytest.mark.parametrize("label, value", TABLE_LINES)
def test_aviq_pdf_prints_the_published_table_line(label, value, aviq_pdf_text):
    assert re.search(rf"{re.escape(label)}(?: {NUMBER})* {re.escape(value)}(?= |$)", aviq_pdf_text)


def test_cocof_html_prints_the_brussels_figures(rendered, figures):
    html = (rendered / "cocof" / "report.html").read_text(encoding="utf-8")
    seen = figures["inami"].set_index(["indicator", "year", "scope"])["value"]
    brussels = int(seen[("inami.persons_seen", 2019, "region:bruxelles")])
    assert f"En 2019, {brussels} TDS ont été vus en consultation à Bruxelles" in html
    assert "build_report" not in html  # no code in the report


def test_sections_are_in_the_published_order(rendered):
    html = (rendered / "aviq" / "report.html").read_text(encoding="utf-8")
    positions = [html.find(f"Stratégie {n} :") for n in range(1, 11)]
    positions.append(html.find("Programme d'Action Sociale Globale en Wallonie"))
    assert all(p >= 0 for p in positions) and positions == sorted(positions)


# --- issue 4: comparisons in the AViQ and Cocof reports ------------------------------------------


@pytest.mark.parametrize(
    "funder, ids",
    [
        ("aviq", ["aviq.violence_share", "aviq.first_contact_place.field", "aviq.inami.migrant_share"]),
        ("cocof", ["cocof.inami.migrant_share"]),
    ],
)
def test_figures_csv_carries_the_comparisons(funder, ids, figures):
    table = figures[funder]
    for base in ids:
        rows = table[table["indicator"].str.startswith(base + ".")].set_index("indicator")
        assert {f"{base}.diff.2017", f"{base}.diff.2018", f"{base}.trend_p", f"{base}.verdict"} <= set(
            rows.index
        )
        diff = rows.loc[f"{base}.diff.2017"]
        assert diff["lower"] <= diff["value"] <= diff["upper"]
        # the difference is the one of the two years' published proportions
        own = table[table["indicator"] == base].set_index("year")["value"]
        assert diff["value"] == pytest.approx(own[2019] - own[2017], abs=1e-9)  # figures.csv keeps 10 digits


def test_region_comparison_is_inami_s(figures):
    # Wallonia's migrant share 283/488 (2017), 450/584, 368/575: the same trend p in both reports
    inami = figures["inami"].set_index(["indicator", "scope"])
    aviq = figures["aviq"].set_index(["indicator", "scope"])
    key = ("migrant_share.trend_p", "region:wallonie")
    assert (
        aviq.loc[("aviq.inami." + key[0], key[1]), "value"] == inami.loc[("inami." + key[0], key[1]), "value"]
    )


@pytest.mark.parametrize(
    "funder, sentence",
    [
        (
            "aviq",
            "Les migrantes constituent 64,0 % des TDS vus en région wallonne (77,1 % en 2018, 58,0 % en 2017) ; "
            "évolution 2017-2019 : stable (test de tendance de Cochran-Armitage, p = 0,080).",
        ),
        (
            "cocof",
            "Les migrantes constituent 87,1 % des TDS vus à Bruxelles (90,0 % en 2018, 90,0 % en 2017) ; "
            "évolution 2017-2019 : stable (test de tendance de Cochran-Armitage, p = 0,17).",
        ),
    ],
)
def test_reports_print_the_comparison(funder, sentence, rendered):
    html = (rendered / funder / "report.html").read_text(encoding="utf-8").replace(NB, " ")
    assert sentence in html
    assert "Différence 2019 − 2017 [IC]" in html and "score hybride de Newcombe" in html
