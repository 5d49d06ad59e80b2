"""The yearly batch: years x funders, each report executed with papermill and rendered.

Each report runs in its own working directory (papermill and nbconvert are not
thread-safe, and matplotlib caches are per process) and lands atomically: the
files are written under a temporary directory and renamed into
``outputs/<year>/<funder>/`` only when the whole report succeeded, so a failed
or killed run never leaves a file that looks complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import EspacepError

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
PARAMS_DIR = REPO_ROOT / "params"
FUNDERS = ("inami", "aviq", "cocof")
PRODUCTS = ("report.ipynb", "report.html", "report.pdf", "figures.csv")
STAMP = ".inputs.sha256"


@dataclass
class BatchOptions:
    data_dir: Path
    output_dir: Path
    years: list[int] | None = None
    funders: list[str] | None = None
    ci_method: str = "wilson"
    lang: str = "fr"
    min_cell: int | None = None
    pdf: bool = True
    force: bool = False
    workers: int | None = None


@dataclass
class Job:
    year: int
    funder: str
    notebook: Path
    data_dir: Path
    final_dir: Path
    parameters: dict
    pdf: bool
    inputs_hash: str


@dataclass
class JobResult:
    year: int
    funder: str
    status: str  # "ok", "unchanged", "failed"
    seconds: float
    error: str = ""


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def inputs_hash(data_dir: Path, notebook: Path, parameters: dict) -> str:
    """Hash of everything a report depends on: data files, params, notebook, version, parameters."""
    digest = hashlib.sha256()
    files = sorted(p for p in data_dir.iterdir() if p.is_file() and p.suffix in (".csv", ".xlsx"))
    files += sorted(p for p in PARAMS_DIR.rglob("*.yaml"))
    files.append(notebook)
    for path in files:
        digest.update(path.name.encode())
        digest.update(_sha256_file(path).encode())
    payload = {k: v for k, v in parameters.items() if k not in ("data_dir", "output_dir")}
    digest.update(json.dumps(payload, sort_keys=True).encode())
    digest.update(__version__.encode())
    return digest.hexdigest()


def plan_jobs(options: BatchOptions, data_years: list[int]) -> Plan:
    """Expand the options into one job per (year, funder)."""
    funders = options.funders or list(FUNDERS)
    unknown = sorted(set(funders) - set(FUNDERS))
    if unknown:
        raise EspacepError(f"--funders: unknown funder(s) {unknown}; expected among {list(FUNDERS)}")
    years = options.years or data_years[-1:]
    missing = sorted(set(years) - set(data_years))
    if missing:
        raise EspacepError(
            f"--years: no consultation in the data for {missing}; the data cover {data_years}"
        )
    plan = Plan()
    data_dir = options.data_dir.resolve()
    for year in years:
        for funder in funders:
            notebook = NOTEBOOKS_DIR / f"{funder}.ipynb"
            if not notebook.exists():
                raise EspacepError(f"no notebook for funder {funder!r}: {notebook} is missing")
            parameters = {
                "year": year,
                "data_dir": str(data_dir),
                "output_dir": ".",
                "ci_method": options.ci_method,
                "lang": options.lang,
            }
            if options.min_cell is not None:
                parameters["min_cell"] = options.min_cell
            plan.jobs.append(
                Job(
                    year=year,
                    funder=funder,
                    notebook=notebook,
                    data_dir=data_dir,
                    final_dir=(options.output_dir / str(year) / funder).resolve(),
                    parameters=parameters,
                    pdf=options.pdf,
                    inputs_hash=inputs_hash(data_dir, notebook, {**parameters, "pdf": options.pdf}),
                )
            )
    return plan


def is_up_to_date(job: Job) -> bool:
    stamp = job.final_dir / STAMP
    products = [p for p in PRODUCTS if job.pdf or p != "report.pdf"]
    return (
        stamp.exists()
        and stamp.read_text().strip() == job.inputs_hash
        and all((job.final_dir / p).exists() for p in products)
    )


def run_job(job: Job) -> JobResult:
    """Execute and render one report in a private temporary directory, then publish it."""
    import papermill

    from .render import to_html, to_pdf

    start = time.perf_counter()
    job.final_dir.parent.mkdir(parents=True, exist_ok=True)
    work = job.final_dir.parent / f".{job.funder}.tmp-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        executed = work / "report.ipynb"
        # A path relative to the working directory: the executed notebook records its
        # parameters, and the audit rejects absolute paths of the input data.
        parameters = {**job.parameters, "data_dir": os.path.relpath(job.data_dir, work)}
        papermill.execute_notebook(
            str(job.notebook),
            str(executed),
            parameters=parameters,
            cwd=str(work),
            progress_bar=False,
            kernel_name="python3",
        )
        title = f"Rapport {job.funder.upper() if job.funder != 'cocof' else 'Cocof'} {job.year}"
        to_html(executed, work / "report.html", title=title, funder=job.funder, year=job.year)
        if job.pdf:
            to_pdf(work / "report.html", work / "report.pdf")
        (work / STAMP).write_text(job.inputs_hash + "\n")
        publish(work, job.final_dir)
        return JobResult(job.year, job.funder, "ok", time.perf_counter() - start)
    except Exception as exc:  # one failing report must not stop the others
        first_line = _first_error_line(exc)
        return JobResult(job.year, job.funder, "failed", time.perf_counter() - start, first_line)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _first_error_line(exc: Exception) -> str:
    """The meaningful line of an error, also from inside a papermill-executed cell."""
    ename = getattr(exc, "ename", None)
    evalue = getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}".splitlines()[0]
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text.splitlines()[0]}"


def publish(work: Path, final_dir: Path) -> None:
    """Move finished files into place, each with an atomic rename; the stamp goes last."""
    final_dir.mkdir(parents=True, exist_ok=True)
    names = sorted(p.name for p in work.iterdir() if p.is_file() and p.name != STAMP)
    stale = final_dir / STAMP
    if stale.exists():
        stale.unlink()  # outputs are being replaced: not up to date until the new stamp lands
    for name in names:
        os.replace(work / name, final_dir / name)
    os.replace(work / STAMP, final_dir / STAMP)


def _data_years(data_dir: Path) -> list[int]:
    from .load import load_dataset

    dataset = load_dataset(data_dir)
    return dataset.years


def run_batch(options: BatchOptions) -> int:
    """Validate the data once, run every report, print a summary; non-zero if any failed."""
    years = _data_years(options.data_dir)
    plan = plan_jobs(options, years)
    results: list[JobResult] = []
    todo = []
    for job in plan.jobs:
        if not options.force and is_up_to_date(job):
            results.append(JobResult(job.year, job.funder, "unchanged", 0.0))
        else:
            todo.append(job)
    workers = max(1, min(len(todo), options.workers or os.cpu_count() or 1))
    if todo:
        print(f"{len(todo)} rapport(s) à produire, {workers} processus", flush=True)
    if workers == 1:
        for job in todo:
            results.append(_announce(run_job(job)))
    elif todo:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(run_job, job) for job in todo]
            for future in as_completed(futures):
                results.append(_announce(future.result()))
    results.sort(key=lambda r: (r.year, FUNDERS.index(r.funder)))
    print(format_summary(results))
    return 1 if any(r.status == "failed" for r in results) else 0


def _announce(result: JobResult) -> JobResult:
    print(f"  {result.year} {result.funder:<6} {result.status:<9} {result.seconds:5.1f} s", flush=True)
    return result


def format_summary(results: list[JobResult]) -> str:
    lines = ["", f"{'année':<6} {'bailleur':<8} {'statut':<10} {'durée':>7}  erreur"]
    for r in results:
        lines.append(f"{r.year:<6} {r.funder:<8} {r.status:<10} {r.seconds:6.1f}s  {r.error}")
    failed = sum(r.status == "failed" for r in results)
    lines.append(f"{len(results)} rapport(s), {failed} en échec")
    return "\n".join(lines)

