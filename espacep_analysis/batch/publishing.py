"""One report: executed, rendered, stamped and published by renames; what killed runs left behind."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .. import funders, lifecycle, renderers
from ..errors import EspacepError
from ..files import write_atomic
from ..stamps import STAMP, STATUS_FAILED, STATUS_OK
from .engine import WarmKernel, execute_notebook
from .planning import _sha256_file, product_digests
from .results import _TEMP_DIR, _TEMP_FILE, CACHE_DIR, KERNEL_DIR_PREFIX, Job, JobResult

# --- one report --------------------------------------------------------------------------------


def attach_provenance(executed: Path, work: Path) -> dict:
    """Put the notebook's ``provenance.json`` into the executed notebook (``metadata.espacep.provenance``).

    Raises `EspacepError` when the notebook did not write ``figures.csv`` and
    ``provenance.json`` into its output directory.
    """
    import nbformat

    for name in ("figures.csv", "provenance.json"):
        if not (work / name).is_file():
            raise EspacepError(f"le notebook n'a pas écrit {name} dans son dossier de sortie")
    try:
        record = json.loads((work / "provenance.json").read_text(encoding="utf-8"))
    except ValueError as exc:
        raise EspacepError(f"provenance.json illisible : {exc}") from exc
    nb = nbformat.read(executed, as_version=4)
    nb.metadata.setdefault("espacep", {})["provenance"] = record
    write_atomic(executed, nbformat.writes(nb).encode("utf-8"))
    return record


def report_title(job: Job) -> str:
    """``Rapport AViQ 2019``; the rapport moral's: its title and the year."""
    return f"{job.title} {job.year}" if job.title else f"Rapport {funders.title(job.funder)} {job.year}"


def run_job(job: Job, kernel: WarmKernel, progress: Callable[[str, float], None] | None = None) -> JobResult:
    """Execute, render and publish one report in its private working directory.

    ``progress(step, seconds_since_start)`` is called as each step begins
    (``exécution``, ``html``, ``pdf``, ``publication``). Never raises: a failure
    is a ``failed`` result with the first line of the error.
    """
    from .. import render

    start = time.perf_counter()
    steps = _Steps(start, progress)
    work = work_dir(job)
    render.take_page_texts()  # none of another job's
    try:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        steps.begin("exécution")
        executed = execute_notebook(job, work, kernel)
        record = attach_provenance(executed, work)
        funder = "" if job.title else job.funder  # the book's title page names no single funder
        rendered = renderers.RenderJob(executed, work, report_title(job), funder, job.year, job.lang)
        renderers.render_all(rendered, job.rendered_formats, steps.begin)
        steps.begin("publication")
        write_stamp(work, job, record, time.perf_counter() - start, steps.end())
        publish(work, job.final_dir)
        return JobResult(
            job.year,
            job.funder,
            STATUS_OK,
            time.perf_counter() - start,
            steps=steps.end(),
            pdf_texts=render.take_page_texts(),
        )
    except Exception as exc:
        return JobResult(
            job.year,
            job.funder,
            STATUS_FAILED,
            time.perf_counter() - start,
            first_error_line(exc),
            steps.end(),
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def work_dir(job: Job) -> Path:
    """The private working directory of ``job`` in this process (`clean_stale` knows the pattern)."""
    return job.final_dir.parent / f".{job.funder}.tmp-{os.getpid()}"


class _Steps:
    """Durations of a report's steps; announces each step as it begins."""

    def __init__(self, start: float, progress: Callable[[str, float], None] | None):
        self.start, self.progress = start, progress
        self.durations: dict[str, float] = {}
        self.current: tuple[str, float] | None = None

    def begin(self, name: str | None) -> None:
        now = time.perf_counter()
        if self.current:
            self.durations[self.current[0]] = round(now - self.current[1], 3)
        self.current = (name, now) if name else None
        if name and self.progress:
            self.progress(name, now - self.start)

    def end(self) -> dict[str, float]:
        self.begin(None)
        return dict(self.durations)


def write_stamp(work: Path, job: Job, record: dict, seconds: float, steps: dict) -> None:
    """The stamp: inputs hash, render time, the products' sha256 (`is_up_to_date`) (written last)."""
    stamp = {
        "inputs": job.inputs_hash,
        "seconds": round(seconds, 3),
        "pdf": job.pdf,
        "rendered_at": record.get("rendered_at"),
        "provenance_sha256": _sha256_file(work / "provenance.json"),
        "formats": job.rendered_formats,
        "products": product_digests(work, job.rendered_formats),
        "steps": steps,
    }
    write_atomic(work / STAMP, (json.dumps(stamp, indent=1, sort_keys=True) + "\n").encode())


def first_error_line(exc: BaseException) -> str:
    """The meaningful line of an error, also from inside a papermill-executed cell."""
    ename = getattr(exc, "ename", None)
    if ename:
        return f"{ename}: {getattr(exc, 'evalue', '')}".strip().splitlines()[0]
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text.splitlines()[0]}"


