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
3. Plans one `Job` per (year, funder) and skips the reports whose inputs hash
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
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, lifecycle, renderers, settings
from .errors import DataError, EspacepError, InternalError, RunInterrupted
from .files import write_atomic
from .lifecycle import OutputLock

PACKAGE_DIR = Path(__file__).resolve().parent  # hashed as code (the stamp), never read as configuration
NOTEBOOKS_DIR = PACKAGE_DIR.parent / "notebooks"  # the funder notebooks of the checkout (code, not params)
FUNDERS = ("inami", "aviq", "cocof")
FUNDER_TITLES = {"inami": "INAMI", "aviq": "AViQ", "cocof": "Cocof"}
# The notebook's own products; the documents' products come from the format registry (`renderers`).
BASE_PRODUCTS = ("report.ipynb", "figures.csv", "figures-excel.csv", "provenance.json")
STAMP = ".stamp.json"
YEARS_CACHE = ".data-years.json"
DATA_RECORD = ".data-dir"  # the data directory of the last run: `espacep audit` without --data reads it
AUDIT_CACHE = ".audit.json"
CACHE_DIR = ".cache"  # the disclosure cache, under the output directory unless --cache says otherwise
DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls")
KERNEL_NAME = "python3"
CELL_TIMEOUT = 3600  # seconds a single notebook cell may run
# IPython's history database is shared by every kernel of the machine: two batches at once made it
# print "ERROR! Session/line number was not unique in database" into reports. Report kernels keep none.
KERNEL_ARGUMENTS = ("--HistoryManager.enabled=False",)
STRAY_QUOTE = 160  # characters of a stray output quoted in the batch summary
STATUS_OK, STATUS_UNCHANGED, STATUS_FAILED = "ok", "unchanged", "failed"
_TEMP_DIR = re.compile(r"^\.(?P<name>[\w-]+)\.(?P<kind>tmp|old)-(?P<pid>\d+)$")
_TEMP_FILE = re.compile(r"^\..+\.tmp$")  # render.write_atomic's temporary files
KERNEL_DIR_PREFIX = "espacep-kernel-"  # + worker pid: a kernel's sockets, in the system temp dir


@dataclass
class BatchOptions:
    """What ``espacep report`` was asked to do (see ``espacep report --help``)."""

    data_dir: Path
    output_dir: Path
    years: list[int] | None = None
    funders: list[str] | None = None
    ci_method: str = "wilson"
    lang: str = "fr_BE"
    min_cell: int | None = None
    pdf: bool = True  # False: every format but ``pdf`` (``--no-pdf``)
    formats: tuple[str, ...] | None = (
        None  # the formats to render (``--formats``); None: every registered one
    )
    force: bool = False
    workers: int | None = None
    warm_kernels: bool = True
    notebooks_dir: Path = NOTEBOOKS_DIR
    cache_dir: Path | None = None  # the disclosure cache; None: <output_dir>/.cache
    params_dir: Path | None = None  # None: params/ of the working directory's project
    partial: bool = False  # render a year the data do not cover to its last month ("du 1er janvier au ...")

    def settings(self) -> settings.Settings:
        """The run's directories, absolute (`settings.Settings`)."""
        return settings.Settings(
            data_dir=Path(self.data_dir),
            params_dir=Path(self.params_dir or settings.default_params_dir()),
            output_dir=Path(self.output_dir),
            cache_dir=Path(self.cache_dir or Path(self.output_dir) / CACHE_DIR),
        ).resolved()

    draft: bool = False  # render even when declared params still hold A_COMPLETER items (banner BROUILLON)
    accept_rejections: bool = False  # render without the rejected rows instead of refusing the data


@dataclass
class Job:
    """One report to produce: its notebook, parameters, final directory and inputs hash."""

    year: int
    funder: str
    notebook: Path
    data_dir: Path
    final_dir: Path
    parameters: dict
    pdf: bool
    inputs_hash: str
    lang: str = "fr_BE"
    formats: tuple[str, ...] | None = (
        None  # None: every registered format (`renderers`), but pdf if not ``pdf``
    )

    @property
    def rendered_formats(self) -> list[str]:
        """The formats this job renders, in rendering order (`renderers.selected`)."""
        chosen = renderers.selected(self.formats)
        return [name for name in chosen if self.pdf or name != "pdf"]

    @property
    def name(self) -> str:
        return f"{self.year}/{self.funder}"


@dataclass
class JobResult:
    """How a job ended: ``ok`` (rendered), ``unchanged`` (skipped) or ``failed``."""

    year: int
    funder: str
    status: str
    seconds: float
    error: str = ""
    steps: dict = field(default_factory=dict)  # step -> seconds

    @property
    def name(self) -> str:
        return f"{self.year}/{self.funder}"


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)


