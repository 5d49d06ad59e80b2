"""The worker pool: worker processes each keeping a warm kernel, the progress lines, the disclosure warm-up."""

from __future__ import annotations

import functools
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from .. import lifecycle, settings
from ..errors import InternalError
from ..stamps import STATUS_FAILED
from .engine import WarmKernel, freeze_heap, warm_modules
from .publishing import first_error_line, run_job, work_dir
from .results import NAME_WIDTH, STATUS_LABELS, Job, JobResult

# --- running the jobs ----------------------------------------------------------------------------

_WORKER: dict = {}  # in a worker process: the progress queue, the kernel mode, the kernel


def _kernel_for(state: dict) -> WarmKernel:
    """The worker's warm kernel (started or restarted when needed), or a fresh one."""
    kernel = state.get("kernel")
    if state["warm"] and kernel is not None and kernel.alive():
        return kernel
    if kernel is not None:
        kernel.shutdown()
    state["kernel"] = WarmKernel(state["modules"] if state["warm"] else [])
    return state["kernel"]


def _run_in_worker(job: Job, state: dict, progress: Callable[[str, float], None]) -> JobResult:
    start = time.perf_counter()
    try:
        if state.get("kernel") is None or not state["warm"]:
            progress("noyau", 0.0)
        kernel = _kernel_for(state)
    except Exception as exc:
        return JobResult(
            job.year,
            job.funder,
            STATUS_FAILED,
            time.perf_counter() - start,
            f"noyau Jupyter : {first_error_line(exc)}",
        )
    offset = time.perf_counter() - start  # the kernel's start, when this job paid for it
    result = run_job(job, kernel, lambda step, t: progress(step, t + offset))
    # A kernel that failed a report may be busy (a timed-out cell) or in a strange state:
    # the next report gets a new one.
    if not state["warm"] or result.status == STATUS_FAILED or not kernel.alive():
        kernel.shutdown()
        state["kernel"] = None
    freeze_heap()  # the next report's collections skip WeasyPrint, nbconvert and what they cached
    return result


def _shutdown_worker_kernel(state: dict = _WORKER) -> None:
    if state.get("kernel") is not None:
        state["kernel"].shutdown()
        state["kernel"] = None


def _abort_worker(state: dict = _WORKER) -> None:
    """The worker is being stopped: kill its kernel, remove the working directory of its report."""
    if state.get("kernel") is not None:
        state["kernel"].kill()
    if state.get("job") is not None:
        shutil.rmtree(work_dir(state["job"]), ignore_errors=True)


def _worker_init(queue, warm: bool, modules: list[str], abort_event, parent_pid: int) -> None:
    """Worker start: die with the run (`lifecycle.guard_worker`), remember the settings, start the warm kernel.

    The kernel starts at once and warms up while the main process plans.
    """
    from multiprocessing import util

    _WORKER.update(queue=queue, warm=warm, modules=modules, kernel=None, job=None)
    lifecycle.guard_worker(abort_event, parent_pid, _abort_worker)
    util.Finalize(None, _shutdown_worker_kernel, exitpriority=10)
    _prestart(_WORKER)


def _prestart(state: dict) -> None:
    if state["warm"]:
        try:
            state["kernel"] = WarmKernel(state["modules"])
        except Exception:
            state["kernel"] = None


def _noop() -> None:
    """Submitted once so that the pool starts its workers (and their kernels) right away."""


def _worker_job(job: Job) -> JobResult:
    queue = _WORKER["queue"]
    _WORKER["job"] = job
    try:
        return _run_in_worker(job, _WORKER, lambda step, t: queue.put((job.name, step, t)))
    finally:
        _WORKER["job"] = None


