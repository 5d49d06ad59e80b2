"""A notebook's ``year = 0`` (its default): the latest complete year of the data (consultations up to December)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from espacep_analysis import notebooks
from espacep_analysis.errors import EspacepError
from espacep_analysis.pages import build_report, latest_complete_year

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "synthetic"


def _data(*dates: str) -> SimpleNamespace:
    """What `latest_complete_year` reads of a dataset: the consultations' dates and the years."""
    frame = pd.DataFrame({"date": pd.to_datetime(list(dates))})
    return SimpleNamespace(consultations=frame, years=sorted({int(d[:4]) for d in dates}))


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (("2018-05-01", "2019-12-02", "2020-06-30"), 2019),  # 2020 stops in June
        (("2018-05-01", "2019-12-02", "2020-12-01"), 2020),  # 2020 reaches December
        (("2019-01-03", "2019-12-31"), 2019),
    ],
)
def test_year_zero_is_the_latest_complete_year(dates, expected):
    assert latest_complete_year(_data(*dates)) == expected


def test_no_complete_year_is_an_error_naming_the_last_date():
    with pytest.raises(EspacepError, match="aucune année complète.*2020-03-04"):
        latest_complete_year(_data("2020-01-10", "2020-03-04"))


def test_the_generated_notebooks_default_to_year_zero():
    cell = notebooks.notebook_for("inami").cells[0].source
    assert "\nyear: int = 0  # reporting year; 0: the latest complete year of the data" in cell


def test_a_report_of_year_zero_is_the_latest_complete_year_of_the_synthetic_data():
    """Read with the csv module: the last consultation date says which year is the latest complete one."""
    with open(DATA / "consultations.csv", newline="", encoding="utf-8") as handle:
        last = max(dt.date.fromisoformat(row["date"]) for row in csv.DictReader(handle))
    expected = last.year if last.month == 12 else last.year - 1
    report = build_report("cocof", 0, str(DATA), output_dir=str(ROOT / "scratch" / "test-year-zero"))
    assert report.year == expected
    assert report.provenance["year"] == expected and report.provenance["parameters"]["year"] == expected
