"""Report pages: what the notebooks display, built from the indicators' figures.

The notebooks call `build_report` once, then one section function per report
section, and `show` the blocks. Loading, computing, disclosure control and
formatting all happen in the library.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import banners, settings, stats
from ..declared import Declared
from ..errors import EspacepError, ParameterError
from .common import Chart, FigureBook, Heading, Note, Table, Text, show, write_figures_csv

__all__ = [
    "Chart",
    "FigureBook",
    "Heading",
    "Note",
    "Report",
    "Table",
    "Text",
    "build_report",
    "methods_note",
    "provenance_block",
    "show",
]


@dataclass
class Report:
    """Everything a report notebook displays, computed once."""

    funder: str
    year: int
    book: FigureBook
    ages: pd.Series  # anonymous ages of the persons seen in `year` (no pseudonym)
    antenna_labels: dict[str, str]
    method: str
    level: float
    min_cell: int
    provenance: dict  # with the report's warning banners (key ``banners``, see `banners`)
    declared: Declared | None = None  # declared items and narrative by section (AViQ, Cocof); None for INAMI
    settings: settings.Settings | None = None  # the directories of the run
    # --accept-rejections: {file: {"read": n, "left_out": k}} of the files with rejected rows; None otherwise
    left_out: dict[str, dict[str, int]] | None = None

    @property
    def banners(self) -> list[str]:
        """The report's warning banners (`banners.report_banners`: synthetic data, internal run, draft)."""
        return list(self.provenance.get("banners", []))

    @property
    def narrative(self) -> dict[str, str]:
        """The declared narrative paragraphs, by section key (none for INAMI)."""
        return dict(self.declared.narrative) if self.declared else {}

    @property
    def missing(self) -> list[str]:
        """``"<file>: <section.key>"`` of every declared item still to fill (a draft)."""
        return self.declared.missing_lines() if self.declared else []

    def save_figures(self, output_dir: str | Path | None = None) -> Path:
        """Write ``figures.csv`` and ``provenance.json`` into ``output_dir`` (created if needed).

        Default: the run's ``output_dir`` (`settings.for_notebook`: ``scratch/<year>/<funder>``
        of the project for a hand run, never ``outputs/``).
        """
        from .. import declared, provenance
        from ..files import write_atomic

        if output_dir:
            output_dir = Path(output_dir)
        elif self.settings is not None:
            output_dir = self.settings.output_dir
        else:
            raise ParameterError("save_figures : donner output_dir (ce rapport n'a pas de réglages de run)")
        output_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(
            Path(output_dir) / "provenance.json", provenance.to_json(self.provenance).encode("utf-8")
        )
        missing = declared.missing_figures(self.declared) if self.declared else None
        return write_figures_csv(
            self.book.figures, output_dir, published=self.book.published, missing=missing
        )


def resolve_output_dir(output_dir: str, year: int, funder: str) -> Path:
    """``output_dir`` resolved against the project, or ``scratch/<year>/<funder>`` of the project when empty.

    A hand run never writes into ``outputs/<year>/<funder>/``, which the batch owns.
    """
    return settings.in_project(output_dir or Path(settings.SCRATCH) / str(int(year)) / funder)


