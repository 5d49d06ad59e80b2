"""Disclosure control is generic: what adds up and what is folded are declarations of the indicators.

The site hierarchy lines of a report come from ``Indicator.hierarchy`` and the
folded extremes from ``Indicator.extreme`` / ``Indicator.distribution``
(`definitions`); `publish` and `disclosure` name no funder. The expected lines
are rebuilt here from ``params/sites.yaml`` read with PyYAML, not through
`espacep_analysis.sites`.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from espacep_analysis import definitions, funders, publish
from espacep_analysis.definitions import Indicator, Partition, declare
from espacep_analysis.errors import EspacepError
from espacep_analysis.indicators import aviq, cocof, inami
from espacep_analysis.load import load_dataset
from espacep_analysis.sites import load_sites

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "espacep_analysis"
SITES = yaml.safe_load((ROOT / "params" / "sites.yaml").read_text(encoding="utf-8"))
FUNDER_IDS = tuple(spec.id for spec in funders.BUILTIN)


# --- no funder in the generic layer ------------------------------------------------------------


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes of a module, its classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def funder_names_in_code(source: str) -> list[str]:
    """The string constants, names, attributes and imported names of ``source`` that hold a funder id."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    words = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            words.append(node.value)
        elif isinstance(node, ast.Name):
            words.append(node.id)
        elif isinstance(node, ast.Attribute):
            words.append(node.attr)
        elif isinstance(node, ast.alias):
            words += [node.name, node.asname or ""]
        elif isinstance(node, ast.FunctionDef | ast.ClassDef | ast.arg):
            words.append(getattr(node, "name", None) or getattr(node, "arg", ""))
    return [w for w in words if any(f in w.lower() for f in FUNDER_IDS)]


@pytest.mark.parametrize("module", ["publish.py", "disclosure.py"])
def test_the_disclosure_layer_names_no_funder(module):
    found = funder_names_in_code((PACKAGE / module).read_text(encoding="utf-8"))
    assert found == [], f"{module} names funders in code: {found}"


def test_the_check_sees_a_funder_named_in_code_not_in_docstrings():
    source = (
        '"""INAMI."""\nfrom .indicators import inami\n\ndef f():\n    """the inami ids."""\n    return "x"\n'
    )
    assert funder_names_in_code(source) == ["inami"]
    assert funder_names_in_code('X = {"aviq.contacts": 1}\n') == ["aviq.contacts"]
    assert funder_names_in_code("def cocof_partitions(figures):\n    return figures\n") == [
        "cocof_partitions"
    ]
    assert funder_names_in_code('"""About Cocof and INAMI."""\n# inami\nX = 1\n') == []


# --- the site hierarchy, from sites.yaml --------------------------------------------------------


def _sites_of(scope: str) -> list[str]:
    """Site codes of a funder's scope, in the order of sites.yaml (PyYAML, not the package)."""
    regions = SITES["funders"][scope]["regions"]
    return [s for s, row in SITES["sites"].items() if _region(s) in regions]


def _antenna(site: str) -> str:
    return SITES["sites"][site]["antenna"]


def _province(site: str) -> str:
    return SITES["antennas"][_antenna(site)]["province"]


def _region(site: str) -> str:
    return SITES["provinces"][_province(site)]["region"]


def _key(part: Partition) -> tuple:
    """A partition with its parts as a set (the order within a line does not matter)."""
    return frozenset(part.parts), part.total, part.exact, part.rest


def expected_lines(scope: str, indicator: str, how: str, present=None) -> set[tuple]:
    """The lines ``how`` means (`definitions.HIERARCHIES`), rebuilt from sites.yaml, as `_key` gives them."""
    sites = _sites_of(scope)
    regions = {_region(s) for s in sites}

    def cells(level: str, codes) -> frozenset:
        return frozenset((indicator, f"{level}:{code}") for code in codes)

    lines = set()
    if how in ("exact", "persons"):
        for r in regions:
            antennas = {_antenna(s) for s in sites if _region(s) == r}
            lines.add((cells("antenna", antennas), (indicator, f"region:{r}"), how == "exact", False))
        lines.add((cells("region", regions), (indicator, "all"), how == "exact", False))
    elif how == "antennas":
        lines.add((cells("antenna", {_antenna(s) for s in sites}), (indicator, "all"), False, False))
    elif how == "sites":
        for p in {_province(s) for s in sites}:
            in_p = {s for s in sites if _province(s) == p}
            lines.add((cells("site", in_p), (indicator, f"province:{p}"), True, False))
        for r in regions:
            provinces = {_province(s) for s in sites if _region(s) == r}
            lines.add((cells("province", provinces), (indicator, f"region:{r}"), True, False))
            lines.add((cells("region", {r}), (indicator, "all"), True, False))
        lines = {line for line in lines if present is None or line[0] <= present}
    return lines


