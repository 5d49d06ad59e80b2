"""Tests of the yearly batch (`espacep_analysis.batch`, `espacep_analysis.index`, ``espacep report``).

Two kinds of notebooks are run:

- the real INAMI notebook on the committed synthetic data, for what only it can
  show: byte identity of ``report.html`` and ``figures.csv`` between a warm
  kernel, a fresh papermill kernel and a second render (``SOURCE_DATE_EPOCH``
  fixed), provenance in the executed notebook, the index of real reports;
- tiny notebooks written here (they take well under a second), for the
  mechanics: a failing report beside a good one, a failure after the HTML, a
  run killed with SIGKILL, the audit failing the batch.

The renders of the real notebook are shared by a module fixture; no PDF except
where the PDF is the point (nowhere here: `test_render` covers it).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from espacep_analysis import batch, funders, index, render
from espacep_analysis.batch import BatchOptions, input_digests, plan_jobs, run_batch
from espacep_analysis.cli import parse_years
from espacep_analysis.errors import EspacepError

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "data" / "synthetic"
ESPACEP = Path(sys.executable).parent / "espacep"
EPOCH = "1577836800"  # 2020-01-01T00:00:00Z
PSEUDONYM = "SYN-4AD4ED"  # first row of data/synthetic/consultations.csv


def _files(folder: Path) -> dict[str, bytes]:
    """Every file of a report directory (stamp included) -> its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _run(options: BatchOptions) -> tuple[int, str]:
    out = io.StringIO()
    code = run_batch(options, out=out)
    return code, out.getvalue()


def _cli(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ESPACEP), "report", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})},
        **kw,
    )


# --- tiny notebooks ---------------------------------------------------------------------------

PARAMETERS = (
    'year = 2019\ndata_dir = ""\noutput_dir = ""\nci_method = "wilson"\n' 'lang = "fr_BE"\nmin_cell = 0'
)
GOOD_BODY = """
import json, os, time
from IPython.display import Markdown, display
if os.environ.get("ESPACEP_TEST_HANG"):  # the SIGKILL test: say "started", then hang
    open(os.environ["ESPACEP_TEST_HANG"], "w").close()
    time.sleep(300)
assert os.path.isdir(data_dir), data_dir
display(Markdown(f"## Rapport factice {year}\\n\\nSeuil : {min_cell}."))
with open(os.path.join(output_dir, "figures.csv"), "w") as f:
    f.write(f"indicator,year,value\\nn_persons,{year},42\\n")
with open(os.path.join(output_dir, "figures-excel.csv"), "w") as f:
    f.write(f"indicator;year;value\\nn_persons;{year};42\\n")
with open(os.path.join(output_dir, "provenance.json"), "w") as f:
    json.dump({"year": year, "min_cell": min_cell, "rendered_at": "2020-01-01T00:00:00Z"}, f)
"""


