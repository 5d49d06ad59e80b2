"""The figures table has one pandera schema, checked at each boundary (issue 12)."""

import pandas as pd
import pytest

from espacep_analysis import disclosure, schemas
from espacep_analysis.definitions import FIGURE_COLUMNS
from espacep_analysis.errors import EspacepError
from espacep_analysis.indicators import common
from espacep_analysis.pages.common import FigureBook


def _rows():
    count = common.count_figure("t.seen", "Vus", 2019, 40, "persons")
    share = common.proportion_figures(12, 40, indicator="t.share", label="Part", year=2019, scope="all")
    return common.concat_figures([count, share])


def test_figures_frame_gives_the_schema_columns():
    table = schemas.check_figures(_rows(), "test")
    assert list(table.columns) == FIGURE_COLUMNS
    assert (table["base_indicator"] == "").all() and table["year_from"].isna().all()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t.assign(unit="personnes"), "unit"),
        (lambda t: t.assign(base_indicator="t.share"), "comparaison"),
        (lambda t: t.drop(columns="scope"), "scope"),
    ],
)
def test_each_boundary_refuses_a_table_off_its_schema(change, message):
    bad = change(_rows())
    for check in (
        lambda: schemas.check_figures(bad, "test"),
        lambda: disclosure.suppress_figures(bad, 5),
        lambda: FigureBook(bad, 2019),
    ):
        with pytest.raises(EspacepError, match=message):
            check()


def test_text_in_a_number_column_is_refused():
    """(Disclosure control reads such a cell as missing, as it always did; the pages refuse it.)"""
    bad = _rows().assign(value="douze")
    with pytest.raises(EspacepError, match="value"):
        schemas.check_figures(bad, "test")
    with pytest.raises(EspacepError, match="value"):
        FigureBook(bad, 2019)


def test_a_comparison_row_names_its_years():
    row = common.figures_frame(
        "t.share.diff.2017", "Part : différence", 2019, "all", 0.1, "difference", base_indicator="t.share"
    )
    with pytest.raises(EspacepError, match="comparaison"):
        schemas.check_figures(row, "test")
    ok = row.assign(year_from=pd.array([2017], dtype="Int64"), year_to=pd.array([2019], dtype="Int64"))
    assert schemas.check_figures(ok, "test")["year_from"].tolist() == [2017]
