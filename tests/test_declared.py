"""Declared content (params/<year>/<funder>.yaml), `espacep new-year`, history.yaml.

Expected values of the committed 2019 files are the report's own sentences
(../shared/reference/rapport_moral_2019.txt), quoted beside each assert.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from espacep_analysis import cli
from espacep_analysis import declared as dc
from espacep_analysis.errors import ConfigError, EspacepError
from espacep_analysis.indicators.common import FIGURE_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
VALID = """\
funder: aviq
year: 2019
sections:
  internet:
    narrative: >-
      Nous communiquons chaque semaine
      avec nos amis.
    items:
      - key: facebook_friends
        label: Amis Facebook
        value: 1231
        unit: persons
        source: page Facebook
      - key: website_visits
        label: Visites du site
        value: 9000
        unit: visits
  evaluation:
    items:
      - key: evaluation_hours
        label: Heures d'évaluation
        value: 30
        unit: count
"""


def write(root: Path, text: str, funder: str = "aviq", year: int = 2019) -> Path:
    path = root / str(year) / f"{funder}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in ``tmp_path`` so messages show the relative path ``params/<year>/<funder>.yaml``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "params").mkdir()
    return tmp_path / "params"


# --- a valid file ------------------------------------------------------------------------------


def test_valid_file_loads_in_file_order(tmp_path):
    write(tmp_path, VALID)
    d = dc.load_declared("aviq", 2019, params_dir=tmp_path)
    assert (d.funder, d.year, d.missing) == ("aviq", 2019, ())
    assert [i.key for i in d.items("internet")] == ["facebook_friends", "website_visits"]
    assert d.items("internet")[0].source == "page Facebook"
    assert dict(d.figures) == {"facebook_friends": 1231, "website_visits": 9000, "evaluation_hours": 30}
    assert d.narrative["internet"] == "Nous communiquons chaque semaine avec nos amis."
    figs = dc.declared_figures(d, "aviq", 2019)
    assert list(figs.columns) == FIGURE_COLUMNS
    assert list(figs["indicator"]) == [
        "aviq.declared.facebook_friends",
        "aviq.declared.website_visits",
        "aviq.declared.evaluation_hours",
    ]
    assert list(figs["unit"]) == ["persons", "visits", "count"]
    assert list(figs["label"]) == ["Amis Facebook", "Visites du site", "Heures d'évaluation"]
    with pytest.raises(EspacepError, match="read for aviq 2019, asked for cocof 2019"):
        dc.declared_figures(d, "cocof", 2019)


def test_any_new_item_is_accepted_without_code(tmp_path):
    """An item the code never heard of (a new year's event) is data: it loads and becomes a figure."""
    text = VALID.replace(
        "        unit: count\n",
        "        unit: count\n      - key: gala_2020_visitors\n"
        "        label: Visiteurs du gala\n        value: 0.25\n        unit: proportion\n",
    )
    write(tmp_path, text)
    d = dc.load_declared("aviq", 2019, params_dir=tmp_path)
    assert d.figures["gala_2020_visitors"] == 0.25


# --- strict validation: file, line, key path -----------------------------------------------------


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "        value: 1231\n",
            "        value: beaucoup\n",
            "params/2019/aviq.yaml:11: sections.internet.items[0].value: expected a number >= 0 or A_COMPLETER, "
            "got 'beaucoup'",
        ),
        (
            "        value: 1231\n",
            "        value: -3\n",
            "params/2019/aviq.yaml:11: sections.internet.items[0].value: expected a number >= 0, got -3",
        ),
        (
            "        value: 1231\n",
            "        value: 12.5\n",
            "params/2019/aviq.yaml:11: sections.internet.items[0].value: expected a whole number for unit persons, "
            "got 12.5",
        ),
        (
            "        unit: persons\n",
            "        unit: personnes\n",
            "params/2019/aviq.yaml:12: sections.internet.items[0].unit: expected one of: ",
        ),
        (
            "        source: page Facebook\n",
            "        sourse: page Facebook\n",
            "params/2019/aviq.yaml:13: sections.internet.items[0].sourse: unknown key; expected one of: key, label, "
            "value, unit, source",
        ),
        (
            "  evaluation:\n",
            "  evaluations:\n",
            "params/2019/aviq.yaml:18: sections.evaluations: expected one of: proximity, internet, ",
        ),
        (
            "      - key: website_visits\n",
            "      - key: facebook_friends\n",
            "params/2019/aviq.yaml:14: sections.internet.items[1].key: duplicate key 'facebook_friends' (first written "
            "at line 9)",
        ),
        (
            "year: 2019\n",
            "year: 2018\n",
            "params/2019/aviq.yaml:2: year: expected 2019 (the directory name), got 2018",
        ),
        (
            "funder: aviq\n",
            "funder: cocof\n",
            "params/2019/aviq.yaml:1: funder: expected one of: aviq; got 'cocof'",
        ),
        (
            "        label: Amis Facebook\n",
            "        label: 12\n",
            "params/2019/aviq.yaml:10: sections.internet.items[0].label: expected a non-empty text, got 12",
        ),
        (
            "    items:\n      - key: facebook",
            "    items: 5\n    other:\n      - key: facebook",
            "params/2019/aviq.yaml:8: sections.internet.items: expected a list, got 5",
        ),
    ],
    ids=[
        "word",
        "negative",
        "fraction-of-persons",
        "unit",
        "unknown-field",
        "unknown-section",
        "duplicate-key",
        "year",
        "funder",
        "label-type",
        "items-type",
    ],
)
def test_schema_errors_name_file_line_and_key_path(in_tmp, old, new, message):
    assert old in VALID
    write(in_tmp, VALID.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        dc.load_declared("aviq", 2019, params_dir="params")
    assert message in str(info.value)


def test_duplicate_yaml_key_has_both_lines(in_tmp):
    write(in_tmp, VALID.replace("        unit: visits\n", "        unit: visits\n        unit: count\n"))
    with pytest.raises(
        ConfigError,
        match=r"aviq.yaml:18: sections.internet.items\[1\].unit: duplicate key "
        r"\(first written at line 17\)",
    ):
        dc.load_declared("aviq", 2019, params_dir="params")


def test_missing_file_names_it_and_new_year(in_tmp):
    with pytest.raises(ConfigError) as info:
        dc.load_declared("cocof", 2020, params_dir="params")
    assert str(info.value).startswith("params/2020/cocof.yaml: file not found")
    assert "espacep new-year 2020" in str(info.value)


# --- to fill: drafts ------------------------------------------------------------------------------


def test_to_fill_items_are_listed_and_refused(in_tmp):
    text = VALID.replace("value: 9000", "value: A_COMPLETER").replace(
        "    narrative: >-\n      Nous communiquons chaque semaine\n      avec nos amis.\n",
        "    narrative: A_COMPLETER\n",
    )
    write(in_tmp, text)
    d = dc.load_declared("aviq", 2019, params_dir="params")
    assert d.missing == ("internet.narrative", "internet.website_visits")
    assert "website_visits" not in d.figures and "internet" not in d.narrative
    assert list(dc.missing_figures(d)["indicator"]) == ["aviq.declared.website_visits"]
    with pytest.raises(dc.UnfilledParams) as info:
        dc.require_filled([d])
    assert str(info.value).splitlines()[1:] == [
        "  params/2019/aviq.yaml: internet.narrative",
        "  params/2019/aviq.yaml: internet.website_visits",
    ]
    dc.require_filled([dc.load_declared("aviq", 2019, ROOT / "params")])  # the committed year is filled


# --- espacep new-year -------------------------------------------------------------------------------


@pytest.fixture
def params_copy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "params", tmp_path / "params", ignore=shutil.ignore_patterns("2020"))
    return tmp_path / "params"


