"""The warm-kernel execution engine, registered with papermill's engine registry.

A worker keeps one Jupyter kernel warm (`WarmKernel`: started once, the heavy
libraries imported once, reset between reports). `WarmKernelEngine` is a
papermill engine (``papermill.engines.papermill_engines``, name `ENGINE_NAME`,
also declared as the ``papermill.engine`` entry point ``espacep-warm`` in
``pyproject.toml``) whose nbclient client is bound to that kernel:
`execute_notebook` calls ``papermill.execute_notebook`` with it, so parameter
injection, metadata, per-cell timing and the error cell are papermill's own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from .. import funders, renderers
from ..errors import EspacepError
from .results import CELL_TIMEOUT, KERNEL_ARGUMENTS, KERNEL_DIR_PREFIX, KERNEL_NAME, STRAY_QUOTE, Job

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


def warm_modules(wanted: list[str]) -> list[str]:
    """`WARM_MODULES` plus the indicator and page modules of the funders ``wanted`` (their specs)."""
    extra: dict[str, None] = {}
    for spec in map(funders.get, wanted):
        extra[spec.indicators] = None
        extra.update(dict.fromkeys(section.page.partition(":")[0] for section in spec.sections))
    return list(WARM_MODULES) + list(extra)


def kernel_warm_up(modules: list[str]) -> None:
    """Run inside the kernel: import ``modules`` (missing ones skipped), then snapshot the state."""
    import importlib

    for name in modules:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    _KERNEL_STATE.clear()
    _KERNEL_STATE.update(_kernel_snapshot())
    freeze_heap()


def freeze_heap() -> None:
    """Collect garbage, then exempt what is left (imported modules, the library's caches) from later collections.

    `kernel_reset` runs three full collections (two in IPython's ``%reset``, one of its own)
    and a report triggers more: each walked every object of pandas, scipy and matplotlib,
    about 1 s of CPU per report. After ``gc.freeze`` they walk only what was created since
    (Python docs, ``gc.freeze``: "ignore them in all the future collections"). Objects
    frozen are still freed by reference counting; only a cycle among them would stay.
    """
    import gc

    gc.collect()
    gc.freeze()


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


def kernel_reset(cwd: str, chart_png: bool = True) -> None:
    """Run inside the kernel: forget the previous report and move to ``cwd``.

    ``%reset -f`` (user namespace, output cache), execution counter back to 1,
    IPython display formatters, matplotlib rcParams and open pyplot figures,
    numpy error state, warning filters and the "already shown" registries,
    ``sys.path``; then ``os.chdir(cwd)``. The library keeps no other state
    (its caches hold parsed params files only). ``chart_png`` False: the charts
    leave out their PNG (`plots.PNG_ENV`), which no format of the next report reads.
    """
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
    from ..plots import PNG_ENV

    os.environ[PNG_ENV] = "1" if chart_png else "0"
    os.chdir(cwd)
    freeze_heap()


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
                f"import espacep_analysis.batch.engine as _b; _b.kernel_warm_up({list(modules)!r}); del _b",
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

    def reset(self, cwd: str | Path, chart_png: bool = True) -> None:
        """`kernel_reset` in the kernel: a clean namespace, working directory ``cwd``."""
        self.run(f"import espacep_analysis.batch.engine as _b; _b.kernel_reset({str(cwd)!r}, {chart_png!r})")

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


ENGINE_NAME = "espacep-warm"  # papermill engine name (also the ``papermill.engine`` entry point)


def _engine_class():
    """`WarmKernelEngine`, defined on first use (papermill is imported only when a report runs)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import Engine
    from papermill.log import logger

    class WarmKernelEngine(Engine):
        """A papermill engine executing the notebook in an already running `WarmKernel`.

        ``papermill.execute_notebook(..., engine_name=ENGINE_NAME, kernel=<WarmKernel>, work=<dir>)``:
        the kernel is reset into ``work`` before the first cell and left (memory freed) after
        the last, whatever happened.
        """

        @classmethod
        def execute_managed_notebook(
            cls, nb_man, kernel_name, kernel=None, work=None, chart_png=True, **kwargs
        ):
            if kernel is None:
                raise EspacepError(f"moteur papermill {ENGINE_NAME} : aucun noyau chaud donné (kernel=...)")
            kernel.reset(work or kernel.dir, chart_png)
            try:
                client = PapermillNotebookClient(
                    nb_man,
                    km=kernel.km,
                    kernel_name=kernel_name,
                    log=logger,
                    timeout=CELL_TIMEOUT,
                    startup_timeout=60,
                )
                client.kc = kernel.kc
                client.execute(cleanup_kc=False)
            finally:
                _release(kernel)

    return WarmKernelEngine


def register_engine():
    """Register `WarmKernelEngine` with papermill's engine registry (idempotent); return the class."""
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillException

    try:
        return papermill_engines.get_engine(ENGINE_NAME)
    except PapermillException:  # not registered yet (nor by the entry point)
        engine = _engine_class()
        papermill_engines.register(ENGINE_NAME, engine)
        return engine


def __getattr__(name: str):
    """``WarmKernelEngine``: the registered engine class (the ``papermill.engine`` entry point loads it)."""
    if name == "WarmKernelEngine":
        return register_engine()
    raise AttributeError(name)


def execute_notebook(job: Job, work: Path, kernel: WarmKernel) -> Path:
    """Execute ``job.notebook`` with ``papermill.execute_notebook`` in ``kernel``, inside ``work``.

    Papermill injects the parameters, sets the metadata, times each cell and
    adds the error cell on failure; its engine is `WarmKernelEngine` (registered
    as `ENGINE_NAME`), whose client is bound to the already running kernel. The
    executed notebook is then written without the machine's paths
    (`publishable_notebook`).

    Raises
    ------
    papermill.exceptions.PapermillExecutionError
        A cell raised (``ename``/``evalue`` name the error).
    """
    import papermill
    from papermill.iorw import write_ipynb

    register_engine()
    output = str(work / "report.ipynb")
    parameters = {**job.parameters, "output_dir": str(work)}  # figures.csv and provenance.json: the work dir
    nb = papermill.execute_notebook(
        str(job.notebook),
        output,
        parameters=parameters,
        engine_name=ENGINE_NAME,
        kernel_name=KERNEL_NAME,
        request_save_on_cell_execute=False,
        progress_bar=False,
        kernel=kernel,
        work=work,
        chart_png=any(renderers.get(name).reads_png for name in job.rendered_formats),
    )
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