def _notebook(body: str) -> nbformat.NotebookNode:
    nb = new_notebook(
        cells=[
            new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
            new_markdown_cell("# Essai"),
            new_code_cell(body),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture
def tiny(tmp_path) -> Path:
    """A notebooks directory: ``inami`` works, ``aviq`` raises ``ValueError: boom``."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(_notebook(GOOD_BODY), folder / "inami.ipynb")
    nbformat.write(_notebook('raise ValueError("boom")'), folder / "aviq.ipynb")
    return folder


def _tiny_options(tiny: Path, out: Path, **kw) -> BatchOptions:
    base = dict(
        data_dir=SYNTHETIC,
        output_dir=out,
        years=[2019],
        funders=["inami"],
        pdf=False,
        workers=1,
        warm_kernels=False,
        notebooks_dir=tiny,
    )
    return BatchOptions(**{**base, **kw})


# --- planning ---------------------------------------------------------------------------------


def test_parse_years():
    assert parse_years("2019") == [2019]
    assert parse_years("2017-2019") == [2017, 2018, 2019]
    assert parse_years("2019, 2017,2019") == [2017, 2019]
    for bad in ("2019-2017", "deux mille", "2017-"):
        with pytest.raises(EspacepError, match="--years"):
            parse_years(bad)


def test_plan_expands_years_and_funders_and_refuses_bad_ones(tmp_path, tiny):
    digests = input_digests(SYNTHETIC)
    nbs = tmp_path / "all"
    nbs.mkdir()
    for funder in funders.ids():
        shutil.copy(tiny / "inami.ipynb", nbs / f"{funder}.ipynb")
    options = BatchOptions(SYNTHETIC, tmp_path / "out", years=[2018, 2019], notebooks_dir=nbs)
    plan = plan_jobs(options, [2017, 2018, 2019], digests)
    # default funders: all three, in FUNDERS order, year-major
    assert [j.name for j in plan.jobs] == [
        "2018/inami",
        "2018/aviq",
        "2018/cocof",
        "2019/inami",
        "2019/aviq",
        "2019/cocof",
    ]
    assert plan.jobs[0].final_dir == (tmp_path / "out" / "2018" / "inami").resolve()
    assert plan.jobs[0].parameters == {
        "year": 2018,
        "data_dir": str(SYNTHETIC),
        "output_dir": ".",
        "ci_method": "wilson",
        "lang": "fr_BE",
        "cache_dir": str((tmp_path / "out" / ".cache").resolve()),
        "params_dir": str(REPO / "params"),
    }
    # default year: the latest of the data
    latest = plan_jobs(
        BatchOptions(SYNTHETIC, tmp_path, funders=["inami"], notebooks_dir=nbs), [2017, 2018, 2019], digests
    )
    assert [j.year for j in latest.jobs] == [2019]
    with pytest.raises(EspacepError, match=r"inconnu.*\['onem'\]"):
        plan_jobs(BatchOptions(SYNTHETIC, tmp_path, funders=["inami", "onem"]), [2019], digests)
    with pytest.raises(EspacepError, match=r"\[2016\].*couvrent \[2017, 2018, 2019\]"):
        plan_jobs(BatchOptions(SYNTHETIC, tmp_path, years=[2016, 2017]), [2017, 2018, 2019], digests)
    # a funder without a notebook in notebooks_dir runs the one generated from the registry (cache dir)
    (job,) = plan_jobs(
        BatchOptions(SYNTHETIC, tmp_path, funders=["cocof"], notebooks_dir=tiny), [2019], digests
    ).jobs
    assert job.notebook == (tmp_path / ".cache" / "notebooks" / "cocof.ipynb").resolve()
    assert job.notebook.read_text(encoding="utf-8") == (REPO / "notebooks" / "cocof.ipynb").read_text(
        encoding="utf-8"
    )


def test_progress_lines_align_on_the_longest_job_of_the_plan(tmp_path):
    """``2019/rapport-moral`` is longer than a funder's job: every line's step starts in one column."""
    from espacep_analysis import books

    jobs = plan_jobs(
        BatchOptions(SYNTHETIC, tmp_path, years=[2019], book=True), [2019], input_digests(SYNTHETIC)
    ).jobs
    names = [job.name for job in jobs]
    book = f"2019/{books.load(REPO / 'params').folder}"
    assert names == ["2019/inami", "2019/aviq", "2019/cocof", book] and len(book) > 11
    out = io.StringIO()
    progress = batch.Progress(out)
    progress.fit(names)
    for name in names:
        progress.step(name, "exécution", 0.0)
    progress.done(batch.JobResult(2019, book.split("/")[1], batch.STATUS_OK, 1.0))
    lines = out.getvalue().splitlines()
    assert len(lines) == 5
    # "[  0.0 s] " then the report padded to the longest name, one space, the step or status
    columns = {line.index(word) for line in lines for word in ("exécution", "produit") if word in line}
    assert columns == {len("[    0.0 s] ") + len(book) + 1}, lines
    assert lines[0].split("]", 1)[1].startswith(" 2019/inami" + " " * (len(book) - 10 + 1) + "exécution")


def test_inputs_hash_follows_contents_and_parameters_not_paths(tmp_path, tiny):
    data = tmp_path / "data"
    shutil.copytree(SYNTHETIC, data)
    digests, copy_digests = input_digests(SYNTHETIC), input_digests(data)
    assert copy_digests == digests  # same contents elsewhere: same hash
    params = {"year": 2019, "data_dir": str(data), "output_dir": ".", "ci_method": "wilson"}
    base = batch.inputs_hash(digests, tiny / "inami.ipynb", params)
    assert batch.inputs_hash(digests, tiny / "inami.ipynb", {**params, "data_dir": "/x"}) == base
    assert batch.inputs_hash(digests, tiny / "inami.ipynb", {**params, "cache_dir": "/c"}) == base
    assert batch.inputs_hash(digests, tiny / "inami.ipynb", {**params, "min_cell": 5}) != base
    assert batch.inputs_hash(digests, tiny / "aviq.ipynb", params) != base
    with open(data / "lab_results.csv", "a", encoding="utf-8") as handle:
        handle.write("\n")
    assert input_digests(data).data != digests.data
    assert input_digests(data).package == digests.package


def test_data_years_are_cached_and_invalid_data_refused(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    digests = input_digests(SYNTHETIC)
    # data/synthetic covers 2017-2020 (data/synthetic/README.md)
    assert batch.data_years(SYNTHETIC, out, digests) == [2017, 2018, 2019, 2020]
    assert json.loads((out / batch.YEARS_CACHE).read_text())["years"] == [2017, 2018, 2019, 2020]
    from espacep_analysis import load

    def no_loading(*a, **k):
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(load, "load_dataset", no_loading)
    monkeypatch.setattr(load, "validate_and_load", no_loading)
    assert batch.data_years(SYNTHETIC, out, digests) == [2017, 2018, 2019, 2020]
    monkeypatch.undo()
    bad = tmp_path / "bad"
    shutil.copytree(SYNTHETIC, bad)
    lines = (bad / "consultations.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("2017-01-02", "2017-13-45")
    (bad / "consultations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(EspacepError, match="consultations.csv"):
        batch.data_years(bad, out, input_digests(bad))


# --- the real notebook: one batch shared by several tests ----------------------------------------


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """2018 and 2019 INAMI, no PDF, one worker: 2019 runs in the kernel 2018 warmed."""
    out = tmp_path_factory.mktemp("real") / "outputs"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        options = BatchOptions(SYNTHETIC, out, years=[2018, 2019], funders=["inami"], pdf=False, workers=1)
        hashes = {
            j.year: j.inputs_hash
            for j in plan_jobs(options, [2017, 2018, 2019], input_digests(SYNTHETIC)).jobs
        }
        code, text = _run(options)
    return {
        "out": out,
        "code": code,
        "text": text,
        "options": options,
        "hashes": hashes,
        "index": (out / "index.html").read_text(encoding="utf-8"),
        "files": {y: _files(out / str(y) / "inami") for y in (2018, 2019)},
    }


def test_batch_renders_publishes_and_stamps(real):
    out, text = real["out"], real["text"]
    assert real["code"] == 0, text
    assert "2018/inami  produit" in text and "2019/inami  produit" in text
    assert "2 rapports : 2 produits, 0 à jour, 0 en échec" in text
    assert "audit : aucun identifiant trouvé" in text
    for year in (2018, 2019):
        files = real["files"][year]
        assert sorted(files) == [
            ".stamp.json",
            "figures-excel.csv",
            "figures.csv",
            "figures.xlsx",
            "provenance.json",
            "report.docx",  # every registered format but the PDF (--no-pdf)
            "report.html",
            "report.ipynb",
        ]
        stamp = json.loads(files[".stamp.json"])
        assert stamp["inputs"] == real["hashes"][year]
        assert stamp["provenance_sha256"] == hashlib.sha256(files["provenance.json"]).hexdigest()
        assert stamp["rendered_at"] == "2020-01-01T00:00:00Z"  # SOURCE_DATE_EPOCH
        # provenance.json is also in the executed notebook's metadata
        nb = nbformat.reads(files["report.ipynb"].decode(), as_version=4)
        assert nb.metadata["espacep"]["provenance"] == json.loads(files["provenance.json"])
        assert nb.metadata["espacep"]["provenance"]["year"] == year
        # the parameters and papermill's paths hold no absolute path
        assert nb.metadata["papermill"]["parameters"]["data_dir"] == "synthetic"
        assert nb.metadata["papermill"]["parameters"]["cache_dir"] == ".cache"
        assert (nb.metadata["papermill"]["input_path"], nb.metadata["papermill"]["output_path"]) == (
            "inami.ipynb",
            "report.ipynb",
        )
    assert not [p for p in out.rglob(".*tmp*")], "temporary directories left behind"
    # the disclosure cache follows the output directory (masked reports: one protection of every year)
    assert len(list((out / ".cache").glob("disclosure-*.pkl"))) == 1


def test_nothing_changed_skips_everything_without_heavy_imports(real):
    out = real["out"]
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != ".lock"}
    code = (
        "import sys, time; t = time.perf_counter(); from espacep_analysis.cli import main; "
        f"rc = main(['report', '--data', {str(SYNTHETIC)!r}, '--output', {str(out)!r}, "
        "'--years', '2018-2019', '--funders', 'inami', '--no-pdf']); "
        "heavy = sorted(m for m in ('pandas', 'papermill', 'nbconvert', 'weasyprint') if m in sys.modules); "
        "print('HEAVY', heavy, 'SECONDS', time.perf_counter() - t); sys.exit(rc)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 rapports : 0 produit, 2 à jour, 0 en échec" in done.stdout
    assert "HEAVY [] SECONDS" in done.stdout  # no pandas/papermill on this path
    assert "sorties identiques à celles du dernier audit" in done.stdout
    seconds = float(done.stdout.split("SECONDS")[1])
    assert seconds < 1.5, done.stdout
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != ".lock"}
    assert after == mtimes  # nothing rewritten, not even the index


def test_warm_kernel_output_is_byte_identical_to_fresh_papermill(real, tmp_path, monkeypatch):
    import papermill

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    papermill.execute_notebook(
        str(REPO / "notebooks" / "inami.ipynb"),
        str(tmp_path / "report.ipynb"),
        cwd=str(tmp_path),
        parameters={
            "year": 2019,
            "data_dir": str(SYNTHETIC),
            "output_dir": str(tmp_path),
            "cache_dir": str(tmp_path / "c"),
            "params_dir": str(REPO / "params"),
            "ci_method": "wilson",
            "lang": "fr_BE",
        },
        progress_bar=False,
        kernel_name="python3",
    )
    batch.attach_provenance(tmp_path / "report.ipynb", tmp_path)  # as the batch does (banners, provenance)
    render.to_html(
        tmp_path / "report.ipynb",
        tmp_path / "report.html",
        title="Rapport INAMI 2019",
        funder="inami",
        year=2019,
        lang="fr_BE",
    )
    warm = real["files"][2019]  # the second report of a reused kernel
    assert (tmp_path / "figures.csv").read_bytes() == warm["figures.csv"]
    assert (tmp_path / "provenance.json").read_bytes() == warm["provenance.json"]
    assert (tmp_path / "report.html").read_bytes() == warm["report.html"]


def test_forced_rerender_is_byte_identical(real):
    """Render twice: 2018 again with --force through the CLI; same bytes as the first render."""
    out = real["out"]
    done = _cli(
        "--data",
        str(SYNTHETIC),
        "--output",
        str(out),
        "--years",
        "2018",
        "--funders",
        "inami",
        "--no-pdf",
        "--force",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 processus, noyaux réutilisés" in done.stdout
    assert "2018/inami  exécution" in done.stdout and "2018/inami  html" in done.stdout  # progress
    assert "1 rapport : 1 produit, 0 à jour, 0 en échec" in done.stdout
    assert "without encryption" not in done.stderr
    for year in (2018,):
        again = _files(out / str(year) / "inami")
        for name in ("report.html", "figures.csv", "provenance.json"):
            assert again[name] == real["files"][year][name], f"{year} {name} differs"


def test_index_lists_every_report_with_links_and_provenance_hash(real):
    page = real["index"]  # as the batch wrote it
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page and "@media print" in page
    assert page.index("<h2>2019</h2>") < page.index("<h2>2018</h2>")  # latest year first
    for year in (2018, 2019):
        files = real["files"][year]
        assert f'<a href="{year}/inami/report.html">HTML</a>' in page
        assert f'<a href="{year}/inami/figures.csv">figures.csv</a>' in page
        assert f'<a href="{year}/inami/figures-excel.csv">CSV pour Excel</a>' in page
        assert f'<a href="{year}/inami/figures.xlsx">Excel</a>' in page
        assert f"<code>{hashlib.sha256(files['provenance.json']).hexdigest()}</code>" in page
        seconds = json.loads(files[".stamp.json"])["seconds"]
        assert f"{seconds:.1f}".replace(".", ",") + "\u00a0s</td>" in page
    assert "report.pdf" not in page  # rendered with --no-pdf: no link to a missing file
    assert page.count(">à jour<") == 2 and page.count("01/01/2020 00:00 UTC") == 2
    assert "synthetic" not in page and str(REPO) not in page
    # deterministic: same directory and statuses, same page; an unchanged page is not rewritten
    out = real["out"]
    results = [batch.JobResult(y, "inami", batch.STATUS_UNCHANGED, 0.0) for y in (2018, 2019)]
    index.write_index(out, results)
    mtime = (out / "index.html").stat().st_mtime_ns
    assert index.write_index(out, results).stat().st_mtime_ns == mtime
    assert index.render_index(index.collect_entries(out, results)) == (out / "index.html").read_text("utf-8")
    # outside a batch the reports are present but not checked against the current inputs
    assert index.render_index(index.collect_entries(out)).count(">non vérifié<") == 2


# --- formats per funder (params/sites.yaml) ------------------------------------------------------


@pytest.fixture
def fewer_formats(tmp_path, tiny) -> tuple[Path, Path]:
    """A copy of params/ where Cocof asks for HTML and PDF only; notebooks for INAMI and Cocof that work."""
    params = tmp_path / "params"
    shutil.copytree(REPO / "params", params)
    sites = params / "sites.yaml"
    entry = 'cocof: {label: "Cocof", regions: [bruxelles], min_cell: 5'
    text = sites.read_text(encoding="utf-8")
    assert entry in text
    sites.write_text(text.replace(entry, entry + ", formats: [html, pdf]"), encoding="utf-8")
    shutil.copy(tiny / "inami.ipynb", tiny / "cocof.ipynb")
    return params, tiny


def test_a_funder_renders_the_formats_its_params_ask_for(fewer_formats, tmp_path):
    params, notebooks = fewer_formats
    out = tmp_path / "out"
    options = _tiny_options(notebooks, out, funders=["inami", "cocof"], pdf=True, params_dir=params)
    code, text = _run(options)
    assert code == 0, text
    base = [".stamp.json", "figures-excel.csv", "figures.csv", "provenance.json", "report.ipynb"]
    cocof, inami = _files(out / "2019" / "cocof"), _files(out / "2019" / "inami")
    assert sorted(cocof) == sorted([*base, "report.html", "report.pdf"])
    assert sorted(inami) == sorted([*base, "report.html", "report.pdf", "report.docx", "figures.xlsx"])
    stamp = json.loads(cocof[".stamp.json"])
    assert stamp["formats"] == ["html", "pdf"] and "report.docx" not in stamp["products"]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="2019/cocof/report.pdf">PDF</a>' in page and "2019/cocof/report.docx" not in page
    assert '<a href="2019/inami/report.docx">Word</a>' in page
    # a second run with nothing changed renders nothing
    code, text = _run(options)
    assert code == 0 and "2 rapports : 0 produit, 2 à jour, 0 en échec" in text, text
    assert _files(out / "2019" / "cocof") == cocof
    # --formats overrides the params: Word for both, and the PDF Cocof had is gone
    code, text = _run(_tiny_options(notebooks, out, funders=["cocof"], params_dir=params, formats=("docx",)))
    assert code == 0 and "2019/cocof  produit" in text, text
    assert sorted(_files(out / "2019" / "cocof")) == sorted([*base, "report.docx"])


def test_an_unknown_format_in_params_is_a_user_error(fewer_formats, tmp_path, capsys):
    from espacep_analysis.cli import main

    params, _ = fewer_formats
    sites = params / "sites.yaml"
    sites.write_text(
        sites.read_text(encoding="utf-8").replace("[html, pdf]", "[html, odt]"), encoding="utf-8"
    )
    argv = ["report", "--data", str(SYNTHETIC), "--output", str(tmp_path / "out"), "--params", str(params)]
    assert main([*argv, "--years", "2019", "--funders", "cocof"]) == 2
    message = capsys.readouterr().err
    assert "sites.yaml:" in message and "funders.cocof.formats[1]: unknown format 'odt'" in message
    assert "expected one of: html, pdf, docx, xlsx" in message
    assert not (tmp_path / "out" / "2019").exists()


# --- failures ---------------------------------------------------------------------------------


def test_failing_report_does_not_stop_the_other(tiny, tmp_path):
    out = tmp_path / "out"
    code, text = _run(_tiny_options(tiny, out, funders=["inami", "aviq"], workers=2))
    assert code == 1
    lines = text.splitlines()
    assert any(ln.startswith("2019/aviq   ÉCHEC") and "ValueError: boom" in ln for ln in lines), text
    assert any(ln.startswith("2019/inami  produit") for ln in lines), text
    assert "2 rapports : 1 produit, 0 à jour, 1 en échec" in text
    assert (out / "2019" / "inami" / "report.html").is_file()
    assert not (out / "2019" / "aviq").exists()  # nothing at the failed report's final path
    assert not list((out / "2019").glob(".*"))
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'title="le dernier lancement a échoué (détail dans son journal)">échec<' in page


def test_failure_after_html_leaves_the_published_report_untouched(tiny, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert _run(_tiny_options(tiny, out))[0] == 0
    before = _files(out / "2019" / "inami")
    real_to_html = render.to_html

    def html_then_crash(*args, **kw):
        real_to_html(*args, **kw)
        raise OSError("disque plein")

    monkeypatch.setattr(render, "to_html", html_then_crash)
    code, text = _run(_tiny_options(tiny, out, force=True))
    assert code == 1 and "OSError: disque plein" in text
    assert _files(out / "2019" / "inami") == before
    assert not list((out / "2019").glob(".*"))


def test_clean_stale_removes_dead_runs_and_restores_interrupted_publish(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    year = tmp_path / "2019"
    (year / f".inami.tmp-{dead}").mkdir(parents=True)
    (year / f".aviq.old-{dead}").mkdir()
    (year / f".aviq.old-{dead}" / "report.html").write_text("ancien")
    (year / f".cocof.tmp-{os.getpid()}").mkdir()  # a live process: left alone
    (tmp_path / ".index.html.abc.tmp").write_text("x")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / ".disclosure-0a.pkl.k3j.tmp").write_bytes(b"half")  # the protection's write
    (tmp_path / ".cache" / "disclosure-0b.pkl").write_bytes(b"whole")
    messages = batch.clean_stale(tmp_path)
    assert len(messages) == 2
    assert sorted(p.name for p in year.iterdir()) == [f".cocof.tmp-{os.getpid()}", "aviq"]
    assert (year / "aviq" / "report.html").read_text() == "ancien"
    assert not (tmp_path / ".index.html.abc.tmp").exists()
    assert [p.name for p in (tmp_path / ".cache").iterdir()] == ["disclosure-0b.pkl"]


def test_sigkill_during_rendering_keeps_previous_outputs_and_next_run_succeeds(tiny, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SYNTHETIC, data)
    out = tmp_path / "out"
    assert _run(_tiny_options(tiny, out, data_dir=data))[0] == 0  # the previous good report
    before = _files(out / "2019" / "inami")
    marker = tmp_path / "started"
    # The whole run (CLI, two worker processes, their kernels) dies at once while rendering.
    proc = subprocess.Popen(
        [
            str(ESPACEP),
            "report",
            "--data",
            str(data),
            "--output",
            str(out),
            "--years",
            "2019",
            "--funders",
            "inami",
            "--no-pdf",
            "--notebooks",
            str(tiny),
            "--workers",
            "2",
            "--min-cell",
            "5",
        ],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ESPACEP_TEST_HANG": str(marker)},
    )
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the notebook never started"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _files(out / "2019" / "inami") == before  # previous good report intact
    assert list((out / "2019").glob(".inami.tmp-*")), "killed while rendering: its work dir is left"
    code, text = _run(_tiny_options(tiny, out, data_dir=data, min_cell=5))
    assert code == 0, text
    assert "nettoyé" in text and "2019/inami  produit" in text
    assert not list((out / "2019").glob(".*"))
    leftover = [
        d
        for d in Path(tempfile.gettempdir()).glob(f"{batch.KERNEL_DIR_PREFIX}*")
        if not batch._pid_alive(int(d.name[len(batch.KERNEL_DIR_PREFIX) :].split("-")[0]))
    ]
    assert not leftover, "socket directories of the killed kernels are removed"
    stamp = json.loads((out / "2019" / "inami" / ".stamp.json").read_text())
    assert stamp["inputs"] != json.loads(before[".stamp.json"])["inputs"]  # min_cell changed
    assert json.loads((out / "2019" / "inami" / "provenance.json").read_text())["min_cell"] == 5


def test_audit_finding_fails_the_batch(tiny, tmp_path):
    out = tmp_path / "out"
    code, text = _run(_tiny_options(tiny, out))
    assert code == 0 and "audit : aucun identifiant trouvé" in text
    # a file beside the report (not a product: an edited product is rendered again)
    (out / "2019" / "inami" / "notes.txt").write_text(f"Essai {PSEUDONYM}\n", encoding="utf-8")
    code, text = _run(_tiny_options(tiny, out))
    assert code == 1
    assert "2019/inami  à jour" in text  # nothing to render: the audit alone fails the run
    assert f"notes.txt : pseudonym : '{PSEUDONYM}'" in text and "audit : ÉCHEC" in text
    assert not (out / batch.AUDIT_CACHE).exists()


@pytest.mark.parametrize(
    "line, quoted",
    [
        ('print("bonjour depuis le code")', "cellule 4 (stdout) : « bonjour depuis le code »"),
        (
            'import warnings\nwarnings.warn("chiffre douteux", UserWarning)',
            "cellule 4 (stderr) : « ",
        ),
        ("21 * 2", "cellule 4 (execute_result) : « 42 »"),
    ],
)
def test_stray_output_fails_the_report_and_is_quoted_in_the_summary(tiny, tmp_path, line, quoted):
    """A print, a warning or a cell's value in a report notebook fails that report (issue 13, item 4)."""
    nbformat.write(_notebook(GOOD_BODY + "\n" + line), tiny / "inami.ipynb")
    out = tmp_path / "out"
    code, text = _run(_tiny_options(tiny, out))
    assert code == 1, text
    failed = [ln for ln in text.splitlines() if ln.startswith("2019/inami  ÉCHEC")]
    assert len(failed) == 1 and "sortie non prévue dans le rapport" in failed[0], text
    assert quoted in failed[0], text
    if "warn" in line:
        assert "UserWarning: chiffre douteux" in failed[0], text
    assert not (out / "2019" / "inami").exists()


def test_report_kernels_keep_no_history_database():
    """The history database every kernel shares put "ERROR! Session/line number…" into reports."""
    kernel = batch.WarmKernel([])
    try:
        kernel.run("assert not get_ipython().history_manager.enabled")
        with pytest.raises(EspacepError, match="AssertionError"):
            kernel.run("assert get_ipython().history_manager.enabled")
    finally:
        kernel.shutdown()


def test_kernel_reset_forgets_what_a_report_changed(tmp_path):
    """What one report sets in a warm kernel is gone for the next one (checked inside the kernel)."""
    kernel = batch.WarmKernel(["matplotlib", "numpy"])
    try:
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        kernel.reset(tmp_path / "a")
        kernel.run(
            "import matplotlib, numpy, warnings, os\n"
            "assert os.getcwd() == {!r}\n"
            "lw = matplotlib.rcParams['lines.linewidth']\n"
            "matplotlib.rcParams['lines.linewidth'] = lw + 7\n"
            "get_ipython().display_formatter.formatters['text/plain'].for_type(int, lambda o, p, c: p.text('!'))\n"
            "numpy.seterr(all='raise')\n"
            "warnings.simplefilter('error')\n"
            "secret = 1".format(str(tmp_path / "a"))
        )
        kernel.reset(tmp_path / "b")
        kernel.run(
            "import matplotlib, numpy, warnings, os\n"
            "assert 'secret' not in globals() and 'lw' not in globals()\n"
            "assert matplotlib.rcParams['lines.linewidth'] == matplotlib.rcParamsDefault['lines.linewidth']\n"
            "printer = get_ipython().display_formatter.formatters['text/plain'].type_printers.get(int)\n"
            "assert getattr(printer, '__name__', '') != '<lambda>'\n"
            "assert numpy.geterr()['divide'] == 'warn'\n"
            "assert not any(f[0] == 'error' and f[2] is Warning for f in warnings.filters)\n"
            "assert get_ipython().execution_count == 1\n"
            "assert os.getcwd() == {!r}".format(str(tmp_path / "b"))
        )
        with pytest.raises(EspacepError, match="AssertionError"):
            kernel.run("assert False")  # the check above could fail
    finally:
        kernel.shutdown()
    assert not Path(kernel.dir).exists()


def test_kernel_heap_frozen_after_warm_up_and_each_reset(tmp_path):
    """Issue 15: the collections of `kernel_reset` (two in ``%reset``, one more) skip the imported libraries.

    The warm-up's objects and those a report leaves in the library's caches are frozen (``gc.freeze``);
    a report's garbage is still collected: a cycle made by one report is gone after the next reset.
    """
    kernel = batch.WarmKernel(["matplotlib", "numpy"])
    try:
        kernel.run("import gc\nassert gc.get_freeze_count() > 10_000, gc.get_freeze_count()")
        kernel.reset(tmp_path)
        kernel.run(
            "import gc, weakref\n"
            "class Node: pass\n"
            "a, b = Node(), Node()\n"
            "a.other, b.other = b, a\n"
            "import espacep_analysis.batch.engine as _e\n"
            "_e._PROBE = weakref.ref(a)\n"
            "del a, b"
        )
        kernel.reset(tmp_path)
        kernel.run("import espacep_analysis.batch.engine as _e\nassert _e._PROBE() is None")
    finally:
        kernel.shutdown()


def test_disclosure_tasks_one_per_threshold():
    # every year's reports are protected together: one warm-up per threshold; unmasked runs need none
    from espacep_analysis.batch import Job, disclosure_tasks

    def job(year, funder, **params):
        return Job(
            year=year,
            funder=funder,
            notebook=Path("n.ipynb"),
            data_dir=Path("/d"),
            final_dir=Path("/o"),
            parameters={"ci_method": "wilson", **params},
            pdf=False,
            inputs_hash="h",
        )

    jobs = [
        job(2018, "inami", cache_dir="/c"),
        job(2018, "aviq", cache_dir="/c"),
        job(2019, "cocof", cache_dir="/c"),
        job(2019, "inami", min_cell=0, cache_dir="/c"),
        job(2019, "aviq", min_cell=7, cache_dir="/c"),
        job(2017, "inami", min_cell=1, cache_dir="/c"),
    ]
    assert disclosure_tasks(jobs) == [
        ("/d", 2018, "wilson", 0.95, None, "/c", None),
        ("/d", 2019, "wilson", 0.95, 7, "/c", None),
    ]


def test_one_process_runner_computes_the_protection_beside_the_kernel(tmp_path, monkeypatch):
    # with one worker (no pool) the runner computes the protection in a thread while the kernel starts;
    # the notebook then reads it from the cache instead of computing it after its kernel's start
    from espacep_analysis import load, publish
    from espacep_analysis.batch import Job, JobResult, pool

    cache = tmp_path / "cache"
    ds = load.load_dataset(REPO / "data" / "synthetic")
    key = publish._cache_key(ds, "wilson", 0.95, 5)
    computed, seen = [], []
    real = publish._compute_protection

    def counting(*args):
        computed.append((args[3], threading.current_thread().name))
        return real(*args)

    def notebook(job, state, progress):  # stands for the kernel: what the notebook's protected_years gets
        threads = [t for t in threading.enumerate() if t.name == "espacep-protection"]
        assert threads, "no protection started beside the kernel"
        threads[0].join()  # the kernel's start, here reduced to waiting for it
        seen.append(sorted(publish.protected_years(ds, "wilson", 0.95, 5, cache)))
        return JobResult(job.year, job.funder, "ok", 0.0)

    monkeypatch.setattr(publish, "_compute_protection", counting)
    monkeypatch.setattr(pool, "_run_in_worker", notebook)
    job = Job(
        2019,
        "inami",
        Path("n.ipynb"),
        REPO / "data" / "synthetic",
        tmp_path / "o",
        {"ci_method": "wilson", "min_cell": 5, "cache_dir": str(cache)},
        False,
        "h",
    )
    runner = pool.Runner(1, False, ["inami"], pool.Progress(io.StringIO()))
    runner.run([job])
    assert computed == [(5, "espacep-protection")]  # once, by the runner's thread
    assert seen == [[2017, 2018, 2019, 2020]]  # every year of the synthetic data
    assert [p.name for p in cache.iterdir()] == [f"disclosure-{key}.pkl"]


def test_pool_runner_computes_the_protection_in_the_main_process(tmp_path, monkeypatch):
    # with a pool, the protection is computed once by a thread of the batch's process (which holds the
    # validated data) while the workers' kernels start, not by a worker that must load the data again
    from espacep_analysis import load, publish
    from espacep_analysis.batch import Job, pool

    cache = tmp_path / "cache"
    ds = load.load_dataset(REPO / "data" / "synthetic")
    computed = []
    real = publish._compute_protection

    def counting(*args):
        computed.append((args[3], threading.current_thread().name))
        return real(*args)

    monkeypatch.setattr(publish, "_compute_protection", counting)
    params = {"ci_method": "wilson", "min_cell": 5, "cache_dir": str(cache)}
    jobs = [  # notebooks that do not exist: the workers fail them at once, the protection goes on
        Job(
            year,
            "inami",
            tmp_path / "absent.ipynb",
            REPO / "data" / "synthetic",
            tmp_path / "o",
            params,
            False,
            "h",
        )
        for year in (2018, 2019)
    ]
    runner = pool.Runner(2, False, ["inami"], pool.Progress(io.StringIO()))
    try:
        results = runner.run(jobs)
    finally:
        runner.close()
    for thread in [t for t in threading.enumerate() if t.name == "espacep-protection"]:
        thread.join()
    assert [r.status for r in results] == ["failed", "failed"]
    assert computed == [(5, "espacep-protection")]  # once, in this process
    key = publish._cache_key(ds, "wilson", 0.95, 5)
    assert [p.name for p in cache.iterdir()] == [f"disclosure-{key}.pkl"]


def test_closing_the_runner_waits_for_the_protection_to_be_written(tmp_path, monkeypatch):
    # a run whose reports fail (or do not need the protection) ends while the protection's thread still
    # computes: `close` waits for it, so the cache is whole when the batch returns. Before, the process
    # could exit (or a full disk be filled) mid-write, leaving `.cache/disclosure-*.tmp-<pid>` (CI failure
    # of test_full_output_folder_fails_cleanly_and_keeps_outputs[full-while-rendering])
    import time

    from espacep_analysis import load, publish
    from espacep_analysis.batch import Job, pool

    cache = tmp_path / "cache"
    real = publish._compute_protection

    def slow(*args):
        time.sleep(1.5)  # longer than the failing notebooks take
        return real(*args)

    monkeypatch.setattr(publish, "_compute_protection", slow)
    params = {"ci_method": "wilson", "min_cell": 5, "cache_dir": str(cache)}
    job = Job(2019, "inami", tmp_path / "absent.ipynb", SYNTHETIC, tmp_path / "o", params, False, "h")
    runner = pool.Runner(2, False, ["inami"], pool.Progress(io.StringIO()))
    try:
        assert [r.status for r in runner.run([job])] == ["failed"]
    finally:
        runner.close()
    assert not [t for t in threading.enumerate() if t.name == "espacep-protection" and t.is_alive()]
    key = publish._cache_key(load.load_dataset(SYNTHETIC), "wilson", 0.95, 5)
    assert [p.name for p in cache.iterdir()] == [f"disclosure-{key}.pkl"]


def test_audit_identifiers_are_read_during_the_run_not_after_it(tmp_path, monkeypatch):
    # the final audit's identifiers are read from the data by the protection's thread while the report
    # renders (once), not by the main thread after the last report; the audit still runs and is clean
    from espacep_analysis import audit

    readers = []
    real = audit.collect_identifiers

    def counting(data_dir):
        readers.append(threading.current_thread().name)
        return real(data_dir)

    monkeypatch.setattr(audit, "collect_identifiers", counting)
    options = BatchOptions(
        SYNTHETIC, tmp_path / "o", years=[2019], funders=["cocof"], formats=("html",), workers=1
    )
    code, text = _run(options)
    assert code == 0, text
    assert "audit : aucun identifiant trouvé dans les sorties" in text
    assert readers == ["espacep-protection"]


def test_charts_png_drawn_only_for_a_format_that_reads_it(real, tmp_path, monkeypatch):
    # Word reads the charts' PNG from the executed notebook; HTML and PDF print the SVG: an HTML-only
    # report's notebook holds no PNG, and its HTML is the same bytes as the one drawn with the PNG
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = tmp_path / "outputs"
    options = BatchOptions(SYNTHETIC, out, years=[2019], funders=["inami"], formats=("html",), workers=1)
    code, text = _run(options)
    assert code == 0, text
    lean = json.loads((out / "2019" / "inami" / "report.ipynb").read_text(encoding="utf-8"))
    full = json.loads(real["files"][2019]["report.ipynb"])  # rendered with docx

    def mimes(nb: dict) -> list[list[str]]:
        return [sorted(o.get("data", {})) for c in nb["cells"] for o in c.get("outputs", []) if "data" in o]

    charts = [m for m in mimes(full) if "image/svg+xml" in m]
    assert len(charts) == 4 and all("image/png" in m for m in charts)
    assert [m for m in mimes(lean) if "image/svg+xml" in m] == [
        [k for k in m if k != "image/png"] for m in charts
    ]
    assert (out / "2019" / "inami" / "report.html").read_bytes() == real["files"][2019]["report.html"]
    assert sorted(p.name for p in (out / "2019" / "inami").iterdir() if not p.name.startswith(".")) == [
        "figures-excel.csv",
        "figures.csv",
        "provenance.json",
        "report.html",
        "report.ipynb",
    ]
