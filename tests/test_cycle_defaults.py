"""Defaults that cannot mislead (issue 10, items 7-9): banners, the audit's data, hand runs, ``--params``.

- Reports of the synthetic data carry the synthetic banner, internal runs the
  internal one, on every PDF page, the title page and in ``outputs/index.html``.
- ``espacep audit OUT`` without ``--data`` audits against the data recorded by
  the batch, and refuses when none is recorded.
- A notebook run by hand writes into ``scratch/`` of the project, never into
  ``outputs/``; its relative ``data_dir`` resolves against the project, from the
  root and from ``notebooks/``.
- The batch renders again a report whose published files were edited.
- ``--params DIR`` works from outside any project; the calibration targets are
  not an input of any report (digests, cache key).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from espacep_analysis import banners, batch, publish, settings
from espacep_analysis.audit_files import walk_outputs
from espacep_analysis.batch import BatchOptions, input_digests, run_batch

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "data" / "synthetic"
BIN = Path(sys.executable).parent
EPOCH = "1577836800"
RENAMED_ANTENNA = "Antenne Mosane de test"


def _env(**extra: str) -> dict:
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **extra}


# --- one internal run from outside any project, with a params copy -------------------------------


@pytest.fixture(scope="module")
def internal_run(tmp_path_factory) -> dict:
    """``espacep report --min-cell 0`` of INAMI 2019, run from a folder outside any project.

    ``--params`` is a copy of ``params/`` whose Liège antenna is renamed.
    """
    root = tmp_path_factory.mktemp("elsewhere")
    params = root / "myparams"
    shutil.copytree(REPO / "params", params)
    sites = params / "sites.yaml"
    sites.write_text(
        sites.read_text(encoding="utf-8").replace(
            'liege: {label: "Liège", province: liege}',
            f'liege: {{label: "{RENAMED_ANTENNA}", province: liege}}',
        ),
        encoding="utf-8",
    )
    assert RENAMED_ANTENNA in sites.read_text(encoding="utf-8")
    out = root / "out"
    done = subprocess.run(
        [
            str(BIN / "espacep"),
            "report",
            "--data",
            str(SYNTHETIC),
            "--params",
            str(params),
            "--output",
            str(out),
            "--years",
            "2019",
            "--funders",
            "inami",
            "--min-cell",
            "0",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        env=_env(),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return {"root": root, "out": out, "params": params}


def _pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]  # lines may wrap


def test_banners_on_every_pdf_page_the_title_page_and_the_index(internal_run):
    folder = internal_run["out"] / "2019" / "inami"
    pages = _pdf_pages(folder / "report.pdf")
    assert len(pages) > 5
    for number, text in enumerate(pages, 1):
        assert banners.SYNTHETIC in text, f"page {number} lacks the synthetic banner"
        assert banners.INTERNAL in text, f"page {number} lacks the internal banner"
    html = (folder / "report.html").read_text(encoding="utf-8")
    title_page = html[html.index("<body>") : html.index("</header>")]
    assert banners.SYNTHETIC in title_page and banners.INTERNAL in title_page
    record = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    assert record["banners"] == [banners.SYNTHETIC, banners.INTERNAL]
    row = (internal_run["out"] / "index.html").read_text(encoding="utf-8").split("<h2>2019</h2>")[1]
    assert f'<div class="banner">{banners.SYNTHETIC}</div>' in row
    assert f'<div class="banner">{banners.INTERNAL}</div>' in row


def test_params_option_works_outside_the_project(internal_run):
    html = (internal_run["out"] / "2019" / "inami" / "report.html").read_text(encoding="utf-8")
    assert RENAMED_ANTENNA in html  # the label of the --params copy, not of the repository's params/
    assert settings.find_project(internal_run["root"]) is None


def test_audit_without_data_uses_the_recorded_data_and_refuses_without(internal_run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(internal_run["out"], out)
    record = json.loads((out / batch.DATA_RECORD).read_text(encoding="utf-8"))
    assert record == {"data_dir": str(SYNTHETIC)}
    audit = [str(BIN / "espacep"), "audit", str(out)]
    clean = subprocess.run(audit, cwd=tmp_path, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert str(SYNTHETIC) in clean.stderr  # it says which data it audits against
    # a pseudonym of the recorded data planted in a published file is found
    pseudonym = (SYNTHETIC / "persons.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    assert pseudonym.startswith("SYN-")
    with open(out / "2019" / "inami" / "figures.csv", "a", encoding="utf-8") as handle:
        handle.write(f"{pseudonym}\n")
    found = subprocess.run(audit, cwd=tmp_path, capture_output=True, text=True)
    assert found.returncode == 1 and pseudonym in found.stdout, found.stdout + found.stderr
    (out / batch.DATA_RECORD).unlink()
    refused = subprocess.run(audit, cwd=tmp_path, capture_output=True, text=True)
    assert refused.returncode == 2 and "aucun dossier de données enregistré" in refused.stderr, refused.stderr


def test_data_record_is_accepted_by_the_audit_only_as_written(tmp_path):
    batch.record_data_dir(tmp_path, SYNTHETIC)
    assert walk_outputs(tmp_path)[1] == []
    (tmp_path / batch.DATA_RECORD).write_text(json.dumps({"data_dir": str(SYNTHETIC), "x": "y"}))
    assert [f[1] for f in walk_outputs(tmp_path)[1]] == ["unknown_file"]


def test_banner_conditions():
    assert banners.report_banners(synthetic=True, internal=False) == [banners.SYNTHETIC]
    assert banners.report_banners(synthetic=False, internal=False) == []
    assert banners.is_synthetic(["AB12", "SYN-00AB3F"]) and not banners.is_synthetic(["AB12", "XSYN-1"])
    assert banners.is_internal(0) and banners.is_internal(1) and not banners.is_internal(5)
    with pytest.raises(ValueError, match="unknown banner condition"):
        banners.report_banners(synthetc=True)


# --- hand runs -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project: params, notebooks and the synthetic data (no outputs yet)."""
    root = tmp_path_factory.mktemp("project")
    for name in ("params", "notebooks"):
        shutil.copytree(REPO / name, root / name)
    shutil.copytree(SYNTHETIC, root / "data" / "synthetic")
    return root


