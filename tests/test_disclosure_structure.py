"""Every figure a funder defines is known to disclosure control (issues 11 and 12).

A figure is either in a line of its module's ``partitions()`` (or of the site
hierarchy / cross-report relations that `publish` adds) or declared
``standalone`` in its definitions. A new figure added to a registry without
either fails here, instead of silently escaping complementary suppression.
Each declared family of categories (`definitions.Category`) must have its sum
declared against a total, and the declared lines must hold on the data.
"""

import numpy as np
import pytest

from espacep_analysis import definitions, publish
from espacep_analysis.indicators import aviq, cocof, inami
from espacep_analysis.load import load_dataset
from espacep_analysis.units import DISCLOSIVE_UNITS

MODULES = {"inami": inami, "aviq": aviq, "cocof": cocof}


def _ids_in(partitions) -> set[str]:
    return definitions.referenced_ids(partitions)


_DATASET = []
_FIGURES: dict = {}


def _dataset():
    if not _DATASET:
        _DATASET.append(load_dataset("data/synthetic"))
    return _DATASET[0]


def _figures(funder: str):
    """The unmasked 2019 figures of ``funder`` on the synthetic data (computed once)."""
    if funder not in _FIGURES:
        _FIGURES[funder] = publish.compute(_dataset(), funder, 2019, "wilson", 0.95)
    return _FIGURES[funder]


def _declared(funder: str, sites) -> set[str]:
    figures = _figures(funder)
    ids = _ids_in(publish.PARTITIONS[funder](figures, sites))
    ids |= {rel.total[1] for rel in publish.RELATIONS if rel.total[0] == funder}
    ids |= {part[1] for rel in publish.RELATIONS for part in rel.parts if part[0] == funder}
    return ids | MODULES[funder].STANDALONE


@pytest.fixture(scope="module")
def sites():
    return _dataset().sites


@pytest.mark.parametrize("funder", sorted(MODULES))
def test_every_disclosive_figure_is_declared(funder, sites):
    disclosive = {
        i
        for i, (_, unit) in MODULES[funder].INDICATORS.items()
        if unit in DISCLOSIVE_UNITS or unit == "proportion"
    }
    missing = sorted(disclosive - _declared(funder, sites))
    assert not missing, f"declare these {funder} figures in partitions() or STANDALONE: {missing}"


def test_declarations_name_existing_figures(sites):
    for funder, module in MODULES.items():
        figures = _figures(funder)
        unknown = sorted((_declared(funder, sites) - set(module.INDICATORS)) - set(figures["indicator"]))
        assert not unknown, f"{funder}: declared ids that no definition produces: {unknown}"


def test_the_check_catches_a_forgotten_figure(monkeypatch, sites):
    """Removing one family from the INAMI declarations makes the completeness test fail."""
    kept = [p for p in inami.partitions() if not any("cytology" in str(ref) for ref in p.parts)]
    monkeypatch.setattr(inami, "partitions", lambda: kept)
    with pytest.raises(AssertionError, match="inami.cytology"):
        test_every_disclosive_figure_is_declared("inami", sites)


def _family_lines(module) -> dict[str, list]:
    """Each declared family of categories -> the partitions whose parts hold all its members."""
    out = {}
    for family in definitions.categories(module.DEFINITIONS):
        members = set(definitions.category_members(module.DEFINITIONS, family))
        out[family] = [
            part
            for part in module.partitions()
            if members
            <= {ref.indicator if isinstance(ref, definitions.Denominator) else ref for ref in part.parts}
        ]
    return out


@pytest.mark.parametrize("funder", sorted(MODULES))
def test_every_family_of_categories_adds_up_to_a_declared_total(funder):
    undeclared = sorted(family for family, lines in _family_lines(MODULES[funder]).items() if not lines)
    assert not undeclared, f"declare the sum of these {funder} families against a total: {undeclared}"


def test_the_families_are_the_ones_expected():
    """The registries' loops over code lists are declared as families (read from the code lists, not the ids)."""
    assert set(definitions.categories(inami.DEFINITIONS)) == {
        "inami." + c
        for c in ("workplace", "age_band", "gender", "origin", "cytology", "treatments", "referrals")
    }
    assert definitions.category_members(inami.DEFINITIONS, "inami.gender") == (
        "inami.gender.woman",
        "inami.gender.man",
        "inami.gender.trans",
    )
    assert len(definitions.category_members(aviq.DEFINITIONS, "aviq.demands")) == len(aviq.SOCIAL_DEMANDS)


def _cell(figures, ref, scope):
    """The count a partition reference carries at ``scope`` (or its own) in 2019; NaN when absent."""
    column = None
    if isinstance(ref, definitions.Denominator):
        ind, scope, column = ref.indicator, ref.scope or scope, "denominator"
    elif isinstance(ref, str):
        ind = ref
    else:
        ind, scope = ref
    rows = figures[(figures["indicator"] == ind) & (figures["scope"] == scope) & (figures["year"] == 2019)]
    if len(rows) != 1:
        return np.nan
    row = rows.iloc[0]
    return float(row[column or ("numerator" if row["unit"] == "proportion" else "value")])


@pytest.mark.parametrize("funder", sorted(MODULES))
def test_declared_families_hold_on_the_data(funder):
    """Each family's line adds up on the synthetic data, in every scope: exactly, or up to a rest."""
    figures = _figures(funder)
    checked = 0
    for family, lines in _family_lines(MODULES[funder]).items():
        for line in lines:
            for scope in sorted(set(figures["scope"])):
                total = _cell(figures, line.total, scope)
                parts = [_cell(figures, ref, scope) for ref in line.parts]
                if np.isnan(total) or np.isnan(parts).any():
                    continue
                checked += 1
                if line.rest:
                    assert sum(parts) <= total, (family, scope)
                else:
                    assert sum(parts) == total, (family, scope, parts, total)
    assert checked >= len(_family_lines(MODULES[funder]))


def test_the_family_check_catches_a_dropped_family(monkeypatch):
    """Dropping the gender line from the INAMI declarations makes the family test fail."""
    kept = [p for p in inami.partitions() if "inami.gender.man" not in p.parts]
    assert len(kept) == len(inami.partitions()) - 1
    monkeypatch.setattr(inami, "partitions", lambda: kept)
    with pytest.raises(AssertionError, match="inami.gender"):
        test_every_family_of_categories_adds_up_to_a_declared_total("inami")


def test_a_misspelt_declaration_is_refused():
    entries = {"seen": ("Vus", "persons"), "share": ("Part", "proportion")}
    assert definitions.declare("t.", entries, standalone=["seen"])["t.seen"].standalone
    with pytest.raises(definitions.EspacepError, match="seeen"):
        definitions.declare("t.", entries, standalone=["seeen"])
    with pytest.raises(definitions.EspacepError, match="kind"):
        definitions.declare("t.", {"age": ("Âge", "years")})
