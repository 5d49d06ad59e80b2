"""The funder registry: one spec per funder, from which the notebooks and the funder lists derive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from espacep_analysis import declared, funders, publish
from espacep_analysis.errors import EspacepError
from espacep_analysis.notebooks import notebook_text

REPO = Path(__file__).resolve().parents[1]


def test_registry_lists_the_three_funders_in_report_order_with_their_printed_names():
    assert funders.ids() == ("inami", "aviq", "cocof")
    assert [funders.title(f) for f in funders.ids()] == ["INAMI", "AViQ", "Cocof"]
    assert declared.funders_with_params() == ("aviq", "cocof")


@pytest.mark.parametrize("funder", ["inami", "aviq", "cocof"])
def test_committed_notebook_is_the_one_the_registry_generates(funder):
    # regenerate with: python -m espacep_analysis.notebooks notebooks/
    committed = (REPO / "notebooks" / f"{funder}.ipynb").read_text(encoding="utf-8")
    assert committed == notebook_text(funder)


def test_notebook_headings_are_the_published_report_headings():
    # the section titles of the client's 2019 INAMI report (shared/reference/rapport_moral_2019.txt)
    cells = json.loads(notebook_text("inami"))["cells"]
    markdown = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    assert markdown[0] == (
        "## 1. Les contacts\n\n"
        "### 1.1 Nombre de travailleurs du sexe vus et nombre de consultations (critère 1)"
    )
    assert "## 5. La vaccination" in markdown
    assert markdown[-1] == "## Méthodes"
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert code[2] == 'show(spec.section("contacts")(report))'


def test_every_section_resolves_to_a_function_and_every_declared_narrative_has_a_section():
    for spec in funders.registered().values():
        assert len({s.key for s in spec.sections}) == len(spec.sections)
        for section in spec.sections:
            assert callable(section.function()), section.page
        narratives = {s.narrative for s in spec.sections if s.narrative}
        assert narratives == set(spec.declared or {}), spec.id


def test_unknown_funder_is_an_error_naming_the_known_ones():
    with pytest.raises(EspacepError, match=r"inconnu 'onem'.*\['inami', 'aviq', 'cocof'\]"):
        funders.get("onem")
    with pytest.raises(EspacepError, match="onem"):
        publish.compute(None, "onem", 2019, "wilson", 0.95)
    with pytest.raises(EspacepError, match="onem"):
        declared.sections_of("onem")


def test_relations_come_from_the_specs():
    relations = publish.relations()
    assert len(relations) == 6
    assert relations[0].total == ("inami", "inami.persons_seen", "region:wallonie")
    assert relations[0].parts == (("aviq", "aviq.inami.persons_seen", "region:wallonie"),)
    assert relations[-1].parts == (("cocof", "cocof.inami.migrant_share", "region:bruxelles"),)


def test_a_funder_module_listed_in_the_environment_is_registered(tmp_path, monkeypatch):
    module = tmp_path / "onem_funder.py"
    module.write_text(
        "from espacep_analysis.funders import FunderSpec\n"
        "FUNDER = FunderSpec(id='onem', title='ONEm', scope='cocof', indicators='x', partitions='x:y',"
        " sections=(), methods='.')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(funders.ENV, str(module))
    assert funders.ids() == ("inami", "aviq", "cocof", "onem")
    assert funders.title("onem") == "ONEm"
    monkeypatch.setenv(funders.ENV, f"{module},{module}")
    with pytest.raises(EspacepError, match="second time"):
        funders.ids()
    monkeypatch.setenv(funders.ENV, str(tmp_path / "absent.py"))
    with pytest.raises(EspacepError, match="file not found"):
        funders.ids()


def test_an_indicator_module_without_definitions_is_refused_by_name():
    """A funder's indicators are declared in ``DEFINITIONS``: a module without it is an error naming it."""
    import dataclasses

    from espacep_analysis import funders
    from espacep_analysis.errors import EspacepError

    spec = dataclasses.replace(funders.get("inami"), indicators="espacep_analysis.stats")
    with pytest.raises(EspacepError, match=r"'espacep_analysis.stats' lacks compute_figures, DEFINITIONS"):
        spec.indicator_module()