# --- inputs hash ---------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _digest_files(files: list[Path], root: Path) -> str:
    """sha256 over the relative names and contents of ``files``."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(f"{path.relative_to(root).as_posix()}\0{_sha256_file(path)}\n".encode())
    return digest.hexdigest()


def data_files(data_dir: Path) -> list[Path]:
    """The export files of ``data_dir`` (what a notebook may read)."""
    if not data_dir.is_dir():
        raise EspacepError(f"--data: {data_dir} n'est pas un dossier de données")
    return sorted(
        p
        for p in data_dir.iterdir()
        if p.is_file() and p.suffix.lower() in DATA_SUFFIXES and not p.name.startswith(".")
    )


def _tree_files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".") and p.suffix != ".pyc"
    )


@dataclass(frozen=True)
class InputDigests:
    """Digests shared by every report of a batch: data files, params, package (code and version)."""

    data: str
    params: str
    package: str

    def key(self) -> str:
        return hashlib.sha256(f"{self.data}:{self.params}:{self.package}".encode()).hexdigest()


def input_digests(data_dir: Path, params_dir: Path | None = None) -> InputDigests:
    """Hash the data files, the params files a report reads and the package's files.

    ``params_dir`` defaults to the active one (`settings.params_dir`); the
    calibration targets are not hashed (`settings.runtime_params_files`).
    """
    params_dir = Path(params_dir or settings.params_dir())
    params = (
        _digest_files(settings.runtime_params_files(params_dir), params_dir) if params_dir.is_dir() else ""
    )
    package = _digest_files(_tree_files(PACKAGE_DIR), PACKAGE_DIR) + __version__
    return InputDigests(_digest_files(data_files(data_dir), data_dir), params, package)


def inputs_hash(digests: InputDigests, notebook: Path, parameters: dict) -> str:
    """Hash of everything one report depends on (paths left out: contents count)."""
    payload = {
        k: v for k, v in parameters.items() if k not in ("data_dir", "output_dir", "cache_dir", "params_dir")
    }
    digest = hashlib.sha256()
    digest.update(digests.key().encode())
    digest.update(_sha256_file(notebook).encode())
    digest.update(json.dumps(payload, sort_keys=True).encode())
    return digest.hexdigest()


# --- years of the data -------------------------------------------------------------------------


def cached_years(
    output_dir: Path, digests: InputDigests, accept_rejections: bool = False
) -> list[int] | None:
    """The years cached for these data, params and package; None when the cache does not match.

    Data validated with rejections (``--accept-rejections``) are a miss for a run
    without the option, which then validates them again and refuses them.
    """
    try:
        cached = json.loads((output_dir / YEARS_CACHE).read_text(encoding="utf-8"))
        if cached.get("key") == digests.key() and (accept_rejections or not cached.get("rejected")):
            return [int(y) for y in cached["years"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None


def cached_last_date(output_dir: Path, digests: InputDigests) -> dt.date | None:
    """The last consultation date cached with the years (`validate_years`); None when unknown."""
    try:
        cached = json.loads((output_dir / YEARS_CACHE).read_text(encoding="utf-8"))
        if cached.get("key") == digests.key() and cached.get("last_date"):
            return dt.date.fromisoformat(cached["last_date"])
    except (OSError, ValueError, TypeError, AttributeError):
        pass
    return None


def validate_years(
    data_dir: Path, output_dir: Path, digests: InputDigests, accept_rejections: bool = False, out=None
) -> list[int]:
    """Load and validate every table (`load.validate_and_load`); cache and return the years.

    Raises `EspacepError` (with the rejected rows) when the data are invalid,
    unless ``accept_rejections``: then the rows left out are counted per file on ``out``.
    """
    from .load import refusal, validate_and_load
    from .rejections import left_out, left_out_sentence

    dataset, report = validate_and_load(data_dir)
    if not report.ok and not accept_rejections:
        raise refusal(report)
    if not report.ok:
        print(
            f"--accept-rejections : lignes rejetées laissées de côté : {left_out_sentence(left_out(report))}",
            file=out or sys.stdout,
        )
    years, last = list(dataset.years), dataset.consultations["date"].max()
    record = {
        "key": digests.key(),
        "years": years,
        "last_date": None if last is None or last != last else last.date().isoformat(),
        **({} if report.ok else {"rejected": True}),
    }
    _write_if_changed(output_dir / YEARS_CACHE, json.dumps(record) + "\n")
    return years


def data_years(data_dir: Path, output_dir: Path, digests: InputDigests) -> list[int]:
    """Years with consultations in the data: from the cache, or by validating the data.

    A cache miss (new or changed data) validates every table: invalid data
    raise `EspacepError` here, before any report is rendered.
    """
    years = cached_years(output_dir, digests)
    return years if years is not None else validate_years(data_dir, output_dir, digests)


def _write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` atomically unless the file already holds it (keeps mtimes stable)."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True


# --- planning ----------------------------------------------------------------------------------


def complete_years(years_in_data: list[int], last_date: dt.date | None) -> list[int]:
    """The years of the data whose records reach their last month (all of them when ``last_date`` is unknown)."""
    if last_date is None:
        return list(years_in_data)
    return [y for y in years_in_data if y < last_date.year or (y == last_date.year and last_date.month == 12)]


def _plan_years(options: BatchOptions, years_in_data: list[int], last_date: dt.date | None) -> list[int]:
    """``--years``, or the latest complete year; a partial year only with ``--partial``.

    Raises `EspacepError` naming the last date found for a partial year without ``--partial``.
    """
    whole = complete_years(years_in_data, last_date)
    shown = f"{last_date:%d/%m/%Y}" if last_date else ""
    if not options.years and not whole and not options.partial:
        if last_date is None:
            raise DataError("aucune date dans les données")
        raise EspacepError(
            f"no complete year in the data: the last date found is {shown}; "
            f"render {last_date.year} anyway with --years {last_date.year} --partial"
        )
    years = options.years or (whole[-1:] if whole else years_in_data[-1:])
    missing = sorted(set(years) - set(years_in_data))
    if missing:
        raise EspacepError(
            f"--years : aucune consultation dans les données pour {missing} ; "
            f"les données couvrent {years_in_data}"
        )
    partial = sorted(set(years) - set(whole))
    if partial and not options.partial:
        raise EspacepError(
            f"{partial[0]} is a partial year: the last date found in the data is {shown}; "
            f'give --partial to render it as "du 1er janvier au {shown}", or wait for the '
            "export of the whole year"
        )
    return years


def plan_jobs(
    options: BatchOptions, years_in_data: list[int], digests: InputDigests, last_date: dt.date | None = None
) -> Plan:
    """Expand the options into one job per (year, funder), checking funders, years, notebooks.

    ``last_date`` is the data's last consultation date: the default year is the
    latest complete year (`complete_years`), and a partial year is refused unless
    ``options.partial`` (its jobs then get the ``period_end`` parameter).
    """
    funders = options.funders or list(FUNDERS)
    unknown = sorted(set(funders) - set(FUNDERS))
    if unknown:
        raise EspacepError(f"--funders : financeur(s) inconnu(s) {unknown} ; attendus parmi {list(FUNDERS)}")
    years = _plan_years(options, years_in_data, last_date)
    whole = complete_years(years_in_data, last_date)
    run = options.settings()
    check_declared(funders, years, options.draft, run.params_dir)
    plan = Plan()
    data_dir = run.data_dir
    for year in years:
        for funder in dict.fromkeys(funders):
            notebook = Path(options.notebooks_dir) / f"{funder}.ipynb"
            if not notebook.is_file():
                raise EspacepError(f"pas de notebook pour le financeur {funder!r} : {notebook} est absent")
            parameters = {
                "year": year,
                "data_dir": str(data_dir),
                "output_dir": ".",
                "ci_method": options.ci_method,
                "lang": options.lang,
                "cache_dir": str(run.cache_dir),
                "params_dir": str(run.params_dir),
            }
            if options.min_cell is not None:
                parameters["min_cell"] = options.min_cell
            if year not in whole:
                parameters["period_end"] = last_date.isoformat() if last_date else ""
            if options.draft:
                parameters["draft"] = True
            if options.accept_rejections:
                parameters["accept_rejections"] = True
            plan.jobs.append(
                Job(
                    year=year,
                    funder=funder,
                    notebook=notebook.resolve(),
                    data_dir=data_dir,
                    final_dir=(Path(options.output_dir) / str(year) / funder).resolve(),
                    parameters=parameters,
                    pdf=options.pdf,
                    formats=tuple(options.formats) if options.formats else None,
                    lang=options.lang,
                    inputs_hash=inputs_hash(digests, notebook, parameters),
                )
            )
    return plan


def check_declared(funders: list[str], years: list[int], draft: bool, params_dir: Path | None = None) -> None:
    """Read the declared params of every report to render before any runs.

    Raises `EspacepError` for a missing or invalid ``params/<year>/<funder>.yaml``
    (AViQ, Cocof) and, unless ``draft``, `declared.UnfilledParams` listing every
    item still ``A_COMPLETER`` in all of them at once. ``params_dir`` None: the
    active params directory (`settings.params_dir`).
    """
    from . import declared

    content = [
        declared.load_declared(f, y, params_dir)
        for y in years
        for f in dict.fromkeys(funders)
        if f in declared.SECTIONS
    ]
    if not draft:
        declared.require_filled(content)


def read_stamp(final_dir: Path) -> dict | None:
    """The stamp of a published report (None when absent or unreadable)."""
    try:
        stamp = json.loads((final_dir / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def products(formats: list[str] | None = None) -> list[str]:
    """The files of a published report: `BASE_PRODUCTS` and the products of ``formats`` (None: all)."""
    return [*BASE_PRODUCTS, *renderers.products(formats)]


def product_digests(folder: Path, formats: list[str] | None = None) -> dict[str, str]:
    """sha256 of each product of ``formats`` (None: all registered) present in ``folder``."""
    names = products(formats)
    return {name: _sha256_file(folder / name) for name in names if (folder / name).is_file()}


def is_up_to_date(job: Job) -> bool:
    """The report's stamp holds the job's inputs hash, and every product is there with the digest the stamp records.

    A product edited, replaced or removed after publication (a hand-run
    notebook's ``figures.csv``, a retouched ``report.html``) makes the report
    render again.
    """
    stamp = read_stamp(job.final_dir)
    if stamp is None or stamp.get("inputs") != job.inputs_hash:
        return False
    expected = stamp.get("products")
    return (
        isinstance(expected, dict)
        and set(expected) == set(products(job.rendered_formats))
        and product_digests(job.final_dir, job.rendered_formats) == expected
    )


# --- warm kernels ------------------------------------------------------------------------------

# Imported once per kernel: the floor of a report's cost is these imports (seconds), not our work.
WARM_MODULES = (
    "numpy",
    "pandas",
    "scipy.stats",
    "matplotlib",
    "seaborn",
    "pandera.pandas",
    "IPython.display",
    "espacep_analysis.load",
    "espacep_analysis.plots",
    "espacep_analysis.provenance",
    "espacep_analysis.pages",
)
_KERNEL_STATE: dict = {}  # inside a kernel process: the interpreter state right after warm-up


def warm_modules(funders: list[str]) -> list[str]:
    """`WARM_MODULES` plus the pages and indicators modules of ``funders``."""
    extra = [f"espacep_analysis.{kind}.{f}" for f in funders for kind in ("indicators", "pages")]
    return list(WARM_MODULES) + extra


def kernel_warm_up(modules: list[str]) -> None:
    """Run inside the kernel: import ``modules`` (missing ones skipped), then snapshot the state."""
    import importlib

    for name in modules:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    _KERNEL_STATE.clear()
    _KERNEL_STATE.update(_kernel_snapshot())


def _kernel_snapshot() -> dict:
    """What a report may change and the next one must not inherit (taken in the kernel)."""
    import copy
    import warnings

    from IPython import get_ipython

    display = get_ipython().display_formatter
    state = {
        "cwd": os.getcwd(),
        "sys_path": list(sys.path),
        "warnings": list(warnings.filters),
        "formatters": {
            mime: (f.enabled, dict(f.type_printers), dict(f.deferred_printers))
            for mime, f in display.formatters.items()
        },
        "active_types": list(display.active_types),
    }
    if "matplotlib" in sys.modules:
        state["rc"] = copy.deepcopy(dict(sys.modules["matplotlib"].rcParams))
    if "numpy" in sys.modules:
        state["np_err"] = sys.modules["numpy"].geterr()
    return state


def kernel_reset(cwd: str) -> None:
    """Run inside the kernel: forget the previous report and move to ``cwd``.

    ``%reset -f`` (user namespace, output cache), execution counter back to 1,
    IPython display formatters, matplotlib rcParams and open pyplot figures,
    numpy error state, warning filters and the "already shown" registries,
    ``sys.path``; then ``os.chdir(cwd)``. The library keeps no other state
    (its caches hold parsed params files only).
    """
    import gc
    import warnings

    from IPython import get_ipython

    shell = get_ipython()
    if not _KERNEL_STATE:  # a fresh kernel (no warm-up): its state now is the reference
        _KERNEL_STATE.update(_kernel_snapshot())
    state = _KERNEL_STATE
    shell.run_line_magic("reset", "-f")
    shell.execution_count = 1
    _restore_display(shell.display_formatter, state)
    _restore_numerics(state)
    warnings.filters[:] = state["warnings"]  # type: ignore[index]  # a list at run time (typeshed: Sequence)
    getattr(warnings, "_filters_mutated", lambda: None)()  # forget "shown once" warnings
    warnings.onceregistry.clear()  # type: ignore[attr-defined]  # module global, not in typeshed
    sys.path[:] = state["sys_path"]
    os.chdir(cwd)
    gc.collect()


def _restore_display(display, state: dict) -> None:
    """The IPython display formatters as they were after warm-up."""
    display.active_types = list(state["active_types"])
    for mime, (enabled, printers, deferred) in state["formatters"].items():
        formatter = display.formatters[mime]
        formatter.enabled = enabled
        formatter.type_printers.clear()
        formatter.type_printers.update(printers)
        formatter.deferred_printers.clear()
        formatter.deferred_printers.update(deferred)


def _restore_numerics(state: dict) -> None:
    """matplotlib rcParams (pyplot figures closed) and numpy's error state as after warm-up."""
    import copy
    import warnings

    if "rc" in state:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sys.modules["matplotlib"].rcParams.update(
                {k: copy.deepcopy(v) for k, v in state["rc"].items() if k != "backend"}
            )
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if "np_err" in state:
        sys.modules["numpy"].seterr(**state["np_err"])


class WarmKernel:
    """A Jupyter kernel that lives across reports: started once, warmed once, reset before each.

    The kernel talks over IPC sockets in a private temporary directory (no TCP
    port, hence no "running over TCP without encryption" warning).

    Parameters
    ----------
    modules : list of str
        Modules imported at start (`kernel_warm_up`); empty for a fresh kernel.
    startup_timeout : float
        Seconds to wait for the kernel to answer.
    """

    def __init__(self, modules: Sequence[str] = (), startup_timeout: float = 60):
        from jupyter_client import KernelManager

        self.dir = tempfile.mkdtemp(prefix=f"{KERNEL_DIR_PREFIX}{os.getpid()}-")
        self.km = KernelManager(
            kernel_name=KERNEL_NAME,
            transport="ipc",
            ip=os.path.join(self.dir, "ipc"),
            connection_file=os.path.join(self.dir, "kernel.json"),
        )
        self.km.start_kernel(cwd=self.dir, extra_arguments=list(KERNEL_ARGUMENTS))
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=startup_timeout)
        except RuntimeError:
            self.shutdown()
            raise
        self.kc.allow_stdin = False
        self._warm = (
            self.kc.execute(
                f"import espacep_analysis.batch as _b; _b.kernel_warm_up({list(modules)!r}); del _b",
                silent=True,
                store_history=False,
            )
            if modules
            else None
        )

    def _wait(self, msg_id: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            reply = self.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content["status"] != "ok":
            raise EspacepError(f"noyau Jupyter : {content.get('ename')}: {content.get('evalue')}")

    def run(self, code: str, timeout: float = 300) -> None:
        """Execute ``code`` silently (no history, no execution count); raise if it fails."""
        if self._warm is not None:
            self._wait(self._warm, timeout)
            self._warm = None
        self._wait(self.kc.execute(code, silent=True, store_history=False), timeout)

    def reset(self, cwd: str | Path) -> None:
        """`kernel_reset` in the kernel: a clean namespace, working directory ``cwd``."""
        self.run(f"import espacep_analysis.batch as _b; _b.kernel_reset({str(cwd)!r})")

    def alive(self) -> bool:
        try:
            return bool(self.km.is_alive())
        except Exception:
            return False

    def kill(self) -> None:
        """Kill the kernel's process group at once and remove its sockets (a worker being stopped).

        The kernel leads its own session (jupyter_client starts it so); it is
        killed only while it is still this process's unreaped child, so a
        reused pid is never hit.
        """
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        try:
            if process is not None and process.poll() is None:
                os.killpg(process.pid, 9)
        except OSError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def shutdown(self) -> None:
        """Stop the kernel and remove its sockets."""
        try:
            self.kc.stop_channels()
            self.km.shutdown_kernel(now=True)  # nothing to save: do not wait for a clean exit
        except Exception:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def execute_notebook(job: Job, work: Path, kernel: WarmKernel) -> Path:
    """Parameterise ``job.notebook`` as papermill does and execute it in ``kernel`` inside ``work``.

    The same steps as ``papermill.execute_notebook`` (parameter injection,
    metadata, per-cell timing, the error cell on failure), with the client
    bound to the already running kernel instead of a new one.

    Raises
    ------
    papermill.exceptions.PapermillExecutionError
        A cell raised (``ename``/``evalue`` name the error).
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NotebookExecutionManager
    from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors, remove_error_markers
    from papermill.iorw import load_notebook_node, write_ipynb
    from papermill.log import logger
    from papermill.parameterize import parameterize_notebook

    output = str(work / "report.ipynb")
    parameters = {**job.parameters, "output_dir": str(work)}  # figures.csv and provenance.json: the work dir
    nb = parameterize_notebook(load_notebook_node(str(job.notebook)), parameters, kernel_name=KERNEL_NAME)
    nb = remove_error_markers(prepare_notebook_metadata(nb, str(job.notebook), output))
    kernel.reset(work)
    manager = NotebookExecutionManager(nb, output_path=None, progress_bar=False)
    manager.notebook_start()
    try:
        client = PapermillNotebookClient(
            manager,
            km=kernel.km,
            kernel_name=KERNEL_NAME,
            log=logger,
            timeout=CELL_TIMEOUT,
            startup_timeout=60,
        )
        client.kc = kernel.kc
        client.execute(cleanup_kc=False)
    finally:
        manager.cleanup_pbar()
        manager.notebook_complete()
        _release(kernel)
    raise_for_execution_errors(nb, output)
    refuse_stray_outputs(nb)
    write_ipynb(publishable_notebook(nb, job.notebook.name), output)
    return Path(output)


def refuse_stray_outputs(nb) -> None:
    """Fail the report when an executed cell printed anything but a display block.

    The library shows a report's content with ``IPython.display`` (`pages.common.show`,
    `plots.show`): ``display_data`` outputs. Anything else (text on stdout or stderr,
    a warning, a log line, a cell's last value, an error) is not designed output and
    never reaches a report.

    Raises
    ------
    EspacepError
        Naming the first such output's cell and quoting its text, and how many more there are.
    """
    stray = []
    for number, cell in enumerate(nb.cells, 1):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") != "display_data":
                stray.append((number, output))
    if not stray:
        return
    number, output = stray[0]
    kind = output.get("name") or output.get("output_type")
    if output.get("output_type") == "error":
        text = f"{output.get('ename')}: {output.get('evalue')}"
    elif output.get("output_type") == "stream":
        text = output.get("text", "")
    else:
        text = output.get("data", {}).get("text/plain", "")
    quote = " ".join(str(text).split())
    quote = quote if len(quote) <= STRAY_QUOTE else quote[: STRAY_QUOTE - 1] + "…"
    others = len(stray) - 1
    more = f" (et {others} autre{'s' if others > 1 else ''})" if others else ""
    raise EspacepError(f"sortie non prévue dans le rapport, cellule {number} ({kind}) : « {quote} »{more}")


def published_parameters(parameters: dict) -> dict:
    """``parameters`` with every absolute path (``data_dir``, ``cache_dir``, ...) reduced to its last component.

    The same reduction as the provenance record's (`provenance.collect`): the
    published notebook names the data set, never where it lives.
    """
    return {
        k: (Path(v).name if isinstance(v, str) and os.path.isabs(v) else v) for k, v in parameters.items()
    }


def publishable_notebook(nb, notebook_name: str):
    """The executed notebook without the machine's paths: what is written to ``report.ipynb``.

    The notebooks read the data from their absolute path (``data_dir``, a
    parameter; nothing is linked into the working directory). Before
    publishing, papermill's ``input_path`` becomes the notebook's file name,
    ``output_path`` ``report.ipynb``, and the parameters (metadata and the
    injected-parameters cell) those of `published_parameters`.
    """
    from papermill.translators import translate_parameters

    papermill = nb.metadata.setdefault("papermill", {})
    shown = published_parameters(dict(papermill.get("parameters", {})))
    if "output_dir" in shown:
        shown["output_dir"] = "."  # the private working directory, which becomes the report's folder
    papermill.update(parameters=shown, input_path=notebook_name, output_path="report.ipynb")
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = translate_parameters(KERNEL_NAME, "python", shown, "Parameters")
    return nb


def _release(kernel: WarmKernel) -> None:
    """Leave the report's working directory and free its memory (errors here do not mask the report's)."""
    try:
        if kernel.alive():
            kernel.reset(kernel.dir)
    except Exception:
        pass


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
    return f"Rapport {FUNDER_TITLES.get(job.funder, job.funder)} {job.year}"


def run_job(job: Job, kernel: WarmKernel, progress: Callable[[str, float], None] | None = None) -> JobResult:
    """Execute, render and publish one report in its private working directory.

    ``progress(step, seconds_since_start)`` is called as each step begins
    (``exécution``, ``html``, ``pdf``, ``publication``). Never raises: a failure
    is a ``failed`` result with the first line of the error.
    """

    start = time.perf_counter()
    steps = _Steps(start, progress)
    work = work_dir(job)
    try:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        steps.begin("exécution")
        executed = execute_notebook(job, work, kernel)
        record = attach_provenance(executed, work)
        rendered = renderers.RenderJob(executed, work, report_title(job), job.funder, job.year, job.lang)
        renderers.render_all(rendered, job.rendered_formats, steps.begin)
        steps.begin("publication")
        write_stamp(work, job, record, time.perf_counter() - start, steps.end())
        publish(work, job.final_dir)
        return JobResult(job.year, job.funder, STATUS_OK, time.perf_counter() - start, steps=steps.end())
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
        raise EspacepError(f"run interrupted: {final_dir} not published")


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
    for entry in output_dir.iterdir():
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

    def line(self, report: str, text: str) -> None:
        clock = time.perf_counter() - self.start
        print(f"[{clock:7.1f} s] {report:<11} {text}", file=self.out, flush=True)

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
    """Compute and cache the disclosure protection of ``year`` (in a worker, before the notebooks)."""
    from . import publish
    from .load import load_dataset

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

    def run(self, jobs: list[Job]) -> list[JobResult]:
        """Run ``jobs``; one result per job, in the order they finish."""
        if self.pool is None:
            results = self.results
            for job in jobs:
                results.append(
                    _run_in_worker(job, self.state, functools.partial(self.progress.step, job.name))
                )
                self.progress.done(results[-1])
            return list(results)
        return self._run_pool(jobs)

    def _drain(self, wait_s: float = 0.0) -> None:
        import queue as queue_module

        queue = self.queue
        while queue is not None:
            try:
                self.progress.step(*(queue.get(timeout=wait_s) if wait_s else queue.get_nowait()))
            except queue_module.Empty:
                return

    def _run_pool(self, jobs: list[Job]) -> list[JobResult]:
        # each year's disclosure protection once, first in the queue, instead of in the first notebooks
        # of the year side by side; a failure here is left to the notebook, which reports it
        pool = self.pool
        if pool is None:
            raise InternalError("worker pool: not started")
        for task in disclosure_tasks(jobs):
            pool.submit(_warm_disclosure, *task)
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
        """Stop the kernels; worker processes exit in the background."""
        _shutdown_worker_kernel(self.state)
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)

    def abort(self) -> None:
        """The run is interrupted: nothing more is published; workers and kernels stop now.

        The abort flag is set first (a worker about to publish sees it), then
        the workers get SIGTERM (they kill their kernel and remove their
        working directory), then SIGKILL goes to whatever of the run's
        processes, recorded beforehand, is still there after a grace period.
        """
        lifecycle.abort_run(self.abort_event)
        _shutdown_worker_kernel(self.state)
        if self.pool is None:
            return
        workers = list((getattr(self.pool, "_processes", None) or {}).values())
        below = {pid: start for w in workers if w.pid for pid, start in lifecycle.descendants(w.pid).items()}
        lifecycle.stop_processes(workers, below)
        self.pool.shutdown(wait=False, cancel_futures=True)


# --- summary, audit, the batch -------------------------------------------------------------------

STATUS_LABELS = {STATUS_OK: "produit", STATUS_UNCHANGED: "à jour", STATUS_FAILED: "ÉCHEC"}


def format_summary(results: list[JobResult]) -> str:
    """The final table: report, status, time, first error line; then the counts."""
    lines = ["", f"{'rapport':<11} {'statut':<8} {'durée':>8}  erreur"]
    for r in results:
        lines.append(f"{r.name:<11} {STATUS_LABELS[r.status]:<8} {r.seconds:7.1f}s  {r.error}".rstrip())
    counts = {status: sum(r.status == status for r in results) for status in STATUS_LABELS}
    lines.append(
        f"{len(results)} rapport(s) : {counts[STATUS_OK]} produit(s), "
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


def audit_batch(output_dir: Path, data_dir: Path, digests: InputDigests, out=None) -> bool:
    """Run the identifier audit over ``output_dir``; print the findings; True when clean.

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
    from .audit import audit_outputs, format_findings

    findings = audit_outputs(output_dir, data_dir)
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
    return Runner(workers, options.warm_kernels, options.funders or list(FUNDERS), progress)


