"""End to end: the year after the calibrated ones renders for every funder with masking on (issue 10).

2020 is the synthetic year the generator adds after the published 2019 report
(plausible, not calibrated), with `params/2020/` filled as a data manager would
after `espacep new-year 2020`. The checks: the batch renders the three reports
with each funder's threshold, the audit passes, every figures.csv says it is
masked, the independent recount of persons seen in 2020 (csv module over the
raw export) is the published total, and no count from 1 to 4 is printed.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from espacep_analysis import funders
from espacep_analysis.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "synthetic"
FUNDERS = funders.ids()  # the funder registry


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs2020")
    status = main(
        [
            "report",
            "--data",
            str(DATA),
            "--output",
            str(out),
            "--years",
            "2020",
            "--funders",
            ",".join(FUNDERS),
            "--no-pdf",
            "--workers",
            "2",
        ]
    )
    assert status == 0
    return out / "2020"


def _persons_seen_2020() -> int:
    with open(DATA / "consultations.csv", newline="", encoding="utf-8") as handle:
        return len({row["pseudonym"] for row in csv.DictReader(handle) if row["date"].startswith("2020")})


@pytest.mark.parametrize("funder", FUNDERS)
def test_every_funder_renders_2020_masked(rendered, funder):
    assert (rendered / funder / "report.html").is_file()
    figures = pd.read_csv(rendered / funder / "figures.csv")
    assert figures["suppressed"].astype(str).str.lower().eq("true").any()
    counts = figures.loc[
        figures["numerator"].isna()
        & figures["unit"].eq("persons")
        & ~figures["indicator"].str.contains(".declared.", regex=False),
        "value",
    ].dropna()
    assert not counts.between(1, 4).any()


def test_2020_persons_seen_is_the_independent_recount(rendered):
    figures = pd.read_csv(rendered / "inami" / "figures.csv")
    row = figures[
        (figures["indicator"] == "inami.persons_seen")
        & (figures["scope"] == "all")
        & (figures["year"] == 2020)
    ]
    assert float(row["value"].iloc[0]) == _persons_seen_2020() > 900