def test_new_year_copies_the_latest_year_with_everything_to_fill(params_copy, capsys):
    assert cli.main(["new-year", "2021", "--params", "params"]) == 0
    out = capsys.readouterr().out
    for funder in ("aviq", "cocof"):
        old, new = dc.load_declared(funder, 2019, params_copy), dc.load_declared(funder, 2021, params_copy)
        assert {s: [i.key for i in items] for s, items in new.sections.items()} == {
            s: [i.key for i in items] for s, items in old.sections.items()
        }
        assert [i.label for s in new.sections.values() for i in s] == [
            i.label for s in old.sections.values() for i in s
        ]
        assert not new.figures and not new.narrative
        assert len(new.missing) == len(old.figures) + len(old.narrative)
        assert f"params/2021/{funder}.yaml : {len(new.missing)} élément(s) à remplir" in out
    assert "  internet.facebook_friends\n" in out and "  violence.march_participants\n" in out


def test_new_year_refuses_to_overwrite(params_copy, capsys):
    before = (params_copy / "2019" / "aviq.yaml").read_bytes()
    assert cli.main(["new-year", "2019", "--params", "params"]) == 2
    assert "params/2019 existe déjà ; new-year n'écrase jamais une année" in capsys.readouterr().err
    assert (params_copy / "2019" / "aviq.yaml").read_bytes() == before
    assert cli.main(["new-year", "2016", "--params", "params"]) == 2
    assert "aucun dossier params/<année>/ avant 2016" in capsys.readouterr().err


def test_new_year_then_filled_loads(params_copy):
    dc.new_year(2021, params_copy)
    path = params_copy / "2021" / "cocof.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("value: A_COMPLETER", "value: 3").replace(
        "narrative: A_COMPLETER", "narrative: Texte."
    )
    path.write_text(text, encoding="utf-8")
    d = dc.load_declared("cocof", 2021, params_copy)
    assert d.missing == () and d.figures["website_visits"] == 3


# --- history.yaml ------------------------------------------------------------------------------------


