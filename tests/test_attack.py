"""Issue 11, item 1: no masked count comes back, tried by an independent attacker.

`attacker` (tests/attacker.py) reads none of the protection's relations: it
discovers the linear relations among the unmasked figures of all three funders
and every report year on perturbed copies of the data, then tries them, with
the masked cells' bounds, on the masked figures as published. Two data sets:
the embedded one, and one generated with another seed and cut to 40 % of its
persons, so that the small counts fall in other cells. The attack of each data
set runs once per session (about 30-60 s each).

The self-tests check that the attacker is not vacuous: with the protection
removed around one cell it finds that cell, with bounds it pins two masked cells
whose sum is published, and it finds nothing where nothing can be found.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import attacker as A
import numpy as np
import pytest

from espacep_analysis.load import load_dataset
from espacep_analysis.synthetic import generate

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ("embedded", "generated-40pct")
OTHER_SEED = 20250611
_ATTACKS: dict = {}


@pytest.fixture(scope="session")
def attacked(tmp_path_factory):
    """name -> (dataset, attack result), computed once per session and data set."""

    def get(name: str):
        if name not in _ATTACKS:
            if name == "embedded":
                ds = load_dataset(ROOT / "data" / "synthetic")
            else:
                out = tmp_path_factory.mktemp("attack_data")
                generate(out, seed=OTHER_SEED)
                ds = A.subsample(load_dataset(out), 0.4, seed=3)
            _ATTACKS[name] = (ds, A.attack(ds))
        return _ATTACKS[name]

    return get


@pytest.mark.parametrize("name", DATASETS)
def test_no_masked_cell_is_recovered(attacked, name):
    ds, result = attacked(name)
    assert result.pub.masked, "nothing is masked: the attack would pass vacuously"
    assert result.relations, "no relation discovered: the attacker is broken"
    if result.recovered:
        pytest.fail(
            f"{len(result.recovered)} masked cells recovered on {name}:\n" + "\n".join(result.breaches()),
            pytrace=False,
        )


@pytest.mark.parametrize("name", DATASETS)
def test_extreme_ages_describe_min_cell_persons(attacked, name):
    ds, result = attacked(name)
    found = A.extreme_ages(ds, result.pub)
    if found:
        pytest.fail("\n".join(found), pytrace=False)


# --- self-tests of the attacker ------------------------------------------------------------------


def _toy(shown: dict, masked: dict, truth_rows: np.ndarray, names: list[str]) -> A.Attack:
    """The attacker on a hand-made table: cells ``names``, sample rows ``truth_rows``."""
    keys = [("toy", n, "all", 2019, "value") for n in names]
    truth = dict(zip(keys, truth_rows[0].tolist()))
    pub = A.Publication(
        truth=truth,
        shown={keys[names.index(n)]: truth[keys[names.index(n)]] for n in shown},
        masked={keys[names.index(n)]: kind for n, kind in masked.items()},
        report_years={},
        threshold={"toy": 5},
    )
    samples = [dict(zip(keys, row.tolist())) for row in truth_rows[1:]]
    return A.attack(None, pub=pub, sample_list=samples)


def _family(seed: int = 0, full=(2, 1, 30, 40)) -> np.ndarray:
    """Samples of parts a, b, c, d and their total t (row 0 = the full data)."""
    rng = np.random.default_rng(seed)
    parts = np.vstack([np.array(full)] + [rng.binomial(np.array(full) + 3, 0.6) for _ in range(A.K_COPIES)])
    return np.column_stack([parts, parts.sum(axis=1)])


def test_selftest_finds_a_part_from_its_total_and_published_siblings():
    rows = _family()
    result = _toy(["b", "c", "d", "t"], {"a": "primary"}, rows, ["a", "b", "c", "d", "t"])
    key = ("toy", "a", "all", 2019, "value")
    assert set(result.recovered) == {key}
    assert result.recovered[key][0] == 2
    assert "t[all,2019]=" in result.breaches()[0]


def test_selftest_pins_two_masked_cells_with_their_bounds():
    rows = _family(full=(1, 1, 30, 40))  # a + b = t - c - d = 2 with a, b in [1, 4]
    result = _toy(["c", "d", "t"], {"a": "primary", "b": "primary"}, rows, ["a", "b", "c", "d", "t"])
    assert {k[1] for k in result.recovered} == {"a", "b"}
    assert all(v == 1 for v, _, _ in result.recovered.values())


def test_selftest_finds_nothing_when_nothing_is_determined():
    rows = _family(full=(2, 3, 30, 40))  # a + b = 5: (1, 4), (2, 3), ... all possible
    result = _toy(["c", "d", "t"], {"a": "primary", "b": "primary"}, rows, ["a", "b", "c", "d", "t"])
    assert result.relations and not result.recovered
    # and no relation at all between independent cells
    rng = np.random.default_rng(1)
    free = np.vstack([[2, 30, 40]] + [rng.binomial([5, 33, 43], 0.6) for _ in range(A.K_COPIES)])
    result = _toy(["b", "c"], {"a": "primary"}, free, ["a", "b", "c"])
    assert not result.relations and not result.recovered


def test_selftest_on_real_figures_with_the_protection_removed(attacked):
    """Publish every unmasked figure of the embedded data but HSIL 2019: the attacker finds it."""
    ds, result = attacked("embedded")
    pub = result.pub
    target = ("inami", "inami.cytology.hsil", "all", 2019, "value")
    assert target in pub.truth
    naked = dataclasses.replace(
        pub, shown={k: v for k, v in pub.truth.items() if k != target}, masked={target: "primary"}
    )
    found = A.attack(None, pub=naked, sample_list=result.samples)
    assert target in found.recovered, found.breaches()
    assert found.recovered[target][0] == pub.truth[target]