OUTPUT_ERRNOS = {
    errno.EROFS: "is read-only",
    errno.ENOSPC: "is full",
    errno.EDQUOT: "is over its quota",
    errno.EACCES: "is not writable",
    errno.EPERM: "is not writable",
}
_ERRNO_TEXT = re.compile(r"\[Errno (\d+)\]")


def output_failure(output_dir: Path, code: int, reason: str) -> EspacepError:
    """The one-line error of an output folder that cannot be written (``code``: an errno)."""
    state = OUTPUT_ERRNOS.get(code, "cannot be written")
    return EspacepError(
        f"output folder {output_dir} {state} ({os.strerror(code)}): {reason}; "
        "the previous outputs are kept"
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
            raise output_failure(output_dir, exc.errno, "no report rendered") from None
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
                raise output_failure(output_dir, exc.errno, "the run stopped") from None
            raise


def _run_locked(options: BatchOptions, output_dir: Path, out) -> int:
    """`run_batch` once the output folder is locked: render, then summary, index and audit."""
    from .index import write_index

    run = options.settings()
    settings.activate(run.params_dir)
    digests = input_digests(run.data_dir, run.params_dir)
    record_data_dir(output_dir, run.data_dir)
    plan, results = _render(options, output_dir, digests, Progress(out), out)
    order = {(j.year, j.funder): i for i, j in enumerate(plan.jobs)}
    results.sort(key=lambda r: order[(r.year, r.funder)])
    print(format_summary(results), file=out, flush=True)
    code = _output_errno(results)
    if code is not None:
        failed = sum(r.status == STATUS_FAILED for r in results)
        raise output_failure(output_dir, code, f"{failed} report(s) not published")
    for message in clean_stale(output_dir):  # a dead run's worker still exiting when this run began
        print(message, file=out)
    index = write_index(output_dir, results)
    print(f"index : {index}", file=out)
    clean = audit_batch(output_dir, Path(options.data_dir), digests, out)
    failed = any(r.status == STATUS_FAILED for r in results)
    return 1 if failed or not clean else 0


def record_data_dir(output_dir: Path, data_dir: Path) -> None:
    """Write ``OUTPUT/.data-dir``: the absolute data directory of this run, for `espacep audit` without ``--data``.

    A JSON object ``{"data_dir": "/abs/path"}`` and nothing else. It is not
    published (a dot file of the output root, like ``.lock``); the audit knows
    it (`audit_files`) and skips it, so the absolute path it holds is not a finding.
    """
    _write_if_changed(
        output_dir / DATA_RECORD, json.dumps({"data_dir": str(Path(data_dir).resolve())}) + "\n"
    )


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
            f"audit: no data directory recorded in {path} ({type(exc).__name__}); "
            "give the data the outputs were computed from with --data"
        ) from None
    if not data_dir.is_dir():
        raise EspacepError(
            f"audit: the data directory recorded in {path}, {data_dir}, does not exist; "
            "give the data the outputs were computed from with --data"
        )
    return data_dir


