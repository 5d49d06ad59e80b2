"""Every figure a funder defines is known to disclosure control (issue 11).

A figure is either in a line of its module's ``partitions()`` (or of the site
hierarchy / cross-report relations that `publish` adds) or declared
``STANDALONE``. A new figure added to a registry without either fails here,
instead of silently escaping complementary suppression.
"""

import pytest

from espacep_analysis import disclosure, publish
from espacep_analysis.indicators import aviq, cocof, inami
from espacep_analysis.load import load_dataset
from espacep_analysis.units import DISCLOSIVE_UNITS

MODULES = {"inami": inami, "aviq": aviq, "cocof": cocof}


def _ids_in(partitions) -> set[str]:
    ids = set()
    for part in partitions:
        for ref in (*part.parts, part.total):
            if isinstance(ref, disclosure.Denominator):
                ids.add(ref.indicator)
            else:
                ids.add(ref if isinstance(ref, str) else ref[0])
    return ids


_DATASET = []


def _dataset():
    if not _DATASET:
        _DATASET.append(load_dataset("data/synthetic"))
    return _DATASET[0]


def _declared(funder: str, sites) -> set[str]:
    figures = publish.compute(_dataset(), funder, 2019, "wilson", 0.95)
    ids = _ids_in(publish.partitions_of(funder, figures, sites))
    ids |= {rel.total[1] for rel in publish.relations() if rel.total[0] == funder}
    ids |= {part[1] for rel in publish.relations() for part in rel.parts if part[0] == funder}
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
        figures = publish.compute(_dataset(), funder, 2019, "wilson", 0.95)
        unknown = sorted((_declared(funder, sites) - set(module.INDICATORS)) - set(figures["indicator"]))
        assert not unknown, f"{funder}: declared ids that no definition produces: {unknown}"


def test_the_check_catches_a_forgotten_figure(monkeypatch, sites):
    """Removing one family from the INAMI declarations makes the completeness test fail."""
    kept = [p for p in inami.partitions() if not any("cytology" in str(ref) for ref in p.parts)]
    monkeypatch.setattr(inami, "partitions", lambda: kept)
    with pytest.raises(AssertionError, match="inami.cytology"):
        test_every_disclosive_figure_is_declared("inami", sites)