@pytest.fixture(scope="module")
def figures_2019():
    ds = load_dataset(ROOT / "data" / "synthetic")
    return {f: publish.compute(ds, f, 2019, "wilson", 0.95) for f in FUNDER_IDS}


def test_inami_lines_are_its_partitions_and_the_declared_hierarchy(figures_2019):
    """Consultations add up exactly, persons by area do not, origins are given per antenna (as declared)."""
    got = [_key(p) for p in publish.partitions_of("inami", figures_2019["inami"], load_sites())]
    expected = {_key(p) for p in inami.partitions()} | expected_lines("inami", "inami.consultations", "exact")
    for name in ("persons_seen", "belgian_share", "migrant_share", "nationality_unknown"):
        expected |= expected_lines("inami", f"inami.{name}", "persons")
    origins = definitions.category_members(inami.DEFINITIONS, "inami.origin")
    for name in origins:
        expected |= expected_lines("inami", name, "antennas")
    assert len(origins) > 2 and set(got) == expected and len(got) == len(expected)
    assert len(got) == 51  # the lines of the hand lists the declarations replace (issue 12 refactoring)


def test_aviq_lines_are_the_published_sites_provinces_and_regions(figures_2019):
    figures = figures_2019["aviq"]
    present = set(zip(figures["indicator"], figures["scope"]))
    got = [_key(p) for p in publish.partitions_of("aviq", figures, load_sites())]
    expected = {_key(p) for p in aviq.partitions()}
    for name in ("aviq.contacts", "aviq.persons_met"):
        expected |= expected_lines("aviq", name, "sites", present)
    assert set(got) == expected and len(got) == len(expected) == 21
    arlon = frozenset({("aviq.contacts", "site:arlon"), ("aviq.contacts", "site:athus")})
    assert (arlon, ("aviq.contacts", "province:luxembourg"), True, False) in got


def test_cocof_lines_are_its_module_partitions(figures_2019):
    got = publish.partitions_of("cocof", figures_2019["cocof"], load_sites())
    assert got == cocof.partitions() and len(got) == 2


# --- a funder declared outside the package needs nothing else ----------------------------------

_MODULE = """
import pandas as pd
from espacep_analysis.definitions import declare
from espacep_analysis.funders import FunderSpec

DEFINITIONS = declare(
    "onem.",
    {
        "contacts": ("Contacts", "contacts"),
        "persons": ("Personnes", "persons"),
        "age_min": ("Âge de la plus jeune", "years"),
    },
    kinds={"age_min": "extreme"},
    hierarchy={"contacts": "sites", "persons": "persons"},
    extremes={"age_min": ("youngest", "ages")},
)


def compute_figures(ds, year, method="wilson", level=0.95):
    raise AssertionError("not computed here")


def ages(ds, year):
    return pd.Series([31.0, 19.0, 44.0, 25.0, 52.0, 38.0, 22.0][: ds], name="age")


FUNDER = FunderSpec(id="onem", title="ONEm", scope="aviq", indicators=__name__, sections=(), methods=".")
"""


@pytest.fixture
def onem(tmp_path, monkeypatch):
    path = tmp_path / "onem_generic.py"
    path.write_text(_MODULE, encoding="utf-8")
    monkeypatch.setenv(funders.ENV, str(path))
    assert funders.ids()[-1] == "onem"
    return path


