"""Each year's figures computed once inside the disclosure protection (issue 15).

A report computes its year and the two before, so without the memo the protection of
2017-2020 ran each section of 2017 and 2018 three times per funder. The memo must not
change a figure: every report's rows are compared with the same report computed alone.
"""

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from espacep_analysis import funders, load, publish
from espacep_analysis.indicators import aviq, cocof, common, inami

DATA = Path(__file__).resolve().parent.parent / "data" / "synthetic"


@pytest.fixture(scope="module")
def ds():
    return load.load_dataset(DATA)


def _counting(calls: Counter, funder: str, section):
    def run(data, year, **kwargs):
        calls[(funder, section.__name__, year)] += 1
        return section(data, year, **kwargs)

    return run


def test_each_section_of_each_year_runs_once_per_funder(ds, monkeypatch):
    calls: Counter = Counter()
    wrapped = {s: _counting(calls, "inami", s) for s in inami.SECTIONS}
    monkeypatch.setattr(inami, "SECTIONS", tuple(wrapped.values()))
    monkeypatch.setattr(inami, "FOLLOW_ON_SECTIONS", tuple(wrapped[s] for s in inami.FOLLOW_ON_SECTIONS))
    for module, name in ((aviq, "aviq"), (cocof, "cocof")):
        sections = tuple((_counting(calls, name, s), source) for s, source in module.SECTIONS)
        monkeypatch.setattr(module, "SECTIONS", sections)
    publish.protected_years(ds, "wilson", 0.95, 5, cache_dir=None)
    assert ds.years == [2017, 2018, 2019, 2020]
    assert {f for f, _, _ in calls} == {"inami", "aviq", "cocof"}
    assert {y for _, _, y in calls} == {2017, 2018, 2019, 2020}
    assert len([k for k in calls if k[0] == "inami"]) == len(inami.SECTIONS) * 4
    repeated = {k: n for k, n in calls.items() if n != 1}
    assert repeated == {}


def test_memo_changes_no_figure(ds):
    with common.year_memo():
        inside = {(f, y): publish.compute(ds, f, y, "wilson", 0.95) for y in ds.years for f in funders.ids()}
    for (f, y), figures in inside.items():
        alone = publish.compute(ds, f, y, "wilson", 0.95)
        pd.testing.assert_frame_equal(figures, alone, check_exact=True)


def test_memo_is_keyed_by_method_and_level(ds):
    with common.year_memo():
        wilson = publish.compute(ds, "inami", 2019, "wilson", 0.95)
        level90 = publish.compute(ds, "inami", 2019, "wilson", 0.90)
        other = publish.compute(ds, "aviq", 2019, "exact", 0.95)
    pd.testing.assert_frame_equal(level90, publish.compute(ds, "inami", 2019, "wilson", 0.90))
    pd.testing.assert_frame_equal(other, publish.compute(ds, "aviq", 2019, "exact", 0.95))
    assert not wilson["upper"].equals(level90["upper"])
