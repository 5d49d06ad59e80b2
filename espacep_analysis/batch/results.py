"""What a batch is asked and what it returns: options, jobs, results, and the batch's constants."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import renderers, settings
from ..stamps import STATUS_FAILED, STATUS_OK, STATUS_UNCHANGED

# The package: hashed as code (the stamp), never read as configuration
PACKAGE_DIR = Path(__file__).resolve().parent.parent
# The funder notebooks of the checkout (code, not params); a funder without one there runs the notebook
# generated from the registry (`notebooks.notebook_path`), e.g. when the package is installed elsewhere.
NOTEBOOKS_DIR = PACKAGE_DIR.parent / "notebooks"
GENERATED_NOTEBOOKS = "notebooks"  # under the run's cache directory
# The notebook's own products; the documents' products come from the format registry (`renderers`).
BASE_PRODUCTS = ("report.ipynb", "figures.csv", "figures-excel.csv", "provenance.json")
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
    book: bool = False  # also the rapport moral of each year (``--book``, composed by params/book.yaml)

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
    title: str = ""  # the rapport moral's title (`books.BookSpec.title`); empty for a funder's report

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
    # sha256 of each PDF rendered -> the text of its pages (`render.take_page_texts`), for the audit
    pdf_texts: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        return f"{self.year}/{self.funder}"


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)


NAME_WIDTH = 11
"""The least width of the report column of the progress lines and of the summary (``2019/inami``)."""

STATUS_LABELS = {STATUS_OK: "produit", STATUS_UNCHANGED: "à jour", STATUS_FAILED: "ÉCHEC"}
