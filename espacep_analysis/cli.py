"""Command line: ``espacep validate | synthetic | report | new-year | audit``.

Every user-fixable problem surfaces as an ``EspacepError`` and is printed as a
plain message with a non-zero exit status; no traceback for bad input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from . import settings
from .errors import EspacepError, RunInterrupted

# Defaults, relative to the working directory's project (`settings.find_project`): see `_project_path`
DEFAULT_DATA = "data/synthetic"
DEFAULT_OUTPUT = "outputs"
DEFAULT_PARAMS = "params"


# Validation refuses any date before 1990 or after today, so no data set covers other years
MIN_YEAR = 1990


class YearsOutOfRange(EspacepError):
    """``--years`` names a year no data set can cover."""


def _year_range(part: str) -> tuple[int, int]:
    """``"2019"`` -> (2019, 2019); ``"2017-2019"`` -> (2017, 2019); ValueError otherwise."""
    if "-" in part:
        first, last = (int(p) for p in part.split("-", 1))
    else:
        first = last = int(part)
    if last < first:
        raise ValueError(part)
    return first, last


def parse_years(text: str, today: dt.date | None = None) -> list[int]:
    """``"2019"`` -> [2019]; ``"2017-2019"`` -> [2017, 2018, 2019]; ``"2017,2019"`` -> [2017, 2019].

    Every year must lie between `MIN_YEAR` and the current year (the dates
    validation accepts); this is checked before a range is expanded, so
    ``1-999999999999`` is a message, not a ``MemoryError``. Whether the data
    hold each year is checked by the batch, which names the years they cover.

    Raises
    ------
    EspacepError : not a year, range or comma list; `YearsOutOfRange` outside the bounds.
    """
    top = (today or dt.date.today()).year
    ranges = []
    for part in text.split(","):
        try:
            ranges.append(_year_range(part.strip()))
        except ValueError:
            raise EspacepError(
                f"--years: {text!r} is not a year, a range like 2017-2019 or a comma list"
            ) from None
    outside = [f"{a}" if a == b else f"{a}-{b}" for a, b in ranges if a < MIN_YEAR or b > top]
    if outside:
        raise YearsOutOfRange(
            f"--years: {', '.join(outside)} outside {MIN_YEAR}-{top} (no data can "
            f"hold dates before {MIN_YEAR} or after today)"
        )
    return sorted({y for a, b in ranges for y in range(a, b + 1)})


def _data_years_note(data_dir: Path) -> str:
    """``"the data in DIR cover 2017, 2018, 2019"`` (or why they could not be read)."""
    from .load import validate_and_load

    try:
        years = validate_and_load(data_dir)[0].years
    except EspacepError as exc:
        return f"the years of the data in {data_dir} are unknown ({exc})"
    shown = ", ".join(map(str, years)) if years else "no year (no consultation accepted)"
    return f"the data in {data_dir} cover {shown}"


def _report_years(text: str | None, data_dir: Path) -> list[int] | None:
    """`parse_years` of ``--years``; out of bounds, the message names the data's years."""
    if not text:
        return None
    try:
        return parse_years(text)
    except YearsOutOfRange as exc:
        raise EspacepError(f"{exc}; {_data_years_note(data_dir)}") from None


def _project_path(given: str | None, default: str) -> Path:
    """An option's directory as given (relative to the working directory), or ``default`` under the project."""
    return Path(given) if given else settings.in_project(default)


def _activate_params(args: argparse.Namespace) -> Path:
    """Make ``--params`` (default: ``params/`` of the project) the params directory of this process."""
    return settings.activate(_project_path(args.params, DEFAULT_PARAMS))


def _cmd_validate(args: argparse.Namespace) -> int:
    """Summary per file and rule (a few examples each); every rejection into ``--rejections``."""
    from . import rejections
    from .load import validate_directory

    _activate_params(args)
    data_dir = _project_path(args.data, DEFAULT_DATA)
    project = settings.find_project()
    outputs = (project / DEFAULT_OUTPUT,) if project is not None else ()
    target = rejections.check_destination(Path(args.rejections), data_dir, outputs)
    report = validate_directory(data_dir)
    rejections.write_csv(report, target)
    print(rejections.summary(report, csv_name=str(target)))
    print(rejections.written(report, target))
    return 0 if report.ok else 1


