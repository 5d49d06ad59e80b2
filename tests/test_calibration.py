"""The committed synthetic data reproduce every published figure of params/targets.yaml.

Each target is recomputed from the rows of ``data/synthetic/`` by the library
(`load.load_dataset`, then the `compute_figures` of the funder its id's prefix
names: `indicators.inami`, `.aviq` or `.cocof`), never by the generator, and
checked within its printed tolerance. The tolerance logic is written here (in
targetcheck) from the header of params/targets.yaml, independently of
`espacep_analysis.synthetic.targets`. The file itself is also checked against
the published text: every source sentence is in the report (line breaks read as
spaces) and every printed figure is in its sentence and agrees with its value.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from espacep_analysis.indicators import aviq, cocof, inami
from espacep_analysis.load import load_dataset

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "synthetic"
REPORT = ROOT.parent / "shared" / "reference" / "rapport_moral_2019.txt"
MODULES = {"inami": inami, "aviq": aviq, "cocof": cocof}
# Number words the report prints instead of digits (value of `printed`)
WORDS = {"un": 1, "une": 1, "trois": 3, "une septantaine": 70}

from targetcheck import ALL_TARGETS, FUNDER_TARGETS, TOLERANCES, check, funder  # noqa: E402
from targetcheck import key as _key  # noqa: E402


def _params():
    for t in ALL_TARGETS:
        marks = ()
        if t.get("status", "ok") == "inconsistent":
            marks = pytest.mark.skip(reason=f"inconsistent in the report: {t['note']}")
        yield pytest.param(t, id=_key(t), marks=marks)


@pytest.fixture(scope="module")
def figures():
    """Figures of every funder and target year, computed from the committed rows by the library."""
    ds = load_dataset(DATA)
    years = sorted({t["year"] for t in ALL_TARGETS} & set(ds.years))
    return {(f, y): MODULES[f].compute_figures(ds, y, n_previous=0) for f in MODULES for y in years}


@pytest.mark.parametrize("target", list(_params()))
def test_target_reproduced(target, figures):
    check(target, figures[funder(target), target["year"]])


def _printed_value(printed: str) -> float:
    """The number a printed figure states: digits (decimal comma), a number word, or "a + b"."""
    total = 0.0
    for term in printed.split(" + "):
        match = re.search(r"\d+(?:[.,]\d+)?", term)
        number = float(match.group().replace(",", ".")) if match else WORDS[term.lower()]
        total += number / (100 if "%" in term else 1)
    return total


def test_printed_values_are_read_as_documented():
    assert _printed_value("5,7 %") == pytest.approx(0.057)
    assert _printed_value("Liège : 1245") == 1245
    assert _printed_value("Trois + Un") == 4
    assert _printed_value("3500 + 1000") == 4500
    assert _printed_value("une septantaine") == 70


def test_targets_file_is_well_formed():
    """Unique keys, known tolerances and funders, a note for every inconsistency, values matching the print."""
    keys = [_key(t) for t in ALL_TARGETS]
    assert len(keys) == len(set(keys))
    for t in ALL_TARGETS:
        assert t["tolerance"] in TOLERANCES, _key(t)
        assert funder(t) in MODULES, _key(t)
        if t.get("status", "ok") != "ok":
            assert t["status"] == "inconsistent" and len(t["note"]) > 40, _key(t)
        if t["tolerance"] not in ("largest", "majority"):
            assert math.isclose(t["value"], _printed_value(t["printed"]), rel_tol=1e-12), _key(t)


def test_target_ids_are_indicators_of_their_funder():
    """Every AViQ / Cocof target names an id of the module's registry (no typo goes unchecked)."""
    for f in ("aviq", "cocof"):
        for t in FUNDER_TARGETS[f]:
            assert t["id"] in MODULES[f].INDICATORS, _key(t)


def test_every_outreach_figure_of_2019_has_a_target():
    """The published AViQ / Cocof figures of docs/indicators_aviq_cocof.md (last section): 76 entries."""
    outreach = [t for t in ALL_TARGETS if funder(t) in ("aviq", "cocof")]
    assert len(FUNDER_TARGETS["aviq"]) == 63 and len(FUNDER_TARGETS["cocof"]) == 13
    assert {t["year"] for t in outreach if not t["id"].startswith("aviq.inami.")} == {2019}
    hierarchy = {t["scope"] for t in outreach if t["id"] == "aviq.persons_met"}
    assert len(hierarchy) == 9 + 4 + 2  # nine sites, four provinces, the region and `all`


def test_shared_figures_equal_their_inami_twin(figures):
    """aviq.inami.<id> / region:wallonie equals the INAMI figure of the same scope (one definition);
    the ratio INAMI does not print per region is the quotient of the two twins."""

    def value(f, indicator, year):
        table = figures[f, year]
        row = table[(table["indicator"] == indicator) & (table["scope"] == "region:wallonie")]
        assert len(row) == 1, (f, indicator, year)
        return float(row["value"].iloc[0])

    years = sorted({t["year"] for t in FUNDER_TARGETS["aviq"] if t["id"].startswith("aviq.inami.")})
    assert years == [2017, 2018, 2019]
    for year in years:
        seen, visits = (value("inami", f"inami.{i}", year) for i in ("persons_seen", "consultations"))
        assert value("aviq", "aviq.inami.persons_seen", year) == seen
        assert value("aviq", "aviq.inami.consultations", year) == visits
        assert value("aviq", "aviq.inami.consultations_per_person", year) == pytest.approx(visits / seen)


def test_inconsistencies_are_recorded():
    """The known contradictions of the text are kept, flagged, and skipped by the test."""
    flagged = {_key(t) for t in ALL_TARGETS if t.get("status") == "inconsistent"}
    assert flagged == {
        "inami.consultations_per_person-2018-all",  # 2828 / 1105 = 2,56, printed 2,5
        "inami.pasop_consultations_share-2019-all",  # 137 / 2779 = 4,93 %, printed 4,7 %
        "inami.migrant_share-2019-all",  # 78 % needs >= 834 migrants, regions allow 819
        "inami.belgian_share-2018-all",  # needs >= 69 of 103 Pasop persons Belgian
    }


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.skipif(not REPORT.exists(), reason=f"published report not found at {REPORT}")
def test_sources_are_verbatim():
    text = _flat(REPORT.read_text(encoding="utf-8"))
    for t in ALL_TARGETS:
        sources = t["source"] if isinstance(t["source"], list) else [t["source"]]
        for source in sources:
            assert _flat(source) in text, f"{_key(t)}: source sentence not in the report"
        for part in t["printed"].split(" + "):
            assert any(part in s for s in sources), f"{_key(t)}: printed figure {part!r} not in its sentence"