class Progress:
    """Prints one line per event: time since the batch began, report, step, time in the report."""

    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.start = time.perf_counter()
        self.width = NAME_WIDTH

    def fit(self, names: Iterable[str]) -> None:
        """Align the report column on the longest of ``names`` (the plan's jobs: ``2019/rapport-moral``)."""
        self.width = max([NAME_WIDTH, *(len(name) for name in names)])

    def line(self, report: str, text: str) -> None:
        clock = time.perf_counter() - self.start
        print(f"[{clock:7.1f} s] {report:<{self.width}} {text}", file=self.out, flush=True)

    def step(self, report: str, step: str, seconds: float) -> None:
        self.line(report, f"{step:<12} (rapport commencé il y a {seconds:.1f} s)")

    def done(self, result: JobResult) -> None:
        error = f" : {result.error}" if result.error else ""
        self.line(result.name, f"{STATUS_LABELS[result.status]:<12} en {result.seconds:.1f} s{error}")


def disclosure_tasks(jobs: list[Job]) -> list[tuple]:
    """``(data_dir, year, ci_method, ci_level, min_cell, cache_dir, params_dir)`` of each year whose reports are masked.

    In job order. Every report of every year shares one protection of the
    three funders' figures (`publish.protected_years`, cached in the jobs'
    ``cache_dir``, ``<output>/.cache`` by default): one task per data set and
    parameters, whatever the year. ``min_cell`` None means each funder's
    threshold from the params.
    """
    tasks: list[tuple] = []
    for job in jobs:
        min_cell = job.parameters.get("min_cell")
        if min_cell is not None and int(min_cell) in (0, 1):
            continue
        task = (
            str(job.data_dir),
            int(job.year),
            job.parameters.get("ci_method", "wilson"),
            float(job.parameters.get("ci_level", 0.95)),
            min_cell,
            job.parameters.get("cache_dir"),
            job.parameters.get("params_dir"),
        )
        if all(t[:1] + t[2:] != task[:1] + task[2:] for t in tasks):
            tasks.append(task)
    return tasks


def _warm_disclosure(
    data_dir: str,
    year: int,
    ci_method: str,
    ci_level: float,
    min_cell: int | None,
    cache_dir: str | None = None,
    params_dir: str | None = None,
) -> None:
    """Compute and cache the disclosure protection of ``year`` (`_warm_in_thread`, before the notebooks)."""
    from .. import publish
    from ..load import load_dataset

    try:
        if params_dir:
            settings.activate(params_dir)
        dataset = load_dataset(data_dir)
        thresholds = (
            {int(t) for t in dataset.sites.funder_min_cell.values()} if min_cell is None else {int(min_cell)}
        )
        for threshold in sorted(t for t in thresholds if t > 1):
            publish.protected_year(
                dataset,
                year,
                ci_method,
                ci_level,
                threshold,
                Path(cache_dir) if cache_dir else publish.DEFAULT_CACHE_DIR,
            )
    except Exception:
        return


def _warm_in_thread(tasks: list[tuple], after: Callable[[], None] | None = None) -> threading.Thread | None:
    """Compute the protections of ``tasks`` in a thread of this process, the batch's main process.

    The kernels, started earlier, are still importing their libraries meanwhile: the
    protection overlaps their start instead of occupying a worker (which then had to import
    the libraries and read the data again, while the other worker's first notebook waited
    for it) or following the kernel's start inside the first notebook. The notebooks wait
    for the thread through the cache's lock (`publish.protected_years`), then read the cache.
    This process has the data validated already (`load.validate_and_load` keeps them), and
    its main thread only waits on the workers' or the kernel's messages while the thread
    computes. ``after`` (the batch's audit preparation) runs in the same thread, once the
    protections are cached: it does not take the interpreter from them. Returns the thread
    (`Runner.close` waits for it), or None when there is nothing to do.
    """

    def warm() -> None:
        for task in tasks:
            _warm_disclosure(*task)
        if after is not None:
            after()

    if not (tasks or after is not None):
        return None
    thread = threading.Thread(target=warm, name="espacep-protection", daemon=True)
    thread.start()
    return thread


