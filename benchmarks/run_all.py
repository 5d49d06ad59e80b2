"""Issue 15 (c): "Run all" of a report notebook in an already started kernel.

Starts one kernel in the project, runs every code cell of the notebook once (the
first run pays imports and, with an empty cache, the disclosure protection), then
``--runs`` more times, and prints the wall time and the kernel's CPU time of each
run (the kernel's own user+sys from /proc, so the figure holds on a loaded machine).

    .venv/bin/python benchmarks/run_all.py notebooks/inami.ipynb --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import start_new_kernel

REPO = Path(__file__).resolve().parent.parent


def kernel_cpu(pid: int) -> float:
    """user + sys seconds of process ``pid`` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_all(client, cells: list[str]) -> None:
    """Execute ``cells`` in order; raise on the first error."""
    for source in cells:
        reply = client.execute_interactive(
            source, store_history=True, timeout=600, output_hook=lambda m: None
        )
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"cell failed: {reply['content'].get('ename')}: {source[:80]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cells = [c.source for c in nbformat.read(args.notebook, as_version=4).cells if c.cell_type == "code"]
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(REPO))
    pid = manager.provisioner.process.pid
    try:
        results = []
        for k in range(args.runs + 1):
            cpu, wall = kernel_cpu(pid), time.perf_counter()
            run_all(client, cells)
            results.append((time.perf_counter() - wall, kernel_cpu(pid) - cpu))
            print(
                f"run {k}{' (first)' if k == 0 else ''}: {results[-1][0]:.2f} s wall, {results[-1][1]:.2f} s CPU"
            )
        later = results[1:]
        print(
            json.dumps(
                {
                    "median_wall_s": statistics.median(w for w, _ in later),
                    "median_cpu_s": statistics.median(c for _, c in later),
                    "load_average": os.getloadavg(),
                }
            )
        )
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
