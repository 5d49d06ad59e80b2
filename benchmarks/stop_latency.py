"""How long the processes of ``espacep report`` outlive a signal to the main process.

For each of SIGINT, SIGTERM, SIGHUP and SIGKILL, ``--runs`` times: start
``espacep report --years 2017-2019`` (all funders, HTML + PDF, ``--force``,
the data's years cached by a first run), wait until a report is being
executed, record every process below the main one (workers, kernels), send the
signal to the main process only, and time until the last of them is gone
(polling /proc every 10 ms). Prints one line per signal: median (min-max).

    .venv/bin/python benchmarks/stop_latency.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ESPACEP = Path(sys.executable).parent / "espacep"
SIGNALS = {
    "SIGINT": signal.SIGINT,
    "SIGTERM": signal.SIGTERM,
    "SIGHUP": signal.SIGHUP,
    "kill -9": signal.SIGKILL,
}


def _below(pid: int) -> set[int]:
    """Pids of every process below ``pid``, from /proc."""
    parents = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            parents[int(entry.name)] = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
        except (OSError, ValueError):
            continue
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        children = [p for p, pp in parents.items() if pp == current]
        found.update(children)
        todo += children
    return found


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def stop_latency(out: Path, signum: int) -> float:
    """Seconds from ``signum`` to the last descendant of the main process gone."""
    proc = subprocess.Popen(
        [
            str(ESPACEP),
            "report",
            "--data",
            str(REPO / "data" / "synthetic"),
            "--output",
            str(out),
            "--years",
            "2017-2019",
            "--force",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    for line in proc.stdout:
        if "exécution" in line:
            break
    time.sleep(1.0)  # well inside the report
    below = _below(proc.pid)
    start = time.monotonic()
    os.kill(proc.pid, signum)
    while any(_running(pid) for pid in below):
        if time.monotonic() - start > 60:
            raise RuntimeError(f"processes left 60 s after the signal: {sorted(below)}")
        time.sleep(0.01)
    seconds = time.monotonic() - start
    proc.stdout.close()
    proc.wait()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        subprocess.run(
            [
                str(ESPACEP),
                "report",
                "--data",
                str(REPO / "data" / "synthetic"),
                "--output",
                str(out),
                "--years",
                "2019",
                "--funders",
                "inami",
                "--no-pdf",
            ],
            check=True,
            capture_output=True,
        )
        for name, signum in SIGNALS.items():
            times = [stop_latency(out, signum) for _ in range(args.runs)]
            print(
                f"{name:<8} {statistics.median(times):5.2f} s ({min(times):.2f}-{max(times):.2f}) "
                f"over {args.runs} runs",
                flush=True,
            )


if __name__ == "__main__":
    main()