def _cmd_synthetic(args: argparse.Namespace) -> int:
    from . import synthetic

    params = _activate_params(args)
    counts = synthetic.generate(
        _project_path(args.out, DEFAULT_DATA), seed=args.seed, targets_path=params / "targets.yaml"
    )
    for table, n in counts.items():
        print(f"{table}: {n} rows")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .batch import NOTEBOOKS_DIR, BatchOptions, run_batch

    funders = [f.strip() for f in args.funders.split(",") if f.strip()] if args.funders else None
    if args.workers is not None and args.workers < 1:
        raise EspacepError(f"--workers : {args.workers} ; il faut au moins 1 processus")
    params = _activate_params(args)
    data = _project_path(args.data, DEFAULT_DATA)
    if not args.data:
        print(
            f"--data not given: {data}, the synthetic example (its reports carry the banner "
            "'DONNÉES SYNTHÉTIQUES')",
            file=sys.stderr,
        )
    options = BatchOptions(
        data_dir=data,
        output_dir=_project_path(args.output, DEFAULT_OUTPUT),
        params_dir=params,
        years=_report_years(args.years, data),
        funders=funders,
        ci_method=args.ci_method,
        lang=args.lang,
        min_cell=args.min_cell,
        pdf=not args.no_pdf,
        force=args.force,
        workers=args.workers,
        warm_kernels=not args.fresh_kernels,
        notebooks_dir=Path(args.notebooks) if args.notebooks else NOTEBOOKS_DIR,
        cache_dir=Path(args.cache) if args.cache else None,
        partial=args.partial,
        draft=args.draft,
        accept_rejections=args.accept_rejections,
    )
    return run_batch(options)


def _cmd_new_year(args: argparse.Namespace) -> int:
    from .declared import TODO, new_year

    created = new_year(args.year, _project_path(args.params, DEFAULT_PARAMS))
    for content in created:
        print(f"{content.path}: {len(content.missing)} item(s) to fill (replace {TODO}):")
        for key in content.missing:
            print(f"  {key}")
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from .audit import audit_outputs, format_findings
    from .batch import recorded_data_dir

    output_dir = Path(args.output_dir)
    data = Path(args.data) if args.data else recorded_data_dir(output_dir)
    if not args.data:
        print(
            f"audit : données de {data} (enregistrées par espacep report dans {output_dir})", file=sys.stderr
        )
    findings = audit_outputs(output_dir, data)
    print(format_findings(findings))
    return 1 if findings else 0


