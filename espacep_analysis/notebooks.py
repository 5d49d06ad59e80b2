"""The funder notebooks, generated from the funder registry (`espacep_analysis.funders`).

A funder notebook is thin: a typed, commented ``parameters`` cell (papermill
overrides it), a cell that builds the report (`pages.build_report`), then per
section of the spec its headings (a markdown cell) and ``show`` of its blocks,
and the methods note. ``notebooks/<funder>.ipynb`` of the checkout are these
notebooks, committed for the analysts who open them; a test checks that they
equal what the registry generates. Regenerate them after changing a spec::

    python -m espacep_analysis.notebooks notebooks/

The batch runs the notebook of the checkout when there is one and otherwise
the generated one (a funder declared outside the package, an installed package).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from . import funders

# The tag of a markdown cell that starts a new page: a part of the rapport moral (the HTML template
# gives its cell the class ``new-page``, which report.css breaks the page before; Word: page break before).
NEW_PAGE_TAG = "new-page"

# (name, type, default, comment) of the parameters cell; papermill overrides them by name.
PARAMETERS: tuple[tuple[str, str, str, str], ...] = (
    (
        "year",
        "int",
        "0",
        "reporting year; 0: the latest complete year of the data (consultations up to December)",
    ),
    (
        "data_dir",
        "str",
        '"data/synthetic"',
        "directory of the exports (persons.csv, ...); relative: under the project",
    ),
    (
        "output_dir",
        "str",
        '""',
        "where figures.csv and provenance.json go (empty: scratch/<year>/{funder} of the project)",
    ),
    ("ci_method", "str", '"wilson"', "CI method: wilson, wilson_cc, exact, jeffreys, agresti_coull"),
    ("ci_level", "float", "0.95", "confidence level of the intervals"),
    ("lang", "str", '"fr_BE"', "number format and language: fr_BE, nl_BE, en"),
    (
        "min_cell",
        "int",
        "-1",
        "disclosure threshold: -1 takes the funder's one in params/sites.yaml, 0 turns it off",
    ),
    ("cache_dir", "str", '""', "disclosure cache directory (empty: scratch/.cache of the project)"),
    ("params_dir", "str", '""', "params directory (empty: params/ of the project)"),
    ("period_end", "str", '""', "last date of a partial year, YYYY-MM-DD (empty: the whole year)"),
    (
        "draft",
        "bool",
        "False",
        "render even if params/<year>/<funder>.yaml still holds A_COMPLETER items (banner BROUILLON)",
    ),
    (
        "accept_rejections",
        "bool",
        "False",
        "True: render without the rows validation rejects (counted in the methods note)",
    ),
)


def _parameters_cell(funder: str) -> str:
    lines = [f"# Parameters (papermill overrides them: papermill {funder}.ipynb out.ipynb -p year 2018)"]
    for name, kind, default, comment in PARAMETERS:
        lines.append(f"{name}: {kind} = {default}  # {comment.format(funder=funder)}")
    return "\n".join(lines)


def _build_cell(funder: str) -> str:
    return "\n".join(
        [
            "from espacep_analysis.funders import get",
            "from espacep_analysis.pages import build_report, methods_note, provenance_block, show",
            "",
            f'spec = get("{funder}")  # the funder registry: sections, titles, scope',
            f'report = build_report("{funder}", year, data_dir, ci_method=ci_method, ci_level=ci_level, '
            "lang=lang, min_cell=min_cell,",
            "                      cache_dir=cache_dir, params_dir=params_dir, output_dir=output_dir, "
            "period_end=period_end,",
            "                      draft=draft, accept_rejections=accept_rejections)",
        ]
    )


def notebook_for(funder: str):
    """The notebook of ``funder`` (an ``nbformat`` v4 notebook) generated from its spec."""
    spec = funders.get(funder)
    cells = [
        ("code", _parameters_cell(funder), {"tags": ["parameters"]}),
        ("code", _build_cell(funder), {}),
    ]
    for section in spec.sections:
        cells.append(("markdown", section.markdown(), {}))
        cells.append(("code", f'show(spec.section("{section.key}")(report))', {}))
    cells.append(("markdown", "## Méthodes", {}))
    cells.append(
        ("code", "show([methods_note(report), provenance_block(report)])\nreport.save_figures();", {})
    )
    return _notebook(funder, cells)


def _book_build_cell(spec) -> str:
    return "\n".join(
        [
            "from espacep_analysis.funders import get",
            "from espacep_analysis.pages import show",
            "from espacep_analysis.pages.book import book_methods_note, book_provenance_block, build_book, "
            "save_book_figures",
            "",
            f"folder, title = {spec.folder!r}, {spec.title!r}  # outputs/<year>/<folder>/ (params/book.yaml)",
            f"reports = build_book({spec.funders!r}, year, data_dir, ci_method=ci_method, ci_level=ci_level, "
            "lang=lang, min_cell=min_cell,",
            "                     cache_dir=cache_dir, params_dir=params_dir, period_end=period_end, draft=draft,",
            "                     accept_rejections=accept_rejections)",
        ]
    )


def book_notebook(spec):
    """The rapport moral's notebook (``nbformat`` v4) generated from its `books.BookSpec`.

    One markdown cell per heading (`books.headings`), one ``show`` per section of a
    funder's report, then the methods note, the provenance and the book's ``figures.csv``.
    """
    from . import books

    cells = [
        ("code", _parameters_cell(spec.folder), {"tags": ["parameters"]}),
        ("code", _book_build_cell(spec), {}),
    ]
    pending: list[str] = []
    for heading in books.headings(spec):
        if heading.level:
            pending.append(f"{'#' * heading.level} {heading.text}")
        if heading.key:
            if pending:  # a part starts a page (the cell's tag: report.css)
                part = {"tags": [NEW_PAGE_TAG]} if pending[0].startswith("## ") else {}
                cells.append(("markdown", "\n\n".join(pending), part))
            pending = []
            show = f'show(get("{heading.funder}").section("{heading.key}")(reports["{heading.funder}"]))'
            cells.append(("code", show, {}))
    cells.append(("markdown", "## Méthodes", {}))
    cells.append(
        (
            "code",
            "show([book_methods_note(reports), book_provenance_block(reports)])\n"
            "save_book_figures(reports, folder, title, output_dir);",
            {},
        )
    )
    return _notebook(spec.folder, cells)


def book_notebook_path(spec, work_dir: Path) -> Path:
    """The book's notebook written into ``work_dir`` (rewritten only when it changed)."""
    import nbformat

    path = Path(work_dir) / f"{spec.folder}.ipynb"
    text = nbformat.writes(book_notebook(spec)) + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path