def _render(
    options: BatchOptions, output_dir: Path, digests: InputDigests, progress: Progress, out
) -> tuple[Plan, list[JobResult]]:
    """Validate (when the data changed), plan and run the reports to render; one result per planned job.

    Raises `RunInterrupted` when a signal stops the run (workers and kernels stopped first).
    """
    runner, todo = None, []
    try:
        years = cached_years(output_dir, digests, options.accept_rejections)
        if years is None:  # new or changed data: the kernels warm up while the data are validated
            runner = _runner(options, len(options.years or [0]) * len(options.funders or FUNDERS), progress)
            years = validate_years(
                Path(options.data_dir), output_dir, digests, options.accept_rejections, out
            )
        last_date = cached_last_date(output_dir, digests)
        plan = plan_jobs(options, years, digests, last_date)
        if not options.years and last_date and last_date.year not in complete_years(years, last_date):
            print(
                f"{last_date.year} is partial (last date {last_date:%d/%m/%Y}): rendering the latest complete "
                f"year; --years {last_date.year} --partial renders {last_date.year}",
                file=out,
                flush=True,
            )
        todo = [job for job in plan.jobs if options.force or not is_up_to_date(job)]
        results = [JobResult(j.year, j.funder, STATUS_UNCHANGED, 0.0) for j in plan.jobs if j not in todo]
        if todo:
            runner = runner or _runner(options, len(todo), progress)
            kernels = "noyaux réutilisés" if options.warm_kernels else "un noyau neuf par rapport"
            print(
                f"{len(todo)} rapport(s) à produire, {len(results)} à jour ; "
                f"{runner.workers} processus, {kernels}",
                file=out,
                flush=True,
            )
            results += runner.run(todo)
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
        f"interrupted by {signal_name(exc.signum)}: {published} report(s) published before the interrupt, "
        f"{failed} failed, {max(0, planned - len(done))} not run; outputs kept as before "
        "(the index and the audit are updated by the next run)",
        exc.exit_status,
    )


def signal_name(signum: int) -> str:
    import signal

    return signal.Signals(signum).name
