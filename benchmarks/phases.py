"""Issue 15: CPU seconds of each phase of one report, measured in one fresh process.

The phases the batch runs for one (year, funder), called directly so that each is
timed alone with `time.process_time` (CPU of this process: the figure holds on a
loaded machine, unlike wall time): imports, validation, disclosure protection (empty
cache, then warm), the funder's figures alone, the HTML export and the PDF (first
call, then a second one), the audit's PDF reading. The notebook's execution in a
kernel is measured by ``benchmarks/run_all.py``. Needs one rendered report in
``--rendered`` (e.g. from ``espacep report --output /tmp/i15 --years 2019 --funders inami``).

    .venv/bin/python benchmarks/phases.py --rendered /tmp/i15 --year 2019 --funder inami
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(label: str, results: dict, func, *args, **kwargs):
    """Call ``func``; record its CPU seconds (and wall seconds) under ``label``; return its result."""
    cpu, wall = time.process_time(), time.perf_counter()
    out = func(*args, **kwargs)
    results[label] = {
        "cpu_s": round(time.process_time() - cpu, 3),
        "wall_s": round(time.perf_counter() - wall, 3),
    }
    print(
        f"{label:<45} {results[label]['cpu_s']:7.2f} s CPU {results[label]['wall_s']:7.2f} s wall", flush=True
    )
    return out


def lp_solves(func, *args):
    """``func(*args)`` counting the linear programs solved meanwhile (`disclosure._optimum`): (result, calls)."""
    from espacep_analysis import disclosure

    calls, real = [0], disclosure._optimum

    def counting(*a, **k):
        calls[0] += 1
        return real(*a, **k)

    disclosure._optimum = counting
    try:
        return func(*args), calls[0]
    finally:
        disclosure._optimum = real


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rendered", type=Path, required=True)
    parser.add_argument("--year", type=int, default=2019)
    parser.add_argument("--funder", default="inami")
    parser.add_argument("--data", type=Path, default=REPO / "data" / "synthetic")
    args = parser.parse_args()
    results: dict = {"load_average": os.getloadavg()}
    for module in ("numpy", "pandas", "scipy.optimize", "matplotlib.pyplot", "seaborn", "pandera.pandas"):
        timed(f"import {module}", results, importlib.import_module, module)
    timed(
        "import espacep_analysis.pages (+ indicators)",
        results,
        importlib.import_module,
        "espacep_analysis.pages",
    )
    for module in ("nbconvert", "weasyprint", "pypdf"):
        timed(f"import {module}", results, importlib.import_module, module)
    from espacep_analysis import audit, load, publish, render

    ds, _ = timed("validate and load (fresh)", results, load.validate_and_load, args.data)
    timed("validate and load (same inputs, kept)", results, load.validate_and_load, args.data)
    indicators = importlib.import_module(f"espacep_analysis.indicators.{args.funder}")
    timed(
        f"figures of {args.funder} {args.year} (no masking)",
        results,
        indicators.compute_figures,
        ds,
        args.year,
    )
    with tempfile.TemporaryDirectory() as cache:
        _, calls = timed(
            "disclosure protection, all years (empty cache)",
            results,
            lp_solves,
            publish.published_figures,
            ds,
            args.funder,
            args.year,
            "wilson",
            0.95,
            None,
            Path(cache),
        )
        results["lp_solves"] = calls
        print(f"{'  linear programs solved':<45} {calls}")
        timed(
            "published figures (warm cache)",
            results,
            publish.published_figures,
            ds,
            args.funder,
            args.year,
            "wilson",
            0.95,
            None,
            Path(cache),
        )
    folder = args.rendered / str(args.year) / args.funder
    with tempfile.TemporaryDirectory() as out:
        for k in (1, 2):
            timed(
                f"HTML export, call {k}",
                results,
                render.to_html,
                folder / "report.ipynb",
                Path(out) / "r.html",
                title="t",
                funder=args.funder,
                year=args.year,
            )
        for k in (1, 2):
            timed(f"PDF, call {k}", results, render.to_pdf, folder / "report.html", Path(out) / "r.pdf")
    timed("audit: text of one PDF (pypdf)", results, audit._pdf_text, folder / "report.pdf")
    timed("audit: identifiers of the data", results, audit.collect_identifiers, args.data)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
