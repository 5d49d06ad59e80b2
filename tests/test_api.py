"""The analysts' front door: `espacep_analysis.__all__`, `Figures`, no writes unless asked, explore.ipynb."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import papermill
import pytest
import yaml

import espacep_analysis as ep
from espacep_analysis import publish

ROOT = Path(__file__).resolve().parent.parent
SYNTHETIC = ROOT / "data" / "synthetic"
EXPLORE = ROOT / "notebooks" / "explore.ipynb"


def test_every_public_name_resolves_and_is_documented():
    assert "__version__" in ep.__all__ and len(ep.__all__) <= 25
    for name in ep.__all__:
        value = getattr(ep, name)
        assert name == "__version__" or (value.__doc__ or "").strip(), name
    assert ep.Dataset.__doc__ and "lab_results" in ep.Dataset.__doc__
    with pytest.raises(AttributeError):
        _ = ep.not_a_name


def test_importing_the_package_stays_cheap():
    code = "import sys, espacep_analysis; print('pandas' in sys.modules, 'matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.split() == ["False", "False"]


@pytest.fixture(scope="module")
def dataset():
    return ep.load_dataset(SYNTHETIC, ROOT / "params")


def test_unmasked_figures_say_so_and_warn_when_written(dataset, tmp_path):
    figures = ep.compute_figures(dataset, "inami", 2019)
    assert not figures.masked and figures.table.attrs["espacep_masked"] is False
    assert repr(figures).startswith("Figures NON MASQUÉES")
    assert "NON MASQUÉES" in figures._repr_html_()
    with pytest.warns(ep.UnmaskedFiguresWarning, match="NON MASQUÉES"):
        written = figures.to_csv(tmp_path / "brut.csv")
    assert len(pd.read_csv(written)) == len(figures)

    pyramid = figures.select("inami.age_band_gender.")
    masked = ep.protect(pyramid, min_cell=5)
    assert masked.masked and masked.table.attrs["espacep_masked"] is True
    assert repr(masked).startswith("Figures masquées (seuil 5)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        masked.to_csv(tmp_path / "masque.csv")
    small = ((pyramid.table["value"] >= 1) & (pyramid.table["value"] < 5)).to_numpy()
    assert small.any() and masked.table.loc[small, "suppressed"].all()
    assert np.isnan(masked.table.loc[small, "value"]).all()
    assert ep.protect(pyramid, min_cell=0).masked is False


def test_published_figures_write_no_cache_unless_asked(dataset, monkeypatch, tmp_path):
    def no_write(*args, **kwargs):
        raise AssertionError("a cache file was written")

    monkeypatch.setattr(publish.pickle, "dump", no_write)
    figures = ep.published_figures(dataset, "inami", 2019, min_cell=0)
    assert not figures.masked and repr(figures).startswith("Figures NON MASQUÉES")
    figures = ep.published_figures(dataset, "inami", 2019)
    assert figures.masked and figures.min_cell == dataset.sites.funder_min_cell.get("inami", 5)
    monkeypatch.undo()
    ep.published_figures(dataset, "inami", 2019, cache_dir=tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("disclosure-*.pkl"))) == 1


def test_mask_counts_masks_small_counts_and_what_reveals_them():
    # 3 is masked; then, line by line, the smallest other non-zero cell (Hundepool et al. 2012, ch. 4):
    # row x -> 10, column a -> 20, column b -> 12 (two masked in each line: nothing can be recomputed)
    counts = pd.DataFrame({"a": [3, 20], "b": [10, 12]}, index=["x", "y"])
    shown = ep.mask_counts(counts, min_cell=5)
    assert shown.to_dict("index") == {
        "x": {"a": "< 5", "b": "x", "Total": 13},
        "y": {"a": "x", "b": "x", "Total": 32},
        "Total": {"a": 23, "b": 22, "Total": 45},
    }


def _hiv_women_20_29_brussels(year: int) -> tuple[int, int]:
    """Positives and persons tested, from the CSV files and sites.yaml only (not through the package)."""
    sites = yaml.safe_load((ROOT / "params" / "sites.yaml").read_text(encoding="utf-8"))
    antenna_region = {
        a: sites["provinces"][spec["province"]]["region"] for a, spec in sites["antennas"].items()
    }
    brussels = {s for s, spec in sites["sites"].items() if antenna_region[spec["antenna"]] == "bruxelles"}
    lab = pd.read_csv(SYNTHETIC / "lab_results.csv", dtype=str)
    persons = pd.read_csv(SYNTHETIC / "persons.csv", dtype=str)
    born = pd.to_numeric(persons["birth_year"])
    group = set(persons.loc[(persons["gender"] == "woman") & (year - born).between(20, 29), "pseudonym"])
    rows = lab.loc[
        (lab["test"] == "hiv")
        & lab["sample_date"].str.startswith(str(year))
        & lab["result"].isin(["positive", "negative"])
        & lab["site"].isin(brussels)
        & lab["pseudonym"].isin(group)
    ]
    positive = rows.groupby("pseudonym")["result"].agg(lambda r: (r == "positive").any())
    return int(positive.sum()), len(positive)


def test_explore_notebook_is_committed_without_outputs():
    nb = nbformat.read(EXPLORE, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert "parameters" in code[0].metadata.get("tags", [])


def test_explore_notebook_runs_and_writes_nothing(tmp_path):
    before = sorted(p.relative_to(ROOT) for p in (ROOT / "notebooks").rglob("*"))
    out = tmp_path / "explore.ipynb"
    papermill.execute_notebook(
        str(EXPLORE), str(out), cwd=str(ROOT / "notebooks"), parameters={"year": 2019}, progress_bar=False
    )
    assert sorted(p.relative_to(ROOT) for p in (ROOT / "notebooks").rglob("*")) == before
    nb = nbformat.read(out, as_version=4)
    text = "\n".join(
        o.get("text", "") or o.get("data", {}).get("text/plain", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    x, n = _hiv_women_20_29_brussels(2019)
    assert f"; {x} / {n})" in text and "Positivité VIH, femmes de 20 à 29 ans" in text
    assert "< 5" in text and "Figures masquées (seuil 5)" in text
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/svg+xml" in o.get("data", {})]
    assert len(images) == 1 and images[0]["metadata"]["image/svg+xml"]["alt"].startswith("Positivité VIH")
    assert "image/png" not in images[0]["data"]  # a hand run draws no PNG (only Word reads it)
