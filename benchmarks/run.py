"""Benchmarks of the yearly batch and of the indicator computation (issue 6).

Run from the repository root (not part of the test suite; about 15-30 minutes on 2 cores)::

    make bench                                   # = .venv/bin/python benchmarks/run.py
    .venv/bin/python benchmarks/run.py --runs 3 --sizes 1e4,1e5,1e6,1e7

What is measured (wall-clock, each repeated ``--runs`` times; median and range):

(a) ``espacep report`` for 2017-2019 x every funder with a notebook, HTML + PDF,
    into an empty output directory ("cold": no stamp, no cached years, no
    disclosure cache in ``outputs/.cache``; the operating system's file cache
    is warm); the plain chain also starts without the disclosure cache;
(b) the same command again, nothing changed;
(c) one report alone (2019, INAMI) into an empty output directory;
and, in the same run, the plain chain: for each report, one after the other,
``papermill`` CLI, then ``jupyter nbconvert --to html`` CLI, then ``weasyprint``
CLI. Ratios are plain chain / ours, per run, then summarised.

(d) Indicator computation (``indicators.<funder>.compute_figures`` for 2019) on
the committed synthetic data scaled to 10^4 ... 10^7 rows (all tables counted):
the validated data set is loaded once, then every table is replicated with new
pseudonyms (``<pseudonym>.<copy>``) or, below the original size, restricted to
a prefix of the persons. One subprocess per (size, funder): the compute time
(median of a few calls at small sizes), the peak of memory allocated during
the computation (tracemalloc, separate call) and the process's peak resident
memory (``ru_maxrss``: interpreter + data set + computation).

Results: printed as Markdown and written to ``benchmarks/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from espacep_analysis import funders

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DATA = REPO / "data" / "synthetic"
YEARS = (2017, 2018, 2019)
SINGLE = (2019, "inami")
FUNDERS = funders.ids()  # the funder registry (espacep_analysis.funders)


# --- machine ---------------------------------------------------------------------------------------


def machine() -> dict:
    """CPU model, cores, RAM, OS, Python and the versions of the packages that matter."""
    from importlib.metadata import version

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    ram = next(
        (
            int(line.split()[1]) // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        None,
    )
    packages = (
        "pandas",
        "numpy",
        "scipy",
        "seaborn",
        "matplotlib",
        "papermill",
        "nbclient",
        "nbconvert",
        "jupyter_client",
        "ipykernel",
        "weasyprint",
        "pandera",
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_mb": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": {p: version(p) for p in packages},
        "load_average_at_start": os.getloadavg(),
    }


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


# --- batch -------------------------------------------------------------------------------------------


CPU_SECONDS: list[float] = []  # user + sys of each command `run` ran (children's rusage), in order


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(argv: list[str], cwd: Path | None = None) -> float:
    """Wall-clock seconds of a command (its CPU seconds go to `CPU_SECONDS`); exits if it fails."""
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    CPU_SECONDS.append(_children_cpu() - cpu)
    if done.returncode != 0:
        sys.exit(
            f"benchmark command failed ({done.returncode}): {' '.join(argv)}\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return seconds


def ours(output: Path, years: str, funders: list[str]) -> float:
    return run(
        [
            str(BIN / "espacep"),
            "report",
            "--data",
            str(DATA),
            "--output",
            str(output),
            "--years",
            years,
            "--funders",
            ",".join(funders),
            "--formats",  # what the plain chain renders
            "html,pdf",
        ]
    )


def plain_chain(output: Path, year: int, funder: str) -> float:
    """papermill CLI, nbconvert CLI, WeasyPrint CLI for one report; seconds."""
    folder = output / str(year) / funder
    folder.mkdir(parents=True)
    seconds = run(
        [
            str(BIN / "papermill"),
            str(REPO / "notebooks" / f"{funder}.ipynb"),
            "report.ipynb",
            "-p",
            "year",
            str(year),
            "-p",
            "data_dir",
            str(DATA),
            "-p",
            "output_dir",
            str(folder),  # absolute: a relative one is read from the project's root (settings.in_project)
            # the disclosure cache shared by the run's notebooks, deleted with the run's folder:
            # left empty, the notebooks would use scratch/.cache of the project, which no run clears
            "-p",
            "cache_dir",
            str(output / ".cache"),
            # the run's folder is outside the project: say where the params are, as the batch does
            "-p",
            "params_dir",
            str(REPO / "params"),
            "-k",
            "python3",
            "--no-progress-bar",
            "--cwd",
            str(folder),
        ],
        cwd=folder,
    )
    seconds += run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "report.ipynb"], cwd=folder)
    seconds += run([str(BIN / "weasyprint"), "report.html", "report.pdf"], cwd=folder)
    return seconds


def clear_disclosure_cache() -> None:
    """Every cold measurement starts without the per-year disclosure cache (``outputs/.cache``)."""
    shutil.rmtree(REPO / "outputs" / ".cache", ignore_errors=True)


def batch_benchmarks(runs: int, funders: list[str], scratch: Path) -> dict:
    years = f"{YEARS[0]}-{YEARS[-1]}"
    keys = ("full", "unchanged", "single", "plain_full", "plain_single")
    measured: dict[str, list[float]] = {k: [] for k in keys}
    cpu: dict[str, list[float]] = {k: [] for k in keys}
    for i in range(runs):
        out = scratch / f"ours-{i}"
        clear_disclosure_cache()
        measured["full"].append(ours(out, years, funders))
        cpu["full"].append(CPU_SECONDS[-1])
        measured["unchanged"].append(ours(out, years, funders))
        cpu["unchanged"].append(CPU_SECONDS[-1])
        clear_disclosure_cache()
        measured["single"].append(ours(scratch / f"single-{i}", str(SINGLE[0]), [SINGLE[1]]))
        cpu["single"].append(CPU_SECONDS[-1])
        plain = scratch / f"plain-{i}"
        clear_disclosure_cache()
        first = len(CPU_SECONDS)
        per_report = {(y, f): plain_chain(plain, y, f) for y in YEARS for f in funders}
        measured["plain_full"].append(sum(per_report.values()))
        measured["plain_single"].append(per_report[SINGLE])
        cpu["plain_full"].append(sum(CPU_SECONDS[first:]))
        cpu["plain_single"].append(float("nan"))  # not separated from the chain's other commands
        print(
            f"run {i + 1}/{runs}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in measured.items()), flush=True
        )
        for folder in (out, scratch / f"single-{i}", plain):
            shutil.rmtree(folder, ignore_errors=True)
    ratios = {
        "full": [p / o for p, o in zip(measured["plain_full"], measured["full"])],
        "unchanged": [p / o for p, o in zip(measured["plain_full"], measured["unchanged"])],
        "single": [p / o for p, o in zip(measured["plain_single"], measured["single"])],
    }
    return {
        "reports": len(YEARS) * len(funders),
        "funders": funders,
        "seconds": {k: summary(v) for k, v in measured.items()},
        "cpu_seconds": {k: summary(v) for k, v in cpu.items() if k != "plain_single"},
        "ratios": {k: summary(v) for k, v in ratios.items()},
    }


# --- indicators at scale -----------------------------------------------------------------------------

TABLES = (
    "persons",
    "consultations",
    "lab_results",
    "medical_acts",
    "contacts",
    "social_actions",
    "activities",
)


def scaled_dataset(rows: int):
    """The synthetic data set with about ``rows`` rows in all (see the module docstring)."""
    import dataclasses

    import pandas as pd

    from espacep_analysis.load import load_dataset

    base = load_dataset(DATA)
    tables = {t: getattr(base, t) for t in TABLES if isinstance(getattr(base, t, None), pd.DataFrame)}
    total = sum(len(frame) for frame in tables.values())
    if rows <= total:
        keep = set(base.persons["pseudonym"].iloc[: max(1, round(len(base.persons) * rows / total))])
        new = {
            t: (
                f.loc[f["pseudonym"].isin(keep)]
                if "pseudonym" in f
                else f.iloc[: round(len(f) * rows / total)]
            )
            for t, f in tables.items()
        }
    else:
        copies = round(rows / total)
        new = {
            t: pd.concat(
                [
                    f.assign(pseudonym=f["pseudonym"] + f".{k}") if "pseudonym" in f else f
                    for k in range(copies)
                ],
                ignore_index=True,
            )
            for t, f in tables.items()
        }
    return dataclasses.replace(base, **new), sum(len(f) for f in new.values())


def scaling_child(rows: int, funder: str) -> dict:
    """(In a subprocess) time and memory of one funder's figures for 2019 at ``rows`` rows."""
    import gc
    import importlib
    import resource
    import tracemalloc

    module = importlib.import_module(f"espacep_analysis.indicators.{funder}")
    start = time.perf_counter()
    ds, actual = scaled_dataset(rows)
    build = time.perf_counter() - start
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    repeats = 3 if rows <= 10**6 else 1
    times, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        figures = module.compute_figures(ds, 2019)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    traced_peak = None  # at 10^8 rows a traced run would take minutes more: the peak RSS is the measure
    if rows <= 10**7:
        tracemalloc.start()
        module.compute_figures(ds, 2019)
        traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return {
        "rows": actual,
        "funder": funder,
        "figures": len(figures),
        "build_s": build,
        "seconds": statistics.median(times),
        "seconds_all": times,
        "cpu_seconds": statistics.median(cpu),
        "load_average": os.getloadavg(),
        "compute_peak_mb": traced_peak,
        "rss_before_compute_mb": rss_before,
        "peak_rss_mb": peak_rss,
    }


