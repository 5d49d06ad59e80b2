"""The yearly batch: years x funders, each report executed, rendered and published safely.

``espacep report`` calls `run_batch`. What it does, in order:

1. Cleans what killed runs left behind (`clean_stale`): private working
   directories ``outputs/<year>/.<funder>.tmp-<pid>`` of dead processes are
   removed, and a previous report moved aside during a publish that was cut
   short (``.<funder>.old-<pid>``) is put back.
2. Finds the years of the data (`data_years`). Loading and validating the whole
   data set takes seconds, so the years are cached in ``outputs/.data-years.json``
   under a key made of the data files' sha256, the params and the package; a
   cache miss (new or changed data) validates the data and refuses invalid data
   before anything is rendered (``--accept-rejections``: leaves the rejected rows
   out and prints how many per file; the notebooks state them too). The notebooks validate the data again whenever
   they run.
3. Plans one `Job` per (year, funder), plus with ``--book`` one per year for the rapport
   moral (`books`: its notebook is generated from ``params/book.yaml``, its folder
   ``outputs/<year>/<folder>/``), and skips the reports whose inputs hash
   (data files, params, notebook, package files and version, parameters) equals
   the one in their stamp ``.stamp.json`` (``--force`` renders them anyway).
   This path imports neither pandas nor papermill: nothing changed costs a
   fraction of a second.
4. Runs the other jobs in worker processes (default: one per core). Each
   worker keeps one Jupyter kernel warm (`WarmKernel`: started once, the heavy
   libraries imported once, reset between reports) and runs each report in its
   own working directory ``outputs/<year>/.<funder>.tmp-<pid>``: papermill's
   parameter injection, execution by an nbclient client bound to the warm
   kernel, the provenance record (``provenance.json``, written by the notebook)
   put into the executed notebook's metadata, HTML, PDF, then the stamp. The
   finished directory replaces ``outputs/<year>/<funder>/`` by renames
   (`publish`): a failed or killed report never leaves a file at the final
   path that looks complete, and the previous good report stays until the new
   one is whole. One failing report does not stop the others.
5. Prints a line per step as it happens (report, step, elapsed; no terminal
   control codes), then a summary table (report, status, time, first error
   line); writes ``outputs/index.html`` (`index.write_index`); runs the
   identifier audit (`audit.audit_outputs`) over the outputs, and fails the run
   when it finds anything. The audit is skipped only when no file under the
   outputs changed since the last clean audit (fingerprint in
   ``outputs/.audit.json``).

Exit status: 0 when every report is fine and the audit is clean, 1 otherwise.

The package, by concern: `results` (options, jobs, results, constants),
`planning` (inputs hash, years, jobs, stamps), `engine` (the warm kernel and
the papermill engine bound to it), `publishing` (one report, and what killed
runs left behind), `pool` (worker processes, progress, the disclosure
warm-up); this module runs the batch (summary, index, audit) and re-exports
the public names.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import sys
import tempfile
from concurrent.futures import Future
from pathlib import Path

from .. import funders, lifecycle, settings
from ..errors import EspacepError, RunInterrupted
from ..files import write_atomic
from ..lifecycle import OutputLock
from ..stamps import (
    STAMP,
    STATUS_FAILED,
    STATUS_OK,
    STATUS_UNCHANGED,
    read_stamp,
    write_if_changed,
)
from .engine import (
    WARM_MODULES,
    WarmKernel,
    execute_notebook,
    kernel_reset,
    kernel_warm_up,
    publishable_notebook,
    published_parameters,
    warm_modules,
)
from .planning import (
    InputDigests,
    _sha256_file,
    cached_last_date,
    cached_years,
    check_declared,
    complete_years,
    data_files,
    data_years,
    input_digests,
    inputs_hash,
    is_up_to_date,
    plan_jobs,
    product_digests,
    products,
    validate_years,
)
from .pool import (
    Progress,
    Runner,
    disclosure_tasks,
)
from .publishing import (
    _pid_alive,
    attach_provenance,
    clean_stale,
    first_error_line,
    publish,
    report_title,
    run_job,
    work_dir,
    write_stamp,
)
from .results import (
    AUDIT_CACHE,
    BASE_PRODUCTS,
    CACHE_DIR,
    CELL_TIMEOUT,
    DATA_RECORD,
    DATA_SUFFIXES,
    GENERATED_NOTEBOOKS,
    KERNEL_DIR_PREFIX,
    KERNEL_NAME,
    NAME_WIDTH,
    NOTEBOOKS_DIR,
    PACKAGE_DIR,
    STATUS_LABELS,
    YEARS_CACHE,
    BatchOptions,
    Job,
    JobResult,
    Plan,
)

__all__ = [
    "AUDIT_CACHE",
    "BASE_PRODUCTS",
    "CACHE_DIR",
    "CELL_TIMEOUT",
    "DATA_RECORD",
    "DATA_SUFFIXES",
    "GENERATED_NOTEBOOKS",
    "KERNEL_DIR_PREFIX",
    "KERNEL_NAME",
    "NOTEBOOKS_DIR",
    "PACKAGE_DIR",
    "STAMP",
    "STATUS_FAILED",
    "STATUS_LABELS",
    "STATUS_OK",
    "STATUS_UNCHANGED",
    "WARM_MODULES",
    "YEARS_CACHE",
    "BatchOptions",
    "EspacepError",
    "InputDigests",
    "Job",
    "JobResult",
    "Plan",
    "Progress",
    "Runner",
    "WarmKernel",
    "_pid_alive",
    "_sha256_file",
    "attach_provenance",
    "audit_batch",
    "cached_last_date",
    "cached_years",
    "check_declared",
    "check_writable",
    "clean_stale",
    "complete_years",
    "data_files",
    "data_years",
    "default_workers",
    "disclosure_tasks",
    "execute_notebook",
    "first_error_line",
    "format_summary",
    "input_digests",
    "inputs_hash",
    "is_up_to_date",
    "kernel_reset",
    "kernel_warm_up",
    "output_failure",
    "outputs_fingerprint",
    "plan_jobs",
    "product_digests",
    "products",
    "publish",
    "publishable_notebook",
    "published_parameters",
    "read_stamp",
    "record_data_dir",
    "recorded_data_dir",
    "report_title",
    "run_batch",
    "run_job",
    "signal_name",
    "validate_years",
    "warm_modules",
    "work_dir",
    "write_if_changed",
    "write_stamp",
]


# --- summary, audit, the batch -------------------------------------------------------------------


def _noun(n: int, one: str, other: str) -> str:
    """``one`` or ``other`` after the count ``n`` by Babel's French plural rules (as `fmt.noun`).

    Not `fmt.noun` itself: `fmt` imports pandas, and the summary is printed on the nothing-changed path.
    """
    from babel import Locale

    return one if Locale.parse("fr").plural_form(n) == "one" else other


def format_summary(results: list[JobResult]) -> str:
    """The final table: report, status, time, first error line; then the counts."""
    width = max([NAME_WIDTH, *(len(r.name) for r in results)])  # a rapport moral's folder is longer
    lines = ["", f"{'rapport':<{width}} {'statut':<8} {'durée':>8}  erreur"]
    for r in results:
        lines.append(f"{r.name:<{width}} {STATUS_LABELS[r.status]:<8} {r.seconds:7.1f}s  {r.error}".rstrip())
    counts = {status: sum(r.status == status for r in results) for status in STATUS_LABELS}
    lines.append(
        f"{len(results)} {_noun(len(results), 'rapport', 'rapports')} : "
        f"{counts[STATUS_OK]} {_noun(counts[STATUS_OK], 'produit', 'produits')}, "
        f"{counts[STATUS_UNCHANGED]} à jour, {counts[STATUS_FAILED]} en échec"
    )
    return "\n".join(lines)


def outputs_fingerprint(output_dir: Path, digests: InputDigests) -> str:
    """sha256 over every file under ``output_dir`` (names and contents) and the inputs' key."""
    digest = hashlib.sha256(digests.key().encode())
    for path in sorted(p for p in output_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(output_dir).as_posix()
        if rel not in (AUDIT_CACHE, ".lock"):
            digest.update(f"{rel}\0{_sha256_file(path)}\n".encode())
    return digest.hexdigest()


class AuditPreparation:
    """The audit's identifier matcher (`audit.identifier_matcher`), compiled while the reports render.

    Called (once) by the runner's protection thread after the protection; `matcher` then
    waits for it. Reading the data's identifiers and compiling them took about 1 s at the
    end of every batch, on one core, after the last report.
    """

    def __init__(self, data_dir: Path, output_dir: Path):
        self.data_dir, self.output_dir = data_dir, output_dir
        self.future: Future = Future()

    def __call__(self) -> None:
        from ..audit import identifier_matcher

        self.future.set_running_or_notify_cancel()
        try:
            self.future.set_result(identifier_matcher(self.data_dir, self.output_dir))
        except Exception as exc:  # the audit reads them again and reports the error itself
            self.future.set_exception(exc)

    def matcher(self):
        """The compiled matcher; None when it was never started or failed (the audit computes it)."""
        if not (self.future.running() or self.future.done()):
            return None
        try:
            return self.future.result()
        except Exception:
            return None


def audit_batch(
    output_dir: Path,
    data_dir: Path,
    digests: InputDigests,
    out=None,
    pdf_texts: dict | None = None,
    prepared: AuditPreparation | None = None,
) -> bool:
    """Run the identifier audit over ``output_dir``; print the findings; True when clean.

    ``pdf_texts`` (sha256 -> page text, from the reports rendered in this run) spares
    the audit parsing those PDFs back (`audit.audit_outputs`); ``prepared`` holds the
    identifiers compiled during the run.

    Skipped (and reported as such) when not a byte under ``output_dir`` changed
    since the last clean audit with the same data, params and package.
    """
    out = out or sys.stdout
    cache = output_dir / AUDIT_CACHE
    fingerprint = outputs_fingerprint(output_dir, digests)
    try:
        if json.loads(cache.read_text(encoding="utf-8")).get("fingerprint") == fingerprint:
            print("audit : sorties identiques à celles du dernier audit sans constat", file=out)
            return True
    except (OSError, ValueError, AttributeError):
        pass
    from ..audit import audit_outputs, format_findings

    matcher = prepared.matcher() if prepared is not None else None
    findings = audit_outputs(output_dir, data_dir, pdf_texts=pdf_texts, matcher=matcher)
    print(format_findings(findings), file=out)
    if findings:
        cache.unlink(missing_ok=True)
        return False
    write_atomic(cache, (json.dumps({"fingerprint": fingerprint}) + "\n").encode())
    return True


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _runner(options: BatchOptions, jobs: int, progress: Progress) -> Runner:
    workers = max(1, min(jobs, options.workers or default_workers()))
    wanted = list(funders.ids()) if options.book or not options.funders else options.funders  # a book: all
    return Runner(workers, options.warm_kernels, wanted, progress)


OUTPUT_ERRNOS = {
    errno.EROFS: "est en lecture seule",
    errno.ENOSPC: "est plein",
    errno.EDQUOT: "dépasse son quota",
    errno.EACCES: "n'est pas accessible en écriture",
    errno.EPERM: "n'est pas accessible en écriture",
}
_ERRNO_TEXT = re.compile(r"\[Errno (\d+)\]")


def output_failure(output_dir: Path, code: int, reason: str) -> EspacepError:
    """The one-line error of an output folder that cannot be written (``code``: an errno)."""
    state = OUTPUT_ERRNOS.get(code, "ne peut pas être écrit")
    return EspacepError(
        f"le dossier de sortie {output_dir} {state} ({os.strerror(code)}) : {reason} ; "
        "les sorties précédentes sont gardées"
    )


def check_writable(output_dir: Path, size: int = 1 << 16) -> None:
    """Create, fill (``size`` bytes), sync and remove a probe file in ``output_dir``.

    Raises `EspacepError` (`output_failure`) before any work when the folder is
    read-only or full.
    """
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe-", suffix=".tmp", dir=output_dir)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(b"\0" * size)
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            Path(probe).unlink(missing_ok=True)
    except OSError as exc:
        if exc.errno in OUTPUT_ERRNOS:
            raise output_failure(output_dir, exc.errno, "aucun rapport produit") from None
        raise


def _output_errno(results: list[JobResult]) -> int | None:
    """The errno of an output-folder failure (full, read-only) among the failed reports, if any."""
    for result in results:
        match = _ERRNO_TEXT.search(result.error) if result.status == STATUS_FAILED else None
        if match and int(match[1]) in OUTPUT_ERRNOS:
            return int(match[1])
    return None


def run_batch(options: BatchOptions, out=None) -> int:
    """Plan, run, summarise, index and audit one batch (see the module docstring).

    SIGINT, SIGTERM and SIGHUP stop the batch in order (`lifecycle`): the
    workers and their kernels are stopped, nothing more is published, the lock
    is released; the index and the audit are left to the next run.

    Returns
    -------
    int
        0 when every report is produced or up to date and the audit is clean, else 1.

    Raises
    ------
    EspacepError
        Bad options (unknown funder, year without data, missing notebook),
        invalid data, another batch writing into the same output directory, or
        an output folder that is read-only or full (`output_failure`).
    RunInterrupted
        A signal interrupted the batch (its message counts what was published).
    """
    out = out or sys.stdout
    output_dir = Path(options.output_dir)
    lifecycle.reset_abort()
    with lifecycle.interrupt_signals():
        try:
            check_writable(output_dir)
            with OutputLock(output_dir) as lock:
                for message in lock.messages + clean_stale(output_dir):
                    print(message, file=out)
                return _run_locked(options, output_dir, out)
        except OSError as exc:
            if exc.errno in OUTPUT_ERRNOS:
                raise output_failure(output_dir, exc.errno, "le lancement s'est arrêté") from None
            raise


def _run_locked(options: BatchOptions, output_dir: Path, out) -> int:
    """`run_batch` once the output folder is locked: render, then summary, index and audit."""
    from ..index import write_index

    run = options.settings()
    settings.activate(run.params_dir)
    digests = input_digests(run.data_dir, run.params_dir)
    record_data_dir(output_dir, run.data_dir)
    prepared = AuditPreparation(Path(options.data_dir), output_dir)
    plan, results = _render(options, output_dir, digests, Progress(out), out, prepared)
    order = {(j.year, j.funder): i for i, j in enumerate(plan.jobs)}
    results.sort(key=lambda r: order[(r.year, r.funder)])
    print(format_summary(results), file=out, flush=True)
    code = _output_errno(results)
    if code is not None:
        failed = sum(r.status == STATUS_FAILED for r in results)
        raise output_failure(output_dir, code, f"rapports non publiés : {failed}")
    for message in clean_stale(output_dir):  # a dead run's worker still exiting when this run began
        print(message, file=out)
    index = write_index(output_dir, results)
    print(f"index : {index}", file=out)
    texts = {sha: text for r in results for sha, text in r.pdf_texts.items()}
    clean = audit_batch(output_dir, Path(options.data_dir), digests, out, texts, prepared)
    failed = any(r.status == STATUS_FAILED for r in results)
    return 1 if failed or not clean else 0


def record_data_dir(output_dir: Path, data_dir: Path) -> None:
    """Write ``OUTPUT/.data-dir``: the absolute data directory of this run, for `espacep audit` without ``--data``.

    A JSON object ``{"data_dir": "/abs/path"}`` and nothing else. It is not
    published (a dot file of the output root, like ``.lock``); the audit knows
    it (`audit_files`) and skips it, so the absolute path it holds is not a finding.
    """
    write_if_changed(output_dir / DATA_RECORD, json.dumps({"data_dir": str(Path(data_dir).resolve())}) + "\n")


def recorded_data_dir(output_dir: Path) -> Path:
    """The data directory `record_data_dir` wrote into ``output_dir``.

    Raises `EspacepError` when there is no readable record (outputs not made by
    ``espacep report``, or older than the record): give ``--data``.
    """
    path = Path(output_dir) / DATA_RECORD
    try:
        data_dir = Path(json.loads(path.read_text(encoding="utf-8"))["data_dir"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EspacepError(
            f"audit : aucun dossier de données enregistré dans {path} ({type(exc).__name__}) ; "
            "donnez avec --data les données dont les sorties ont été calculées"
        ) from None
    if not data_dir.is_dir():
        raise EspacepError(
            f"audit : le dossier de données enregistré dans {path}, {data_dir}, n'existe pas ; "
            "donnez avec --data les données dont les sorties ont été calculées"
        )
    return data_dir


def _render(
    options: BatchOptions,
    output_dir: Path,
    digests: InputDigests,
    progress: Progress,
    out,
    prepared: AuditPreparation | None = None,
) -> tuple[Plan, list[JobResult]]:
    """Validate (when the data changed), plan and run the reports to render; one result per planned job.

    ``prepared`` is run by the runner's protection thread (`Runner.run`'s ``after``).

    Raises `RunInterrupted` when a signal stops the run (workers and kernels stopped first).
    """
    runner, todo = None, []
    try:
        years = cached_years(output_dir, digests, options.accept_rejections)
        if years is None:  # new or changed data: the kernels warm up while the data are validated
            runner = _runner(
                options, len(options.years or [0]) * len(options.funders or funders.ids()), progress
            )
            years = validate_years(
                Path(options.data_dir), output_dir, digests, options.accept_rejections, out
            )
        last_date = cached_last_date(output_dir, digests)
        plan = plan_jobs(options, years, digests, last_date)
        progress.fit(job.name for job in plan.jobs)
        if not options.years and last_date and last_date.year not in complete_years(years, last_date):
            print(
                f"{last_date.year} est incomplète (dernière date {last_date:%d/%m/%Y}) : la dernière année "
                f"complète est produite ; --years {last_date.year} --partial produit {last_date.year}",
                file=out,
                flush=True,
            )
        todo = [job for job in plan.jobs if options.force or not is_up_to_date(job)]
        results = [JobResult(j.year, j.funder, STATUS_UNCHANGED, 0.0) for j in plan.jobs if j not in todo]
        if todo:
            runner = runner or _runner(options, len(todo), progress)
            kernels = "noyaux réutilisés" if options.warm_kernels else "un noyau neuf par rapport"
            print(
                f"{len(todo)} {_noun(len(todo), 'rapport', 'rapports')} à produire, {len(results)} à jour ; "
                f"{runner.workers} processus, {kernels}",
                file=out,
                flush=True,
            )
            results += runner.run(todo, prepared)
        return plan, results
    except lifecycle.Interrupted as exc:
        if runner is not None:
            runner.abort()
        # a worker stopped by SIGKILL after the grace period leaves its working directory behind
        clean_stale(output_dir)
        raise _interrupted(exc, runner.results if runner else [], len(todo)) from None
    finally:
        if runner is not None:
            runner.close()


def _interrupted(exc: lifecycle.Interrupted, done: list[JobResult], planned: int) -> RunInterrupted:
    """The one-line message of an interrupted run: what was published before, what was not run."""
    published = sum(r.status == STATUS_OK for r in done)
    failed = sum(r.status == STATUS_FAILED for r in done)
    return RunInterrupted(
        f"interrompu par {signal_name(exc.signum)} : rapports publiés avant l'interruption : {published}, "
        f"en échec : {failed}, non lancés : {max(0, planned - len(done))} ; sorties gardées telles "
        "quelles (l'index et l'audit sont mis à jour au prochain lancement)",
        exc.exit_status,
    )


def signal_name(signum: int) -> str:
    import signal

    return signal.Signals(signum).name