class Runner:
    """Where the jobs run: worker processes (or this process when ``workers`` is 1), each with a kernel.

    Started before the plan is final, so that the kernels start and import the
    libraries while this process validates the data; `close` does not wait for
    the workers to exit (their kernels are killed as they go).
    """

    def __init__(self, workers: int, warm: bool, funders: list[str], progress: Progress):
        import multiprocessing

        self.workers, self.progress = max(1, workers), progress
        modules = warm_modules(sorted(funders))
        self.state = {"warm": warm, "modules": modules, "kernel": None}
        self.pool = self.queue = self.abort_event = None
        self.results: list[JobResult] = []  # as they finish (what an interrupt leaves published)
        self.warming: threading.Thread | None = None  # the protection's thread (`_warm_in_thread`)
        self.aborted = False
        if self.workers == 1:
            _prestart(self.state)
            return
        context = multiprocessing.get_context()
        self.queue, self.abort_event = context.Queue(), context.Event()
        self.pool = ProcessPoolExecutor(
            max_workers=self.workers,
            initializer=_worker_init,
            initargs=(self.queue, warm, modules, self.abort_event, os.getpid()),
        )
        self.pool.submit(_noop)

    def run(self, jobs: list[Job], after: Callable[[], None] | None = None) -> list[JobResult]:
        """Run ``jobs``; one result per job, in the order they finish.

        ``after`` is called in the protection's thread (`_warm_in_thread`) once it is done.
        """
        if self.pool is None:
            results = self.results
            self.warming = _warm_in_thread(disclosure_tasks(jobs), after)
            for job in jobs:
                results.append(
                    _run_in_worker(job, self.state, functools.partial(self.progress.step, job.name))
                )
                self.progress.done(results[-1])
            return list(results)
        return self._run_pool(jobs, after)

    def _drain(self, wait_s: float = 0.0) -> None:
        import queue as queue_module

        queue = self.queue
        while queue is not None:
            try:
                self.progress.step(*(queue.get(timeout=wait_s) if wait_s else queue.get_nowait()))
            except queue_module.Empty:
                return

    def _run_pool(self, jobs: list[Job], after: Callable[[], None] | None) -> list[JobResult]:
        # the disclosure protection once, in this process beside the kernels' start, instead of in the
        # first notebooks side by side; a failure here is left to the notebook, which reports it
        pool = self.pool
        if pool is None:
            raise InternalError("worker pool: not started")
        self.warming = _warm_in_thread(disclosure_tasks(jobs), after)
        futures = {pool.submit(_worker_job, job): job for job in jobs}
        pending, results = set(futures), self.results
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            self._drain(0.05 if done else 0.0)
            for future in sorted(done, key=lambda f: jobs.index(futures[f])):
                job = futures[future]
                try:
                    result = future.result()
                except Exception as exc:
                    result = JobResult(
                        job.year,
                        job.funder,
                        STATUS_FAILED,
                        0.0,
                        f"processus de travail interrompu : {first_error_line(exc)}",
                    )
                results.append(result)
                self.progress.done(result)
        self._drain()
        return list(results)

    def close(self) -> None:
        """Stop the kernels; worker processes exit in the background; wait for the protection's thread.

        A run whose reports failed, or did not need the protection, can end before the thread
        has written the cache: waiting for it lets the cache be complete, or absent when its
        write failed (a full disk), never half-written when the process exits. An interrupted
        run (`abort`) does not wait.
        """
        _shutdown_worker_kernel(self.state)
        if self.warming is not None and not self.aborted:
            self.warming.join()
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)

    def abort(self) -> None:
        """The run is interrupted: nothing more is published; workers and kernels stop now.

        The abort flag is set first (a worker about to publish sees it), then
        the workers get SIGTERM (they kill their kernel and remove their
        working directory), then SIGKILL goes to whatever of the run's
        processes, recorded beforehand, is still there after a grace period.
        """
        self.aborted = True
        lifecycle.abort_run(self.abort_event)
        _shutdown_worker_kernel(self.state)
        if self.pool is None:
            return
        workers = list((getattr(self.pool, "_processes", None) or {}).values())
        below = {pid: start for w in workers if w.pid for pid, start in lifecycle.descendants(w.pid).items()}
        lifecycle.stop_processes(workers, below)
        self.pool.shutdown(wait=False, cancel_futures=True)