def scaling_benchmarks(sizes: list[int], funders: list[str]) -> list[dict]:
    results = []
    for rows in sizes:
        for funder in funders:
            done = subprocess.run(
                [sys.executable, __file__, "--scaling-child", str(rows), funder],
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                results.append(
                    {"rows": rows, "funder": funder, "error": done.stderr.strip().splitlines()[-1:]}
                )
            else:
                results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(json.dumps(results[-1]), flush=True)
    return results


# --- report ------------------------------------------------------------------------------------------


def markdown(results: dict) -> str:
    lines = []
    if "batch" in results:
        b = results["batch"]
        s, r = b["seconds"], b["ratios"]
        fmt = lambda d: f"{d['median']:.1f} s ({d['min']:.1f}-{d['max']:.1f})"  # noqa: E731
        rat = lambda d: f"{d['median']:.1f}x ({d['min']:.1f}-{d['max']:.1f})"  # noqa: E731
        lines += [
            f"Batch: {b['reports']} reports ({', '.join(b['funders'])} x {YEARS[0]}-{YEARS[-1]}), "
            f"{len(s['full']['runs'])} runs, median (min-max).",
            "",
            "| measure | espacep report | plain chain | plain / ours |",
            "|---|---|---|---|",
            f"| (a) full batch, cold, HTML + PDF | {fmt(s['full'])} | {fmt(s['plain_full'])} | {rat(r['full'])} |",
            f"| (b) nothing changed | {fmt(s['unchanged'])} | (re-renders all) {fmt(s['plain_full'])} "
            f"| {rat(r['unchanged'])} |",
            f"| (c) one report (2019 INAMI) | {fmt(s['single'])} | {fmt(s['plain_single'])} "
            f"| {rat(r['single'])} |",
            "",
        ]
        c = b.get("cpu_seconds", {})
        if c:
            lines += [
                "CPU seconds (user + sys of the command and its children), median (min-max): "
                f"full batch {fmt(c['full'])}, plain chain {fmt(c['plain_full'])}, "
                f"nothing changed {fmt(c['unchanged'])}, one report {fmt(c['single'])}.",
                "",
            ]
    if "scaling" in results:
        lines += [
            "| rows | funder | compute (s) | compute CPU (s) | peak allocated in compute (MB) "
            "| process peak RSS (MB) |",
            "|---|---|---|---|---|---|",
        ]
        for row in results["scaling"]:
            if "error" in row:
                lines.append(f"| {row['rows']:,} | {row['funder']} | error: {row['error']} | | | |")
            else:
                lines.append(
                    f"| {row['rows']:,} | {row['funder']} | {row['seconds']:.2f} | "
                    f"{row.get('cpu_seconds', float('nan')):.2f} | "
                    f"{'not traced' if row['compute_peak_mb'] is None else format(row['compute_peak_mb'], '.0f')} | "
                    f"{row['peak_rss_mb']:.0f} |"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each batch measure (default 3)")
    parser.add_argument("--sizes", default="1e4,1e5,1e6,1e7", help="row counts of the scaling benchmark")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--funders", default=",".join(FUNDERS), help="funders of the scaling benchmark")
    parser.add_argument("--json", default=str(REPO / "benchmarks" / "results.json"))
    parser.add_argument("--scaling-child", nargs=2, metavar=("ROWS", "FUNDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scaling_child:
        print(json.dumps(scaling_child(int(float(args.scaling_child[0])), args.scaling_child[1])))
        return 0
    funders = [f for f in FUNDERS if (REPO / "notebooks" / f"{f}.ipynb").is_file()]
    results: dict = {"machine": machine()}
    print(json.dumps(results["machine"], indent=1), flush=True)
    if not args.skip_batch:
        with tempfile.TemporaryDirectory(prefix="espacep-bench-") as scratch:
            results["batch"] = batch_benchmarks(args.runs, funders, Path(scratch))
    if not args.skip_scaling:
        sizes = [int(float(s)) for s in args.sizes.split(",")]
        chosen = args.funders.split(",")
        importable = [f for f in chosen if (REPO / "espacep_analysis" / "indicators" / f"{f}.py").is_file()]
        results["scaling"] = scaling_benchmarks(sizes, importable)
    results["machine"]["load_average_at_end"] = os.getloadavg()
    Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