def test_a_fourth_funder_gets_its_hierarchy_from_its_definitions(onem):
    """No ``partitions`` in its spec, no ``partitions()`` in its module: the declared lines, over its scope."""
    present = {("onem.contacts", f"site:{s}") for s in _sites_of("aviq")} | {
        ("onem.contacts", "province:liege")
    }
    figures = pd.DataFrame(
        {"indicator": [i for i, _ in sorted(present)], "scope": [s for _, s in sorted(present)]}
    )
    got = [_key(p) for p in publish.partitions_of("onem", figures, load_sites())]
    expected = expected_lines("aviq", "onem.contacts", "sites", present) | expected_lines(
        "aviq", "onem.persons", "persons"
    )
    assert set(got) == expected and len(got) == len(expected)
    assert len(expected_lines("aviq", "onem.contacts", "sites", present)) == 4  # the 4 provinces of Wallonia


def test_a_spec_naming_its_own_partitions_gets_them(onem):
    """``FunderSpec.partitions``, when given, replaces the generic lines (module partitions, hierarchy)."""
    source = onem.read_text(encoding="utf-8").replace(
        'sections=(), methods=".")',
        'sections=(), methods=".", partitions=__name__ + ":mine")\n\n'
        "def mine(figures, sites):\n    return [len(figures), sites]\n",
    )
    onem.write_text(source, encoding="utf-8")
    sys.modules.pop("onem_generic", None)  # imported by the fixture: read the new source
    figures = pd.DataFrame({"indicator": ["onem.contacts"], "scope": ["site:liege"]})
    assert publish.partitions_of("onem", figures, "the sites") == [1, "the sites"]


def test_a_fourth_funder_extreme_is_folded_from_its_distribution(onem):
    table = pd.DataFrame(
        {
            "indicator": ["onem.age_min", "onem.age_min", "onem.contacts"],
            "year": [2019, 2020, 2019],
            "value": [19.0, 19.0, 7.0],
            "label": ["Âge de la plus jeune"] * 2 + ["Contacts"],
            "method": [""] * 3,
            "suppressed": [False, True, False],
            "suppression": ["", "primary", ""],
        }
    )
    # ``ds`` is handed to the module's ``ages(ds, year)``: here the number of ages it returns
    folded = publish._fold_extremes(7, "onem", table, 3)  # 19 22 25 31 38 44 52: the 3rd youngest is 25
    assert (
        folded["value"].iloc[0] == 25.0 and folded["label"].iloc[0] == "Âge de la 3e personne la plus jeune"
    )
    assert pd.isna(folded["value"].iloc[1]) and folded["suppression"].iloc[1] == "derived"
    assert folded.iloc[2].equals(table.iloc[2])  # not an extreme
    few = publish._fold_extremes(2, "onem", table, 3)  # two ages known: fewer than k, nothing printed
    assert pd.isna(few["value"].iloc[0]) and bool(few["suppressed"].iloc[0])


def test_the_inami_extremes_are_declared_not_listed():
    declared = {i.id: (i.extreme, i.distribution) for i in inami.DEFINITIONS.values() if i.extreme}
    assert declared == {
        "inami.age_min": ("youngest", "age_distribution"),
        "inami.age_max": ("oldest", "age_distribution"),
    }
    assert not hasattr(publish, "EXTREME_AGES") and not hasattr(inami, "BY_AREA")


def test_a_module_lacking_the_distribution_of_its_extreme_is_refused(onem):
    source = onem.read_text(encoding="utf-8").replace("def ages(", "def other_ages(")
    onem.write_text(source, encoding="utf-8")
    sys.modules.pop("onem_generic", None)
    with pytest.raises(EspacepError, match="lacks ages"):
        funders.get("onem").indicator_module()


# --- the declarations are checked ---------------------------------------------------------------


def test_an_unknown_hierarchy_or_an_extreme_without_side_is_refused():
    with pytest.raises(EspacepError, match="unknown hierarchy 'regions'"):
        Indicator("x.n", "n", "persons", "count", hierarchy="regions")
    with pytest.raises(EspacepError, match="an extreme, and only an extreme"):
        Indicator("x.age_min", "âge", "years", "extreme")
    with pytest.raises(EspacepError, match="an extreme, and only an extreme"):
        Indicator("x.n", "n", "persons", "count", extreme="youngest", distribution="ages")
    with pytest.raises(EspacepError, match=r"hierarchy names unknown indicators \['persons'\]"):
        declare("x.", {"n": ("n", "persons")}, hierarchy={"persons": "exact"})
    assert set(definitions.HIERARCHIES) == {"exact", "persons", "antennas", "sites"}