def publish(work: Path, final_dir: Path) -> None:
    """Replace ``final_dir`` by the finished ``work`` directory, by renames.

    The previous report is renamed aside, the new one renamed into place, the
    old one removed. A kill between the two renames leaves the old report
    complete under ``.<name>.old-<pid>``, which `clean_stale` puts back.
    """
    if not (work / STAMP).is_file():
        raise EspacepError(f"{work}: pas de tampon, le rapport n'est pas complet")
    _check_not_aborted(final_dir)
    old = final_dir.parent / f".{final_dir.name}.old-{os.getpid()}"
    shutil.rmtree(old, ignore_errors=True)
    if final_dir.exists():
        os.rename(final_dir, old)
    try:
        os.rename(work, final_dir)
    except OSError:
        if old.exists() and not final_dir.exists():
            os.rename(old, final_dir)  # put the previous report back at once
        raise
    shutil.rmtree(old, ignore_errors=True)


def _check_not_aborted(final_dir: Path) -> None:
    """Raise when the run was interrupted or its main process is gone: nothing is published after that."""
    if not lifecycle.may_publish():
        raise EspacepError(f"lancement interrompu : {final_dir} non publié")


# --- stale files of killed runs, and the lock ----------------------------------------------------


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    return lifecycle.process_alive(pid)


def clean_stale(output_dir: Path) -> list[str]:
    """Remove what killed runs left in ``output_dir``; put back reports moved aside by `publish`.

    Returns one message per directory cleaned or restored.
    """
    messages: list[str] = []
    if not output_dir.is_dir():
        return messages
    for year_dir in sorted(p for p in output_dir.iterdir() if p.is_dir() and p.name.isdigit()):
        for entry in sorted(year_dir.iterdir()):
            match = _TEMP_DIR.match(entry.name)
            if not match or _pid_alive(int(match["pid"])):
                continue
            final = year_dir / match["name"]
            if match["kind"] == "old" and not final.exists():
                os.rename(entry, final)
                messages.append(f"rétabli : {final} (publication interrompue)")
            else:
                shutil.rmtree(entry, ignore_errors=True)
                messages.append(f"nettoyé : {entry} (lancement interrompu)")
    # write_atomic's temporary files: the index's, and the disclosure cache's when a signal stopped
    # the run while the protection's thread was writing it (`pool.Runner.abort` does not wait for it)
    for folder in (output_dir, output_dir / CACHE_DIR):
        for entry in folder.iterdir() if folder.is_dir() else ():
            if entry.is_file() and _TEMP_FILE.match(entry.name):
                entry.unlink(missing_ok=True)
    _clean_kernel_dirs(Path(tempfile.gettempdir()))
    return messages


def _clean_kernel_dirs(tmp: Path) -> None:
    """Remove the socket directories of kernels whose worker process was killed."""
    pattern = re.compile(re.escape(KERNEL_DIR_PREFIX) + r"(\d+)-")
    for entry in tmp.glob(f"{KERNEL_DIR_PREFIX}*"):
        match = pattern.match(entry.name)
        if match and entry.is_dir() and not _pid_alive(int(match[1])):
            shutil.rmtree(entry, ignore_errors=True)
