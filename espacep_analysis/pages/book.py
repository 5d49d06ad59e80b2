"""The rapport moral's own pages: its funders' reports, one methods note, one provenance, one figures.csv.

The book notebook (`notebooks.book_notebook`) builds the report of every funder
of the book (`build_book`: each through `build_report`, so with the figures
its own report publishes, masked jointly by `publish.protected_years`), shows
the sections the book declares (`books`), then the methods note said once
(`book_methods_note`), the provenance block and `save_book_figures`: its
``figures.csv`` is the funders' published figures together.
"""

from __future__ import annotations

from pathlib import Path

from .. import fmt
from . import Report, Text, build_report, ci_sentence, closing_sentences, resolve_output_dir, trend_sentence


def build_book(funders: list[str], year: int, data_dir: str | Path, **options) -> dict[str, Report]:
    """The report of each funder of the book (`build_report` with ``options``), by funder.

    Built before any section is shown: tables and charts are then numbered
    through the whole book (`document.number`), not from 1 in each part.
    """
    return {funder: build_report(funder, year, data_dir, **options) for funder in funders}


def _grouped(values: dict[str, str]) -> list[tuple[str, str]]:
    """``(funders' titles, value)`` of each distinct value, in order: ``("AViQ et Cocof", text)``."""
    from .. import funders
    from ..document import _and

    by_value: dict[str, list[str]] = {}
    for funder, value in values.items():
        by_value.setdefault(value, []).append(funders.title(funder))
    return [(_and(titles), value) for value, titles in by_value.items()]


def book_methods_note(reports: dict[str, Report]) -> Text:
    """The book's methods note: each sentence once; a funder's own sentence prefixed by the funders it is of."""
    from .. import disclosure, funders

    first = next(iter(reports.values()))
    methods = _grouped({funder: funders.get(funder).methods for funder in reports})
    rules = _grouped({f: disclosure.methods_note(r.min_cell, lang="fr") for f, r in reports.items()})
    lines = [
        ci_sentence(first),
        *(f"{who} : {fmt.in_sentence(text)}" for who, text in methods),  # after a colon: lower case
        trend_sentence(first),
        *(text if len(rules) == 1 else f"{who} : {fmt.in_sentence(text)}" for who, text in rules),
        *closing_sentences(list(reports.values())),
    ]
    return Text("\n\n".join(f"*{line}*" for line in lines))


def book_provenance(reports: dict[str, Report], folder: str, title: str = "") -> dict:
    """The book's provenance record: that of its first report, for the book and all its funders.

    The inputs, the code and the parameters are those of every part (one data set, one run);
    the threshold is the highest of the parts' (``min_cell_by_funder`` lists them), the
    banners and the declared items still to fill those of all the parts.
    """
    import copy

    first = next(iter(reports.values()))
    record = copy.deepcopy(first.provenance)
    record["funder"] = folder
    record["title"] = title
    record["funders"] = list(reports)
    record["min_cell_by_funder"] = {funder: r.min_cell for funder, r in reports.items()}
    record["parameters"]["min_cell"] = max(r.min_cell for r in reports.values())
    record["inputs"] = dict(
        sorted({k: v for r in reports.values() for k, v in r.provenance["inputs"].items()}.items())
    )
    record["banners"] = list(dict.fromkeys(b for r in reports.values() for b in r.banners))
    record["declared_missing"] = list(dict.fromkeys(line for r in reports.values() for line in r.missing))
    return record


def book_provenance_block(reports: dict[str, Report]) -> Text:
    """The provenance block that ends the book (inputs, parameters and code: one data set, one run)."""
    from .. import provenance

    return Text("**Provenance**\n\n" + provenance.to_markdown(book_provenance(reports, "")))


def save_book_figures(
    reports: dict[str, Report], folder: str, title: str, output_dir: str | Path = ""
) -> Path:
    """Write the book's ``figures.csv``, ``figures-excel.csv`` and ``provenance.json`` into ``output_dir``.

    ``figures.csv`` holds the figures of every funder's report as that report
    publishes them (`pages.common.figures_table`), together. ``output_dir``
    empty: ``scratch/<year>/<folder>`` of the project. Returns the path of ``figures.csv``.
    """
    import pandas as pd

    from .. import declared, provenance
    from ..files import write_atomic
    from .common import figures_table, write_table_csv

    first = next(iter(reports.values()))
    target = resolve_output_dir(str(output_dir), first.year, folder)
    target.mkdir(parents=True, exist_ok=True)
    record = book_provenance(reports, folder, title)
    write_atomic(target / "provenance.json", provenance.to_json(record).encode("utf-8"))
    tables = [
        figures_table(
            r.book.figures,
            r.book.published,
            declared.missing_figures(r.declared) if r.declared else None,
        )
        for r in reports.values()
    ]
    table = pd.concat(tables, ignore_index=True).sort_values(["year", "indicator", "scope"], kind="stable")
    return write_table_csv(table.reset_index(drop=True), target)
