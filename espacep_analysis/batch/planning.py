"""Planning a batch: the inputs hash, the years of the data, one `Job` per (year, funder), the stamps.

This path imports neither pandas nor papermill: a run where nothing changed costs a fraction of a second.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from .. import __version__, funders, renderers, settings, sites
from ..errors import DataError, EspacepError
from ..stamps import read_stamp, write_if_changed
from ..years import complete_years
from .results import (
    BASE_PRODUCTS,
    DATA_SUFFIXES,
    GENERATED_NOTEBOOKS,
    PACKAGE_DIR,
    YEARS_CACHE,
    BatchOptions,
    Job,
    Plan,
)

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
    # the package, and the modules of the funders registered outside it (`funders.code_digest`)
    package = _digest_files(_tree_files(PACKAGE_DIR), PACKAGE_DIR) + __version__ + funders.code_digest()
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
    from ..load import refusal, validate_and_load
    from ..rejections import left_out, left_out_sentence

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
    write_if_changed(output_dir / YEARS_CACHE, json.dumps(record) + "\n")
    return years


def data_years(data_dir: Path, output_dir: Path, digests: InputDigests) -> list[int]:
    """Years with consultations in the data: from the cache, or by validating the data.

    A cache miss (new or changed data) validates every table: invalid data
    raise `EspacepError` here, before any report is rendered.
    """
    years = cached_years(output_dir, digests)
    return years if years is not None else validate_years(data_dir, output_dir, digests)


# --- planning ----------------------------------------------------------------------------------


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
            f"aucune année complète dans les données : la dernière date trouvée est le {shown} ; "
            f"produisez {last_date.year} quand même avec --years {last_date.year} --partial"
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
            f"{partial[0]} est une année incomplète : la dernière date trouvée dans les données est le {shown} ; "
            f"donnez --partial pour la produire « du 1er janvier au {shown} », ou attendez "
            "l'export de l'année entière"
        )
    return years


def plan_jobs(
    options: BatchOptions, years_in_data: list[int], digests: InputDigests, last_date: dt.date | None = None
) -> Plan:
    """Expand the options into one job per (year, funder), checking funders, years, notebooks.

    ``last_date`` is the data's last consultation date: the default year is the
    latest complete year (`complete_years`), and a partial year is refused unless
    ``options.partial`` (its jobs then get the ``period_end`` parameter). With
    ``options.book``, each year also gets the job of its rapport moral (`books`),
    after the funders' reports.
    A job renders ``options.formats`` (``--formats``), else its funder's
    ``formats:`` of ``params/sites.yaml`` (`sites.funder_formats`), else every format.
    """
    from ..notebooks import book_notebook_path, notebook_path

    wanted = _wanted_funders(options)
    years = _plan_years(options, years_in_data, last_date)
    whole = complete_years(years_in_data, last_date)
    run = options.settings()
    book = _book(options, run.params_dir)
    check_declared(
        list(dict.fromkeys(wanted + (book.funders if book else []))), years, options.draft, run.params_dir
    )
    defaults = {} if options.formats else sites.funder_formats(run.params_dir / sites.SITES_FILE)
    plan = Plan()
    for year in years:
        parameters = _parameters(options, run, year, None if year in whole else last_date)
        for funder in dict.fromkeys(wanted):
            notebook = notebook_path(funder, options.notebooks_dir, run.cache_dir / GENERATED_NOTEBOOKS)
            formats = tuple(options.formats) if options.formats else defaults.get(funder)
            plan.jobs.append(_job(options, digests, year, funder, notebook, parameters, formats=formats))
        if book is not None:
            notebook = book_notebook_path(book, run.cache_dir / GENERATED_NOTEBOOKS)
            formats = tuple(options.formats) if options.formats else None
            plan.jobs.append(
                _job(options, digests, year, book.folder, notebook, parameters, book.title, formats)
            )
    return plan


def _wanted_funders(options: BatchOptions) -> list[str]:
    """``--funders`` checked against the registry (default: every funder)."""
    known = funders.ids()
    wanted = options.funders or list(known)
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        from .. import fmt  # the error path only: fmt imports pandas

        unknown_words = fmt.noun(len(unknown), "financeur inconnu", "financeurs inconnus")
        raise EspacepError(f"--funders : {unknown_words} {unknown} ; attendus parmi {list(known)}")
    return list(wanted)


def _book(options: BatchOptions, params_dir: Path):
    """The rapport moral's spec (`books.load`) with ``--book``; None without."""
    if not options.book:
        return None
    from .. import books

    return books.load(params_dir)


def _parameters(
    options: BatchOptions, run: settings.Settings, year: int, partial_end: dt.date | None
) -> dict:
    """The notebook parameters of the reports of ``year`` (``partial_end``: the last date of a partial year)."""
    parameters: dict = {
        "year": year,
        "data_dir": str(run.data_dir),
        "output_dir": ".",
        "ci_method": options.ci_method,
        "lang": options.lang,
        "cache_dir": str(run.cache_dir),
        "params_dir": str(run.params_dir),
    }
    if options.min_cell is not None:
        parameters["min_cell"] = options.min_cell
    if partial_end is not None:
        parameters["period_end"] = partial_end.isoformat()
    if options.draft:
        parameters["draft"] = True
    if options.accept_rejections:
        parameters["accept_rejections"] = True
    return parameters


def _job(
    options: BatchOptions,
    digests: InputDigests,
    year: int,
    folder: str,
    notebook: Path,
    parameters: dict,
    title: str = "",
    formats: tuple[str, ...] | None = None,
) -> Job:
    """The job of one report: ``outputs/<year>/<folder>/`` from ``notebook`` with ``parameters``.

    ``formats`` None renders every registered format.
    """
    return Job(
        year=year,
        funder=folder,
        notebook=notebook.resolve(),
        data_dir=Path(parameters["data_dir"]),
        final_dir=(Path(options.output_dir) / str(year) / folder).resolve(),
        parameters=dict(parameters),
        pdf=options.pdf,
        formats=formats,
        lang=options.lang,
        inputs_hash=inputs_hash(digests, notebook, parameters),
        title=title,
    )


def check_declared(funders: list[str], years: list[int], draft: bool, params_dir: Path | None = None) -> None:
    """Read the declared params of every report to render before any runs.

    Raises `EspacepError` for a missing or invalid ``params/<year>/<funder>.yaml``
    (AViQ, Cocof) and, unless ``draft``, `declared.UnfilledParams` listing every
    item still ``A_COMPLETER`` in all of them at once. ``params_dir`` None: the
    active params directory (`settings.params_dir`).
    """
    from .. import declared

    content = [
        declared.load_declared(f, y, params_dir)
        for y in years
        for f in dict.fromkeys(funders)
        if declared.sections_of(f) is not None
    ]
    if not draft:
        declared.require_filled(content)


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