def test_history_skips_missing_previous_years_but_not_the_report_year(tmp_path):
    write(tmp_path, VALID)
    write(tmp_path, VALID.replace("2019", "2017").replace("1231", "900"), year=2017)
    figs = dc.declared_history("aviq", 2019, n_previous=2, params_dir=tmp_path)  # no 2018 file
    got = {(r.year, r.indicator): r.value for r in figs.itertuples()}
    assert got[(2017, "aviq.declared.facebook_friends")] == 900
    assert got[(2019, "aviq.declared.facebook_friends")] == 1231
    with pytest.raises(EspacepError, match="2020/aviq.yaml: file not found"):
        dc.declared_history("aviq", 2020, params_dir=tmp_path)


HISTORY = """\
history:
  - {indicator: inami.coverage_not_in_order_share, year: 2016, value: 0.66, source: rapport moral 2016}
  - {indicator: inami.vaccine_doses, year: 2016, value: 421, source: rapport moral 2016}
"""


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "value: 0.66",
            "value: 66",
            "params/history.yaml:2: history[0]: value: 66 does not fit unit proportion",
        ),
        (
            "inami.vaccine_doses",
            "inami.vaccins",
            "params/history.yaml:3: history[1]: indicator: unknown id 'inami.vaccins'",
        ),
        (
            "source: rapport moral 2016}\n  - {indicator: inami.vaccine",
            "sourse: rapport moral 2016}\n  - {indicator: inami.vaccine",
            "params/history.yaml:2: history[0].sourse: unknown key",
        ),
        (
            "inami.vaccine_doses, year: 2016",
            "inami.coverage_not_in_order_share, year: 2016",
            "params/history.yaml:3: history[1]: inami.coverage_not_in_order_share all 2016 already given at line 2",
        ),
        (
            "year: 2016, value: 421",
            "year: deux, value: 421",
            "params/history.yaml:3: history[1].year: expected a whole number",
        ),
    ],
    ids=["proportion", "unknown-id", "unknown-field", "duplicate", "year-type"],
)
def test_history_is_validated(in_tmp, old, new, message):
    (in_tmp / "history.yaml").write_text(HISTORY.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        dc.load_history("params")
    assert message in str(info.value)


def test_committed_history_holds_the_2019_report_quotes():
    h = dc.load_history(ROOT / "params")
    got = {(r.indicator, r.scope, r.year): r.value for r in h.itertuples()}
    # "56% (60% en 2018, 63% en 2017, 66% en 2016, 59% en 2015 et 2014 // 52% en 2013)"
    assert [got[("inami.coverage_not_in_order_share", "all", y)] for y in (2016, 2015, 2014, 2013)] == [
        0.66,
        0.59,
        0.59,
        0.52,
    ]
    assert got[("inami.vaccine_doses", "all", 2016)] == 421  # "(337 en 2018 ;347 en 2017 ;421 en 2016)"
    assert (
        got[("inami.migrant_share", "region:bruxelles", 2013)] == 0.80
    )  # "(90% de 2018 à 2014 et 80% en 2013)"
    assert h["year"].max() <= 2016  # only years before the record-level data


# --- the committed files -----------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2017, 2018, 2019, 2020])
@pytest.mark.parametrize("funder", ["aviq", "cocof"])
def test_committed_files_load_filled(funder, year):
    d = dc.load_declared(funder, year)
    assert d.figures and d.narrative and not d.missing
    assert all(math.isfinite(v) for v in dc.declared_figures(d, funder, year)["value"])
    assert d.synthetic == (year != 2019)  # 2017, 2018 and 2020 are invented placeholders


def test_committed_2019_values_are_the_published_ones():
    aviq = dc.load_declared("aviq", 2019).figures
    assert aviq["facebook_friends"] == 1231  # "Nous communiquons chaque semaine avec 1231 amis sur Facebook"
    assert aviq["medical_partners"] == 10  # "les tournées de 10 médecins partenaires"
    assert aviq["condom_sales"] == 200  # "environ 2000 distributions gratuites de préservatifs et 200 ventes"
    assert "info4escorts_visits" not in aviq  # "Calcul 2019 en cours."
    assert dc.load_declared("aviq", 2018).figures["info4escorts_visits"] == 10238  # "10.238 visites en 2018"
    cocof = dc.load_declared("cocof", 2019).figures
    assert cocof["website_visits"] == 55000  # "55 000 visites ont été recensées en 2019"
    assert (
        cocof["info4escorts_visits"],
        cocof["info4escorts_new_visits"],
        cocof["info4escorts_brussels_visits"],
        cocof["info4escorts_months_counted"],
    ) == (4770, 4752, 847, 9)
    assert cocof["social_workers"] == 9  # "Neuf travailleurs sociaux"


def test_no_year_specific_key_or_label_in_the_package():
    """Keys and labels of declared items live in params/, not in espacep_analysis/."""
    package = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "espacep_analysis").rglob("*.py"))
    for year in (2017, 2018, 2019):
        for funder in ("aviq", "cocof"):
            for items in dc.load_declared(funder, year).sections.values():
                for item in items:
                    assert item.key not in package, f"{item.key} is named in espacep_analysis/"
                    assert item.label not in package, f"{item.label!r} is written in espacep_analysis/"
