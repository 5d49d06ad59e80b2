"""The committed synthetic data reproduce every published INAMI figure of params/targets.yaml.

Each target is recomputed from the rows of ``data/synthetic/`` by the library
(`load.load_dataset` then `indicators.inami.compute_figures`), never by the
generator, and checked within its printed tolerance. The tolerance logic is
written here from the header of params/targets.yaml, independently of
`espacep_analysis.synthetic.targets`. The file itself is also checked against
the published text: every source sentence is verbatim in the report and every
printed figure is in its sentence and agrees with its value.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest


from espacep_analysis.indicators.inami import compute_figures
from espacep_analysis.load import load_dataset

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "synthetic"
REPORT = ROOT.parent / "shared" / "reference" / "rapport_moral_2019.txt"

from targetcheck import TARGETS, check, key as _key  # noqa: E402

def _params():
    for t in TARGETS:
        marks = ()
        if t.get("status", "ok") == "inconsistent":
            marks = pytest.mark.skip(reason=f"inconsistent in the report: {t['note']}")
        yield pytest.param(t, id=_key(t), marks=marks)


@pytest.fixture(scope="module")
def figures():
    """Figures of every target year, computed from the committed rows by the library."""
    ds = load_dataset(DATA)
    years = sorted({t["year"] for t in TARGETS if t["year"] in ds.years})
    return {y: compute_figures(ds, y, n_previous=0) for y in years}


@pytest.mark.parametrize("target", list(_params()))
def test_target_reproduced(target, figures):
    assert target["year"] in figures, f"the synthetic data have no consultation in {target['year']}"
    check(target, figures[target["year"]])


def test_targets_file_is_well_formed():
    """Unique keys, known tolerances, a note for every inconsistency, values matching the print."""
    keys = [_key(t) for t in TARGETS]
    assert len(keys) == len(set(keys))
    for t in TARGETS:
        assert t["tolerance"] in ("exact", "half_unit", "truncated", "largest", "majority"), _key(t)
        if t.get("status", "ok") != "ok":
            assert t["status"] == "inconsistent" and len(t["note"]) > 40, _key(t)
        if t["tolerance"] in ("exact", "half_unit", "truncated"):
            number = float(re.search(r"\d+(?:[.,]\d+)?", t["printed"]).group().replace(",", "."))
            scale = 100 if "%" in t["printed"] else 1
            assert math.isclose(t["value"] * scale, number, rel_tol=1e-12), _key(t)


def test_inconsistencies_are_recorded():
    """The known contradictions of the text are kept, flagged, and skipped by the test."""
    flagged = {_key(t) for t in TARGETS if t.get("status") == "inconsistent"}
    assert flagged == {
        "inami.consultations_per_person-2018-all",     # 2828 / 1105 = 2,56, printed 2,5
        "inami.pasop_consultations_share-2019-all",    # 137 / 2779 = 4,93 %, printed 4,7 %
        "inami.migrant_share-2019-all",                # 78 % needs >= 834 migrants, regions allow 819
        "inami.belgian_share-2018-all",                # needs >= 69 of 103 Pasop persons Belgian
    }


@pytest.mark.skipif(not REPORT.exists(), reason=f"published report not found at {REPORT}")
def test_sources_are_verbatim():
    text = REPORT.read_text(encoding="utf-8")
    for t in TARGETS:
        assert t["source"] in text, f"{_key(t)}: source sentence not in the report"
        assert t["printed"] in t["source"], f"{_key(t)}: printed figure not in its sentence"