def _notebook(name: str, cells: list[tuple[str, str, dict]]):
    """An ``nbformat`` v4 notebook of ``cells`` ``(kind, source, metadata)``; cell ids derived from ``name``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for i, (kind, source, metadata) in enumerate(cells):
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        cell = make(source, metadata=dict(metadata))
        cell.id = hashlib.sha256(f"{name}:{i}".encode()).hexdigest()[:8]
        nb.cells.append(cell)
    return nb


def notebook_text(funder: str) -> str:
    """The ``.ipynb`` text of ``funder``'s generated notebook (as committed in ``notebooks/``)."""
    import nbformat

    return nbformat.writes(notebook_for(funder)) + "\n"


def notebook_path(funder: str, notebooks_dir: Path | None, work_dir: Path) -> Path:
    """``notebooks_dir/<funder>.ipynb`` when it exists, else the generated notebook written into ``work_dir``."""
    if notebooks_dir is not None:
        path = Path(notebooks_dir) / f"{funder}.ipynb"
        if path.is_file():
            return path
    path = Path(work_dir) / f"{funder}.ipynb"
    text = notebook_text(funder)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path


def write_notebooks(folder: str | Path, only: list[str] | None = None) -> list[Path]:
    """Write ``<funder>.ipynb`` of every registered funder (or of ``only``) into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for funder in only or funders.ids():
        path = folder / f"{funder}.ipynb"
        path.write_text(notebook_text(funder), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # python -m espacep_analysis.notebooks notebooks/ [funder ...]
    for written in write_notebooks(sys.argv[1] if len(sys.argv) > 1 else "notebooks", sys.argv[2:] or None):
        print(written)
