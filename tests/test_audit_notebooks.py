"""The audit against real notebook runs: a notebook that prints a record is caught; ours are clean.

Identifiable values are seeded into a copy of the synthetic data (a pseudonym that
looks like a real one), then a notebook executed by papermill prints one row of the
persons table: `audit_outputs` must name the executed notebook and the pseudonym.
The shipped INAMI notebook, run on the same seeded data, leaks nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest

from espacep_analysis.audit import audit_outputs
from espacep_analysis.batch import publishable_notebook

ROOT = Path(__file__).resolve().parent.parent
SEEDED = "DUPONT-MARIE-8803"


@pytest.fixture(scope="module")
def seeded_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("seeded")
    for path in (ROOT / "data" / "synthetic").glob("*.csv"):
        shutil.copy(path, data / path.name)
    persons = pd.read_csv(data / "persons.csv", dtype=str, keep_default_na=False)
    old = persons.loc[0, "pseudonym"]
    for name in ("persons", "consultations", "lab_results", "medical_acts", "contacts", "social_actions"):
        path = data / f"{name}.csv"
        if path.exists():
            path.write_text(path.read_text(encoding="utf-8").replace(old, SEEDED), encoding="utf-8")
    return data


def _run(notebook: Path, out_dir: Path, data: Path) -> None:
    papermill.execute_notebook(
        str(notebook),
        str(out_dir / "report.ipynb"),
        cwd=str(out_dir),
        parameters={
            "data_dir": str(data),
            "output_dir": str(out_dir),
            "params_dir": str(ROOT / "params"),
            "min_cell": 0,
        },
        progress_bar=False,
    )


def test_a_notebook_printing_a_record_is_caught(seeded_data, tmp_path):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('data_dir = ""\noutput_dir = ""\nparams_dir = ""\nmin_cell = 0')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell(
            "from espacep_analysis import settings\n"
            "settings.activate(params_dir)\n"
            "from espacep_analysis.load import load_dataset\n"
            "ds = load_dataset(data_dir)\n"
            "ds.persons[ds.persons.pseudonym.str.startswith('DUPONT')]"
        ),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    leaky = tmp_path / "leaky.ipynb"
    nbformat.write(nb, leaky)
    out = tmp_path / "out"
    out.mkdir()
    _run(leaky, out, seeded_data)
    findings = audit_outputs(out, seeded_data)
    assert any(f.match == SEEDED and Path(f.file).name == "report.ipynb" for f in findings), findings


def test_the_shipped_notebook_leaks_nothing(seeded_data, tmp_path):
    out = tmp_path / "inami"
    out.mkdir()
    _run(ROOT / "notebooks" / "inami.ipynb", out, seeded_data)
    assert (out / "figures.csv").exists()
    # papermill records the machine's paths; the batch publishes the notebook without them
    assert {f.kind for f in audit_outputs(out, seeded_data)} == {"machine_path", "data_path"}
    nb = nbformat.read(out / "report.ipynb", as_version=4)
    nbformat.write(publishable_notebook(nb, "inami.ipynb"), out / "report.ipynb")
    assert audit_outputs(out, seeded_data) == []