def build_report(
    funder: str,
    year: int,
    data_dir: str | Path,
    ci_method: str = "wilson",
    ci_level: float = 0.95,
    lang: str = "fr_BE",
    min_cell: int = -1,
    cache_dir: str | Path = "",
    draft: bool = False,
    params_dir: str | Path = "",
    accept_rejections: bool = False,
    output_dir: str | Path = "",
    period_end: str = "",
) -> Report:
    """Load and validate the exports, compute the funder's figures, apply disclosure control.

    ``year`` 0 is the latest complete year of the data (`latest_complete_year`: the notebooks' default).
    ``min_cell`` -1 takes the funder's threshold from ``params/sites.yaml``; 0 switches it off.
    The directories (`settings.for_notebook`; empty: the project's defaults, relative ones
    under the project): ``data_dir`` (default ``data/synthetic``), ``params_dir`` (``params``,
    made the active params directory), ``output_dir`` where `Report.save_figures` writes
    (``scratch/<year>/<funder>``), ``cache_dir`` the disclosure cache (``scratch/.cache``;
    the batch passes ``<output>/.cache`` or ``--cache``).
    ``period_end`` (``YYYY-MM-DD``) is the last date of a partial year (``espacep report --partial``):
    the title page and the sentences then say "du 1er janvier au <date>".
    A funder's params still holding ``A_COMPLETER`` items are refused
    (`declared.UnfilledParams`, listing them) unless ``draft``: the report then
    carries the draft banner (`banners.DRAFT`) and lists the items in its methods note.
    Invalid data are refused unless ``accept_rejections``: then the rejected rows
    are left out and counted per file in the methods note and the provenance.
    """
    from .. import declared, document, funders, provenance, publish
    from ..indicators import inami
    from ..rejections import left_out

    document.reset()  # tables and charts are numbered from 1 in each report
    if ci_method not in stats.CI_METHODS:
        raise EspacepError(f"ci_method: unknown method {ci_method!r}; valid: {', '.join(stats.CI_METHODS)}")
    directories = (str(data_dir), str(params_dir), str(output_dir), str(cache_dir))
    year, run, dataset, validation = _load(funder, int(year), directories, accept_rejections)
    end = _period_end(period_end, year)
    spec = funders.get(funder)
    content = declared.load_declared(funder, year, run.params_dir) if spec.declared is not None else None
    if content is not None and not draft:
        declared.require_filled([content])
    parameters = {
        "year": int(year),
        "data_dir": str(run.data_dir),
        "ci_method": ci_method,
        "ci_level": ci_level,
        "lang": lang,
    }
    if accept_rejections:
        parameters["accept_rejections"] = True
    figures, threshold = publish.published_figures(
        dataset,
        funder,
        year,
        ci_method,
        ci_level,
        None if min_cell < 0 else min_cell,
        run.cache_dir,
        run.params_dir,
    )
    record = provenance.collect(
        funder,
        year,
        dataset.sources,
        {**parameters, "min_cell": threshold},
        left_out(validation) if accept_rejections else None,
    )
    if end is not None:
        record["period_end"] = end.isoformat()
    record["banners"] = banners.report_banners(
        synthetic=banners.is_synthetic(dataset.persons["pseudonym"]),
        internal=banners.is_internal(threshold),
        draft=content is not None and bool(content.missing),
    )
    record["declared_missing"] = content.missing_lines() if content is not None else []
    return Report(
        funder=funder,
        year=int(year),
        book=FigureBook(
            figures,
            int(year),
            lang=lang,
            masked=f"< {threshold}",
            method=ci_method,
            level=ci_level,
            period_end=end,
            published=declared.history_for(figures, year, run.params_dir),
        ),
        ages=inami.age_distribution(dataset, year)
        if threshold <= 1
        else _masked_ages(dataset, year, threshold),
        antenna_labels=dataset.sites.antenna_labels(),
        method=ci_method,
        level=ci_level,
        min_cell=threshold,
        declared=content,
        provenance=record,
        settings=run,
        left_out=left_out(validation) if accept_rejections else None,
    )


def _load(funder: str, year: int, directories: tuple[str, str, str, str], accept_rejections: bool):
    """``(year, settings, dataset, validation)``: the run's directories, the data loaded and validated.

    ``year`` 0 is the latest complete year of the data (`latest_complete_year`). Invalid
    data are refused (`load.refusal`) unless ``accept_rejections``.
    """
    from ..load import refusal, validate_and_load

    run = settings.for_notebook(funder, year, *directories)
    dataset, validation = validate_and_load(run.data_dir)
    if not validation.ok and not accept_rejections:
        raise refusal(validation)
    if not year:
        year = latest_complete_year(dataset)
        run = settings.for_notebook(funder, year, *directories)
    return year, run, dataset, validation


def latest_complete_year(dataset) -> int:
    """The latest year of the data whose consultations reach December (`years.complete_years`).

    Raises `EspacepError` naming the last date when no year is complete.
    """
    from ..years import complete_years

    last = dataset.consultations["date"].max()
    last_date = None if pd.isna(last) else last.date()
    whole = complete_years(list(dataset.years), last_date)
    if not whole:
        raise EspacepError(
            f"year = 0 : aucune année complète dans les données (dernière date : {last_date}) ; "
            "donnez l'année (year = ...) et period_end"
        )
    return whole[-1]


