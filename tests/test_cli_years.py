"""``--years`` is bounded before it is expanded, and its message names the data's years (issue 11)."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import pytest

from espacep_analysis import cli
from espacep_analysis.errors import EspacepError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_load import write_base

TODAY = dt.date(2020, 6, 30)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("1-999999999999", "1-999999999999"),
        ("2019,2021", "2021"),
        ("1989", "1989"),
        ("1989-2019,2017", "1989-2019"),
        ("2019-999999999999999999999", "2019-999999999999999999999"),
    ],
)
def test_years_outside_what_data_can_hold_are_refused_at_once(text, shown):
    start = time.perf_counter()
    with pytest.raises(cli.YearsOutOfRange) as info:
        cli.parse_years(text, today=TODAY)
    assert time.perf_counter() - start < 0.5  # never expanded
    assert str(info.value) == (
        f"--years : {shown} hors de 1990-2020 (aucune donnée ne peut contenir de date avant 1990 "
        "ni après aujourd'hui)"
    )


def test_years_inside_the_bounds_still_parse():
    assert cli.parse_years("1990-1992,2020", today=TODAY) == [1990, 1991, 1992, 2020]
    with pytest.raises(EspacepError, match="n'est ni une année"):
        cli.parse_years("2019-2017", today=TODAY)


def test_report_names_the_years_of_the_data(tmp_path, capsys):
    data = write_base(tmp_path / "data")
    status = cli.main(
        [
            "report",
            "--data",
            str(data),
            "--output",
            str(tmp_path / "out"),
            "--years",
            "1-999999999999",
            "--no-pdf",
        ]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("erreur : --years : 1-999999999999 hors de 1990-")
    assert err.rstrip().endswith(f" ; les données de {data} couvrent 2019")
    assert "Traceback" not in err and not (tmp_path / "out").exists()
