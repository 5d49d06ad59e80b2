"""The youngest and oldest ages in external reports follow the histogram's rule (issue 11).

Reference values are read from the raw CSV files with the ``csv`` module (not
through the package): the persons with a consultation in the year, their age
``year - birth_year``, sorted; the 5th youngest and 5th oldest.
"""

import csv
from pathlib import Path

import pytest

from espacep_analysis import load, publish

DATA = Path(__file__).resolve().parent.parent / "data" / "synthetic"


def _ages(year: int) -> list[int]:
    with open(DATA / "consultations.csv", newline="", encoding="utf-8") as handle:
        seen = {row["pseudonym"] for row in csv.DictReader(handle) if row["date"].startswith(str(year))}
    with open(DATA / "persons.csv", newline="", encoding="utf-8") as handle:
        return sorted(
            year - int(row["birth_year"])
            for row in csv.DictReader(handle)
            if row["pseudonym"] in seen and row["birth_year"]
        )


@pytest.fixture(scope="module")
def published():
    ds = load.load_dataset(DATA)
    return publish.protected_years(ds, "wilson", 0.95, 5, cache_dir=None)


@pytest.mark.parametrize("year", [2017, 2018, 2019])
def test_extreme_ages_are_the_fifth_youngest_and_oldest(published, year):
    ages = _ages(year)
    table = published[year]["inami"]
    row = lambda name: table[(table["indicator"] == name) & (table["year"] == year)].iloc[0]  # noqa: E731
    assert row("inami.age_min")["value"] == ages[4]
    assert row("inami.age_max")["value"] == ages[-5]
    assert row("inami.age_max")["label"] == "Âge de la 5e personne la plus âgée"


def test_2019_oldest_person_is_not_published(published):
    """The oldest person seen in 2019 is 67 and alone above 61: the report prints 55 (5th oldest)."""
    ages = _ages(2019)
    assert ages[-1] == 67 and ages[-5] == 55
    table = published[2019]["inami"]
    assert 67 not in set(table.loc[table["indicator"].str.endswith("age_max"), "value"])