@pytest.mark.parametrize("where", ["root", "notebooks"])
def test_readme_papermill_line_writes_into_scratch_not_outputs(project, where):
    """``papermill notebooks/inami.ipynb out.ipynb -p year 2018`` (README) from the root and from notebooks/."""
    cwd = project if where == "root" else project / "notebooks"
    notebook = "notebooks/inami.ipynb" if where == "root" else "inami.ipynb"
    published = project / "outputs" / "2018" / "inami"
    published.mkdir(parents=True, exist_ok=True)
    (published / "figures.csv").write_text("published\n", encoding="utf-8")
    done = subprocess.run(
        [str(BIN / "papermill"), notebook, "out.ipynb", "-p", "year", "2018"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=_env(),
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    scratch = project / "scratch" / "2018" / "inami"
    assert (scratch / "figures.csv").is_file() and (scratch / "provenance.json").is_file()
    assert (published / "figures.csv").read_text(encoding="utf-8") == "published\n"
    assert sorted(p.name for p in published.iterdir()) == ["figures.csv"]
    record = json.loads((scratch / "provenance.json").read_text(encoding="utf-8"))
    assert record["parameters"]["data_dir"] == "synthetic" and record["banners"] == [banners.SYNTHETIC]
    (scratch / "figures.csv").unlink()


def test_relative_directories_resolve_against_the_project(project):
    run = settings.for_notebook("aviq", 2019)
    assert run.output_dir == REPO / "scratch" / "2019" / "aviq"  # pytest runs from the repository
    os.chdir(project / "notebooks")
    try:
        run = settings.for_notebook("aviq", 2019, data_dir="data/synthetic")
    finally:
        os.chdir(REPO)
        settings.activate(REPO / "params")
    assert run.data_dir == project / "data" / "synthetic"
    assert run.params_dir == project / "params"
    assert run.output_dir == project / "scratch" / "2019" / "aviq"


# --- the batch's up-to-date check covers the published files --------------------------------------

TINY = """
import json, os
from IPython.display import Markdown, display
display(Markdown(f"## Rapport factice {year}"))
with open(os.path.join(output_dir, "figures.csv"), "w") as f:
    f.write(f"indicator,year,value\\nn,{year},42\\n")
with open(os.path.join(output_dir, "figures-excel.csv"), "w") as f:
    f.write(f"indicator;year;value\\nn;{year};42\\n")
with open(os.path.join(output_dir, "provenance.json"), "w") as f:
    json.dump({"year": year, "rendered_at": "2020-01-01T00:00:00Z"}, f)
"""


def test_an_edited_published_file_is_rendered_again(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = new_notebook(
        cells=[
            new_code_cell('year = 2019\ndata_dir = ""\noutput_dir = ""', metadata={"tags": ["parameters"]}),
            new_markdown_cell("# Essai"),
            new_code_cell(TINY),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "inami.ipynb")
    out = tmp_path / "out"
    options = BatchOptions(
        data_dir=SYNTHETIC,
        output_dir=out,
        years=[2019],
        funders=["inami"],
        pdf=False,
        workers=1,
        warm_kernels=False,
        notebooks_dir=folder,
    )

    def run() -> str:
        text = io.StringIO()
        assert run_batch(options, out=text) == 0, text.getvalue()
        return text.getvalue()

    assert "1 produit," in run()
    assert "1 à jour" in run()
    html = out / "2019" / "inami" / "report.html"
    original = html.read_bytes()
    html.write_bytes(original.replace(b"Rapport factice", b"Rapport retouch\xc3\xa9"))
    assert "1 produit," in run()
    assert html.read_bytes() == original
    (out / "2019" / "inami" / "figures.csv").write_text("indicator,year,value\n", encoding="utf-8")
    assert "1 produit," in run()


# --- calibration targets are not an input of a report ---------------------------------------------


def test_targets_are_not_hashed_into_digests_or_cache_key(tmp_path):
    from espacep_analysis.load import load_dataset

    params = tmp_path / "params"
    shutil.copytree(REPO / "params", params)
    before = input_digests(SYNTHETIC, params)
    settings.activate(params)
    try:
        dataset = load_dataset(SYNTHETIC)
        key = publish._cache_key(dataset, "wilson", 0.95, 5)
        with open(params / "targets.yaml", "a", encoding="utf-8") as handle:
            handle.write("# a calibration target edited\n")
        assert input_digests(SYNTHETIC, params) == before
        assert publish._cache_key(dataset, "wilson", 0.95, 5) == key
        with open(params / "sites.yaml", "a", encoding="utf-8") as handle:
            handle.write("# a runtime input edited\n")
        assert input_digests(SYNTHETIC, params).params != before.params
        assert publish._cache_key(dataset, "wilson", 0.95, 5) != key
    finally:
        settings.activate(REPO / "params")


# --- whole years only --------------------------------------------------------------------------------

CUT = "2019-03-19"


@pytest.fixture(scope="module")
def partial_data(tmp_path_factory) -> Path:
    """The synthetic data cut on 19 March 2019: 2019 is a partial year."""
    import pandas as pd

    folder = tmp_path_factory.mktemp("partial")
    for path in SYNTHETIC.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in ("date", "sample_date", "inclusion_date", "result_given_date"):
            if column in frame:
                frame = frame[(frame[column] == "") | (frame[column] <= CUT)]
        frame.to_csv(folder / path.name, index=False)
    return folder


def test_default_year_is_the_latest_complete_one_and_partial_is_refused(tmp_path):
    import datetime as dt

    digests = input_digests(SYNTHETIC)
    last = dt.date(2019, 3, 19)
    assert batch.complete_years([2017, 2018, 2019], last) == [2017, 2018]
    plan = batch.plan_jobs(
        BatchOptions(SYNTHETIC, tmp_path, funders=["inami"]), [2017, 2018, 2019], digests, last
    )
    assert [j.year for j in plan.jobs] == [2018] and "period_end" not in plan.jobs[0].parameters
    with pytest.raises(
        batch.EspacepError,
        match=r"2019 est une année incomplète : la dernière date trouvée dans les données est le "
        r"19/03/2019 ; donnez --partial",
    ):
        batch.plan_jobs(BatchOptions(SYNTHETIC, tmp_path, years=[2019]), [2017, 2018, 2019], digests, last)
    with pytest.raises(
        batch.EspacepError,
        match=r"aucune année complète dans les données : la dernière date trouvée est le 19/03/2019",
    ):
        batch.plan_jobs(BatchOptions(SYNTHETIC, tmp_path), [2019], digests, last)
    partial = batch.plan_jobs(
        BatchOptions(SYNTHETIC, tmp_path, years=[2018, 2019], funders=["inami"], partial=True),
        [2017, 2018, 2019],
        digests,
        last,
    )
    assert [j.parameters.get("period_end") for j in partial.jobs] == [None, "2019-03-19"]
    december = batch.plan_jobs(
        BatchOptions(SYNTHETIC, tmp_path, funders=["inami"]), [2018, 2019], digests, dt.date(2019, 12, 2)
    )
    assert [j.year for j in december.jobs] == [2019]


def test_partial_year_refused_naming_the_last_date_then_worded_with_partial(partial_data, tmp_path):
    out = tmp_path / "out"
    base = [
        str(BIN / "espacep"),
        "report",
        "--data",
        str(partial_data),
        "--output",
        str(out),
        "--funders",
        "inami",
        "--no-pdf",
        "--min-cell",
        "0",
        "--years",
        "2019",
    ]
    refused = subprocess.run(base, cwd=REPO, capture_output=True, text=True, env=_env())
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert (
        "2019 est une année incomplète : la dernière date trouvée dans les données est le 19/03/2019"
        in refused.stderr
    )
    assert not (out / "2019").exists()
    done = subprocess.run(base + ["--partial"], cwd=REPO, capture_output=True, text=True, env=_env())
    assert done.returncode == 0, done.stdout + done.stderr
    html = (out / "2019" / "inami" / "report.html").read_text(encoding="utf-8")
    title_page = html[html.index("<body>") : html.index("</header>")]
    assert (
        "du 1er janvier au 19\u00a0mars 2019" in title_page or "du 1er janvier au 19 mars 2019" in title_page
    )
    text = " ".join(html.replace("\u00a0", " ").split())
    assert "Du 1er janvier au 19 mars 2019, Espace P… a suivi" in text
    assert "TDS vus et consultations par antenne du 1er janvier au 19 mars 2019" in text
    assert " en 2019," not in text and "Au cours de l'année 2019" not in text
    record = json.loads((out / "2019" / "inami" / "provenance.json").read_text(encoding="utf-8"))
    assert record["period_end"] == CUT


def test_report_says_when_it_falls_back_to_the_synthetic_example(tmp_path):
    done = subprocess.run(
        [str(BIN / "espacep"), "report", "--output", str(tmp_path / "out"), "--funders", "onem"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=_env(),
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"--data absent : {SYNTHETIC}, l'exemple synthétique" in done.stderr
