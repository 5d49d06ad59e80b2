"""Declared figures and narrative (params/<year>/<funder>.yaml): loading, checks, figure rows.

Expected values of the committed 2019 files are the report's own sentences
(../shared/reference/rapport_moral_2019.txt), quoted beside each assert.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from espacep_analysis import declared as dc
from espacep_analysis.errors import EspacepError
from espacep_analysis.indicators.common import FIGURE_COLUMNS

VALID = """\
funder: aviq
year: 2019
declared:
  facebook_friends: 1231
  medical_partners: 10
narrative:
  internet: >-
    Nous communiquons chaque semaine
    avec nos amis.
"""


def write(tmp_path: Path, text: str, funder: str = "aviq", year: int = 2019) -> Path:
    path = tmp_path / str(year) / f"{funder}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in ``tmp_path`` so messages show the relative path ``params/<year>/<funder>.yaml``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "params").mkdir()
    return tmp_path / "params"


# --- a valid file ----------------------------------------------------------------------------


def test_valid_file_loads(tmp_path):
    write(tmp_path, VALID)
    d = dc.load_declared("aviq", 2019, params_dir=tmp_path)
    assert (d.funder, d.year) == ("aviq", 2019)
    assert dict(d.figures) == {"facebook_friends": 1231, "medical_partners": 10}
    # folded YAML text: one line, stripped
    assert d.narrative["internet"] == "Nous communiquons chaque semaine avec nos amis."
    with pytest.raises(TypeError):
        d.figures["facebook_friends"] = 0  # read-only


def test_declared_figures_rows(tmp_path):
    write(tmp_path, VALID)
    d = dc.load_declared("aviq", 2019, params_dir=tmp_path)
    figs = dc.declared_figures(d, "aviq", 2019)
    assert list(figs.columns) == FIGURE_COLUMNS
    # rows in the order of DECLARED_FIELDS["aviq"]: facebook_friends before medical_partners
    assert list(figs["indicator"]) == ["aviq.declared.facebook_friends", "aviq.declared.medical_partners"]
    assert list(figs["value"]) == [1231.0, 10.0]
    assert list(figs["unit"]) == ["persons", "persons"]
    assert set(figs["scope"]) == {"all"} and set(figs["method"]) == {""} and set(figs["year"]) == {2019}
    assert figs[["numerator", "denominator", "lower", "upper"]].isna().all().all()
    assert figs["label"].iloc[0] == dc.DECLARED_FIELDS["aviq"]["facebook_friends"][1]
    with pytest.raises(EspacepError, match="read for aviq 2019, asked for cocof 2019"):
        dc.declared_figures(d, "cocof", 2019)


def test_empty_sections_are_allowed(tmp_path):
    write(tmp_path, "funder: cocof\nyear: 2018\ndeclared:\nnarrative: {}\n", funder="cocof", year=2018)
    d = dc.load_declared("cocof", 2018, params_dir=tmp_path)
    assert dict(d.figures) == {} and dict(d.narrative) == {}
    assert dc.declared_figures(d, "cocof", 2018).empty


# --- bad files: each message names the file, the key path and the rule -----------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (VALID.replace("1231", "beaucoup"),
         "params/2019/aviq.yaml:4: declared.facebook_friends: expected an integer, got 'beaucoup'"),
        (VALID.replace("1231", "'1231'"),
         "params/2019/aviq.yaml:4: declared.facebook_friends: expected an integer, got '1231'"),
        (VALID.replace("1231", "1231.5"),
         "params/2019/aviq.yaml:4: declared.facebook_friends: expected an integer, got 1231.5"),
        (VALID.replace("1231", "yes"),
         "params/2019/aviq.yaml:4: declared.facebook_friends: expected an integer, got true"),
        (VALID.replace("1231", ""),
         "params/2019/aviq.yaml:4: declared.facebook_friends: expected an integer, got null"),
        (VALID.replace("1231", "-3"),
         "params/2019/aviq.yaml:4: declared.facebook_friends: expected an integer >= 0, got -3"),
        (VALID.replace("  medical_partners: 10", "  twitter_followers: 10"),
         "params/2019/aviq.yaml:5: declared.twitter_followers: unknown key; expected one of: facebook_friends, "),
        (VALID.replace("  internet: >-", "  epilogue: >-"),
         "params/2019/aviq.yaml:7: narrative.epilogue: unknown key; expected one of: proximity, "),
        (VALID + "comments: none\n",
         "params/2019/aviq.yaml:10: comments: unknown key; expected one of: funder, year, declared, narrative"),
        (VALID.replace("narrative:\n  internet: >-\n    Nous communiquons chaque semaine\n    avec nos amis.\n",
                       "narrative:\n  internet: 12\n"),
         "params/2019/aviq.yaml:7: narrative.internet: expected a non-empty text, got 12"),
        (VALID.replace("declared:\n", "declared: 5\n").replace("  facebook_friends: 1231\n  medical_partners: 10\n", ""),
         "params/2019/aviq.yaml:3: declared: expected a mapping of keys to values, got 5"),
        (VALID.replace("funder: aviq", "funder: cocof"),
         "params/2019/aviq.yaml:1: funder: expected 'aviq' (the file name), got 'cocof'"),
        (VALID.replace("year: 2019", "year: 2018"),
         "params/2019/aviq.yaml:2: year: expected 2019 (the directory name), got 2018"),
        (VALID.replace("year: 2019\n", ""),
         "params/2019/aviq.yaml:1: year: missing key"),
        (VALID.replace("  medical_partners: 10", "  facebook_friends: 1300"),
         "params/2019/aviq.yaml:5: declared.facebook_friends: duplicate key (first written at line 4)"),
        ("- a\n- b\n", "params/2019/aviq.yaml:1: top level: expected a mapping"),
        ("funder: [aviq\n", "params/2019/aviq.yaml:2: top level: not valid YAML: "),
    ],
    ids=["word", "quoted", "float", "bool", "null", "negative", "unknown-declared", "unknown-narrative",
         "unknown-top", "narrative-type", "declared-type", "funder", "year", "missing-year",
         "duplicate-key", "list", "syntax"],
)
def test_bad_file_message(in_tmp, text, message):
    write(in_tmp, text)
    with pytest.raises(EspacepError) as info:
        dc.load_declared("aviq", 2019, params_dir="params")
    assert str(info.value).startswith(message)


def test_duplicate_key_is_named(in_tmp):
    write(in_tmp, VALID.replace("  medical_partners: 10", "  facebook_friends: 1300"))
    with pytest.raises(EspacepError, match="declared.facebook_friends: duplicate key"):
        dc.load_declared("aviq", 2019, params_dir="params")


def test_missing_file(in_tmp):
    with pytest.raises(EspacepError) as info:
        dc.load_declared("cocof", 2016, params_dir="params")
    assert str(info.value) == (
        "params/2016/cocof.yaml: file not found; rule: the declared figures and narrative of each "
        "funder and year are in params/<year>/<funder>.yaml"
    )


def test_unknown_funder(tmp_path):
    with pytest.raises(EspacepError, match="unknown funder 'fwb' for declared figures"):
        dc.load_declared("fwb", 2019, params_dir=tmp_path)


def test_history_skips_missing_previous_years_but_not_the_report_year(tmp_path):
    write(tmp_path, VALID)
    write(tmp_path, VALID.replace("2019", "2017").replace("1231", "900"), year=2017)
    figs = dc.declared_history("aviq", 2019, n_previous=2, params_dir=tmp_path)  # no 2018 file
    got = {(r.year, r.indicator): r.value for r in figs.itertuples()}
    assert got[(2017, "aviq.declared.facebook_friends")] == 900
    assert got[(2019, "aviq.declared.facebook_friends")] == 1231
    assert list(figs["year"]) == sorted(figs["year"])
    with pytest.raises(EspacepError, match="2020/aviq.yaml: file not found"):
        dc.declared_history("aviq", 2020, params_dir=tmp_path)


# --- the committed files -------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2017, 2018, 2019])
@pytest.mark.parametrize("funder", ["aviq", "cocof"])
def test_committed_files_load(funder, year):
    d = dc.load_declared(funder, year)
    assert d.figures and d.narrative
    figs = dc.declared_figures(d, funder, year)
    assert len(figs) == len(d.figures)
    assert all(math.isfinite(v) for v in figs["value"])


def test_committed_2019_values_are_the_published_ones():
    aviq = dc.load_declared("aviq", 2019).figures
    assert aviq["facebook_friends"] == 1231  # "Nous communiquons chaque semaine avec 1231 amis sur Facebook"
    assert aviq["medical_partners"] == 10  # "les tournées de 10 médecins partenaires"
    assert aviq["condom_sales"] == 200  # "environ 2000 distributions gratuites de préservatifs et 200 ventes"
    assert "info4escorts_visits" not in aviq  # "Calcul 2019 en cours."
    assert dc.load_declared("aviq", 2018).figures["info4escorts_visits"] == 10238  # "10.238 visites en 2018"
    cocof = dc.load_declared("cocof", 2019).figures
    assert cocof["website_visits"] == 55000  # "55 000 visites ont été recensées en 2019"
    # "4770 visites du site www.info4escorts ... en 9 mois en 2019 dont 4752 nouvelles visites et 847 visites bruxelloises"
    assert (cocof["info4escorts_visits"], cocof["info4escorts_new_visits"],
            cocof["info4escorts_brussels_visits"], cocof["info4escorts_months_counted"]) == (4770, 4752, 847, 9)
    assert cocof["social_workers"] == 9  # "Neuf travailleurs sociaux"
    assert cocof["course_participants"] == 8  # "8 TDS nigérianes ont participé aux cours de FLE et d'alphabétisation."
    # invariant: new visits and Brussels visits are parts of all visits
    assert cocof["info4escorts_new_visits"] <= cocof["info4escorts_visits"]
    assert cocof["info4escorts_brussels_visits"] <= cocof["info4escorts_visits"]


def test_registry_covers_every_narrative_and_field():
    for funder in ("aviq", "cocof"):
        ids = dc.declared_indicators(funder)
        assert all(i.startswith(f"{funder}.declared.") for i in ids)
        assert len(ids) == len(dc.DECLARED_FIELDS[funder])
        assert set(dc.NARRATIVE_SECTIONS[funder])
