"""espacep_analysis: indicators and reports for Espace P…'s funders (INAMI, AViQ, Cocof).

The analysts' API (see the README, "Analyses ad hoc", and ``notebooks/explore.ipynb``)::

    import espacep_analysis as ep

    ds = ep.load_dataset("data/synthetic")
    figures = ep.compute_figures(ds, "inami", 2019)  # unmasked: its repr says so
    masked = ep.protect(figures, min_cell=5)
    ep.proportion(12, 150)  # estimate and confidence interval

The names are imported on first use, so ``import espacep_analysis`` stays
cheap for the command line.
"""

from __future__ import annotations

import importlib
import sys as _sys
from typing import Any

# Issue 15: jsonschema (imported by nbformat) imports rfc3987_syntax when it is installed, which
# builds a Lark grammar: about 1.1 s of CPU in every process that reads or executes a notebook
# (the batch and each worker), for an "iri" format check no nbformat schema uses. Keep it
# out of this package's processes; nothing else changes (a module already imported stays).
_sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None blocks the import (documented)

__version__ = "0.1.0"

# public name -> (module, attribute)
_EXPORTS: dict[str, tuple[str, str]] = {
    "Dataset": (".dataset", "Dataset"),
    "load_dataset": (".api", "load_dataset"),
    "Figures": (".api", "Figures"),
    "UnmaskedFiguresWarning": (".api", "UnmaskedFiguresWarning"),
    "compute_figures": (".api", "compute_figures"),
    "published_figures": (".api", "published_figures"),
    "protect": (".api", "protect"),
    "mask_counts": (".api", "mask_counts"),
    "build_report": (".api", "build_report"),
    "proportion": (".stats", "proportion"),
    "proportion_ci": (".stats", "proportion_ci"),
    "compare_proportions": (".stats", "compare_proportions"),
    "proportion_table": (".stats", "proportion_table"),
    "trend_test": (".stats", "trend_test"),
    "percent": (".fmt", "percent"),
    "prevalence_chart": (".plots", "prevalence_ci"),
    "shares_chart": (".plots", "bar_shares"),
    "save_chart": (".plots", "save"),
    "show_chart": (".plots", "show"),
    "EspacepError": (".errors", "EspacepError"),
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _EXPORTS[name]
    value = getattr(importlib.import_module(module, __name__), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