def _period_end(text: str, year: int):
    """``YYYY-MM-DD`` within ``year`` -> a date; empty -> None (the whole year)."""
    import datetime as dt

    if not text:
        return None
    try:
        end = dt.date.fromisoformat(str(text))
    except ValueError:
        raise EspacepError(f"period_end: {text!r} is not a date YYYY-MM-DD") from None
    if end.year != int(year):
        raise EspacepError(f"period_end: {text} is not in {year}")
    return end


def _masked_ages(dataset, year: int, min_cell: int) -> pd.Series:
    """Ages for the histogram with the extreme ages (fewer than ``min_cell`` persons) folded inwards.

    The histogram must not show a bar of 1 to ``min_cell - 1`` persons at the edges (the
    youngest and oldest persons): ages below the ``min_cell``-th youngest are set to it,
    and likewise at the top.
    """
    from ..indicators import inami

    ages = inami.age_distribution(dataset, year).sort_values(ignore_index=True)
    if len(ages) < 2 * min_cell:
        return ages.iloc[0:0]
    low, high = ages.iloc[min_cell - 1], ages.iloc[-min_cell]
    return ages.clip(lower=low, upper=high)


def methods_note(report: Report) -> Text:
    """The methods paragraph: CI method, prevalence definition, suppression rule, data sources."""
    from .. import disclosure, funders

    lines = [
        ci_sentence(report),
        funders.get(report.funder).methods,  # where the funder's figures come from
        trend_sentence(report),
        disclosure.methods_note(report.min_cell, lang="fr"),
        *closing_sentences([report]),
    ]
    return Text("\n\n".join(f"*{line}*" for line in lines))


def ci_sentence(report: Report) -> str:
    """The methods note's sentence on the confidence intervals."""
    from .. import fmt

    level = fmt.number(report.level * 100, 0, report.book.lang)
    return (
        f"Intervalles de confiance à {level}\u00a0% des proportions : {stats.CI_METHOD_LABELS[report.method]} "
        "(Brown, Cai et DasGupta 2001 ; Newcombe 1998)."
    )


def trend_sentence(report: Report) -> str:
    """The methods note's sentence on the tests of the evolutions."""
    from .. import fmt

    return (
        "Les évolutions d'une proportion sont jugées par le test de tendance de Cochran-Armitage (trois "
        "années ou plus) ou le test exact de Fisher (deux années) ; la différence entre deux années a un "
        "intervalle de confiance de Newcombe (score hybride). «\u00a0En hausse\u00a0» ou «\u00a0en baisse\u00a0» seulement si "
        f"le test conclut au seuil de {fmt.percent(1 - report.level, 0, report.book.lang)}."
    )


def closing_sentences(reports: list[Report]) -> list[str]:
    """The methods note's last sentences, said once for ``reports`` (one report, or the parts of a book).

    The published values of earlier years, the declared items still to fill (a draft),
    the rows left out by validation (``--accept-rejections``; the same data for all).
    """
    from ..markup import plain

    lines = []
    if any(r.book.published is not None and len(r.book.published) for r in reports):
        lines.append(
            "Les «\u00a0valeurs publiées\u00a0» des années antérieures aux exports sont reprises des rapports "
            "publiés (params/history.yaml), non recalculées."
        )
    missing = list(dict.fromkeys(line for r in reports for line in r.missing))
    if missing:
        lines.append(
            "BROUILLON : chiffres déclarés encore à compléter (non imprimés) : "
            + " ; ".join(plain(line) for line in missing)
            + "."
        )
    if reports[0].left_out is not None:
        lines.append(_left_out_note(reports[0].left_out))
    return lines


def _left_out_note(counts: dict[str, dict[str, int]]) -> str:
    """The methods note's sentence on the rows left out by validation (``--accept-rejections``)."""
    from ..rejections import left_out_sentence

    if not counts:
        return "Rendu avec acceptation des rejets : aucune ligne des exports n'a été rejetée à la validation."
    return (
        "Lignes des exports rejetées à la validation et laissées de côté (rendu avec acceptation des "
        f"rejets ; liste : espacep validate) : {left_out_sentence(counts)}."
    )


def provenance_block(report: Report) -> Text:
    """The provenance block that ends every report (inputs' sha256, parameters, code version)."""
    from .. import provenance

    return Text("**Provenance**\n\n" + provenance.to_markdown(report.provenance))
