"""``figures.xlsx``: the ``xlsx`` format of the renderer registry (`renderers._builtins`).

Rendered after the notebook ran, from what it left in the work directory:
``figures.csv`` (the sheet "toutes les données"), ``provenance.json`` (the
sheet "provenance" and the threshold of the mask legend) and the executed
notebook's blocks (`docx_report.notebook_blocks`: the section sheets). The
workbook itself is built by `spreadsheet.write_figures_xlsx`; the audit reads
it back with `audit_files.xlsx_text`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .spreadsheet import report_sections, write_figures_xlsx


def render(job) -> Path:
    """The ``xlsx`` format (`renderers`): the executed notebook and ``figures.csv`` -> ``figures.xlsx``."""
    import nbformat

    from .disclosure import methods_note
    from .docx_report import notebook_blocks

    record = json.loads((job.work / "provenance.json").read_text(encoding="utf-8"))
    table = pd.read_csv(job.work / "figures.csv", keep_default_na=False, na_values=[""])
    blocks = [block for block, _ in notebook_blocks(nbformat.read(job.executed, as_version=4))]
    legend = methods_note(int(record.get("parameters", {}).get("min_cell", 0)), lang="fr")
    return write_figures_xlsx(job.work, table, report_sections(blocks), record, legend)