def _params_option(parser: argparse.ArgumentParser, note: str = "") -> None:
    parser.add_argument(
        "--params",
        default=None,
        metavar="DIR",
        help=f"params directory: sites.yaml, origins.yaml, <year>/<funder>.yaml (default: "
        f"{DEFAULT_PARAMS}/ of the working directory's project){note}",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="espacep", description="Espace P… funder reports from record-level exports."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "validate",
        help="check every export table and count rows read/accepted/rejected",
        description="Validate every export table. Prints, per file, the rows read / accepted / rejected "
        "and, per rule, the problems with at most 3 example lines; writes every rejection (file, line, "
        "column, value, rule, message) to --rejections, to send back to whoever made the export. That "
        "file quotes the rejected values, pseudonyms included: it is refused inside the data folder or "
        "an outputs folder. Exit status 0 when nothing is rejected, 1 otherwise, 2 for bad options.",
    )
    p.add_argument(
        "--data", default=None, help=f"directory holding the exports (default: {DEFAULT_DATA} of the project)"
    )
    _params_option(p)
    p.add_argument(
        "--rejections",
        default="rejections.csv",
        metavar="PATH",
        help="file, or folder, where every rejection is written (default: rejections.csv in the current "
        "directory; never inside --data or outputs/)",
    )
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("synthetic", help="generate the calibrated synthetic data set")
    p.add_argument("--out", default=None, help=f"output directory (default: {DEFAULT_DATA} of the project)")
    p.add_argument("--seed", type=int, default=2019, help="random seed (deterministic output)")
    _params_option(p, " (its targets.yaml is the generator's input)")
    p.set_defaults(func=_cmd_synthetic)

    p = sub.add_parser(
        "report",
        help="render the reports (HTML, PDF, figures.csv) and outputs/index.html",
        description="Render every (year, funder) report into OUTPUT/<year>/<funder>/ (report.html, "
        "report.pdf, figures.csv, provenance.json, report.ipynb) in parallel worker processes, each "
        "keeping one Jupyter kernel warm. Reports whose inputs (data files, params, notebook, package, "
        "parameters) did not change are skipped. Each report is published by renames only when "
        "complete. Then OUTPUT/index.html is written and the identifier audit runs over OUTPUT. "
        "Exit status 1 when a report failed or the audit found anything, 2 for bad options or data.",
    )
    p.add_argument(
        "--data",
        default=None,
        help=f"directory holding the exports (default: {DEFAULT_DATA} of the project, the synthetic "
        "example: its reports carry the banner 'DONNÉES SYNTHÉTIQUES')",
    )
    p.add_argument(
        "--output", default=None, help=f"output directory (default: {DEFAULT_OUTPUT} of the project)"
    )
    _params_option(p)
    p.add_argument(
        "--years",
        default=None,
        help="2019, 2017-2019 or 2017,2019 (default: the latest complete year of the data, "
        "one whose records reach December)",
    )
    p.add_argument(
        "--partial",
        action="store_true",
        help="render a year the data do not cover to December; its reports say "
        "'du 1er janvier au <last date>' (default: refused, naming the last date found)",
    )
    p.add_argument("--funders", default=None, help="comma list among inami,aviq,cocof (default: all three)")
    p.add_argument("--ci-method", default="wilson", help="CI method for proportions")
    p.add_argument(
        "--lang",
        default="fr_BE",
        help="number format of the figures (fr_BE, nl_BE, en); the reports stay in French",
    )
    p.add_argument(
        "--min-cell",
        type=int,
        default=None,
        help="suppression threshold (default: per funder in params); 0 is an internal run whose "
        "reports carry the banner 'USAGE INTERNE'",
    )
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF")
    p.add_argument("--force", action="store_true", help="render even if inputs did not change")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="parallel worker processes (default: number of cores; 1 runs in this process)",
    )
    p.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="start a new Jupyter kernel for every report instead of reusing one per worker",
    )
    p.add_argument(
        "--notebooks",
        default=None,
        metavar="DIR",
        help="directory of the funder notebooks <funder>.ipynb (default: notebooks/ of the repository)",
    )
    p.add_argument(
        "--cache",
        default=None,
        metavar="DIR",
        help="disclosure cache directory (aggregates only; default: OUTPUT/.cache)",
    )
    p.add_argument(
        "--draft",
        action="store_true",
        help="render even when params/<year>/<funder>.yaml still holds A_COMPLETER items: every page "
        "carries BROUILLON and the items are listed (default: refuse, exit 2, listing them)",
    )
    p.add_argument(
        "--accept-rejections",
        action="store_true",
        help="render without the rows validation rejects (counted per file in the methods "
        "note and provenance.json) instead of refusing the data (default: refuse, exit 2)",
    )
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser(
        "new-year",
        help="create params/YEAR/ from the latest earlier year, every value A_COMPLETER",
        description="Copy the sections and items of the latest earlier params/<year>/<funder>.yaml into "
        "params/YEAR/, each value and narrative replaced by A_COMPLETER, and print what to fill. "
        "Never overwrites: refuses (exit 2) when params/YEAR/ exists.",
    )
    p.add_argument("year", type=int, help="the new report year, e.g. 2020")
    _params_option(p)
    p.set_defaults(func=_cmd_new_year)

    p = sub.add_parser("audit", help="scan rendered outputs for identifiers of the input data")
    p.add_argument("output_dir", help="directory of rendered outputs")
    p.add_argument(
        "--data",
        default=None,
        help="directory holding the exports (default: the one recorded by espacep report in "
        "OUTPUT_DIR/.data-dir; refused when there is none)",
    )
    _params_option(p, "; the audit reads no params, the option is accepted like on every command")
    p.set_defaults(func=_cmd_audit)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except RunInterrupted as exc:
        print(exc, file=sys.stderr)
        return exc.exit_status
    except EspacepError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrompu", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
